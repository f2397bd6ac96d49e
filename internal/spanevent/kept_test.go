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
