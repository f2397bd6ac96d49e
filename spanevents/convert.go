package spanevents

import (
	"sync"

	"go.opentelemetry.io/otel/attribute"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/internal/onspan"
)

// buf is the per-record scratch space of OnEmit, pooled so that building
// an event allocates only what the span keeps: ev.Attrs, made for each
// record.
type buf struct {
	ev     onspan.Event
	limits *onspan.Limits
	// tailKeys sends exception.* and code.* to ev.Tail, in the order
	// slogspan.Handler puts them, instead of among the user's attributes.
	tailKeys bool
	tail     [5]attribute.KeyValue // by tailOrder; Key "" when absent
	prefix   []byte                // dotted key prefix inside maps
	// uid is the record's own log.record.uid, Key "" when it has none:
	// the event's link to the record, leading the tail.
	uid attribute.KeyValue
}

var bufPool = sync.Pool{New: func() any { return new(buf) }}

// maxPooledAttrs keeps an unusually large record's buffers out of the pool.
const maxPooledAttrs = 256

// getBuf returns an empty buf for limits l. Pooled bufs were emptied by
// free.
func getBuf(l *onspan.Limits) *buf {
	b := bufPool.Get().(*buf)
	b.limits = l
	return b
}

func (b *buf) free() {
	if cap(b.ev.Tail) > maxPooledAttrs {
		return
	}
	b.ev.Reset()
	b.tailKeys, b.tail, b.prefix, b.uid = false, [5]attribute.KeyValue{}, b.prefix[:0], attribute.KeyValue{}
	bufPool.Put(b)
}

// tailOrder is where slogspan.Handler puts the attributes it adds after
// the user's.
var tailOrder = [5]attribute.Key{
	slogspan.ExceptionTypeKey, slogspan.ExceptionMessageKey,
	slogspan.CodeFilePathKey, slogspan.CodeLineNumberKey, slogspan.CodeFunctionNameKey,
}

// add converts kv for a log line's event, as slogspan.Handler converts
// slog values: strings and keys are cut to MaxValueBytes, slices by
// element, maps are flattened into dotted keys ("g.h.k", as the Handler
// flattens groups), empty maps are dropped, and other values become their
// text. The record's own log.record.uid is kept aside, whole, as its
// link.
func (b *buf) add(kv attribute.KeyValue) {
	if kv.Key == onspan.UIDKey && len(b.prefix) == 0 {
		b.keepUID(kv)
		return
	}
	if kv.Value.Type() == attribute.MAP {
		n := len(b.prefix)
		b.prefix = append(append(b.prefix, kv.Key...), '.')
		for _, m := range kv.Value.AsMap() {
			b.add(m)
		}
		b.prefix = b.prefix[:n]
		return
	}
	key := string(kv.Key)
	if len(b.prefix) > 0 {
		key = string(b.prefix) + key
	}
	key, keyCut := onspan.TruncateString(key, b.limits.MaxValueBytes)
	v, valueCut := b.value(kv.Value)
	if keyCut {
		b.ev.Cut++
	}
	if valueCut {
		b.ev.Cut++
	}
	out := attribute.KeyValue{Key: attribute.Key(key), Value: v}
	if b.tailKeys && len(b.prefix) == 0 {
		for i, k := range tailOrder {
			if out.Key == k {
				b.tail[i] = out
				return
			}
		}
	}
	b.ev.Attrs = append(b.ev.Attrs, out)
	b.ev.UserBytes += onspan.KVBytes(out)
}

// keepUID keeps kv, the record's own log.record.uid, as the event's link:
// whole, as the uid on the record it names. Like every attribute, it
// counts against the span's budget.
func (b *buf) keepUID(kv attribute.KeyValue) {
	if !onspan.ValidKV(kv, 0, onspan.MaxDepth) {
		kv = onspan.RepairKV(nil, kv, 0, onspan.MaxDepth, "")[0]
	}
	b.uid = kv
}

// finish moves the record's uid and the tail attributes found into the
// event's tail.
func (b *buf) finish() {
	if b.uid.Key != "" {
		b.ev.Tail = append(b.ev.Tail, b.uid)
	}
	for _, kv := range b.tail {
		if kv.Key != "" {
			b.ev.Tail = append(b.ev.Tail, kv)
		}
	}
}

// value cuts v to MaxValueBytes as cutValue does, and shows what
// slogspan.Handler shows as text as text: bytes, slices of values, and an
// empty value as "<nil>".
func (b *buf) value(v attribute.Value) (attribute.Value, bool) {
	maxBytes := b.limits.MaxValueBytes
	switch v.Type() {
	case attribute.EMPTY:
		return attribute.StringValue("<nil>"), false
	case attribute.BYTESLICE:
		s, cut := onspan.TruncateBytes(v.AsByteSlice(), maxBytes)
		return attribute.StringValue(s), cut
	case attribute.SLICE, attribute.MAP:
		s, cut := onspan.TruncateString(v.String(), maxBytes)
		return attribute.StringValue(s), cut
	}
	out, _, cuts := cutValue(v, maxBytes)
	return out, cuts > 0
}

// addTyped adds kv to an event's attributes with its kind kept, as the
// specification copies it, within MaxValueBytes: the key is cut as a
// string, and the value by cutValue, once nested at most
// slogspan.MaxValueDepth deep (as addEvent repairs it). The record's own
// log.record.uid is kept aside, whole, as its link.
func (b *buf) addTyped(kv attribute.KeyValue) {
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
