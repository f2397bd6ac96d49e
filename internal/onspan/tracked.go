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

// providers maps each tracked TracerProvider to its tracking, copied on
// write: a lookup is one map read without a lock.
var (
	providers   atomic.Pointer[map[trace.TracerProvider]*tracking]
	providersMu sync.Mutex
)

// tracking is a tracked provider's place in providers. live is cleared
// when the last tracker untracks tp, and never set again.
type tracking struct {
	tp       trace.TracerProvider // of a comparable type
	trackers int                  // guarded by providersMu
	live     atomic.Bool
}

// lastTracked is the tracking of the last span found tracked.
var lastTracked atomic.Pointer[tracking]

// Track marks tp as tracked by one more tracker, which reports when its
// spans end. A provider of a type that is not comparable is not tracked.
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

// Untrack marks tp as tracked by one tracker less. Once no tracker tracks
// it, its spans get no budget.
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
	lastTracked.CompareAndSwap(t, nil)
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

// lookUp returns tp's tracking, or nil when tp is not tracked.
func lookUp(tp trace.TracerProvider) *tracking {
	p := providers.Load()
	if p == nil || len(*p) == 0 || tp == nil || !reflect.TypeOf(tp).Comparable() {
		return nil
	}
	return (*p)[tp]
}

// tracked reports whether span's end will be reported.
func tracked(span trace.Span) bool {
	if p := providers.Load(); p == nil || len(*p) == 0 {
		return false
	}
	tp := span.TracerProvider()
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

var errUntracked = errors.New("slogspan: a span's TracerProvider has no spanevents.SpanTracker, " +
	"so MaxSpanEvents and MaxSpanBytes are not enforced on its spans and slogspan.dropped_events and " +
	"slogspan.truncated_values are not kept (the SDK's own span limits still apply): register it with " +
	"sdktrace.WithSpanProcessor(spanevents.NewSpanTracker())")

var reportUntracked = sync.OnceFunc(func() { otel.Handle(errUntracked) })

// spansStarted is set once a SpanTracker or a Handler saw a span start.
var spansStarted atomic.Bool

// NoteSpanStarted records that the program started a span.
func NoteSpanStarted() {
	if !spansStarted.Load() {
		spansStarted.Store(true)
	}
}

// SpansStarted reports whether the program started a span.
func SpansStarted() bool { return spansStarted.Load() }
