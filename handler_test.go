package slogspan_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan"
)

func TestNextGetsTopLevelIDs(t *testing.T) {
	tracer, _ := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	defer span.End()
	sc := span.SpanContext()

	buf, next := newJSON(slog.LevelInfo)
	base := slog.New(slogspan.New(next))
	loggers := map[string]*slog.Logger{
		"plain":        base,
		"with":         base.With("a", 1),
		"group":        base.WithGroup("g"),
		"group-with":   base.With("a", 1).WithGroup("g").With("b", 2),
		"nested-group": base.WithGroup("g").WithGroup("h").With("c", 3),
	}
	for name, l := range loggers {
		t.Run(name, func(t *testing.T) {
			buf.Reset()
			l.InfoContext(ctx, "hello", "k", "v")
			lines := jsonLines(t, buf)
			if len(lines) != 1 {
				t.Fatalf("got %d lines, want 1: %s", len(lines), buf)
			}
			m := lines[0]
			if m[slogspan.TraceIDKey] != sc.TraceID().String() || m[slogspan.SpanIDKey] != sc.SpanID().String() {
				t.Errorf("ids = %v, %v; want %s, %s", m["trace_id"], m["span_id"], sc.TraceID(), sc.SpanID())
			}
			if strings.Count(buf.String(), "trace_id") != 1 {
				t.Errorf("trace_id written %d times: %s", strings.Count(buf.String(), "trace_id"), buf)
			}
		})
	}

	// The record's own attributes still land in the group.
	buf.Reset()
	loggers["nested-group"].InfoContext(ctx, "hello", "k", "v")
	m := jsonLines(t, buf)[0]
	g, _ := m["g"].(map[string]any)
	h, _ := g["h"].(map[string]any)
	if h["k"] != "v" || h["c"] != float64(3) {
		t.Errorf("group contents = %v", m)
	}
}

func TestUnsampledSpanContextGetsIDsButNoEvent(t *testing.T) {
	sc := trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1, 2, 3},
		SpanID:  trace.SpanID{4, 5, 6},
	})
	ctx := trace.ContextWithSpanContext(context.Background(), sc)
	buf, next := newJSON(slog.LevelInfo)
	slog.New(slogspan.New(next)).WithGroup("g").InfoContext(ctx, "hi")
	m := jsonLines(t, buf)[0]
	if m["trace_id"] != "01020300000000000000000000000000" || m["span_id"] != "0405060000000000" {
		t.Errorf("got %v", m)
	}
}

// TestIDsLeadTheAttributes checks that a record through an unsampled span
// context reads like one through a recording span: ids first.
func TestIDsLeadTheAttributes(t *testing.T) {
	tracer, _ := newTracer(t)
	recording, span := tracer.Start(context.Background(), "op")
	defer span.End()
	unsampled := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2},
	}))
	for name, ctx := range map[string]context.Context{"recording": recording, "unsampled": unsampled} {
		buf, next := newJSON(slog.LevelInfo)
		slog.New(slogspan.New(next)).With("w", 0).InfoContext(ctx, "hi", "k", 1)
		line := buf.String()
		ti, si := strings.Index(line, `"trace_id"`), strings.Index(line, `"span_id"`)
		wi, ki := strings.Index(line, `"w"`), strings.Index(line, `"k"`)
		ordered := wi < ti && ti < si && si < ki
		if ti < 0 || !ordered {
			t.Errorf("%s: want w, trace_id, span_id, k in that order: %s", name, line)
		}
	}
}

func TestNoSpanIsByteIdentical(t *testing.T) {
	logAll := func(h slog.Handler) string {
		l := slog.New(h)
		ctx := context.Background()
		l.InfoContext(ctx, "plain", "k", 1)
		l.With("a", "b").WithGroup("g").InfoContext(ctx, "grouped", "k", []int{1, 2})
		l.WithGroup("g").With("a", 1).WithGroup("h").WarnContext(ctx, "nested", slog.Group("x", "y", 2))
		l.Info("no context", "err", errors.New("boom"))
		l.DebugContext(ctx, "disabled")
		return ""
	}
	var alone, wrapped bytes.Buffer
	for _, c := range []struct {
		buf *bytes.Buffer
		h   func(*bytes.Buffer) slog.Handler
	}{
		{&alone, func(b *bytes.Buffer) slog.Handler {
			return slog.NewTextHandler(b, &slog.HandlerOptions{ReplaceAttr: dropTime})
		}},
		{&wrapped, func(b *bytes.Buffer) slog.Handler {
			return slogspan.New(slog.NewTextHandler(b, &slog.HandlerOptions{ReplaceAttr: dropTime}))
		}},
	} {
		logAll(c.h(c.buf))
	}
	if alone.String() != wrapped.String() {
		t.Errorf("wrapped output differs\nalone:\n%s\nwrapped:\n%s", alone.String(), wrapped.String())
	}
	if alone.Len() == 0 {
		t.Fatal("nothing written")
	}
}

func TestEventFromRecord(t *testing.T) {
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	_, next := newJSON(slog.LevelDebug - 4)
	l := slog.New(slogspan.New(next)).With("svc", "api").WithGroup("req").With("id", 7)

	before := time.Now()
	l.InfoContext(ctx, "hello", "k", "v", slog.Group("sub", "x", 1.5))
	l.Log(ctx, slog.LevelDebug-2, "")
	span.End()

	events := onlySpan(t, rec).Events()
	if len(events) != 2 {
		t.Fatalf("got %d events, want 2", len(events))
	}
	e := events[0]
	if e.Name != "hello" {
		t.Errorf("name = %q", e.Name)
	}
	if e.Time.Before(before) || e.Time.After(time.Now()) {
		t.Errorf("time %v not the record's", e.Time)
	}
	wantKeys := []string{"level", "svc", "req.id", "req.k", "req.sub.x"}
	var gotKeys []string
	for _, kv := range e.Attributes {
		gotKeys = append(gotKeys, string(kv.Key))
	}
	if fmt.Sprint(gotKeys) != fmt.Sprint(wantKeys) {
		t.Errorf("keys = %v, want %v", gotKeys, wantKeys)
	}
	m := attrMap(e.Attributes)
	if m["level"].AsString() != "INFO" || m["svc"].AsString() != "api" || m["req.id"].AsInt64() != 7 ||
		m["req.k"].AsString() != "v" || m["req.sub.x"].AsFloat64() != 1.5 {
		t.Errorf("attributes = %v", e.Attributes)
	}
	if events[1].Name != "log" || attrMap(events[1].Attributes)["level"].AsString() != "DEBUG-2" {
		t.Errorf("empty message event = %+v", events[1])
	}
}

func TestEventTimestampIsRecordTime(t *testing.T) {
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	_, next := newJSON(slog.LevelInfo)
	h := slogspan.New(next)
	at := time.Date(2026, 11, 24, 10, 0, 0, 123456789, time.UTC)
	if err := h.Handle(ctx, slog.NewRecord(at, slog.LevelInfo, "m", 0)); err != nil {
		t.Fatal(err)
	}
	span.End()
	if got := onlySpan(t, rec).Events()[0].Time; !got.Equal(at) {
		t.Errorf("event time = %v, want %v", got, at)
	}
}

type stringer struct{ s string }

func (s stringer) String() string { return "S:" + s.s }

type valuer struct{ v slog.Value }

func (v valuer) LogValue() slog.Value { return v.v }

func TestValueKinds(t *testing.T) {
	at := time.Date(2026, 11, 24, 10, 0, 0, 5, time.FixedZone("X", 3600))
	cases := []struct {
		name string
		val  any
		want attribute.Value
	}{
		{"string", "s", attribute.StringValue("s")},
		{"int", 42, attribute.Int64Value(42)},
		{"int64", int64(-3), attribute.Int64Value(-3)},
		{"uint64 small", uint64(7), attribute.Int64Value(7)},
		{"uint64 huge", uint64(1<<64 - 1), attribute.StringValue("18446744073709551615")},
		{"float", 2.5, attribute.Float64Value(2.5)},
		{"bool", true, attribute.BoolValue(true)},
		{"duration", 1500 * time.Millisecond, attribute.StringValue("1.5s")},
		{"time", at, attribute.StringValue("2026-11-24T10:00:00.000000005+01:00")},
		{"error", errors.New("boom"), attribute.StringValue("boom")},
		{"stringer", stringer{"x"}, attribute.StringValue("S:x")},
		{"bytes", []byte("body"), attribute.StringValue("body")},
		{"strings", []string{"a", "b"}, attribute.StringSliceValue([]string{"a", "b"})},
		{"ints", []int{1, 2}, attribute.Int64SliceValue([]int64{1, 2})},
		{"int64s", []int64{3}, attribute.Int64SliceValue([]int64{3})},
		{"floats", []float64{0.5}, attribute.Float64SliceValue([]float64{0.5})},
		{"bools", []bool{true, false}, attribute.BoolSliceValue([]bool{true, false})},
		{"nil", nil, attribute.StringValue("<nil>")},
		{"struct", struct{ A int }{3}, attribute.StringValue("{A:3}")},
		{"map", map[string]int{"a": 1}, attribute.StringValue("map[a:1]")},
		{"logvaluer", valuer{slog.IntValue(9)}, attribute.Int64Value(9)},
	}
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	_, next := newJSON(slog.LevelInfo)
	l := slog.New(slogspan.New(next))
	for _, c := range cases {
		l.InfoContext(ctx, c.name, "v", c.val)
	}
	span.End()
	events := onlySpan(t, rec).Events()
	for i, c := range cases {
		got := attrMap(events[i].Attributes)["v"]
		if got != c.want {
			t.Errorf("%s: got %s %q, want %s %q", c.name, got.Type(), got.String(), c.want.Type(), c.want.String())
		}
	}
}

func TestGroupRules(t *testing.T) {
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	_, next := newJSON(slog.LevelInfo)
	l := slog.New(slogspan.New(next))

	l.InfoContext(ctx, "empty attr", slog.Attr{}, "k", 1)
	l.InfoContext(ctx, "inline", slog.Group("", "a", 1, "b", 2))
	l.InfoContext(ctx, "empty group", slog.Group("g"), "k", 1)
	l.WithGroup("g").InfoContext(ctx, "group no attrs")
	l.WithGroup("a").With("x", 1).WithGroup("b").With("y", 2).InfoContext(ctx, "order", "z", 3)
	l.With("x", 1).WithGroup("a").WithGroup("").InfoContext(ctx, "empty name", "z", 3)
	l.InfoContext(ctx, "valuer group", "v", valuer{slog.GroupValue(slog.Int("in", 1))})
	span.End()

	want := [][]string{
		{"level", "k"},
		{"level", "a", "b"},
		{"level", "k"},
		{"level"},
		{"level", "a.x", "a.b.y", "a.b.z"},
		{"level", "x", "a.z"},
		{"level", "v.in"},
	}
	for i, e := range onlySpan(t, rec).Events() {
		var keys []string
		for _, kv := range e.Attributes {
			keys = append(keys, string(kv.Key))
		}
		if fmt.Sprint(keys) != fmt.Sprint(want[i]) {
			t.Errorf("%s: keys %v, want %v", e.Name, keys, want[i])
		}
	}
}

// TestGroupedKeys checks keys under groups, which are built together in one
// buffer, when grouped, plain and cut keys are mixed in one record.
func TestGroupedKeys(t *testing.T) {
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	_, next := newJSON(slog.LevelInfo)
	l := slog.New(slogspan.New(next, slogspan.WithLimits(slogspan.Limits{MaxValueBytes: 16}))).With("w", 1)

	l.InfoContext(ctx, "mixed", "a", 1, slog.Group("h", "b", 2, slog.Group("i", "c", 3)), "d", 4,
		slog.Group("long-group-name", "key", 5), slog.Group("\xff", "k", 6), "e", 7)
	l.WithGroup("p").With(slog.Group("q", "r", 1)).InfoContext(ctx, "with", "s", 2)
	span.End()

	ev := onlySpan(t, rec).Events()
	var keys []string
	for _, kv := range ev[0].Attributes {
		keys = append(keys, string(kv.Key))
	}
	// A key was cut: the event links to the whole record.
	want := []string{"level", "w", "a", "h.b", "h.i.c", "d", "", "\uFFFD.k", "e", slogspan.UIDKey}
	if len(keys) != len(want) {
		t.Fatalf("keys %q, want %q", keys, want)
	}
	for i, k := range keys {
		if i == 6 {
			if !strings.HasPrefix(k, "long-group") || len(k) > 16 || !utf8.ValidString(k) || k == "long-group-name.key" {
				t.Errorf("key %q: want a valid cut of long-group-name.key within 16 bytes", k)
			}
			continue
		}
		if k != want[i] {
			t.Errorf("key %d = %q, want %q", i, k, want[i])
		}
	}
	if got := attrMap(ev[0].Attributes)["h.i.c"].AsInt64(); got != 3 {
		t.Errorf("h.i.c = %d, want 3", got)
	}
	if got := attrMap(ev[1].Attributes); got["p.q.r"].AsInt64() != 1 || got["p.s"].AsInt64() != 2 {
		t.Errorf("with: %v", ev[1].Attributes)
	}
}

func TestWithAttrsDoesNotAlias(t *testing.T) {
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	_, next := newJSON(slog.LevelInfo)
	base := slog.New(slogspan.New(next)).With("a", 1)
	l1 := base.With("b", 2)
	l2 := base.With("c", 3)
	l1.InfoContext(ctx, "one")
	l2.InfoContext(ctx, "two")
	span.End()
	ev := onlySpan(t, rec).Events()
	if _, ok := attrMap(ev[0].Attributes)["c"]; ok {
		t.Error("l1's event has l2's attribute")
	}
	if _, ok := attrMap(ev[1].Attributes)["b"]; ok {
		t.Error("l2's event has l1's attribute")
	}
}

func TestEventLevel(t *testing.T) {
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	buf, next := newJSON(slog.LevelInfo)
	h := slogspan.New(next, slogspan.WithEventLevel(slog.LevelDebug))
	l := slog.New(h)

	if !h.Enabled(ctx, slog.LevelDebug) {
		t.Error("debug not enabled with a recording span")
	}
	if h.Enabled(context.Background(), slog.LevelDebug) {
		t.Error("debug enabled without a span")
	}
	if h.Enabled(ctx, slog.LevelDebug-1) {
		t.Error("below the event level enabled")
	}
	l.DebugContext(ctx, "debug line")
	l.InfoContext(ctx, "info line")
	span.End()

	if strings.Contains(buf.String(), "debug line") {
		t.Errorf("next received a debug record: %s", buf)
	}
	if !strings.Contains(buf.String(), "info line") {
		t.Errorf("next missed the info record: %s", buf)
	}
	if n := len(onlySpan(t, rec).Events()); n != 2 {
		t.Errorf("got %d events, want 2", n)
	}
}

func TestDefaultEventLevelFollowsNext(t *testing.T) {
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	_, next := newJSON(slog.LevelWarn)
	l := slog.New(slogspan.New(next))
	l.InfoContext(ctx, "info")
	l.WarnContext(ctx, "warn")
	span.End()
	ev := onlySpan(t, rec).Events()
	if len(ev) != 1 || ev[0].Name != "warn" {
		t.Errorf("events = %v", ev)
	}
}

func TestErrorStatus(t *testing.T) {
	for _, c := range []struct {
		name  string
		opts  []slogspan.Option
		level slog.Level
		want  codes.Code
	}{
		{"error", nil, slog.LevelError, codes.Error},
		{"warn", nil, slog.LevelWarn, codes.Unset},
		{"warn with warn threshold", []slogspan.Option{slogspan.WithErrorStatusLevel(slog.LevelWarn)}, slog.LevelWarn, codes.Error},
		{"error+4", nil, slog.LevelError + 4, codes.Error},
	} {
		t.Run(c.name, func(t *testing.T) {
			tracer, rec := newTracer(t)
			ctx, span := tracer.Start(context.Background(), "op")
			_, next := newJSON(slog.LevelInfo)
			slog.New(slogspan.New(next, c.opts...)).Log(ctx, c.level, "went wrong")
			span.End()
			st := onlySpan(t, rec).Status()
			if st.Code != c.want {
				t.Fatalf("status = %v, want %v", st.Code, c.want)
			}
			if c.want == codes.Error && st.Description != "went wrong" {
				t.Errorf("description = %q", st.Description)
			}
		})
	}
}

type codedErr struct{ code int }

func (e *codedErr) Error() string { return fmt.Sprintf("code %d", e.code) }

func TestExceptionAttributes(t *testing.T) {
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	_, next := newJSON(slog.LevelInfo)
	l := slog.New(slogspan.New(next))
	l.ErrorContext(ctx, "failed", "err", &codedErr{5})
	l.With("cause", errors.New("from with")).InfoContext(ctx, "with error")
	l.InfoContext(ctx, "no error", "k", 1)
	// The record's first error wins over a second, and over With's.
	l.With("cause", errors.New("from with")).InfoContext(ctx, "two errors",
		"first", &codedErr{1}, "second", errors.New("second"))
	span.End()

	ev := onlySpan(t, rec).Events()
	m := attrMap(ev[0].Attributes)
	if m[slogspan.ExceptionTypeKey].AsString() != "*github.com/slogspan/slogspan_test.codedErr" ||
		m[slogspan.ExceptionMessageKey].AsString() != "code 5" {
		t.Errorf("exception attrs = %v", ev[0].Attributes)
	}
	m = attrMap(ev[1].Attributes)
	if m[slogspan.ExceptionTypeKey].AsString() != "*errors.errorString" || m[slogspan.ExceptionMessageKey].AsString() != "from with" {
		t.Errorf("exception attrs from With = %v", ev[1].Attributes)
	}
	if _, ok := attrMap(ev[2].Attributes)[slogspan.ExceptionTypeKey]; ok {
		t.Error("exception.type without an error")
	}
	m = attrMap(ev[3].Attributes)
	if m[slogspan.ExceptionTypeKey].AsString() != "*github.com/slogspan/slogspan_test.codedErr" ||
		m[slogspan.ExceptionMessageKey].AsString() != "code 1" {
		t.Errorf("exception attrs with three errors = %v, want the record's first", ev[3].Attributes)
	}
}

func TestEventAttributeOrder(t *testing.T) {
	// doc.go's order: level, With's, the record's, log.record.uid,
	// exception.*, code.*.
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	_, next := newJSON(slog.LevelInfo)
	l := slog.New(slogspan.New(next, slogspan.WithSource(true))).With("w", 1)
	l.InfoContext(ctx, "m", "big", strings.Repeat("b", 2000), "err", errors.New("e"))
	span.End()
	var keys []string
	for _, kv := range onlyEvent(t, rec).Attributes {
		keys = append(keys, string(kv.Key))
	}
	want := []string{slogspan.LevelKey, "w", "big", "err", slogspan.UIDKey, slogspan.ExceptionTypeKey,
		slogspan.ExceptionMessageKey, slogspan.CodeFilePathKey, slogspan.CodeLineNumberKey, slogspan.CodeFunctionNameKey}
	if fmt.Sprint(keys) != fmt.Sprint(want) {
		t.Errorf("keys %v, want %v", keys, want)
	}
}

func TestLaterOptionsOverrideEarlier(t *testing.T) {
	// New applies options in order; nil levels mean the defaults.
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	buf, next := newJSON(slog.LevelInfo)
	payload := new(bytes.Buffer)
	h := slogspan.New(next,
		slogspan.WithLimits(slogspan.Limits{MaxValueBytes: 8}), slogspan.WithLimits(slogspan.Limits{MaxValueBytes: 16}),
		slogspan.WithEventLevel(slog.LevelDebug), slogspan.WithEventLevel(nil),
		slogspan.WithErrorStatusLevel(slog.LevelWarn), slogspan.WithErrorStatusLevel(nil),
		slogspan.WithPayloadHandler(slog.NewJSONHandler(payload, nil)), slogspan.WithLoggerProvider(nil))
	if got := h.Limits().MaxValueBytes; got != 16 {
		t.Errorf("MaxValueBytes %d, want the later option's 16", got)
	}
	l := slog.New(h)
	l.DebugContext(ctx, "debug: next is not enabled for it, nor are events")
	l.WarnContext(ctx, "warn: no error status", "v", strings.Repeat("v", 100))
	span.End()
	s := onlySpan(t, rec)
	if len(s.Events()) != 1 || s.Status().Code != codes.Unset {
		t.Errorf("%d events, status %v; want the WARN line alone and no status", len(s.Events()), s.Status())
	}
	if v := attrMap(s.Events()[0].Attributes)["v"].AsString(); len(v) != 16 {
		t.Errorf("v has %d bytes, want 16", len(v))
	}
	if payload.Len() != 0 {
		t.Errorf("WithLoggerProvider(nil) after WithPayloadHandler still diverts: %s", payload)
	}
	if n := len(jsonLines(t, buf)); n != 1 {
		t.Errorf("next got %d lines, want 1", n)
	}
}

func TestSource(t *testing.T) {
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	_, next := newJSON(slog.LevelInfo)
	slog.New(slogspan.New(next, slogspan.WithSource(true))).InfoContext(ctx, "here")
	slog.New(slogspan.New(next)).InfoContext(ctx, "no source")
	span.End()
	ev := onlySpan(t, rec).Events()
	m := attrMap(ev[0].Attributes)
	if !strings.HasSuffix(m[slogspan.CodeFilePathKey].AsString(), "/handler_test.go") ||
		m[slogspan.CodeLineNumberKey].AsInt64() <= 0 ||
		!strings.HasSuffix(m[slogspan.CodeFunctionNameKey].AsString(), ".TestSource") {
		t.Errorf("source attrs = %v", ev[0].Attributes)
	}
	if _, ok := attrMap(ev[1].Attributes)[slogspan.CodeFilePathKey]; ok {
		t.Error("source added without WithSource")
	}
}

func TestSemanticConventionKeys(t *testing.T) {
	for got, want := range map[string]attribute.Key{
		slogspan.UIDKey:              semconv.LogRecordUIDKey,
		slogspan.ExceptionTypeKey:    semconv.ExceptionTypeKey,
		slogspan.ExceptionMessageKey: semconv.ExceptionMessageKey,
		slogspan.CodeFilePathKey:     semconv.CodeFilePathKey,
		slogspan.CodeLineNumberKey:   semconv.CodeLineNumberKey,
		slogspan.CodeFunctionNameKey: semconv.CodeFunctionNameKey,
	} {
		if got != string(want) {
			t.Errorf("key %q, semconv says %q", got, want)
		}
	}
}

func TestEndedSpan(t *testing.T) {
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	span.End()
	buf, next := newJSON(slog.LevelInfo)
	slog.New(slogspan.New(next)).ErrorContext(ctx, "late", "k", 1)
	if !strings.Contains(buf.String(), `"msg":"late"`) || !strings.Contains(buf.String(), span.SpanContext().TraceID().String()) {
		t.Errorf("next output = %s", buf)
	}
	s := onlySpan(t, rec)
	if len(s.Events()) != 0 || s.Status().Code != codes.Unset {
		t.Errorf("ended span changed: %v %v", s.Events(), s.Status())
	}
}

func TestConcurrentLoggers(t *testing.T) {
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	buf, next := newJSON(slog.LevelInfo)
	base := slog.New(slogspan.New(next, slogspan.WithLimits(slogspan.Limits{MaxSpanEvents: -1, MaxSpanBytes: -1})))
	const workers, each = 16, 200
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			l := base.With("worker", w).WithGroup("g").With("x", w)
			for i := range each {
				l.InfoContext(ctx, "tick", "i", i)
			}
		})
	}
	wg.Wait()
	span.End()
	if n := len(onlySpan(t, rec).Events()); n != workers*each {
		t.Errorf("got %d events, want %d", n, workers*each)
	}
	if n := len(jsonLines(t, buf)); n != workers*each {
		t.Errorf("next got %d lines, want %d", n, workers*each)
	}
}

// countingNext counts the handlers derived from it with WithAttrs.
type countingNext struct {
	slog.Handler
	derived *atomic.Int64
}

func (c countingNext) WithAttrs(as []slog.Attr) slog.Handler {
	c.derived.Add(1)
	return countingNext{c.Handler.WithAttrs(as), c.derived}
}

func (c countingNext) WithGroup(name string) slog.Handler {
	return countingNext{c.Handler.WithGroup(name), c.derived}
}

func TestNextWithIDsIsKeptOnBusySpans(t *testing.T) {
	// A span with many records formats its ids into next once, not once
	// per record; lines look the same either way.
	tracer, _ := newTracer(t)
	buf, json := newJSON(slog.LevelInfo)
	next := countingNext{json, new(atomic.Int64)}
	l := slog.New(slogspan.New(next))
	ctx, span := tracer.Start(context.Background(), "busy")
	defer span.End()
	for i := range 40 {
		l.InfoContext(ctx, "tick", "i", i)
	}
	if n := next.derived.Load(); n != 1 {
		t.Errorf("next was derived %d times for one span, want once", n)
	}
	lines := jsonLines(t, buf)
	for i, m := range lines {
		if m[slogspan.TraceIDKey] != span.SpanContext().TraceID().String() || m["i"] != float64(i) {
			t.Fatalf("line %d = %v", i, m)
		}
	}
}

func TestNextIsDerivedOnceARecordWithoutBookkeeping(t *testing.T) {
	// With a group open, the ids need next derived; a span with no
	// bookkeeping to keep it on (unsampled here) derives it once a
	// record, not once to keep and once to use.
	tracer, _ := newTracer(t, sdktrace.WithSampler(sdktrace.NeverSample()))
	_, json := newJSON(slog.LevelInfo)
	next := countingNext{json, new(atomic.Int64)}
	l := slog.New(slogspan.New(next)).WithGroup("req")
	ctx, span := tracer.Start(context.Background(), "unsampled")
	defer span.End()
	before := next.derived.Load()
	for range 3 {
		l.InfoContext(ctx, "tick")
	}
	if n := next.derived.Load() - before; n != 3 {
		t.Errorf("next derived %d times for 3 records, want 3", n)
	}
}
