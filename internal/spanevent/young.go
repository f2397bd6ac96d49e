package spanevent

// Most spans get one to three log records. Giving each of them a State (an
// allocation, a map entry, a weak pointer and a share of the sweep) costs
// more than the records themselves, so a span starts in a shard's young
// cache instead: a fixed array of counts, with no pointer in it. The cache
// keeps no span reachable and never grows, and it needs no sweep: the
// least recently used entry of a set makes room for a new span.
//
// A span leaves the cache for a State (see Table) when it needs what only
// a State has: a kept next handler, a count of cut values or drops, or more
// than MaxYoungEvents events.
//
// An entry that makes room is remembered as a ghost: two bits in a filter
// of recently evicted spans. A span that misses the cache but matches a
// ghost gets a State, exact from then on, instead of counting from zero
// again in the cache. What its evicted entry counted (at most
// MaxYoungEvents events) is the most it can take over its budget. A span
// silent for longer than the filter remembers (two generations of
// ghostsPerGeneration evictions in its shard) may do so again. A new span
// that matches a ghost by chance, about 2 in 100 when the cache is busy,
// just gets its State early.

// MaxYoungEvents is the most events a span has while its counts are kept
// in the young cache.
const MaxYoungEvents = 3

const (
	youngWays = 4  // entries per set: a new span replaces the oldest
	youngSets = 64 // sets per shard: 16 × 64 × 4 = 4096 spans in all

	ghostBits = 1 << 15 // per generation and shard
	// ghostsPerGeneration keeps a generation's filter about one eighth
	// full with two bits per ghost: a new span matches one of the two
	// generations by chance about 2 times in 100 (measured with the
	// SDK's random ids).
	ghostsPerGeneration = ghostBits / 16
)

// youngEntry is the bookkeeping of a span with few events. It holds the
// span's address for identity, as an integer: it does not keep the span
// alive.
type youngEntry struct {
	k      spanKey // zero: free
	addr   uintptr
	bytes  int
	events int32
	stamp  uint32 // the cache's clock when last used
}

// youngSet is one set of the cache: a span's entry is in the set its span
// id hashes to.
type youngSet [youngWays]youngEntry

// youngCache is a shard's cache, allocated on first use.
type youngCache struct {
	sets  [youngSets]youngSet
	clock uint32 // counts uses; wraps around

	// ghosts are two generations of evicted spans, ghosts[cur] the
	// newer; ghostsAdded counts the ghosts in it.
	ghosts      [2][ghostBits / 64]uint64
	cur         int
	ghostsAdded int
}

// find returns the entry for the span with key k at addr, or nil, and
// the slot a new entry for it would take: an entry with the same ids
// (another span object: the ids were reused), else a free one, else the
// least recently used. A nil cache has neither. The shard's lock must be
// held.
func (c *youngCache) find(k spanKey, h uint64, addr uintptr) (e, slot *youngEntry) {
	if c == nil {
		return nil, nil
	}
	set := &c.sets[youngSetOf(h)]
	var free, oldest *youngEntry
	for i := range set {
		e := &set[i]
		switch {
		case e.k == k:
			if e.addr == addr {
				return e, nil
			}
			slot = e
		case e.k == (spanKey{}):
			if free == nil {
				free = e
			}
		case oldest == nil || c.clock-e.stamp > c.clock-oldest.stamp:
			oldest = e // the least recently used: the oldest stamp
		}
	}
	switch {
	case slot != nil:
		return nil, slot
	case free != nil:
		return nil, free
	}
	return nil, oldest
}

// take empties slot, found by find, for the span with key k at addr, and
// returns it. The span it held, if any other than one with k's ids, is
// remembered as a ghost. The shard's lock must be held.
func (c *youngCache) take(slot *youngEntry, k spanKey, addr uintptr) *youngEntry {
	if slot.k != (spanKey{}) && slot.k != k {
		c.addGhost(slot.k.hash())
	}
	*slot = youngEntry{k: k, addr: addr}
	return slot
}

// addGhost remembers that the span whose key hashes to h was evicted. When
// the newer generation is full, it replaces the older one.
func (c *youngCache) addGhost(h uint64) {
	if c.ghostsAdded == ghostsPerGeneration {
		c.cur ^= 1
		clear(c.ghosts[c.cur][:])
		c.ghostsAdded = 0
	}
	w, mask := ghostBitsOf(h)
	c.ghosts[c.cur][w] |= mask
	c.ghostsAdded++
}

// evicted reports whether the span whose key hashes to h may have been
// evicted, as far as the ghosts remember. A nil cache evicted nothing.
func (c *youngCache) evicted(h uint64) bool {
	if c == nil {
		return false
	}
	w, mask := ghostBitsOf(h)
	return c.ghosts[0][w]&mask == mask || c.ghosts[1][w]&mask == mask
}

// ghostBitsOf picks a ghost's two bits, in one word so that a lookup
// reads one cache line per generation, from bits of h that choose neither
// the shard nor the set: the word, and a bit in it twice. The two may be
// the same bit.
func ghostBitsOf(h uint64) (word int, mask uint64) {
	return int(h & (ghostBits/64 - 1)), 1<<((h>>9)&63) | 1<<((h>>15)&63)
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
