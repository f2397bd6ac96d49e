package spanevent

// Most spans get one to three log records. Giving each of them a State (an
// allocation, a map entry, a weak pointer and a share of the sweep) costs
// more than the records themselves, so a span starts in a shard's young
// cache instead: a fixed array of counts, with no pointer in it. The cache
// keeps no span reachable and never grows, and it needs no sweep: the
// oldest entry of a set makes room for a new span.
//
// A span leaves the cache for a State (see Table) when it needs what only
// a State has: a kept next handler, a count of cut values or drops, or more
// than MaxYoungEvents events. A span whose entry was overwritten before its
// next record, after a whole set of newer spans logged in between, starts
// over in the cache: it may then take up to MaxYoungEvents more events
// than MaxSpanEvents allows, and as many events' bytes more than
// MaxSpanBytes. Counts of cut values and drops stay exact.

// MaxYoungEvents is the most events a span has while its counts are kept
// in the young cache.
const MaxYoungEvents = 3

const (
	youngWays = 4  // entries per set: a new span replaces the oldest
	youngSets = 64 // sets per shard: 16 × 64 × 4 = 4096 spans in all
)

// youngEntry is the bookkeeping of a span with few events. It holds the
// span's address for identity, as an integer: it does not keep the span
// alive.
type youngEntry struct {
	k      spanKey // zero: free
	addr   uintptr
	events int
	bytes  int
	stamp  uint64 // the shard's add count when last used: older is smaller
}

// youngSet is one set of the cache: a span's entry is in the set its span
// id hashes to.
type youngSet [youngWays]youngEntry

// youngCache is a shard's cache, allocated on first use.
type youngCache struct {
	sets  [youngSets]youngSet
	clock uint64
}

// find returns the entry for the span with key k at addr, or nil. The
// shard's lock must be held.
func (c *youngCache) find(k spanKey, h uint64, addr uintptr) *youngEntry {
	if c == nil {
		return nil
	}
	set := &c.sets[youngSetOf(h)]
	for i := range set {
		if e := &set[i]; e.k == k && e.addr == addr {
			return e
		}
	}
	return nil
}

// add makes room for a new entry in its set and returns it, empty but
// for its key and address. An entry with the same ids (another span
// object: the ids were reused) is replaced first, else a free one is
// used, else the least recently used. The shard's lock must be held.
func (c *youngCache) add(k spanKey, h uint64, addr uintptr) *youngEntry {
	set := &c.sets[youngSetOf(h)]
	var free, oldest *youngEntry
	for i := range set {
		e := &set[i]
		switch {
		case e.k == k:
			*e = youngEntry{k: k, addr: addr}
			return e
		case e.k == (spanKey{}):
			if free == nil {
				free = e
			}
		case oldest == nil || e.stamp < oldest.stamp:
			oldest = e
		}
	}
	slot := free
	if slot == nil {
		slot = oldest
	}
	*slot = youngEntry{k: k, addr: addr}
	return slot
}

// touch records one more event of size bytes on e.
func (c *youngCache) touch(e *youngEntry, size int) {
	c.clock++
	e.events++
	e.bytes += size
	e.stamp = c.clock
}

// youngSetOf picks a set from a span key's hash; the shard takes other
// bits of it.
func youngSetOf(h uint64) int { return int(h>>32) % youngSets }
