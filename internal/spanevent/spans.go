package spanevent

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
)

// Every span slogspan writes to has one budget (MaxSpanEvents,
// MaxSpanBytes) and one pair of counters, shared by every Handler and
// Processor of the program: they live in one table, known by the span's
// trace and span ids. A span's entry is made when its first event is
// reserved and dropped when the span ends, which the SDK tells the
// spanevents.SpanTracker, a span processor (see tracked.go). Spans whose
// TracerProvider has no tracker get no entry, and so no budget.
//
// The table holds no span, only ids and counts. A span that is never
// ended keeps its entry; MaxSpans bounds them.

// MaxSpans bounds the spans with an entry: spans that took an event and
// have not ended. Past it, each new span releases the entry of another,
// picked at random (in practice one that was never ended, as those
// accumulate), whose budget then starts over if it logs again.
const MaxSpans = 1 << 18

const (
	shardCount = 32
	perShard   = MaxSpans / shardCount
)

type spanKey struct {
	traceID trace.TraceID
	spanID  trace.SpanID
}

type shard struct {
	mu sync.Mutex
	m  map[spanKey]*state
	_  [48]byte // one cache line per shard: cores logging to other shards do not contend
}

// table is the program's one table.
var table [shardCount]shard

// shardOf picks k's shard from its span id, mixed so that sequential ids
// (a test's id generator) spread as random ones do.
func shardOf(k spanKey) *shard {
	h := binary.LittleEndian.Uint64(k.spanID[:]) * 0x9e3779b97f4a7c15
	return &table[h>>59]
}

// released counts the entries released at MaxSpans.
var released atomic.Int64

// state is one span's budget and counters.
type state struct {
	mu sync.Mutex
	// events is written under mu and read without it: a span that took
	// MaxSpanEvents keeps them, so its records can be dropped before
	// they are converted.
	events    atomic.Int64
	bytes     int
	dropped   int64
	truncated int64
	// changes counts changes of the counters, and published how many of
	// them the span was last given; publishing is set while a goroutine
	// sets them on the span (see counters.go).
	changes, published uint64
	publishing         bool

	// kept is read without a lock and replaced, copied, under mu (see
	// kept.go).
	kept atomic.Pointer[[]keptValue]
	// gone is set, under mu, once the entry left the table.
	gone bool
}

// Target is a recording span that one record's event goes to, with the
// span's state: nil when the span is not tracked and has no budget. Get
// one from Open for each record.
type Target struct {
	Span trace.Span
	st   *state
}

// Open returns the target for span, whose span context is sc, with its
// state, made now if the span has none. A span whose TracerProvider has no
// SpanTracker gets none: that is reported once, through otel.Handle.
func Open(span trace.Span, sc trace.SpanContext) Target {
	if !tracked(span) {
		reportUntracked()
		return Target{Span: span}
	}
	k := spanKey{sc.TraceID(), sc.SpanID()}
	sh := shardOf(k)
	sh.mu.Lock()
	st := sh.m[k]
	created := st == nil
	if created {
		st = new(state)
		sh.add(k, st)
	}
	sh.mu.Unlock()
	if created && !span.IsRecording() {
		// The span ended since the caller looked, and its end may have
		// been reported before the entry existed.
		sh.remove(k, st)
	}
	return Target{Span: span, st: st}
}

// add adds st for k, releasing another entry when the shard is full.
// sh.mu must be held.
func (sh *shard) add(k spanKey, st *state) {
	if sh.m == nil {
		sh.m = make(map[spanKey]*state)
	}
	if len(sh.m) >= perShard {
		for old := range sh.m { // Go starts each iteration at a random place
			sh.drop(old)
			break
		}
		if released.Add(1) == 1 {
			otel.Handle(fmt.Errorf("slogspan: %d spans took events and have not ended; "+
				"from now on each new one releases the budget of another, which starts over if it logs again. "+
				"A span never ended, or ended after its TracerProvider was shut down, leaves this behind", MaxSpans))
		}
	}
	sh.m[k] = st
}

// remove deletes k's entry if it is st.
func (sh *shard) remove(k spanKey, st *state) {
	sh.mu.Lock()
	if sh.m[k] == st {
		sh.drop(k)
	}
	sh.mu.Unlock()
}

// drop deletes k's entry, and gives back what its span kept. sh.mu must be
// held.
func (sh *shard) drop(k spanKey) {
	if st := sh.m[k]; st != nil {
		st.unkeep()
		delete(sh.m, k)
	}
}

// Ended drops the entry of the span with sc's ids: the span ended. The
// spanevents.SpanTracker calls it from OnEnd.
func Ended(sc trace.SpanContext) {
	k := spanKey{sc.TraceID(), sc.SpanID()}
	sh := shardOf(k)
	sh.mu.Lock()
	if len(sh.m) > 0 {
		sh.drop(k)
	}
	sh.mu.Unlock()
}

// Len returns how many spans have an entry.
func Len() int {
	n := 0
	for i := range table {
		sh := &table[i]
		sh.mu.Lock()
		n += len(sh.m)
		sh.mu.Unlock()
	}
	return n
}

// SkipWhenFull is the fast path for a span that took l.MaxSpanEvents
// events already: later records need not be converted. When the span is
// full, it counts the record as dropped and reports true, with a
// log.record.uid for the record when canLink says the full record can be
// found (see Event.Put).
func (tg *Target) SkipWhenFull(l *Limits, canLink bool) (uid string, full bool) {
	st := tg.st
	if st == nil || Within(int(st.events.Load())+1, l.MaxSpanEvents) {
		return "", false
	}
	st.mu.Lock()
	st.dropped++
	st.changes++
	st.mu.Unlock()
	st.publish(tg.Span)
	if canLink {
		uid = newUID()
	}
	return uid, true
}

// Reserve claims room for one event of size bytes, with truncated values
// cut, within l and the span's budget, and reports whether it fits. The
// claim and the counters change together, so counts stay exact when many
// goroutines log to one span. A span without a state has no budget: the
// event always fits.
func (tg *Target) Reserve(size, truncated int, l *Limits) bool {
	st := tg.st
	if st == nil {
		return true
	}
	st.mu.Lock()
	events := int(st.events.Load())
	fits := Within(events+1, l.MaxSpanEvents) && Within(st.bytes+size, l.MaxSpanBytes)
	if fits {
		st.events.Store(int64(events + 1))
		st.bytes += size
		st.truncated += int64(truncated)
	} else {
		st.dropped++
	}
	changed := !fits || truncated > 0
	if changed {
		st.changes++
	}
	st.mu.Unlock()
	if changed {
		st.publish(tg.Span)
	}
	return fits
}
