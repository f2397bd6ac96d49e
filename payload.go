package slogspan

import (
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"unicode/utf8"
)

// A diverted record is built whole for the payload handler: the With and
// WithGroup calls of its logger are folded into the record as attributes
// and group values, so the payload handler itself is never derived. That
// keeps log.record.uid top-level, and does not depend on how the payload
// handler nests groups (the contrib otelslog bridge v0.21.0 drops the outer
// groups of WithGroup("a").WithGroup("b")).
//
// The record usually leaves the process as OTLP, which has two limits a
// slog record does not: strings must be valid UTF-8, and receivers refuse
// messages nested too deep (the Collector's protobuf decoder stops at 100
// levels, and each group costs about three). An exporter that meets either
// sends nothing of the batch the record is in. So invalid bytes in the
// message, keys, strings, errors and Stringers become U+FFFD, and groups
// nested deeper than maxPayloadDepth are flattened into dotted keys
// ("g.h.k"), so that no value is lost. Valid values pass byte for byte.

// maxPayloadDepth bounds the group nesting of a diverted record.
const maxPayloadDepth = 16

const replacement = string(utf8.RuneError)

// payloadRecord returns r with the attributes of h's steps folded in,
// WithReplaceAttr's function applied, uid added at the top level, and
// everything prepared for OTLP.
func (h *Handler) payloadRecord(r slog.Record, uid string) slog.Record {
	attrs := make([]slog.Attr, 0, r.NumAttrs()+1)
	r.Attrs(func(a slog.Attr) bool {
		attrs = append(attrs, a)
		return true
	})
	if h.cfg.replace != nil {
		attrs = replaceAttrs(h.cfg.replace, h.groups, attrs)
	}
	// From the innermost group out.
	steps := h.steps
	for i := len(steps) - 1; i >= 0; i-- {
		s := steps[i]
		switch {
		case s.group == "":
			attrs = append(slices.Clip(s.forPayload), attrs...)
		case len(attrs) > 0: // an empty group is dropped, as slog does
			attrs = []slog.Attr{{Key: s.group, Value: slog.GroupValue(attrs...)}}
		}
	}
	attrs = append(attrs, slog.String(UIDKey, uid))

	out := slog.NewRecord(r.Time, r.Level, strings.ToValidUTF8(r.Message, replacement), r.PC)
	var prepared []slog.Attr
	for _, a := range attrs {
		prepared = prepareAttr(prepared, a, maxPayloadDepth, "")
	}
	out.AddAttrs(prepared...)
	return out
}

// prepareAttr appends a to dst, resolved, with invalid UTF-8 repaired,
// prefix before its key, and groups past budget levels flattened into
// dotted keys.
func prepareAttr(dst []slog.Attr, a slog.Attr, budget int, prefix string) []slog.Attr {
	key := a.Key
	if !utf8.ValidString(key) {
		key = strings.ToValidUTF8(key, replacement)
	}
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindGroup:
		if budget > 0 {
			var members []slog.Attr
			for _, ga := range v.Group() {
				members = prepareAttr(members, ga, budget-1, "")
			}
			return append(dst, slog.Attr{Key: prefix + key, Value: slog.GroupValue(members...)})
		}
		inner := prefix
		if key != "" {
			inner = prefix + key + "."
		}
		for _, ga := range v.Group() {
			dst = prepareAttr(dst, ga, 0, inner)
		}
		return dst
	case slog.KindString:
		if s := v.String(); !utf8.ValidString(s) {
			v = slog.StringValue(strings.ToValidUTF8(s, replacement))
		}
	case slog.KindAny:
		if s, ok := textOf(v.Any()); ok && !utf8.ValidString(s) {
			v = slog.StringValue(strings.ToValidUTF8(s, replacement))
		}
	}
	return append(dst, slog.Attr{Key: prefix + key, Value: v})
}

// textOf returns the text an error or Stringer stands for.
func textOf(x any) (string, bool) {
	switch x := x.(type) {
	case error:
		return safeString(x, x.Error), true
	case fmt.Stringer:
		return safeString(x, x.String), true
	}
	return "", false
}
