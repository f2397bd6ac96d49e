package spanevent

import (
	"encoding/hex"
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

// Table maps recording spans to their state. Entries refer to their
// span weakly, so the table keeps no span alive. Each new entry's shard is
// swept a little as it is added: sweepPerAdd entries, from a random place
// (Go's map iteration starts at one), are dropped if their span has ended
// or been reclaimed. That keeps the table within a small multiple of the
// live spans, at a constant cost per span and with no goroutine.
type Table struct {
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
	m  map[spanKey]*State
}

// NewTable returns an empty table.
func NewTable() *Table {
	t := &Table{}
	for i := range t.shards {
		t.shards[i].m = make(map[spanKey]*State)
	}
	return t
}

// Get returns the state of span, whose span context is sc, creating it on
// first use. A span object other than the one an entry was made for, with
// the same ids (a fixed id generator, a replayed context), replaces the
// entry: the old state belongs to a span that is gone or ended.
func (t *Table) Get(span trace.Span, sc trace.SpanContext) *State {
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
		st = &State{ref: ref.keep(span)}
		st.TraceID, st.SpanID = HexIDs(k.traceID, k.spanID)
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
	st *State
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

// SweepAll removes every entry whose span was reclaimed or no longer
// records.
func (t *Table) SweepAll() {
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		all := make([]candidate, len(sh.m))
		sh.pick(all)
		sh.mu.Unlock()
		sh.dropEnded(all)
	}
}

// HexIDs returns the lowercase hex forms of the ids, sharing one
// allocation.
func HexIDs(traceID trace.TraceID, spanID trace.SpanID) (string, string) {
	var b [48]byte
	hex.Encode(b[:32], traceID[:])
	hex.Encode(b[32:], spanID[:])
	s := string(b[:])
	return s[:32], s[32:]
}

// Len returns the number of spans tracked.
func (t *Table) Len() int {
	n := 0
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.RLock()
		n += len(sh.m)
		sh.mu.RUnlock()
	}
	return n
}
