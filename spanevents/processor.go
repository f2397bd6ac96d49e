package spanevents

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/internal/spanevent"
)

// Processor is an sdk/log Processor that copies log records onto the span
// they were emitted in, as span events, within slogspan's limits. Register
// it on the LoggerProvider before the processor that exports; see the
// package documentation. It is safe for concurrent use.
type Processor struct {
	cfg     config
	stopped atomic.Bool
}

var _ sdklog.Processor = (*Processor)(nil)

// NewProcessor returns a Processor configured by opts.
func NewProcessor(opts ...Option) *Processor {
	return &Processor{cfg: newConfig(opts)}
}

// Enabled reports whether a record emitted in ctx could become an event:
// whether ctx holds a recording span, and the Processor was not shut down.
func (p *Processor) Enabled(ctx context.Context, _ sdklog.EnabledParameters) bool {
	return !p.stopped.Load() && trace.SpanFromContext(ctx).IsRecording()
}

// OnEmit adds record as an event to the span in ctx when it qualifies (see
// the package documentation), and adds log.record.uid to record when
// anything was cut from the event or the span's budget was used up. It
// always returns nil: the record goes on to the next processors whatever
// happens here. It never blocks on the network. After Shutdown it does
// nothing.
func (p *Processor) OnEmit(ctx context.Context, record *sdklog.Record) error {
	if record == nil || p.stopped.Load() {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			otel.Handle(fmt.Errorf("spanevents: a record could not become a span event: %v", r))
		}
	}()
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return nil
	}
	sc := span.SpanContext()
	if !record.TraceID().IsValid() || !record.SpanID().IsValid() ||
		record.TraceID() != sc.TraceID() || record.SpanID() != sc.SpanID() {
		return nil
	}
	eventName := record.EventName()
	if eventName == "" && (!p.cfg.all || record.InstrumentationScope().Name == spanevent.HandlerScope) {
		return nil
	}

	lim := &p.cfg.limits
	tg := spanevent.Open(span, sc)
	if uid, full := tg.SkipWhenFull(lim, true); full {
		link(record, uid)
		return nil
	}
	b := getBuf(lim)
	defer b.free()
	// The span keeps the attributes as they are built: sized for the
	// record's attributes and level, and grown for maps.
	b.ev.Attrs = make([]attribute.KeyValue, 0, 1+record.AttributesLen())
	if eventName == "" {
		// Shaped as slogspan.Handler's events: level first, and what it
		// adds after the user's attributes in the same place.
		b.ev.Attrs = append(b.ev.Attrs, attribute.String(spanevent.LevelKey, levelOf(record)))
		b.ev.Lead = 1
		b.tailKeys = true
	}
	record.WalkAttributes(func(kv attribute.KeyValue) bool {
		b.add(kv)
		return true
	})
	b.finish()

	name := eventName
	if name == "" {
		if body := record.Body(); body.Type() == attribute.STRING {
			name = body.AsString()
		}
	}
	name, nameCut := spanevent.TruncateString(name, lim.MaxValueBytes)
	if name == "" {
		name = spanevent.NameEmpty
	}
	if nameCut {
		b.ev.Cut++
	}
	t := record.Timestamp()
	if t.IsZero() {
		t = record.ObservedTimestamp()
	}
	if t.IsZero() {
		t = time.Now()
	}
	if uid := b.ev.Put(&tg, name, t, lim, true, false); uid != "" {
		link(record, uid)
	}
	return nil
}

// link adds log.record.uid to record, so that the event's full record can
// be found from the span.
func link(record *sdklog.Record, uid string) {
	record.AddAttributes(attribute.String(spanevent.UIDKey, uid))
}

// levelOf returns the record's level as slog writes it: the severity text,
// else a name derived from the severity number.
func levelOf(r *sdklog.Record) string {
	if s := r.SeverityText(); s != "" {
		return s
	}
	if sev := r.Severity(); sev != 0 {
		return sev.String()
	}
	return "UNSPECIFIED"
}

// Shutdown stops the Processor: later records pass through untouched.
func (p *Processor) Shutdown(context.Context) error {
	p.stopped.Store(true)
	return nil
}

// ForceFlush does nothing: events are added as records are emitted.
func (p *Processor) ForceFlush(context.Context) error { return nil }

// Limits returns the limits p applies, defaults filled in.
func (p *Processor) Limits() slogspan.Limits { return slogspan.Limits(p.cfg.limits) }
