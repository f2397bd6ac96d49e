package onspan

import (
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
)

func TestTruncateString(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
		cut  bool
	}{
		{"short", 10, "short", false},
		{"exactly10!", 10, "exactly10!", false},
		{strings.Repeat("a", 100), 40, strings.Repeat("a", 15) + "…[truncated: 100 bytes]", true},
		{strings.Repeat("é", 50), 40, strings.Repeat("é", 7) + "…[truncated: 100 bytes]", true},
		{"abcdef", 4, "a…", true},
		{"abcdef", 3, "…", true},
		{"abcdef", 2, "ab", true},
		{"abcdef", 0, "", true},
		{"a\xffb", 10, "a\uFFFDb", false},
		{"a\xffb", -1, "a\uFFFDb", false},
		{strings.Repeat("x", 5000), -1, strings.Repeat("x", 5000), false},
	}
	for _, c := range cases {
		got, cut := TruncateString(c.in, c.max)
		if got != c.want || cut != c.cut {
			t.Errorf("TruncateString(%.20q, %d) = %q, %v; want %q, %v", c.in, c.max, got, cut, c.want, c.cut)
		}
	}
}

func FuzzTruncateString(f *testing.F) {
	f.Add("hello, world", 5)
	f.Add("\xef\xbf\xbd\xef", 1)
	f.Add(strings.Repeat("日本", 40), 37)
	f.Fuzz(func(t *testing.T, s string, limit int) {
		limit %= 200
		got, cut := TruncateString(s, limit)
		if !utf8.ValidString(got) {
			t.Fatalf("invalid UTF-8: %q", got)
		}
		if limit >= 0 && len(got) > limit {
			t.Fatalf("%d bytes, limit %d", len(got), limit)
		}
		if !cut && utf8.ValidString(s) && got != s {
			t.Fatalf("valid uncut %q changed to %q", s, got)
		}
		if cut && limit >= len(truncMarker) && !strings.Contains(got, truncMarker) {
			t.Fatalf("cut value %q has no marker", got)
		}
		kept, _, _ := strings.Cut(got, truncMarker)
		if cut && utf8.ValidString(s) && !strings.HasPrefix(s, kept) {
			t.Fatalf("cut value %q does not start %q", got, s)
		}
	})
}

func TestTruncateStrings(t *testing.T) {
	a, b := strings.Repeat("a", 10), strings.Repeat("b", 10)
	in := []string{a, b, a, b, a, b}
	got, cut := TruncateStrings(in, 50)
	if !cut || len(got) != 3 || got[0] != a || got[1] != b || got[2] != "…[truncated: 6 elements]" {
		t.Errorf("got %q, %v", got, cut)
	}
	got, cut = TruncateStrings(in, 60)
	if cut || len(got) != 6 {
		t.Errorf("fitting slice cut: %q", got)
	}
	got, _ = TruncateStrings([]string{strings.Repeat("z", 500)}, 60)
	if n := slicesBytes(got); n > 60 || !strings.HasPrefix(got[0], "zzz") {
		t.Errorf("oversized single element: %q (%d bytes)", got, n)
	}
}

// TestTruncateCostDoesNotGrowWithValue checks that cutting a 100 MB value
// allocates about the limit, not the value: nothing of it is copied.
func TestTruncateCostDoesNotGrowWithValue(t *testing.T) {
	huge := strings.Repeat("y", 100<<20)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got, cut := TruncateString(huge, 1024)
	runtime.ReadMemStats(&after)
	if !cut || len(got) > 1024 {
		t.Fatalf("got %d bytes, cut=%v", len(got), cut)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 16<<10 {
		t.Errorf("cutting a 100 MB string allocated %d bytes", alloc)
	}
}

func TestLimitsDefaults(t *testing.T) {
	got := Limits{MaxEventAttrs: -1, MaxSpanEvents: 7}.WithDefaults()
	want := Limits{1024, -1, 8192, 7, 65536}
	if got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if (Limits{}).WithDefaults().MaxSpanEvents >= 128 {
		t.Error("the default span event budget must stay below the SDK's 128-event eviction")
	}
}

func TestValueBytesOfEveryKind(t *testing.T) {
	for _, c := range []struct {
		v    attribute.Value
		want int
	}{
		{attribute.StringValue("abc"), 3},
		{attribute.BoolValue(true), 1},
		{attribute.Int64Value(7), 8},
		{attribute.Float64Value(1.5), 8},
		{attribute.StringSliceValue([]string{"ab", "c"}), 3},
		{attribute.Int64SliceValue([]int64{1, 2}), 16},
		{attribute.BoolSliceValue([]bool{true, false, true}), 3},
		{attribute.ByteSliceValue([]byte{0, 0xff, 1}), 3},
		{attribute.Value{}, 0},
		{attribute.SliceValue(attribute.StringValue("ab"), attribute.IntValue(1), attribute.SliceValue(attribute.BoolValue(true))), 2 + 8 + 1},
		{attribute.MapValue(attribute.String("k", "vv"), attribute.Map("m", attribute.Int("n", 1))), 1 + 2 + 1 + 1 + 8},
	} {
		if got := ValueBytes(c.v); got != c.want {
			t.Errorf("ValueBytes(%s %s) = %d, want %d", c.v.Type(), c.v.String(), got, c.want)
		}
	}
}
