package onspan

import (
	"errors"
	"maps"
	"reflect"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
)

// providers maps each tracked TracerProvider to its tracking; copied on
// write, so that looking a provider up is one map read without a lock,
// however many providers there are.
var (
	providers   atomic.Pointer[map[trace.TracerProvider]*tracking]
	providersMu sync.Mutex
)

// tracking is a tracked provider's place in providers.
type tracking struct {
	tp       trace.TracerProvider // of a comparable type
	trackers int                  // how many trackers track it; guarded by providersMu
	// live is cleared when the last tracker untracks tp, and never set
	// again: tracking tp again makes a new tracking.
	live atomic.Bool
}

// lastTracked is the tracking of the provider of the last span found
// tracked: most programs have one provider, whose spans tracked then
// recognizes with one comparison, without a map lookup.
var lastTracked atomic.Pointer[tracking]

// Track marks tp as tracked by one more tracker: that tracker reports when
// its spans end. A value of a type that is not comparable cannot be a map
// key, and is not tracked.
func Track(tp trace.TracerProvider) {
	if tp == nil || !reflect.TypeOf(tp).Comparable() {
		return
	}
	providersMu.Lock()
	defer providersMu.Unlock()
	if t := lookUp(tp); t != nil {
		t.trackers++
		return
	}
	t := &tracking{tp: tp, trackers: 1}
	t.live.Store(true)
	m := cloneProviders()
	m[tp] = t
	providers.Store(&m)
}

// Untrack marks tp as tracked by one tracker less: that tracker was shut
// down, or tp was. Once no tracker tracks it, its spans get no budget.
func Untrack(tp trace.TracerProvider) {
	providersMu.Lock()
	defer providersMu.Unlock()
	t := lookUp(tp)
	if t == nil {
		return
	}
	t.trackers--
	if t.trackers > 0 {
		return
	}
	t.live.Store(false)
	lastTracked.CompareAndSwap(t, nil) // tp is not held for nothing
	m := cloneProviders()
	delete(m, tp)
	providers.Store(&m)
}

// cloneProviders returns a copy of providers. providersMu must be held.
func cloneProviders() map[trace.TracerProvider]*tracking {
	if p := providers.Load(); p != nil {
		return maps.Clone(*p)
	}
	return map[trace.TracerProvider]*tracking{}
}

// lookUp returns tp's tracking, or nil when tp is not tracked. Only
// comparable values are looked up, so the lookup cannot panic.
func lookUp(tp trace.TracerProvider) *tracking {
	p := providers.Load()
	if p == nil || len(*p) == 0 || tp == nil || !reflect.TypeOf(tp).Comparable() {
		return nil
	}
	return (*p)[tp]
}

// isTracked reports whether tp is tracked.
func isTracked(tp trace.TracerProvider) bool { return lookUp(tp) != nil }

// tracked reports whether span's end will be reported.
func tracked(span trace.Span) bool {
	if p := providers.Load(); p == nil || len(*p) == 0 {
		return false
	}
	tp := span.TracerProvider()
	// last.tp's type is comparable, so comparing it with tp cannot panic.
	if last := lastTracked.Load(); last != nil && last.tp == tp && last.live.Load() {
		return true
	}
	t := lookUp(tp)
	if t == nil {
		return false
	}
	lastTracked.Store(t)
	return true
}

// errUntracked is reported once, through otel.Handle, the first time a
// recording span that is not tracked gets an event.
var errUntracked = errors.New("slogspan: a span's TracerProvider has no spanevents.SpanTracker, " +
	"so MaxSpanEvents and MaxSpanBytes are not enforced on its spans and slogspan.dropped_events and " +
	"slogspan.truncated_values are not kept (the SDK's own span limits still apply): register it with " +
	"sdktrace.WithSpanProcessor(spanevents.NewSpanTracker())")

var reportUntracked = sync.OnceFunc(func() { otel.Handle(errUntracked) })

// spansStarted is set once the program started a span, as a SpanTracker
// or a Handler saw it: log lines outside spans before that are start-up
// lines, outside spans by design.
var spansStarted atomic.Bool

// NoteSpanStarted records that the program started a span.
func NoteSpanStarted() {
	if !spansStarted.Load() {
		spansStarted.Store(true)
	}
}

// SpansStarted reports whether the program started a span.
func SpansStarted() bool { return spansStarted.Load() }
