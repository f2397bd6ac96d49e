package onspan

import (
	"math/rand/v2"
	"testing"
)

// testTarget returns the target of a span with an entry in the table, and
// drops the entry when the test ends.
func testTarget(t *testing.T) Target {
	k := spanKey{trace: rand.Uint64(), span: rand.Uint64()}
	sh := shardOf(k)
	sh.mu.Lock()
	sh.makeRoom()
	sh.m[k] = entry{}
	sh.mu.Unlock()
	t.Cleanup(func() { end(k) })
	return Target{sh: sh, key: k}
}

// end drops k's entry, as Ended does.
func end(k spanKey) {
	sh := shardOf(k)
	sh.mu.Lock()
	sh.drop(k)
	sh.mu.Unlock()
}

// value returns a build function that returns v and counts its calls.
func value(v any, calls *int) func() any {
	return func() any { *calls++; return v }
}

func TestKeptValuesAreBounded(t *testing.T) {
	// doc.go's "Memory": a span keeps at most maxKept values (8), one for
	// each logger writing to it; a key already kept keeps its first value;
	// a value is made only when it will be kept.
	tg := testTarget(t)
	calls := 0
	for k := range 10 {
		got, want := tg.Keep(k, 10, value(k*10, &calls)), any(k*10)
		if k >= maxKept {
			want = nil
		}
		if got != want {
			t.Errorf("Keep(%d) = %v, want %v", k, got, want)
		}
	}
	if calls != maxKept {
		t.Errorf("%d values made, want the %d kept", calls, maxKept)
	}
	if got := tg.Keep(0, 10, value(-1, &calls)); got != 0 || calls != maxKept {
		t.Errorf("Keep of a kept key = %v, want the first value, 0, without making another", got)
	}
	for k := range 10 {
		got, want := tg.Kept(k), any(nil)
		if k < maxKept {
			want = k * 10
		}
		if got != want {
			t.Errorf("Kept(%d) = %v, want %v", k, got, want)
		}
	}
	if (&Target{}).Keep(1, 1, value(1, &calls)) != nil || (&Target{}).Kept(1) != nil {
		t.Error("a span without a budget keeps a value")
	}
}

func TestKeptValuesAreBoundedProgramWide(t *testing.T) {
	// Spans that never end cannot fill memory with kept values: past
	// maxKeptBytes nothing more is kept or made, and a span's bytes are
	// given back as its entry goes.
	before := keptBytes.Load()
	t.Cleanup(func() { keptBytes.Store(before) })
	keptBytes.Store(maxKeptBytes - 1000)
	a, b := testTarget(t), testTarget(t)
	calls := 0
	a.Keep("k", 600, value(1, &calls))
	if got := b.Keep("k", 600, value(2, &calls)); got != nil || calls != 1 || a.Kept("k") != 1 || b.Kept("k") != nil {
		t.Fatalf("kept %v and %v after %d values made, want the first only", a.Kept("k"), b.Kept("k"), calls)
	}
	if got := b.Keep("small", 400, value(3, &calls)); got != 3 {
		t.Errorf("a value that fits in what is left was not kept: %v", got)
	}
	end(a.key)
	if keptBytes.Load() != maxKeptBytes-600 || a.Keep("k", 600, value(4, &calls)) != nil {
		t.Error("a span that left the table still keeps, or its bytes were not given back")
	}
	if b.Keep("k", 600, value(2, &calls)) != 2 || b.Kept("k") != 2 {
		t.Error("room given back was not used")
	}
}
