package onspan

import (
	"slices"
	"sync/atomic"
)

// maxKept bounds the values kept on one span, for programs that derive a
// new logger for every call.
const maxKept = 8

// maxKeptBytes bounds the bytes of the values kept on all spans at once,
// as their keepers count them, so that spans that are never ended cannot
// fill memory with them: past it, callers do without (the Handler formats
// the ids for each record).
const maxKeptBytes = 4 << 20

// keptBytes counts the bytes of the values kept on all spans.
var keptBytes atomic.Int64

// keptValue is a value kept for key; nil while it is being made.
type keptValue struct {
	key, value any
	bytes      int
}

// Keeps reports whether the target's span can keep values: whether it has
// a budget.
func (tg *Target) Keeps() bool { return tg.sh != nil }

// Kept returns the value kept for key on the target's span, as its entry
// was last looked at, or nil.
func (tg *Target) Kept(key any) any {
	if tg.more == nil {
		return nil
	}
	if p := tg.more.kept.Load(); p != nil {
		for _, k := range *p {
			if k.key == key {
				return k.value
			}
		}
	}
	return nil
}

// Keep keeps the value build returns for key on the target's span, counting
// size bytes for it, and returns it. build is called, outside any lock, only
// when the value can be kept: the span has an entry, keeps fewer than
// maxKept values and none for key, and size fits in what maxKeptBytes
// leaves. Otherwise Keep returns the value kept for key, or nil when there
// is none (or it is still being made).
func (tg *Target) Keep(key any, size int, build func() any) any {
	sh := tg.sh
	if sh == nil || keptBytes.Load()+int64(size) > maxKeptBytes {
		return nil
	}
	sh.mu.Lock()
	e, ok := sh.m[tg.key]
	if !ok {
		sh.mu.Unlock()
		return nil // its span ended, or its entry was released
	}
	var kept []keptValue
	if e.events&hasMore != 0 {
		tg.more = sh.more[tg.key]
		if p := tg.more.kept.Load(); p != nil {
			kept = *p
		}
	}
	for _, k := range kept {
		if k.key == key {
			sh.mu.Unlock()
			return k.value
		}
	}
	if len(kept) >= maxKept || keptBytes.Add(int64(size)) > maxKeptBytes {
		if len(kept) < maxKept {
			keptBytes.Add(-int64(size))
		}
		sh.mu.Unlock()
		return nil
	}
	x := sh.moreOf(tg.key, &e)
	sh.m[tg.key] = e
	tg.more = x
	// Its place is taken now, so that no other goroutine makes it too.
	x.store(append(slices.Clip(kept), keptValue{key: key, bytes: size}))
	sh.mu.Unlock()

	v := build() // the caller's code: outside the lock
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if x.gone {
		return v // its span ended meanwhile, and its bytes were given back
	}
	kept = slices.Clone(*x.kept.Load())
	for i := range kept {
		if kept[i].key == key {
			kept[i].value = v
		}
	}
	x.store(kept)
	return v
}

func (x *more) store(kept []keptValue) { x.kept.Store(&kept) }

// leave gives back the bytes of the values x kept, as its entry goes.
// The shard's lock must be held.
func (x *more) leave() {
	x.gone = true
	if p := x.kept.Swap(nil); p != nil {
		for _, k := range *p {
			keptBytes.Add(-int64(k.bytes))
		}
	}
}
