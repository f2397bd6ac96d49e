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

// Processor is an sdk/log Processor that copies log records onto the span
// they were emitted in, as span events: the Logs SDK specification's event
// to span event bridge, with slogspan's limits and all-records mode as
// options. Register it on the LoggerProvider before the processor that
// exports; see the package documentation. Its zero value is ready to use,
// and behaves as NewProcessor(). It is safe for concurrent use.
type Processor struct {
	cfg     config
	stopped atomic.Bool
}

var _ sdklog.Processor = (*Processor)(nil)

// NewProcessor returns a Processor configured by opts. With none, it
// follows the specification to the letter.
func NewProcessor(opts ...Option) *Processor {
	return &Processor{cfg: newConfig(opts)}
}

// Enabled reports whether a record emitted in ctx could become an event:
// whether ctx holds a recording span, and the Processor was not shut down.
func (p *Processor) Enabled(ctx context.Context, _ sdklog.EnabledParameters) bool {
	return !p.stopped.Load() && trace.SpanFromContext(ctx).IsRecording()
}

// OnEmit adds record as one event to the span in ctx when it qualifies
// (see the package documentation). With slogspan's limits on, it adds
// log.record.uid to record when the event was cut or left off the span,
// in place of its last attribute when the record is at its attribute
// count limit (counted as dropped). Nothing else of record changes, and
// it always returns nil: the record goes on to the next processors
// whatever happens here. It never blocks on the network. After Shutdown
// it does nothing.
func (p *Processor) OnEmit(ctx context.Context, record *sdklog.Record) error {
	if record == nil || p.stopped.Load() {
		return nil
	}
	// The specification's conditions: a recording span in the context,
	// valid record ids that are that span's, and an event name (or, in
	// all-records mode, a log line).
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

// Limits returns slogspan's limits as p applies them, defaults filled in:
// with [WithLimits] or [WithAllRecords]. Otherwise p applies none, only the
// SDK's span limits, and Limits returns the zero Limits.
func (p *Processor) Limits() slogspan.Limits {
	if !p.cfg.limited {
		return slogspan.Limits{}
	}
	return slogspan.Limits(p.cfg.limits)
}

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
