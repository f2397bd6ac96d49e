package setup_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/internal/memlog"
	"github.com/slogspan/slogspan/setup"
)

// These tests change process-wide state (slog's default, OpenTelemetry's
// globals, the environment), so none runs in parallel.

// clearOTelEnv unsets every OTEL_* variable for the test.
func clearOTelEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "OTEL_") {
			t.Setenv(k, "")
			if err := os.Unsetenv(k); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestMain(m *testing.M) {
	// slog's default handler writes through the log package; keep test
	// output readable.
	log.SetOutput(io.Discard)
	os.Exit(m.Run())
}

// memSpans keeps exported spans, also after Shutdown (tracetest's
// InMemoryExporter forgets them there).
type memSpans struct {
	mu    sync.Mutex
	spans tracetest.SpanStubs
}

func (e *memSpans) ExportSpans(_ context.Context, ss []sdktrace.ReadOnlySpan) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.spans = append(e.spans, tracetest.SpanStubsFromReadOnlySpans(ss)...)
	return nil
}
func (*memSpans) Shutdown(context.Context) error { return nil }

func (e *memSpans) GetSpans() tracetest.SpanStubs {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append(tracetest.SpanStubs(nil), e.spans...)
}

// startInMemory starts setup with opts and with spans and log records
// exported to memory, failing the test if Start fails.
func startInMemory(t *testing.T, opts ...setup.Option) (func(context.Context) error, *memSpans, *memlog.Exporter) {
	t.Helper()
	spans, logs := &memSpans{}, &memlog.Exporter{}
	opts = append([]setup.Option{setup.WithSpanExporter(spans), setup.WithLogExporter(logs)}, opts...)
	shutdown, err := setup.Start(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return shutdown, spans, logs
}

// logInSpan logs a small and an oversized record inside a new span.
func logInSpan() {
	ctx, span := otel.Tracer("setup-test").Start(context.Background(), "work")
	slog.InfoContext(ctx, "small", "k", 1)
	slog.InfoContext(ctx, "big", "body", strings.Repeat("x", 5000))
	span.End()
}

func TestShutdownFlushesEverything(t *testing.T) {
	clearOTelEnv(t)
	spans := &memSpans{}
	logs := &memlog.Exporter{}
	shutdown, err := setup.Start(context.Background(),
		setup.WithServiceName("flush-test"),
		setup.WithFallbackSpanExporter(spans),
		setup.WithFallbackLogExporter(logs),
	)
	if err != nil {
		t.Fatal(err)
	}
	logInSpan()
	// The batch processors hold the data until they fill or time out.
	if err := shutdown(context.Background()); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	got := spans.GetSpans()
	if len(got) != 1 || len(got[0].Events) != 2 {
		t.Fatalf("exported spans = %v", got)
	}
	if !hasAttr(got[0].Resource.Attributes(), "service.name", "flush-test") {
		t.Errorf("resource = %v", got[0].Resource)
	}
	recs := logs.Records()
	if len(recs) != 1 {
		t.Fatalf("diverted records = %d, want 1", len(recs))
	}
	uid := ""
	for _, kv := range got[0].Events[1].Attributes {
		if kv.Key == slogspan.UIDKey {
			uid = kv.Value.AsString()
		}
	}
	found := false
	recs[0].WalkAttributes(func(kv attribute.KeyValue) bool {
		found = found || (kv.Key == slogspan.UIDKey && kv.Value.AsString() == uid && uid != "")
		return true
	})
	if !found {
		t.Error("the diverted record does not carry the event's uid")
	}
	if err := shutdown(context.Background()); err != nil {
		t.Errorf("second shutdown: %v", err)
	}
}

func hasAttr(kvs []attribute.KeyValue, key, value string) bool {
	for _, kv := range kvs {
		if string(kv.Key) == key && kv.Value.AsString() == value {
			return true
		}
	}
	return false
}

func TestServiceNameFromEnvironmentWins(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		env  map[string]string
		opts []setup.Option
		want string
	}{
		{"the default", nil, nil, "unknown_service:" + filepath.Base(exe)},
		{"WithServiceName", nil, []setup.Option{setup.WithServiceName("from-code")}, "from-code"},
		{"OTEL_SERVICE_NAME over WithServiceName", map[string]string{"OTEL_SERVICE_NAME": "from-env"},
			[]setup.Option{setup.WithServiceName("from-code")}, "from-env"},
		{"OTEL_RESOURCE_ATTRIBUTES over WithServiceName", map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "service.name=from-attrs"},
			[]setup.Option{setup.WithServiceName("from-code")}, "from-attrs"},
		// WithResourceOptions apply after Start's own resource options.
		{"WithResourceOptions over OTEL_SERVICE_NAME", map[string]string{"OTEL_SERVICE_NAME": "from-env"},
			[]setup.Option{setup.WithResourceOptions(resource.WithAttributes(attribute.String("service.name", "from-option")))}, "from-option"},
	} {
		t.Run(c.name, func(t *testing.T) {
			clearOTelEnv(t)
			for k, v := range c.env {
				t.Setenv(k, v)
			}
			shutdown, spans, _ := startInMemory(t, c.opts...)
			logInSpan()
			_ = shutdown(context.Background())
			if got := spans.GetSpans(); len(got) != 1 || !hasAttr(got[0].Resource.Attributes(), "service.name", c.want) {
				t.Errorf("spans = %v, want service.name %q", got, c.want)
			}
		})
	}
}

func TestStartingTwiceDoesNotDoubleEvents(t *testing.T) {
	clearOTelEnv(t)
	for range 2 {
		shutdown, _, _ := startInMemory(t)
		t.Cleanup(func() { _ = shutdown(context.Background()) })
	}
	shutdown, spans, _ := startInMemory(t)
	logInSpan()
	_ = shutdown(context.Background())
	if got := spans.GetSpans(); len(got) != 1 || len(got[0].Events) != 2 {
		t.Errorf("after three Starts, spans = %v", got)
	}
}

// The console exporter writes to the os.Stdout of package initialisation,
// so the environment cases run in a child process whose stdout is read.
const childEnv = "SETUP_TEST_CHILD"

func TestExporterFollowsEnvironment(t *testing.T) {
	if os.Getenv(childEnv) != "" {
		exporterChild(t)
		return
	}
	for _, c := range []struct {
		name       string
		env        []string
		wantStdout bool // the SDK's stdout exporter printed the span, in JSON
		wantMem    bool // the fallback exporters got the span and the diverted record
		wantLogOut bool // the SDK's stdout log exporter printed the diverted record, in JSON
		wantTree   bool // slogspan's console printed the span tree
		wantLogs   bool // slogspan's console printed the diverted record's line
	}{
		{"unset uses the fallback", nil, false, true, false, false, false},
		{"empty uses the fallback", []string{"OTEL_TRACES_EXPORTER=", "OTEL_LOGS_EXPORTER="}, false, true, false, false, false},
		{"console is the tree", []string{"OTEL_TRACES_EXPORTER=console", "OTEL_LOGS_EXPORTER=none"}, false, false, false, true, false},
		{"logs to the console", []string{"OTEL_TRACES_EXPORTER=none", "OTEL_LOGS_EXPORTER=console"}, false, false, false, false, true},
		{"console/json is the SDK's", []string{"OTEL_TRACES_EXPORTER=console/json", "OTEL_LOGS_EXPORTER=none"}, true, false, false, false, false},
		{"logs to the console in JSON", []string{"OTEL_TRACES_EXPORTER=none", "OTEL_LOGS_EXPORTER=console/json"}, false, false, true, false, false},
		{"none", []string{"OTEL_TRACES_EXPORTER=none", "OTEL_LOGS_EXPORTER=none"}, false, false, false, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestExporterFollowsEnvironment$", "-test.count=1")
			cmd.Env = append(append(withoutOTel(os.Environ()), childEnv+"=1"), c.env...)
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			if got := strings.Contains(string(out), `"Name":"work"`); got != c.wantStdout {
				t.Errorf("stdout has the span: %v, want %v\n%s", got, c.wantStdout, out)
			}
			if got := strings.Contains(string(out), "fallback spans: 1\n"); got != c.wantMem {
				t.Errorf("fallback got the span: %v, want %v\n%s", got, c.wantMem, out)
			}
			if got := strings.Contains(string(out), `"`+strings.Repeat("x", 5000)+`"`); got != c.wantLogOut { // a JSON string
				t.Errorf("stdout has the diverted record: %v, want %v\n%.3000s", got, c.wantLogOut, out)
			}
			if got := strings.Contains(string(out), "\nwork ") && strings.Contains(string(out), "INFO  small k=1"); got != c.wantTree {
				t.Errorf("stdout has the span tree: %v, want %v\n%.3000s", got, c.wantTree, out)
			}
			if got := strings.Contains("\n"+string(out), "\nlog ") && strings.Contains(string(out), "INFO big"); got != c.wantLogs {
				t.Errorf("stdout has the console's log line: %v, want %v\n%.3000s", got, c.wantLogs, out)
			}
			if got := strings.Contains(string(out), "fallback log records: 1\n"); got != c.wantMem {
				t.Errorf("fallback got the diverted record: %v, want %v\n%s", got, c.wantMem, out)
			}
		})
	}
}

func exporterChild(t *testing.T) {
	mem, memLogs := &memSpans{}, &memlog.Exporter{}
	shutdown, err := setup.Start(context.Background(),
		setup.WithFallbackSpanExporter(mem), setup.WithFallbackLogExporter(memLogs))
	if err != nil {
		t.Fatal("start:", err)
	}
	logInSpan()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal("shutdown:", err)
	}
	fmt.Printf("fallback spans: %d\n", len(mem.GetSpans()))
	fmt.Printf("fallback log records: %d\n", len(memLogs.Records()))
}

func withoutOTel(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "OTEL_") {
			out = append(out, kv)
		}
	}
	return out
}

func TestUnreachableOTLPIsReportedWithinDeadline(t *testing.T) {
	clearOTelEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil { // nothing listens here now
		t.Fatal(err)
	}
	t.Setenv("OTEL_TRACES_EXPORTER", "otlp")
	t.Setenv("OTEL_LOGS_EXPORTER", "otlp")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"+addr)

	shutdown, err := setup.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	logInSpan()
	const deadline = 2 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	err = shutdown(ctx)
	elapsed := time.Since(start)
	if err == nil {
		t.Fatal("shutdown swallowed the export failure")
	}
	if strings.Contains(err.Error(), "set OTEL_EXPORTER_OTLP_ENDPOINT") {
		t.Errorf("shutdown error asks to set the variable that is set: %v", err)
	}
	// The README's "My trace is not in Jaeger" names this error by its text.
	// The hint names the variable that is set, and does not ask to set it.
	for _, want := range []string{"traces export to http://" + addr + "/v1/traces failed", "connection refused", "Nothing listens there",
		`or correct OTEL_EXPORTER_OTLP_ENDPOINT="http://` + addr + `"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("shutdown error lacks %q: %v", want, err)
		}
	}
	// A correctness bound, not a speed measurement: the deadline must hold.
	if elapsed > deadline+time.Second {
		t.Errorf("shutdown took %v with a %v deadline", elapsed, deadline)
	}
	t.Logf("shutdown after %v: %v", elapsed, err)
}

func TestSDKDisabled(t *testing.T) {
	clearOTelEnv(t)
	t.Setenv("OTEL_SDK_DISABLED", "true")
	before := slog.Default().Handler()
	tpBefore := otel.GetTracerProvider()
	shutdown, err := setup.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if slog.Default().Handler() != before || otel.GetTracerProvider() != tpBefore {
		t.Error("Start changed globals with OTEL_SDK_DISABLED=true")
	}
	slog.Info("still logging")
	if err := shutdown(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestExplicitExportersWinOverTheEnvironment(t *testing.T) {
	clearOTelEnv(t)
	t.Setenv("OTEL_TRACES_EXPORTER", "none")
	t.Setenv("OTEL_LOGS_EXPORTER", "none")
	shutdown, spans, logs := startInMemory(t)
	logInSpan()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(spans.GetSpans()) != 1 || len(logs.Records()) != 1 {
		t.Errorf("%d spans and %d log records, want WithSpanExporter's and WithLogExporter's 1 and 1", len(spans.GetSpans()), len(logs.Records()))
	}
}

func TestSamplerAndPropagatorsFromTheEnvironment(t *testing.T) {
	clearOTelEnv(t)
	t.Setenv("OTEL_TRACES_SAMPLER", "always_off")
	t.Setenv("OTEL_PROPAGATORS", "b3")
	shutdown, spans, _ := startInMemory(t)
	fields := otel.GetTextMapPropagator().Fields()
	logInSpan()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(spans.GetSpans()); n != 0 {
		t.Errorf("%d spans exported with OTEL_TRACES_SAMPLER=always_off", n)
	}
	if !slices.Contains(fields, "b3") || slices.Contains(fields, "traceparent") {
		t.Errorf("propagator fields %q, want OTEL_PROPAGATORS' b3 alone", fields)
	}
}

// signalEnv is the child's mode in TestStartInstallsNoSignalHandler.
const signalEnv = "SETUP_TEST_SIGNAL"

func TestStartInstallsNoSignalHandler(t *testing.T) {
	// After Start, SIGTERM still does what it does by default: it ends
	// the process, and deferred calls, shutdown among them, never run.
	if os.Getenv(signalEnv) != "" {
		signalChild(t)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestStartInstallsNoSignalHandler$", "-test.count=1", "-test.v")
	cmd.Env = append(withoutOTel(os.Environ()), signalEnv+"=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("the child ended with %v, want killed by SIGTERM\n%s", err, out)
	}
	ws, ok := exit.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
		t.Errorf("the child ended with %v, want killed by SIGTERM\n%s", exit, out)
	}
	if !strings.Contains(string(out), "started") || strings.Contains(string(out), "deferred shutdown ran") {
		t.Errorf("child output, want it started and no deferred call run:\n%s", out)
	}
}

func signalChild(t *testing.T) {
	shutdown, err := setup.Start(context.Background(),
		setup.WithSpanExporter(&memSpans{}), setup.WithLogExporter(&memlog.Exporter{}))
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = shutdown(context.Background())
		fmt.Println("deferred shutdown ran")
	}()
	fmt.Println("started")
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Second) // the signal ends the process before this does
}
