package slogspan_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/slogspan/slogspan"
)

type panicValuer struct{}

func (panicValuer) LogValue() slog.Value { panic("valuer exploded") }

type panicStringer struct{}

func (panicStringer) String() string { panic("stringer exploded") }

type panicError struct{}

func (panicError) Error() string { panic("error exploded") }

type nilPtrStringer struct{ s string }

func (p *nilPtrStringer) String() string { return p.s }

func TestBadInputNeverPanicsOrLosesTheLine(t *testing.T) {
	deep := slog.String("leaf", "v")
	for range 300 {
		deep = slog.Group("g", deep)
	}
	cases := []struct {
		name  string
		msg   string
		attrs []any
		check func(t *testing.T, m map[string]attribute.Value)
	}{
		// slog's own text for it, as an error value: exception.* too.
		{"panicking LogValuer", "m", []any{"v", panicValuer{}}, func(t *testing.T, m map[string]attribute.Value) {
			wantValuePrefix("LogValue panicked")(t, m)
			if got := m[slogspan.ExceptionMessageKey].AsString(); !strings.HasPrefix(got, "LogValue panicked") {
				t.Errorf("exception.message = %.40q, want slog's text", got)
			}
		}},
		{"panicking Stringer", "m", []any{"v", panicStringer{}}, wantValuePrefix("!PANIC: stringer exploded")},
		{"panicking error", "m", []any{"v", panicError{}}, wantValuePrefix("!PANIC: error exploded")},
		{"typed nil error", "m", []any{"v", (*codedErr)(nil)}, wantValuePrefix("<nil>")},
		{"typed nil Stringer", "m", []any{"v", (*nilPtrStringer)(nil)}, wantValuePrefix("<nil>")},
		{"nil", "m", []any{"v", nil}, wantValuePrefix("<nil>")},
		{"invalid UTF-8 value", "m", []any{"v", "a\xffb"}, wantValuePrefix("a\uFFFDb")},
		{"invalid UTF-8 key", "m", []any{"k\xfe", 1}, func(t *testing.T, m map[string]attribute.Value) {
			if _, ok := m["k\uFFFD"]; !ok {
				t.Errorf("key not repaired: %v", m)
			}
		}},
		{"invalid UTF-8 message", "bad\xc3", nil, nil},
		{"deep group", "m", []any{deep}, func(t *testing.T, m map[string]attribute.Value) {
			if len(m) != 2 {
				t.Errorf("got %d attributes, want level and the leaf", len(m))
			}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tracer, rec := newTracer(t)
			ctx, span := tracer.Start(context.Background(), "op")
			buf, next := newJSON(slog.LevelInfo)
			slog.New(slogspan.New(next)).InfoContext(ctx, c.msg, c.attrs...)
			span.End()
			if n := len(jsonLines(t, buf)); n != 1 {
				t.Fatalf("next got %d lines, want 1", n)
			}
			ev := onlyEvent(t, rec)
			assertValidEvent(t, ev, -1)
			if c.check != nil {
				c.check(t, attrMap(ev.Attributes))
			}
		})
	}
}

func TestDeepWithGroup(t *testing.T) {
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	buf, next := newJSON(slog.LevelInfo)
	l := slog.New(slogspan.New(next))
	for range 500 {
		l = l.WithGroup("g").With("a", 1)
	}
	l.InfoContext(ctx, "deep", "k", "v")
	span.End()
	if !strings.Contains(buf.String(), `"trace_id"`) {
		t.Errorf("next output lacks the trace id")
	}
	ev := onlyEvent(t, rec)
	assertValidEvent(t, ev, slogspan.DefaultMaxValueBytes)
	if n := len(ev.Attributes); n != slogspan.DefaultMaxEventAttrs {
		t.Errorf("got %d attributes, want the limit %d", n, slogspan.DefaultMaxEventAttrs)
	}
}

// wantValuePrefix checks that the value logged as "v" starts with prefix.
func wantValuePrefix(prefix string) func(*testing.T, map[string]attribute.Value) {
	return func(t *testing.T, m map[string]attribute.Value) {
		t.Helper()
		if got := m["v"].String(); !strings.HasPrefix(got, prefix) {
			t.Errorf("v = %q, want prefix %q", got, prefix)
		}
	}
}

// assertValidEvent checks that every string in the event is valid UTF-8
// and, when maxValue >= 0, that no key, value or name exceeds it.
func assertValidEvent(t testing.TB, e sdktrace.Event, maxValue int) {
	t.Helper()
	check := func(what, s string) {
		if !utf8.ValidString(s) {
			t.Errorf("%s is not valid UTF-8: %q", what, s)
		}
		if maxValue >= 0 && len(s) > maxValue {
			t.Errorf("%s has %d bytes, limit %d", what, len(s), maxValue)
		}
	}
	check("name", e.Name)
	for _, kv := range e.Attributes {
		check("key", string(kv.Key))
		switch kv.Value.Type() {
		case attribute.STRING:
			check("value of "+string(kv.Key), kv.Value.AsString())
		case attribute.STRINGSLICE:
			total := 0
			for _, s := range kv.Value.AsStringSlice() {
				check("element of "+string(kv.Key), s)
				total += len(s)
			}
			if maxValue >= 0 && total > maxValue {
				t.Errorf("slice %s has %d bytes, limit %d", kv.Key, total, maxValue)
			}
		}
	}
}

func FuzzHandle(f *testing.F) {
	f.Add("msg", "key", "value", uint8(0), int64(1))
	f.Add("", "", "", uint8(3), int64(-1))
	f.Add("\xff\xfe", "k\xc3", strings.Repeat("é", 100), uint8(40), int64(1<<62))
	f.Fuzz(func(t *testing.T, msg, key, val string, depth uint8, n int64) {
		tracer, rec := newTracer(t)
		ctx, span := tracer.Start(context.Background(), "op")
		buf, next := newJSON(slog.LevelInfo)
		lim := slogspan.Limits{MaxValueBytes: 48, MaxEventAttrs: 6, MaxEventBytes: 160}
		l := slog.New(slogspan.New(next, slogspan.WithLimits(lim)))
		a := slog.Any(key, val)
		for i := range int(depth % 64) {
			if i%2 == 0 {
				a = slog.Group(key, a, slog.Int64(val, n))
			} else {
				l = l.WithGroup(key).With(key, n)
			}
		}
		l.InfoContext(ctx, msg, a, key, []string{val, key, msg}, "n", n, "e", fmt.Errorf("%s", val))
		span.End()
		if got := len(jsonLines(t, buf)); got != 1 {
			t.Fatalf("next got %d lines", got)
		}
		ev := onlyEvent(t, rec)
		assertValidEvent(t, ev, lim.MaxValueBytes)
		if len(ev.Attributes) > lim.MaxEventAttrs {
			t.Errorf("%d attributes, limit %d", len(ev.Attributes), lim.MaxEventAttrs)
		}
		if size := eventBytes(ev.Attributes); size > lim.MaxEventBytes {
			t.Errorf("event has %d bytes, limit %d", size, lim.MaxEventBytes)
		}
	})
}

// eventBytes counts an event's keys plus values as Limits documents:
// string bytes, 8 per number, 1 per bool.
func eventBytes(kvs []attribute.KeyValue) int {
	n := 0
	for _, kv := range kvs {
		n += len(kv.Key)
		switch v := kv.Value; v.Type() {
		case attribute.STRING:
			n += len(v.AsString())
		case attribute.BOOL:
			n++
		case attribute.INT64, attribute.FLOAT64:
			n += 8
		case attribute.STRINGSLICE:
			for _, s := range v.AsStringSlice() {
				n += len(s)
			}
		case attribute.INT64SLICE:
			n += 8 * len(v.AsInt64Slice())
		case attribute.FLOAT64SLICE:
			n += 8 * len(v.AsFloat64Slice())
		case attribute.BOOLSLICE:
			n += len(v.AsBoolSlice())
		}
	}
	return n
}

func TestErrorStatusDescriptionIsValid(t *testing.T) {
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	_, next := newJSON(slog.LevelInfo)
	slog.New(slogspan.New(next)).ErrorContext(ctx, "bad\xff"+strings.Repeat("x", 5000))
	span.End()
	desc := onlySpan(t, rec).Status().Description
	if !utf8.ValidString(desc) || len(desc) > slogspan.DefaultMaxValueBytes || !strings.HasPrefix(desc, "bad\uFFFDxxx") {
		t.Errorf("status description %.40q… (%d bytes)", desc, len(desc))
	}
}

func TestOwnAttributesUnderTinyLimits(t *testing.T) {
	// slogspan's own attributes follow documented rules under any limit:
	// level and log.record.uid are kept whole, even past MaxEventAttrs;
	// exception.* and code.* values are cut like the user's; nothing is
	// added without a cause.
	log := func(t *testing.T, lim slogspan.Limits, args ...any) map[string]attribute.Value {
		t.Helper()
		tracer, rec := newTracer(t)
		ctx, span := tracer.Start(context.Background(), "op")
		_, next := newJSON(slog.LevelInfo)
		slog.New(slogspan.New(next, slogspan.WithLimits(lim))).InfoContext(ctx, "m", args...)
		span.End()
		return attrMap(onlyEvent(t, rec).Attributes)
	}
	t.Run("exception.type is cut", func(t *testing.T) {
		m := log(t, slogspan.Limits{MaxValueBytes: 12}, "err", &codedErr{1})
		if v := m[slogspan.ExceptionTypeKey].AsString(); len(v) > 12 || !strings.HasPrefix(v, "*git") {
			t.Errorf("exception.type = %q, want a cut of the type within 12 bytes", v)
		}
		if m[slogspan.UIDKey].AsString() == "" {
			t.Error("a cut exception.type did not link the record")
		}
	})
	t.Run("code.* values are cut", func(t *testing.T) {
		tracer, rec := newTracer(t)
		ctx, span := tracer.Start(context.Background(), "op")
		_, next := newJSON(slog.LevelInfo)
		slog.New(slogspan.New(next, slogspan.WithSource(true), slogspan.WithLimits(slogspan.Limits{MaxValueBytes: 12}))).InfoContext(ctx, "m")
		span.End()
		m := attrMap(onlyEvent(t, rec).Attributes)
		for _, k := range []string{slogspan.CodeFilePathKey, slogspan.CodeFunctionNameKey} {
			if v, ok := m[k]; !ok || len(v.AsString()) > 12 {
				t.Errorf("%s = %q, want it cut within 12 bytes, under its whole key", k, v.AsString())
			}
		}
		if m[slogspan.CodeLineNumberKey].AsInt64() <= 0 || m[slogspan.UIDKey].AsString() == "" {
			t.Errorf("event = %v, want the line number and a link", m)
		}
	})
	t.Run("nil is cut", func(t *testing.T) {
		if v := log(t, slogspan.Limits{MaxValueBytes: 3}, "v", nil)["v"].AsString(); len(v) > 3 {
			t.Errorf("nil = %q, over MaxValueBytes 3", v)
		}
	})
	t.Run("the uid survives MaxEventAttrs 1", func(t *testing.T) {
		m := log(t, slogspan.Limits{MaxEventAttrs: 1}, "a", 1, "b", 2)
		if len(m) != 2 || m[slogspan.LevelKey].AsString() != "INFO" || len(m[slogspan.UIDKey].AsString()) != 26 {
			t.Errorf("event = %v, want level and log.record.uid", m)
		}
	})
	t.Run("no uid without a cut", func(t *testing.T) {
		// level alone is over MaxEventBytes 4, but nothing is cut.
		if m := log(t, slogspan.Limits{MaxEventBytes: 4}); len(m) != 1 {
			t.Errorf("event = %v, want level alone", m)
		}
	})
	t.Run("a uid with a cut", func(t *testing.T) {
		m := log(t, slogspan.Limits{MaxEventBytes: 20}, "k", strings.Repeat("v", 100))
		if len(m[slogspan.UIDKey].AsString()) != 26 {
			t.Errorf("event = %v, want a link to the cut record", m)
		}
	})
}
