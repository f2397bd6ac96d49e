package spanevent

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"
)

func TestRepairKeepsKindsAndFlattensPastTheDepth(t *testing.T) {
	deep := attribute.MapValue(attribute.String("k\xff", "v\xfe"))
	for range 3 {
		deep = attribute.MapValue(attribute.KeyValue{Key: "g", Value: deep})
	}
	kv := attribute.KeyValue{Key: "top", Value: deep}
	if ValidKV(kv, 0, -1) || ValidKV(kv, 0, 2) {
		t.Fatal("invalid text, or nesting past 2, reported valid")
	}
	// Any depth: only the text is repaired, every map stays a map.
	got := RepairKV(nil, kv, 0, -1, "")
	if len(got) != 1 || !ValidKV(got[0], 0, -1) || got[0].Value.Type() != attribute.MAP {
		t.Errorf("repaired at any depth: %v", got)
	}
	// Past depth 2, the members continue as dotted keys.
	got = RepairKV(nil, kv, 0, 2, "")
	if !ValidKV(got[0], 0, 2) {
		t.Errorf("repaired to depth 2: %v", got)
	}
	inner := got[0].Value.AsMap()[0].Value.AsMap()
	if len(inner) != 1 || inner[0].Key != "g.g.k\uFFFD" || inner[0].Value.AsString() != "v\uFFFD" {
		t.Errorf("at depth 2: %v, want g.g.k\\uFFFD=v\\uFFFD", inner)
	}
	b := attribute.KeyValue{Key: "b", Value: attribute.ByteSliceValue([]byte{0xff})}
	if !ValidKV(b, 0, -1) {
		t.Error("bytes are bytes in OTLP, not text to repair")
	}
}
