package main

import (
	"context"

	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/slogspan/slogspan"
)

// traceIDs wraps the core that writes to the terminal. The contrib otelzap
// bridge takes a line's context from a field that holds a
// context.Context (zap.Any("ctx", ctx)), and any other core would print
// that field as the context's %v. traceIDs writes the span's trace_id and
// span_id in its place, as slogspan.Handler does for a slog line, and
// leaves the field out when the context has no span. Give it only the
// cores that print: the bridge's core needs the context itself.
type traceIDs struct{ zapcore.Core }

func (c traceIDs) With(fields []zapcore.Field) zapcore.Core {
	return traceIDs{c.Core.With(withTraceIDs(fields))}
}

// Check adds c, not the core it wraps, so that Write sees the fields.
func (c traceIDs) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(ent.Level) {
		return ce.AddCore(ent, c)
	}
	return ce
}

func (c traceIDs) Write(ent zapcore.Entry, fields []zapcore.Field) error {
	return c.Core.Write(ent, withTraceIDs(fields))
}

// withTraceIDs returns fields with each context replaced by its span's
// ids. fields itself is never changed: zap passes it to every core.
func withTraceIDs(fields []zapcore.Field) []zapcore.Field {
	var out []zapcore.Field
	for i, f := range fields {
		ctx, ok := f.Interface.(context.Context)
		if !ok {
			if out != nil {
				out = append(out, f)
			}
			continue
		}
		if out == nil {
			out = append(make([]zapcore.Field, 0, len(fields)+1), fields[:i]...)
		}
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			out = append(out, zap.Stringer(slogspan.TraceIDKey, sc.TraceID()), zap.Stringer(slogspan.SpanIDKey, sc.SpanID()))
		}
	}
	if out == nil {
		return fields
	}
	return out
}
