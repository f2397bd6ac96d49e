package console

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/internal/onspan"
)

// line is one span's row, before the name column is padded.
type line struct {
	tree   string // tree prefix and connector
	span   sdktrace.ReadOnlySpan
	events []string // lines below the span, already prefixed
}

// renderTrace draws one trace's spans as a tree. A note, when not empty,
// follows the trace id.
func renderTrace(spans []sdktrace.ReadOnlySpan, note string, st style, barWidth int) []byte {
	spans = slices.Clone(spans)
	slices.SortStableFunc(spans, func(a, b sdktrace.ReadOnlySpan) int { return a.StartTime().Compare(b.StartTime()) })

	here := spanIDs(spans)
	children := make(map[trace.SpanID][]sdktrace.ReadOnlySpan)
	var roots []sdktrace.ReadOnlySpan
	start, end := spans[0].StartTime(), spans[0].EndTime()
	for _, s := range spans {
		if p := s.Parent(); p.IsValid() && here[p.SpanID()] {
			children[p.SpanID()] = append(children[p.SpanID()], s)
		} else {
			roots = append(roots, s)
		}
		if s.StartTime().Before(start) {
			start = s.StartTime()
		}
		if s.EndTime().After(end) {
			end = s.EndTime()
		}
	}
	total := max(end.Sub(start), time.Nanosecond)

	var lines []line
	var walk func(s sdktrace.ReadOnlySpan, prefix, connector, below string)
	walk = func(s sdktrace.ReadOnlySpan, prefix, connector, below string) {
		kids := children[s.SpanContext().SpanID()]
		eventPrefix := prefix + below + "   "
		if len(kids) > 0 {
			eventPrefix = prefix + below + "│  "
		}
		l := line{tree: prefix + connector, span: s}
		for _, e := range s.Events() {
			l.events = append(l.events, renderEvent(e, s.StartTime(), eventPrefix, st)...)
		}
		lines = append(lines, l)
		for i, k := range kids {
			if i == len(kids)-1 {
				walk(k, prefix+below, "└─ ", "   ")
			} else {
				walk(k, prefix+below, "├─ ", "│  ")
			}
		}
	}
	for _, r := range roots {
		walk(r, "", "", "")
	}

	width := 0
	for _, l := range lines {
		width = max(width, utf8.RuneCountInString(l.tree+escape(l.span.Name())))
	}
	var b bytes.Buffer
	b.WriteString(st.dim("trace " + spans[0].SpanContext().TraceID().String()))
	if note != "" {
		b.WriteString(" " + st.yellow("("+note+")"))
	}
	b.WriteByte('\n')
	for _, l := range lines {
		s := l.span
		b.WriteString(st.dim(l.tree))
		name := escape(s.Name())
		b.WriteString(st.bold(name))
		b.WriteString(strings.Repeat(" ", width-utf8.RuneCountInString(l.tree+name)))
		fmt.Fprintf(&b, " %9s ", formatDuration(s.EndTime().Sub(s.StartTime())))
		b.WriteString(st.cyan(bar(s.StartTime().Sub(start), s.EndTime().Sub(s.StartTime()), total, barWidth)))
		if status := formatStatus(s.Status(), st); status != "" {
			b.WriteByte(' ')
			b.WriteString(status)
		}
		b.WriteByte('\n')
		for _, ev := range l.events {
			b.WriteString(ev)
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

// renderEvent returns the lines for one event: offset, level, message and
// attributes, then the uid of a diverted record.
func renderEvent(e sdktrace.Event, spanStart time.Time, prefix string, st style) []string {
	var b strings.Builder
	b.WriteString(st.dim(prefix))
	b.WriteString(st.dim(fmt.Sprintf("%9s ", "+"+formatDuration(e.Time.Sub(spanStart)))))
	uid := ""
	level := ""
	for _, kv := range e.Attributes {
		switch kv.Key {
		case slogspan.LevelKey:
			level = escape(kv.Value.String())
		case slogspan.UIDKey:
			uid = escape(kv.Value.String())
		}
	}
	if level != "" {
		b.WriteString(st.level(level, fmt.Sprintf("%-5s ", level)))
	}
	b.WriteString(escape(e.Name))
	for _, kv := range e.Attributes {
		if kv.Key == slogspan.LevelKey || kv.Key == slogspan.UIDKey {
			continue
		}
		b.WriteByte(' ')
		b.WriteString(st.dim(escape(string(kv.Key)) + "="))
		b.WriteString(formatValue(kv.Value, st, maxShownRunes))
	}
	out := []string{b.String()}
	if uid != "" {
		out = append(out, st.dim(prefix+strings.Repeat(" ", 10)+"↳ full record: "+slogspan.UIDKey+"=")+st.yellow(uid))
	}
	return out
}

// maxShownRunes is how much of a value a terminal line shows.
const maxShownRunes = 80

// formatValue quotes or escapes v, cut past maxRunes (< 0: never), marked.
func formatValue(v attribute.Value, st style, maxRunes int) string {
	s := v.String()
	marker := ""
	if i := strings.Index(s, onspan.Truncated); i >= 0 {
		s, marker = s[:i], escape(s[i:])
	}
	if maxRunes >= 0 && utf8.RuneCountInString(s) > maxRunes {
		if marker == "" {
			marker = "…[" + strconv.Itoa(len(s)) + " bytes]"
		}
		s = string([]rune(s)[:maxRunes])
	}
	if v.Type() == attribute.STRING && needsQuote(s+marker) {
		q := strconv.Quote(s)
		return q[:len(q)-1] + st.yellow(marker) + `"`
	}
	return escape(s) + st.yellow(marker)
}

func needsQuote(s string) bool {
	if s == "" {
		return true
	}
	for _, r := range s {
		if r == ' ' || r == '"' || r == '=' || !strconv.IsPrint(r) {
			return true
		}
	}
	return false
}

// bar draws a span's place and length within the trace, at least one cell.
func bar(offset, dur, total time.Duration, width int) string {
	from := int(float64(offset) / float64(total) * float64(width))
	n := max(1, int(float64(dur)/float64(total)*float64(width)+0.5))
	from = min(from, width-1)
	n = min(n, width-from)
	return strings.Repeat("·", from) + strings.Repeat("█", n) + strings.Repeat("·", width-from-n)
}

// formatStatus shows an Error or Ok status.
func formatStatus(s sdktrace.Status, st style) string {
	switch s.Code {
	case codes.Error:
		return st.red(strings.TrimSpace("ERROR " + escape(s.Description)))
	case codes.Ok:
		return st.green("OK")
	}
	return ""
}

// formatDuration prints d with about three significant digits.
func formatDuration(d time.Duration) string {
	switch {
	case d < time.Microsecond:
		return strconv.FormatInt(int64(d), 10) + "ns"
	case d < time.Millisecond:
		return strconv.FormatFloat(float64(d)/float64(time.Microsecond), 'f', 1, 64) + "µs"
	case d < time.Second:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + "ms"
	default:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + "s"
	}
}
