package benchmarks_test

import (
	"context"
	"io"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan/spanevents"
)

// shape is a workload: how many records each span gets, whether spans are
// sampled, whether the logger carries With attributes and a group, and
// the size of an extra value.
type shape struct {
	name      string
	perSpan   int  // 0: no span in the context
	unsampled bool // spans are not sampled: not recording
	with      bool
	valueSize int
	// alive is how many other spans are alive around the measured ones,
	// each with one record (an event), as in a busy service.
	alive int
}

var shapes = []shape{
	{name: "1-per-span", perSpan: 1},
	{name: "3-per-span", perSpan: 3},
	{name: "32-per-span", perSpan: 32},
	{name: "unsampled-with-group", perSpan: 1, unsampled: true, with: true},
	{name: "no-span", perSpan: 0},
	{name: "1MiB-value", perSpan: 1, valueSize: 1 << 20},
	{name: "1-per-span-100k-alive", perSpan: 1, alive: 100_000},
}

// spanSource starts a new span every perSpan records and ends the one
// before, so that one op is one record with its share of a span's life.
type spanSource struct {
	tracer  trace.Tracer
	perSpan int
	n       int
	ctx     context.Context
	span    trace.Span
}

// newSpanSource returns spans of the shape from an SDK TracerProvider with
// the set-up every real program has, the same for every implementation: a
// batching span processor whose exporter drops what it gets. slogspan's
// span tracker is registered for the implementations that need it (they
// pay for it; the others do not).
func newSpanSource(tb testing.TB, s shape, im impl, opts ...sdktrace.TracerProviderOption) *spanSource {
	opts = append(opts, sdktrace.WithBatcher(discardSpans{}))
	if s.unsampled {
		opts = append(opts, sdktrace.WithSampler(sdktrace.NeverSample()))
	}
	if im.tracker {
		opts = append(opts, sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()))
	}
	tp := sdktrace.NewTracerProvider(opts...)
	tb.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return &spanSource{tracer: tp.Tracer("bench"), perSpan: s.perSpan, ctx: context.Background()}
}

func (s *spanSource) next() context.Context {
	if s.perSpan == 0 {
		return s.ctx
	}
	if s.n%s.perSpan == 0 {
		if s.span != nil {
			s.span.End()
		}
		s.ctx, s.span = s.tracer.Start(context.Background(), "request")
	}
	s.n++
	return s.ctx
}

func (s *spanSource) end() {
	if s.span != nil {
		s.span.End()
	}
}

// keepAlive starts n spans from src's tracer, each with one record logged
// through log, and ends them when the benchmark is done.
func keepAlive(b *testing.B, src *spanSource, log logFunc, n int) {
	spans := make([]trace.Span, n)
	for i := range spans {
		var ctx context.Context
		ctx, spans[i] = src.tracer.Start(context.Background(), "alive")
		log(ctx, "")
	}
	b.Cleanup(func() {
		for _, span := range spans {
			span.End()
		}
	})
}

func BenchmarkShapes(b *testing.B) {
	for _, s := range shapes {
		value := strings.Repeat("v", s.valueSize)
		for _, im := range impls {
			b.Run("shape="+s.name+"/impl="+im.name, func(b *testing.B) {
				log := im.build(io.Discard, s.with)
				src := newSpanSource(b, s, im)
				keepAlive(b, src, log, s.alive)
				b.ReportAllocs()
				cpu := cpuTime()
				for b.Loop() {
					log(src.next(), value)
				}
				reportCPU(b, cpu)
				src.end()
			})
		}
	}
}

// reportCPU reports cpu-ns/op, the process's CPU time since cpu per op:
// unlike ns/op, it does not count the time other programs on a shared
// machine hold the cores, and it does count the garbage collector's work
// on the other core.
func reportCPU(b *testing.B, cpu int64) {
	if n := cpuTime() - cpu; cpu > 0 && n > 0 {
		b.ReportMetric(float64(n)/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkParallel runs the 1 and 3 records per span shapes from every
// core at once, each goroutine with spans of its own, as a busy service
// does: whatever an implementation keeps per span is shared.
func BenchmarkParallel(b *testing.B) {
	for _, s := range shapes {
		if s.name != "1-per-span" && s.name != "3-per-span" {
			continue
		}
		for _, im := range impls {
			b.Run("shape="+s.name+"-parallel/impl="+im.name, func(b *testing.B) {
				log := im.build(io.Discard, false)
				tracer := newSpanSource(b, s, im).tracer
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					src := &spanSource{tracer: tracer, perSpan: s.perSpan}
					for pb.Next() {
						log(src.next(), "")
					}
					src.end()
				})
			})
		}
	}
}

// discardSpans is a span exporter that drops every span.
type discardSpans struct{}

func (discardSpans) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (discardSpans) Shutdown(context.Context) error                             { return nil }
