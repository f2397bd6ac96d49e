package spanevents

import (
	"log/slog"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan/internal/onspan"
)

// In all-records mode, a record with no event name, a log line, becomes
// an event shaped as slogspan.Handler's: named by the body, level first,
// the attributes converted as the Handler converts slog values, then
// exception.* and code.*. A line at or above the error status level sets
// the span status to Error, with the body as description, as the Handler
// does.

// addLine adds record, a log line, to span, and sets the span status.
func (p *Processor) addLine(span trace.Span, sc trace.SpanContext, record *sdklog.Record) {
	if record.Severity() >= p.cfg.errorStatusLevel() {
		// Cut and repaired like an event name: OTLP needs valid UTF-8.
		desc, _ := onspan.TruncateString(bodyText(record.Body()), p.cfg.limits.MaxValueBytes)
		span.SetStatus(codes.Error, desc)
	}
	p.put(span, sc, record, true)
}

// startLine starts a line's event with its level, sets b to keep
// exception.* and code.* for the tail, and returns the event's name: the
// body when it is a string.
func (b *buf) startLine(record *sdklog.Record) (name string) {
	level, cut := levelText(record, b.limits.MaxValueBytes)
	if cut {
		b.ev.Cut++
	}
	b.ev.Attrs = append(b.ev.Attrs, attribute.String(onspan.LevelKey, level))
	b.ev.Lead = 1
	b.tailKeys = true
	if body := record.Body(); body.Type() == attribute.STRING {
		return body.AsString()
	}
	return ""
}

// severityOffset maps an OpenTelemetry severity to a slog level, as the
// contrib otelslog bridge maps slog levels to severities: INFO is
// SeverityInfo (9).
const severityOffset = int(log.SeverityInfo) - int(slog.LevelInfo)

// levelText returns the level of record as slog names levels, from its
// severity number: slog.Level(severity - 9). SeverityDebug is DEBUG,
// SeverityInfo INFO, SeverityWarn WARN and SeverityError ERROR; the
// severities between and beyond are offsets from those, as slog writes
// them: SeverityError2 is ERROR+1, SeverityFatal (zap's DPanic) ERROR+4,
// SeverityTrace DEBUG-4. So a zap or logr line reads as a slog line does,
// whatever its severity text. Below DEBUG-5, otelslog's severities are
// negative: DEBUG-10 is -5, and named so. A record with no severity number
// (0, which is also DEBUG-5's) has its severity text, cut to maxBytes and
// made valid UTF-8 (and reports whether it was cut), else UNDEFINED.
func levelText(record *sdklog.Record, maxBytes int) (string, bool) {
	if sev := record.Severity(); sev != log.SeverityUndefined {
		return slog.Level(int(sev) - severityOffset).String(), false
	}
	if text := record.SeverityText(); text != "" {
		return onspan.TruncateString(text, maxBytes)
	}
	return log.SeverityUndefined.String(), false
}

// bodyText returns a body as text: a string as it is, other values as
// their OpenTelemetry text form.
func bodyText(body attribute.Value) string {
	if body.Type() == attribute.STRING {
		return body.AsString()
	}
	return body.String()
}
