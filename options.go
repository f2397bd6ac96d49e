package slogspan

import (
	"log/slog"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel/log"

	"github.com/slogspan/slogspan/internal/onspan"
)

// An Option configures a Handler. Options are applied by [New] in order;
// a later option overrides an earlier one.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config is shared, read-only, by a Handler and every handler derived from
// it.
type config struct {
	eventLevel slog.Leveler // nil: the levels next is enabled for
	errorLevel slog.Leveler
	source     bool
	limits     onspan.Limits // WithLimits', then the defaults
	payload    slog.Handler
	divertAll  bool
	replace    func(groups []string, a slog.Attr) slog.Attr
	missing    *missingSites // nil: lines that reach no span are not counted
}

func newConfig(opts []Option) *config {
	c := &config{errorLevel: slog.LevelError}
	for _, o := range opts {
		o.apply(c)
	}
	c.limits = c.limits.WithDefaults()
	return c
}

// WithEventLevel records events for records at or above level, whether or
// not next is enabled for them: WithEventLevel(slog.LevelDebug) puts DEBUG
// lines on spans while next still only writes what it is enabled for.
// Without this option (or with nil) events are recorded for exactly the
// levels next is enabled for.
func WithEventLevel(level slog.Leveler) Option {
	return optionFunc(func(c *config) { c.eventLevel = level })
}

// WithErrorStatusLevel sets the span status to Error, with the record's
// message as description, for records at or above level. The default (and
// nil) is slog.LevelError.
func WithErrorStatusLevel(level slog.Leveler) Option {
	return optionFunc(func(c *config) {
		if level == nil {
			level = slog.LevelError
		}
		c.errorLevel = level
	})
}

// WithSource adds code.file.path, code.line.number and code.function.name,
// taken from the record's PC, to every event. Off by default.
func WithSource(on bool) Option {
	return optionFunc(func(c *config) { c.source = on })
}

// WithLimits sets the size limits on what the Handler puts on spans. Zero
// fields take their defaults and negative fields mean unlimited; see
// [Limits].
func WithLimits(l Limits) Option {
	return optionFunc(func(c *config) { c.limits = onspan.Limits(l) })
}

// WithPayloadHandler sends the full record, every attribute untouched and
// in the same context, to h whenever the Handler cut anything from its
// event or the span's budget was used up. The event and the diverted record
// share a log.record.uid attribute. Nil (the default) diverts nothing.
func WithPayloadHandler(h slog.Handler) Option {
	return optionFunc(func(c *config) { c.payload = h })
}

// WithLoggerProvider diverts full records, as [WithPayloadHandler] does, to
// an OpenTelemetry logger from lp through the contrib otelslog bridge. The
// log records carry the span's trace and span ids, and are valid OTLP:
// invalid UTF-8 is replaced by U+FFFD, and maps and slices nested past
// [MaxValueDepth] continue as dotted keys or text (see the package
// documentation).
func WithLoggerProvider(lp log.LoggerProvider) Option {
	return optionFunc(func(c *config) {
		if lp == nil {
			c.payload = nil
			return
		}
		// Each record is made valid OTLP once converted: see otlprecord.go.
		c.payload = otelslog.NewHandler(onspan.HandlerScope, otelslog.WithLoggerProvider(otlpLoggerProvider{lp: lp}))
	})
}

// WithDivertAll sends every record that becomes an event to the payload
// handler, not only the ones that were cut. Off by default.
func WithDivertAll(on bool) Option {
	return optionFunc(func(c *config) { c.divertAll = on })
}

// WithReplaceAttr rewrites or drops attributes before slogspan writes them
// anywhere, with the contract of slog.HandlerOptions.ReplaceAttr: replace
// is called for each non-group attribute, its LogValuer already resolved,
// with the groups open at it (the logger's WithGroup names, then the
// record's groups). An attribute whose returned key is empty is dropped.
//
// It applies to everything slogspan writes: event attributes, the
// exception.* attributes (taken from the replaced value, so an error
// replaced by a string adds none), and the records diverted to the payload
// handler or LoggerProvider. The records passed to next are next's own
// business: give next the same function in its HandlerOptions. With
// attributes are replaced once, when With is called. ReplaceAttr is not
// called for the attributes slogspan adds (level, log.record.uid,
// exception.*, code.*), nor for the members of a group it returned. A
// panic in replace replaces the value with "!PANIC in ReplaceAttr: " and
// the panic's value.
//
// Use it to redact secrets: the trace backend should not see what the log
// store does not.
func WithReplaceAttr(replace func(groups []string, a slog.Attr) slog.Attr) Option {
	return optionFunc(func(c *config) { c.replace = replace })
}
