package setup_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/slogspan/slogspan/internal/memlog"
	"github.com/slogspan/slogspan/setup"
)

// hungReceiver is an OTLP/HTTP endpoint that reads each request and gives
// no answer until released, then answers 500. It returns its URL, the
// release, and the count of requests answered.
func hungReceiver(t *testing.T) (url string, release func(), answered func() int) {
	var once sync.Once
	released := make(chan struct{})
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-released:
			w.WriteHeader(http.StatusInternalServerError)
			mu.Lock()
			n++
			mu.Unlock()
		case <-r.Context().Done():
		}
	}))
	release = func() { once.Do(func() { close(released) }) }
	t.Cleanup(func() {
		release()
		srv.Close()
	})
	return srv.URL, release, func() int {
		mu.Lock()
		defer mu.Unlock()
		return n
	}
}

// exportErrors returns the ExportErrors joined in err, by signal, and the
// other errors.
func exportErrors(err error) (bySignal map[string][]*setup.ExportError, others []error) {
	bySignal = map[string][]*setup.ExportError{}
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
			return
		}
		var ee *setup.ExportError
		if errors.As(err, &ee) {
			bySignal[ee.Signal] = append(bySignal[ee.Signal], ee)
		} else if err != nil {
			others = append(others, err)
		}
	}
	walk(err)
	return bySignal, others
}

// warnLines returns the program's WARN lines that contain s.
func warnLines(out *syncBuffer, s string) []string {
	var lines []string
	for _, line := range strings.Split(out.String(), "\n") {
		if strings.Contains(line, "level=WARN") && strings.Contains(line, s) {
			lines = append(lines, line)
		}
	}
	return lines
}

// waitFor polls cond for up to 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within 10s", what)
		}
	}
}

func TestTimedOutExportIsReportedLikeARefusedOne(t *testing.T) {
	// The test is about these: each export, retries included, gives up
	// after 300 ms.
	timedOutExport(t, map[string]string{"OTEL_BSP_EXPORT_TIMEOUT": "300", "OTEL_BLRP_EXPORT_TIMEOUT": "300"})
}

func TestOTLPTimeoutBoundsEachAttempt(t *testing.T) {
	// OTEL_EXPORTER_OTLP_TIMEOUT bounds each request; the export, which
	// retries, is bounded by OTEL_BSP_EXPORT_TIMEOUT and
	// OTEL_BLRP_EXPORT_TIMEOUT (30 s by default). Checked with generous
	// slack: a bound the exporters promise, not a speed.
	clearOTelEnv(t)
	programOutput(t)
	var mu sync.Mutex
	held := map[string]time.Duration{} // path -> how long the first request was held
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		start := time.Now()
		<-r.Context().Done() // never answers: the client gives up
		mu.Lock()
		if _, ok := held[r.URL.Path]; !ok {
			held[r.URL.Path] = time.Since(start)
		}
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", srv.URL)
	t.Setenv("OTEL_EXPORTER_OTLP_TIMEOUT", "300")
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "50")
	t.Setenv("OTEL_BLRP_SCHEDULE_DELAY", "50")
	shutdown, err := setup.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	logInSpan()
	waitFor(t, "a request of each signal given up", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(held) == 2
	})
	mu.Lock()
	for path, d := range held {
		if d > 5*time.Second {
			t.Errorf("%s: the request was held %v, with OTEL_EXPORTER_OTLP_TIMEOUT=300", path, d)
		}
	}
	t.Logf("requests given up after %v", held)
	mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := shutdown(ctx); err == nil {
		t.Error("shutdown returned nil though nothing was delivered")
	}
}

func timedOutExport(t *testing.T, timeouts map[string]string) {
	clearOTelEnv(t)
	out := programOutput(t)
	endpoint, _, _ := hungReceiver(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
	for k, v := range timeouts {
		t.Setenv(k, v)
	}
	shutdown, p, err := setup.StartProviders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	logInSpan()
	logInSpan()
	_ = p.TracerProvider.ForceFlush(context.Background())
	_ = p.LoggerProvider.ForceFlush(context.Background())

	for _, want := range []string{
		"traces export to " + endpoint + "/v1/traces failed (2 spans lost in 1 export)",
		"logs export to " + endpoint + "/v1/logs failed (2 log records lost in 1 export)",
	} {
		if got := warnLines(out, want); len(got) != 1 {
			t.Errorf("WARN lines with %q: %d, want 1:\n%s", want, len(got), out)
		} else if !strings.Contains(got[0], "export timeout") || !strings.Contains(got[0], "OTEL_EXPORTER_OTLP_TIMEOUT") ||
			!strings.Contains(got[0], "slow, stopped or paused") {
			t.Errorf("the WARN gives no hint: %s", got[0])
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	err = shutdown(ctx)
	bySignal, others := exportErrors(err)
	if len(others) != 0 {
		t.Errorf("shutdown returned other errors: %v", others)
	}
	for signal, items := range map[string]int{"traces": 2, "logs": 2} {
		if got := bySignal[signal]; len(got) != 1 || got[0].Items != items || got[0].Failures != 1 ||
			!strings.Contains(got[0].Hint, "OTEL_EXPORTER_OTLP_TIMEOUT") {
			t.Errorf("%s: ExportErrors %v, want one: %d lost in 1 export, with the time-out hint", signal, got, items)
		}
	}
}

func TestHungReceiverIsReportedBeforeAndAtShutdown(t *testing.T) {
	clearOTelEnv(t)
	t.Cleanup(setup.SetReportTimes(200*time.Millisecond, time.Hour))
	out := programOutput(t)
	endpoint, release, answered := hungReceiver(t)
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint)
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "50") // export soon, not after 5 s
	shutdown, err := setup.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	logInSpan()
	logInSpan()
	logInSpan()
	// While the first exports hang, a WARN says so.
	for _, signal := range []string{"traces", "logs"} {
		want := signal + " export to " + endpoint + "/v1/" + signal + " has had no answer for 200ms"
		waitFor(t, "WARN "+want, func() bool { return len(warnLines(out, want)) > 0 })
	}
	// These wait in the queues behind the hung exports.
	logInSpan()
	logInSpan()

	const deadline = time.Second
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	err = shutdown(ctx)
	took := time.Since(start)
	// A promise checked with generous slack, not a speed measurement.
	if took > deadline+2*time.Second {
		t.Errorf("shutdown took %v with a %v deadline", took, deadline)
	}
	if err == nil {
		t.Fatal("shutdown returned nil though nothing was delivered")
	}
	msg := err.Error()
	t.Logf("shutdown after %v: %v", took.Round(time.Millisecond), msg)
	bySignal, others := exportErrors(err)
	if len(others) != 0 {
		t.Errorf("shutdown returned other errors beside the ExportErrors: %v", others)
	}
	// Side by side, so that a program can tell the signals apart with
	// errors.As on each.
	if j, ok := err.(interface{ Unwrap() []error }); !ok || len(j.Unwrap()) != 2 {
		t.Errorf("shutdown's error does not list the two ExportErrors side by side: %#v", err)
	}
	for signal, want := range map[string]string{
		"traces": "(5 spans lost in 1 export)",
		"logs":   "(5 log records lost in 1 export)",
	} {
		if got := bySignal[signal]; len(got) != 1 {
			t.Errorf("%s: %d ExportErrors, want 1", signal, len(got))
		}
		for _, s := range []string{signal + " export to " + endpoint + "/v1/" + signal, want} {
			if n := strings.Count(msg, s); n != 1 {
				t.Errorf("%q appears %d times in the shutdown error, want once", s, n)
			}
		}
	}
	if strings.Contains(msg, "context deadline exceeded") {
		t.Error("the shutdown error repeats the bare context error beside the counts")
	}
	// Reported once a signal while it waits: the reminder interval here is
	// an hour.
	for _, signal := range []string{"traces", "logs"} {
		if n := len(warnLines(out, signal+" export to "+endpoint+"/v1/"+signal+" has had no answer")); n != 1 {
			t.Errorf("%s: %d WARN lines about the hung export, want 1", signal, n)
		}
	}
	// The hung exports fail after shutdown has returned: shutdown counted
	// them, nothing reports them again.
	release()
	waitFor(t, "answer to both hung exports", func() bool { return answered() >= 2 })
	time.Sleep(100 * time.Millisecond)
	if got := warnLines(out, "failed"); len(got) != 0 {
		t.Errorf("exports that shutdown counted were reported again: %q", got)
	}
}

// blockingSpans is a span exporter whose exports wait until the test ends
// or their context does.
type blockingSpans struct{ release chan struct{} }

func (e blockingSpans) ExportSpans(ctx context.Context, _ []sdktrace.ReadOnlySpan) error {
	select {
	case <-e.release:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
func (blockingSpans) Shutdown(context.Context) error { return nil }

// ctxLogs is an in-memory log exporter that fails, as the OTLP ones do,
// once its context is done.
type ctxLogs struct{ *memlog.Exporter }

func (e ctxLogs) Export(ctx context.Context, records []sdklog.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return e.Exporter.Export(ctx, records)
}

func TestShutdownGivesEachProviderTheWholeDeadline(t *testing.T) {
	clearOTelEnv(t)
	programOutput(t)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	logs := ctxLogs{&memlog.Exporter{}}
	shutdown, err := setup.Start(context.Background(),
		setup.WithSpanExporter(blockingSpans{release}), setup.WithLogExporter(logs))
	if err != nil {
		t.Fatal(err)
	}
	logInSpan()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	err = shutdown(ctx)
	if n := len(logs.Records()); n != 1 {
		t.Errorf("log records delivered = %d, want the one diverted: the hung span exporter took the logs' deadline", n)
	}
	bySignal, others := exportErrors(err)
	if len(others) != 0 || len(bySignal["logs"]) != 0 {
		t.Errorf("shutdown returned %v beside the lost span", err)
	}
	if got := bySignal["traces"]; len(got) != 1 || got[0].Items != 1 || !errors.Is(err, got[0].Err) {
		t.Errorf("traces ExportErrors = %v, want the one span lost", got)
	}
}

func TestFailuresGoingOnAreRemindedWithCounts(t *testing.T) {
	clearOTelEnv(t)
	t.Cleanup(setup.SetReportTimes(time.Hour, 200*time.Millisecond))
	out := programOutput(t)
	shutdown, p, err := setup.StartProviders(context.Background(),
		setup.WithSpanExporter(refusingSpans{}), setup.WithLogExporter(&memlog.Exporter{}))
	if err != nil {
		t.Fatal(err)
	}
	fail := func() {
		logInSpan()
		_ = p.TracerProvider.ForceFlush(context.Background())
	}
	fail()
	fail() // within remindEvery of the first: counted, not reported
	time.Sleep(300 * time.Millisecond)
	fail() // a reminder, with the counts so far
	fail()
	lines := warnLines(out, "refused the batch")
	if len(lines) != 2 {
		t.Fatalf("WARN lines = %d, want the first failure and one reminder:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	if !strings.Contains(lines[0], "(1 span lost in 1 export)") ||
		!strings.Contains(lines[1], "(3 spans lost in 3 exports)") || !strings.Contains(lines[1], "still failing") {
		t.Errorf("WARN lines do not count the failures so far:\n%s", strings.Join(lines, "\n"))
	}
	if err := shutdown(context.Background()); !strings.Contains(err.Error(), "(4 spans lost in 4 exports)") {
		t.Errorf("shutdown: %v", err)
	}
}

// slowSpans exports to memory, each export taking a while.
type slowSpans struct {
	memSpans
	mu    sync.Mutex
	count int
}

func (e *slowSpans) ExportSpans(ctx context.Context, ss []sdktrace.ReadOnlySpan) error {
	time.Sleep(20 * time.Millisecond)
	e.mu.Lock()
	e.count += len(ss)
	e.mu.Unlock()
	return e.memSpans.ExportSpans(ctx, ss)
}

func TestSpansDroppedFromAFullQueueAreCounted(t *testing.T) {
	clearOTelEnv(t)
	t.Setenv("OTEL_BSP_MAX_QUEUE_SIZE", "1")
	t.Setenv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "1")
	programOutput(t)
	spans := &slowSpans{}
	shutdown, err := setup.Start(context.Background(), setup.WithSpanExporter(spans), setup.WithLogExporter(&memlog.Exporter{}))
	if err != nil {
		t.Fatal(err)
	}
	const ended = 50
	tracer := otel.Tracer("queue")
	for range ended {
		_, sp := tracer.Start(context.Background(), "s")
		sp.End()
	}
	err = shutdown(context.Background())
	delivered := len(spans.GetSpans())
	if delivered == ended {
		t.Skip("the exporter kept up with a queue of one; nothing was dropped")
	}
	bySignal, others := exportErrors(err)
	if got := bySignal["traces"]; len(others) != 0 || len(got) != 1 || got[0].Items != ended-delivered ||
		!strings.Contains(got[0].Error(), "OTEL_BSP_MAX_QUEUE_SIZE") {
		t.Errorf("%d of %d spans delivered; shutdown returned %v, want the %d others counted as dropped",
			delivered, ended, err, ended-delivered)
	}
}
