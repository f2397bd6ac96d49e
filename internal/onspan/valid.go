package onspan

import (
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
)

// MaxDepth is slogspan.MaxValueDepth.
const MaxDepth = 16

// ValidKV reports whether kv, inside depth maps and slices, is valid UTF-8
// and nests at most maxDepth deep in all (< 0: any).
func ValidKV(kv attribute.KeyValue, depth, maxDepth int) bool {
	return utf8.ValidString(string(kv.Key)) && ValidValue(kv.Value, depth, maxDepth)
}

// ValidValue is ValidKV for a value.
func ValidValue(v attribute.Value, depth, maxDepth int) bool {
	if depth == maxDepth && nests(v) {
		return false
	}
	switch v.Type() {
	case attribute.STRING:
		return utf8.ValidString(v.AsString())
	case attribute.STRINGSLICE:
		for _, s := range v.AsStringSlice() {
			if !utf8.ValidString(s) {
				return false
			}
		}
	case attribute.SLICE:
		for _, e := range v.AsSlice() {
			if !ValidValue(e, depth+1, maxDepth) {
				return false
			}
		}
	case attribute.MAP:
		for _, kv := range v.AsMap() {
			if !ValidKV(kv, depth+1, maxDepth) {
				return false
			}
		}
	}
	return true
}

// Valid returns kv, a top-level attribute, made valid at MaxDepth.
func Valid(kv attribute.KeyValue) attribute.KeyValue {
	if ValidKV(kv, 0, MaxDepth) {
		return kv
	}
	return RepairKV(nil, kv, 0, MaxDepth, "")[0]
}

// ValidString returns s with invalid bytes replaced by U+FFFD.
func ValidString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, string(utf8.RuneError))
}

// Depth returns how many maps and slices nest in v, v included.
func Depth(v attribute.Value) int {
	d := 0
	switch v.Type() {
	case attribute.SLICE:
		for _, e := range v.AsSlice() {
			d = max(d, Depth(e))
		}
	case attribute.MAP:
		for _, kv := range v.AsMap() {
			d = max(d, Depth(kv.Value))
		}
	}
	if nests(v) {
		d++
	}
	return d
}

// Deeper reports whether v nests more than maxDepth maps and slices.
func Deeper(v attribute.Value, maxDepth int) bool { return Depth(v) > maxDepth }

// nests reports whether v is a map or a slice.
func nests(v attribute.Value) bool {
	switch v.Type() {
	case attribute.MAP, attribute.SLICE, attribute.STRINGSLICE,
		attribute.INT64SLICE, attribute.FLOAT64SLICE, attribute.BOOLSLICE:
		return true
	}
	return false
}

// RepairKV appends kv, inside depth maps and slices, made valid, to dst,
// with prefix before its key; a map at maxDepth is flattened into dst.
func RepairKV(dst []attribute.KeyValue, kv attribute.KeyValue, depth, maxDepth int, prefix string) []attribute.KeyValue {
	key := prefix + ValidString(string(kv.Key))
	if kv.Value.Type() == attribute.MAP && depth == maxDepth {
		for _, m := range kv.Value.AsMap() {
			dst = RepairKV(dst, m, depth, maxDepth, key+".")
		}
		return dst
	}
	return append(dst, attribute.KeyValue{Key: attribute.Key(key), Value: RepairValue(kv.Value, depth, maxDepth)})
}

// RepairValue returns v, inside depth maps and slices, made valid. A map
// or slice at maxDepth becomes its text.
func RepairValue(v attribute.Value, depth, maxDepth int) attribute.Value {
	if depth == maxDepth && nests(v) {
		return attribute.StringValue(ValidString(v.String()))
	}
	switch v.Type() {
	case attribute.STRING:
		return attribute.StringValue(ValidString(v.AsString()))
	case attribute.STRINGSLICE:
		ss := v.AsStringSlice() // a copy
		for i, s := range ss {
			ss[i] = ValidString(s)
		}
		return attribute.StringSliceValue(ss)
	case attribute.SLICE:
		vs := v.AsSlice() // a copy
		for i, e := range vs {
			vs[i] = RepairValue(e, depth+1, maxDepth)
		}
		return attribute.SliceValue(vs...)
	case attribute.MAP:
		var kvs []attribute.KeyValue
		for _, m := range v.AsMap() {
			kvs = RepairKV(kvs, m, depth+1, maxDepth, "")
		}
		return attribute.MapValue(kvs...)
	}
	return v
}
