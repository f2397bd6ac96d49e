package e2e

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/setup"
)

func TestWireEvents(t *testing.T) {
	onEachProtocol(t, func(t *testing.T, proto string, c *collector, errs *errorsSeen) {
		c.start()
		shutdown := startSlogspan(t, c, proto)

		prompt := strings.Repeat("Explain the water cycle. ", 400) // 10,000 bytes
		ctx, sp := otel.Tracer("e2e").Start(context.Background(), "wire")
		traceID, spanID := sp.SpanContext().TraceID().String(), sp.SpanContext().SpanID().String()
		l := slog.Default().With("user", "u1").WithGroup("req")
		l.InfoContext(ctx, "plain", "n", 7, "ok", true, "ratio", 0.5)
		l.WarnContext(ctx, "prompt", "text", prompt)
		l.ErrorContext(ctx, "failed", "err", errors.New("boom"))
		sp.End()

		shutdownCleanly(context.Background(), t, shutdown, c, errs)

		spans := c.spansNamed("wire")
		if len(spans) != 1 {
			t.Fatalf("received %d spans named wire", len(spans))
		}
		ev := spans[0].events
		if len(ev) != 3 || ev[0].name != "plain" || ev[1].name != "prompt" || ev[2].name != "failed" {
			t.Fatalf("events = %+v", ev)
		}
		if got := ev[0].attrs["req.n"].Int(); got != 7 || ev[0].attrs["user"].Str() != "u1" ||
			!ev[0].attrs["req.ok"].Bool() || ev[0].attrs["req.ratio"].Double() != 0.5 ||
			ev[0].attrs["level"].Str() != "INFO" {
			t.Errorf("plain event attrs = %v", ev[0].attrs)
		}
		preview := ev[1].attrs["req.text"].Str()
		if len(preview) > slogspan.DefaultMaxValueBytes || !strings.HasPrefix(preview, "Explain the water cycle.") ||
			!strings.HasSuffix(preview, "…[truncated: 10000 bytes]") {
			t.Errorf("preview = %q", preview)
		}
		uid := ev[1].attrs[slogspan.UIDKey].Str()
		if len(uid) != 26 {
			t.Fatalf("event uid = %q", uid)
		}
		if ev[2].attrs[slogspan.ExceptionMessageKey].Str() != "boom" {
			t.Errorf("failed event attrs = %v", ev[2].attrs)
		}
		if v := spans[0].attrs[slogspan.TruncatedValuesKey]; v.Int() != 1 {
			t.Errorf("%s = %v", slogspan.TruncatedValuesKey, v.AsString())
		}

		var diverted []logRecord
		for _, r := range c.logRecords() {
			if r.attrs[slogspan.UIDKey].Str() == uid {
				diverted = append(diverted, r)
			}
		}
		if len(diverted) != 1 {
			t.Fatalf("received %d log records with uid %s, want 1 (all: %d)", len(diverted), uid, len(c.logRecords()))
		}
		r := diverted[0]
		if r.traceID != traceID || r.spanID != spanID {
			t.Errorf("diverted ids %s/%s, span %s/%s", r.traceID, r.spanID, traceID, spanID)
		}
		req, ok := r.attrs["req"]
		if !ok || req.Type() != pcommon.ValueTypeMap {
			t.Fatalf("diverted attrs = %v", r.attrs)
		}
		full, _ := req.Map().Get("text")
		if full.Str() != prompt {
			t.Errorf("diverted payload differs: %d bytes, want %d", len(full.Str()), len(prompt))
		}
		if r.body != "prompt" || r.attrs["user"].Str() != "u1" {
			t.Errorf("diverted record body %q attrs %v", r.body, r.attrs)
		}
	})
}

func TestWireBadInput(t *testing.T) {
	onEachProtocol(t, func(t *testing.T, proto string, c *collector, errs *errorsSeen) {
		c.start()
		// Divert every record, so the bad input also crosses the wire
		// as OTLP log records, deep groups as nested maps.
		shutdown := startSlogspan(t, c, proto, setup.WithHandlerOptions(slogspan.WithDivertAll(true)))

		deep := slog.String("leaf", "v")
		for range 200 {
			deep = slog.Group("g", deep)
		}
		hugeKey := strings.Repeat("k", 10000)
		ctx, sp := otel.Tracer("e2e").Start(context.Background(), "bad input")
		l := slog.Default()
		l.InfoContext(ctx, "bad\xff message", "key\xfe", "value\xc3", "err", errors.New("e\xff"))
		l.InfoContext(ctx, "huge key", hugeKey, 1)
		l.InfoContext(ctx, "deep", deep)
		l.WithGroup("w\xff").With("a\xfe", "b\xff").InfoContext(ctx, "with")
		sp.End()

		shutdownCleanly(context.Background(), t, shutdown, c, errs)
		spans := c.spansNamed("bad input")
		if len(spans) != 1 || len(spans[0].events) != 4 {
			t.Fatalf("received spans %+v", spans)
		}
		for _, e := range spans[0].events {
			if !utf8.ValidString(e.name) {
				t.Errorf("event name %q", e.name)
			}
			for k, v := range e.attrs {
				if !utf8.ValidString(k) || len(k) > slogspan.DefaultMaxValueBytes {
					t.Errorf("event %q key %.40q (%d bytes)", e.name, k, len(k))
				}
				if v.Type() == pcommon.ValueTypeStr && !utf8.ValidString(v.Str()) {
					t.Errorf("event %q value %q", e.name, v.Str())
				}
			}
		}
		recs := c.logRecords()
		if len(recs) != 4 {
			t.Fatalf("received %d log records, want 4", len(recs))
		}
		bodies := map[string]logRecord{}
		for _, r := range recs {
			bodies[r.body] = r
		}
		if _, ok := bodies["huge key"].attrs[hugeKey]; !ok {
			t.Error("the record with the huge key did not arrive whole")
		}
		if _, ok := bodies["bad\uFFFD message"]; !ok {
			t.Errorf("the bad message arrived as %q", keys(bodies))
		}
		// Nested as deep as receivers accept, then flattened: nothing lost.
		depth := 0
		var last pcommon.Map
		for v, ok := bodies["deep"].attrs["g"]; ok && v.Type() == pcommon.ValueTypeMap; v, ok = v.Map().Get("g") {
			depth++
			last = v.Map()
		}
		rest := 200 - depth
		if leaf, ok := last.Get(strings.Repeat("g.", rest-1) + "g.leaf"); depth == 0 || !ok || leaf.Str() != "v" {
			t.Errorf("deep group arrived %d levels deep, then %v", depth, last.AsRaw())
		}
	})
}

func keys(m map[string]logRecord) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
