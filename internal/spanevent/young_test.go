package spanevent

import (
	"encoding/binary"
	"testing"
	"unsafe"
)

// keyInSet returns the i-th key whose hash picks set 0, so that tests can
// fill one set.
func keyInSet(i int) (spanKey, uint64) {
	n := 0
	for id := uint64(1); ; id++ {
		var k spanKey
		binary.LittleEndian.PutUint64(k.spanID[:], id)
		k.traceID[0] = 1
		if h := k.hash(); youngSetOf(h) == 0 {
			if n == i {
				return k, h
			}
			n++
		}
	}
}

func TestYoungCacheSize(t *testing.T) {
	// doc.go promises about 320 KB per handler at most.
	perShard := unsafe.Sizeof(youngCache{})
	if total := spanShards * perShard; total > 330<<10 {
		t.Errorf("young caches take %d bytes per table (%d per shard)", total, perShard)
	}
}

func TestYoungCacheEvictsTheLeastRecentlyUsed(t *testing.T) {
	for _, clock := range []uint32{0, ^uint32(0) - 2} { // and across wrap-around
		c := &youngCache{clock: clock}
		add := func(k spanKey, h uint64, addr uintptr) *youngEntry {
			_, slot := c.find(k, h, addr)
			return c.take(slot, k, addr)
		}
		found := func(k spanKey, h uint64, addr uintptr) bool {
			e, _ := c.find(k, h, addr)
			return e != nil
		}
		var entries [youngWays]*youngEntry
		for i := range youngWays {
			k, h := keyInSet(i)
			entries[i] = add(k, h, uintptr(i+1))
			c.touch(entries[i], 1)
		}
		// Use the first again: the second is now the least recently used.
		c.touch(entries[0], 1)
		second, secondHash := keyInSet(1)
		k, h := keyInSet(youngWays)
		add(k, h, 99)
		if found(second, secondHash, 2) {
			t.Errorf("clock %d: the least recently used entry was kept", clock)
		}
		if first, fh := keyInSet(0); !found(first, fh, 1) {
			t.Errorf("clock %d: a recently used entry was evicted", clock)
		}
		if !c.evicted(secondHash) {
			t.Errorf("clock %d: the evicted entry left no ghost", clock)
		}
	}
}

func TestGhostsLastTwoGenerations(t *testing.T) {
	c := &youngCache{}
	first, h := keyInSet(0)
	c.addGhost(first.hash())
	for i := range ghostsPerGeneration {
		c.addGhost(uint64(i) * 0x9e3779b97f4a7c15)
	}
	if !c.evicted(h) {
		t.Fatal("a ghost was forgotten after one generation")
	}
	for i := range 2 * ghostsPerGeneration {
		c.addGhost(uint64(i+ghostsPerGeneration) * 0xbf58476d1ce4e5b9)
	}
	if c.evicted(h) {
		// Two bits in a filter one eighth full: a chance match is
		// possible but not with this fixed sequence.
		t.Error("a ghost outlived two generations")
	}
}
