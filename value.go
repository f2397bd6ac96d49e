package slogspan

import (
	"fmt"
	"log/slog"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"

	"github.com/slogspan/slogspan/internal/onspan"
)

// converter flattens slog attributes into OpenTelemetry attributes: groups
// become dotted key prefixes and every key and value is cut to
// MaxValueBytes. The mapping is the table in doc.go.
type converter struct {
	limits  *onspan.Limits
	replace func(groups []string, a slog.Attr) slog.Attr // WithReplaceAttr's
	groups  []string                                     // open groups, for replace
	kvs     []attribute.KeyValue
	bytes   int   // keys plus values of kvs
	cut     int   // keys or values shortened
	err     error // first error value seen

	// Keys inside groups are base (the logger's groups) + prefix (the
	// record's) + key, written to one buffer that only grows; keysHint
	// is how many attributes are expected.
	base     string
	prefix   []byte
	keys     strings.Builder
	keysHint int
}

// maxKeysGrow bounds the room first reserved for keys inside groups.
const maxKeysGrow = 512

// reset readies c for a record or a WithAttrs call, with cfg's limits and
// ReplaceAttr function and the logger's groups, whose key prefix is base.
func (c *converter) reset(cfg *config, base string, groups []string) {
	*c = converter{
		limits:  &cfg.limits,
		replace: cfg.replace,
		base:    base,
	}
	if c.replace != nil {
		c.groups = slices.Clone(groups)
	}
}

// addAttr appends a, resolved, its key prefixed by the open groups. As
// slog does, it ignores empty attributes, inlines groups with an empty key
// and drops empty groups.
func (c *converter) addAttr(a slog.Attr) {
	if c.addScalar(a) {
		return
	}
	if a.Value.Kind() == slog.KindLogValuer {
		a.Value = a.Value.Resolve()
	}
	if a.Key == "" && a.Value.Kind() == slog.KindAny && a.Value.Any() == nil {
		return // the empty Attr
	}
	if a.Value.Kind() == slog.KindGroup {
		group := a.Value.Group()
		if len(group) == 0 {
			return
		}
		n, g := len(c.prefix), len(c.groups)
		if a.Key != "" {
			c.prefix = append(append(c.prefix, a.Key...), '.')
			if c.replace != nil {
				c.groups = append(c.groups, a.Key)
			}
		}
		for _, ga := range group {
			c.addAttr(ga)
		}
		c.prefix, c.groups = c.prefix[:n], c.groups[:g]
		return
	}
	if c.replace != nil {
		var ok bool
		if a, ok = replaceAttr(c.replace, c.groups, a); !ok {
			return
		}
		if a.Value.Kind() == slog.KindGroup {
			c.addGroupReplaced(a)
			return
		}
	}
	v, size := c.value(a.Value)
	if c.base == "" && len(c.prefix) == 0 {
		c.addKV(a.Key, v, size)
		return
	}
	if c.keys.Cap() == 0 {
		c.keys.Grow(min((len(c.base)+len(c.prefix)+len(a.Key)+2)*max(c.keysHint, 1), maxKeysGrow))
	}
	start := c.keys.Len()
	c.keys.WriteString(c.base)
	c.keys.Write(c.prefix)
	c.keys.WriteString(a.Key)
	c.addKV(c.keys.String()[start:], v, size)
}

// addScalar adds what addAttr would for a string, number, bool or
// duration outside any group, without ReplaceAttr, with a short ASCII key;
// for any other attribute it adds nothing and reports false.
func (c *converter) addScalar(a slog.Attr) bool {
	if c.replace != nil || c.base != "" || len(c.prefix) != 0 || !shortASCII(a.Key, c.limits.MaxValueBytes) {
		return false
	}
	var v attribute.Value
	size := 8
	switch a.Value.Kind() {
	case slog.KindString:
		v, size = c.str(a.Value.String())
	case slog.KindInt64:
		v = attribute.Int64Value(a.Value.Int64())
	case slog.KindFloat64:
		v = attribute.Float64Value(a.Value.Float64())
	case slog.KindBool:
		v, size = attribute.BoolValue(a.Value.Bool()), 1
	case slog.KindDuration:
		v, size = c.str(a.Value.Duration().String())
	default:
		return false
	}
	c.kvs = append(c.kvs, attribute.KeyValue{Key: attribute.Key(a.Key), Value: v})
	c.bytes += len(a.Key) + size
	return true
}

// maxShortASCII is the longest string shortASCII checks byte by byte.
const maxShortASCII = 32

// shortASCII reports whether s is at most maxShortASCII bytes, all ASCII,
// and within maxBytes: a string TruncateString keeps as it is.
func shortASCII(s string, maxBytes int) bool {
	if len(s) > maxShortASCII || !onspan.Within(len(s), maxBytes) {
		return false
	}
	for i := range len(s) {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// addGroupReplaced adds a group that ReplaceAttr returned, without passing
// its members to ReplaceAttr again.
func (c *converter) addGroupReplaced(a slog.Attr) {
	replace := c.replace
	c.replace = nil
	c.addAttr(a)
	c.replace = replace
}

// addKV appends key, cut to MaxValueBytes, and v, of size bytes.
func (c *converter) addKV(key string, v attribute.Value, size int) {
	key, cut := onspan.TruncateString(key, c.limits.MaxValueBytes)
	c.count(cut)
	c.kvs = append(c.kvs, attribute.KeyValue{Key: attribute.Key(key), Value: v})
	c.bytes += len(key) + size
}

// value converts a resolved, non-group slog value and returns its size.
func (c *converter) value(v slog.Value) (attribute.Value, int) {
	switch v.Kind() {
	case slog.KindString:
		return c.str(v.String())
	case slog.KindInt64:
		return attribute.Int64Value(v.Int64()), 8
	case slog.KindUint64:
		if u := v.Uint64(); u <= math.MaxInt64 {
			return attribute.Int64Value(int64(u)), 8
		}
		return c.str(strconv.FormatUint(v.Uint64(), 10))
	case slog.KindFloat64:
		return attribute.Float64Value(v.Float64()), 8
	case slog.KindBool:
		return attribute.BoolValue(v.Bool()), 1
	case slog.KindDuration:
		return c.str(v.Duration().String())
	case slog.KindTime:
		return c.str(v.Time().Format(time.RFC3339Nano))
	default:
		a := c.anyValue(v.Any())
		return a, onspan.ValueBytes(a)
	}
}

// anyValue converts the value of a KindAny attribute.
func (c *converter) anyValue(x any) attribute.Value {
	switch x := x.(type) {
	case nil:
		v, _ := c.str("<nil>")
		return v
	case error:
		if c.err == nil {
			c.err = x
		}
		v, _ := c.str(safeString(x, x.Error))
		return v
	case fmt.Stringer:
		v, _ := c.str(safeString(x, x.String))
		return v
	case []byte:
		s, cut := onspan.TruncateBytes(x, c.limits.MaxValueBytes)
		c.count(cut)
		return attribute.StringValue(s)
	case []string:
		out, cut := onspan.TruncateStrings(x, c.limits.MaxValueBytes)
		c.count(cut)
		return attribute.StringSliceValue(out)
	case []int:
		return attribute.IntSliceValue(x[:c.keepElements(len(x), 8)])
	case []int64:
		return attribute.Int64SliceValue(x[:c.keepElements(len(x), 8)])
	case []float64:
		return attribute.Float64SliceValue(x[:c.keepElements(len(x), 8)])
	case []bool:
		return attribute.BoolSliceValue(x[:c.keepElements(len(x), 1)])
	default:
		v, _ := c.str(safeString(x, func() string { return fmt.Sprintf("%+v", x) }))
		return v
	}
}

// str converts a string value, cutting it to MaxValueBytes.
func (c *converter) str(s string) (attribute.Value, int) {
	if shortASCII(s, c.limits.MaxValueBytes) {
		return attribute.StringValue(s), len(s)
	}
	s, cut := onspan.TruncateString(s, c.limits.MaxValueBytes)
	c.count(cut)
	return attribute.StringValue(s), len(s)
}

func (c *converter) count(cut bool) {
	if cut {
		c.cut++
	}
}

// keepElements returns how many of n elements of size bytes fit in
// MaxValueBytes, counting a cut when fewer.
func (c *converter) keepElements(n, size int) int {
	k := onspan.ElementsWithin(n, size, c.limits.MaxValueBytes)
	c.count(k < n)
	return k
}

// safeString calls f, turning a panic into text as slog's handlers do:
// "<nil>" for a nil pointer receiver, "!PANIC: ..." otherwise.
func safeString(x any, f func() string) (s string) {
	defer func() {
		if p := recover(); p != nil {
			if v := reflect.ValueOf(x); v.Kind() == reflect.Pointer && v.IsNil() {
				s = "<nil>"
				return
			}
			s = fmt.Sprintf("!PANIC: %v", p)
		}
	}()
	return f()
}

// typeName returns err's type qualified by package path, such as
// "*io/fs.PathError".
func typeName(err error) string {
	t := reflect.TypeOf(err)
	pointers := 0
	for t.Kind() == reflect.Pointer && t.Name() == "" {
		pointers++
		t = t.Elem()
	}
	stars := strings.Repeat("*", pointers)
	if t.PkgPath() == "" {
		return stars + t.String()
	}
	return stars + t.PkgPath() + "." + t.Name()
}
