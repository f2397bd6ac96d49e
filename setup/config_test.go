package setup_test

import (
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	collogs "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	colmetrics "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	"google.golang.org/protobuf/proto"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/setup"
	"github.com/slogspan/slogspan/spanevents"
)

// receiver is an OTLP/HTTP receiver on loopback that keeps what it is
// sent, decoded, and answers each path with a status (200 by default).
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	status  map[string]int
	spans   []gotSpan
	metrics []string // names
	logs    []gotLog
	// Of each request: its Content-Encoding and X-Team headers; of each
	// traces request, its spans.
	encodings, teams []string
	spansPerRequest  []int
}

// gotSpan and gotLog are a received span and log record, with what the
// tests look at.
type gotSpan struct {
	name     string
	traceID  string
	attrs    map[string]string
	resource map[string]string
	links    int
	status   string
	events   []gotEvent
}

type gotEvent struct {
	name  string
	attrs map[string]string
}

type gotLog struct {
	body    string
	traceID string
	attrs   map[string]string
	depth   int // how deep maps and slices nest in the attributes
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{status: map[string]int{}}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	var in io.Reader = req.Body
	if req.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(req.Body)
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		in = gz
	}
	body, err := io.ReadAll(in)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.encodings = append(r.encodings, req.Header.Get("Content-Encoding"))
	r.teams = append(r.teams, req.Header.Get("X-Team"))
	if code, ok := r.status[req.URL.Path]; ok && code != http.StatusOK {
		w.WriteHeader(code)
		return
	}
	switch req.URL.Path {
	case "/v1/traces":
		var m coltrace.ExportTraceServiceRequest
		if err := proto.Unmarshal(body, &m); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		n := 0
		defer func() { r.spansPerRequest = append(r.spansPerRequest, n) }()
		for _, rs := range m.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				n += len(ss.Spans)
				for _, s := range ss.Spans {
					g := gotSpan{name: s.Name, traceID: trace.TraceID(s.TraceId).String(), attrs: kvs(s.Attributes),
						resource: kvs(rs.Resource.GetAttributes()), links: len(s.Links), status: s.Status.GetCode().String()}
					for _, e := range s.Events {
						g.events = append(g.events, gotEvent{e.Name, kvs(e.Attributes)})
					}
					r.spans = append(r.spans, g)
				}
			}
		}
		_, _ = w.Write(must(proto.Marshal(&coltrace.ExportTraceServiceResponse{})))
	case "/v1/logs":
		var m collogs.ExportLogsServiceRequest
		if err := proto.Unmarshal(body, &m); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		for _, rl := range m.ResourceLogs {
			for _, sl := range rl.ScopeLogs {
				for _, l := range sl.LogRecords {
					g := gotLog{body: l.Body.GetStringValue(), traceID: hex.EncodeToString(l.TraceId), attrs: kvs(l.Attributes)}
					for _, kv := range l.Attributes {
						g.depth = max(g.depth, anyDepth(kv.Value))
					}
					r.logs = append(r.logs, g)
				}
			}
		}
		_, _ = w.Write(must(proto.Marshal(&collogs.ExportLogsServiceResponse{})))
	case "/v1/metrics":
		var m colmetrics.ExportMetricsServiceRequest
		if err := proto.Unmarshal(body, &m); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		for _, rm := range m.ResourceMetrics {
			for _, sm := range rm.ScopeMetrics {
				for _, mt := range sm.Metrics {
					r.metrics = append(r.metrics, mt.Name)
				}
			}
		}
		_, _ = w.Write(must(proto.Marshal(&colmetrics.ExportMetricsServiceResponse{})))
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// kvs returns attributes as text, enough for the tests.
func kvs(attrs []*commonpb.KeyValue) map[string]string {
	m := map[string]string{}
	for _, kv := range attrs {
		switch v := kv.Value.GetValue().(type) {
		case *commonpb.AnyValue_StringValue:
			m[kv.Key] = v.StringValue
		case *commonpb.AnyValue_IntValue:
			m[kv.Key] = strconv.FormatInt(v.IntValue, 10)
		default:
			m[kv.Key] = kv.Value.String()
		}
	}
	return m
}

// anyDepth returns how many maps and slices nest in v.
func anyDepth(v *commonpb.AnyValue) int {
	d := 0
	switch v := v.GetValue().(type) {
	case *commonpb.AnyValue_KvlistValue:
		for _, kv := range v.KvlistValue.Values {
			d = max(d, anyDepth(kv.Value))
		}
	case *commonpb.AnyValue_ArrayValue:
		for _, e := range v.ArrayValue.Values {
			d = max(d, anyDepth(e))
		}
	default:
		return 0
	}
	return d + 1
}

func (r *receiver) received() ([]gotSpan, []gotLog) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.spans), slices.Clone(r.logs)
}

// spanNamed returns the received span named name.
func spanNamed(t *testing.T, spans []gotSpan, name string) gotSpan {
	t.Helper()
	for _, s := range spans {
		if s.name == name {
			return s
		}
	}
	t.Fatalf("no span %q among %v", name, spans)
	return gotSpan{}
}

// writeConfig writes a configuration file, in which {{URL}} stands for
// url, and points OTEL_CONFIG_FILE at it.
func writeConfig(t *testing.T, url, yaml string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "otel.yaml")
	if err := os.WriteFile(path, []byte(strings.ReplaceAll(yaml, "{{URL}}", url)), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OTEL_CONFIG_FILE", path)
	return path
}

// fullConfig sends spans and logs to {{URL}}, with the bridge and
// slogspan's settings.
const fullConfig = `file_format: "1.0"
resource:
  attributes:
    - name: service.name
      value: from-the-file
propagator:
  composite:
    - tracecontext:
tracer_provider:
  processors:
    - batch:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/traces
  limits:
    link_count_limit: 1
    event_count_limit: 2 # raised to slogspan's budget and room for others
meter_provider:
  readers:
    - periodic:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/metrics
logger_provider:
  processors:
    - event_to_span_event_bridge/development:
    - batch:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/logs
instrumentation/development:
  go:
    slogspan:
      event_level: debug
      limits:
        max_value_bytes: 100
        max_span_events: ${SLOGSPAN_TEST_EVENTS:-4}
      bridge:
        all_records: true
`

func TestConfigFileBuildsTheSDK(t *testing.T) {
	clearOTelEnv(t)
	programOutput(t) // INFO and above: debug lines reach spans only by the file's event_level
	rcv := newReceiver(t)
	writeConfig(t, rcv.URL, fullConfig)
	// The file wins over the environment: none of these apply.
	t.Setenv("OTEL_TRACES_EXPORTER", "none")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9")
	t.Setenv("OTEL_SERVICE_NAME", "from-the-environment")
	t.Setenv("OTEL_SPAN_LINK_COUNT_LIMIT", "100")
	t.Setenv("OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT", "1") // the schema's default is 128

	// Options that build what the file describes do not apply.
	unused := &memSpans{}
	shutdown, p, err := setup.StartProviders(context.Background(), setup.WithSpanExporter(unused))
	if err != nil {
		t.Fatal(err)
	}
	if p.TracerProvider == nil || p.LoggerProvider == nil || p.Handler == nil {
		t.Fatalf("providers = %+v", p)
	}
	counter, err := otel.Meter("config-test").Int64Counter("work.done")
	if err != nil {
		t.Fatal(err)
	}
	counter.Add(context.Background(), 1)
	tracer := otel.Tracer("config-test")
	_, l1 := tracer.Start(context.Background(), "link1")
	_, l2 := tracer.Start(context.Background(), "link2")
	ctx, span := tracer.Start(context.Background(), "work",
		trace.WithLinks(trace.Link{SpanContext: l1.SpanContext()}, trace.Link{SpanContext: l2.SpanContext()}))
	slog.DebugContext(ctx, "debug line")
	slog.InfoContext(ctx, "big", "body", strings.Repeat("x", 500))
	otelslog.NewLogger("other-logger").InfoContext(ctx, "through the Logs API")
	for range 5 {
		slog.InfoContext(ctx, "over budget")
	}
	span.End()
	l1.End()
	l2.End()
	traceID := span.SpanContext().TraceID().String()
	if err := shutdown(context.Background()); err != nil {
		t.Fatalf("shutdown: %v", err)
	}

	spans, logs := rcv.received()
	if n := len(unused.GetSpans()); n != 0 {
		t.Errorf("WithSpanExporter's exporter got %d spans, want none: the file names the exporters", n)
	}
	rcv.mu.Lock()
	metrics := slices.Clone(rcv.metrics)
	rcv.mu.Unlock()
	if !slices.Contains(metrics, "work.done") {
		t.Errorf("metrics = %q, want the counter, through the file's meter provider", metrics)
	}
	work := spanNamed(t, spans, "work")
	var names []string
	for _, e := range work.events {
		names = append(names, e.name)
	}
	// The budget of 4 is the file's, through its environment variable,
	// and is enforced across the Handler and the bridge: the span tracker
	// is registered. The file's event_count_limit of 2 was raised for it.
	if want := []string{"debug line", "big", "through the Logs API", "over budget"}; !slices.Equal(names, want) {
		t.Errorf("events = %q, want %q", names, want)
	}
	if work.resource["service.name"] != "from-the-file" {
		t.Errorf("service.name = %q, want the file's", work.resource["service.name"])
	}
	if work.links != 1 {
		t.Errorf("links = %d, want the file's link_count_limit of 1 (otelconf alone ignores it)", work.links)
	}
	big := work.events[1].attrs
	if len(big["body"]) > 100 || !strings.Contains(big["body"], "truncated") || big[slogspan.UIDKey] == "" {
		t.Errorf("big event = %v, want the body cut to the file's 100 bytes, linked by uid", big)
	}
	var diverted, bridged bool
	for _, l := range logs {
		diverted = diverted || (l.attrs[slogspan.UIDKey] == big[slogspan.UIDKey] && l.traceID == traceID &&
			l.attrs["body"] == strings.Repeat("x", 500))
		bridged = bridged || l.body == "through the Logs API"
	}
	if !diverted || !bridged {
		t.Errorf("logs = %v, want the full diverted record and the Logs API's record", logs)
	}
	if fields := otel.GetTextMapPropagator().Fields(); !slices.Contains(fields, "traceparent") || slices.Contains(fields, "baggage") {
		t.Errorf("propagator fields = %v, want the file's tracecontext alone", fields)
	}
}

func TestConfigFileBridgeRunsBeforeTheExport(t *testing.T) {
	clearOTelEnv(t)
	rcv := newReceiver(t)
	writeConfig(t, rcv.URL, `file_format: "1.0"
tracer_provider:
  processors:
    - simple:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/traces
logger_provider:
  processors:
    - event_to_span_event_bridge/development: {}
    - simple:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/logs
instrumentation/development:
  go:
    slogspan:
      bridge:
        limits:
          max_value_bytes: 20
`)
	shutdown, err := setup.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// An event, as the specification's bridge takes them by default.
	ctx, span := otel.Tracer("config-test").Start(context.Background(), "work")
	var r log.Record
	r.SetEventName("payment.done")
	r.AddAttributes(attribute.String("receipt", strings.Repeat("r", 200)))
	otel.GetLoggerProvider().Logger("payments").Emit(ctx, r)
	var plain log.Record
	plain.SetBody(attribute.StringValue("not an event"))
	otel.GetLoggerProvider().Logger("payments").Emit(ctx, plain)
	span.End()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans, logs := rcv.received()
	work := spanNamed(t, spans, "work")
	if len(work.events) != 1 || work.events[0].name != "payment.done" {
		t.Fatalf("events = %v, want the event alone (all_records is off)", work.events)
	}
	uid := work.events[0].attrs[slogspan.UIDKey]
	if uid == "" || len(work.events[0].attrs["receipt"]) > 20 {
		t.Errorf("event = %v, want the receipt cut to the bridge's 20 bytes, with a uid", work.events[0].attrs)
	}
	// The uid reached the exporter on the record: the bridge ran first.
	if len(logs) != 2 || logs[0].attrs[slogspan.UIDKey] != uid || logs[0].attrs["receipt"] != strings.Repeat("r", 200) {
		t.Errorf("logs = %v, want the full record with the event's uid %q", logs, uid)
	}
}

func TestConfigFileBridgeAloneIsTheSpecifications(t *testing.T) {
	// With no settings of slogspan's, the bridge does what the
	// specification says: events only, whole.
	clearOTelEnv(t)
	rcv := newReceiver(t)
	writeConfig(t, rcv.URL, `file_format: "1.0"
tracer_provider:
  processors:
    - simple:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/traces
logger_provider:
  processors:
    - event_to_span_event_bridge/development: {}
`)
	// The options that build what the file describes do not apply: not
	// the bridge's, nor the resource's.
	shutdown, err := setup.Start(context.Background(), setup.WithSpanEventsBridge(spanevents.WithAllRecords(true)),
		setup.WithResourceOptions(resource.WithAttributes(attribute.String("from.option", "x"))))
	if err != nil {
		t.Fatal(err)
	}
	ctx, span := otel.Tracer("config-test").Start(context.Background(), "work")
	var r log.Record
	r.SetEventName("payment.done")
	r.AddAttributes(attribute.String("receipt", strings.Repeat("r", 5000)))
	otel.GetLoggerProvider().Logger("payments").Emit(ctx, r)
	otelslog.NewLogger("library").InfoContext(ctx, "a line, not an event")
	span.End()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans, _ := rcv.received()
	work := spanNamed(t, spans, "work")
	if len(work.events) != 1 || work.events[0].name != "payment.done" || len(work.events[0].attrs["receipt"]) != 5000 {
		t.Errorf("events = %v, want the event alone, whole", work.events)
	}
	if _, ok := work.resource["from.option"]; ok {
		t.Errorf("resource %v: WithResourceOptions applied beside the file", work.resource)
	}
}

func TestConfigFileMistakesStopStart(t *testing.T) {
	for _, c := range []struct {
		name, yaml string
		env        map[string]string
		want       []string // in the error, which begins with the file's path
	}{{
		name: "YAML syntax",
		yaml: "file_format: \"1.0\"\ntracer_provider:\n  processors:\n  - batch: [\n",
		want: []string{"the file is not valid YAML", "line 4", "check the indentation"},
	}, {
		name: "unknown top-level field",
		yaml: "file_format: \"1.0\"\ntracer_provder:\n  processors: []\n",
		want: []string{":2: tracer_provder is not a field", "did you mean tracer_provider?"},
	}, {
		name: "unknown field",
		yaml: "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        exporterr:\n          console:\n",
		// The README quotes this one.
		want: []string{":5: tracer_provider.processors[0].batch.exporterr is not a field the Go SDK knows here: did you mean exporter?"},
	}, {
		name: "unknown exporter",
		yaml: "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        exporter:\n          otlp_htp:\n            endpoint: http://localhost:4318\n",
		want: []string{":6: tracer_provider.processors[0].batch.exporter.otlp_htp is not a field", "did you mean otlp_http?"},
	}, {
		name: "unknown processor",
		yaml: "file_format: \"1.0\"\nlogger_provider:\n  processors:\n    - bach:\n        exporter:\n          console:\n",
		want: []string{":4: logger_provider.processors[0].bach", "did you mean batch?", "event_to_span_event_bridge/development"},
	}, {
		name: "two processors in one entry",
		yaml: "file_format: \"1.0\"\nlogger_provider:\n  processors:\n    - simple:\n        exporter:\n          console:\n      batch:\n        exporter:\n          console:\n",
		want: []string{":4: logger_provider.processors[0] names simple and batch", "give each its own entry"},
	}, {
		name: "wrong type",
		yaml: "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        schedule_delay: soon\n        exporter:\n          console:\n",
		want: []string{"is not accepted by otelconf", "line 5", "soon"}, // yaml's words
	}, {
		name: "wrong type after substitution",
		yaml: "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        schedule_delay: ${CONFIG_TEST_DELAY}\n        exporter:\n          console:\n",
		env:  map[string]string{"CONFIG_TEST_DELAY": "soon"},
		want: []string{"is not accepted by otelconf", "line 5", "soon"}, // otelconf's words
	}, {
		name: "missing required field",
		yaml: "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        schedule_delay: 100\n",
		want: []string{"is not accepted by otelconf", "exporter", "required"}, // otelconf's words
	}, {
		name: "bound otelconf checks",
		yaml: "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        max_queue_size: 0\n        exporter:\n          console:\n",
		want: []string{"is not accepted by otelconf", "max_queue_size"}, // otelconf's words
	}, {
		name: "value otelconf rejects when it builds",
		yaml: "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        exporter:\n          otlp_http:\n            endpoint: http://localhost:4318\n            compression: zstd\n",
		want: []string{"is not accepted by otelconf", `"zstd"`}, // otelconf's words
	}, {
		name: "endpoint otelconf requires",
		yaml: "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        exporter:\n          otlp_http:\n            timeout: 100\n",
		want: []string{"is not accepted by otelconf", "endpoint", "required"}, // otelconf's words
	}, {
		name: "experimental part Go does not support",
		yaml: "file_format: \"1.0\"\ntracer_provider:\n  processors: []\n  tracer_configurator/development:\n    default_config:\n      disabled: true\n",
		want: []string{":4: tracer_provider.tracer_configurator/development is an experimental part", "remove it"},
	}, {
		name: "no file_format",
		yaml: "tracer_provider:\n  processors: []\n",
		want: []string{":1: the file has no file_format", `add file_format: "1.0"`},
	}, {
		name: "old file_format",
		yaml: "file_format: \"0.3\"\n",
		want: []string{`:1: file_format is "0.3"`, `file_format "1.0"`},
	}, {
		name: "bridge after the export",
		yaml: "file_format: \"1.0\"\nlogger_provider:\n  processors:\n    - batch:\n        exporter:\n          console:\n    - event_to_span_event_bridge/development:\n",
		want: []string{":7: logger_provider.processors[1] is the span event bridge, after other processors", "make it the first processor"},
	}, {
		name: "bridge with settings",
		yaml: "file_format: \"1.0\"\nlogger_provider:\n  processors:\n    - event_to_span_event_bridge/development:\n        all_records: true\n",
		want: []string{":5: logger_provider.processors[0].event_to_span_event_bridge/development takes no settings", "instrumentation/development: go: slogspan: bridge:"},
	}, {
		name: "unknown slogspan setting",
		yaml: "file_format: \"1.0\"\ninstrumentation/development:\n  go:\n    slogspan:\n      limits:\n        max_span_event: 10\n",
		want: []string{":6: instrumentation/development.go.slogspan.limits.max_span_event is not a field", "did you mean max_span_events?"},
	}, {
		name: "slogspan level",
		yaml: "file_format: \"1.0\"\ninstrumentation/development:\n  go:\n    slogspan:\n      event_level: verbose\n",
		want: []string{`:5: instrumentation/development.go.slogspan.event_level is "verbose"`, "write a slog level"},
	}, {
		name: "slogspan wrong type after substitution",
		yaml: "file_format: \"1.0\"\ninstrumentation/development:\n  go:\n    slogspan:\n      limits:\n        max_span_events: ${CONFIG_TEST_EVENTS}\n",
		env:  map[string]string{"CONFIG_TEST_EVENTS": "lots"},
		want: []string{":5: instrumentation/development.go.slogspan cannot be read", "line 6", "lots"}, // yaml's words
	}, {
		name: "slogspan substitution syntax",
		yaml: "file_format: \"1.0\"\ninstrumentation/development:\n  go:\n    slogspan:\n      event_level: ${1LEVEL}\n",
		want: []string{`:5: instrumentation/development.go.slogspan.event_level is "${1LEVEL}"`, "not a variable name"},
	}, {
		name: "schedule_delay 0", // the batch processor would export without pause, a busy loop
		yaml: "file_format: \"1.0\"\nlogger_provider:\n  processors:\n    - batch:\n        schedule_delay: 0\n        exporter:\n          console:\n",
		want: []string{":5: logger_provider.processors[0].batch.schedule_delay is 0", "above 0"},
	}, {
		name: "schedule_delay 0 after substitution",
		yaml: "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - batch:\n        schedule_delay: ${CONFIG_TEST_DELAY}\n        exporter:\n          console:\n",
		env:  map[string]string{"CONFIG_TEST_DELAY": "0"},
		want: []string{":5: tracer_provider.processors[0].batch.schedule_delay is 0", "above 0"},
	}, {
		name: "schedule_delay 0 by default",
		yaml: "file_format: \"1.0\"\nlogger_provider:\n  processors:\n    - batch:\n        schedule_delay: ${CONFIG_TEST_UNSET:-0}\n        exporter:\n          console:\n",
		want: []string{":5: logger_provider.processors[0].batch.schedule_delay is 0", "above 0"},
	}, {
		name: "misspelled slogspan",
		yaml: "file_format: \"1.0\"\ninstrumentation/development:\n  go:\n    slogspn:\n      event_level: debug\n",
		want: []string{":4: instrumentation/development.go.slogspn is not slogspan's name", "did you mean slogspan?"},
	}, {
		name: "slog_span",
		yaml: "file_format: \"1.0\"\ninstrumentation/development:\n  go:\n    slog_span:\n      event_level: debug\n",
		want: []string{":4: instrumentation/development.go.slog_span is not slogspan's name", "did you mean slogspan?"},
	}, {
		name: "golang for go",
		yaml: "file_format: \"1.0\"\ninstrumentation/development:\n  golang:\n    slogspan:\n      event_level: debug\n",
		want: []string{":3: instrumentation/development.golang is not a field", "did you mean go?"},
	}, {
		name: "attributes_list",
		yaml: "file_format: \"1.0\"\nresource:\n  attributes_list: \"team=shop,oops\"\n",
		want: []string{`:3: resource.attributes_list has "oops"`, "name=value pairs"},
	}} {
		t.Run(c.name, func(t *testing.T) {
			clearOTelEnv(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			path := writeConfig(t, "", c.yaml)
			before := slog.Default().Handler()
			tpBefore := otel.GetTracerProvider()
			shutdown, err := setup.Start(context.Background())
			if err == nil {
				_ = shutdown(context.Background())
				t.Fatal("Start accepted the file")
			}
			var ce *setup.ConfigError
			if !errors.As(err, &ce) || ce.File != path {
				t.Errorf("error %T %v, want a *setup.ConfigError for %s", err, err, path)
			}
			msg := strings.TrimPrefix(err.Error(), "setup: OTEL_CONFIG_FILE "+path)
			for _, w := range c.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if slog.Default().Handler() != before || otel.GetTracerProvider() != tpBefore {
				t.Error("Start changed the globals")
			}
			if err := shutdown(context.Background()); err != nil {
				t.Errorf("shutdown after a failed Start: %v", err)
			}
		})
	}
}

func TestConfigFileKeepsOtherLibrariesSettings(t *testing.T) {
	// Other libraries' names under go:, and other languages, are theirs.
	clearOTelEnv(t)
	writeConfig(t, "", `file_format: "1.0"
instrumentation/development:
  java:
    slogspan:
      x: 1
  js:
    anything: {}
  go:
    otelhttp:
      any: thing
    slog:
      level: debug
    slogspan:
      event_level: debug
`)
	shutdown, err := setup.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if err := shutdown(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestConfigFileMissing(t *testing.T) {
	clearOTelEnv(t)
	missing := filepath.Join(t.TempDir(), "nowhere.yaml")
	t.Setenv("OTEL_CONFIG_FILE", missing)
	_, err := setup.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), missing+": the file cannot be read") ||
		!errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "set OTEL_CONFIG_FILE to the path") {
		t.Errorf("err = %v", err)
	}
	if ce := (*setup.ConfigError)(nil); !errors.As(err, &ce) || ce.File != missing {
		t.Errorf("err %T, want a *setup.ConfigError for %s", err, missing)
	}
}

func TestConfigFileDisabled(t *testing.T) {
	for _, c := range []struct {
		name, disabled string
		env            map[string]string
	}{
		{"disabled: true", "true", nil},
		// The specification's way to keep OTEL_SDK_DISABLED working.
		{"from OTEL_SDK_DISABLED", "${OTEL_SDK_DISABLED:-false}", map[string]string{"OTEL_SDK_DISABLED": "true"}},
		// examples/config/otel.yaml keeps the variable working.
		{"the example file, with OTEL_SDK_DISABLED", "", map[string]string{"OTEL_SDK_DISABLED": "true"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			clearOTelEnv(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			rcv := newReceiver(t)
			if c.disabled == "" {
				t.Setenv("OTEL_CONFIG_FILE", filepath.Join("..", "examples", "config", "otel.yaml"))
			} else {
				writeConfig(t, rcv.URL, "file_format: \"1.0\"\ndisabled: "+c.disabled+`
tracer_provider:
  processors:
    - simple:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/traces
`)
			}
			before := slog.Default().Handler()
			tpBefore := otel.GetTracerProvider()
			shutdown, p, err := setup.StartProviders(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if slog.Default().Handler() != before || otel.GetTracerProvider() != tpBefore || p.TracerProvider != nil {
				t.Error("Start changed something with the SDK disabled")
			}
			_, span := otel.Tracer("config-test").Start(context.Background(), "work")
			span.End()
			if err := shutdown(context.Background()); err != nil {
				t.Error(err)
			}
			if spans, _ := rcv.received(); len(spans) != 0 {
				t.Errorf("received %v", spans)
			}
		})
	}
}

func TestConfigFileWinsOverSDKDisabledVariable(t *testing.T) {
	// With a file, OTEL_* variables do not apply unless the file refers
	// to them: disabled defaults to false.
	clearOTelEnv(t)
	t.Setenv("OTEL_SDK_DISABLED", "true")
	writeConfig(t, "", "file_format: \"1.0\"\n")
	shutdown, p, err := setup.StartProviders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := shutdown(context.Background()); err != nil {
			t.Error(err)
		}
	})
	if p.Handler == nil || slog.Default().Handler() != slog.Handler(p.Handler) {
		t.Error("the Handler was not installed")
	}
}

func TestConfigFileExportFailuresAreReported(t *testing.T) {
	clearOTelEnv(t)
	out := programOutput(t)
	rcv := newReceiver(t)
	rcv.status["/v1/traces"] = http.StatusInternalServerError
	rcv.status["/v1/logs"] = http.StatusNotFound // a traces-only backend
	writeConfig(t, rcv.URL, `file_format: "1.0"
tracer_provider:
  processors:
    - simple:
        exporter:
          otlp_http:
            endpoint: {{URL}}
logger_provider:
  processors:
    - batch:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/logs
`)
	shutdown, err := setup.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		logInSpan() // simple: one failed export per span
	}
	// otelconf builds the exporters, and setup cannot wrap them: it
	// reports the SDK's errors as they come, each distinct one once at
	// WARN, and shutdown returns them with their counts.
	err = shutdown(context.Background())
	if err == nil || !strings.Contains(err.Error(), "500 Internal Server Error") || !strings.Contains(err.Error(), "(3 times)") ||
		!strings.Contains(err.Error(), "404 Not Found") {
		t.Errorf("shutdown error = %v, want the traces' 500, 3 times, and the logs' 404", err)
	}
	if w := out.String(); strings.Count(w, "level=WARN") != 1 || !strings.Contains(w, "500 Internal Server Error") {
		t.Errorf("program output:\n%s", w)
	}
}

func TestConfigFileHandlerSettings(t *testing.T) {
	clearOTelEnv(t)
	rcv := newReceiver(t)
	writeConfig(t, rcv.URL, `file_format: "1.0"
tracer_provider:
  processors:
    - simple:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/traces
logger_provider:
  processors:
    - event_to_span_event_bridge/development:
    - simple:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/logs
instrumentation/development:
  go:
    slogspan:
      error_status_level: warn
      source: true
      divert_all: true
      bridge:
        all_records: true
        error_status_level: warn
`)
	shutdown, err := setup.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, span := otel.Tracer("config-test").Start(context.Background(), "work")
	slog.WarnContext(ctx, "disk almost full")
	span.End()
	ctx, span = otel.Tracer("config-test").Start(context.Background(), "library")
	otelslog.NewLogger("library").WarnContext(ctx, "cache cold")
	span.End()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans, logs := rcv.received()
	if lib := spanNamed(t, spans, "library"); lib.status != "STATUS_CODE_ERROR" || len(lib.events) != 1 {
		t.Errorf("library span = %+v, want its WARN line bridged and the status Error (bridge error_status_level: warn)", lib)
	}
	work := spanNamed(t, spans, "work")
	if work.status != "STATUS_CODE_ERROR" {
		t.Errorf("status = %s, want Error from a WARN line (error_status_level: warn)", work.status)
	}
	if len(work.events) != 1 || !strings.HasSuffix(work.events[0].attrs["code.file.path"], "config_test.go") {
		t.Errorf("events = %v, want the line with its source (source: true)", work.events)
	}
	if len(logs) != 2 || logs[0].body != "disk almost full" {
		t.Errorf("logs = %v, want the uncut line diverted too (divert_all: true), and the library's", logs)
	}
}

func TestConfigFileSpanLimitsMakeRoomForTheBudget(t *testing.T) {
	// The file's event_count_limit is raised to slogspan's budget plus
	// room for other instrumentation, as OTEL_SPAN_EVENT_COUNT_LIMIT is.
	clearOTelEnv(t)
	rcv := newReceiver(t)
	writeConfig(t, rcv.URL, `file_format: "1.0"
tracer_provider:
  processors:
    - simple:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/traces
  limits:
    event_count_limit: 5
instrumentation/development:
  go:
    slogspan:
      limits:
        max_span_events: 50
`)
	shutdown, err := setup.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, span := otel.Tracer("config-test").Start(context.Background(), "busy")
	for i := range 60 {
		slog.InfoContext(ctx, "line", "i", i)
	}
	span.End()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans, _ := rcv.received()
	if n := len(spanNamed(t, spans, "busy").events); n != 50 {
		t.Errorf("events = %d, want slogspan's budget of 50", n)
	}
}

func TestConfigFileResourceAttributesList(t *testing.T) {
	// otelconf v0.27.0 ignores attributes_list; setup reads it, below
	// attributes.
	clearOTelEnv(t)
	rcv := newReceiver(t)
	writeConfig(t, rcv.URL, `file_format: "1.0"
resource:
  attributes:
    - name: team
      value: payments
  attributes_list: team=ignored,region=eu%2Cwest, tier = gold
tracer_provider:
  processors:
    - simple:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/traces
`)
	shutdown, err := setup.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, span := otel.Tracer("config-test").Start(context.Background(), "work")
	span.End()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans, _ := rcv.received()
	res := spanNamed(t, spans, "work").resource
	if res["team"] != "payments" || res["region"] != "eu,west" || res["tier"] != "gold" {
		t.Errorf("resource = %v", res)
	}
}

func TestConfigFileServiceName(t *testing.T) {
	for _, c := range []struct {
		name, env, want string
	}{
		{"the program's", "", "from-the-program"},
		{"the environment's over the program's", "from-the-environment", "from-the-environment"},
	} {
		t.Run(c.name, func(t *testing.T) {
			clearOTelEnv(t)
			if c.env != "" {
				t.Setenv("OTEL_SERVICE_NAME", c.env)
			}
			rcv := newReceiver(t)
			writeConfig(t, rcv.URL, "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - simple:\n        exporter:\n          otlp_http:\n            endpoint: {{URL}}/v1/traces\n")
			shutdown, err := setup.Start(context.Background(), setup.WithServiceName("from-the-program"))
			if err != nil {
				t.Fatal(err)
			}
			_, span := otel.Tracer("config-test").Start(context.Background(), "work")
			span.End()
			if err := shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			spans, _ := rcv.received()
			if got := spanNamed(t, spans, "work").resource["service.name"]; got != c.want {
				t.Errorf("service.name = %q, want %q", got, c.want)
			}
		})
	}
}

func TestConfigFileSamplerWinsOverTheProgramsOptions(t *testing.T) {
	// WithTracerProviderOptions apply before the file's own: the file's
	// sampler wins over the program's.
	clearOTelEnv(t)
	rcv := newReceiver(t)
	writeConfig(t, rcv.URL, `file_format: "1.0"
tracer_provider:
  sampler:
    always_off:
  processors:
    - simple:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/traces
`)
	shutdown, err := setup.Start(context.Background(), setup.WithTracerProviderOptions(sdktrace.WithSampler(sdktrace.AlwaysSample())))
	if err != nil {
		t.Fatal(err)
	}
	_, span := otel.Tracer("config-test").Start(context.Background(), "work")
	span.End()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if spans, _ := rcv.received(); len(spans) != 0 {
		t.Errorf("received %d spans, want none: the file's sampler is always_off", len(spans))
	}
}

func TestConfigFileHandlerSettingsEachApplyAndWin(t *testing.T) {
	// Each of slogspan's limits in the file applies and wins over
	// WithHandlerOptions; what the file leaves out keeps the program's
	// value; event_level takes slog's level names with offsets; the
	// bridge's limits: {} applies slogspan's default limits to events.
	clearOTelEnv(t)
	programOutput(t) // INFO and above
	rcv := newReceiver(t)
	writeConfig(t, rcv.URL, `file_format: "1.0"
tracer_provider:
  processors:
    - simple:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/traces
logger_provider:
  processors:
    - event_to_span_event_bridge/development:
instrumentation/development:
  go:
    slogspan:
      event_level: info-4
      limits:
        max_event_attrs: 3
        max_event_bytes: 120
        max_span_bytes: 600
      bridge:
        limits: {}
`)
	shutdown, err := setup.Start(context.Background(), setup.WithHandlerOptions(slogspan.WithLimits(slogspan.Limits{
		MaxEventAttrs: 50, MaxEventBytes: 5000, MaxSpanBytes: 100000, MaxSpanEvents: 4})))
	if err != nil {
		t.Fatal(err)
	}
	ctx, span := otel.Tracer("config-test").Start(context.Background(), "limits")
	slog.DebugContext(ctx, "debug line")                                                       // event_level info-4 is DEBUG
	slog.InfoContext(ctx, "wide", "a", 1, "b", 2, "c", 3, "d", 4)                              // max_event_attrs
	slog.InfoContext(ctx, "big", "a", strings.Repeat("x", 100), "b", strings.Repeat("y", 100)) // max_event_bytes
	for range 10 {
		slog.InfoContext(ctx, "more") // the program's max_span_events: 4
	}
	span.End()
	ctx, span = otel.Tracer("config-test").Start(context.Background(), "bridged")
	var r log.Record
	r.SetEventName("payment.done")
	r.AddAttributes(attribute.String("receipt", strings.Repeat("r", 5000)))
	otel.GetLoggerProvider().Logger("payments").Emit(ctx, r)
	span.End()
	ctx, span = otel.Tracer("config-test").Start(context.Background(), "bytes")
	for range 20 {
		slog.InfoContext(ctx, "line", "v", strings.Repeat("v", 50)) // max_span_bytes 600
	}
	span.End()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans, _ := rcv.received()
	limits := spanNamed(t, spans, "limits")
	var names []string
	for _, e := range limits.events {
		names = append(names, e.name)
		if len(e.attrs) > 3 {
			t.Errorf("event %q has %d attributes, over the file's max_event_attrs 3: %v", e.name, len(e.attrs), e.attrs)
		}
		size := 0
		for k, v := range e.attrs {
			if k != slogspan.LevelKey && k != slogspan.UIDKey {
				size += len(k) + len(v)
			}
		}
		if size > 120 {
			t.Errorf("event %q has %d bytes, over the file's max_event_bytes 120", e.name, size)
		}
	}
	if want := []string{"debug line", "wide", "big", "more"}; !slices.Equal(names, want) {
		t.Errorf("events %q, want %q", names, want)
	}
	if got := spanNamed(t, spans, "bridged").events; len(got) != 1 || len(got[0].attrs["receipt"]) > slogspan.DefaultMaxValueBytes {
		t.Errorf("bridged events %v, want the receipt cut to slogspan's default limit", got)
	}
	bytes := spanNamed(t, spans, "bytes")
	total := 0
	for _, e := range bytes.events {
		total += len(e.name)
		for k, v := range e.attrs {
			total += len(k) + len(v)
		}
	}
	if total > 600 || len(bytes.events) == 0 || bytes.attrs[slogspan.DroppedEventsKey] == "" {
		t.Errorf("span with %d events, %d bytes, %s %q; want at most the file's max_span_bytes 600 and the rest dropped",
			len(bytes.events), total, slogspan.DroppedEventsKey, bytes.attrs[slogspan.DroppedEventsKey])
	}
}

func TestConfigFileSettingsWinOverTheSDKsVariables(t *testing.T) {
	// setup fills in what otelconf leaves to the SDK's variables, so that
	// the file wins: with the file silent, the schema's defaults apply,
	// whatever OTEL_BSP_*, OTEL_EXPORTER_OTLP_*, OTEL_SPAN_* and
	// OTEL_LOGRECORD_* say; with the file's values, those. Headers (and
	// certificates) still come from OTEL_EXPORTER_OTLP_* when the file
	// gives none: otelconf v0.27.0 does so.
	const silent = `file_format: "1.0"
tracer_provider:
  processors:
    - batch:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/traces
logger_provider:
  processors:
    - simple:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/logs
`
	const set = `file_format: "1.0"
tracer_provider:
  limits:
    attribute_value_length_limit: 10
  processors:
    - batch:
        max_export_batch_size: 5
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/traces
            compression: gzip
logger_provider:
  limits:
    attribute_value_length_limit: 10
  processors:
    - simple:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/logs
`
	for _, c := range []struct {
		name, yaml string
		batch      int    // the largest span export
		encoding   string // of the traces requests
		valueLen   int    // of a long span attribute and diverted value
	}{
		{"the file silent", silent, 32, "", 5000},
		{"the file's values", set, 5, "gzip", 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			clearOTelEnv(t)
			rcv := newReceiver(t)
			writeConfig(t, rcv.URL, c.yaml)
			for k, v := range map[string]string{
				"OTEL_BSP_MAX_EXPORT_BATCH_SIZE":              "1",
				"OTEL_EXPORTER_OTLP_COMPRESSION":              "gzip",
				"OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT":      "3",
				"OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT": "3",
				"OTEL_EXPORTER_OTLP_HEADERS":                  "x-team=shop",
			} {
				t.Setenv(k, v)
			}
			if c.yaml == set {
				t.Setenv("OTEL_EXPORTER_OTLP_COMPRESSION", "none")
			}
			shutdown, err := setup.Start(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			tracer := otel.Tracer("config-test")
			for range 40 {
				_, span := tracer.Start(context.Background(), "s", trace.WithAttributes(attribute.String("long", strings.Repeat("l", 5000))))
				span.End()
			}
			ctx, span := tracer.Start(context.Background(), "work")
			slog.InfoContext(ctx, "big", "body", strings.Repeat("x", 5000))
			span.End()
			if err := shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			spans, logs := rcv.received()
			rcv.mu.Lock()
			batch := slices.Max(append(slices.Clone(rcv.spansPerRequest), 0))
			encodings, teams := slices.Clone(rcv.encodings), slices.Clone(rcv.teams)
			rcv.mu.Unlock()
			if batch != c.batch {
				t.Errorf("largest span export %d, want %d", batch, c.batch)
			}
			if len(spans) != 41 || len(spans[0].attrs["long"]) != c.valueLen {
				t.Errorf("%d spans, a long attribute of %d bytes; want 41 and %d", len(spans), len(spans[0].attrs["long"]), c.valueLen)
			}
			if len(logs) != 1 || len(logs[0].attrs["body"]) != c.valueLen {
				t.Errorf("%d log records; want the diverted one, its body %d bytes", len(logs), c.valueLen)
			}
			if !slices.Contains(encodings, c.encoding) || (c.encoding == "" && slices.Contains(encodings, "gzip")) {
				t.Errorf("Content-Encodings %q, want %q for the traces", encodings, c.encoding)
			}
			for _, team := range teams {
				if team != "shop" {
					t.Errorf("X-Team headers %q, want OTEL_EXPORTER_OTLP_HEADERS' on every request", teams)
					break
				}
			}
		})
	}
}

func TestConfigFileLogLevelIsReadNotApplied(t *testing.T) {
	// otelconf v0.27.0 reads log_level, and a value it cannot read is a
	// mistake, but it changes nothing.
	clearOTelEnv(t)
	writeConfig(t, "", "file_format: \"1.0\"\nlog_level: debug\n")
	shutdown, err := setup.Start(context.Background())
	if err != nil {
		t.Fatalf("log_level: debug refused: %v", err)
	}
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	writeConfig(t, "", "file_format: \"1.0\"\nlog_level: [loud]\n")
	if shutdown, err := setup.Start(context.Background()); err == nil {
		_ = shutdown(context.Background())
		t.Error("log_level: [loud] accepted")
	}
}

func TestConfigFileExportersTakeCertificatesFromTheEnvironment(t *testing.T) {
	// otelconf v0.27.0 leaves an OTLP exporter's certificate to
	// OTEL_EXPORTER_OTLP_CERTIFICATE when the file gives none.
	clearOTelEnv(t)
	rcv := &receiver{status: map[string]int{}}
	rcv.Server = httptest.NewUnstartedServer(http.HandlerFunc(rcv.serve))
	rcv.StartTLS()
	t.Cleanup(rcv.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: rcv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OTEL_EXPORTER_OTLP_CERTIFICATE", ca)
	writeConfig(t, rcv.URL, "file_format: \"1.0\"\ntracer_provider:\n  processors:\n    - simple:\n        exporter:\n          otlp_http:\n            endpoint: {{URL}}/v1/traces\n")
	shutdown, err := setup.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	_, span := otel.Tracer("config-test").Start(context.Background(), "over tls")
	span.End()
	if err := shutdown(context.Background()); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if spans, _ := rcv.received(); len(spans) != 1 {
		t.Errorf("received %d spans over TLS, want 1", len(spans))
	}
}

func TestConfigFileLogRecordValuesAreBoundedAtMaxValueDepth(t *testing.T) {
	clearOTelEnv(t)
	rcv := newReceiver(t)
	writeConfig(t, rcv.URL, `file_format: "1.0"
logger_provider:
  processors:
    - batch:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/logs
`)
	shutdown, err := setup.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var r log.Record
	r.AddAttributes(attribute.KeyValue{Key: "doc", Value: deepValue()})
	otel.GetLoggerProvider().Logger("setup-test").Emit(context.Background(), r)
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, logs := rcv.received()
	if len(logs) != 1 || logs[0].depth != slogspan.MaxValueDepth {
		for _, l := range logs {
			t.Logf("record nested %d deep", l.depth)
		}
		t.Errorf("got %d records, want one nested slogspan.MaxValueDepth (%d) deep", len(logs), slogspan.MaxValueDepth)
	}
}

func TestConfigFileSpanEventsBridgeRecordsAreExportedBounded(t *testing.T) {
	clearOTelEnv(t)
	rcv := newReceiver(t)
	writeConfig(t, rcv.URL, `file_format: "1.0"
tracer_provider:
  processors:
    - simple:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/traces
logger_provider:
  processors:
    - event_to_span_event_bridge/development: {}
    - batch:
        exporter:
          otlp_http:
            endpoint: {{URL}}/v1/logs
`)
	shutdown, err := setup.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx, span := otel.Tracer("config-test").Start(context.Background(), "work")
	var r log.Record
	r.SetEventName("deep")
	r.AddAttributes(attribute.KeyValue{Key: "doc", Value: deepValue()})
	otel.GetLoggerProvider().Logger("setup-test").Emit(ctx, r)
	span.End()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans, logs := rcv.received()
	if len(logs) != 1 || logs[0].depth > slogspan.MaxValueDepth || !strings.Contains(logs[0].attrs["doc"], "leaf") {
		for _, l := range logs {
			t.Logf("record nested %d deep: %v", l.depth, l.attrs)
		}
		t.Errorf("got %d records, want one nested at most slogspan.MaxValueDepth (%d) deep, with the leaf as text",
			len(logs), slogspan.MaxValueDepth)
	}
	work := spanNamed(t, spans, "work")
	if len(work.events) != 1 || !strings.Contains(work.events[0].attrs["doc"], "leaf") {
		t.Errorf("events = %v, want the event with the leaf as text", work.events)
	}
}
