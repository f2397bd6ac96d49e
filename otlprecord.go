package slogspan

import (
	"context"
	"strings"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/log/embedded"
)

// The records WithLoggerProvider diverts usually leave the process as
// OTLP, which has two limits a slog record does not: strings must be valid
// UTF-8, and receivers refuse messages nested too deep (the Collector's
// protobuf decoder stops at 100 levels, and each map level costs about
// three). An exporter that meets either sends nothing of the batch the
// record is in. The otelslog bridge converts slog values as they are, by
// reflection for slices, maps and structs, so each record it emits is
// checked and repaired here, once converted: invalid bytes in the body,
// keys and strings, at any depth, become U+FFFD, and maps nested deeper
// than maxRecordDepth continue as dotted keys ("g.h.k"), so that no value
// is lost. A valid record passes untouched.

// maxRecordDepth bounds the map nesting of a diverted record.
const maxRecordDepth = 16

const replacement = string(utf8.RuneError)

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

// validRecord reports whether r is valid OTLP as it is: its error too,
// whose text the SDK makes exception.message.
func validRecord(r *log.Record) bool {
	if !utf8.ValidString(r.EventName()) || !utf8.ValidString(r.SeverityText()) || !validValue(r.Body(), 0) ||
		!validErr(r.Err()) {
		return false
	}
	ok := true
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		ok = validKV(kv, 0)
		return ok
	})
	return ok
}

func validKV(kv attribute.KeyValue, depth int) bool {
	return utf8.ValidString(string(kv.Key)) && validValue(kv.Value, depth)
}

// validValue reports whether v, depth maps deep, is valid UTF-8 throughout
// and nested at most maxRecordDepth deep.
func validValue(v attribute.Value, depth int) bool {
	switch v.Type() {
	case attribute.STRING:
		return utf8.ValidString(v.AsString())
	case attribute.STRINGSLICE:
		for _, s := range v.AsStringSlice() {
			if !utf8.ValidString(s) {
				return false
			}
		}
	case attribute.SLICE:
		for _, e := range v.AsSlice() {
			if !validValue(e, depth) {
				return false
			}
		}
	case attribute.MAP:
		if depth == maxRecordDepth {
			return false
		}
		for _, kv := range v.AsMap() {
			if !validKV(kv, depth+1) {
				return false
			}
		}
	}
	return true
}

// repairRecord returns a copy of r made valid.
func repairRecord(r *log.Record) log.Record {
	var out log.Record
	out.SetEventName(validString(r.EventName()))
	out.SetTimestamp(r.Timestamp())
	out.SetObservedTimestamp(r.ObservedTimestamp())
	out.SetSeverity(r.Severity())
	out.SetSeverityText(validString(r.SeverityText()))
	out.SetBody(repairValue(r.Body(), 0))
	out.SetErr(repairErr(r.Err()))
	attrs := make([]attribute.KeyValue, 0, r.AttributesLen())
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		attrs = repairKV(attrs, kv, 0, "")
		return true
	})
	out.AddAttributes(attrs...)
	return out
}

func validErr(err error) bool {
	return err == nil || utf8.ValidString(safeString(err, err.Error))
}

// repairErr returns err, or when its text is not valid UTF-8, an error
// with the text repaired and err's type.
func repairErr(err error) error {
	if validErr(err) {
		return err
	}
	typ := typeName(err)
	// err itself, not an error it wraps: exception.type names the
	// outermost error, and only a safeError carries another type's name.
	if s, ok := err.(safeError); ok { //nolint:errorlint // see above.
		typ = s.typ
	}
	return safeError{text: validString(safeString(err, err.Error)), typ: typ, err: err}
}

func validString(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, replacement)
}

// repairKV appends kv, depth maps deep, made valid, to dst, with prefix
// before its key. A map past maxRecordDepth is flattened into dst.
func repairKV(dst []attribute.KeyValue, kv attribute.KeyValue, depth int, prefix string) []attribute.KeyValue {
	key := prefix + validString(string(kv.Key))
	if kv.Value.Type() == attribute.MAP && depth == maxRecordDepth {
		for _, m := range kv.Value.AsMap() {
			dst = repairKV(dst, m, depth, key+".")
		}
		return dst
	}
	return append(dst, attribute.KeyValue{Key: attribute.Key(key), Value: repairValue(kv.Value, depth)})
}

// repairValue returns v, depth maps deep, made valid.
func repairValue(v attribute.Value, depth int) attribute.Value {
	switch v.Type() {
	case attribute.STRING:
		return attribute.StringValue(validString(v.AsString()))
	case attribute.STRINGSLICE:
		ss := v.AsStringSlice()
		for i, s := range ss {
			ss[i] = validString(s)
		}
		return attribute.StringSliceValue(ss)
	case attribute.SLICE:
		vs := v.AsSlice()
		for i, e := range vs {
			vs[i] = repairValue(e, depth)
		}
		return attribute.SliceValue(vs...)
	case attribute.MAP:
		var kvs []attribute.KeyValue
		for _, m := range v.AsMap() {
			kvs = repairKV(kvs, m, depth+1, "")
		}
		return attribute.MapValue(kvs...)
	}
	return v
}
