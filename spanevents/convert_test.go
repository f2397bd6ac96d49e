package spanevents

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/slogspan/slogspan/internal/onspan"
)

// fuzzValue builds a value of nested maps and slices from s, split at
// each byte below 4: 0 opens a map, 1 a slice, 2 closes, 3 starts bytes.
func fuzzValue(s string) attribute.Value {
	v, _ := fuzzMembers(s)
	return v
}

func fuzzMembers(s string) (attribute.Value, string) {
	var kvs []attribute.KeyValue
	var vs []attribute.Value
	for s != "" {
		c := s[0]
		s = s[1:]
		var v attribute.Value
		switch c {
		case 0:
			var inner attribute.Value
			inner, s = fuzzMembers(s)
			v = attribute.MapValue(attribute.KeyValue{Key: "m", Value: inner})
		case 1:
			v, s = fuzzMembers(s)
		case 2:
			return attribute.SliceValue(append(vs, attribute.MapValue(kvs...))...), s
		case 3:
			n := min(len(s), 7)
			v, s = attribute.ByteSliceValue([]byte(s[:n])), s[n:]
		default:
			n := min(len(s), int(c)%13)
			v = attribute.StringValue(s[:n])
			kvs = append(kvs, attribute.KeyValue{Key: attribute.Key(s[:n/2]), Value: attribute.IntValue(int(c))})
			s = s[n:]
		}
		vs = append(vs, v)
	}
	return attribute.SliceValue(append(vs, attribute.MapValue(kvs...))...), s
}

// FuzzCutValue checks what the limits promise of any value: within the
// limit, of the same kind at the top, valid UTF-8 throughout, and whole
// when it fits and is valid.
func FuzzCutValue(f *testing.F) {
	f.Add("\x00ab\x01cd\xff\x02\x03\xfe\xffxyz", 16)
	f.Add("\x01\x01\x01hello world\x02\x02", 5)
	f.Add("plain", -1)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		limit %= 300
		v := fuzzValue(s)
		got, size, cuts := cutValue(v, limit)
		if got.Type() != v.Type() {
			t.Fatalf("kind %s became %s", v.Type(), got.Type())
		}
		if n := onspan.ValueBytes(got); n != size || (limit >= 0 && n > limit) {
			t.Fatalf("%d bytes (reported %d), limit %d: %s", n, size, limit, got.String())
		}
		if !onspan.ValidValue(got, 0, -1) {
			t.Fatalf("invalid UTF-8: %q", got.String())
		}
		if cuts == 0 && onspan.ValidValue(v, 0, -1) && got.String() != v.String() {
			t.Fatalf("uncut %s changed to %s", v.String(), got.String())
		}
	})
}
