package spanevents

import (
	"context"
	"sync"
	"sync/atomic"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan/internal/spanevent"
)

// SpanTracker is an sdktrace.SpanProcessor that tells slogspan when spans
// end, so that each span's budget (MaxSpanEvents, MaxSpanBytes) and
// counters are kept exactly while it runs and dropped as soon as it ends.
// Register one on every TracerProvider whose spans slogspan.Handler or the
// spanevents Processor write to:
//
//	tp := sdktrace.NewTracerProvider(
//		sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()),
//		sdktrace.WithBatcher(exporter),
//	)
//
// Without it, per-value and per-event limits still apply, but span budgets
// are not enforced and the span counters are not set: slogspan says so
// once, through otel.Handle. setup.Start registers one.
//
// A span is known by its trace and span ids: span wrappers, two span
// objects with the same ids and a span at a reused address all share the
// budget of those ids. It is safe for concurrent use; OnEnd takes one
// short lock and allocates nothing.
type SpanTracker struct {
	stopped   atomic.Bool
	mu        sync.Mutex
	providers []trace.TracerProvider // the ones it marked tracked
}

var _ sdktrace.SpanProcessor = (*SpanTracker)(nil)

// NewSpanTracker returns a SpanTracker, to register on a TracerProvider
// with sdktrace.WithSpanProcessor.
func NewSpanTracker() *SpanTracker { return &SpanTracker{} }

// OnStart marks the span's TracerProvider as tracked, the first time, and
// notes that the program started a span (see slogspan.WithMissingSpans).
func (t *SpanTracker) OnStart(_ context.Context, s sdktrace.ReadWriteSpan) {
	spanevent.NoteSpanStarted()
	tp := s.TracerProvider()
	if t.stopped.Load() || spanevent.IsTracked(tp) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped.Load() {
		return
	}
	t.providers = append(t.providers, tp)
	spanevent.Track(tp)
}

// OnEnd drops the span's budget and counters.
func (*SpanTracker) OnEnd(s sdktrace.ReadOnlySpan) {
	spanevent.Ended(s.SpanContext())
}

// Shutdown stops tracking the spans of the providers t served: their
// budgets are no longer enforced.
func (t *SpanTracker) Shutdown(context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stopped.Store(true)
	for _, p := range t.providers {
		spanevent.Untrack(p)
	}
	t.providers = nil
	return nil
}

// ForceFlush does nothing: nothing is held.
func (*SpanTracker) ForceFlush(context.Context) error { return nil }
