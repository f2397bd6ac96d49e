package slogspan_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"testing/slogtest"

	"go.opentelemetry.io/otel/attribute"

	"github.com/slogspan/slogspan"
)

// inSpan hands every record to h in ctx, whatever context the logger was
// given: slogtest logs without a context, and the span must come from one.
type inSpan struct {
	h   slog.Handler
	ctx context.Context
}

func (s inSpan) Enabled(_ context.Context, l slog.Level) bool  { return s.h.Enabled(s.ctx, l) }
func (s inSpan) Handle(_ context.Context, r slog.Record) error { return s.h.Handle(s.ctx, r) }
func (s inSpan) WithAttrs(as []slog.Attr) slog.Handler         { return inSpan{s.h.WithAttrs(as), s.ctx} }
func (s inSpan) WithGroup(name string) slog.Handler            { return inSpan{s.h.WithGroup(name), s.ctx} }

// TestSlogtestNext runs slog's conformance suite on what the wrapped
// handler writes while a span is active, trace ids included.
func TestSlogtestNext(t *testing.T) {
	var lines func(t *testing.T) map[string]any
	slogtest.Run(t, func(t *testing.T) slog.Handler {
		tracer, _ := newTracer(t)
		ctx, span := tracer.Start(context.Background(), "op")
		t.Cleanup(func() { span.End() })
		buf := new(bytes.Buffer)
		next := slog.NewJSONHandler(buf, nil) // with the time: slogtest checks it
		lines = func(t *testing.T) map[string]any {
			ms := jsonLines(t, buf)
			if len(ms) != 1 {
				t.Fatalf("got %d lines: %s", len(ms), buf)
			}
			if ms[0][slogspan.TraceIDKey] != span.SpanContext().TraceID().String() {
				t.Errorf("trace_id missing or nested: %v", ms[0])
			}
			return ms[0]
		}
		return inSpan{slogspan.New(next), ctx}
	}, func(t *testing.T) map[string]any { return lines(t) })
}

// TestSlogtestEvents runs slog's conformance suite on the span-event view
// of each record: name as msg, the level attribute, the event time, and the
// dotted keys nested back into groups.
func TestSlogtestEvents(t *testing.T) {
	var event func(t *testing.T) map[string]any
	slogtest.Run(t, func(t *testing.T) slog.Handler {
		if strings.HasSuffix(t.Name(), "/zero-time") {
			t.Skip("every span event has a timestamp: the SDK stamps a record without one")
		}
		tracer, rec := newTracer(t)
		ctx, span := tracer.Start(context.Background(), "op")
		event = func(t *testing.T) map[string]any {
			span.End()
			evs := onlySpan(t, rec).Events()
			if len(evs) != 1 {
				t.Fatalf("got %d events", len(evs))
			}
			m := map[string]any{slog.MessageKey: evs[0].Name, slog.TimeKey: evs[0].Time}
			for _, kv := range evs[0].Attributes {
				nest(m, strings.Split(string(kv.Key), "."), kv.Value)
			}
			return m
		}
		return inSpan{slogspan.New(slog.NewJSONHandler(io.Discard, nil)), ctx}
	}, func(t *testing.T) map[string]any { return event(t) })
}

func nest(m map[string]any, path []string, v attribute.Value) {
	for _, k := range path[:len(path)-1] {
		sub, ok := m[k].(map[string]any)
		if !ok {
			sub = map[string]any{}
			m[k] = sub
		}
		m = sub
	}
	m[path[len(path)-1]] = v.AsInterface()
}
