package onspan

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
)

// truncMarker ends a string cut too short for Truncated.
const truncMarker = "…"

// Truncated starts the marker that ends a cut string or string slice:
// "…[truncated: 1048576 bytes]", "…[truncated: 2000 elements]".
const Truncated = truncMarker + "[truncated: "

// TruncateString returns s as valid UTF-8 of at most maxBytes bytes
// (maxBytes < 0: any length). When s had to be shortened, the result ends
// with a marker giving the original length, and cut is true. Invalid UTF-8
// is replaced with U+FFFD, which does not count as a cut. Only the first
// maxBytes bytes of s are read, so the cost is O(maxBytes), not O(len(s)).
func TruncateString(s string, maxBytes int) (out string, cut bool) {
	if Within(len(s), maxBytes) && utf8.ValidString(s) {
		return s, false // the common case, inlined
	}
	return truncateAt(s, len(s), maxBytes)
}

// TruncateBytes is TruncateString for b as text. Only the bytes that can
// be kept are converted: b may be huge.
func TruncateBytes(b []byte, maxBytes int) (out string, cut bool) {
	n := len(b)
	if maxBytes >= 0 {
		n = min(n, maxBytes+utf8.UTFMax) // enough not to split a rune
	}
	return truncateAt(string(b[:n]), len(b), maxBytes)
}

// truncateAt is TruncateString for s, the start of a value of total bytes:
// the marker gives total.
func truncateAt(s string, total, maxBytes int) (out string, cut bool) {
	if Within(total, maxBytes) {
		if utf8.ValidString(s) {
			return s, false
		}
		s = strings.ToValidUTF8(s, string(utf8.RuneError))
		if Within(len(s), maxBytes) {
			return s, false
		}
	}

	var buf [64]byte
	marker := append(buf[:0], Truncated...)
	marker = strconv.AppendInt(marker, int64(total), 10)
	marker = append(marker, " bytes]"...)
	if len(marker) > maxBytes {
		marker = append(buf[:0], truncMarker...)
		if len(marker) > maxBytes {
			marker = marker[:0]
		}
	}
	keep := validPrefix(s, maxBytes-len(marker))
	// One allocation and one copy: the event owns its preview, and never
	// keeps a huge original string alive.
	var b strings.Builder
	b.Grow(len(keep) + len(marker))
	b.WriteString(keep)
	b.Write(marker)
	return b.String(), true
}

// validPrefix returns the longest prefix of s, with invalid bytes replaced,
// that is at most n bytes and does not split a rune. It reads at most n+1
// bytes of s. The result may share memory with s.
func validPrefix(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if n < len(s) {
		s = s[:cutPoint(s, n)]
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, string(utf8.RuneError))
		if len(s) > n {
			// Replacement runes are longer than the bytes they replace.
			s = s[:cutPoint(s, n)]
		}
	}
	return s
}

// cutPoint returns the largest i <= n at which s can be cut without
// splitting a valid rune. n < len(s).
func cutPoint(s string, n int) int {
	for i := n; i >= 0 && n-i < utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			return i
		}
	}
	return n
}

// ValueBytes is the size a value counts for against the byte limits:
// string and byte slice length, 8 per number, 1 per bool, nothing for an
// empty value, and for a map or a slice of values, the sum of its keys
// and values.
func ValueBytes(v attribute.Value) int {
	switch v.Type() {
	case attribute.STRING:
		return len(v.AsString())
	case attribute.BOOL:
		return 1
	case attribute.INT64, attribute.FLOAT64:
		return 8
	case attribute.BOOLSLICE:
		return len(v.AsBoolSlice())
	case attribute.INT64SLICE:
		return 8 * len(v.AsInt64Slice())
	case attribute.FLOAT64SLICE:
		return 8 * len(v.AsFloat64Slice())
	case attribute.STRINGSLICE:
		return slicesBytes(v.AsStringSlice())
	case attribute.BYTESLICE:
		return len(v.AsByteSlice())
	case attribute.SLICE:
		n := 0
		for _, e := range v.AsSlice() {
			n += ValueBytes(e)
		}
		return n
	case attribute.MAP:
		n := 0
		for _, kv := range v.AsMap() {
			n += KVBytes(kv)
		}
		return n
	default:
		return 0 // EMPTY
	}
}

// TruncateStrings cuts ss by element so that its strings, including a
// final marker element, total at most maxBytes bytes. Each kept element is
// made valid UTF-8. cut reports whether elements were dropped.
func TruncateStrings(ss []string, maxBytes int) (out []string, cut bool) {
	out = make([]string, 0, len(ss))
	if Within(slicesBytes(ss), maxBytes) {
		for _, s := range ss {
			s, _ = TruncateString(s, -1)
			out = append(out, s)
		}
		if Within(slicesBytes(out), maxBytes) {
			return out, false
		}
		out = out[:0]
	}
	marker := Truncated + strconv.Itoa(len(ss)) + " elements]"
	budget := maxBytes - len(marker)
	if budget < 0 {
		marker, budget = "", maxBytes
	}
	for _, s := range ss {
		v, c := TruncateString(s, budget)
		if c && len(out) > 0 {
			break // whole elements only, except when none fit at all
		}
		out = append(out, v)
		budget -= len(v)
		if c {
			break
		}
	}
	if marker != "" {
		out = append(out, marker)
	}
	return out, true
}

func slicesBytes(ss []string) int {
	n := 0
	for _, s := range ss {
		n += len(s)
	}
	return n
}

// ElementsWithin returns how many of n elements, of size bytes each, fit
// in maxBytes bytes.
func ElementsWithin(n, size, maxBytes int) int {
	if maxBytes < 0 || n*size <= maxBytes {
		return n
	}
	return maxBytes / size
}
