package spanevents_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/internal/memlog"
	"github.com/slogspan/slogspan/spanevents"
)

// The Logs SDK specification's event to span event bridge
// (specification/logs/sdk.md, status Development), rule by rule, for the
// default Processor: records emitted through the otel/log API into a real
// sdk/log LoggerProvider, on spans of a real sdk/trace TracerProvider.
//
//  1. "The processor MUST bridge a LogRecord to a span event if and only
//     if all of the following conditions are met": a non-empty EventName;
//     valid TraceId and SpanId; a current span in the resolved Context
//     whose IsRecording is true; the LogRecord's TraceId and SpanId equal
//     that span's. "If any of these conditions is not met, the processor
//     MUST do nothing."
//  2. "the processor MUST add exactly one span event".
//  3. The span event name MUST be the LogRecord's EventName.
//  4. The LogRecord's Timestamp, if set, MUST be the span event's
//     timestamp; otherwise its ObservedTimestamp, if set.
//  5. All Attributes MUST be copied as span event attributes.
//  6. Bridging "MUST NOT prevent that LogRecord from continuing through
//     the normal log processing pipeline."
//  7. Configurable parameters: none.

// pipeline is a program's telemetry as a user builds it: a TracerProvider
// whose ended spans are recorded, and a LoggerProvider with the bridge
// registered before a synchronous export to memory.
type pipeline struct {
	tracer   trace.Tracer
	spans    *tracetest.SpanRecorder
	logger   log.Logger
	exported *memlog.Exporter
}

type pipelineConfig struct {
	before     []sdklog.Processor // registered before the bridge
	spanLimits *sdktrace.SpanLimits
	logOpts    []sdklog.LoggerProviderOption
}

func newPipeline(t *testing.T, bridge sdklog.Processor, cfg pipelineConfig) *pipeline {
	t.Helper()
	spans := tracetest.NewSpanRecorder()
	limits := sdktrace.NewSpanLimits()
	if cfg.spanLimits != nil {
		limits = *cfg.spanLimits
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()),
		sdktrace.WithSpanProcessor(spans), sdktrace.WithRawSpanLimits(limits))
	exported := &memlog.Exporter{}
	var opts []sdklog.LoggerProviderOption
	for _, p := range cfg.before {
		opts = append(opts, sdklog.WithProcessor(p))
	}
	opts = append(opts, sdklog.WithProcessor(bridge), sdklog.WithProcessor(sdklog.NewSimpleProcessor(exported)))
	lp := sdklog.NewLoggerProvider(append(opts, cfg.logOpts...)...)
	t.Cleanup(func() {
		_ = lp.Shutdown(context.Background())
		_ = tp.Shutdown(context.Background())
	})
	return &pipeline{tp.Tracer("conformance"), spans, lp.Logger("conformance"), exported}
}

// only returns the one ended span.
func (p *pipeline) only(t *testing.T) sdktrace.ReadOnlySpan {
	t.Helper()
	ended := p.spans.Ended()
	if len(ended) != 1 {
		t.Fatalf("%d spans ended, want 1", len(ended))
	}
	return ended[0]
}

// noErrors fails t if anything is reported through otel.Handle while it
// runs: the bridge reports nothing about records it bridges.
func noErrors(t *testing.T) {
	t.Helper()
	var mu sync.Mutex
	var got []error
	prev := otel.GetErrorHandler()
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		mu.Lock()
		got = append(got, err)
		mu.Unlock()
	}))
	t.Cleanup(func() {
		otel.SetErrorHandler(prev)
		mu.Lock()
		defer mu.Unlock()
		if len(got) > 0 {
			t.Errorf("reported through otel.Handle: %v", errors.Join(got...))
		}
	})
}

// everyKind is an attribute of every kind a log record can hold, in sizes
// slogspan's limits would cut: maps (nested, empty, next to a dotted key
// that flattening would collide with), bytes that are not UTF-8, slices
// of mixed and nested values, an empty value, a long key, a long string,
// a long slice, and more attributes than slogspan keeps on an event.
func everyKind() []attribute.KeyValue {
	long := make([]string, 2000)
	for i := range long {
		long[i] = fmt.Sprint("element ", i)
	}
	kvs := []attribute.KeyValue{
		attribute.Bool("bool", true),
		attribute.Int64("int", -7),
		attribute.Float64("float", 2.5),
		attribute.String("string", "plain"),
		attribute.String("long string", strings.Repeat("s", 10<<10)),
		attribute.String("invalid utf-8", "a\xffb"),
		attribute.StringSlice("strings", long),
		attribute.Int64Slice("ints", []int64{1, 2, 3}),
		attribute.Float64Slice("floats", []float64{0.5, 1.5}),
		attribute.BoolSlice("bools", []bool{true, false}),
		attribute.ByteSlice("bytes", []byte{0x00, 0x01, 0xfe, 0xff}),
		{Key: "empty"},
		attribute.Map("a", attribute.Int("b", 1)),
		attribute.Int("a.b", 2),
		attribute.Map("nested",
			attribute.String("name", "n"),
			attribute.Map("inner", attribute.Int("depth", 2), attribute.Map("deepest", attribute.Bool("ok", true))),
			attribute.Map("empty map")),
		attribute.Map("empty map"),
		attribute.Slice("mixed", attribute.StringValue("x"), attribute.IntValue(1), attribute.BoolValue(false),
			attribute.ByteSliceValue([]byte{0xff}), attribute.Value{},
			attribute.SliceValue(attribute.IntValue(2), attribute.SliceValue(attribute.StringValue("deep"))),
			attribute.MapValue(attribute.String("k", "v"))),
		attribute.Slice("empty slice"),
		attribute.String(strings.Repeat("k", 2000), "long key"),
		attribute.String("log.record.uid", "the user's own"),
	}
	for i := range 40 {
		kvs = append(kvs, attribute.Int(fmt.Sprint("n", i), i))
	}
	return kvs
}

// emitEvent emits an event named name with attrs in ctx.
func emitEvent(ctx context.Context, l log.Logger, name string, attrs ...attribute.KeyValue) {
	var r log.Record
	r.SetEventName(name)
	r.SetTimestamp(time.Now())
	r.SetSeverity(log.SeverityInfo)
	r.SetBody(attribute.StringValue("body"))
	r.AddAttributes(attrs...)
	l.Emit(ctx, r)
}

// equalValue reports whether a and b are the same value of the same kind,
// at every depth.
func equalValue(a, b attribute.Value) bool {
	if a.Type() != b.Type() {
		return false
	}
	switch a.Type() {
	case attribute.SLICE:
		as, bs := a.AsSlice(), b.AsSlice()
		if len(as) != len(bs) {
			return false
		}
		for i := range as {
			if !equalValue(as[i], bs[i]) {
				return false
			}
		}
		return true
	case attribute.MAP:
		return equalKVs(a.AsMap(), b.AsMap())
	case attribute.BYTESLICE:
		return bytes.Equal(a.AsByteSlice(), b.AsByteSlice())
	default:
		return a.String() == b.String()
	}
}

func equalKVs(a, b []attribute.KeyValue) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Key != b[i].Key || !equalValue(a[i].Value, b[i].Value) {
			return false
		}
	}
	return true
}

func recordAttrs(r sdklog.Record) []attribute.KeyValue {
	var kvs []attribute.KeyValue
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		kvs = append(kvs, kv)
		return true
	})
	return kvs
}

// idRewriter is a log processor, registered before the bridge, that
// changes each record's ids, as a user's processor may.
type idRewriter func(r *sdklog.Record)

func (p idRewriter) OnEmit(_ context.Context, r *sdklog.Record) error {
	p(r)
	return nil
}
func (idRewriter) Enabled(context.Context, sdklog.EnabledParameters) bool { return true }
func (idRewriter) Shutdown(context.Context) error                         { return nil }
func (idRewriter) ForceFlush(context.Context) error                       { return nil }

// notRecording is a span that reports it is not recording, though the
// span it wraps records what it is given.
type notRecording struct{ trace.Span }

func (notRecording) IsRecording() bool { return false }

// withIDs is a recording span with the ids of sc, valid or not; records
// emitted in its context get them.
type withIDs struct {
	trace.Span
	sc trace.SpanContext
}

func (s withIDs) SpanContext() trace.SpanContext { return s.sc }

// Rule 1: a record is bridged if and only if every condition holds; else
// the bridge does nothing: no event anywhere, the record unchanged.
func TestSpecBridgesOnlyWhenEveryConditionHolds(t *testing.T) {
	other := trace.NewSpanContext(trace.SpanContextConfig{TraceID: trace.TraceID{9}, SpanID: trace.SpanID{9}})
	for _, c := range []struct {
		name    string
		event   string
		before  []sdklog.Processor
		sampler sdktrace.Sampler
		ctx     func(ctx context.Context, span trace.Span) context.Context
		want    bool
	}{
		{name: "every condition holds", event: "order.placed", want: true},
		{name: "empty event name", event: ""},
		{name: "no span in the context", event: "order.placed",
			ctx: func(context.Context, trace.Span) context.Context { return context.Background() }},
		{name: "span not sampled", event: "order.placed", sampler: sdktrace.NeverSample()},
		{name: "span not recording", event: "order.placed",
			ctx: func(ctx context.Context, span trace.Span) context.Context {
				return trace.ContextWithSpan(ctx, notRecording{span})
			}},
		{name: "no valid ids", event: "order.placed",
			ctx: func(ctx context.Context, span trace.Span) context.Context {
				return trace.ContextWithSpan(ctx, withIDs{span, trace.SpanContext{}})
			}},
		{name: "no valid trace id", event: "order.placed",
			ctx: func(ctx context.Context, span trace.Span) context.Context {
				return trace.ContextWithSpan(ctx, withIDs{span, span.SpanContext().WithTraceID(trace.TraceID{})})
			}},
		{name: "no valid span id", event: "order.placed",
			ctx: func(ctx context.Context, span trace.Span) context.Context {
				return trace.ContextWithSpan(ctx, withIDs{span, span.SpanContext().WithSpanID(trace.SpanID{})})
			}},
		{name: "another span's ids", event: "order.placed", before: []sdklog.Processor{idRewriter(func(r *sdklog.Record) {
			r.SetTraceID(other.TraceID())
			r.SetSpanID(other.SpanID())
		})}},
		{name: "another span id in the trace", event: "order.placed", before: []sdklog.Processor{idRewriter(func(r *sdklog.Record) {
			r.SetSpanID(other.SpanID())
		})}},
		{name: "the span id in another trace", event: "order.placed", before: []sdklog.Processor{idRewriter(func(r *sdklog.Record) {
			r.SetTraceID(other.TraceID())
		})}},
		{name: "no ids on the record", event: "order.placed", before: []sdklog.Processor{idRewriter(func(r *sdklog.Record) {
			r.SetTraceID(trace.TraceID{})
			r.SetSpanID(trace.SpanID{})
		})}},
	} {
		t.Run(c.name, func(t *testing.T) {
			noErrors(t)
			p := newPipeline(t, spanevents.NewProcessor(), pipelineConfig{before: c.before})
			tracer := p.tracer
			if c.sampler != nil {
				tp := sdktrace.NewTracerProvider(sdktrace.WithSampler(c.sampler), sdktrace.WithSpanProcessor(p.spans))
				t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
				tracer = tp.Tracer("unsampled")
			}
			ctx, span := tracer.Start(context.Background(), "op")
			emitCtx := ctx
			if c.ctx != nil {
				emitCtx = c.ctx(ctx, span)
			}
			attrs := []attribute.KeyValue{attribute.String("order", "A-1"), attribute.Int("items", 3)}
			emitEvent(emitCtx, p.logger, c.event, attrs...)
			span.End()

			events := 0
			for _, s := range p.spans.Ended() {
				events += len(s.Events())
				if len(s.Attributes()) != 0 {
					t.Errorf("span attributes %v, want none", s.Attributes())
				}
			}
			if want := map[bool]int{true: 1, false: 0}[c.want]; events != want {
				t.Errorf("%d events, want %d", events, want)
			}
			recs := p.exported.Records()
			if len(recs) != 1 || !equalKVs(recordAttrs(recs[0]), attrs) {
				t.Errorf("exported %d records; want the record unchanged", len(recs))
			}
		})
	}
}

// Rule 2: exactly one event per record bridged, however many records a
// span gets: slogspan's budget does not apply by default. The SDK's own
// span limits still do, as for any span event: the span keeps its
// EventCountLimit of them, and counts the rest as dropped.
func TestSpecAddsExactlyOneEventPerRecord(t *testing.T) {
	noErrors(t)
	const records = 150
	for _, c := range []struct {
		name   string
		limit  int
		events int
	}{
		{"room for all", 1000, records},
		{"the SDK's default limit", sdktrace.NewSpanLimits().EventCountLimit, 128}, // 128: README, limits.go
	} {
		t.Run(c.name, func(t *testing.T) {
			limits := sdktrace.NewSpanLimits()
			limits.EventCountLimit = c.limit
			p := newPipeline(t, spanevents.NewProcessor(), pipelineConfig{spanLimits: &limits})
			ctx, span := p.tracer.Start(context.Background(), "busy")
			for i := range records {
				emitEvent(ctx, p.logger, "tick", attribute.Int("i", i))
			}
			span.End()
			s := p.only(t)
			if n := len(s.Events()); n != c.events || n+s.DroppedEvents() != records {
				t.Errorf("span kept %d events and dropped %d; want %d added, %d kept", n, s.DroppedEvents(), records, c.events)
			}
			for i, ev := range s.Events() {
				if got := ev.Attributes[0].Value.AsInt64(); got != int64(records-c.events+i) {
					t.Fatalf("event %d is record %d", i, got)
				}
			}
		})
	}
}

// Rule 3: the event is named by the event name, whole.
func TestSpecNamesTheEventByTheEventName(t *testing.T) {
	noErrors(t)
	p := newPipeline(t, spanevents.NewProcessor(), pipelineConfig{})
	names := []string{"order.placed", strings.Repeat("n", 4<<10), "ünïcode event"}
	ctx, span := p.tracer.Start(context.Background(), "op")
	for _, name := range names {
		emitEvent(ctx, p.logger, name)
	}
	span.End()
	events := p.only(t).Events()
	if len(events) != len(names) {
		t.Fatalf("%d events, want %d", len(events), len(names))
	}
	for i, ev := range events {
		if ev.Name != names[i] {
			t.Errorf("event %d named %.40q (%d bytes), want %.40q (%d bytes)", i, ev.Name, len(ev.Name), names[i], len(names[i]))
		}
	}
}

// Rule 4: the event's time is the record's timestamp, else its observed
// timestamp (which sdk/log sets when the emitter did not), in every mode,
// and for all-records mode's log lines too.
func TestSpecStampsTheEventWithTheRecordsTime(t *testing.T) {
	noErrors(t)
	ts := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	observed := ts.Add(3 * time.Second)
	for _, mode := range []struct {
		name  string
		p     *spanevents.Processor
		lines bool // emit log lines, named by their body, not events
	}{
		{"specification", spanevents.NewProcessor(), false},
		{"WithLimits", spanevents.NewProcessor(spanevents.WithLimits(slogspan.Limits{})), false},
		{"WithAllRecords", spanevents.NewProcessor(spanevents.WithAllRecords(true)), false},
		{"WithAllRecords, lines", spanevents.NewProcessor(spanevents.WithAllRecords(true)), true},
	} {
		t.Run(mode.name, func(t *testing.T) {
			p := newPipeline(t, mode.p, pipelineConfig{})
			ctx, span := p.tracer.Start(context.Background(), "op")
			emit := func(name string, timestamp, observed time.Time) {
				var r log.Record
				if mode.lines {
					r.SetBody(attribute.StringValue(name))
				} else {
					r.SetEventName(name)
				}
				r.SetTimestamp(timestamp)
				r.SetObservedTimestamp(observed)
				p.logger.Emit(ctx, r)
			}
			before := time.Now()
			emit("both", ts, observed)
			emit("observed only", time.Time{}, observed)
			emit("timestamp only", ts, time.Time{})
			emit("neither", time.Time{}, time.Time{})
			after := time.Now()
			span.End()

			events := p.only(t).Events()
			if len(events) != 4 {
				t.Fatalf("%d events, want 4", len(events))
			}
			for i, want := range []time.Time{ts, observed, ts} {
				if !events[i].Time.Equal(want) {
					t.Errorf("event %q at %v, want %v", events[i].Name, events[i].Time, want)
				}
			}
			recs := p.exported.Records()
			if got := events[3].Time; got.Before(before) || got.After(after) || !got.Equal(recs[3].ObservedTimestamp()) {
				t.Errorf("event %q at %v, want the observed timestamp sdk/log set, %v", events[3].Name, got, recs[3].ObservedTimestamp())
			}
		})
	}
}

// Rule 5: all attributes are copied, each with its kind, at every depth,
// and nothing is added: no level, no uid, no flattening, nothing cut by
// slogspan. (The SDK's own span limits, unlimited sizes and 128
// attributes an event by default, leave these whole.)
func TestSpecCopiesEveryAttributeWithItsKind(t *testing.T) {
	noErrors(t)
	p := newPipeline(t, spanevents.NewProcessor(), pipelineConfig{})
	kvs := everyKind()
	ctx, span := p.tracer.Start(context.Background(), "op")
	emitEvent(ctx, p.logger, "every.kind", kvs...)
	span.End()

	events := p.only(t).Events()
	if len(events) != 1 {
		t.Fatalf("%d events, want 1", len(events))
	}
	got := events[0].Attributes
	recs := p.exported.Records()
	want := recordAttrs(recs[0]) // as sdk/log holds them: maps deduplicated and sorted
	if len(want) != len(kvs) {
		t.Fatalf("sdk/log kept %d of %d attributes", len(want), len(kvs))
	}
	if len(got) != len(want) {
		t.Fatalf("event has %d attributes, the record %d", len(got), len(want))
	}
	for i := range want {
		if want[i].Key == "invalid utf-8" {
			// The one repair: OTLP needs valid UTF-8, or the exporter
			// drops the span's whole batch.
			want[i].Value = attribute.StringValue("a\uFFFDb")
		}
		if got[i].Key != want[i].Key || !equalValue(got[i].Value, want[i].Value) {
			t.Errorf("attribute %d: event has %.60s=%s:%.60s, the record %.60s=%s:%.60s", i,
				got[i].Key, got[i].Value.Type(), got[i].Value.String(),
				want[i].Key, want[i].Value.Type(), want[i].Value.String())
		}
	}
	if events[0].DroppedAttributeCount != 0 {
		t.Errorf("the SDK dropped %d attributes", events[0].DroppedAttributeCount)
	}
}

// Rule 6: the record goes on through the pipeline, unchanged, whether it
// was bridged or not.
func TestSpecRecordsGoOnUnchanged(t *testing.T) {
	noErrors(t)
	p := newPipeline(t, spanevents.NewProcessor(), pipelineConfig{})
	kvs := everyKind()
	ctx, span := p.tracer.Start(context.Background(), "op")
	emitEvent(ctx, p.logger, "bridged", kvs...)
	emitEvent(context.Background(), p.logger, "not bridged", kvs...)
	span.End()
	if n := len(p.only(t).Events()); n != 1 {
		t.Fatalf("%d events, want 1", n)
	}

	recs := p.exported.Records()
	if len(recs) != 2 {
		t.Fatalf("exported %d records, want 2", len(recs))
	}
	// The record no bridge touched is the reference.
	ref := recordAttrs(recs[1])
	if got := recordAttrs(recs[0]); !equalKVs(got, ref) || recs[0].DroppedAttributes() != recs[1].DroppedAttributes() {
		t.Errorf("the bridged record changed: %d attributes, %d dropped; want %d, %d",
			len(got), recs[0].DroppedAttributes(), len(ref), recs[1].DroppedAttributes())
	}
	if recs[0].EventName() != "bridged" || recs[0].Body().AsString() != "body" || recs[0].Severity() != log.SeverityInfo {
		t.Errorf("the bridged record changed: %q %v %v", recs[0].EventName(), recs[0].Body(), recs[0].Severity())
	}
	if s := p.only(t); len(s.Attributes()) != 0 || s.Status().Code != codes.Unset {
		t.Errorf("the span changed: attributes %v, status %v", s.Attributes(), s.Status())
	}
}

// Rule 7: no configurable parameters. NewProcessor() and the zero value
// Processor{} are the specification; the zero value needs no constructor.
func TestSpecZeroValueProcessorIsTheSpecification(t *testing.T) {
	noErrors(t)
	for _, c := range []struct {
		name string
		p    *spanevents.Processor
	}{
		{"NewProcessor()", spanevents.NewProcessor()},
		{"Processor{}", &spanevents.Processor{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := newPipeline(t, c.p, pipelineConfig{})
			ctx, span := p.tracer.Start(context.Background(), "op")
			if !c.p.Enabled(ctx, sdklog.EnabledParameters{}) {
				t.Error("not enabled in a recording span")
			}
			emitEvent(ctx, p.logger, "order.placed", everyKind()...)
			emitEvent(ctx, p.logger, "", attribute.String("a log line", "no event name"))
			span.End()
			events := p.only(t).Events()
			if len(events) != 1 || events[0].Name != "order.placed" || len(events[0].Attributes) != len(everyKind()) {
				t.Fatalf("events %d; want the event, whole, and no log line", len(events))
			}
			if l := c.p.Limits(); l != (slogspan.Limits{}) {
				t.Errorf("Limits() = %+v, want none", l)
			}
		})
	}
}
