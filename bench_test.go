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
)

// The benchmarks compare slogspan with the floor it cannot beat, in the
// same run: compare the sub-benchmarks' columns with
//
//	go test -run '^$' -bench . -benchmem -count 10 > bench.txt
//	benchstat -col /impl bench.txt     # slogspan against its baseline
//	benchstat -col /size bench.txt     # 1 MiB values against 1 KiB

var fiveAttrs = []slog.Attr{
	slog.String("user", "u-1234"),
	slog.Int("status", 200),
	slog.Duration("latency", 42*time.Millisecond),
	slog.Bool("cached", true),
	slog.Float64("ratio", 0.75),
}

// benchSpan returns a context with a recording span from a provider that
// exports nothing, so that only the cost of recording is measured.
func benchSpan(b *testing.B) (context.Context, trace.Span) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanLimits(sdktrace.SpanLimits{
		AttributeValueLengthLimit:   -1,
		AttributeCountLimit:         128,
		EventCountLimit:             128,
		AttributePerEventCountLimit: 128,
		LinkCountLimit:              128,
		AttributePerLinkCountLimit:  128,
	}))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp.Tracer("bench").Start(context.Background(), "bench")
}

func newNext() slog.Handler { return slog.NewJSONHandler(io.Discard, nil) }

// everyRecordAnEvent lifts the span budget so that every record becomes an
// event, as in the floor; the value and event limits stay at their defaults.
var everyRecordAnEvent = slogspan.WithLimits(slogspan.Limits{MaxSpanEvents: -1, MaxSpanBytes: -1})

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
}

// passthrough is the cheapest possible wrapping handler.
type passthrough struct{ h slog.Handler }

func (p passthrough) Enabled(ctx context.Context, l slog.Level) bool  { return p.h.Enabled(ctx, l) }
func (p passthrough) Handle(ctx context.Context, r slog.Record) error { return p.h.Handle(ctx, r) }
func (p passthrough) WithAttrs(as []slog.Attr) slog.Handler           { return passthrough{p.h.WithAttrs(as)} }
func (p passthrough) WithGroup(name string) slog.Handler              { return passthrough{p.h.WithGroup(name)} }

func BenchmarkSpanFiveAttrs(b *testing.B) {
	b.Run("impl=baseline", func(b *testing.B) {
		ctx, span := benchSpan(b)
		l := slog.New(newNext())
		b.ReportAllocs()
		for b.Loop() {
			l.LogAttrs(ctx, slog.LevelInfo, "request done", fiveAttrs...)
			span.AddEvent("request done", trace.WithTimestamp(time.Now()), trace.WithAttributes(
				attribute.String("level", "INFO"),
				attribute.String("user", "u-1234"),
				attribute.Int("status", 200),
				attribute.String("latency", "42ms"),
				attribute.Bool("cached", true),
				attribute.Float64("ratio", 0.75),
			))
		}
	})
	b.Run("impl=slogspan", func(b *testing.B) {
		ctx, _ := benchSpan(b)
		l := slog.New(slogspan.New(newNext(), everyRecordAnEvent))
		b.ReportAllocs()
		for b.Loop() {
			l.LogAttrs(ctx, slog.LevelInfo, "request done", fiveAttrs...)
		}
	})
	b.Run("impl=slogspan-with-group", func(b *testing.B) {
		ctx, _ := benchSpan(b)
		l := slog.New(slogspan.New(newNext(), everyRecordAnEvent)).WithGroup("req")
		b.ReportAllocs()
		for b.Loop() {
			l.LogAttrs(ctx, slog.LevelInfo, "request done", fiveAttrs...)
		}
	})
}

// BenchmarkValueSize logs one string value of each size with next disabled
// for the level, so only the span path is measured. 1 KiB fits the default
// MaxValueBytes; 1 MiB is cut to it.
func BenchmarkValueSize(b *testing.B) {
	for _, c := range []struct {
		name string
		size int
	}{{"size=1KiB", 1 << 10}, {"size=1MiB", 1 << 20}} {
		b.Run(c.name, func(b *testing.B) {
			ctx, _ := benchSpan(b)
			next := slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError})
			l := slog.New(slogspan.New(next, slogspan.WithEventLevel(slog.LevelInfo), everyRecordAnEvent))
			v := strings.Repeat("x", c.size)
			b.ReportAllocs()
			for b.Loop() {
				l.LogAttrs(ctx, slog.LevelInfo, "payload", slog.String("body", v))
			}
		})
	}
}
