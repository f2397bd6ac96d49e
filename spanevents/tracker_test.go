package spanevents_test

import (
	"context"
	"io"
	"log/slog"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/spanevents"
)

// budgeted logs n lines through a Handler with a budget of 2 events to a
// span of tp, and returns the events the span took.
func budgeted(t *testing.T, tp *sdktrace.TracerProvider, rec *tracetest.SpanRecorder, n int) int {
	t.Helper()
	l := slog.New(slogspan.New(slog.NewJSONHandler(io.Discard, nil), slogspan.WithLimits(slogspan.Limits{MaxSpanEvents: 2})))
	ctx, span := tp.Tracer("t").Start(context.Background(), "op")
	for range n {
		l.InfoContext(ctx, "line")
	}
	span.End()
	ended := rec.Ended()
	return len(ended[len(ended)-1].Events())
}

func TestSpanTrackerEnablesBudgetsUntilShutdown(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tracker := spanevents.NewSpanTracker()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tracker), sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	if n := budgeted(t, tp, rec, 5); n != 2 {
		t.Errorf("with the tracker: %d events, want the budget of 2", n)
	}
	// Shut down alone (a program that unregisters it): the provider's
	// spans are no longer tracked, and get no budget.
	if err := tracker.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := budgeted(t, tp, rec, 5); n != 5 {
		t.Errorf("after the tracker's Shutdown: %d events, want all 5", n)
	}
	if err := tracker.ForceFlush(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestOneSpanTrackerOnTwoProviders(t *testing.T) {
	// Shutting one provider down stops the budgets of its spans only.
	rec := tracetest.NewSpanRecorder()
	tracker := spanevents.NewSpanTracker()
	a := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tracker), sdktrace.WithSpanProcessor(rec))
	b := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tracker), sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = b.Shutdown(context.Background()) })
	budgeted(t, a, rec, 1)
	if n := budgeted(t, b, rec, 5); n != 2 {
		t.Fatalf("before either shut down: %d events, want the budget of 2", n)
	}
	if err := a.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := budgeted(t, b, rec, 5); n != 2 {
		t.Errorf("after the other provider shut down: %d events, want the budget of 2", n)
	}
}

func TestSpanTrackerOnEndAllocatesNothing(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tracker := spanevents.NewSpanTracker()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tracker), sdktrace.WithSpanProcessor(rec))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	budgeted(t, tp, rec, 3) // a span that took events, ended
	ended := rec.Ended()[0]
	if n := testing.AllocsPerRun(1000, func() { tracker.OnEnd(ended) }); n != 0 {
		t.Errorf("OnEnd allocates %v times", n)
	}
}

func TestSpanTrackerOnStartAllocatesNothing(t *testing.T) {
	// Past a provider's first span, OnStart only recognizes it.
	tracker := spanevents.NewSpanTracker()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tracker))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	_, span := tp.Tracer("t").Start(context.Background(), "op")
	defer span.End()
	rw := span.(sdktrace.ReadWriteSpan)
	if n := testing.AllocsPerRun(1000, func() { tracker.OnStart(context.Background(), rw) }); n != 0 {
		t.Errorf("OnStart allocates %v times", n)
	}
}
