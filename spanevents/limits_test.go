package spanevents_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/internal/onspan"
	"github.com/slogspan/slogspan/spanevents"
)

// WithLimits in specification mode: the specification's events, with
// slogspan's limits, budgets and links.

func TestWithLimitsKeepsKindsAndCutsValues(t *testing.T) {
	noErrors(t)
	lim := slogspan.Limits{MaxEventAttrs: -1, MaxEventBytes: -1}
	p := newPipeline(t, spanevents.NewProcessor(spanevents.WithLimits(lim)), pipelineConfig{})
	kvs := everyKind()
	ctx, span := p.tracer.Start(context.Background(), "op")
	emitEvent(ctx, p.logger, strings.Repeat("n", 4<<10), kvs...)
	span.End()

	ev := p.only(t).Events()
	if len(ev) != 1 {
		t.Fatalf("%d events, want 1", len(ev))
	}
	if len(ev[0].Name) > slogspan.DefaultMaxValueBytes {
		t.Errorf("name of %d bytes, want it cut to %d", len(ev[0].Name), slogspan.DefaultMaxValueBytes)
	}
	rec := p.exported.Records()[0]
	want := map[attribute.Key]attribute.Value{}
	for _, kv := range recordAttrs(rec) {
		want[kv.Key] = kv.Value
	}
	got := map[attribute.Key]attribute.Value{}
	for _, kv := range ev[0].Attributes {
		got[kv.Key] = kv.Value
		if len(kv.Key) > slogspan.DefaultMaxValueBytes {
			t.Errorf("key of %d bytes", len(kv.Key))
		}
		if n := onspan.ValueBytes(kv.Value); n > slogspan.DefaultMaxValueBytes {
			t.Errorf("%s: %d bytes, over MaxValueBytes", kv.Key, n)
		}
		if !onspan.ValidValue(kv.Value, 0, -1) {
			t.Errorf("%s: invalid UTF-8 on the span: %q", kv.Key, kv.Value.String())
		}
	}
	// Every kind is kept; what fits is whole.
	for _, kv := range kvs {
		if strings.HasPrefix(string(kv.Key), "kkk") {
			continue // the long key, cut
		}
		g, ok := got[kv.Key]
		if !ok {
			t.Errorf("%s is missing", kv.Key)
			continue
		}
		if g.Type() != want[kv.Key].Type() {
			t.Errorf("%s is %s, the record's %s", kv.Key, g.Type(), want[kv.Key].Type())
		}
	}
	for _, k := range []attribute.Key{"bool", "int", "float", "string", "bytes", "empty", "a", "a.b", "nested", "empty map", "mixed", "empty slice", "n39"} {
		if !equalValue(got[k], want[k]) {
			t.Errorf("%s = %s, want it whole: %s", k, got[k].String(), want[k].String())
		}
	}
	if s := got["long string"].AsString(); !strings.HasSuffix(s, "…[truncated: 10240 bytes]") {
		t.Errorf("long string: %.40q…, want a cut preview", s)
	}
	if s := got["strings"].AsStringSlice(); len(s) >= 2000 || s[len(s)-1] != "…[truncated: 2000 elements]" {
		t.Errorf("strings: %d elements, want the first with a marker", len(s))
	}
	if s := got["invalid utf-8"].AsString(); s != "a\uFFFDb" {
		t.Errorf("invalid utf-8 = %q, want it repaired", s)
	}
	// The record, which holds it all, is linked by its own uid, never
	// replaced.
	if u := got[slogspan.UIDKey]; u.AsString() != "the user's own" || want[slogspan.UIDKey].AsString() != "the user's own" {
		t.Errorf("uid: event %v, record %v; want the record's own on both", u, want[slogspan.UIDKey])
	}
	if rec.AttributesLen() != len(kvs) {
		t.Errorf("the record has %d attributes, want its %d", rec.AttributesLen(), len(kvs))
	}
}

func TestWithLimitsCutsCompositeValues(t *testing.T) {
	noErrors(t)
	const maxBytes = 64
	p := newPipeline(t, spanevents.NewProcessor(spanevents.WithLimits(slogspan.Limits{MaxValueBytes: maxBytes})), pipelineConfig{})
	big := strings.Repeat("x", 100)
	kvs := []attribute.KeyValue{
		attribute.Map("map", attribute.String("a", big), attribute.String("b", "bee"), attribute.Map("c", attribute.String("d", big))),
		attribute.Slice("slice", attribute.IntValue(1), attribute.StringValue(big), attribute.StringValue("after")),
		attribute.Slice("numbers", attribute.IntValue(1), attribute.IntValue(2), attribute.IntValue(3),
			attribute.IntValue(4), attribute.IntValue(5), attribute.IntValue(6), attribute.IntValue(7), attribute.IntValue(8), attribute.IntValue(9)),
		attribute.ByteSlice("bytes", []byte(strings.Repeat("\xff", 100))),
		attribute.Int64Slice("ints", make([]int64, 100)),
	}
	ctx, span := p.tracer.Start(context.Background(), "op")
	emitEvent(ctx, p.logger, "composite", kvs...)
	span.End()

	s := p.only(t)
	got := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Events()[0].Attributes {
		got[kv.Key] = kv.Value
		if n := onspan.ValueBytes(kv.Value); n > maxBytes && kv.Key != slogspan.UIDKey {
			t.Errorf("%s: %d bytes, over %d: %s", kv.Key, n, maxBytes, kv.Value.String())
		}
	}
	if m := got["map"]; m.Type() != attribute.MAP || len(m.AsMap()) != 1 || m.AsMap()[0].Key != "a" ||
		!strings.HasPrefix(m.AsMap()[0].Value.AsString(), "xxx") {
		t.Errorf("map = %s, want its first member, cut", m.String())
	}
	if sl := got["slice"]; sl.Type() != attribute.SLICE || len(sl.AsSlice()) != 2 || sl.AsSlice()[0].AsInt64() != 1 {
		t.Errorf("slice = %s, want 1 and the cut string", sl.String())
	}
	if n := got["numbers"]; len(n.AsSlice()) != maxBytes/8 {
		t.Errorf("numbers = %s, want the first %d", n.String(), maxBytes/8)
	}
	if b := got["bytes"]; b.Type() != attribute.BYTESLICE || len(b.AsByteSlice()) != maxBytes {
		t.Errorf("bytes = %s %d bytes, want the first %d, as bytes", b.Type(), len(b.AsByteSlice()), maxBytes)
	}
	uid := got[slogspan.UIDKey].AsString()
	if uid == "" {
		t.Fatal("the cut event carries no uid")
	}
	rec := p.exported.Records()[0]
	recUID, _ := recordAttrMap(rec)[slogspan.UIDKey]
	if recUID.AsString() != uid || rec.AttributesLen() != len(kvs)+1 {
		t.Errorf("record: uid %q, %d attributes; want the event's uid and its own %d", recUID.AsString(), rec.AttributesLen(), len(kvs))
	}
	if v, _ := attrMap(s.Attributes())[slogspan.TruncatedValuesKey]; v.AsInt64() == 0 {
		t.Errorf("%s not set", slogspan.TruncatedValuesKey)
	}
}

func recordAttrMap(r sdklog.Record) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range recordAttrs(r) {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestWithLimitsBudgetAndLinks(t *testing.T) {
	noErrors(t)
	p := newPipeline(t, spanevents.NewProcessor(spanevents.WithLimits(slogspan.Limits{MaxSpanEvents: 3})), pipelineConfig{})
	ctx, span := p.tracer.Start(context.Background(), "op")
	for i := range 5 {
		emitEvent(ctx, p.logger, "tick", attribute.Int("i", i))
	}
	emitEvent(ctx, p.logger, "tick", attribute.Int("i", 5), attribute.String(slogspan.UIDKey, "mine"))
	span.End()

	s := p.only(t)
	if n := len(s.Events()); n != 3 {
		t.Errorf("%d events, want the budget of 3", n)
	}
	if v, _ := attrMap(s.Attributes())[slogspan.DroppedEventsKey]; v.AsInt64() != 3 {
		t.Errorf("%s = %v, want 3", slogspan.DroppedEventsKey, v)
	}
	for i, r := range p.exported.Records() {
		m := recordAttrMap(r)
		uid, linked := m[slogspan.UIDKey]
		switch {
		case i < 3 && linked:
			t.Errorf("record %d, whole on the span, got a uid", i)
		case i >= 3 && i < 5 && len(uid.AsString()) != 26:
			t.Errorf("record %d, left off the span, has uid %v; want a new one", i, uid)
		case i == 5 && uid.AsString() != "mine":
			t.Errorf("record %d has uid %v; want its own, kept", i, uid)
		}
	}
}

// A record at sdk/log's attribute count limit (128) has no room for
// log.record.uid: the uid takes the first place, and the record's last
// attribute, one past the limit now, is counted as dropped, so that the
// link survives. A LoggerProvider that keeps no attributes at all (limit
// 0) cannot take one: the event goes without, and that is reported once.
func TestUIDAndTheRecordAttributeLimit(t *testing.T) {
	var mu sync.Mutex
	var reported []error
	prev := otel.GetErrorHandler()
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		mu.Lock()
		reported = append(reported, err)
		mu.Unlock()
	}))
	t.Cleanup(func() { otel.SetErrorHandler(prev) })

	for _, c := range []struct {
		name    string
		attrs   int
		limit   int // the LoggerProvider's attribute count limit, 0: the default
		kept    int // the user's attributes the exported record keeps
		dropped int
		linked  bool
	}{
		{"127 attributes", 127, 0, 127, 0, true},
		{"128 attributes, at the limit", 128, 0, 127, 1, true},
		{"200 attributes, over the limit", 200, 0, 127, 73, true},
		{"200 attributes, no limit", 200, -1, 200, 0, true},
	} {
		for _, mode := range []struct {
			name  string
			p     *spanevents.Processor
			event string // "": a log line
		}{
			{"event", spanevents.NewProcessor(spanevents.WithLimits(slogspan.Limits{})), "wide"},
			{"line", spanevents.NewProcessor(spanevents.WithAllRecords(true)), ""},
		} {
			t.Run(c.name+"/"+mode.name, func(t *testing.T) {
				var cfg pipelineConfig
				if c.limit != 0 {
					cfg.logOpts = []sdklog.LoggerProviderOption{sdklog.WithAttributeCountLimit(c.limit)}
				}
				p := newPipeline(t, mode.p, cfg)
				kvs := []attribute.KeyValue{attribute.String("big", strings.Repeat("b", 5000))}
				for i := 1; i < c.attrs; i++ {
					kvs = append(kvs, attribute.Int(fmt.Sprint("a", i), i))
				}
				ctx, span := p.tracer.Start(context.Background(), "op")
				emitEvent(ctx, p.logger, mode.event, kvs...)
				span.End()

				ev := p.only(t).Events()[0]
				evUID := attrMap(ev.Attributes)[slogspan.UIDKey].AsString()
				rec := p.exported.Records()[0]
				m := recordAttrMap(rec)
				recUID := m[slogspan.UIDKey].AsString()
				user := rec.AttributesLen()
				if c.linked {
					user--
					if evUID == "" || recUID != evUID {
						t.Errorf("uid: event %q, record %q; want one uid on both", evUID, recUID)
					}
				} else if evUID != "" || recUID != "" {
					t.Errorf("uid: event %q, record %q; want none", evUID, recUID)
				}
				if user != c.kept || rec.DroppedAttributes() != c.dropped {
					t.Errorf("record: %d of the user's attributes, %d dropped; want %d and %d", user, rec.DroppedAttributes(), c.kept, c.dropped)
				}
				for i := 1; i < c.kept; i++ { // the first ones, in order
					if got := m[attribute.Key(fmt.Sprint("a", i))]; got.AsInt64() != int64(i) {
						t.Errorf("a%d = %v, want %d", i, got, i)
						break
					}
				}
			})
		}
	}
	// A LoggerProvider that keeps no attributes: the records left off the
	// full span cannot be linked, which is reported once.
	p := newPipeline(t, spanevents.NewProcessor(spanevents.WithLimits(slogspan.Limits{MaxSpanEvents: 1})),
		pipelineConfig{logOpts: []sdklog.LoggerProviderOption{sdklog.WithAttributeCountLimit(0)}})
	ctx, span := p.tracer.Start(context.Background(), "op")
	for range 3 {
		emitEvent(ctx, p.logger, "tick", attribute.Int("i", 1))
	}
	span.End()
	for i, rec := range p.exported.Records() {
		if rec.AttributesLen() != 0 || rec.DroppedAttributes() != 1 {
			t.Errorf("record %d: %d attributes, %d dropped; want none kept, its one dropped", i, rec.AttributesLen(), rec.DroppedAttributes())
		}
	}
	mu.Lock()
	defer mu.Unlock()
	full := 0
	for _, err := range reported {
		if strings.Contains(err.Error(), "keeps no attributes") {
			full++
		}
	}
	if full != 1 {
		t.Errorf("the records with no room were reported %d times, want once: %v", full, errors.Join(reported...))
	}
}

// Maps and slices count for MaxEventBytes and MaxSpanBytes by their
// members: a map that fits MaxValueBytes but not the event is left out,
// and the event linked.
func TestWithLimitsCountsCompositeValuesInEventBytes(t *testing.T) {
	noErrors(t)
	p := newPipeline(t, spanevents.NewProcessor(spanevents.WithLimits(slogspan.Limits{MaxEventBytes: 200})), pipelineConfig{})
	hundred := strings.Repeat("h", 100)
	ctx, span := p.tracer.Start(context.Background(), "op")
	emitEvent(ctx, p.logger, "e", attribute.String("small", "s"),
		attribute.Map("map", attribute.String("a", hundred), attribute.Map("inner", attribute.String("b", hundred), attribute.String("c", hundred))))
	emitEvent(ctx, p.logger, "e", attribute.String("small", "s"),
		attribute.Slice("slice", attribute.StringValue(hundred), attribute.SliceValue(attribute.StringValue(hundred), attribute.StringValue(hundred))))
	span.End()
	for _, ev := range p.only(t).Events() {
		m := attrMap(ev.Attributes)
		if len(ev.Attributes) != 2 || m["small"].AsString() != "s" || len(m[slogspan.UIDKey].AsString()) != 26 {
			t.Errorf("event attributes %v; want the small one and a uid", ev.Attributes)
		}
	}
}

// The link is never cut from an event, even by MaxEventAttrs: neither a
// new uid nor the record's own.
func TestUIDSurvivesMaxEventAttrs(t *testing.T) {
	noErrors(t)
	for _, c := range []struct {
		opts []spanevents.Option
		name string // "": log lines
	}{
		{[]spanevents.Option{spanevents.WithLimits(slogspan.Limits{MaxEventAttrs: 1})}, "event"},
		{[]spanevents.Option{spanevents.WithAllRecords(true), spanevents.WithLimits(slogspan.Limits{MaxEventAttrs: 1})}, ""},
	} {
		p := newPipeline(t, spanevents.NewProcessor(c.opts...), pipelineConfig{})
		ctx, span := p.tracer.Start(context.Background(), "op")
		emitEvent(ctx, p.logger, c.name, attribute.Int("a", 1), attribute.Int("b", 2))
		emitEvent(ctx, p.logger, c.name, attribute.Int("a", 1), attribute.String(slogspan.UIDKey, "mine"))
		span.End()
		recs := p.exported.Records()
		for i, ev := range p.only(t).Events() {
			got := attrMap(ev.Attributes)[slogspan.UIDKey].AsString()
			if want := recordAttrMap(recs[i])[slogspan.UIDKey].AsString(); got == "" || got != want {
				t.Errorf("%q event %d uid %q, record's %q; want one uid on both", c.name, i, got, want)
			}
		}
	}
}

// Rule 1 as written with WithLimits: events only, no log lines.
func TestWithLimitsBridgesEventsOnly(t *testing.T) {
	noErrors(t)
	p := newPipeline(t, spanevents.NewProcessor(spanevents.WithLimits(slogspan.Limits{})), pipelineConfig{})
	ctx, span := p.tracer.Start(context.Background(), "op")
	emitEvent(ctx, p.logger, "order.placed")
	emitEvent(ctx, p.logger, "", attribute.String("a log line", "no event name"))
	span.End()
	if ev := p.only(t).Events(); len(ev) != 1 || ev[0].Name != "order.placed" {
		t.Errorf("events %v, want the event alone", ev)
	}
}

// Keys on an event are unique in every mode: a map flattened to dotted
// keys in all-records mode cannot collide with a key of that name.
func TestEventKeysAreUniqueInEveryMode(t *testing.T) {
	noErrors(t)
	for _, opts := range [][]spanevents.Option{
		{spanevents.WithLimits(slogspan.Limits{MaxEventAttrs: -1, MaxEventBytes: -1})},
		{spanevents.WithAllRecords(true), spanevents.WithLimits(slogspan.Limits{MaxEventAttrs: -1, MaxEventBytes: -1})},
	} {
		p := newPipeline(t, spanevents.NewProcessor(opts...), pipelineConfig{})
		ctx, span := p.tracer.Start(context.Background(), "op")
		emitEvent(ctx, p.logger, "every.kind", everyKind()...)
		emitEvent(ctx, p.logger, "", everyKind()...)
		emitEvent(ctx, p.logger, "", attribute.String("level", "forged"), attribute.Map("a", attribute.Int("b", 1)), attribute.Int("a.b", 2))
		span.End()
		for _, ev := range p.only(t).Events() {
			seen := map[attribute.Key]bool{}
			for _, kv := range ev.Attributes {
				if seen[kv.Key] {
					t.Errorf("event %q: key %q twice", ev.Name, kv.Key)
				}
				seen[kv.Key] = true
			}
		}
	}
}

// In every mode, an event's values nest at most slogspan.MaxValueDepth
// maps and slices deep, the rest kept as text: a receiver refuses deeper
// messages, and the span's whole batch with them. With limits, that
// counts as a cut, and the event is linked to its record.
func TestEventsNestAtMostMaxValueDepth(t *testing.T) {
	leaf := attribute.StringValue("leaf")
	slices, maps := leaf, leaf
	for range 60 {
		slices = attribute.SliceValue(slices)
		maps = attribute.MapValue(attribute.KeyValue{Key: "m", Value: maps})
	}
	for _, mode := range []struct {
		name    string
		p       *spanevents.Processor
		limited bool
	}{
		{"specification", spanevents.NewProcessor(), false},
		{"WithLimits", spanevents.NewProcessor(spanevents.WithLimits(slogspan.Limits{})), true},
		{"WithAllRecords", spanevents.NewProcessor(spanevents.WithAllRecords(true)), true},
	} {
		t.Run(mode.name, func(t *testing.T) {
			noErrors(t)
			p := newPipeline(t, mode.p, pipelineConfig{})
			ctx, span := p.tracer.Start(context.Background(), "op")
			emitEvent(ctx, p.logger, "deep", attribute.KeyValue{Key: "slices", Value: slices},
				attribute.KeyValue{Key: "maps", Value: maps}, attribute.Int("n", 1))
			span.End()
			m := attrMap(p.only(t).Events()[0].Attributes)
			for _, k := range []string{"slices", "maps"} {
				if d := onspan.Depth(m[k]); d != slogspan.MaxValueDepth || !strings.Contains(m[k].String(), "leaf") {
					t.Errorf("%s: %d deep, want %d, then text with the leaf: %s", k, d, slogspan.MaxValueDepth, m[k].String())
				}
			}
			if m["n"].AsInt64() != 1 {
				t.Errorf("n = %v", m["n"])
			}
			uid := m[slogspan.UIDKey].AsString()
			rec := recordAttrMap(p.exported.Records()[0])
			if mode.limited && (uid == "" || rec[slogspan.UIDKey].AsString() != uid) {
				t.Errorf("uid: event %q, record %v; want the record linked", uid, rec[slogspan.UIDKey])
			}
			if !mode.limited && uid != "" {
				t.Errorf("the specification's event got a uid %q", uid)
			}
		})
	}
}

// A record's own log.record.uid is never replaced, even when the span's
// budget is used up, wherever the uid is among the record's attributes.
func TestOwnUIDIsKeptWhenTheSpanIsFull(t *testing.T) {
	noErrors(t)
	p := newPipeline(t, spanevents.NewProcessor(spanevents.WithLimits(slogspan.Limits{MaxSpanEvents: 1})), pipelineConfig{})
	ctx, span := p.tracer.Start(context.Background(), "op")
	emitEvent(ctx, p.logger, "first")
	var kvs []attribute.KeyValue
	for i := range 7 {
		kvs = append(kvs, attribute.Int(fmt.Sprint("a", i), i))
	}
	emitEvent(ctx, p.logger, "front", attribute.String(slogspan.UIDKey, "mine, in front"))
	emitEvent(ctx, p.logger, "back", append(kvs, attribute.String(slogspan.UIDKey, "mine, at the back"))...)
	span.End()

	if n := len(p.only(t).Events()); n != 1 {
		t.Errorf("%d events, want the budget of 1", n)
	}
	recs := p.exported.Records()
	for i, want := range map[int]string{1: "mine, in front", 2: "mine, at the back"} {
		m := recordAttrMap(recs[i])
		if got := m[slogspan.UIDKey].AsString(); got != want {
			t.Errorf("record %d has uid %q, want its own %q", i, got, want)
		}
	}
}

// slogspan's own keys are never cut, whatever MaxValueBytes; neither is
// log.record.uid's value, the link.
func TestUIDKeyIsNeverCut(t *testing.T) {
	noErrors(t)
	for _, mode := range []struct {
		name  string
		p     *spanevents.Processor
		event string
	}{
		{"event", spanevents.NewProcessor(spanevents.WithLimits(slogspan.Limits{MaxValueBytes: 10})), "ev"},
		{"line", spanevents.NewProcessor(spanevents.WithAllRecords(true), spanevents.WithLimits(slogspan.Limits{MaxValueBytes: 10})), ""},
	} {
		t.Run(mode.name, func(t *testing.T) {
			p := newPipeline(t, mode.p, pipelineConfig{})
			ctx, span := p.tracer.Start(context.Background(), "op")
			emitEvent(ctx, p.logger, mode.event, attribute.String("v", strings.Repeat("v", 100)))
			emitEvent(ctx, p.logger, mode.event, attribute.String("v", strings.Repeat("v", 100)),
				attribute.String(slogspan.UIDKey, "the user's own uid"))
			span.End()
			for i, ev := range p.only(t).Events() {
				m := attrMap(ev.Attributes)
				want := recordAttrMap(p.exported.Records()[i])[slogspan.UIDKey].AsString()
				if got := m[slogspan.UIDKey].AsString(); got == "" || got != want {
					t.Errorf("event %d: %v; want log.record.uid whole, %q as on the record", i, ev.Attributes, want)
				}
			}
		})
	}
}
