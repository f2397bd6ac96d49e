package spanevents

import (
	"math"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"

	"github.com/slogspan/slogspan/internal/onspan"
)

// tailOrder is where slogspan.Handler puts the attributes it adds after
// the user's.
var tailOrder = [5]attribute.Key{
	onspan.ExceptionTypeKey, onspan.ExceptionMessageKey,
	onspan.CodeFilePathKey, onspan.CodeLineNumberKey, onspan.CodeFunctionNameKey,
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

// value cuts v to MaxValueBytes.
func (b *buf) value(v attribute.Value) (attribute.Value, bool) {
	maxBytes := b.limits.MaxValueBytes
	switch v.Type() {
	case attribute.STRING:
		s, cut := onspan.TruncateString(v.AsString(), maxBytes)
		return attribute.StringValue(s), cut
	case attribute.BOOL, attribute.INT64, attribute.FLOAT64:
		return v, false
	case attribute.STRINGSLICE:
		ss, cut := onspan.TruncateStrings(v.AsStringSlice(), maxBytes)
		return attribute.StringSliceValue(ss), cut
	case attribute.INT64SLICE:
		s := v.AsInt64Slice()
		n := onspan.ElementsWithin(len(s), 8, maxBytes)
		return attribute.Int64SliceValue(s[:n]), n < len(s)
	case attribute.FLOAT64SLICE:
		s := v.AsFloat64Slice()
		n := onspan.ElementsWithin(len(s), 8, maxBytes)
		return attribute.Float64SliceValue(s[:n]), n < len(s)
	case attribute.BOOLSLICE:
		s := v.AsBoolSlice()
		n := onspan.ElementsWithin(len(s), 1, maxBytes)
		return attribute.BoolSliceValue(s[:n]), n < len(s)
	case attribute.EMPTY:
		return attribute.StringValue("<nil>"), false
	case attribute.BYTESLICE:
		// As slogspan.Handler shows []byte: as text. Only what can be
		// kept is converted: the value may be huge.
		bs := v.AsByteSlice()
		s, cut := onspan.TruncateAt(string(bs[:min(len(bs), readBytes(maxBytes))]), len(bs), maxBytes)
		return attribute.StringValue(s), cut
	default:
		// Slices of values and maps inside slices: their text, cut.
		s, cut := onspan.TruncateString(v.String(), maxBytes)
		return attribute.StringValue(s), cut
	}
}

// readBytes is how much of a byte slice is worth converting to cut it at
// maxBytes without splitting a rune.
func readBytes(maxBytes int) int {
	if maxBytes < 0 {
		return math.MaxInt
	}
	return maxBytes + utf8.UTFMax
}
