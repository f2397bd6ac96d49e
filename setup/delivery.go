package setup

import (
	"context"
	"net/http/httptrace"
	"sync/atomic"
	"time"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// A delivery follows the spans or log records of one signal from their
// batch processor to the receiver's answer: what was taken in and never
// settled (delivered, or failed and counted) is lost.
type delivery struct {
	signal, endpoint string
	endpointFrom     string // the setting that gave endpoint, as KEY="value"
	r                *reporter
	entered          atomic.Int64 // sampled spans, or log records, given to the batch processor
	settled          int64        // guarded by r.mu, as inFlight
	inFlight         int
}

func newDelivery(signal string, t otlpTarget, r *reporter) *delivery {
	return &delivery{signal: signal, endpoint: t.endpoint, endpointFrom: t.from, r: r}
}

// export runs one export of items spans or records through do, reports it
// when it waits long for an answer, and settles it.
func (d *delivery) export(ctx context.Context, items int, do func(context.Context) error) error {
	d.r.mu.Lock()
	d.inFlight++
	d.r.mu.Unlock()
	stopWatch := func() bool { return false }
	if items > 0 {
		stopWatch = time.AfterFunc(d.r.stallAfter, func() { d.r.stalled(d, items) }).Stop
	}
	var answered atomic.Bool // an OTLP/HTTP receiver's response came
	err := do(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotFirstResponseByte: func() { answered.Store(true) }}))
	stopWatch()
	return d.r.answered(ctx, d, items, err, answered.Load())
}

// countingSpanProcessor and countingLogProcessor count what reaches the
// batch processor they wrap.
type countingSpanProcessor struct {
	sdktrace.SpanProcessor
	d *delivery
}

func (p countingSpanProcessor) OnEnd(s sdktrace.ReadOnlySpan) {
	if s.SpanContext().IsSampled() {
		p.d.entered.Add(1)
	}
	p.SpanProcessor.OnEnd(s)
}

type countingLogProcessor struct {
	sdklog.Processor
	d *delivery
}

func (p countingLogProcessor) OnEmit(ctx context.Context, r *sdklog.Record) error {
	p.d.entered.Add(1)
	return p.Processor.OnEmit(ctx, r)
}

// reportingSpanExporter and reportingLogExporter settle and report the
// exports of the exporters they wrap.
type (
	reportingSpanExporter struct {
		sdktrace.SpanExporter
		d *delivery
	}
	reportingLogExporter struct {
		sdklog.Exporter
		d *delivery
	}
)

func (e reportingSpanExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	return e.d.export(ctx, len(spans), func(ctx context.Context) error { return e.SpanExporter.ExportSpans(ctx, spans) })
}

func (e reportingLogExporter) Export(ctx context.Context, records []sdklog.Record) error {
	return e.d.export(ctx, len(records), func(ctx context.Context) error { return e.Exporter.Export(ctx, records) })
}
