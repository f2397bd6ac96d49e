package slogspan_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan"
)

// A span's first few events are counted without a per-span object (see
// internal/spanevent/young.go). These tests hold the budget across that
// and the State that takes over.

func TestByteBudgetCountsTheFirstEvents(t *testing.T) {
	// Each event is "line" plus level=INFO plus i (an int64): 4 + 9 + 9
	// bytes. Three fit in 70 bytes, a fourth does not: the bytes of the
	// first three must carry over to the State the fourth record needs.
	const eventSize = 4 + 9 + 9
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	l := slog.New(slogspan.New(slog.NewJSONHandler(io.Discard, nil),
		slogspan.WithLimits(slogspan.Limits{MaxSpanEvents: -1, MaxSpanBytes: 3*eventSize + 4})))
	for i := range 10 {
		l.InfoContext(ctx, "line", "i", i)
	}
	span.End()

	wantBudgetUsed(t, onlySpan(t, rec), 3, 7)
}

// wantBudgetUsed checks that s has events events and counts dropped
// records it did not take.
func wantBudgetUsed(t *testing.T, s sdktrace.ReadOnlySpan, events int, dropped int64) {
	t.Helper()
	if n := len(s.Events()); n != events {
		t.Errorf("span %q has %d events, want %d", s.Name(), n, events)
	}
	if v, _ := spanAttr(s, slogspan.DroppedEventsKey); v.AsInt64() != dropped {
		t.Errorf("span %q: %s = %d, want %d", s.Name(), slogspan.DroppedEventsKey, v.AsInt64(), dropped)
	}
}

func TestEventBudgetBelowTheFirstEventsIsExact(t *testing.T) {
	// MaxSpanEvents is reached while the span is counted without a State,
	// by many goroutines at once.
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	l := slog.New(slogspan.New(slog.NewJSONHandler(io.Discard, nil),
		slogspan.WithLimits(slogspan.Limits{MaxSpanEvents: 2})))
	const workers, each = 32, 20
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				l.InfoContext(ctx, "tick", "w", w, "i", i)
			}
		})
	}
	wg.Wait()
	span.End()

	wantBudgetUsed(t, onlySpan(t, rec), 2, workers*each-2)
}

func TestFirstEventsOfManySpansAreTheirOwn(t *testing.T) {
	// Spans logged to in turn, more of them than a young set holds, each
	// with MaxSpanEvents records: each gets exactly its own.
	tracer, rec := newTracer(t)
	l := slog.New(slogspan.New(slog.NewJSONHandler(io.Discard, nil),
		slogspan.WithLimits(slogspan.Limits{MaxSpanEvents: 2})))
	const spans = 64
	ctxs := make([]context.Context, spans)
	for i := range ctxs {
		ctxs[i], _ = tracer.Start(context.Background(), "op")
	}
	for range 3 {
		for i, ctx := range ctxs {
			l.InfoContext(ctx, "tick", "span", i)
		}
	}
	for _, ctx := range ctxs {
		trace.SpanFromContext(ctx).End()
	}
	for _, s := range rec.Ended() {
		wantBudgetUsed(t, s, 2, 1)
	}
}

func TestBudgetBoundWhenTheFirstEventsAreForgotten(t *testing.T) {
	// The documented bound: a span that logs, waits while thousands of
	// other spans log, then logs again, may take up to MaxEventsOverBudget
	// events more than MaxSpanEvents; never more.
	tracer, rec := newTracer(t)
	l := slog.New(slogspan.New(slog.NewJSONHandler(io.Discard, nil),
		slogspan.WithLimits(slogspan.Limits{MaxSpanEvents: 10})))
	ctx, long := tracer.Start(context.Background(), "long")
	for range slogspan.MaxEventsOverBudget {
		l.InfoContext(ctx, "early")
	}
	for range 20000 {
		c, s := tracer.Start(context.Background(), "short")
		l.InfoContext(c, "one")
		s.End()
	}
	for range 50 {
		l.InfoContext(ctx, "late")
	}
	long.End()

	for _, s := range rec.Ended() {
		if s.Name() != "long" {
			continue
		}
		n := len(s.Events())
		if n < 10 || n > 10+slogspan.MaxEventsOverBudget {
			t.Errorf("long span has %d events, want 10 to %d", n, 10+slogspan.MaxEventsOverBudget)
		}
		t.Logf("long span: %d events", n)
	}
}

func TestSparseLongSpanKeepsItsBudget(t *testing.T) {
	// A long span that logs once while thousands of other spans log: its
	// entry in the cache is taken each time before it logs again. It must
	// not count from zero each time, or its budget would never apply.
	tracer, rec := newTracer(t)
	l := slog.New(slogspan.New(slog.NewJSONHandler(io.Discard, nil),
		slogspan.WithLimits(slogspan.Limits{MaxSpanEvents: 10})))
	ctx, long := tracer.Start(context.Background(), "long")
	const rounds = 40
	for range rounds {
		l.InfoContext(ctx, "progress")
		for range 5000 {
			c, s := tracer.Start(context.Background(), "short")
			l.InfoContext(c, "one")
			s.End()
		}
	}
	long.End()

	for _, s := range rec.Ended() {
		if s.Name() != "long" {
			continue
		}
		n := len(s.Events())
		dropped, _ := spanAttr(s, slogspan.DroppedEventsKey)
		if n > 10+slogspan.MaxEventsOverBudget {
			t.Errorf("long span has %d events, want at most %d", n, 10+slogspan.MaxEventsOverBudget)
		}
		if n+int(dropped.AsInt64()) != rounds {
			t.Errorf("%d events + %d dropped != %d records", n, dropped.AsInt64(), rounds)
		}
		t.Logf("long span: %d events, %d dropped", n, dropped.AsInt64())
	}
}

func TestKeysThatHashAlikeAreBothKept(t *testing.T) {
	// Same length, first, middle and last bytes: the quick filter cannot
	// tell them apart, and the exact check must keep both.
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	l := slog.New(slogspan.New(slog.NewJSONHandler(io.Discard, nil)))
	l.InfoContext(ctx, "m", "aXbYd", 1, "aZbWd", 2, "k", 3, "k", 4)
	span.End()

	m := attrMap(onlyEvent(t, rec).Attributes)
	if m["aXbYd"].AsInt64() != 1 || m["aZbWd"].AsInt64() != 2 {
		t.Errorf("attributes = %v, want aXbYd=1 and aZbWd=2", m)
	}
	if m["k"].AsInt64() != 4 {
		t.Errorf("k = %v, want the last one, 4", m["k"].Emit())
	}
	if n := len(onlyEvent(t, rec).Attributes); n != 4 {
		t.Errorf("got %d attributes, want level, aXbYd, aZbWd and k", n)
	}
}

func TestRecordsBelowTheEventLevelKeepNoSpanState(t *testing.T) {
	// Only events need counting: lines that go to next alone get the ids
	// without any bookkeeping for their span.
	tracer, rec := newTracer(t)
	var out bytes.Buffer
	h := slogspan.New(slog.NewJSONHandler(&out, nil), slogspan.WithEventLevel(slog.LevelWarn))
	l := slog.New(h)
	for range 100 {
		ctx, span := tracer.Start(context.Background(), "op")
		for range 5 {
			l.InfoContext(ctx, "progress")
		}
		span.End()
	}
	if n := slogspan.SpansTracked(h); n != 0 {
		t.Errorf("%d spans have bookkeeping, want none", n)
	}
	lines := jsonLines(t, &out)
	if len(lines) != 500 {
		t.Fatalf("got %d lines, want 500", len(lines))
	}
	for _, m := range lines {
		if m["trace_id"] == nil || m["span_id"] == nil {
			t.Fatalf("line without ids: %v", m)
		}
	}
	for _, s := range rec.Ended() {
		if len(s.Events()) != 0 {
			t.Errorf("span has %d events below the event level", len(s.Events()))
		}
	}
}
