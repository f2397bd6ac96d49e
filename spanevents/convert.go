package spanevents

import (
	"sync"

	"go.opentelemetry.io/otel/attribute"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/internal/onspan"
)

// buf is OnEmit's pooled scratch space: only ev.Attrs, which the span
// keeps, is made for each record.
type buf struct {
	ev       onspan.Event
	limits   *onspan.Limits
	tailKeys bool                  // exception.* and code.* go to tail
	tail     [5]attribute.KeyValue // by tailOrder; Key "" when absent
	prefix   []byte                // dotted key prefix inside maps
	uid      attribute.KeyValue    // the record's own log.record.uid, if any
}

var bufPool = sync.Pool{New: func() any { return new(buf) }}

// maxPooledAttrs keeps an unusually large record's buffers out of the pool.
const maxPooledAttrs = 256

// getBuf returns an empty buf for limits l.
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

// tailOrder is the Handler's order of the attributes after the user's.
var tailOrder = [5]attribute.Key{
	slogspan.ExceptionTypeKey, slogspan.ExceptionMessageKey,
	slogspan.CodeFilePathKey, slogspan.CodeLineNumberKey, slogspan.CodeFunctionNameKey,
}

// add adds kv to a line's event as slogspan.Handler would, maps as dotted keys.
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

// keepUID keeps kv, the record's own log.record.uid, whole as the link.
func (b *buf) keepUID(kv attribute.KeyValue) { b.uid = onspan.Valid(kv) }

// finish moves the record's uid and the tail attributes into ev.Tail.
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

// value cuts v as cutValue does, with what slogspan.Handler shows as text
// as text: bytes, slices of values, maps, and an empty value as "<nil>".
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

// addTyped adds kv to an event, of its kind, within MaxDepth, cut.
func (b *buf) addTyped(kv attribute.KeyValue) {
	if kv.Key == onspan.UIDKey {
		b.keepUID(kv)
		return
	}
	if onspan.Deeper(kv.Value, onspan.MaxDepth) {
		kv = onspan.Valid(kv) // what was nested past the bound is text: a cut
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

// cutValue returns v, of its kind, within limit bytes (< 0: any), its size
// and its cuts: slices and maps keep the first members that fit.
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
	out, used, cuts := cutMembers(len(vs), limit, func(i, room int) (attribute.Value, int, int, bool) {
		v, size, c := cutValue(vs[i], room)
		return v, size, c, onspan.Within(size, room) && (c == 0 || size > 0)
	})
	return attribute.SliceValue(out...), used, cuts
}

// cutMap cuts the members of a map to limit bytes in all, keys included.
func cutMap(kvs []attribute.KeyValue, limit int) (attribute.Value, int, int) {
	out, used, cuts := cutMembers(len(kvs), limit, func(i, room int) (attribute.KeyValue, int, int, bool) {
		key, _ := onspan.TruncateString(string(kvs[i].Key), -1) // made valid
		v, size, c := cutValue(kvs[i].Value, left(room, len(key)))
		size += len(key)
		return attribute.KeyValue{Key: attribute.Key(key), Value: v}, size, c, onspan.Within(size, room)
	})
	return attribute.MapValue(out...), used, cuts
}

// cutMembers keeps the first of n members that fit in limit, to a cut one.
func cutMembers[T any](n, limit int, member func(i, room int) (T, int, int, bool)) (out []T, used, cuts int) {
	out = make([]T, 0, n)
	for i := range n {
		room := left(limit, used)
		m, size, c, fits := member(i, room)
		if !fits {
			return out, used, cuts + 1
		}
		out = append(out, m)
		cuts += c
		used += size
		if c > 0 {
			if i < n-1 {
				cuts++
			}
			break
		}
	}
	return out, used, cuts
}

// left is the room left of limit after used bytes; -1 is any.
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
