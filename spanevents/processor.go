package spanevents

import (
	"context"
	"sync/atomic"
	"time"

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
		p.addLimitedEvent(span, sc, record)
	}
	return nil
}

// eventTime is the time of record's event: its timestamp, else its
// observed timestamp, else now.
func eventTime(record *sdklog.Record) time.Time {
	if t := record.Timestamp(); !t.IsZero() {
		return t
	}
	if t := record.ObservedTimestamp(); !t.IsZero() {
		return t
	}
	return time.Now()
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
