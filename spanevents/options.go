package spanevents

import (
	"go.opentelemetry.io/otel/log"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/internal/onspan"
)

// An Option configures a Processor. Options are applied by NewProcessor in
// order; a later option overrides an earlier one.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config is the Processor's configuration. Its zero value is the
// specification: no log lines, no limits.
type config struct {
	all        bool
	limited    bool          // slogspan's limits, budgets and uids apply
	limits     onspan.Limits // WithLimits', then the defaults
	errorLevel log.Severity  // 0: log.SeverityError
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		o.apply(&c)
	}
	c.limited = c.limited || c.all
	c.limits = c.limits.WithDefaults()
	return c
}

// errorStatusLevel returns the severity at and above which a log line
// sets the span status to Error.
func (c *config) errorStatusLevel() log.Severity {
	if c.errorLevel == log.SeverityUndefined {
		return log.SeverityError
	}
	return c.errorLevel
}

// WithAllRecords also bridges log records that have no event name: log
// lines, such as every record a logger bridge (otelslog, otelzap,
// otellogr) emits. A line's event is shaped as slogspan.Handler's events
// are (see the package documentation), and a line at or above the error
// status level (see [WithErrorStatusLevel]) sets the span status to Error.
// All-records mode applies slogspan's limits to every record, events
// included: the defaults, or those of [WithLimits]. Off by default, which
// follows the specification: only events, records with an event name,
// are bridged.
func WithAllRecords(on bool) Option {
	return optionFunc(func(c *config) { c.all = on })
}

// WithLimits applies slogspan's limits to what the Processor puts on spans,
// with the same fields, defaults and meaning as for slogspan.Handler: zero
// fields take their defaults and negative fields mean unlimited. Each
// span's budget is shared with every Handler and Processor writing to it,
// and kept while a [SpanTracker] tracks the span. An event that was cut,
// or that its span's budget left off, is linked to its record by
// log.record.uid. The package documentation says what this changes
// relative to the specification. Without this option and without
// [WithAllRecords], none of slogspan's limits apply: only the SDK's span
// limits do, as for any span event.
func WithLimits(l slogspan.Limits) Option {
	return optionFunc(func(c *config) {
		c.limits = onspan.Limits(l)
		c.limited = true
	})
}

// WithErrorStatusLevel sets the span status to Error, with the record's
// body as description, for log lines at or above severity, in all-records
// mode (see [WithAllRecords]). The default (and log.SeverityUndefined) is
// log.SeverityError, the severity of slog's and zap's ERROR. Records with
// an event name never set the span status.
func WithErrorStatusLevel(severity log.Severity) Option {
	return optionFunc(func(c *config) { c.errorLevel = severity })
}
