package spanevents

import (
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan/internal/onspan"
)

// addLimitedEvent adds record, an event, to span as the specification
// says, within slogspan's limits and the span's budget: its attributes
// keep their kinds, cut to the limits (see cutValue), and the event is
// linked to the record when it was cut or left off.
func (p *Processor) addLimitedEvent(span trace.Span, sc trace.SpanContext, record *sdklog.Record) {
	p.put(span, sc, record, false)
}

// put builds record's event within p's limits and adds it to span within
// the span's budget. A line is shaped as slogspan.Handler's events are
// (see addLine); an event as the specification says. When the event was
// cut or left off, the record's own uid links it, else a new uid when the
// record takes one (see link.go).
func (p *Processor) put(span trace.Span, sc trace.SpanContext, record *sdklog.Record, line bool) {
	lim := &p.cfg.limits
	tg := onspan.Open(span, sc)
	if uid, full := tg.SkipWhenFull(lim, true); full {
		if !hasUID(record) {
			linkRecord(record)(uid)
		}
		return
	}
	b := getBuf(lim)
	defer b.free()
	// The span keeps the attributes as they are built: sized for the
	// record's attributes and level, and grown for flattened maps.
	b.ev.Attrs = make([]attribute.KeyValue, 0, 1+record.AttributesLen())
	name := record.EventName()
	if line {
		name = b.startLine(record)
		record.WalkAttributes(func(kv attribute.KeyValue) bool {
			b.add(kv)
			return true
		})
	} else {
		record.WalkAttributes(func(kv attribute.KeyValue) bool {
			b.addKept(kv)
			return true
		})
	}
	b.finish()

	name, nameCut := onspan.TruncateString(name, lim.MaxValueBytes)
	if name == "" {
		name = onspan.NameEmpty
	}
	if nameCut {
		b.ev.Cut++
	}
	var link func(string) bool
	if b.uid.Key == "" {
		link = linkRecord(record)
	}
	b.ev.Put(&tg, name, eventTime(record), lim, false, link)
}
