package slogspan_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/spanevents"
)

// The missing-span report: which log lines reached no span, where, and
// why. It depends on whether the program has started a span, which is
// process-wide, so the journey runs in a process of its own.

const missingEnv = "SLOGSPAN_TEST_MISSING"

// site is a call site the journey logs from, with what the report should
// say of it.
type site struct {
	function string
	line     int
	reason   slogspan.MissingReason
	records  int64
}

// here returns the caller's function and the line after the call.
func here() (string, int) {
	pc, _, line, _ := runtime.Caller(1)
	return runtime.FuncForPC(pc).Name(), line + 1
}

// uninstrumented is a code path nobody gave a span: it passes a context
// that holds none.
func uninstrumented(ctx context.Context, l *slog.Logger) site {
	fn, line := here()
	l.InfoContext(ctx, "uninstrumented")
	return site{fn, line, slogspan.NoSpan, 1}
}

// remoteParent logs with only a remote parent's span context: the
// request's own span was never started.
func remoteParent(l *slog.Logger) site {
	ctx := trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled, Remote: true,
	}))
	fn, line := here()
	l.InfoContext(ctx, "remote parent only")
	return site{fn, line, slogspan.NoSpan, 1}
}

// withoutContext logs inside a span, but without its context.
func withoutContext(l *slog.Logger) site {
	fn, line := here()
	l.Info("no context")
	return site{fn, line, slogspan.NoSpan, 1}
}

// afterEnd logs on a span that has ended.
func afterEnd(ctx context.Context, l *slog.Logger) site {
	fn, line := here()
	l.InfoContext(ctx, "too late")
	return site{fn, line, slogspan.SpanEnded, 1}
}

// unsampled logs in a span that was not sampled.
func unsampled(ctx context.Context, l *slog.Logger) site {
	fn, line := here()
	l.InfoContext(ctx, "not in the trace")
	return site{fn, line, slogspan.NotSampled, 1}
}

func TestMissingSpansReport(t *testing.T) {
	if os.Getenv(missingEnv) != "" {
		missingJourney(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestMissingSpansReport$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), missingEnv+"=1")
	out, err := cmd.CombinedOutput()
	t.Logf("%s", out)
	if err != nil {
		t.Fatalf("the journey failed: %v", err)
	}
}

func missingJourney(t *testing.T) {
	h := slogspan.New(slog.NewJSONHandler(io.Discard, nil), slogspan.WithMissingSpans(true))
	l := slog.New(h)
	l.Info("starting up")                               // before the first span: by design
	l.InfoContext(context.Background(), "flags parsed") // the same

	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()),
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.TraceIDRatioBased(0.0))))
	sampled := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()))
	ctx, span := sampled.Tracer("t").Start(context.Background(), "request")
	l.InfoContext(ctx, "in the span") // reaches its span: not reported
	var want []site
	for range 3 {
		want = appendSite(want, uninstrumented(context.Background(), l))
	}
	for range 2 {
		want = appendSite(want, withoutContext(l))
	}
	for range 5 {
		want = appendSite(want, remoteParent(l))
	}
	span.End()
	want = appendSite(want, afterEnd(ctx, l))
	uctx, uspan := tp.Tracer("t").Start(context.Background(), "unsampled")
	for range 4 {
		want = appendSite(want, unsampled(uctx, l))
	}
	uspan.End()
	l.DebugContext(context.Background(), "below the level: not counted")
	debugEvents(t, ctx)

	got := h.WithGroup("derived").(*slogspan.Handler).MissingSpans()
	if len(got) != len(want) {
		t.Fatalf("report = %+v\nwant %+v", got, want)
	}
	// Largest first: 5, 4, 3, 2, 1.
	order := []int{2, 4, 0, 1, 3}
	for i, g := range got {
		w := want[order[i]]
		if g.Function != w.function || g.Line != w.line || g.Reason != w.reason || g.Records != w.records ||
			!strings.HasSuffix(g.File, "missing_test.go") {
			t.Errorf("entry %d = %+v, want %s line %d, %v, %d records", i, g, w.function, w.line, w.reason, w.records)
		}
	}
	fmt.Println("report:", got)
}

// debugEvents checks that with events from DEBUG and next at INFO, DEBUG
// lines on an ended span and outside spans are counted, and next writes
// none of them. ctx holds an ended span.
func debugEvents(t *testing.T, ctx context.Context) {
	var out strings.Builder
	h := slogspan.New(slog.NewJSONHandler(&out, nil), slogspan.WithMissingSpans(true), slogspan.WithEventLevel(slog.LevelDebug))
	l := slog.New(h)
	fn, ended := here()
	l.DebugContext(ctx, "debug too late")
	_, outside := here()
	l.DebugContext(context.Background(), "debug outside")
	got := h.MissingSpans()
	want := map[int]slogspan.MissingReason{ended: slogspan.SpanEnded, outside: slogspan.NoSpan}
	if len(got) != len(want) {
		t.Fatalf("DEBUG events: report = %+v, want %v", got, want)
	}
	for _, g := range got {
		if r, ok := want[g.Line]; !ok || g.Function != fn || g.Reason != r || g.Records != 1 {
			t.Errorf("DEBUG events: entry %+v, want lines %v", g, want)
		}
	}
	if out.Len() != 0 {
		t.Errorf("next at INFO wrote DEBUG lines: %s", out.String())
	}
}

// appendSite adds s to sites, or counts one more record at it.
func appendSite(sites []site, s site) []site {
	for i := range sites {
		if sites[i].function == s.function && sites[i].line == s.line {
			sites[i].records++
			return sites
		}
	}
	return append(sites, s)
}

func TestMissingSpansOffByDefault(t *testing.T) {
	h := slogspan.New(slog.NewJSONHandler(io.Discard, nil))
	slog.New(h).InfoContext(context.Background(), "outside")
	if got := h.MissingSpans(); got != nil {
		t.Errorf("report without WithMissingSpans = %v", got)
	}
}

func TestMissingReasonStrings(t *testing.T) {
	for r, want := range map[slogspan.MissingReason]string{
		slogspan.NoSpan: "no span in the context", slogspan.SpanEnded: "the span had ended",
		slogspan.NotSampled: "the span was not sampled", 7: "unknown reason",
	} {
		if r.String() != want {
			t.Errorf("%d.String() = %q, want %q", int(r), r.String(), want)
		}
	}
}
