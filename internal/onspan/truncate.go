package onspan

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
)

// truncMarker ends a string too short for Truncated.
const truncMarker = "…"

// Truncated starts the marker that ends a cut string or string slice:
// "…[truncated: 1048576 bytes]", "…[truncated: 2000 elements]".
const Truncated = truncMarker + "[truncated: "

// TruncateString returns s as valid UTF-8 (U+FFFD replacing invalid bytes)
// of at most maxBytes bytes (< 0: any), and whether it was shortened, when
// it ends with a marker of the original length. It reads O(maxBytes) of s.
func TruncateString(s string, maxBytes int) (out string, cut bool) {
	if Within(len(s), maxBytes) && utf8.ValidString(s) {
		return s, false // the common case, inlined
	}
	return truncateAt(s, len(s), maxBytes)
}

// TruncateBytes is TruncateString for b, converting only what it keeps.
func TruncateBytes(b []byte, maxBytes int) (out string, cut bool) {
	n := len(b)
	if maxBytes >= 0 {
		n = min(n, maxBytes+utf8.UTFMax) // enough not to split a rune
	}
	return truncateAt(string(b[:n]), len(b), maxBytes)
}

// truncateAt is TruncateString for s, the start of a value of total bytes.
func truncateAt(s string, total, maxBytes int) (out string, cut bool) {
	if Within(total, maxBytes) {
		if s = ValidString(s); Within(len(s), maxBytes) {
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
	var b strings.Builder
	b.Grow(len(keep) + len(marker))
	b.WriteString(keep)
	b.Write(marker)
	return b.String(), true
}

// validPrefix returns the longest valid prefix of s, invalid bytes
// replaced, of at most n bytes; it reads at most n+1 bytes of s.
func validPrefix(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if n < len(s) {
		s = s[:cutPoint(s, n)]
	}
	if s = ValidString(s); len(s) > n { // U+FFFD is longer than a byte
		s = s[:cutPoint(s, n)]
	}
	return s
}

// cutPoint returns the largest i <= n < len(s) not inside a valid rune.
func cutPoint(s string, n int) int {
	for i := n; i >= 0 && n-i < utf8.UTFMax; i-- {
		if utf8.RuneStart(s[i]) {
			return i
		}
	}
	return n
}

// ValueBytes is the size v counts for against the byte limits: string and
// byte lengths, 8 a number, 1 a bool, 0 empty, a map or slice's members.
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

// TruncateStrings cuts ss by element, made valid UTF-8, to at most
// maxBytes bytes with a final marker element, and reports a cut.
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

// ElementsWithin returns how many of n elements of size bytes fit in
// maxBytes.
func ElementsWithin(n, size, maxBytes int) int {
	if maxBytes < 0 || n*size <= maxBytes {
		return n
	}
	return maxBytes / size
}
