package onspan

import (
	"slices"
	"sync/atomic"
)

// maxKept bounds the values kept on one span, maxKeptBytes those kept on
// all spans, as their keepers count them.
const (
	maxKept      = 8
	maxKeptBytes = 4 << 20
)

var keptBytes atomic.Int64 // kept on all spans

// keptValue is a value kept for key; nil while it is being made.
type keptValue struct {
	key, value any
	bytes      int
}

// Keeps reports whether the span can keep values: whether it has a budget.
func (tg *Target) Keeps() bool { return tg.sh != nil }

// Kept returns the value kept for key on the span, as last looked at, or nil.
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

// Keep keeps the value build returns for key on the span, counting size
// bytes, and returns it. build is called outside the lock, only when the
// span has an entry, fewer than maxKept values and none for key, and size
// fits in maxKeptBytes. Otherwise Keep returns the value kept for key, or
// nil when there is none yet.
func (tg *Target) Keep(key any, size int, build func() any) any {
	sh := tg.sh
	if sh == nil || keptBytes.Load()+int64(size) > maxKeptBytes {
		return nil
	}
	sh.mu.Lock()
	e, ok := sh.m[tg.key]
	if !ok {
		sh.mu.Unlock()
		return nil // ended or released
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
	// Its place is taken now, so that no other goroutine builds it too.
	x.store(append(slices.Clip(kept), keptValue{key: key, bytes: size}))
	sh.mu.Unlock()

	v := build()
	sh.mu.Lock()
	defer sh.mu.Unlock()
	if x.gone {
		return v // ended meanwhile; its bytes were given back
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

// leave gives back the bytes x kept, as its entry goes. The shard's lock
// must be held.
func (x *more) leave() {
	x.gone = true
	if p := x.kept.Swap(nil); p != nil {
		for _, k := range *p {
			keptBytes.Add(-int64(k.bytes))
		}
	}
}
