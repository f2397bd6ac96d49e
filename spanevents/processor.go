package spanevents

import (
	"context"
	"sync/atomic"

	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/internal/onspan"
)

// Processor is the sdk/log Processor described in the package
// documentation. Its zero value behaves as NewProcessor(). It is safe for
// concurrent use.
type Processor struct {
	cfg     config
	stopped atomic.Bool
}

var _ sdklog.Processor = (*Processor)(nil)

// NewProcessor returns a Processor configured by opts; with none, it
// follows the specification to the letter.
func NewProcessor(opts ...Option) *Processor {
	return &Processor{cfg: newConfig(opts)}
}

// Enabled reports whether ctx holds a recording span and p is not shut down.
func (p *Processor) Enabled(ctx context.Context, _ sdklog.EnabledParameters) bool {
	return !p.stopped.Load() && trace.SpanFromContext(ctx).IsRecording()
}

// OnEmit adds record as one event to the span in ctx when it qualifies,
// and with limits links them by log.record.uid (see the package
// documentation). It never blocks on the network and always returns nil.
func (p *Processor) OnEmit(ctx context.Context, record *sdklog.Record) error {
	if record == nil || p.stopped.Load() {
		return nil
	}
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return nil
	}
	sc := span.SpanContext()
	if !record.TraceID().IsValid() || !record.SpanID().IsValid() ||
		record.TraceID() != sc.TraceID() || record.SpanID() != sc.SpanID() {
		return nil
	}
	switch {
	case record.EventName() == "":
		// Records the Handler diverted are on the span already.
		if p.cfg.all && record.InstrumentationScope().Name != onspan.HandlerScope {
			p.addLine(span, sc, record)
		}
	case !p.cfg.limited:
		addEvent(span, record)
	default:
		p.put(span, sc, record, false)
	}
	return nil
}

// Shutdown stops the Processor: later records pass through untouched.
func (p *Processor) Shutdown(context.Context) error {
	p.stopped.Store(true)
	return nil
}

// ForceFlush does nothing: events are added as records are emitted.
func (*Processor) ForceFlush(context.Context) error { return nil }

// Limits returns slogspan's limits as p applies them, defaults filled in,
// or the zero Limits when p applies none (without [WithLimits] or
// [WithAllRecords]).
func (p *Processor) Limits() slogspan.Limits {
	if !p.cfg.limited {
		return slogspan.Limits{}
	}
	return slogspan.Limits(p.cfg.limits)
}

// An Option configures a Processor; NewProcessor applies them in order.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// config's zero value is the specification: no log lines, no limits.
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

// errorStatusLevel returns the severity from which a line sets Error.
func (c *config) errorStatusLevel() log.Severity {
	if c.errorLevel == log.SeverityUndefined {
		return log.SeverityError
	}
	return c.errorLevel
}

// WithAllRecords also bridges log lines, the records with no event name
// that logger bridges (otelslog, otelzap, otellogr) emit, shaped as
// slogspan.Handler's events, and applies slogspan's limits to every
// record. Off by default, as the specification says.
func WithAllRecords(on bool) Option {
	return optionFunc(func(c *config) { c.all = on })
}

// WithLimits applies slogspan's limits, as slogspan.Handler applies them,
// to what the Processor puts on spans, with span budgets kept while a
// [SpanTracker] tracks the span, and links cut events to their records by
// log.record.uid. Without it or [WithAllRecords], only the SDK's span
// limits apply.
func WithLimits(l slogspan.Limits) Option {
	return optionFunc(func(c *config) {
		c.limits = onspan.Limits(l)
		c.limited = true
	})
}

// WithErrorStatusLevel sets the span status to Error, with the body as
// description, for log lines at or above severity in all-records mode.
// The default (and log.SeverityUndefined) is log.SeverityError.
func WithErrorStatusLevel(severity log.Severity) Option {
	return optionFunc(func(c *config) { c.errorLevel = severity })
}
