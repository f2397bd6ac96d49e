package slogspan

import (
	"fmt"
	"log/slog"
	"slices"
)

// replaceAttr calls replace, WithReplaceAttr's function, for a, a resolved
// non-group attribute inside groups, as slog.HandlerOptions.ReplaceAttr is
// called. It returns the attribute to keep, resolved, and false when it is
// to be dropped (an empty key). A panic in replace drops the value, not the
// record: the attribute keeps its key and says that replace panicked.
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

// replaceAttrs returns attrs, inside groups, with LogValuers resolved and
// replace applied to every non-group attribute, as slog's handlers apply
// ReplaceAttr: for the records diverted to the payload handler. Groups stay
// groups; empty groups and dropped attributes are left out.
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
