package onspan

import (
	"context"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
)

// fill adds an entry for n spans with random ids, as Reserve does for each
// span's first event, and returns how many entries there were when the
// first was released, or -1.
func fill(n int) (keys []spanKey, firstRelease int) {
	firstRelease = -1
	for range n {
		k := spanKey{trace: rand.Uint64(), span: rand.Uint64()}
		sh := shardOf(k)
		before := released.Load()
		sh.mu.Lock()
		sh.makeRoom()
		sh.m[k] = entry{events: 1}
		sh.mu.Unlock()
		if firstRelease < 0 && released.Load() != before {
			firstRelease = Len()
		}
		keys = append(keys, k)
	}
	return keys, firstRelease
}

func TestMaxSpansIsWhatTheDocsSay(t *testing.T) {
	// limits.go's MaxTrackedSpans: never more than MaxSpans entries; the
	// first is released once one of the shards is full, which with random
	// ids is when about 96 to 98% of MaxSpans spans have one (the fullest
	// of 32 shards is about two standard deviations above the mean), and
	// below 95% about once in ten thousand runs.
	if testing.Short() {
		t.Skip("fills the table")
	}
	start := Len()
	keys, first := fill(MaxSpans + MaxSpans/4)
	t.Cleanup(func() {
		for _, k := range keys {
			end(k)
		}
	})
	if n := Len(); n > MaxSpans || n < MaxSpans*99/100 {
		t.Errorf("%d entries after %d spans, want at most MaxSpans (%d), nearly all of it", n, len(keys), MaxSpans)
	}
	if first < MaxSpans*95/100-start || first > MaxSpans {
		t.Errorf("the first entry was released at %d entries, want from 95%% of MaxSpans (%d) to MaxSpans", first, MaxSpans*95/100)
	}
	t.Logf("the first entry was released at %d entries, %.2f%% of MaxSpans", first, 100*float64(first)/MaxSpans)
}

// BenchmarkSpanBudget is what a span that takes one event costs the
// table: Open, SkipWhenFull and Reserve for its event, Ended at its end.
func BenchmarkSpanBudget(b *testing.B) {
	tp := sdktrace.NewTracerProvider()
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	Track(tp)
	b.Cleanup(func() { Untrack(tp) })
	_, span := tp.Tracer("t").Start(context.Background(), "op")
	defer span.End()
	sc := span.SpanContext()
	l := Limits{}.WithDefaults()
	var spanID trace.SpanID
	for i := uint64(0); b.Loop(); i++ {
		binary.LittleEndian.PutUint64(spanID[:], i)
		sc = sc.WithSpanID(spanID)
		tg := Open(span, sc)
		tg.SkipWhenFull(&l, true)
		tg.Reserve(100, 0, &l)
		Ended(sc)
	}
}
