package slogspan

import (
	"encoding/hex"
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
	// nextCalls counts the records passed to next without a kept
	// next-with-ids, to decide when keeping one pays.
	nextCalls atomic.Int32

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

// recordsBeforeKeepingNext is how many records a span passes to next, with
// the ids added to each record, before next with the ids added is derived
// and kept. Deriving costs about as much as three records with the ids
// added, and most spans get one to three records. With a group open, the
// ids can only be added by deriving, so next is kept at once.
const recordsBeforeKeepingNext = 3

// nextFor returns h's next handler with the span's ids added, building it
// when keeping it pays. It returns nil when the record should get the ids
// itself: too few records yet, or the span already keeps maxNextsPerSpan
// others.
func (s *spanState) nextFor(h *Handler) slog.Handler {
	if next := s.findNext(h); next != nil {
		return next
	}
	if h.nextBase == nil && s.nextCalls.Add(1) <= recordsBeforeKeepingNext {
		return nil
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
// span weakly, so the table keeps no span alive. Each new entry's shard is
// swept a little as it is added: sweepPerAdd entries, from a random place
// (Go's map iteration starts at one), are dropped if their span has ended
// or been reclaimed. That keeps the table within a small multiple of the
// live spans, at a constant cost per span and with no goroutine.
type spanTable struct {
	shards [spanShards]spanShard
}

const (
	spanShards = 16
	// sweepPerAdd is how many entries each new entry's shard checks. Two
	// keep at most about half the entries stale in the steady state.
	sweepPerAdd = 2
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

	var stale [sweepPerAdd]candidate
	sh.mu.Lock()
	st = sh.m[k]
	created := st == nil || !st.ref.is(ref)
	if created {
		st = &spanState{ref: ref.keep(span)}
		st.traceID, st.spanID = hexIDs(k.traceID, k.spanID)
		sh.m[k] = st
		sh.pick(stale[:])
	}
	sh.mu.Unlock()
	if created {
		sh.dropEnded(stale[:])
	}
	return st
}

// candidate is an entry the sweep looks at.
type candidate struct {
	k  spanKey
	st *spanState
}

// pick fills c with entries of the shard from a random place (Go starts
// each map iteration at one). sh.mu must be held.
func (sh *spanShard) pick(c []candidate) {
	i := 0
	for k, st := range sh.m {
		if i == len(c) {
			return
		}
		c[i] = candidate{k, st}
		i++
	}
}

// dropEnded removes the candidates whose span was reclaimed or no longer
// records. The spans are asked without the shard's lock: IsRecording is a
// span implementation's code, which might log.
func (sh *spanShard) dropEnded(c []candidate) {
	for _, e := range c {
		if e.st == nil {
			continue
		}
		if span := e.st.ref.span(); span != nil && span.IsRecording() {
			continue
		}
		sh.mu.Lock()
		if sh.m[e.k] == e.st {
			delete(sh.m, e.k)
		}
		sh.mu.Unlock()
	}
}

// sweepAll removes every entry whose span was reclaimed or no longer
// records.
func (t *spanTable) sweepAll() {
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		all := make([]candidate, len(sh.m))
		sh.pick(all)
		sh.mu.Unlock()
		sh.dropEnded(all)
	}
}

// hexIDs returns the lowercase hex forms of the ids, sharing one
// allocation.
func hexIDs(traceID trace.TraceID, spanID trace.SpanID) (string, string) {
	var b [48]byte
	hex.Encode(b[:32], traceID[:])
	hex.Encode(b[32:], spanID[:])
	s := string(b[:])
	return s[:32], s[32:]
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
