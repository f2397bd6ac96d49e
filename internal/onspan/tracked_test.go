package onspan

import (
	"context"
	"errors"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
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
	if !tracked(span) || !isTracked(tp) || isTracked(sliceProvider{}) {
		t.Fatal("tracking did not take")
	}
	// Tracked twice: by two trackers, each of which untracks it.
	Untrack(tp)
	if !tracked(span) {
		t.Fatal("a provider still tracked by one tracker is not")
	}
	Untrack(tp)
	if tracked(span) {
		t.Fatal("an untracked provider's span is tracked")
	}
	Untrack(tp) // once more than tracked: nothing happens
	Untrack(sliceProvider{})
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
	reportUntracked = sync.OnceFunc(func() { otel.Handle(errUntracked) })

	tp := sdktrace.NewTracerProvider()
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	for range 3 {
		_, span := tp.Tracer("t").Start(context.Background(), "op")
		if tg := Open(span, span.SpanContext()); tg.sh != nil {
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

// BenchmarkTrackedAmongManyProviders looks up a span's provider among
// 5,000 tracked ones, as a program with providers it never shut down
// does on every logging call.
func BenchmarkTrackedAmongManyProviders(b *testing.B) {
	var tps []*sdktrace.TracerProvider
	for range 5000 {
		tp := sdktrace.NewTracerProvider()
		Track(tp)
		tps = append(tps, tp)
	}
	b.Cleanup(func() {
		for _, tp := range tps {
			Untrack(tp)
		}
	})
	_, span := tps[len(tps)/2].Tracer("t").Start(context.Background(), "op")
	defer span.End()
	for b.Loop() {
		if !tracked(span) {
			b.Fatal("not tracked")
		}
	}
}

// TestLastTrackedForgetsUntracked: the provider recognized without a
// lookup is forgotten once untracked, while other providers stay tracked,
// and a provider of a type that is not comparable is compared without a
// panic.
func TestLastTrackedForgetsUntracked(t *testing.T) {
	other, tp := sdktrace.NewTracerProvider(), sdktrace.NewTracerProvider()
	t.Cleanup(func() { _ = other.Shutdown(context.Background()); _ = tp.Shutdown(context.Background()) })
	Track(other)
	defer Untrack(other)
	Track(tp)
	_, span := tp.Tracer("t").Start(context.Background(), "op")
	defer span.End()
	for range 2 { // looked up, then recognized
		if !tracked(span) {
			t.Fatal("a tracked provider's span is not tracked")
		}
	}
	Untrack(tp)
	if tracked(span) {
		t.Fatal("an untracked provider's span is tracked")
	}
	Track(tp)
	if !tracked(span) {
		t.Fatal("a provider tracked again is not")
	}
	Untrack(tp)
	if lastTracked.Load() != nil {
		t.Error("the untracked provider is still held")
	}
	_, odd := sliceProvider{}.Tracer("t").Start(context.Background(), "op")
	if tracked(odd) {
		t.Error("a provider of a type that is not comparable is tracked")
	}
}

// A lookup that found a provider's tracking can store it as the last one
// after Untrack ran: the stale entry must not make the provider tracked.
func TestLastTrackedOutlivedByUntrack(t *testing.T) {
	other, tp := sdktrace.NewTracerProvider(), sdktrace.NewTracerProvider()
	t.Cleanup(func() { _ = other.Shutdown(context.Background()); _ = tp.Shutdown(context.Background()) })
	Track(other) // providers stays non-empty
	defer Untrack(other)
	Track(tp)
	_, span := tp.Tracer("t").Start(context.Background(), "op")
	defer span.End()
	found := lookUp(tp) // the lookup, before Untrack
	Untrack(tp)
	lastTracked.Store(found) // its store, after
	defer lastTracked.Store(nil)
	if tracked(span) {
		t.Fatal("an untracked provider's span is tracked through a stale last entry")
	}
}

// isTracked reports whether tp is tracked.
func isTracked(tp trace.TracerProvider) bool { return lookUp(tp) != nil }
