package setup_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/internal/memlog"
	"github.com/slogspan/slogspan/setup"
	"github.com/slogspan/slogspan/spanevents"
)

// eventsOnOneSpan logs n records on one span and returns the events the
// exported span carries.
func eventsOnOneSpan(t *testing.T, n int, opts ...setup.Option) int {
	t.Helper()
	shutdown, spans, _ := startInMemory(t, opts...)
	ctx, span := otel.Tracer("limits").Start(context.Background(), "many")
	for i := range n {
		slog.InfoContext(ctx, "line", "i", i)
	}
	span.End()
	return len(onlyExportedSpan(t, shutdown, spans).Events)
}

// onlyExportedSpan shuts setup down and returns the one span exported,
// failing the test if the SDK evicted any of its events.
func onlyExportedSpan(t *testing.T, shutdown func(context.Context) error, spans *memSpans) tracetest.SpanStub {
	t.Helper()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := spans.GetSpans()
	if len(got) != 1 {
		t.Fatalf("spans = %d", len(got))
	}
	if got[0].DroppedEvents != 0 {
		t.Errorf("the SDK evicted %d events the handler had kept", got[0].DroppedEvents)
	}
	return got[0]
}

func TestSpanLimitsMakeRoomForTheHandlersBudget(t *testing.T) {
	t.Run("MaxSpanEvents above the SDK default of 128", func(t *testing.T) {
		clearOTelEnv(t)
		got := eventsOnOneSpan(t, 300, setup.WithHandlerOptions(slogspan.WithLimits(slogspan.Limits{MaxSpanEvents: 300})))
		if got != 300 {
			t.Errorf("events = %d, want 300", got)
		}
	})
	t.Run("OTEL_SPAN_EVENT_COUNT_LIMIT below the handler's default", func(t *testing.T) {
		clearOTelEnv(t)
		t.Setenv("OTEL_SPAN_EVENT_COUNT_LIMIT", "50")
		if got := eventsOnOneSpan(t, 100); got != slogspan.DefaultMaxSpanEvents {
			t.Errorf("events = %d, want %d", got, slogspan.DefaultMaxSpanEvents)
		}
	})
	t.Run("an sdktrace.WithRawSpanLimits in WithTracerProviderOptions replaces them", func(t *testing.T) {
		clearOTelEnv(t)
		sl := sdktrace.NewSpanLimits()
		sl.EventCountLimit = 10
		shutdown, spans, _ := startInMemory(t, setup.WithTracerProviderOptions(sdktrace.WithRawSpanLimits(sl)))
		ctx, span := otel.Tracer("limits").Start(context.Background(), "many")
		for i := range 100 {
			slog.InfoContext(ctx, "line", "i", i)
		}
		span.End()
		if err := shutdown(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := spans.GetSpans(); len(got) != 1 || len(got[0].Events) != 10 || got[0].DroppedEvents != 90 {
			t.Errorf("spans %v, want one keeping the program's 10 events", got)
		}
	})
	t.Run("OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT below MaxEventAttrs", func(t *testing.T) {
		clearOTelEnv(t)
		t.Setenv("OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "2")
		shutdown, spans, _ := startInMemory(t)
		ctx, span := otel.Tracer("limits").Start(context.Background(), "wide")
		args := []any{}
		for i := range 20 {
			args = append(args, fmt.Sprint("k", i), i)
		}
		slog.InfoContext(ctx, "wide", args...)
		span.End()
		ev := onlyExportedSpan(t, shutdown, spans).Events
		if len(ev) != 1 || len(ev[0].Attributes) != 21 || ev[0].DroppedAttributeCount != 0 {
			t.Errorf("events %v, want level and the 20 attributes, none dropped by the SDK", ev)
		}
	})
	t.Run("WithSpanEventsBridge's budget above the SDK default of 128", func(t *testing.T) {
		clearOTelEnv(t)
		shutdown, spans, _ := startInMemory(t, setup.WithSpanEventsBridge(spanevents.WithAllRecords(true),
			spanevents.WithLimits(slogspan.Limits{MaxSpanEvents: 300})))
		other := otelslog.NewLogger("other-logger")
		ctx, span := otel.Tracer("limits").Start(context.Background(), "many")
		for i := range 300 {
			other.InfoContext(ctx, "line", "i", i)
		}
		span.End()
		if got := len(onlyExportedSpan(t, shutdown, spans).Events); got != 300 {
			t.Errorf("events = %d, want the bridge's budget of 300", got)
		}
	})
}

func TestSpanLimitsMakeRoomForOtherInstrumentation(t *testing.T) {
	// Other instrumentation adds events too (exceptions, for one): the SDK
	// must keep them beside slogspan's full budget, not evict the oldest.
	clearOTelEnv(t)
	t.Setenv("OTEL_SPAN_EVENT_COUNT_LIMIT", "5")
	const budget = 10
	shutdown, spans, _ := startInMemory(t, setup.WithHandlerOptions(slogspan.WithLimits(slogspan.Limits{MaxSpanEvents: budget})))
	ctx, span := otel.Tracer("limits").Start(context.Background(), "busy")
	for i := range 50 {
		slog.InfoContext(ctx, "line", "i", i)
		if i < setup.OtherEventsRoom {
			span.RecordError(errors.New("retry"))
		}
	}
	span.End()
	s := onlyExportedSpan(t, shutdown, spans)
	lines, exceptions := 0, 0
	for _, e := range s.Events {
		if e.Name == "line" {
			lines++
		} else {
			exceptions++
		}
	}
	if lines != budget || exceptions != setup.OtherEventsRoom {
		t.Errorf("%d log events and %d exceptions, want %d and %d", lines, exceptions, budget, setup.OtherEventsRoom)
	}
}

func TestProviderAndResourceOptionsApply(t *testing.T) {
	clearOTelEnv(t)
	extra := &memlog.Exporter{}
	shutdown, spans, _ := startInMemory(t,
		setup.WithResourceOptions(resource.WithAttributes(attribute.String("deployment.environment.name", "test"))),
		setup.WithTracerProviderOptions(sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.NeverSample()))),
		setup.WithLoggerProviderOptions(sdklog.WithProcessor(sdklog.NewSimpleProcessor(extra))),
	)
	logInSpan() // not sampled: no span, no event, no diversion
	lp := otelLoggerRecord()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(spans.GetSpans()); n != 0 {
		t.Errorf("the sampler was not used: %d spans exported", n)
	}
	recs := extra.Records()
	if len(recs) != 1 || recs[0].Body().AsString() != lp {
		t.Fatalf("the extra processor got %d records", len(recs))
	}
	res := recs[0].Resource()
	if !hasAttr(res.Attributes(), "deployment.environment.name", "test") {
		t.Errorf("resource option not applied: %v", res)
	}
}

// otelLoggerRecord emits a record through the global LoggerProvider that
// Start registered, and returns its body.
func otelLoggerRecord() string {
	const body = "straight to the Logs API"
	var r log.Record
	r.SetBody(attribute.StringValue(body))
	otel.GetLoggerProvider().Logger("setup-test").Emit(context.Background(), r)
	return body
}

func TestReplaceAttrReachesSpansAndLogs(t *testing.T) {
	clearOTelEnv(t)
	shutdown, spans, logs := startInMemory(t,
		setup.WithHandlerOptions(slogspan.WithReplaceAttr(func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == "password" {
				return slog.String(a.Key, "REDACTED")
			}
			return a
		})))
	ctx, span := otel.Tracer("redact").Start(context.Background(), "login")
	slog.InfoContext(ctx, "login", "password", "hunter2", "body", strings.Repeat("x", 5000))
	span.End()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := spans.GetSpans()
	if len(got) != 1 || len(got[0].Events) != 1 || !hasAttr(got[0].Events[0].Attributes, "password", "REDACTED") {
		t.Errorf("span events = %v, want the password redacted", got)
	}
	recs := logs.Records()
	if len(recs) != 1 {
		t.Fatalf("diverted records = %d, want 1", len(recs))
	}
	recs[0].WalkAttributes(func(kv attribute.KeyValue) bool {
		if kv.Key == "password" && kv.Value.AsString() != "REDACTED" {
			t.Errorf("diverted record password = %q", kv.Value.AsString())
		}
		return true
	})
}

func TestSpanEventsBridgePutsOtherLoggersOnSpans(t *testing.T) {
	clearOTelEnv(t)
	shutdown, spans, logs := startInMemory(t, setup.WithSpanEventsBridge(spanevents.WithAllRecords(true)))
	// A logger that feeds the Logs API directly, as zap's or logr's
	// bridges do, and slog through slogspan, side by side.
	other := otelslog.NewLogger("other-logger")
	ctx, span := otel.Tracer("bridge").Start(context.Background(), "work")
	other.InfoContext(ctx, "from the Logs API", "k", 1)
	slog.InfoContext(ctx, "from slog", "body", strings.Repeat("x", 5000))
	span.End()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := spans.GetSpans()
	if len(got) != 1 {
		t.Fatalf("spans = %d", len(got))
	}
	var names []string
	for _, ev := range got[0].Events {
		names = append(names, ev.Name)
	}
	if !slices.Equal(names, []string{"from the Logs API", "from slog"}) {
		t.Errorf("events = %q, want one for each line, the diverted slog record not twice", names)
	}
	if n := len(logs.Records()); n != 2 {
		t.Errorf("exported log records = %d, want 2", n)
	}
}

// batchSizes is a span and log exporter that records the size of each
// export.
type batchSizes struct {
	mu          sync.Mutex
	spans, logs []int
}

func (b *batchSizes) ExportSpans(_ context.Context, ss []sdktrace.ReadOnlySpan) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.spans = append(b.spans, len(ss))
	return nil
}

func (b *batchSizes) Export(_ context.Context, rs []sdklog.Record) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.logs = append(b.logs, len(rs))
	return nil
}

func (*batchSizes) Shutdown(context.Context) error   { return nil }
func (*batchSizes) ForceFlush(context.Context) error { return nil }

// largest returns the largest export of spans and of log records.
func (b *batchSizes) largest() (spans, logs int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Max(append(b.spans, 0)), slices.Max(append(b.logs, 0))
}

func TestExportBatchSizes(t *testing.T) {
	// 32 spans a request unless OTEL_BSP_MAX_EXPORT_BATCH_SIZE says otherwise.
	for _, c := range []struct {
		name                string
		env                 map[string]string
		wantSpans, wantLogs int
	}{
		{"defaults", nil, 32, 40}, // 32: README, setup.DefaultSpanExportBatchSize
		{"the environment", map[string]string{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "50", "OTEL_BLRP_MAX_EXPORT_BATCH_SIZE": "3"}, 50, 3},
	} {
		t.Run(c.name, func(t *testing.T) {
			clearOTelEnv(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			exp := &batchSizes{}
			shutdown, err := setup.Start(context.Background(), setup.WithSpanExporter(exp), setup.WithLogExporter(exp))
			if err != nil {
				t.Fatal(err)
			}
			for range 40 {
				logInSpan() // one span, one diverted record
			}
			tracer := otel.Tracer("batches")
			for range 60 {
				_, span := tracer.Start(context.Background(), "s")
				span.End()
			}
			if err := shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			spans, logs := exp.largest()
			if spans != c.wantSpans || logs != c.wantLogs {
				t.Errorf("largest exports: %d spans and %d log records, want %d and %d", spans, logs, c.wantSpans, c.wantLogs)
			}
		})
	}
}

func TestHandlerOptionsApplyAfterStartsOwn(t *testing.T) {
	// WithHandlerOptions come after Start's WithLoggerProvider: a payload
	// handler given there takes the diverted records.
	clearOTelEnv(t)
	var payload syncBuffer
	shutdown, _, logs := startInMemory(t, setup.WithHandlerOptions(slogspan.WithPayloadHandler(slog.NewJSONHandler(&payload, nil))))
	logInSpan()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(logs.Records()); n != 0 || !strings.Contains(payload.String(), strings.Repeat("x", 5000)) {
		t.Errorf("%d records reached the LoggerProvider, payload handler got %q; want the record there alone", n, payload.String())
	}
}

// deepValue returns a map value nested 40 maps deep, deeper than
// MaxValueDepth and than the Collector accepts.
func deepValue() attribute.Value {
	v := attribute.StringValue("leaf")
	for range 40 {
		v = attribute.MapValue(attribute.KeyValue{Key: "m", Value: v})
	}
	return v
}

// logDepth returns how many maps and slices nest in v.
func logDepth(v attribute.Value) int {
	d := 0
	switch v.Type() {
	case attribute.MAP:
		for _, kv := range v.AsMap() {
			d = max(d, logDepth(kv.Value))
		}
	case attribute.SLICE:
		for _, e := range v.AsSlice() {
			d = max(d, logDepth(e))
		}
	default:
		return 0
	}
	return d + 1
}

// exportedDepth starts setup with opts, emits a record through the Logs
// API with deepValue, and returns how deep it was exported.
func exportedDepth(t *testing.T, opts ...setup.Option) int {
	t.Helper()
	clearOTelEnv(t)
	shutdown, _, logs := startInMemory(t, opts...)
	var r log.Record
	r.AddAttributes(attribute.KeyValue{Key: "doc", Value: deepValue()})
	otel.GetLoggerProvider().Logger("setup-test").Emit(context.Background(), r)
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	recs := logs.Records()
	if len(recs) != 1 {
		t.Fatalf("records = %d, want 1", len(recs))
	}
	d := 0
	recs[0].WalkAttributes(func(kv attribute.KeyValue) bool {
		d = logDepth(kv.Value)
		return true
	})
	return d
}

func TestLogRecordValuesAreBoundedAtMaxValueDepth(t *testing.T) {
	if d := exportedDepth(t); d != slogspan.MaxValueDepth {
		t.Errorf("exported %d deep, want slogspan.MaxValueDepth (%d)", d, slogspan.MaxValueDepth)
	}
}

func TestLoggerProviderOptionsSetTheirOwnDepthLimit(t *testing.T) {
	if d := exportedDepth(t, setup.WithLoggerProviderOptions(sdklog.WithAttributeValueDepthLimit(30))); d != 30 {
		t.Errorf("exported %d deep, want the program's 30", d)
	}
}

func TestSpanEventsBridgeKeepsDeepValuesAsText(t *testing.T) {
	// The SDK's depth limit would empty what lies past MaxValueDepth before
	// the bridge sees it; with the bridge, the event keeps it as text.
	clearOTelEnv(t)
	shutdown, spans, _ := startInMemory(t, setup.WithSpanEventsBridge())
	ctx, span := otel.Tracer("bridge").Start(context.Background(), "deep")
	var r log.Record
	r.SetEventName("deep")
	r.AddAttributes(attribute.KeyValue{Key: "doc", Value: deepValue()})
	otel.GetLoggerProvider().Logger("setup-test").Emit(ctx, r)
	span.End()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := spans.GetSpans()
	if len(got) != 1 || len(got[0].Events) != 1 {
		t.Fatalf("spans = %v, want one with the event", got)
	}
	for _, kv := range got[0].Events[0].Attributes {
		if kv.Key == "doc" && (logDepth(kv.Value) > slogspan.MaxValueDepth || !strings.Contains(kv.Value.String(), "leaf")) {
			t.Errorf("doc nests %d deep, leaf kept %v; want at most %d, the rest as text",
				logDepth(kv.Value), strings.Contains(kv.Value.String(), "leaf"), slogspan.MaxValueDepth)
		}
	}
}

// deepSlice returns a slice value nested 60 slices deep.
func deepSlice() attribute.Value {
	v := attribute.StringValue("leaf")
	for range 60 {
		v = attribute.SliceValue(v)
	}
	return v
}

// boundedWithLeaf reports whether v nests at most MaxValueDepth maps and
// slices, with "leaf" kept as a value or in a value's text.
func boundedWithLeaf(v attribute.Value) bool {
	return logDepth(v) <= slogspan.MaxValueDepth && strings.Contains(v.String(), "leaf")
}

func TestSpanEventsBridgeRecordsAreExportedBounded(t *testing.T) {
	// The bridge sees the full values; the exported record is bounded at
	// MaxValueDepth all the same, the rest kept as text.
	clearOTelEnv(t)
	shutdown, spans, logs := startInMemory(t, setup.WithSpanEventsBridge())
	ctx, span := otel.Tracer("bridge").Start(context.Background(), "deep")
	var r log.Record
	r.SetEventName("deep")
	r.SetBody(deepSlice())
	r.AddAttributes(attribute.KeyValue{Key: "doc", Value: deepValue()}, attribute.KeyValue{Key: "list", Value: deepSlice()},
		attribute.Int("n", 1))
	otel.GetLoggerProvider().Logger("setup-test").Emit(ctx, r)
	span.End()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	recs := logs.Records()
	if len(recs) != 1 {
		t.Fatalf("records = %d, want 1", len(recs))
	}
	if body := recs[0].Body(); !boundedWithLeaf(body) {
		t.Errorf("body nests %d deep, want at most %d with the leaf as text", logDepth(body), slogspan.MaxValueDepth)
	}
	got := map[string]bool{}
	recs[0].WalkAttributes(func(kv attribute.KeyValue) bool {
		got[string(kv.Key)] = true
		if kv.Key != "n" && !boundedWithLeaf(kv.Value) {
			t.Errorf("exported %s nests %d deep, want at most %d with the leaf as text", kv.Key, logDepth(kv.Value), slogspan.MaxValueDepth)
		}
		return true
	})
	if !got["doc"] || !got["list"] || !got["n"] {
		t.Errorf("exported attributes %v, want doc, list and n", got)
	}
	ev := spans.GetSpans()
	if len(ev) != 1 || len(ev[0].Events) != 1 {
		t.Fatalf("spans = %v, want one with the event", ev)
	}
	for _, kv := range ev[0].Events[0].Attributes {
		if (kv.Key == "doc" || kv.Key == "list") && !boundedWithLeaf(kv.Value) {
			t.Errorf("event's %s nests %d deep, want at most %d with the leaf as text", kv.Key, logDepth(kv.Value), slogspan.MaxValueDepth)
		}
	}
}
