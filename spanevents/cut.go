package spanevents

import (
	"go.opentelemetry.io/otel/attribute"

	"github.com/slogspan/slogspan/internal/onspan"
)

// addKept adds kv to an event's attributes with its kind kept, as the
// specification copies it, within MaxValueBytes: the key is cut as a
// string, and the value by cutValue, once nested at most
// slogspan.MaxValueDepth deep (as addEvent repairs it). The record's own
// log.record.uid is kept aside, whole, as its link.
func (b *buf) addKept(kv attribute.KeyValue) {
	if kv.Key == onspan.UIDKey {
		b.keepUID(kv)
		return
	}
	if onspan.Deeper(kv.Value, onspan.MaxDepth) {
		// What was nested past the bound is text now: a cut. MaxDepth >
		// 0: a top-level attribute stays one.
		kv = onspan.RepairKV(nil, kv, 0, onspan.MaxDepth, "")[0]
		b.ev.Cut++
	}
	limit := b.limits.MaxValueBytes
	key, keyCut := onspan.TruncateString(string(kv.Key), limit)
	v, size, cut := cutValue(kv.Value, limit)
	if keyCut {
		cut++
	}
	out := attribute.KeyValue{Key: attribute.Key(key), Value: v}
	b.ev.Cut += cut
	b.ev.Attrs = append(b.ev.Attrs, out)
	b.ev.UserBytes += len(key) + size
}

// cutValue returns v of the same kind within limit bytes as the limits
// count them (onspan.ValueBytes; limit < 0: any size), its size, and
// how many values it cut. Strings are cut as slogspan cuts them, with a
// marker, and made valid UTF-8 (OTLP requires it), at any depth; byte
// slices keep their first limit bytes; typed slices their first elements,
// a string slice with a marker element; a slice of values or a map keeps
// its first members that fit (a map's are sorted by key), the last of
// them perhaps cut. Numbers, bools and empty values are never cut, only
// left out of a slice or map with no room for them.
func cutValue(v attribute.Value, limit int) (out attribute.Value, size, cuts int) {
	switch v.Type() {
	case attribute.STRING:
		s, cut := onspan.TruncateString(v.AsString(), limit)
		return attribute.StringValue(s), len(s), count(cut)
	case attribute.BYTESLICE:
		bs := v.AsByteSlice()
		if onspan.Within(len(bs), limit) {
			return v, len(bs), 0
		}
		return attribute.ByteSliceValue(bs[:limit]), limit, 1
	case attribute.STRINGSLICE:
		ss, cut := onspan.TruncateStrings(v.AsStringSlice(), limit)
		out = attribute.StringSliceValue(ss)
		return out, onspan.ValueBytes(out), count(cut)
	case attribute.INT64SLICE:
		s := v.AsInt64Slice()
		n := onspan.ElementsWithin(len(s), 8, limit)
		return attribute.Int64SliceValue(s[:n]), 8 * n, count(n < len(s))
	case attribute.FLOAT64SLICE:
		s := v.AsFloat64Slice()
		n := onspan.ElementsWithin(len(s), 8, limit)
		return attribute.Float64SliceValue(s[:n]), 8 * n, count(n < len(s))
	case attribute.BOOLSLICE:
		s := v.AsBoolSlice()
		n := onspan.ElementsWithin(len(s), 1, limit)
		return attribute.BoolSliceValue(s[:n]), n, count(n < len(s))
	case attribute.SLICE:
		return cutSlice(v.AsSlice(), limit)
	case attribute.MAP:
		return cutMap(v.AsMap(), limit)
	default: // BOOL, INT64, FLOAT64, EMPTY
		return v, onspan.ValueBytes(v), 0
	}
}

// cutSlice cuts the elements of a slice of values to limit bytes in all.
func cutSlice(vs []attribute.Value, limit int) (attribute.Value, int, int) {
	out := make([]attribute.Value, 0, len(vs))
	cuts, used := 0, 0
	for i, e := range vs {
		room := left(limit, used)
		ce, size, c := cutValue(e, room)
		if !onspan.Within(size, room) || (c > 0 && size == 0) {
			cuts++ // no room for it: it and the rest are left out
			break
		}
		out = append(out, ce)
		cuts += c
		used += size
		if c > 0 {
			if i < len(vs)-1 {
				cuts++ // the room is used up: the rest are left out
			}
			break
		}
	}
	return attribute.SliceValue(out...), used, cuts
}

// cutMap cuts the members of a map to limit bytes in all, keys included.
func cutMap(kvs []attribute.KeyValue, limit int) (attribute.Value, int, int) {
	out := make([]attribute.KeyValue, 0, len(kvs))
	cuts, used := 0, 0
	for i, kv := range kvs {
		room := left(limit, used)
		key, _ := onspan.TruncateString(string(kv.Key), -1) // made valid
		cv, size, c := cutValue(kv.Value, left(limit, used+len(key)))
		size += len(key)
		if !onspan.Within(size, room) {
			cuts++ // no room for it: it and the rest are left out
			break
		}
		out = append(out, attribute.KeyValue{Key: attribute.Key(key), Value: cv})
		cuts += c
		used += size
		if c > 0 {
			if i < len(kvs)-1 {
				cuts++ // the room is used up: the rest are left out
			}
			break
		}
	}
	return attribute.MapValue(out...), used, cuts
}

// left is the room left of limit after used bytes: -1 (any) when limit
// is.
func left(limit, used int) int {
	if limit < 0 {
		return -1
	}
	return max(0, limit-used)
}

func count(cut bool) int {
	if cut {
		return 1
	}
	return 0
}
