package onspan

import (
	"encoding/binary"
	"fmt"
	"math"
	"sync"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"
)

// MaxSpans bounds the spans with an entry: spans that took an event and
// have not ended. The table has shardCount shards, each holding at most
// MaxSpans/shardCount entries: past that, each new span of a full shard
// releases the entry of another of that shard, picked at random (in
// practice one that was never ended, as those accumulate), whose budget
// then starts over if it logs again. With random span ids the first shard
// fills when about 96 to 98% of MaxSpans spans have an entry.
const MaxSpans = 1 << 18

const (
	shardCount = 32
	perShard   = MaxSpans / shardCount
)

// spanKey is a span's key: its span id, and its trace id folded to 64
// bits. Two spans share a key only if they share a span id, which the SDK
// draws at random for each local span.
type spanKey struct{ trace, span uint64 }

func keyOf(sc trace.SpanContext) spanKey {
	t, s := sc.TraceID(), sc.SpanID()
	return spanKey{
		trace: binary.LittleEndian.Uint64(t[:8]) ^ binary.LittleEndian.Uint64(t[8:]),
		span:  binary.LittleEndian.Uint64(s[:]),
	}
}

// entry is a span's budget: what it took so far. Both counts saturate.
type entry struct {
	// events taken, with hasMore set when the span has a more, and full
	// once it was refused an event for their count.
	events uint32
	bytes  uint32 // bytes taken, at most math.MaxInt32
}

const (
	hasMore    = 1 << 31
	full       = 1 << 30
	eventsMask = full - 1
)

func (e entry) taken() int { return int(e.events & eventsMask) }

// take counts one more event of size bytes.
func (e *entry) take(size int) {
	if e.taken() < eventsMask {
		e.events++
	}
	e.bytes = uint32(min(int64(e.bytes)+int64(size), math.MaxInt32)) //nolint:gosec // G115: at most MaxInt32.
}

// more is what a span keeps beyond its budget, made when first needed.
// Its fields are guarded by the shard's lock, but kept.
type more struct {
	dropped   int64
	truncated int64
	// changes counts changes of the counters, and published how many of
	// them the span was last given; publishing is set while a goroutine
	// sets them on the span (see counters.go).
	changes, published uint64
	publishing         bool

	// kept is read without a lock and replaced, copied, under the lock
	// (see kept.go).
	kept atomic.Pointer[[]keptValue]
	// gone is set once the entry left the table.
	gone bool
}

type shard struct {
	mu   sync.Mutex
	m    map[spanKey]entry
	more map[spanKey]*more
	// full counts the entries marked full: while there is none, no span
	// of the shard need be looked up before its record is converted.
	full atomic.Int32
	_    [28]byte // one cache line per shard: cores logging to other shards do not contend
}

// table is the program's one table.
var table [shardCount]shard

// shardOf picks k's shard from its span id, mixed so that sequential ids
// (a test's id generator) spread as random ones do.
func shardOf(k spanKey) *shard {
	return &table[(k.span*0x9e3779b97f4a7c15)>>59]
}

// released counts the entries released at MaxSpans.
var released atomic.Int64

var reportReleased = sync.OnceFunc(func() {
	otel.Handle(fmt.Errorf("slogspan: %d spans took events and have not ended; "+
		"from now on each new one releases the budget of another, which starts over if it logs again. "+
		"A span never ended, or ended after its TracerProvider was shut down, leaves this behind", MaxSpans))
})

// Target is a recording span that one record's event goes to, with the
// span's place in the table: none when the span is not tracked and has no
// budget. Get one from Open for each record.
type Target struct {
	Span trace.Span
	sh   *shard // nil: no budget
	key  spanKey
	// events and more are the span's, as its entry was last looked at.
	events int
	more   *more
}

// Open returns the target for span, whose span context is sc. A span whose
// TracerProvider has no SpanTracker has no budget: that is reported once,
// through otel.Handle. Open takes no lock: the span's entry is made by
// its first Reserve.
func Open(span trace.Span, sc trace.SpanContext) Target {
	if !tracked(span) {
		reportUntracked()
		return Target{Span: span}
	}
	k := keyOf(sc)
	return Target{Span: span, sh: shardOf(k), key: k}
}

// look notes e, the target's entry, and its more. sh.mu must be held.
func (tg *Target) look(e entry) {
	tg.events, tg.more = e.taken(), nil
	if e.events&hasMore != 0 {
		tg.more = tg.sh.more[tg.key]
	}
}

// moreOf returns the more of k, whose entry is *e, made now if it has none.
// The caller stores *e back. sh.mu must be held.
func (sh *shard) moreOf(k spanKey, e *entry) *more {
	if e.events&hasMore != 0 {
		return sh.more[k]
	}
	if sh.more == nil {
		sh.more = make(map[spanKey]*more)
	}
	x := new(more)
	sh.more[k] = x
	e.events |= hasMore
	return x
}

// makeRoom releases an entry when the shard is full. sh.mu must be held.
func (sh *shard) makeRoom() {
	if sh.m == nil {
		sh.m = make(map[spanKey]entry)
	}
	if len(sh.m) < perShard {
		return
	}
	for old := range sh.m { // Go starts each iteration at a random place
		sh.drop(old)
		break
	}
	released.Add(1)
	reportReleased()
}

// drop deletes k's entry, and gives back what its span kept. sh.mu must be
// held.
func (sh *shard) drop(k spanKey) {
	e, ok := sh.m[k]
	if !ok {
		return
	}
	if e.events&hasMore != 0 {
		sh.more[k].leave()
		delete(sh.more, k)
	}
	if e.events&full != 0 {
		sh.full.Add(-1)
	}
	delete(sh.m, k)
}

// Ended drops the entry of the span with sc's ids: the span ended. The
// spanevents.SpanTracker calls it from OnEnd.
func Ended(sc trace.SpanContext) {
	k := keyOf(sc)
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
// found (see Event.Put). It looks the span up only once a span of its
// shard was refused an event for their count: until then, Reserve refuses
// what does not fit.
func (tg *Target) SkipWhenFull(l *Limits, canLink bool) (uid string, skip bool) {
	sh := tg.sh
	if sh == nil || l.MaxSpanEvents < 0 || sh.full.Load() == 0 {
		return "", false
	}
	sh.mu.Lock()
	e, ok := sh.m[tg.key]
	if !ok || Within(e.taken()+1, l.MaxSpanEvents) {
		tg.look(e)
		sh.mu.Unlock()
		return "", false
	}
	x := sh.moreOf(tg.key, &e)
	sh.m[tg.key] = e
	x.dropped++
	x.changes++
	tg.look(e)
	sh.mu.Unlock()
	x.publish(sh, tg.Span)
	if canLink {
		uid = newUID()
	}
	return uid, true
}

// Reserve claims room for one event of size bytes, with truncated values
// cut, within l and the span's budget, and reports whether it fits. The
// claim and the counters change together, so counts stay exact when many
// goroutines log to one span. A span without a budget always has room.
func (tg *Target) Reserve(size, truncated int, l *Limits) bool {
	sh := tg.sh
	if sh == nil {
		return true
	}
	sh.mu.Lock()
	e, ok := sh.m[tg.key]
	if !ok {
		sh.makeRoom()
	}
	room := Within(e.taken()+1, l.MaxSpanEvents)
	fits := room && Within(int(e.bytes)+size, l.MaxSpanBytes)
	if fits {
		e.take(size)
	}
	if !room && e.events&full == 0 {
		e.events |= full
		sh.full.Add(1)
	}
	changed := !fits || truncated > 0
	var x *more
	if changed {
		x = sh.moreOf(tg.key, &e)
		if fits {
			x.truncated += int64(truncated)
		} else {
			x.dropped++
		}
		x.changes++
	}
	sh.m[tg.key] = e
	tg.look(e)
	sh.mu.Unlock()
	if !ok && !tg.Span.IsRecording() {
		// The span ended since the caller looked, and its end may have
		// been reported before the entry existed.
		sh.mu.Lock()
		sh.drop(tg.key)
		sh.mu.Unlock()
	}
	if changed {
		x.publish(sh, tg.Span)
	}
	return fits
}

// Events returns how many events the target's span took, as its entry was
// last looked at: 0 for a span without a budget.
func (tg *Target) Events() int { return tg.events }
