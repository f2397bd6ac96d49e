package slogspan_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/internal/memlog"
	"github.com/slogspan/slogspan/spanevents"
)

// Fixtures built on the real OpenTelemetry SDK.

// newTracer returns a tracer whose ended spans the recorder keeps, with the
// span tracker registered, as a program that enforces span budgets has it.
// The SDK's event limit is raised so that tests see every event the
// handler adds. opts come after these.
func newTracer(t testing.TB, opts ...sdktrace.TracerProviderOption) (trace.Tracer, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(append([]sdktrace.TracerProviderOption{
		sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()),
		sdktrace.WithSpanProcessor(rec),
		sdktrace.WithRawSpanLimits(sdktrace.SpanLimits{
			AttributeValueLengthLimit:   -1,
			AttributeCountLimit:         128,
			EventCountLimit:             100000,
			LinkCountLimit:              128,
			AttributePerEventCountLimit: 1000,
			AttributePerLinkCountLimit:  128,
		}),
	}, opts...)...)
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp.Tracer("slogspan-test"), rec
}

// onlySpan returns the single ended span, failing the test otherwise.
func onlySpan(t testing.TB, rec *tracetest.SpanRecorder) sdktrace.ReadOnlySpan {
	t.Helper()
	spans := rec.Ended()
	if len(spans) != 1 {
		t.Fatalf("got %d ended spans, want 1", len(spans))
	}
	return spans[0]
}

// onlyEvent returns the one event on the one span rec has seen end.
func onlyEvent(t testing.TB, rec *tracetest.SpanRecorder) sdktrace.Event {
	t.Helper()
	ev := onlySpan(t, rec).Events()
	if len(ev) != 1 {
		t.Fatalf("got %d events, want 1", len(ev))
	}
	return ev[0]
}

// attrMap returns the attributes as a map from key to value.
func attrMap(kvs []attribute.KeyValue) map[string]attribute.Value {
	m := make(map[string]attribute.Value, len(kvs))
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value
	}
	return m
}

// spanAttr returns the value of one of the span's attributes.
func spanAttr(s sdktrace.ReadOnlySpan, key string) (attribute.Value, bool) {
	v, ok := attrMap(s.Attributes())[key]
	return v, ok
}

// jsonLines decodes the JSON handler output in buf, one object per line.
func jsonLines(t testing.TB, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatalf("decoding %q: %v", buf.String(), err)
		}
		out = append(out, m)
	}
	return out
}

// newJSON returns a JSON handler at level writing into a new buffer, with
// the time left out so that outputs can be compared.
func newJSON(level slog.Leveler) (*bytes.Buffer, slog.Handler) {
	buf := new(bytes.Buffer)
	return buf, slog.NewJSONHandler(buf, &slog.HandlerOptions{Level: level, ReplaceAttr: dropTime})
}

func dropTime(groups []string, a slog.Attr) slog.Attr {
	if len(groups) == 0 && a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

// newLoggerProvider returns a LoggerProvider that exports synchronously to
// an in-memory exporter.
func newLoggerProvider(t testing.TB) (*sdklog.LoggerProvider, *memlog.Exporter) {
	t.Helper()
	exp := &memlog.Exporter{}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)))
	t.Cleanup(func() { _ = lp.Shutdown(context.Background()) })
	return lp, exp
}

// diverting is a logger through slogspan, with a JSON next and full
// records diverted to a LoggerProvider on an in-memory exporter, and a
// recording span to log in.
type diverting struct {
	ctx  context.Context
	span trace.Span
	rec  *tracetest.SpanRecorder
	exp  *memlog.Exporter
	out  *bytes.Buffer // what next writes
	log  *slog.Logger
}

// newDiverting builds a diverting logger with opts added to
// WithLoggerProvider.
func newDiverting(t testing.TB, opts ...slogspan.Option) *diverting {
	t.Helper()
	tracer, rec := newTracer(t)
	lp, exp := newLoggerProvider(t)
	ctx, span := tracer.Start(context.Background(), "op")
	out, next := newJSON(slog.LevelInfo)
	opts = append([]slogspan.Option{slogspan.WithLoggerProvider(lp)}, opts...)
	return &diverting{ctx: ctx, span: span, rec: rec, exp: exp, out: out, log: slog.New(slogspan.New(next, opts...))}
}

// logAttrs returns a log record's attributes as a map.
func logAttrs(r sdklog.Record) map[string]any {
	m := map[string]any{}
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		m[string(kv.Key)] = kv.Value
		return true
	})
	return m
}

// newRecord returns an INFO record stamped now.
func newRecord(msg string, attrs ...slog.Attr) slog.Record {
	r := slog.NewRecord(time.Now(), slog.LevelInfo, msg, 0)
	r.AddAttrs(attrs...)
	return r
}
