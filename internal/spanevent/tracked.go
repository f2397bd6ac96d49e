package spanevent

import (
	"errors"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
)

// A span's entry in the table is dropped when the span ends, which only
// the SDK knows: the spanevents.SpanTracker, registered on a
// TracerProvider, calls Track with that provider when a span starts, and
// Ended when one ends. A span is tracked when its TracerProvider is
// tracked: span wrappers that pass TracerProvider through are tracked with
// the span they wrap. An untracked span never gets an entry, which would
// outlive it: its budget is not enforced.

// providers are the tracked TracerProviders; copied on write.
var (
	providers   atomic.Pointer[[]trace.TracerProvider]
	providersMu sync.Mutex
)

// Track marks tp as tracked: a SpanTracker reports when its spans end.
func Track(tp trace.TracerProvider) {
	if tp == nil || !reflect.TypeOf(tp).Comparable() || IsTracked(tp) {
		return
	}
	providersMu.Lock()
	defer providersMu.Unlock()
	var list []trace.TracerProvider
	if p := providers.Load(); p != nil {
		list = *p
	}
	if !slices.Contains(list, tp) {
		list = append(slices.Clip(list), tp)
		providers.Store(&list)
	}
}

// Untrack marks tp as no longer tracked: its tracker was shut down.
func Untrack(tp trace.TracerProvider) {
	providersMu.Lock()
	defer providersMu.Unlock()
	p := providers.Load()
	if p == nil {
		return
	}
	list := slices.DeleteFunc(slices.Clone(*p), func(x trace.TracerProvider) bool { return x == tp })
	providers.Store(&list)
}

// IsTracked reports whether tp is tracked. The list holds comparable
// values only, so the comparison cannot panic.
func IsTracked(tp trace.TracerProvider) bool {
	p := providers.Load()
	if p == nil {
		return false
	}
	for _, x := range *p {
		if x == tp {
			return true
		}
	}
	return false
}

// tracked reports whether span's end will be reported.
func tracked(span trace.Span) bool {
	if providers.Load() == nil {
		return false
	}
	return IsTracked(span.TracerProvider())
}

// errUntracked is reported once, through otel.Handle, the first time a
// recording span that is not tracked gets an event.
var errUntracked = errors.New("slogspan: a span's TracerProvider has no spanevents.SpanTracker, " +
	"so MaxSpanEvents and MaxSpanBytes are not enforced on its spans and slogspan.dropped_events and " +
	"slogspan.truncated_values are not kept (the SDK's own span limits still apply): register it with " +
	"sdktrace.WithSpanProcessor(spanevents.NewSpanTracker())")

var untrackedReported atomic.Bool

func reportUntracked() {
	if !untrackedReported.Load() && untrackedReported.CompareAndSwap(false, true) {
		otel.Handle(errUntracked)
	}
}

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
