package slogspan

import (
	"fmt"
	"log/slog"
	"reflect"
	"slices"
)

// payloadRecord returns r with h's With and WithGroup steps folded in,
// ReplaceAttr applied, errors made safe, and uid first.
func (h *Handler) payloadRecord(r slog.Record, uid string) slog.Record {
	attrs := make([]slog.Attr, 0, r.NumAttrs())
	r.Attrs(func(a slog.Attr) bool {
		attrs = append(attrs, a)
		return true
	})
	if h.cfg.replace != nil {
		attrs = replaceAttrs(h.cfg.replace, h.groups, attrs)
	}
	steps := h.steps
	for i := len(steps) - 1; i >= 0; i-- { // innermost first
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
	// The first top-level error becomes a safeError; the others their text.
	primary := false
	safe := func(a slog.Attr, top bool) slog.Attr {
		if a.Value.Kind() != slog.KindAny {
			return a
		}
		err, ok := a.Value.Any().(error)
		if !ok {
			return a
		}
		text := safeString(err, err.Error)
		if top && !primary {
			primary = true
			a.Value = slog.AnyValue(safeError{text: text, typ: typeName(err), err: err})
		} else {
			a.Value = slog.StringValue(text)
		}
		return a
	}
	for _, a := range attrs {
		if a.Key != UIDKey {
			prepared = append(prepared, eachLeaf(a, true, safe))
		}
	}
	out.AddAttrs(prepared...)
	return out
}

// eachLeaf returns a, resolved, with f applied to each non-group attribute
// in it; top says whether a is outside every group.
func eachLeaf(a slog.Attr, top bool, f func(a slog.Attr, top bool) slog.Attr) slog.Attr {
	a.Value = a.Value.Resolve()
	if a.Value.Kind() != slog.KindGroup {
		return f(a, top)
	}
	group := a.Value.Group()
	members := make([]slog.Attr, len(group))
	for i, m := range group {
		members[i] = eachLeaf(m, false, f)
	}
	a.Value = slog.GroupValue(members...)
	return a
}

// safeError is an error of a diverted record, its text and type read once.
type safeError struct {
	text, typ string
	err       error
}

func (e safeError) Error() string { return e.text }

// ErrorType gives the Logs SDK the original error's exception.type.
func (e safeError) ErrorType() string { return e.typ }

func (e safeError) Unwrap() error { return e.err }

// textRecord returns r with every composite value, in groups too, as its
// fmt text (see textComposite).
func textRecord(r slog.Record) slog.Record {
	out := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	attrs := make([]slog.Attr, 0, r.NumAttrs())
	r.Attrs(func(a slog.Attr) bool {
		attrs = append(attrs, eachLeaf(a, true, textComposite))
		return true
	})
	out.AddAttrs(attrs...)
	return out
}

// textComposite returns a with a slice, array, map or pointer value
// ([]byte aside), which otelslog walks by reflection, as its fmt text.
func textComposite(a slog.Attr, _ bool) slog.Attr {
	if a.Value.Kind() != slog.KindAny {
		return a
	}
	x := a.Value.Any()
	if _, ok := x.([]byte); ok {
		return a
	}
	switch reflect.ValueOf(x).Kind() {
	case reflect.Slice, reflect.Array, reflect.Map, reflect.Pointer:
		a.Value = slog.StringValue(safeString(x, func() string { return fmt.Sprintf("%+v", x) }))
	}
	return a
}
