package spanevents

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/slogspan/slogspan/internal/onspan"
)

// SpanTracker is an sdktrace.SpanProcessor that tells slogspan when spans
// end, so that each span's budget (MaxSpanEvents, MaxSpanBytes) and
// counters are kept exactly while it runs and dropped as soon as it ends.
// Register one on every TracerProvider whose spans slogspan.Handler or the
// spanevents Processor write to, with
// sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()); setup.Start
// does. Without it, per-value and per-event limits still apply, but span
// budgets are not enforced and the span counters are not set: slogspan
// says so once, through otel.Handle.
//
// A span is known by its trace and span ids: span wrappers, two span
// objects with the same ids and a span at a reused address all share the
// budget of those ids. It is safe for concurrent use; OnEnd takes one
// short lock and allocates nothing.
type SpanTracker struct {
	last    atomic.Pointer[trace.TracerProvider] // of the last span started, tracked
	stopped atomic.Bool                          // shut down directly
	mu      sync.Mutex
	served  []trace.TracerProvider // the providers it marked tracked
}

var _ sdktrace.SpanProcessor = (*SpanTracker)(nil)

// NewSpanTracker returns a SpanTracker, to register on a TracerProvider
// with sdktrace.WithSpanProcessor.
func NewSpanTracker() *SpanTracker { return &SpanTracker{} }

// OnStart marks the span's TracerProvider as tracked, the first time it
// sees it, and notes that the program started a span (see
// slogspan.WithMissingSpans).
func (t *SpanTracker) OnStart(_ context.Context, s sdktrace.ReadWriteSpan) {
	onspan.NoteSpanStarted()
	tp := s.TracerProvider()
	if last := t.last.Load(); (last != nil && *last == tp) || t.stopped.Load() {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.stopped.Load() {
		return
	}
	if !slices.Contains(t.served, tp) {
		t.served = append(t.served, tp)
		onspan.Track(tp)
	}
	last := new(trace.TracerProvider)
	*last = tp
	t.last.Store(last)
}

// OnEnd drops the span's budget and counters.
func (*SpanTracker) OnEnd(s sdktrace.ReadOnlySpan) {
	onspan.Ended(s.SpanContext())
}

// Shutdown stops tracking the spans of the TracerProviders t served that
// are shut down: their budgets are no longer enforced. A tracker
// registered on several providers keeps tracking the others. Called
// directly, while none of them is shut down, it stops tracking them all.
func (t *SpanTracker) Shutdown(context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.last.Store(nil)
	live := slices.DeleteFunc(slices.Clone(t.served), isShutDown)
	if len(live) == len(t.served) {
		live = nil
		t.stopped.Store(true)
	}
	for _, tp := range t.served {
		if !slices.Contains(live, tp) {
			onspan.Untrack(tp)
		}
	}
	t.served = live
	return nil
}

// isShutDown reports whether tp is an SDK TracerProvider that was shut
// down: after Shutdown, its methods are no-ops, and its Tracer is one.
func isShutDown(tp trace.TracerProvider) bool {
	sdk, ok := tp.(*sdktrace.TracerProvider)
	if !ok {
		return false
	}
	_, off := sdk.Tracer("").(noop.Tracer)
	return off
}

// ForceFlush does nothing: nothing is held.
func (*SpanTracker) ForceFlush(context.Context) error { return nil }
