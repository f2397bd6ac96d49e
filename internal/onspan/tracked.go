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

// providers maps each tracked TracerProvider to the number of trackers
// that track it; copied on write, so that looking a provider up is one
// map read without a lock, however many providers there are.
var (
	providers   atomic.Pointer[map[trace.TracerProvider]int]
	providersMu sync.Mutex
)

// Track marks tp as tracked by one more tracker: that tracker reports when
// its spans end. A value of a type that is not comparable cannot be a map
// key, and is not tracked.
func Track(tp trace.TracerProvider) {
	if tp == nil || !reflect.TypeOf(tp).Comparable() {
		return
	}
	providersMu.Lock()
	defer providersMu.Unlock()
	m := cloneProviders()
	m[tp]++
	providers.Store(&m)
}

// Untrack marks tp as tracked by one tracker less: that tracker was shut
// down, or tp was. Once no tracker tracks it, its spans get no budget.
func Untrack(tp trace.TracerProvider) {
	if !isTracked(tp) {
		return
	}
	providersMu.Lock()
	defer providersMu.Unlock()
	m := cloneProviders()
	if m[tp] <= 1 {
		delete(m, tp)
	} else {
		m[tp]--
	}
	providers.Store(&m)
}

// cloneProviders returns a copy of providers. providersMu must be held.
func cloneProviders() map[trace.TracerProvider]int {
	if p := providers.Load(); p != nil {
		return maps.Clone(*p)
	}
	return map[trace.TracerProvider]int{}
}

// isTracked reports whether tp is tracked. Only comparable values are
// looked up, so the lookup cannot panic.
func isTracked(tp trace.TracerProvider) bool {
	p := providers.Load()
	if p == nil || len(*p) == 0 || tp == nil || !reflect.TypeOf(tp).Comparable() {
		return false
	}
	return (*p)[tp] > 0
}

// tracked reports whether span's end will be reported.
func tracked(span trace.Span) bool {
	if p := providers.Load(); p == nil || len(*p) == 0 {
		return false
	}
	return isTracked(span.TracerProvider())
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
