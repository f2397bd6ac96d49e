package spanevents

import (
	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/internal/spanevent"
)

// An Option configures a Processor. Options are applied by NewProcessor in
// order; a later option overrides an earlier one.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	all    bool
	limits spanevent.Limits // WithLimits', then the defaults
}

func newConfig(opts []Option) config {
	var c config
	for _, o := range opts {
		o.apply(&c)
	}
	c.limits = c.limits.WithDefaults()
	return c
}

// WithAllRecords also bridges log records that have no event name, such
// as every line a logger bridge (otelslog, otelzap, otellogr) emits. Their
// event is named by the body when it is a string, else "log", and carries
// level first, as slogspan.Handler's events do. Off by default, which
// follows the specification: only events, records with an event name,
// are bridged.
func WithAllRecords(on bool) Option {
	return optionFunc(func(c *config) { c.all = on })
}

// WithLimits sets the size limits on what the Processor puts on spans,
// with the same fields, defaults and meaning as for slogspan.Handler: zero
// fields take their defaults and negative fields mean unlimited.
func WithLimits(l slogspan.Limits) Option {
	return optionFunc(func(c *config) { c.limits = spanevent.Limits(l) })
}
