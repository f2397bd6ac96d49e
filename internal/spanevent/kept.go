package spanevent

import (
	"slices"
	"sync/atomic"
)

// A caller may keep a value on a span's state for as long as the span
// runs, by key: the Handler keeps its next handler with the span's ids
// added, so that the ids are formatted once per span rather than once per
// record. The values go when the state does, at the span's end.

// maxKept bounds the values kept on one span, for programs that derive a
// new logger for every call.
const maxKept = 8

// MaxKeptTotal bounds the values kept on all spans at once, so that spans
// that are never ended cannot fill memory with them: past it, callers do
// without (the Handler formats the ids for each record).
const MaxKeptTotal = 1 << 14

// keptTotal counts the values kept on all spans.
var keptTotal atomic.Int64

type keptValue struct {
	key, value any
}

// Keeps reports whether the target's span can keep values: whether it has
// a State.
func (tg *Target) Keeps() bool { return tg.st != nil }

// Kept returns the value kept for key on the target's span, or nil. A span
// without a state keeps nothing.
func (tg *Target) Kept(key any) any {
	if tg.st == nil {
		return nil
	}
	if p := tg.st.kept.Load(); p != nil {
		for _, k := range *p {
			if k.key == key {
				return k.value
			}
		}
	}
	return nil
}

// Keep keeps value for key on the target's span, unless a value is kept
// for key already, which it returns instead, or maxKept are. It returns
// nil for a span without a state.
func (tg *Target) Keep(key, value any) any {
	st := tg.st
	if st == nil {
		return nil
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	var kept []keptValue
	if p := st.kept.Load(); p != nil {
		kept = *p
	}
	for _, k := range kept {
		if k.key == key {
			return k.value
		}
	}
	if st.gone {
		return value // its span ended: nothing is kept for it any more
	}
	if len(kept) < maxKept && keptTotal.Add(1) <= MaxKeptTotal {
		kept = append(slices.Clip(kept), keptValue{key, value})
		st.kept.Store(&kept)
	} else if len(kept) < maxKept {
		keptTotal.Add(-1)
	}
	return value
}

// unkeep gives back the values st kept, as its entry goes.
func (st *state) unkeep() {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.gone = true
	if p := st.kept.Swap(nil); p != nil {
		keptTotal.Add(-int64(len(*p)))
	}
}

// Events returns how many events the target's span took so far, 0 for a
// span without a state.
func (tg *Target) Events() int {
	if tg.st == nil {
		return 0
	}
	return int(tg.st.events.Load())
}
