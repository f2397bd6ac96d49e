package setup

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
)

// keepRecord is a processor that keeps a clone of the last record.
type keepRecord struct{ r sdklog.Record }

func (*keepRecord) Enabled(context.Context, sdklog.EnabledParameters) bool { return true }
func (k *keepRecord) OnEmit(_ context.Context, r *sdklog.Record) error {
	k.r = r.Clone()
	return nil
}
func (*keepRecord) Shutdown(context.Context) error   { return nil }
func (*keepRecord) ForceFlush(context.Context) error { return nil }

// sdkRecord returns r as the SDK makes it.
func sdkRecord(t *testing.T, r log.Record) sdklog.Record {
	t.Helper()
	k := &keepRecord{}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(k))
	t.Cleanup(func() { _ = lp.Shutdown(context.Background()) })
	lp.Logger("test").Emit(context.Background(), r)
	return k.r
}

func TestBoundingLogProcessorLeavesValidRecordsAlone(t *testing.T) {
	var r log.Record
	r.SetEventName("order.placed")
	r.SetSeverityText("INFO")
	r.SetBody(attribute.StringValue("placed"))
	// More than the SDK keeps in place, with no maps or slices: reading
	// those, attribute.Value copies them.
	r.AddAttributes(attribute.String("id", "A-1"), attribute.Int("n", 3), attribute.Bool("paid", true),
		attribute.Float64("total", 9.5), attribute.String("currency", "EUR"), attribute.String("shop", "north"),
		attribute.String("user", "u-42"))
	rec := sdkRecord(t, r)
	before := attrsOf(&rec)
	p := boundingLogProcessor{}
	if allocs := testing.AllocsPerRun(100, func() { _ = p.OnEmit(context.Background(), &rec) }); allocs != 0 {
		t.Errorf("a valid record cost %v allocations, want 0", allocs)
	}
	if after := attrsOf(&rec); len(after) != len(before) || rec.Body().AsString() != "placed" || rec.EventName() != "order.placed" {
		t.Errorf("record changed: %v, want %v", after, before)
	}
}

func TestBoundingLogProcessorRepairsInvalidUTF8(t *testing.T) {
	var r log.Record
	r.SetEventName("bad\xff")
	r.SetBody(attribute.StringValue("body\xff"))
	r.AddAttributes(attribute.String("k", "v\xff"), attribute.Int("n", 1))
	rec := sdkRecord(t, r)
	_ = boundingLogProcessor{}.OnEmit(context.Background(), &rec)
	got := attrsOf(&rec)
	if rec.EventName() != "bad\uFFFD" || rec.Body().AsString() != "body\uFFFD" ||
		len(got) != 2 || got[0].Value.AsString() != "v\uFFFD" || got[1].Value.AsInt64() != 1 {
		t.Errorf("record = %q %q %v, want the invalid bytes replaced by U+FFFD", rec.EventName(), rec.Body().AsString(), got)
	}
}

func attrsOf(r *sdklog.Record) []attribute.KeyValue {
	var kvs []attribute.KeyValue
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		kvs = append(kvs, kv)
		return true
	})
	return kvs
}
