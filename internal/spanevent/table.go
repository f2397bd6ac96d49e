package spanevent

import (
	"encoding/binary"
	"encoding/hex"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel/trace"
)

// Table keeps the bookkeeping of recording spans: counts in a shard's
// young cache while a span has few events (see young.go), then a State.
// States refer to their span weakly, so the table keeps no span alive.
// Each new State's shard is swept a little as it is added: sweepPerAdd
// entries, from a random place (Go's map iteration starts at one), are
// dropped if their span has ended or been reclaimed. That keeps the States
// within a small multiple of the live spans, at a constant cost per span
// and with no goroutine.
type Table struct {
	shards [spanShards]spanShard
}

const (
	spanShards = 16
	// sweepPerAdd is how many entries each new State's shard checks. Two
	// keep at most about half the entries stale in the steady state.
	sweepPerAdd = 2
)

type spanKey struct {
	traceID trace.TraceID
	spanID  trace.SpanID
}

// hash mixes the span id's bits, so that sequential ids (a test's id
// generator) spread over shards and sets as random ones do.
func (k spanKey) hash() uint64 {
	return binary.LittleEndian.Uint64(k.spanID[:]) * 0x9e3779b97f4a7c15
}

type spanShard struct {
	mu    sync.Mutex
	m     map[spanKey]*State
	young *youngCache // nil until a span of the shard uses it
	// states counts the States in m by young set, so that a span whose
	// set has none is known to have none without a lookup. Written
	// under mu, read without it.
	states [youngSets]atomic.Int32
}

// put adds or replaces the State for k, whose hash is h. sh.mu must be
// held.
func (sh *spanShard) put(k spanKey, h uint64, st *State) {
	if _, ok := sh.m[k]; !ok {
		sh.states[youngSetOf(h)].Add(1)
	}
	sh.m[k] = st
}

// remove deletes the State for k. sh.mu must be held.
func (sh *spanShard) remove(k spanKey) {
	if _, ok := sh.m[k]; ok {
		delete(sh.m, k)
		sh.states[youngSetOf(k.hash())].Add(-1)
	}
}

// NewTable returns an empty table.
func NewTable() *Table {
	t := &Table{}
	for i := range t.shards {
		t.shards[i].m = make(map[spanKey]*State)
	}
	return t
}

// Target is a recording span that a record's event goes to, and the
// span's bookkeeping. Get one from Table.Target for each record and use it
// on that record only, from one goroutine.
type Target struct {
	Span trace.Span
	t    *Table
	k    spanKey
	h    uint64
	addr uintptr // the span object's, 0 if it is not a pointer
	st   *State  // nil while the span has none
	// youngMax is how many events the span may have while its counts
	// are young.
	youngMax int
}

// Target returns the target for span, whose span context is sc, with the
// span's State when it has one. A State made for another span object with
// the same ids (a fixed id generator, a replayed context) is not span's:
// the first State span needs replaces it. While the span has no more than
// youngMax events, and at most MaxYoungEvents, its counts may stay young:
// a caller that keeps something in the State from the second event on
// passes 1.
func (t *Table) Target(span trace.Span, sc trace.SpanContext, youngMax int) Target {
	k := spanKey{sc.TraceID(), sc.SpanID()}
	tg := Target{Span: span, t: t, k: k, h: k.hash(), addr: addrOf(span), youngMax: min(youngMax, MaxYoungEvents)}
	sh := tg.shard()
	if sh.states[youngSetOf(tg.h)].Load() == 0 {
		return tg // the common case: a span with few events has no State
	}
	sh.mu.Lock()
	st := sh.m[k]
	sh.mu.Unlock()
	if st != nil && st.ref.is(tg.ref()) {
		tg.st = st
	}
	return tg
}

func (tg *Target) shard() *spanShard { return &tg.t.shards[tg.h>>60] }

// ref identifies the target's span object.
func (tg *Target) ref() spanRef {
	if tg.addr != 0 {
		return spanRef{addr: tg.addr}
	}
	return spanRef{strong: tg.Span}
}

// State returns the span's State, or nil while its counts are young.
func (tg *Target) State() *State { return tg.st }

// SkipWhenFull is State.SkipWhenFull for a span with a State. A span
// without one is never full.
func (tg *Target) SkipWhenFull(canLink bool) (uid string, full bool) {
	if tg.st == nil {
		return "", false
	}
	return tg.st.SkipWhenFull(tg.Span, canLink)
}

// Reserve claims room for one event of size bytes, with truncated values
// cut, within l and the span's budget, and reports whether it fits. While
// the event is whole and the span has fewer than the target's youngMax
// events, the span's counts stay in the young cache. Otherwise the span
// gets a State, which carries on from the young counts.
func (tg *Target) Reserve(size, truncated int, l *Limits) bool {
	if tg.st == nil {
		if tg.reserveYoung(size, truncated, l) {
			return true
		}
		tg.ensure()
	}
	return tg.st.Reserve(tg.Span, size, truncated, l)
}

// reserveYoung reserves room for the event in the young cache, and
// reports whether it did.
func (tg *Target) reserveYoung(size, truncated int, l *Limits) bool {
	if tg.addr == 0 || truncated > 0 {
		return false // a span that is not a pointer has no address to keep
	}
	sh := tg.shard()
	sh.mu.Lock()
	ok := sh.reserveYoungLocked(tg, size, l)
	sh.mu.Unlock()
	return ok
}

// reserveYoungLocked is reserveYoung with sh.mu held.
func (sh *spanShard) reserveYoungLocked(tg *Target, size int, l *Limits) bool {
	if sh.states[youngSetOf(tg.h)].Load() != 0 {
		if st := sh.m[tg.k]; st != nil && st.ref.is(tg.ref()) {
			return false // another goroutine gave the span a State
		}
	}
	if sh.young == nil {
		sh.young = new(youngCache)
	}
	e, slot := sh.young.find(tg.k, tg.h, tg.addr)
	if e == nil && sh.young.evicted(tg.h) {
		return false // counted before, maybe: exact from now on
	}
	events, bytes := 0, 0
	if e != nil {
		events, bytes = int(e.events), e.bytes
	}
	if events >= tg.youngMax || !Within(events+1, l.MaxSpanEvents) || !Within(bytes+size, l.MaxSpanBytes) {
		return false
	}
	if e == nil {
		e = sh.young.take(slot, tg.k, tg.addr)
	}
	sh.young.touch(e, size)
	return true
}

// ensure gives the span a State, which carries on from its young counts,
// unless it has one.
func (tg *Target) ensure() {
	if tg.st != nil {
		return
	}
	sh := tg.shard()
	var stale [sweepPerAdd]candidate
	sh.mu.Lock()
	st := sh.m[tg.k]
	created := st == nil || !st.ref.is(tg.ref())
	if created {
		st = &State{ref: tg.ref().keep(tg.Span)}
		st.TraceID, st.SpanID = HexIDs(tg.k.traceID, tg.k.spanID)
		if e, _ := sh.young.find(tg.k, tg.h, tg.addr); e != nil {
			st.events, st.bytes = int(e.events), e.bytes
			st.NextCalls.Store(e.events)
			*e = youngEntry{}
		}
		sh.put(tg.k, tg.h, st)
		sh.pick(stale[:])
	}
	sh.mu.Unlock()
	if created {
		sh.dropEnded(stale[:])
	}
	tg.st = st
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
			sh.remove(e.k)
		}
		sh.mu.Unlock()
	}
}

// SweepAll removes every State whose span was reclaimed or no longer
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

// Len returns the number of spans with a State. Spans in the young caches
// are not counted: the caches have a fixed size.
func (t *Table) Len() int {
	n := 0
	for i := range t.shards {
		sh := &t.shards[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}
