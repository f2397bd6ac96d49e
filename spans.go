package slogspan

import (
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Counter attributes the Handler keeps up to date on each span it writes
// to. They are set when they first become non-zero and on every change.
const (
	// DroppedEventsKey counts records that were meant to become events on
	// the span but did not, because the span's budget (MaxSpanEvents,
	// MaxSpanBytes) was used up.
	DroppedEventsKey = "slogspan.dropped_events"
	// TruncatedValuesKey counts keys and values shortened or omitted on the
	// span's events.
	TruncatedValuesKey = "slogspan.truncated_values"
)

// spanState is the Handler's bookkeeping for one span. It never holds the
// span itself strongly (see spanRef): a span the program drops is
// reclaimed, ended or not.
type spanState struct {
	ref             spanRef
	traceID, spanID string // lowercase hex, for next

	mu        sync.Mutex
	events    int
	bytes     int
	dropped   int64
	truncated int64

	// nexts is read without a lock and replaced, copied, under mu.
	nexts atomic.Pointer[[]nextWithIDs]

	// eventsFull is set once MaxSpanEvents is reached. The count only
	// grows, so from then on records are dropped without being converted.
	eventsFull atomic.Bool
}

// nextWithIDs is a Handler's next with this span's ids added.
type nextWithIDs struct {
	h    *Handler
	next slog.Handler
}

// maxNextsPerSpan bounds the handlers whose next is kept per span, for
// programs that derive a new logger for every call.
const maxNextsPerSpan = 8

// nextFor returns h's next handler with the span's ids added, building it
// on first use. It returns nil when the span already keeps
// maxNextsPerSpan others.
func (s *spanState) nextFor(h *Handler) slog.Handler {
	if next := s.findNext(h); next != nil {
		return next
	}
	if p := s.nexts.Load(); p != nil && len(*p) >= maxNextsPerSpan {
		return nil
	}
	// Built outside the lock: next's WithAttrs is the caller's code.
	next := h.nextWithIDs(s.traceID, s.spanID)
	s.mu.Lock()
	defer s.mu.Unlock()
	if found := s.findNext(h); found != nil {
		return found
	}
	var nexts []nextWithIDs
	if p := s.nexts.Load(); p != nil {
		nexts = *p
	}
	if len(nexts) < maxNextsPerSpan {
		nexts = append(slices.Clip(nexts), nextWithIDs{h, next})
		s.nexts.Store(&nexts)
	}
	return next
}

func (s *spanState) findNext(h *Handler) slog.Handler {
	if p := s.nexts.Load(); p != nil {
		for _, n := range *p {
			if n.h == h {
				return n.next
			}
		}
	}
	return nil
}

// reserve claims room for one event of size bytes within limits on span,
// and reports whether it fits. The claim and the counters are updated
// together, so counts stay exact when many goroutines log to one span.
func (s *spanState) reserve(span trace.Span, size int, truncated int, l *Limits) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !within(s.events+1, l.MaxSpanEvents) {
		s.eventsFull.Store(true)
		s.dropLocked(span)
		return false
	}
	if !within(s.bytes+size, l.MaxSpanBytes) {
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
func (s *spanState) drop(span trace.Span) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropLocked(span)
}

// dropLocked counts a drop and sets the counter on span. The counter is
// set under s.mu, so that the last value set is the highest.
func (s *spanState) dropLocked(span trace.Span) {
	s.dropped++
	span.SetAttributes(attribute.Int64(DroppedEventsKey, s.dropped))
}

// spanTable maps recording spans to their state. Entries refer to their
// span weakly, so the table keeps no span alive. Entries whose span has
// ended or been reclaimed are swept once as many spans were added since
// the last sweep as were live then (at least minSweepEvery), so that the
// table stays proportional to the live spans and the cost of sweeping
// stays constant per span.
type spanTable struct {
	shards   [spanShards]spanShard
	added    atomic.Int64 // spans added since the last sweep
	sweepAt  atomic.Int64
	sweeping atomic.Bool
}

const (
	spanShards = 16
	// minSweepEvery is small because held ended spans cost the whole
	// program GC work: sweeping every 64 spans made logging on a recording
	// span 1.4x the hand-written floor in BenchmarkSpanFiveAttrs; every 8,
	// 1.14x.
	minSweepEvery = 8
)

type spanKey struct {
	traceID trace.TraceID
	spanID  trace.SpanID
}

type spanShard struct {
	mu sync.RWMutex
	m  map[spanKey]*spanState
}

func newSpanTable() *spanTable {
	t := &spanTable{}
	for i := range t.shards {
		t.shards[i].m = make(map[spanKey]*spanState)
	}
	t.sweepAt.Store(minSweepEvery)
	return t
}

// get returns the state of span, whose span context is sc, creating it on
// first use. A span object other than the one an entry was made for, with
// the same ids (a fixed id generator, a replayed context), replaces the
// entry: the old state belongs to a span that is gone or ended.
func (t *spanTable) get(span trace.Span, sc trace.SpanContext) *spanState {
	k := spanKey{sc.TraceID(), sc.SpanID()}
	sh := &t.shards[k.spanID[7]%spanShards]
	ref := refOf(span)

	sh.mu.RLock()
	st := sh.m[k]
	sh.mu.RUnlock()
	if st != nil && st.ref.is(ref) {
		return st
	}

	sh.mu.Lock()
	st = sh.m[k]
	created := st == nil || !st.ref.is(ref)
	if created {
		st = &spanState{ref: ref.keep(span), traceID: k.traceID.String(), spanID: k.spanID.String()}
		sh.m[k] = st
	}
	sh.mu.Unlock()
	if created && t.added.Add(1) >= t.sweepAt.Load() && t.sweeping.CompareAndSwap(false, true) {
		go t.sweep()
	}
	return st
}

// sweep removes the state of spans that were reclaimed or are no longer
// recording.
func (t *spanTable) sweep() {
	defer t.sweeping.Store(false)
	live := int64(0)
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		for k, st := range sh.m {
			if span := st.ref.span(); span == nil || !span.IsRecording() {
				delete(sh.m, k)
			}
		}
		live += int64(len(sh.m))
		sh.mu.Unlock()
	}
	t.added.Store(0)
	t.sweepAt.Store(max(minSweepEvery, live))
}

// len returns the number of spans tracked.
func (t *spanTable) len() int {
	n := 0
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}
