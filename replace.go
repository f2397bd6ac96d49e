package slogspan

import (
	"fmt"
	"log/slog"
	"slices"
)

// replaceAttr returns replace's a, resolved, or false to drop it; a panic
// becomes the value.
func replaceAttr(replace func([]string, slog.Attr) slog.Attr, groups []string, a slog.Attr) (out slog.Attr, ok bool) {
	defer func() {
		if p := recover(); p != nil {
			out, ok = slog.String(a.Key, fmt.Sprintf("!PANIC in ReplaceAttr: %v", p)), true
		}
	}()
	out = replace(slices.Clip(groups), a)
	if out.Key == "" {
		return out, false
	}
	out.Value = out.Value.Resolve()
	return out, true
}

// replaceAttrs applies replace to attrs, inside groups, as slog's handlers
// apply ReplaceAttr.
func replaceAttrs(replace func([]string, slog.Attr) slog.Attr, groups []string, attrs []slog.Attr) []slog.Attr {
	out := make([]slog.Attr, 0, len(attrs))
	for _, a := range attrs {
		a.Value = a.Value.Resolve()
		if a.Value.Kind() == slog.KindGroup {
			inner := groups
			if a.Key != "" {
				inner = append(slices.Clip(groups), a.Key)
			}
			if members := replaceAttrs(replace, inner, a.Value.Group()); len(members) > 0 {
				out = append(out, slog.Attr{Key: a.Key, Value: slog.GroupValue(members...)})
			}
			continue
		}
		if a.Equal(slog.Attr{}) {
			continue
		}
		if r, ok := replaceAttr(replace, groups, a); ok {
			out = append(out, r)
		}
	}
	return out
}
