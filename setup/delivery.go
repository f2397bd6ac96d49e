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
// batch processor to the receiver's answer: what the processor took in,
// what the exporter settled (delivered, or failed and counted), and the
// exports waiting for an answer. Whatever was taken in and never settled
// is lost, and shutdown says so with the count, whether it sat in a queue,
// in an export with no answer, or was dropped from a full queue.
type delivery struct {
	signal, endpoint string
	endpointFrom     string // the setting that gave endpoint, as KEY="value"
	r                *reporter

	// entered counts what the batch processor was given: sampled spans,
	// or log records.
	entered atomic.Int64
	// settled and inFlight are guarded by r.mu.
	settled  int64
	inFlight int
}

func newDelivery(signal string, t otlpTarget, r *reporter) *delivery {
	return &delivery{signal: signal, endpoint: t.endpoint, endpointFrom: t.from, r: r}
}

// export runs one export of items spans or records through do, reporting
// it when it has had no answer for a while, and settles it.
func (d *delivery) export(ctx context.Context, items int, do func(context.Context) error) error {
	d.r.begin(d)
	var watch *time.Timer
	if items > 0 {
		watch = time.AfterFunc(d.r.stallAfter, func() { d.r.stalled(d, items) })
	}
	var answered atomic.Bool // an OTLP/HTTP receiver's response came
	err := do(httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{GotFirstResponseByte: func() { answered.Store(true) }}))
	if watch != nil {
		watch.Stop()
	}
	return d.r.answered(ctx, d, items, err, answered.Load())
}

// countingSpanProcessor counts the sampled spans that reach the batch
// span processor it wraps, the spans that processor would export.
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

// countingLogProcessor counts the records that reach the batch processor
// it wraps.
type countingLogProcessor struct {
	sdklog.Processor
	d *delivery
}

func (p countingLogProcessor) OnEmit(ctx context.Context, r *sdklog.Record) error {
	p.d.entered.Add(1)
	return p.Processor.OnEmit(ctx, r)
}

// reportingSpanExporter settles and reports the exports of the exporter
// it wraps.
type reportingSpanExporter struct {
	sdktrace.SpanExporter
	d *delivery
}

func (e reportingSpanExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	return e.d.export(ctx, len(spans), func(ctx context.Context) error { return e.SpanExporter.ExportSpans(ctx, spans) })
}

// reportingLogExporter settles and reports the exports of the exporter it
// wraps.
type reportingLogExporter struct {
	sdklog.Exporter
	d *delivery
}

func (e reportingLogExporter) Export(ctx context.Context, records []sdklog.Record) error {
	return e.d.export(ctx, len(records), func(ctx context.Context) error { return e.Exporter.Export(ctx, records) })
}
