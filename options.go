package slogspan

import (
	"log/slog"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel/log"

	"github.com/slogspan/slogspan/internal/onspan"
)

// An Option configures a Handler; [New] applies them in order.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config is shared, read-only, by a Handler and its derived handlers.
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
// not next is enabled for them. Without it (or with nil) events are
// recorded for the levels next is enabled for.
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

// WithLimits sets the size limits on what the Handler puts on spans; see
// [Limits].
func WithLimits(l Limits) Option {
	return optionFunc(func(c *config) { c.limits = onspan.Limits(l) })
}

// WithPayloadHandler sends the full record, in the same context, to h
// whenever anything was cut from its event or the span's budget was used
// up; the two share a log.record.uid. Nil (the default) diverts nothing.
func WithPayloadHandler(h slog.Handler) Option {
	return optionFunc(func(c *config) { c.payload = h })
}

// WithLoggerProvider diverts full records, as [WithPayloadHandler] does, to
// a logger from lp through the contrib otelslog bridge. The records carry
// the span's ids and are valid OTLP: invalid UTF-8 becomes U+FFFD, and
// nesting past [MaxValueDepth] continues as dotted keys or text.
func WithLoggerProvider(lp log.LoggerProvider) Option {
	return optionFunc(func(c *config) {
		if lp == nil {
			c.payload = nil
			return
		}
		c.payload = otelslog.NewHandler(onspan.HandlerScope, otelslog.WithLoggerProvider(otlpLoggerProvider{lp: lp}))
	})
}

// WithDivertAll sends every record that becomes an event to the payload
// handler, not only the ones that were cut. Off by default.
func WithDivertAll(on bool) Option {
	return optionFunc(func(c *config) { c.divertAll = on })
}

// WithReplaceAttr rewrites or drops attributes before slogspan writes them,
// with the contract of slog.HandlerOptions.ReplaceAttr: replace is called
// for each resolved non-group attribute with the groups open at it (the
// logger's, then the record's); an empty returned key drops it.
//
// It applies to event attributes, exception.* (taken from the replaced
// value) and the diverted records, not to what next gets: give next the
// same function. With attributes are replaced once, at With. It is not
// called for the attributes slogspan adds, nor for the members of a group
// it returned. A panic in replace makes the value "!PANIC in ReplaceAttr: "
// and the panic's value.
func WithReplaceAttr(replace func(groups []string, a slog.Attr) slog.Attr) Option {
	return optionFunc(func(c *config) { c.replace = replace })
}
