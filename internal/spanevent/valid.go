package spanevent

import (
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
)

// OTLP has two limits an attribute value does not: strings must be valid
// UTF-8, and receivers refuse messages nested too deep (the Collector's
// protobuf decoder stops at 100 levels). An exporter that meets either
// sends nothing of the batch the value is in, so a record's or an event's
// values are checked, and repaired when they must be: invalid bytes in
// keys and strings, at any depth, become U+FFFD, and maps nested deeper
// than a given depth continue as dotted keys ("g.h.k"), so that no value
// is lost. Bytes (BYTESLICE) are bytes in OTLP, and stay as they are.

const replacement = string(utf8.RuneError)

// ValidKV reports whether kv, depth maps deep, is valid UTF-8 throughout
// and nests maps at most maxDepth deep (maxDepth < 0: at any depth).
func ValidKV(kv attribute.KeyValue, depth, maxDepth int) bool {
	return utf8.ValidString(string(kv.Key)) && ValidValue(kv.Value, depth, maxDepth)
}

// ValidValue is ValidKV for a value.
func ValidValue(v attribute.Value, depth, maxDepth int) bool {
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
			if !ValidValue(e, depth, maxDepth) {
				return false
			}
		}
	case attribute.MAP:
		if depth == maxDepth {
			return false
		}
		for _, kv := range v.AsMap() {
			if !ValidKV(kv, depth+1, maxDepth) {
				return false
			}
		}
	}
	return true
}

// ValidString returns s with invalid bytes replaced by U+FFFD.
func ValidString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, replacement)
}

// RepairKV appends kv, depth maps deep, made valid, to dst, with prefix
// before its key. A map past maxDepth (maxDepth < 0: none) is flattened
// into dst.
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

// RepairValue returns v, depth maps deep, made valid.
func RepairValue(v attribute.Value, depth, maxDepth int) attribute.Value {
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
			vs[i] = RepairValue(e, depth, maxDepth)
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
