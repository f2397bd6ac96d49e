package setup_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"

	"github.com/slogspan/slogspan/internal/memlog"
	"github.com/slogspan/slogspan/setup"
)

// refusingSpans is a span exporter whose every export fails.
type refusingSpans struct{}

var errRefused = errors.New("receiver refused the batch")

func (refusingSpans) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return errRefused }
func (refusingSpans) Shutdown(context.Context) error                             { return nil }

// syncBuffer is a bytes.Buffer safe for the exporter goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// programOutput makes slog's default handler, which Start wraps, a text
// handler writing to the returned buffer: the program's own log output.
func programOutput(t *testing.T) *syncBuffer {
	out := &syncBuffer{}
	slog.SetDefault(slog.New(slog.NewTextHandler(out, nil)))
	// Not the handler before: Start wrapped that one, and wrapping it
	// again would put each line on the span twice.
	t.Cleanup(func() { slog.SetDefault(slog.New(slog.NewTextHandler(io.Discard, nil))) })
	return out
}

func TestSpanExportFailuresAreReturnedAndWarnedOnce(t *testing.T) {
	clearOTelEnv(t)
	out := programOutput(t)
	logs := &memlog.Exporter{}
	shutdown, p, err := setup.StartProviders(context.Background(),
		setup.WithSpanExporter(refusingSpans{}),
		setup.WithLogExporter(logs),
	)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		logInSpan()
		_ = p.TracerProvider.ForceFlush(context.Background())
	}
	err = shutdown(context.Background())
	if !errors.Is(err, errRefused) {
		t.Fatalf("shutdown returned %v, want the span exporter's failure", err)
	}
	var ee *setup.ExportError
	if !errors.As(err, &ee) || ee.Signal != "traces" || ee.Failures != 3 || ee.Items != 3 {
		t.Errorf("export error = %+v, want traces, 3 failures of 3 spans", ee)
	}
	if !strings.Contains(err.Error(), "traces export failed (3 spans lost in 3 exports)") {
		t.Errorf("shutdown error does not say what was lost: %v", err)
	}
	if len(logs.Records()) != 3 {
		t.Errorf("log records = %d, want the 3 diverted ones", len(logs.Records()))
	}
	var warns, infos []string
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, "refused the batch") {
			if strings.Contains(line, "level=WARN") {
				warns = append(warns, line)
			} else {
				infos = append(infos, line)
			}
		}
	}
	if len(warns) != 1 || len(infos) != 0 {
		t.Errorf("want one WARN line for three failures of one kind, got WARN %q, others %q", warns, infos)
	}
}

// otlpServer is an OTLP/HTTP receiver stand-in answering each path with a
// status; it counts the requests per path.
func otlpServer(t *testing.T, status map[string]int) (*httptest.Server, func(path string) int) {
	var mu sync.Mutex
	hits := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		hits[r.URL.Path]++
		mu.Unlock()
		code, ok := status[r.URL.Path]
		if !ok {
			code = http.StatusNotFound
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
		w.WriteHeader(code)
	}))
	t.Cleanup(srv.Close)
	return srv, func(path string) int {
		mu.Lock()
		defer mu.Unlock()
		return hits[path]
	}
}

func TestOTLPFailuresNameSignalEndpointAndFix(t *testing.T) {
	for _, c := range []struct {
		name         string
		status       map[string]int
		https        bool
		wantInErr    []string
		notInErr     string
		wantLogsSent bool
	}{{
		name:         "traces refused with 500, logs accepted",
		status:       map[string]int{"/v1/traces": 500, "/v1/logs": 200},
		wantInErr:    []string{"setup: traces export to http://", "/v1/traces failed", "500 Internal Server Error"},
		notInErr:     "logs export",
		wantLogsSent: true,
	}, {
		name:   "a trace-only backend: 404 on logs",
		status: map[string]int{"/v1/traces": 200},
		wantInErr: []string{"setup: logs export to http://", "/v1/logs failed", "404 Not Found",
			"does not accept logs", "OTEL_LOGS_EXPORTER=console", "OTEL_LOGS_EXPORTER=none", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"},
		notInErr:     "traces export",
		wantLogsSent: true,
	}, {
		name:      "https spoken to a plain HTTP receiver",
		status:    map[string]int{"/v1/traces": 200, "/v1/logs": 200},
		https:     true,
		wantInErr: []string{"setup: traces export to https://", "speaks plain HTTP", "http://"},
	}} {
		t.Run(c.name, func(t *testing.T) {
			clearOTelEnv(t)
			programOutput(t)
			srv, hits := otlpServer(t, c.status)
			endpoint := srv.URL
			if c.https {
				endpoint = strings.Replace(endpoint, "http://", "https://", 1)
			}
			// The test is about this variable; nothing else is set.
			t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
			shutdown, err := setup.Start(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			logInSpan()
			err = shutdown(context.Background())
			if err == nil {
				t.Fatal("shutdown returned nil")
			}
			for _, w := range c.wantInErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("shutdown error lacks %q: %v", w, err)
				}
			}
			if c.notInErr != "" && strings.Contains(err.Error(), c.notInErr) {
				t.Errorf("shutdown error has %q: %v", c.notInErr, err)
			}
			if c.wantLogsSent && hits("/v1/logs") == 0 {
				t.Error("the diverted record was never sent")
			}
		})
	}
}

// tracesOnly is an OTLP/gRPC trace service; a server with it alone
// answers Unimplemented to logs.
type tracesOnly struct {
	coltrace.UnimplementedTraceServiceServer
}

func (tracesOnly) Export(context.Context, *coltrace.ExportTraceServiceRequest) (*coltrace.ExportTraceServiceResponse, error) {
	return &coltrace.ExportTraceServiceResponse{}, nil
}

func TestOTLPGRPCFailuresNameTheFix(t *testing.T) {
	clearOTelEnv(t)
	programOutput(t)
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	coltrace.RegisterTraceServiceServer(srv, tracesOnly{})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://"+lis.Addr().String())
	shutdown, err := setup.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	logInSpan()
	bySignal, others := exportErrors(shutdown(context.Background()))
	if len(others) != 0 || len(bySignal["traces"]) != 0 {
		t.Errorf("errors besides the logs': %v %v", bySignal["traces"], others)
	}
	if logs := bySignal["logs"]; len(logs) != 1 || !strings.Contains(logs[0].Hint, "does not accept logs") {
		t.Errorf("logs errors = %v, want one saying the backend does not accept logs", logs)
	}
}

func TestSignalEndpointIsUsedAsGiven(t *testing.T) {
	// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is the URL, path included: with
	// a path the spans go there; without one, to the root, which a
	// receiver answers 404.
	for _, c := range []struct {
		name, path string
		wantErr    bool
	}{
		{"with a path", "/custom/traces", false},
		{"without its path", "", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			clearOTelEnv(t)
			programOutput(t)
			srv, hits := otlpServer(t, map[string]int{"/custom/traces": 200, "/v1/logs": 200})
			t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
			t.Setenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", srv.URL+c.path)
			shutdown, err := setup.Start(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			logInSpan()
			err = shutdown(context.Background())
			if !c.wantErr {
				if err != nil || hits("/custom/traces") == 0 || hits("/v1/logs") == 0 {
					t.Errorf("shutdown: %v; requests to /custom/traces %d, /v1/logs %d", err, hits("/custom/traces"), hits("/v1/logs"))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "traces export to "+srv.URL+" failed") || !strings.Contains(err.Error(), "404 Not Found") {
				t.Errorf("shutdown error = %v, want the traces refused with 404 at %s", err, srv.URL)
			}
		})
	}
}

func TestOtherSDKErrorsAreLoggedOnceEach(t *testing.T) {
	clearOTelEnv(t)
	out := programOutput(t)
	shutdown, _, _ := startInMemory(t)
	for _, msg := range []string{"first trouble", "first trouble", "second trouble", "first trouble"} {
		otel.Handle(errors.New(msg))
	}
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"first trouble", "second trouble"} {
		if n := strings.Count(out.String(), msg); n != 1 || !strings.Contains(out.String(), "level=WARN") {
			t.Errorf("%q logged %d times, want once at WARN:\n%s", msg, n, out)
		}
	}
}

func TestPartialResourceIsReportedAndStartGoesOn(t *testing.T) {
	clearOTelEnv(t)
	t.Setenv("OTEL_RESOURCE_ATTRIBUTES", "team=core,oops")
	var mu sync.Mutex
	var reported []error
	spans := &memSpans{}
	shutdown, err := setup.Start(context.Background(),
		setup.WithSpanExporter(spans), setup.WithLogExporter(&memlog.Exporter{}),
		setup.WithErrorHandler(func(err error) {
			mu.Lock()
			reported = append(reported, err)
			mu.Unlock()
		}))
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	if shutdown == nil {
		t.Fatal("no shutdown function")
	}
	logInSpan()
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reported) != 1 || !strings.Contains(reported[0].Error(), "resource") {
		t.Errorf("reported = %v, want one resource error", reported)
	}
	got := spans.GetSpans()
	if len(got) != 1 || !hasAttr(got[0].Resource.Attributes(), "team", "core") {
		t.Errorf("spans = %d; the valid part of OTEL_RESOURCE_ATTRIBUTES should stay", len(got))
	}
}

func TestFailedStartReturnsASafeShutdown(t *testing.T) {
	clearOTelEnv(t)
	t.Setenv("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json")
	tpBefore := otel.GetTracerProvider()
	shutdown, err := setup.Start(context.Background())
	if err == nil || !strings.Contains(err.Error(), "http/json") {
		t.Fatalf("Start error = %v, want one naming the protocol", err)
	}
	if otel.GetTracerProvider() != tpBefore {
		t.Error("a failed Start registered a TracerProvider")
	}
	if shutdown == nil {
		t.Fatal("a failed Start returned a nil shutdown function")
	}
	if err := shutdown(context.Background()); err != nil {
		t.Errorf("shutdown after a failed Start: %v", err)
	}
}

func TestShutdownLogsTheMissingSpans(t *testing.T) {
	// With exporters that do not show the report, shutdown writes it once
	// through the program's own handler: where its log lines go.
	clearOTelEnv(t)
	out := programOutput(t)
	shutdown, _, _ := startInMemory(t)
	ctx, span := otel.Tracer("missing").Start(context.Background(), "request")
	slog.InfoContext(ctx, "in the span")
	slog.Info("outside") // no context
	span.End()
	// A span the sampler left out: reported apart, at INFO.
	unsampled := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}}))
	slog.InfoContext(unsampled, "not sampled")
	if err := shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	var report []string
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, "reached no span") {
			report = append(report, line)
		}
	}
	// One line a call site, in either order (each has one record): WARN
	// for the line with no span, INFO for the unsampled one.
	want := map[string]string{`reason="no span in the context"`: "level=WARN", `reason="the span was not sampled"`: "level=INFO"}
	for _, line := range report {
		for reason, level := range want {
			if strings.Contains(line, reason) && strings.Contains(line, level) &&
				strings.Contains(line, "report_test.go") && strings.Contains(line, "records=1") {
				delete(want, reason)
			}
		}
	}
	if len(report) != 2 || len(want) != 0 {
		t.Errorf("report lines = %q, want one WARN and one INFO naming this test's call sites", report)
	}
}
