package spanevent

import (
	"context"
	"errors"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace/noop"
)

// sliceProvider is a TracerProvider of a type that is not comparable: the
// registry must neither keep nor compare it.
type sliceProvider struct {
	noop.TracerProvider
	_ []int
}

func TestTrackedProviders(t *testing.T) {
	tp := sdktrace.NewTracerProvider()
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	_, span := tp.Tracer("t").Start(context.Background(), "op")
	defer span.End()
	if tracked(span) {
		t.Fatal("a span of a provider never tracked is tracked")
	}
	Track(tp)
	Track(tp)
	Track(sliceProvider{}) // ignored, and no panic
	if !tracked(span) || !IsTracked(tp) || IsTracked(sliceProvider{}) {
		t.Fatal("tracking did not take")
	}
	Untrack(tp)
	if tracked(span) {
		t.Fatal("an untracked provider's span is tracked")
	}
}

func TestUntrackedIsReportedOnce(t *testing.T) {
	var mu sync.Mutex
	var got []error
	prev := otel.GetErrorHandler()
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		mu.Lock()
		got = append(got, err)
		mu.Unlock()
	}))
	t.Cleanup(func() { otel.SetErrorHandler(prev) })
	untrackedReported.Store(false)

	tp := sdktrace.NewTracerProvider()
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	for range 3 {
		_, span := tp.Tracer("t").Start(context.Background(), "op")
		if tg := Open(span, span.SpanContext()); tg.st != nil {
			t.Error("an untracked span got a budget")
		}
		span.End()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(got) != 1 || !errors.Is(got[0], errUntracked) {
		t.Errorf("reported %v, want errUntracked once", got)
	}
}
