package slogspan

import (
	"context"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/log/embedded"

	"github.com/slogspan/slogspan/internal/onspan"
)

// MaxValueDepth bounds how many maps and slices, counted alike, nest in a
// value slogspan sends over OTLP: in a record diverted by
// WithLoggerProvider (groups count as maps) and on the events of a
// spanevents Processor. Past it, a map's members continue as dotted keys
// ("g.h.k") and any other map or slice becomes its text.
const MaxValueDepth = 16

// otlpLoggerProvider gives out loggers that make each record valid OTLP.
type otlpLoggerProvider struct {
	embedded.LoggerProvider
	lp log.LoggerProvider
}

func (p otlpLoggerProvider) Logger(name string, opts ...log.LoggerOption) log.Logger {
	return otlpLogger{l: p.lp.Logger(name, opts...)}
}

type otlpLogger struct {
	embedded.Logger
	l log.Logger
}

func (l otlpLogger) Enabled(ctx context.Context, p log.EnabledParameters) bool {
	return l.l.Enabled(ctx, p)
}

func (l otlpLogger) Emit(ctx context.Context, r log.Record) {
	if !validRecord(&r) {
		r = repairRecord(&r)
	}
	l.l.Emit(ctx, r)
}

// validRecord reports whether r, its error's text included, is valid OTLP.
func validRecord(r *log.Record) bool {
	if !utf8.ValidString(r.EventName()) || !utf8.ValidString(r.SeverityText()) ||
		!onspan.ValidValue(r.Body(), 0, MaxValueDepth) ||
		!validErr(r.Err()) {
		return false
	}
	ok := true
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		ok = onspan.ValidKV(kv, 0, MaxValueDepth)
		return ok
	})
	return ok
}

// repairRecord returns a copy of r made valid.
func repairRecord(r *log.Record) log.Record {
	var out log.Record
	out.SetEventName(onspan.ValidString(r.EventName()))
	out.SetTimestamp(r.Timestamp())
	out.SetObservedTimestamp(r.ObservedTimestamp())
	out.SetSeverity(r.Severity())
	out.SetSeverityText(onspan.ValidString(r.SeverityText()))
	out.SetBody(onspan.RepairValue(r.Body(), 0, MaxValueDepth))
	out.SetErr(repairErr(r.Err()))
	attrs := make([]attribute.KeyValue, 0, r.AttributesLen())
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		attrs = onspan.RepairKV(attrs, kv, 0, MaxValueDepth, "")
		return true
	})
	out.AddAttributes(attrs...)
	return out
}

func validErr(err error) bool {
	return err == nil || utf8.ValidString(safeString(err, err.Error))
}

// repairErr returns err, or an error of err's type with its text made
// valid UTF-8.
func repairErr(err error) error {
	if validErr(err) {
		return err
	}
	typ := typeName(err)
	if s, ok := err.(safeError); ok { //nolint:errorlint // the outermost error only.
		typ = s.typ
	}
	return safeError{text: onspan.ValidString(safeString(err, err.Error)), typ: typ, err: err}
}
