package e2e

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/setup"
	"github.com/slogspan/slogspan/spanevents"
)

// The Collector's protobuf decoder refuses a message nested past its
// recursion limit, and with it the whole request: every neighbor of a
// deeply nested value would be lost. slogspan bounds the nesting of maps
// and slices alike (slogspan.MaxValueDepth); past it, the rest of a value is
// kept as text.

// deepGoValues are Go values as a program logs them: a slice nested 60
// deep, a parsed JSON document of arrays of objects nested 20 deep, and a
// map nested 60 deep. Each ends in the string "leaf".
func deepGoValues() map[string]any {
	var slices, doc, maps any = "leaf", "leaf", "leaf"
	for range 60 {
		slices = []any{slices}
		maps = map[string]any{"m": maps}
	}
	for i := range 20 {
		doc = []any{map[string]any{"child": doc, "i": i}}
	}
	return map[string]any{"slices": slices, "json": doc, "maps": maps}
}

// deepAttrValues are the same as attribute values, as a Logs API caller
// builds them.
func deepAttrValues() map[string]attribute.Value {
	slices, doc, maps := attribute.StringValue("leaf"), attribute.StringValue("leaf"), attribute.StringValue("leaf")
	for range 60 {
		slices = attribute.SliceValue(slices)
		maps = attribute.MapValue(attribute.KeyValue{Key: "m", Value: maps})
	}
	for i := range 20 {
		doc = attribute.SliceValue(attribute.MapValue(
			attribute.KeyValue{Key: "child", Value: doc}, attribute.Int("i", i)))
	}
	return map[string]attribute.Value{"slices": slices, "json": doc, "maps": maps}
}

// nesting returns how many maps and slices v nests, and whether "leaf" is
// in it, as a value or in a value's text.
func nesting(v pcommon.Value) (depth int, leaf bool) {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return 0, strings.Contains(v.Str(), "leaf")
	case pcommon.ValueTypeSlice:
		for _, e := range v.Slice().All() {
			d, l := nesting(e)
			depth, leaf = max(depth, d), leaf || l
		}
		return depth + 1, leaf
	case pcommon.ValueTypeMap:
		for _, e := range v.Map().All() {
			d, l := nesting(e)
			depth, leaf = max(depth, d), leaf || l
		}
		return depth + 1, leaf
	}
	return 0, false
}

func TestDepthOfDivertedRecords(t *testing.T) {
	onEachProtocol(t, func(t *testing.T, proto string, c *collector, errs *errorsSeen) {
		c.start()
		shutdown := startSlogspan(t, c, proto)

		big := strings.Repeat("b", 5000) // cut on the event: diverted
		ctx, sp := otel.Tracer("e2e").Start(context.Background(), "depth")
		_, before := otel.Tracer("e2e").Start(ctx, "neighbor")
		before.End()
		l := slog.Default()
		l.InfoContext(ctx, "before", "body", big)
		for name, v := range deepGoValues() {
			l.InfoContext(ctx, name, "v", v, "body", big)
		}
		l.InfoContext(ctx, "after", "body", big)
		sp.End()
		shutdownCleanly(context.Background(), t, shutdown, c, errs)

		if n := len(c.spansNamed("neighbor")); n != 1 {
			t.Errorf("received %d neighbor spans, want 1", n)
		}
		spans := c.spansNamed("depth")
		if len(spans) != 1 || len(spans[0].events) != 5 {
			t.Fatalf("received spans %+v, want depth with 5 events", spans)
		}
		uids := map[string]bool{}
		for _, e := range spans[0].events {
			uids[e.attrs[slogspan.UIDKey].Str()] = true
		}
		got := map[string]bool{}
		for _, r := range c.logRecords() {
			if !uids[r.attrs[slogspan.UIDKey].Str()] {
				continue
			}
			got[r.body] = true
			if v, ok := r.attrs["v"]; ok {
				if d, leaf := nesting(v); d > slogspan.MaxValueDepth || !leaf {
					t.Errorf("%s arrived %d deep (bound %d), leaf kept %v", r.body, d, slogspan.MaxValueDepth, leaf)
				}
			}
		}
		for _, name := range []string{"before", "slices", "json", "maps", "after"} {
			if !got[name] {
				t.Errorf("the diverted record %q did not arrive (arrived: %v)", name, got)
			}
		}
	})
}

func TestDepthOfBridgedEvents(t *testing.T) {
	for _, mode := range []struct {
		name string
		opts []spanevents.Option
	}{
		{"specification", nil},
		{"WithLimits", []spanevents.Option{spanevents.WithLimits(slogspan.Limits{MaxValueBytes: -1, MaxEventBytes: -1})}},
		{"WithAllRecords", []spanevents.Option{spanevents.WithAllRecords(true)}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			onEachProtocol(t, func(t *testing.T, proto string, c *collector, errs *errorsSeen) {
				c.start()
				// The records go to the Collector too, between neighbors.
				shutdown := startSlogspan(t, c, proto, setup.WithSpanEventsBridge(mode.opts...))
				logger := otel.GetLoggerProvider().Logger("e2e")
				neighbor := func(body string) {
					var r log.Record
					r.SetBody(attribute.StringValue(body))
					logger.Emit(context.Background(), r)
				}
				neighbor("before")

				tracer := otel.Tracer("e2e")
				_, before := tracer.Start(context.Background(), "neighbor")
				before.End()
				for name, v := range deepAttrValues() {
					ctx, sp := tracer.Start(context.Background(), "deep "+name)
					var r log.Record
					r.SetEventName(name)
					r.SetTimestamp(time.Now())
					r.AddAttributes(attribute.KeyValue{Key: "v", Value: v}, attribute.Int("n", 1))
					logger.Emit(ctx, r)
					sp.End()
				}
				_, after := tracer.Start(context.Background(), "neighbor")
				after.End()
				neighbor("after")
				shutdownCleanly(context.Background(), t, shutdown, c, errs)

				got := map[string]bool{}
				deep := 0
				for _, r := range c.logRecords() {
					got[r.body] = true
					if v, ok := r.attrs["v"]; ok {
						deep++
						if d, leaf := nesting(v); d > slogspan.MaxValueDepth || !leaf {
							t.Errorf("a record arrived %d deep (bound %d), leaf kept %v", d, slogspan.MaxValueDepth, leaf)
						}
					}
				}
				if deep != 3 || !got["before"] || !got["after"] {
					t.Errorf("received %d deep records and the neighbors %v, want 3 and before and after", deep, got)
				}

				if n := len(c.spansNamed("neighbor")); n != 2 {
					t.Errorf("received %d neighbor spans, want 2", n)
				}
				for _, name := range []string{"slices", "json", "maps"} {
					spans := c.spansNamed("deep " + name)
					if len(spans) != 1 || len(spans[0].events) != 1 {
						t.Errorf("received spans %+v, want deep %s with its event", spans, name)
						continue
					}
					ev := spans[0].events[0]
					if d, leaf := nesting(ev.attrs["v"]); d > slogspan.MaxValueDepth || !leaf || ev.attrs["n"].Int() != 1 {
						t.Errorf("deep %s: arrived %d deep (bound %d), leaf kept %v, n %v", name, d, slogspan.MaxValueDepth, leaf, ev.attrs["n"].AsString())
					}
				}
			})
		})
	}
}
