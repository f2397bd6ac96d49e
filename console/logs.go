package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/slogspan/slogspan"
)

// LogExporter is an sdklog.Exporter that prints each log record as a
// summary line, then its attributes one a line, each value in full:
//
//	log 01JD3V9X0000000000000000AB INFO prompt (2 attributes, 5.0 KiB, trace 4bf9… span 00f0…)
//	    model=fake-llm-1
//	    text="Question: How do rivers shape valleys?\n…the whole prompt…"
//
// For a diverted payload, that is the other end of the uid shown under a
// span's event. Values are quoted and escaped as in the span tree. It is
// safe for concurrent use.
type LogExporter struct {
	mu      sync.Mutex
	w       io.Writer
	style   style
	stopped bool
}

// NewLogExporter returns a LogExporter writing to w.
func NewLogExporter(w io.Writer, opts ...Option) *LogExporter {
	o := newOptions(w, opts)
	return &LogExporter{w: w, style: style{on: *o.color}}
}

// Export prints the records.
func (e *LogExporter) Export(_ context.Context, records []sdklog.Record) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		return nil
	}
	var errs []error
	for i := range records {
		_, err := io.WriteString(e.w, e.lines(&records[i]))
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// lines returns the summary line of r, then one line for each attribute.
func (e *LogExporter) lines(r *sdklog.Record) string {
	uid, size, n := "", 0, 0
	var attrs strings.Builder
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		if kv.Key == slogspan.UIDKey {
			uid = escape(kv.Value.String())
			return true
		}
		n++
		size += len(kv.Key) + len(kv.Value.String())
		attrs.WriteString("    " + e.style.dim(escape(string(kv.Key))+"=") + formatValue(kv.Value, e.style, -1) + "\n")
		return true
	})
	var b strings.Builder
	b.WriteString(e.style.dim("log "))
	if uid != "" {
		b.WriteString(e.style.yellow(uid) + " ")
	}
	b.WriteString(e.style.level(r.SeverityText(), escape(r.SeverityText())) + " ")
	b.WriteString(escape(r.Body().String()))
	fmt.Fprintf(&b, " %s", e.style.dim(fmt.Sprintf("(%d attributes, %s", n, formatBytes(size))))
	if r.TraceID().IsValid() {
		b.WriteString(e.style.dim(fmt.Sprintf(", trace %s span %s", r.TraceID(), r.SpanID())))
	}
	b.WriteString(e.style.dim(")") + "\n")
	b.WriteString(attrs.String())
	return b.String()
}

// Shutdown stops printing.
func (e *LogExporter) Shutdown(context.Context) error {
	e.mu.Lock()
	e.stopped = true
	e.mu.Unlock()
	return nil
}

// ForceFlush does nothing: records are printed as they are exported.
func (*LogExporter) ForceFlush(context.Context) error { return nil }

func formatBytes(n int) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
}
