package spanevent

import "testing"

func TestKeptValuesAreBounded(t *testing.T) {
	// doc.go's "Memory": a span keeps at most maxKept values (8), one for
	// each logger writing to it; a key already kept keeps its first value.
	tg := Target{st: new(state)}
	for k := range 10 {
		if got := tg.Keep(k, k*10); got != k*10 {
			t.Errorf("Keep(%d) = %v, want the value it was given", k, got)
		}
	}
	if got := tg.Keep(0, -1); got != 0 {
		t.Errorf("Keep of a kept key = %v, want the first value, 0", got)
	}
	for k := range 10 {
		got, want := tg.Kept(k), any(nil)
		if k < 8 {
			want = k * 10
		}
		if got != want {
			t.Errorf("Kept(%d) = %v, want %v", k, got, want)
		}
	}
	if (&Target{}).Keep(1, 1) != nil || (&Target{}).Kept(1) != nil {
		t.Error("a span without a state keeps a value")
	}
}

func TestKeptValuesAreBoundedProgramWide(t *testing.T) {
	// Spans that never end cannot fill memory with kept values: past
	// MaxKeptTotal nothing more is kept, and a span's values are given
	// back as its entry goes.
	before := keptTotal.Load()
	t.Cleanup(func() { keptTotal.Store(before) })
	keptTotal.Store(MaxKeptTotal - 1)
	a, b := Target{st: new(state)}, Target{st: new(state)}
	a.Keep("k", 1)
	b.Keep("k", 2)
	if a.Kept("k") != 1 || b.Kept("k") != nil {
		t.Fatalf("kept %v and %v, want the first only", a.Kept("k"), b.Kept("k"))
	}
	a.st.unkeep()
	if keptTotal.Load() != MaxKeptTotal-1 || a.Keep("k", 3) != 3 || a.Kept("k") != nil {
		t.Error("a span that left the table still keeps, or its values were not given back")
	}
	b.Keep("k", 2)
	if b.Kept("k") != 2 {
		t.Error("room given back was not used")
	}
}
