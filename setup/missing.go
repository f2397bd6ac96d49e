package setup

import (
	"context"
	"log/slog"

	"github.com/slogspan/slogspan"
)

// showMissingSpans gives h's report to exp when exp shows it itself (the
// console view), and reports whether it does.
func showMissingSpans(exp any, h *slogspan.Handler) bool {
	s, ok := exp.(interface {
		ShowMissingSpans(report func() []slogspan.MissingSpan)
	})
	if ok {
		s.ShowMissingSpans(h.MissingSpans)
	}
	return ok
}

// logMissingSpans writes h's report through the program's own handler,
// one line a call site: WARN, or INFO for unsampled spans.
func logMissingSpans(h *slogspan.Handler, to slog.Handler) {
	logger := slog.New(to)
	for _, s := range h.MissingSpans() {
		level := slog.LevelWarn
		if s.Reason == slogspan.NotSampled {
			level = slog.LevelInfo
		}
		logger.LogAttrs(context.Background(), level, "setup: log lines reached no span",
			slog.String("function", s.Function), slog.String("file", s.File), slog.Int("line", s.Line),
			slog.Int64("records", s.Records), slog.String("reason", s.Reason.String()))
	}
}
