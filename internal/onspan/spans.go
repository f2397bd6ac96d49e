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

// MaxSpans bounds the spans with an entry (that took an event and have not
// ended), MaxSpans/shardCount a shard: past that, each new span of a full
// shard releases a random entry of it, whose budget starts over if it logs
// again. The first shard fills at about 96 to 98% of MaxSpans.
const MaxSpans = 1 << 18

const (
	shardCount = 32
	perShard   = MaxSpans / shardCount
)

// spanKey is a span's span id and its trace id folded to 64 bits.
type spanKey struct{ trace, span uint64 }

func keyOf(sc trace.SpanContext) spanKey {
	t, s := sc.TraceID(), sc.SpanID()
	return spanKey{
		trace: binary.LittleEndian.Uint64(t[:8]) ^ binary.LittleEndian.Uint64(t[8:]),
		span:  binary.LittleEndian.Uint64(s[:]),
	}
}

// entry is what a span took so far; both counts saturate. events carries
// the hasMore and full flags.
type entry struct {
	events uint32
	bytes  uint32 // at most math.MaxInt32
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

// more is what a span keeps beside its entry, made when first needed and
// guarded by the shard's lock, but kept, which is read without it and
// replaced under it. changes counts the counters' changes, published those
// the span was given; publishing is set while a goroutine sets them. gone is
// set once the entry left the table.
type more struct {
	dropped, truncated int64
	changes, published uint64
	publishing         bool
	kept               atomic.Pointer[[]keptValue]
	gone               bool
}

type shard struct {
	mu   sync.Mutex
	m    map[spanKey]entry
	more map[spanKey]*more
	full atomic.Int32 // entries marked full
	_    [28]byte     // one cache line per shard
}

var table [shardCount]shard

// shardOf picks k's shard from its span id, mixed so that sequential ids
// spread as random ones do.
func shardOf(k spanKey) *shard {
	return &table[(k.span*0x9e3779b97f4a7c15)>>59]
}

var released atomic.Int64

var reportReleased = sync.OnceFunc(func() {
	otel.Handle(fmt.Errorf("slogspan: %d spans took events and have not ended; "+
		"from now on each new one releases the budget of another, which starts over if it logs again. "+
		"A span never ended, or ended after its TracerProvider was shut down, leaves this behind", MaxSpans))
})

// Target is the recording span one record's event goes to, with its place
// in the table. Get one from Open for each record.
type Target struct {
	Span   trace.Span
	sh     *shard // nil: no budget
	key    spanKey
	events int   // as the entry was last looked at
	more   *more // as the entry was last looked at
}

// Open returns the target for span, whose span context is sc, without a
// lock. A span whose TracerProvider has no SpanTracker has no budget, which
// is reported once through otel.Handle.
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

// moreOf returns k's more, made if needed; the caller stores *e back.
// sh.mu must be held.
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
	for old := range sh.m { // at a random place
		sh.drop(old)
		break
	}
	released.Add(1)
	reportReleased()
}

// drop deletes k's entry and gives back what it kept. sh.mu must be held.
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

// Ended drops the entry of the span with sc's ids, which ended.
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

// SkipWhenFull reports whether the span took l.MaxSpanEvents events
// already, counting the record as dropped, with a new log.record.uid when
// canLink. It takes the lock only once a span of the shard was refused an
// event for their count.
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
// cut, within l and the span's budget, and reports whether it fits; the
// claim and the counters change under one lock. A span without a budget
// always has room.
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
	if !ok && !tg.Span.IsRecording() { // its end may have been reported before the entry existed
		sh.mu.Lock()
		sh.drop(tg.key)
		sh.mu.Unlock()
	}
	if changed {
		x.publish(sh, tg.Span)
	}
	return fits
}

// Events returns how many events the span took, as last looked at.
func (tg *Target) Events() int { return tg.events }
