package setup

import (
	"context"
	"log/slog"

	"github.com/slogspan/slogspan"
)

// missingShower is a span exporter that shows the missing-span report
// itself, such as the console view.
type missingShower interface {
	ShowMissingSpans(report func() []slogspan.MissingSpan)
}

// showMissingSpans gives h's report to exp when exp shows it, and reports
// whether it does.
func showMissingSpans(exp any, h *slogspan.Handler) bool {
	s, ok := exp.(missingShower)
	if ok {
		s.ShowMissingSpans(h.MissingSpans)
	}
	return ok
}

// logMissingSpans writes h's report through the program's own handler,
// one line a call site: WARN for lines with no span or on an ended span,
// INFO for unsampled ones, which are the sampler's choice.
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
