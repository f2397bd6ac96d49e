package slogspan

import (
	"fmt"
	"log/slog"
	"reflect"
	"slices"
)

// payloadRecord returns r with the attributes of h's steps folded in,
// WithReplaceAttr's function applied, errors made safe, and uid added
// first.
func (h *Handler) payloadRecord(r slog.Record, uid string) slog.Record {
	attrs := make([]slog.Attr, 0, r.NumAttrs())
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

	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	prepared := make([]slog.Attr, 0, len(attrs)+1)
	prepared = append(prepared, slog.String(UIDKey, uid))
	primary := false // whether the first top-level error was seen
	for _, a := range attrs {
		if a.Key != UIDKey {
			prepared = append(prepared, safeErrors(a, &primary, true))
		}
	}
	out.AddAttrs(prepared...)
	return out
}

// safeErrors returns a, resolved, with its error values, in groups too,
// made safe. The first top-level error (*primary false) becomes a
// safeError; the others their text.
func safeErrors(a slog.Attr, primary *bool, top bool) slog.Attr {
	a.Value = a.Value.Resolve()
	switch a.Value.Kind() {
	case slog.KindGroup:
		group := a.Value.Group()
		members := make([]slog.Attr, len(group))
		for i, m := range group {
			members[i] = safeErrors(m, primary, false)
		}
		a.Value = slog.GroupValue(members...)
	case slog.KindAny:
		if err, ok := a.Value.Any().(error); ok {
			text := safeString(err, err.Error)
			if top && !*primary {
				*primary = true
				a.Value = slog.AnyValue(safeError{text: text, typ: typeName(err), err: err})
			} else {
				a.Value = slog.StringValue(text)
			}
		}
	}
	return a
}

// safeError stands for an error in a diverted record: its text and type
// were read once, safely, as they are on the event's exception.*.
type safeError struct {
	text, typ string
	err       error
}

func (e safeError) Error() string { return e.text }

// ErrorType gives the original error's type, which the Logs SDK uses for
// exception.type.
func (e safeError) ErrorType() string { return e.typ }

func (e safeError) Unwrap() error { return e.err }

// textRecord returns r with every composite value (a slice, an array, a
// map or a pointer, []byte aside), in groups too, replaced by its fmt
// text: the values a payload handler such as otelslog walks by reflection.
func textRecord(r slog.Record) slog.Record {
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	attrs := make([]slog.Attr, 0, r.NumAttrs())
	r.Attrs(func(a slog.Attr) bool {
		attrs = append(attrs, textComposites(a))
		return true
	})
	out.AddAttrs(attrs...)
	return out
}

func textComposites(a slog.Attr) slog.Attr {
	switch a.Value.Kind() {
	case slog.KindGroup:
		group := a.Value.Group()
		members := make([]slog.Attr, len(group))
		for i, m := range group {
			members[i] = textComposites(m)
		}
		a.Value = slog.GroupValue(members...)
	case slog.KindAny:
		x := a.Value.Any()
		if _, ok := x.([]byte); ok {
			break
		}
		switch reflect.ValueOf(x).Kind() {
		case reflect.Slice, reflect.Array, reflect.Map, reflect.Pointer:
			a.Value = slog.StringValue(safeString(x, func() string { return fmt.Sprintf("%+v", x) }))
		}
	}
	return a
}
