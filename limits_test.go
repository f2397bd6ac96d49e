package slogspan_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/slogspan/slogspan"
)

func TestDocumentedDefaultsAndBounds(t *testing.T) {
	// The numbers README.md, doc.go, limits.go and setup's documentation
	// give: a change of default must change them too.
	for name, c := range map[string][2]int{
		"MaxTrackedSpans":  {slogspan.MaxTrackedSpans, 262144},
		"MaxMissingSites":  {slogspan.MaxMissingSites, 1024},
		"MaxMissingReport": {slogspan.MaxMissingReport, 32},
	} {
		if c[0] != c[1] {
			t.Errorf("%s = %d, documented %d", name, c[0], c[1])
		}
	}
	want := slogspan.Limits{MaxValueBytes: 1024, MaxEventAttrs: 32, MaxEventBytes: 8192, MaxSpanEvents: 100, MaxSpanBytes: 65536}
	if got := slogspan.New(slog.NewJSONHandler(io.Discard, nil)).Limits(); got != want {
		t.Errorf("defaults %+v, documented %+v", got, want)
	}
	// A zero field takes its default, a negative one means unlimited.
	got := slogspan.New(slog.NewJSONHandler(io.Discard, nil), slogspan.WithLimits(slogspan.Limits{MaxEventAttrs: -1, MaxSpanEvents: 7})).Limits()
	if want.MaxEventAttrs, want.MaxSpanEvents = -1, 7; got != want {
		t.Errorf("limits %+v, want %+v", got, want)
	}
}

func TestMaxValueBytesBoundsValueKeyAndName(t *testing.T) {
	// One value, one key and the event name, each cut to MaxValueBytes
	// with a marker, and the event linked to the whole record.
	const limit = 64
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	_, next := newJSON(slog.LevelInfo)
	l := slog.New(slogspan.New(next, slogspan.WithLimits(slogspan.Limits{MaxValueBytes: limit})))
	l.InfoContext(ctx, strings.Repeat("m", 300), strings.Repeat("k", 300), 1, "v", strings.Repeat("v", 300))
	span.End()
	ev := onlyEvent(t, rec)
	assertValidEvent(t, ev, limit)
	if !strings.HasPrefix(ev.Name, "mmm") || !strings.HasSuffix(ev.Name, "…[truncated: 300 bytes]") {
		t.Errorf("name %q, want a cut of the message with its marker", ev.Name)
	}
	m := attrMap(ev.Attributes)
	if v := m["v"].AsString(); !strings.HasSuffix(v, "…[truncated: 300 bytes]") {
		t.Errorf("value %q, want a cut with its marker", v)
	}
	cutKey := false
	for _, kv := range ev.Attributes {
		cutKey = cutKey || (strings.HasPrefix(string(kv.Key), "kkk") && kv.Value.AsInt64() == 1)
	}
	if !cutKey || len(m[slogspan.UIDKey].AsString()) != 26 {
		t.Errorf("attributes %v, want the key cut, its value whole, and a uid", ev.Attributes)
	}
}
