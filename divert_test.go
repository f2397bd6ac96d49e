package slogspan_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/internal/onspan"
)

func TestDivertToLoggerProvider(t *testing.T) {
	d := newDiverting(t)
	l := d.log.With("user", "u1").WithGroup("req")

	prompt := strings.Repeat("Tell me about rivers. ", 50000) + "é" // ~1 MiB
	l.InfoContext(d.ctx, "prompt", "body", prompt, "tokens", 12)
	l.InfoContext(d.ctx, "small", "k", "v")
	d.span.End()

	s := onlySpan(t, d.rec)
	ev := s.Events()
	if len(ev) != 2 {
		t.Fatalf("got %d events", len(ev))
	}
	em := attrMap(ev[0].Attributes)
	preview := em["req.body"].AsString()
	if len(preview) > slogspan.DefaultMaxValueBytes || !strings.HasPrefix(preview, "Tell me about rivers.") ||
		!strings.HasSuffix(preview, fmt.Sprintf("…[truncated: %d bytes]", len(prompt))) {
		t.Errorf("preview = %q", preview)
	}
	uid := em[slogspan.UIDKey].AsString()
	if at, ok := ulidTime(uid); !ok || time.Since(at) > time.Minute || time.Until(at) > time.Second {
		t.Fatalf("event uid = %q, want a ULID of now", uid)
	}
	if _, ok := attrMap(ev[1].Attributes)[slogspan.UIDKey]; ok {
		t.Error("an uncut record was given a uid")
	}
	if v, _ := spanAttr(s, slogspan.TruncatedValuesKey); v.AsInt64() != 1 {
		t.Errorf("%s = %v, want 1", slogspan.TruncatedValuesKey, v.String())
	}

	recs := d.exp.Records()
	if len(recs) != 1 {
		t.Fatalf("got %d diverted records, want 1", len(recs))
	}
	r := recs[0]
	if r.TraceID() != d.span.SpanContext().TraceID() || r.SpanID() != d.span.SpanContext().SpanID() {
		t.Errorf("diverted record ids %s/%s, span %s/%s", r.TraceID(), r.SpanID(),
			d.span.SpanContext().TraceID(), d.span.SpanContext().SpanID())
	}
	if r.Body().AsString() != "prompt" {
		t.Errorf("body = %q", r.Body().AsString())
	}
	attrs := logAttrs(r)
	if got := attrs[slogspan.UIDKey].(attribute.Value).AsString(); got != uid {
		t.Errorf("diverted uid %q, event uid %q", got, uid)
	}
	if got := attrs["user"].(attribute.Value).AsString(); got != "u1" {
		t.Errorf("With attribute lost: %v", attrs)
	}
	req := attrMap(attrs["req"].(attribute.Value).AsMap())
	if req["body"].AsString() != prompt {
		t.Errorf("diverted body differs: %d bytes, want %d", len(req["body"].AsString()), len(prompt))
	}
	if req["tokens"].AsInt64() != 12 {
		t.Errorf("diverted tokens = %v", req["tokens"].String())
	}
}

// TestNextLineWithPayloadHandler checks that keeping every With and
// WithGroup call for diversion does not change what next writes: each
// attribute once, the ids top-level.
func TestNextLineWithPayloadHandler(t *testing.T) {
	d := newDiverting(t)
	defer d.span.End()
	l := d.log.With("w", 1).WithGroup("g").With("x", 2).WithGroup("h")
	l.InfoContext(d.ctx, "m", "k", 3)
	line := d.out.String()
	for _, want := range []string{`"w":1`, `"g":{"x":2,"h":{"k":3}}`, `"trace_id"`, `"span_id"`} {
		if n := strings.Count(line, want); n != 1 {
			t.Errorf("%s appears %d times in %s", want, n, line)
		}
	}
}

func TestDivertAll(t *testing.T) {
	d := newDiverting(t, slogspan.WithDivertAll(true))
	l := d.log
	l.InfoContext(d.ctx, "one")
	l.InfoContext(d.ctx, "two")
	d.span.End()
	if n := len(d.exp.Records()); n != 2 {
		t.Errorf("got %d diverted, want 2", n)
	}
	lines := jsonLines(t, d.out)
	for i, e := range onlySpan(t, d.rec).Events() {
		uid, ok := attrMap(e.Attributes)[slogspan.UIDKey]
		if !ok {
			t.Errorf("event %q has no uid", e.Name)
		}
		// next's line carries the uid of a diverted record too.
		if lines[i][slogspan.UIDKey] != uid.AsString() {
			t.Errorf("line %v, want the event's uid %q", lines[i], uid.AsString())
		}
	}
}

func TestEventAttrAndByteLimits(t *testing.T) {
	lim := slogspan.Limits{MaxEventAttrs: 4, MaxEventBytes: 100}
	d := newDiverting(t, slogspan.WithLimits(lim))
	l := d.log
	l.InfoContext(d.ctx, "many", "a", 1, "b", 2, "c", 3, "d", 4, "e", 5)
	l.InfoContext(d.ctx, "big", "a", strings.Repeat("x", 80), "b", strings.Repeat("y", 80))
	d.span.End()

	s := onlySpan(t, d.rec)
	ev := s.Events()
	for _, e := range ev {
		if len(e.Attributes) > lim.MaxEventAttrs {
			t.Errorf("%s: %d attributes", e.Name, len(e.Attributes))
		}
		if n := eventBytes(e.Attributes); n > lim.MaxEventBytes {
			t.Errorf("%s: %d bytes", e.Name, n)
		}
		if _, ok := attrMap(e.Attributes)[slogspan.UIDKey]; !ok {
			t.Errorf("%s was cut but has no uid: %v", e.Name, e.Attributes)
		}
	}
	keys := fmt.Sprint(ev[0].Attributes)
	if !strings.Contains(keys, "level") || !strings.Contains(keys, "a") {
		t.Errorf("many: %v", ev[0].Attributes)
	}
	if len(d.exp.Records()) != 2 {
		t.Errorf("got %d diverted, want 2", len(d.exp.Records()))
	}
	if v, _ := spanAttr(s, slogspan.TruncatedValuesKey); v.AsInt64() < 4 {
		t.Errorf("%s = %d, want at least the 4 omitted attributes", slogspan.TruncatedValuesKey, v.AsInt64())
	}
}

func TestUnlimited(t *testing.T) {
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	_, next := newJSON(slog.LevelInfo)
	l := slog.New(slogspan.New(next, slogspan.WithLimits(slogspan.Limits{
		MaxValueBytes: -1, MaxEventAttrs: -1, MaxEventBytes: -1, MaxSpanEvents: -1, MaxSpanBytes: -1})))
	big := strings.Repeat("z", 1<<20)
	for range 200 {
		l.InfoContext(ctx, "big", "v", big)
	}
	span.End()
	s := onlySpan(t, rec)
	if len(s.Events()) != 200 || attrMap(s.Events()[0].Attributes)["v"].AsString() != big {
		t.Errorf("unlimited handler cut something")
	}
}

type failingHandler struct{ slog.Handler }

func (failingHandler) Handle(context.Context, slog.Record) error { return errors.New("exporter down") }

func TestPayloadErrorsAreReported(t *testing.T) {
	var mu sync.Mutex
	var reported []error
	prev := otel.GetErrorHandler()
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		mu.Lock()
		reported = append(reported, err)
		mu.Unlock()
	}))
	t.Cleanup(func() { otel.SetErrorHandler(prev) })

	tracer, _ := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	defer span.End()
	buf, next := newJSON(slog.LevelInfo)
	h := slogspan.New(next, slogspan.WithPayloadHandler(failingHandler{slog.NewJSONHandler(io.Discard, nil)}),
		slogspan.WithLimits(slogspan.Limits{MaxValueBytes: 8}))
	err := h.Handle(ctx, newRecord("m", slog.String("v", "longer than eight")))
	if err == nil || !strings.Contains(err.Error(), "exporter down") {
		t.Errorf("Handle returned %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reported) != 1 {
		t.Errorf("otel error handler got %v", reported)
	}
	if !strings.Contains(buf.String(), `"msg":"m"`) {
		t.Errorf("the line was lost: %s", buf)
	}
}

func TestDivertedRecordsAreValidUTF8(t *testing.T) {
	d := newDiverting(t, slogspan.WithDivertAll(true))
	l := d.log.With("w\xff", "x\xfe").WithGroup("g\xc3")
	l.InfoContext(d.ctx, "bad\xff", "k\xfe", "v\xff", "err", errors.New("e\xff"), slog.Group("h", "in", "\xff"))
	l.InfoContext(d.ctx, "good", "k", "v")
	d.span.End()

	recs := d.exp.Records()
	if len(recs) != 2 {
		t.Fatalf("got %d records", len(recs))
	}
	var walk func(prefix string, v attribute.Value)
	walk = func(prefix string, v attribute.Value) {
		switch v.Type() {
		case attribute.STRING:
			if !utf8.ValidString(v.AsString()) {
				t.Errorf("%s: invalid UTF-8 %q", prefix, v.AsString())
			}
		case attribute.MAP:
			for _, kv := range v.AsMap() {
				if !utf8.ValidString(string(kv.Key)) {
					t.Errorf("invalid key %q", kv.Key)
				}
				walk(prefix+"."+string(kv.Key), kv.Value)
			}
		}
	}
	for _, r := range recs {
		walk("body", r.Body())
		r.WalkAttributes(func(kv attribute.KeyValue) bool {
			if !utf8.ValidString(string(kv.Key)) {
				t.Errorf("invalid key %q", kv.Key)
			}
			walk(string(kv.Key), kv.Value)
			return true
		})
	}
	if recs[0].Body().AsString() != "bad\uFFFD" {
		t.Errorf("body = %q", recs[0].Body().AsString())
	}
	got := logAttrs(recs[1])
	g, ok := got["g\uFFFD"].(attribute.Value)
	if !ok || attrMap(g.AsMap())["k"].AsString() != "v" {
		t.Errorf("valid record under a repaired group = %v", got)
	}
}

func TestDivertedRecordsNestAtMost16Deep(t *testing.T) {
	d := newDiverting(t, slogspan.WithDivertAll(true))
	l := d.log
	for i := range 20 {
		l = l.WithGroup(fmt.Sprint("w", i))
	}
	l = l.With("a", 1)
	deep := slog.String("leaf", "v")
	for range 5 {
		deep = slog.Group("g", deep)
	}
	l.InfoContext(d.ctx, "deep", deep)
	d.span.End()

	recs := d.exp.Records()
	if len(recs) != 1 {
		t.Fatalf("got %d records", len(recs))
	}
	// Walk the nested maps: 16 levels, then dotted keys.
	m := logAttrs(recs[0])
	depth := 0
	for {
		next, ok := m[fmt.Sprint("w", depth)].(attribute.Value)
		if !ok || next.Type() != attribute.MAP {
			break
		}
		depth++
		m = map[string]any{}
		for _, kv := range next.AsMap() {
			m[string(kv.Key)] = kv.Value
		}
	}
	if depth != 16 {
		t.Fatalf("nested %d levels deep, want 16: %v", depth, m)
	}
	if v, ok := m["w16.w17.w18.w19.a"].(attribute.Value); !ok || v.AsInt64() != 1 {
		t.Errorf("With attribute past the depth: %v", m)
	}
	if v, ok := m["w16.w17.w18.w19.g.g.g.g.g.leaf"].(attribute.Value); !ok || v.AsString() != "v" {
		t.Errorf("record attribute past the depth: %v", m)
	}
}

func TestNextLineCarriesTheUIDOfACutRecord(t *testing.T) {
	// With no payload handler, the program's own log line is where the
	// full record is: the event's uid leads there. A record left whole
	// gets none.
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	buf, next := newJSON(slog.LevelInfo)
	l := slog.New(slogspan.New(next, slogspan.WithLimits(slogspan.Limits{MaxSpanEvents: 3})))
	big := strings.Repeat("p", 5000)
	l.InfoContext(ctx, "small", "k", 1)
	l.InfoContext(ctx, "big", "prompt", big)
	l.WithGroup("g").InfoContext(ctx, "big in a group", "prompt", big)
	l.InfoContext(ctx, "over budget", "k", 2)
	span.End()

	events := onlySpan(t, rec).Events()
	lines := jsonLines(t, buf)
	if len(events) != 3 || len(lines) != 4 {
		t.Fatalf("%d events and %d lines, want 3 and 4", len(events), len(lines))
	}
	if _, ok := lines[0][slogspan.UIDKey]; ok {
		t.Errorf("a whole record's line has a uid: %v", lines[0])
	}
	for i := 1; i < 3; i++ {
		uid := attrMap(events[i].Attributes)[slogspan.UIDKey].AsString()
		if uid == "" || lines[i][slogspan.UIDKey] != uid {
			t.Errorf("line %d uid %v, event uid %q", i, lines[i][slogspan.UIDKey], uid)
		}
	}
	if lines[1]["prompt"] != big || lines[2]["g"].(map[string]any)["prompt"] != big {
		t.Error("the lines do not hold the full value")
	}
	// Dropped from the full span: no event, and the line is the record.
	if uid, _ := lines[3][slogspan.UIDKey].(string); len(uid) != 26 {
		t.Errorf("the dropped record's line has uid %q", uid)
	}
}

// ulidTime returns the time a ULID holds, and whether s is one: 26
// characters of Crockford's base32, the first 10 the Unix milliseconds.
func ulidTime(s string) (time.Time, bool) {
	const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	if len(s) != 26 || s[0] > '7' {
		return time.Time{}, false
	}
	var ms int64
	for i, c := range []byte(s) {
		d := strings.IndexByte(crockford, c)
		if d < 0 {
			return time.Time{}, false
		}
		if i < 10 {
			ms = ms<<5 | int64(d)
		}
	}
	return time.UnixMilli(ms), true
}

// badStruct holds invalid UTF-8 where otelslog formats it with %+v.
type badStruct struct{ Name string }

func TestDivertedRecordsSurviveBadValues(t *testing.T) {
	// Through WithLoggerProvider and otelslog, as a program's payloads
	// go: no value makes the logging call panic, every string reaches the
	// exporter valid, and the uid survives sdk/log's attribute limit.
	d := newDiverting(t, slogspan.WithDivertAll(true))
	wide := make([]any, 0, 2*200)
	for i := range 200 {
		wide = append(wide, fmt.Sprint("k", i), i)
	}
	records := []struct {
		name  string
		attrs []any
	}{
		{"typed nil error", []any{"err", (*codedErr)(nil)}},
		{"panicking error", []any{"err", panicError{}}},
		{"two errors", []any{"err", errors.New("first"), "cause", errors.New("second")}},
		{"error in a group", []any{slog.Group("g", "err", panicError{})}},
		{"invalid error text", []any{"err", errors.New("e\xff")}},
		{"string slice", []any{"v", []string{"ok", "bad\xff"}}},
		{"struct", []any{"v", badStruct{"bad\xfe"}}},
		{"map key", []any{"v", map[string]int{"bad\xff": 1}}},
		{"wide", wide},
	}
	for _, r := range records {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("%s: the logging call panicked: %v", r.name, p)
				}
			}()
			d.log.InfoContext(d.ctx, r.name, r.attrs...)
		}()
	}
	d.span.End()

	events := onlySpan(t, d.rec).Events()
	recs := d.exp.Records()
	if len(recs) != len(records) || len(events) != len(records) {
		t.Fatalf("%d records and %d events, want %d each", len(recs), len(events), len(records))
	}
	for i, r := range recs {
		name := records[i].name
		uid := attrMap(events[i].Attributes)[slogspan.UIDKey].AsString()
		attrs := logAttrs(r)
		if got, _ := attrs[slogspan.UIDKey].(attribute.Value); got.AsString() != uid || uid == "" {
			t.Errorf("%s: record uid %v, event uid %q", name, attrs[slogspan.UIDKey], uid)
		}
		r.WalkAttributes(func(kv attribute.KeyValue) bool {
			if !onspan.ValidKV(kv, 0, -1) {
				t.Errorf("%s: %s = %v is not valid UTF-8", name, kv.Key, kv.Value)
			}
			return true
		})
	}
	two := logAttrs(recs[2])
	if two["exception.message"].(attribute.Value).AsString() != "first" || two["cause"].(attribute.Value).AsString() != "second" {
		t.Errorf("two errors: %v, want the first as exception.*, the second as text", two)
	}
	// With the text and type the event shows.
	ev := attrMap(events[2].Attributes)
	for _, k := range []string{slogspan.ExceptionTypeKey, slogspan.ExceptionMessageKey} {
		if got, _ := two[k].(attribute.Value); got.AsString() != ev[k].AsString() || got.AsString() == "" {
			t.Errorf("two errors: the record's %s is %v, the event's %q", k, two[k], ev[k].AsString())
		}
	}
	if m := logAttrs(recs[1])["exception.message"]; m == nil || !strings.Contains(m.(attribute.Value).AsString(), "!PANIC") {
		t.Errorf("panicking error: exception.message = %v", m)
	}
}

// errValuer resolves to a slice holding a typed nil error.
type errValuer struct{}

func (errValuer) LogValue() slog.Value { return slog.AnyValue([]error{(*codedErr)(nil)}) }

func TestDivertedRecordsSurviveBadErrorsAtAnyDepth(t *testing.T) {
	// otelslog calls Error on errors inside slices, maps and pointers, on
	// the logging goroutine. No such value panics the call: the record
	// arrives, with its uid, the bad value as the text slog's text
	// handler writes for it, its other values as they were.
	big := strings.Repeat("b", 5000) // cut, so the record is diverted
	records := []struct {
		name  string
		attrs []any
		bad   string // the key of the bad value, in the diverted record
		want  string // text it contains
	}{
		{"typed nil in a slice", []any{"errs", []error{(*codedErr)(nil)}}, "errs", "[<nil>]"},
		{"panicking error in a slice", []any{"errs", []error{panicError{}}}, "errs", "PANIC"},
		{"typed nil in a map", []any{"errs", map[string]error{"a": (*codedErr)(nil)}}, "errs", "map[a:<nil>]"},
		{"in a slice in a map", []any{"errs", map[string]any{"a": []any{1, panicError{}}}}, "errs", "PANIC"},
		{"in a slice of slices", []any{"errs", [][]error{{nil, (*codedErr)(nil)}}}, "errs", "<nil>"},
		{"behind a pointer", []any{"errs", &[]error{(*codedErr)(nil)}}, "errs", "<nil>"},
		{"in an array", []any{"errs", [1]error{panicError{}}}, "errs", "PANIC"},
		{"from a LogValuer", []any{"errs", errValuer{}}, "errs", "[<nil>]"},
	}
	for _, r := range records {
		for _, where := range []string{"record", "group", "With"} {
			t.Run(r.name+"/"+where, func(t *testing.T) {
				d := newDiverting(t)
				l, attrs := d.log, append([]any{"body", big, "n", 7}, r.attrs...)
				switch where {
				case "group":
					attrs = []any{slog.Group("g", attrs...)}
				case "With":
					l, attrs = l.With(r.attrs...), []any{"body", big, "n", 7}
				}
				func() {
					defer func() {
						if p := recover(); p != nil {
							t.Fatalf("the logging call panicked: %v", p)
						}
					}()
					l.InfoContext(d.ctx, "x", attrs...)
				}()
				d.span.End()

				if n := len(jsonLines(t, d.out)); n != 1 {
					t.Errorf("next got %d lines, want 1", n)
				}
				uid := attrMap(onlyEvent(t, d.rec).Attributes)[slogspan.UIDKey].AsString()
				recs := d.exp.Records()
				if len(recs) != 1 || uid == "" {
					t.Fatalf("%d records diverted, event uid %q; want the record, linked", len(recs), uid)
				}
				got := logAttrs(recs[0])
				if u, _ := got[slogspan.UIDKey].(attribute.Value); u.AsString() != uid {
					t.Errorf("record uid %v, event uid %q", got[slogspan.UIDKey], uid)
				}
				if where == "group" {
					g, _ := got["g"].(attribute.Value)
					got = map[string]any{}
					for _, kv := range g.AsMap() {
						got[string(kv.Key)] = kv.Value
					}
				}
				body, _ := got["body"].(attribute.Value)
				n, _ := got["n"].(attribute.Value)
				bad, _ := got[r.bad].(attribute.Value)
				if body.AsString() != big || n.AsInt64() != 7 {
					t.Errorf("the record's good values changed: %v", got)
				}
				if bad.Type() != attribute.STRING || !strings.Contains(bad.AsString(), r.want) {
					t.Errorf("%s = %v, want text containing %q", r.bad, bad, r.want)
				}
			})
		}
	}
}

type panickingHandler struct{ slog.Handler }

func (panickingHandler) Handle(context.Context, slog.Record) error { panic("handler exploded") }

func TestAPanickingPayloadHandlerIsAnError(t *testing.T) {
	tracer, _ := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	defer span.End()
	buf, next := newJSON(slog.LevelInfo)
	h := slogspan.New(next, slogspan.WithPayloadHandler(panickingHandler{slog.NewJSONHandler(io.Discard, nil)}),
		slogspan.WithDivertAll(true))
	err := h.Handle(ctx, newRecord("m", slog.String("v", "x")))
	if err == nil || !strings.Contains(err.Error(), "handler exploded") {
		t.Errorf("Handle returned %v, want the panic as an error", err)
	}
	if !strings.Contains(buf.String(), `"msg":"m"`) {
		t.Errorf("the line was lost: %s", buf)
	}
}

func TestDivertedRecordsCountSlicesTowardTheDepth(t *testing.T) {
	// Slices nest as maps do, inside groups too: at most MaxValueDepth in
	// all, then text.
	d := newDiverting(t, slogspan.WithDivertAll(true))
	var slices, doc any = "leaf", "leaf"
	for range 60 {
		slices = []any{slices}
	}
	for i := range 20 {
		doc = []any{map[string]any{"child": doc, "i": i}}
	}
	d.log.WithGroup("w").InfoContext(d.ctx, "deep", "slices", slices, slog.Group("g", "doc", doc))
	d.span.End()

	recs := d.exp.Records()
	if len(recs) != 1 {
		t.Fatalf("got %d records", len(recs))
	}
	w := logAttrs(recs[0])["w"].(attribute.Value)
	if got := onspan.Depth(w); got != slogspan.MaxValueDepth {
		t.Errorf("nested %d deep, want %d", got, slogspan.MaxValueDepth)
	}
	for _, kv := range w.AsMap() {
		if !strings.Contains(kv.Value.String(), "leaf") {
			t.Errorf("%s lost its leaf: %s", kv.Key, kv.Value.String())
		}
	}
}
