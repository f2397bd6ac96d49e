package onspan

import (
	"strings"
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

func TestMapsAndSlicesCountAlikeTowardMaxDepth(t *testing.T) {
	if MaxDepth != 16 {
		t.Fatalf("MaxDepth = %d; the docs say 16", MaxDepth)
	}
	leaf := attribute.StringValue("leaf")
	nest := func(n int, wrap func(attribute.Value) attribute.Value) attribute.Value {
		v := leaf
		for range n {
			v = wrap(v)
		}
		return v
	}
	inSlice := func(v attribute.Value) attribute.Value { return attribute.SliceValue(v) }
	inMap := func(v attribute.Value) attribute.Value {
		return attribute.MapValue(attribute.KeyValue{Key: "m", Value: v})
	}
	inBoth := func(v attribute.Value) attribute.Value { return inSlice(inMap(v)) }
	for _, c := range []struct {
		name string
		v    attribute.Value
	}{
		{"slices", nest(60, inSlice)},
		{"maps", nest(60, inMap)},
		{"arrays of objects", nest(20, inBoth)},
		{"a string slice at the bound", nest(MaxDepth, inMap)},
	} {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "a string slice at the bound" {
				c.v = nest(MaxDepth, func(v attribute.Value) attribute.Value {
					if v.Type() == attribute.STRING {
						v = attribute.StringSliceValue([]string{"leaf"})
					}
					return inMap(v)
				})
			}
			kv := attribute.KeyValue{Key: "v", Value: c.v}
			if ValidKV(kv, 0, MaxDepth) || !Deeper(c.v, MaxDepth) {
				t.Fatalf("nested %d deep, valid at MaxDepth", Depth(c.v))
			}
			got := RepairKV(nil, kv, 0, MaxDepth, "")
			if len(got) != 1 || !ValidKV(got[0], 0, MaxDepth) || Depth(got[0].Value) != MaxDepth {
				t.Fatalf("repaired: %d attributes, %d deep; want 1, %d deep", len(got), Depth(got[0].Value), MaxDepth)
			}
			if !strings.Contains(got[0].Value.String(), "leaf") {
				t.Errorf("the leaf was lost: %s", got[0].Value.String())
			}
		})
	}
	exactly := nest(MaxDepth, inSlice)
	if !ValidValue(exactly, 0, MaxDepth) || !ValidValue(nest(MaxDepth, inMap), 0, MaxDepth) ||
		Deeper(exactly, MaxDepth) || Deeper(nest(MaxDepth, inMap), MaxDepth) {
		t.Error("nested exactly MaxDepth deep, reported invalid")
	}
	if got := RepairValue(exactly, 0, MaxDepth); got.String() != exactly.String() || Depth(got) != MaxDepth {
		t.Errorf("a value within the bound changed: %s", got.String())
	}
}
