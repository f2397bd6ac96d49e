package slogspan_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/spanevents"
)

// The benchmarks compare slogspan with the floor it cannot beat, in the
// same run (BenchmarkNoSpan: the missing-span report's cost on lines with
// no span, against next alone): compare the sub-benchmarks' columns with
//
//	go test -run '^$' -bench . -benchmem -count 10 > bench.txt
//	benchstat -col /impl bench.txt     # slogspan against its baseline
//	benchstat -col /size bench.txt     # 1 MiB values against 1 KiB

// The five values every benchmark logs. They are variables so that the
// hand-written floor converts them as slogspan must, instead of using
// strings the compiler worked out.
var (
	user    = "u-1234"
	status  = 200
	latency = 42 * time.Millisecond
	cached  = true
	ratio   = 0.75
)

var fiveAttrs = []slog.Attr{
	slog.String("user", user),
	slog.Int("status", status),
	slog.Duration("latency", latency),
	slog.Bool("cached", cached),
	slog.Float64("ratio", ratio),
}

// spans hands out recording spans from a provider that exports nothing, so
// that only the cost of recording is measured. A new span starts every
// perSpan records, as in a real program: within slogspan's default budget,
// and away from the SDK's eviction of events past 128 (which copies the
// whole event queue on every add).
type spans struct {
	tracer  trace.Tracer
	perSpan int
	n       int
	ctx     context.Context
	span    trace.Span
}

// newSpans returns spans from a provider with the span tracker registered
// when tracked: slogspan's runs pay for it, the baseline's do not.
func newSpans(b *testing.B, perSpan int, tracked bool) *spans {
	// A real program's provider has an exporting processor, so the SDK
	// makes each ended span's snapshot; this one drops it.
	opts := []sdktrace.TracerProviderOption{sdktrace.WithSpanProcessor(discardSpans{})}
	if tracked {
		opts = append(opts, sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return &spans{tracer: tp.Tracer("bench"), perSpan: perSpan}
}

func (s *spans) next() (context.Context, trace.Span) {
	if s.n%s.perSpan == 0 {
		if s.span != nil {
			s.span.End()
		}
		s.ctx, s.span = s.tracer.Start(context.Background(), "bench")
	}
	s.n++
	return s.ctx, s.span
}

func newNext() slog.Handler { return slog.NewJSONHandler(io.Discard, nil) }

func BenchmarkNoSpan(b *testing.B) {
	ctx := context.Background()
	b.Run("impl=baseline", func(b *testing.B) {
		l := slog.New(newNext())
		b.ReportAllocs()
		for b.Loop() {
			l.LogAttrs(ctx, slog.LevelInfo, "request done", fiveAttrs...)
		}
	})
	// What any wrapper costs: one more Enabled and Handle call, and one
	// more copy of the Record.
	b.Run("impl=passthrough", func(b *testing.B) {
		l := slog.New(passthrough{newNext()})
		b.ReportAllocs()
		for b.Loop() {
			l.LogAttrs(ctx, slog.LevelInfo, "request done", fiveAttrs...)
		}
	})
	b.Run("impl=slogspan", func(b *testing.B) {
		l := slog.New(slogspan.New(newNext()))
		b.ReportAllocs()
		for b.Loop() {
			l.LogAttrs(ctx, slog.LevelInfo, "request done", fiveAttrs...)
		}
	})
	// With the missing-span report on, once the program has started a
	// span: every record here is counted.
	b.Run("impl=slogspan-missing-spans", func(b *testing.B) {
		_, span := newSpans(b, 1, true).next()
		span.End()
		l := slog.New(slogspan.New(newNext(), slogspan.WithMissingSpans(true)))
		b.ReportAllocs()
		for b.Loop() {
			l.LogAttrs(ctx, slog.LevelInfo, "request done", fiveAttrs...)
		}
	})
}

// discardSpans is a span processor that drops every span, standing in for
// an exporting one.
type discardSpans struct{}

func (discardSpans) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (discardSpans) OnEnd(sdktrace.ReadOnlySpan)                     {}
func (discardSpans) Shutdown(context.Context) error                  { return nil }
func (discardSpans) ForceFlush(context.Context) error                { return nil }

// passthrough is the cheapest possible wrapping handler.
type passthrough struct{ h slog.Handler }

func (p passthrough) Enabled(ctx context.Context, l slog.Level) bool  { return p.h.Enabled(ctx, l) }
func (p passthrough) Handle(ctx context.Context, r slog.Record) error { return p.h.Handle(ctx, r) }
func (p passthrough) WithAttrs(as []slog.Attr) slog.Handler           { return passthrough{p.h.WithAttrs(as)} }
func (p passthrough) WithGroup(name string) slog.Handler              { return passthrough{p.h.WithGroup(name)} }

func BenchmarkSpanFiveAttrs(b *testing.B) {
	b.Run("impl=baseline", func(b *testing.B) {
		s := newSpans(b, slogspan.DefaultMaxSpanEvents, false)
		l := slog.New(newNext())
		b.ReportAllocs()
		for b.Loop() {
			ctx, span := s.next()
			l.LogAttrs(ctx, slog.LevelInfo, "request done", fiveAttrs...)
			span.AddEvent("request done", trace.WithTimestamp(time.Now()), trace.WithAttributes(
				attribute.String("level", slog.LevelInfo.String()),
				attribute.String("user", user),
				attribute.Int("status", status),
				attribute.String("latency", latency.String()),
				attribute.Bool("cached", cached),
				attribute.Float64("ratio", ratio),
			))
		}
	})
	b.Run("impl=slogspan", func(b *testing.B) {
		s := newSpans(b, slogspan.DefaultMaxSpanEvents, true)
		l := slog.New(slogspan.New(newNext()))
		b.ReportAllocs()
		for b.Loop() {
			ctx, _ := s.next()
			l.LogAttrs(ctx, slog.LevelInfo, "request done", fiveAttrs...)
		}
	})
	b.Run("impl=slogspan-with-group", func(b *testing.B) {
		s := newSpans(b, slogspan.DefaultMaxSpanEvents, true)
		l := slog.New(slogspan.New(newNext())).WithGroup("req")
		b.ReportAllocs()
		for b.Loop() {
			ctx, _ := s.next()
			l.LogAttrs(ctx, slog.LevelInfo, "request done", fiveAttrs...)
		}
	})
}

// BenchmarkValueSize logs one string value of each size with next disabled
// for the level, so only the span path is measured. 1 KiB fits the default
// MaxValueBytes; 1 MiB is cut to it. 50 events of about 1 KiB fit a span's
// default byte budget.
func BenchmarkValueSize(b *testing.B) {
	for _, c := range []struct {
		name string
		size int
	}{{"size=1KiB", 1 << 10}, {"size=1MiB", 1 << 20}, {"size=100MiB", 100 << 20}} {
		b.Run(c.name, func(b *testing.B) {
			s := newSpans(b, 50, true)
			next := slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError})
			l := slog.New(slogspan.New(next, slogspan.WithEventLevel(slog.LevelInfo)))
			v := strings.Repeat("x", c.size)
			b.ReportAllocs()
			for b.Loop() {
				ctx, _ := s.next()
				l.LogAttrs(ctx, slog.LevelInfo, "payload", slog.String("body", v))
			}
		})
	}
}

// BenchmarkEventPerSpan measures the span path alone, next disabled for
// the level: one record per span, its five attributes as an event, against
// the event written by hand on a provider set up the same way (an
// exporting processor; slogspan's also has the span tracker). Its columns
// show what slogspan adds per span and per record over the event itself:
//
//	go test -run '^$' -bench EventPerSpan -benchmem -count 8 . > ev.txt
//	benchstat -col /impl ev.txt
func BenchmarkEventPerSpan(b *testing.B) {
	b.Run("impl=floor", func(b *testing.B) {
		s := newSpans(b, 1, false)
		b.ReportAllocs()
		for b.Loop() {
			_, span := s.next()
			if !span.IsRecording() {
				continue
			}
			kvs := make([]attribute.KeyValue, 0, 6)
			kvs = append(kvs,
				attribute.String("level", slog.LevelInfo.String()),
				attribute.String("user", user),
				attribute.Int("status", status),
				attribute.String("latency", latency.String()),
				attribute.Bool("cached", cached),
				attribute.Float64("ratio", ratio),
			)
			span.AddEvent("request done", trace.WithTimestamp(time.Now()), trace.WithAttributes(kvs...))
		}
	})
	b.Run("impl=slogspan", func(b *testing.B) {
		s := newSpans(b, 1, true)
		next := slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError})
		l := slog.New(slogspan.New(next, slogspan.WithEventLevel(slog.LevelInfo)))
		b.ReportAllocs()
		for b.Loop() {
			ctx, _ := s.next()
			l.LogAttrs(ctx, slog.LevelInfo, "request done", fiveAttrs...)
		}
	})
}
