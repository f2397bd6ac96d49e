package console

import (
	"fmt"
	"strings"

	"github.com/slogspan/slogspan"
)

// ShowMissingSpans makes e print at Shutdown, after the last trace, the
// log lines that reached no span, as report returns them: the
// MissingSpans method of a slogspan.Handler with WithMissingSpans on
// (setup.Start does this). Nothing is printed when the report is empty.
func (e *Exporter) ShowMissingSpans(report func() []slogspan.MissingSpan) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.missing = report
}

// renderMissing returns the report's lines, unsampled ones apart, or nil.
func renderMissing(sites []slogspan.MissingSpan, st style) []byte {
	var holes, unsampled []string
	for _, s := range sites {
		line := fmt.Sprintf("  %6d × %s", s.Records, siteName(s))
		if s.Reason == slogspan.NotSampled {
			unsampled = append(unsampled, line)
		} else {
			holes = append(holes, line+st.dim("  "+s.Reason.String()))
		}
	}
	var b strings.Builder
	if len(holes) > 0 {
		b.WriteString(st.yellow("log lines that reached no span") + st.dim(" (records × call site, reason):") + "\n")
		for _, l := range holes {
			b.WriteString(l + "\n")
		}
	}
	if len(unsampled) > 0 {
		b.WriteString(st.dim("log lines in spans that were not sampled (the sampler's choice):") + "\n")
		for _, l := range unsampled {
			b.WriteString(st.dim(l) + "\n")
		}
	}
	if b.Len() == 0 {
		return nil
	}
	return []byte(b.String())
}

// siteName shows a call site as its function, without the package path,
// and its file with one directory.
func siteName(s slogspan.MissingSpan) string {
	if s.Function == "" && s.File == "" {
		return "(call site unknown)"
	}
	fn := s.Function[strings.LastIndexByte(s.Function, '/')+1:]
	file := s.File
	if i := strings.LastIndexByte(file, '/'); i > 0 {
		if j := strings.LastIndexByte(file[:i], '/'); j >= 0 {
			file = file[j+1:]
		}
	}
	return escape(fmt.Sprintf("%s  %s:%d", fn, file, s.Line))
}
