package spanevent

import (
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// State is the bookkeeping for one span: its budget, its counters, and
// the wrapped handlers with its ids added. It never holds the span itself
// strongly (see spanRef): a span the program drops is reclaimed, ended or
// not.
type State struct {
	ref             spanRef
	TraceID, SpanID string // lowercase hex

	mu        sync.Mutex
	events    int
	bytes     int
	dropped   int64
	truncated int64

	// nexts is read without a lock and replaced, copied, under mu.
	nexts atomic.Pointer[[]nextWithIDs]
	// NextCalls counts the records passed to a handler without a kept
	// next-with-ids, to decide when keeping one pays.
	NextCalls atomic.Int32

	// eventsFull is set once MaxSpanEvents is reached. The count only
	// grows, so from then on records are dropped without being converted.
	eventsFull atomic.Bool
}

// SkipWhenFull is the fast path for a span that took MaxSpanEvents events
// already: later records need not be converted. When the span is full, it
// counts the record as dropped and reports true, with a log.record.uid for
// the record when canLink says the full record can be found (see
// Event.Put).
func (s *State) SkipWhenFull(span trace.Span, canLink bool) (uid string, full bool) {
	if !s.eventsFull.Load() {
		return "", false
	}
	s.drop(span)
	if canLink {
		uid = NewUID()
	}
	return uid, true
}

// nextWithIDs is a handler with this span's ids added, kept for key.
type nextWithIDs struct {
	key  any
	next slog.Handler
}

// MaxNextsPerSpan bounds the handlers kept per span, for programs that
// derive a new logger for every call.
const MaxNextsPerSpan = 8

// Next returns the handler kept for key, or nil.
func (s *State) Next(key any) slog.Handler {
	if p := s.nexts.Load(); p != nil {
		for _, n := range *p {
			if n.key == key {
				return n.next
			}
		}
	}
	return nil
}

// NextsFull reports whether MaxNextsPerSpan handlers are kept.
func (s *State) NextsFull() bool {
	p := s.nexts.Load()
	return p != nil && len(*p) >= MaxNextsPerSpan
}

// KeepNext keeps next for key, unless one is kept already, which it
// returns instead, or MaxNextsPerSpan are.
func (s *State) KeepNext(key any, next slog.Handler) slog.Handler {
	s.mu.Lock()
	defer s.mu.Unlock()
	if found := s.Next(key); found != nil {
		return found
	}
	var nexts []nextWithIDs
	if p := s.nexts.Load(); p != nil {
		nexts = *p
	}
	if len(nexts) < MaxNextsPerSpan {
		nexts = append(slices.Clip(nexts), nextWithIDs{key, next})
		s.nexts.Store(&nexts)
	}
	return next
}

// Reserve claims room for one event of size bytes within limits on span,
// and reports whether it fits. The claim and the counters are updated
// together, so counts stay exact when many goroutines log to one span.
func (s *State) Reserve(span trace.Span, size int, truncated int, l *Limits) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !Within(s.events+1, l.MaxSpanEvents) {
		s.eventsFull.Store(true)
		s.dropLocked(span)
		return false
	}
	if !Within(s.bytes+size, l.MaxSpanBytes) {
		s.dropLocked(span)
		return false
	}
	s.events++
	s.bytes += size
	if truncated > 0 {
		s.truncated += int64(truncated)
		span.SetAttributes(attribute.Int64(TruncatedValuesKey, s.truncated))
	}
	return true
}

// drop counts a record that did not become an event on span.
func (s *State) drop(span trace.Span) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropLocked(span)
}

// dropLocked counts a drop and sets the counter on span. The counter is
// set under s.mu, so that the last value set is the highest.
func (s *State) dropLocked(span trace.Span) {
	s.dropped++
	span.SetAttributes(attribute.Int64(DroppedEventsKey, s.dropped))
}
