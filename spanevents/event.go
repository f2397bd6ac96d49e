package spanevents

import (
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan/internal/onspan"
)

// addEvent bridges record as the specification says: exactly one event,
// named by the event name, at the record's time, with all its attributes
// of their kinds, made valid OTLP (invalid UTF-8 replaced, nesting past
// slogspan.MaxValueDepth flattened).
func addEvent(span trace.Span, record *sdklog.Record) {
	attrs := make([]attribute.KeyValue, 0, record.AttributesLen())
	record.WalkAttributes(func(kv attribute.KeyValue) bool {
		if !onspan.ValidKV(kv, 0, onspan.MaxDepth) {
			attrs = onspan.RepairKV(attrs, kv, 0, onspan.MaxDepth, "")
			return true
		}
		attrs = append(attrs, kv)
		return true
	})
	name := onspan.ValidString(record.EventName())
	span.AddEvent(name, trace.WithTimestamp(eventTime(record)), trace.WithAttributes(attrs...))
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

// put builds record's event within p's limits and adds it to span within
// the span's budget. A line is shaped as slogspan.Handler's events are
// (see addLine); an event as the specification says. When the event was
// cut or left off, the record's own uid links it, else a new uid when the
// record takes one (see linkRecord).
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
			b.addTyped(kv)
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

// addLine adds record, a log line, to span, and sets the span status.
func (p *Processor) addLine(span trace.Span, sc trace.SpanContext, record *sdklog.Record) {
	if record.Severity() >= p.cfg.errorStatusLevel() {
		// Cut and repaired like an event name: OTLP needs valid UTF-8.
		desc, _ := onspan.TruncateString(bodyText(record.Body()), p.cfg.limits.MaxValueBytes)
		span.SetStatus(codes.Error, desc)
	}
	p.put(span, sc, record, true)
}

// startLine starts a line's event with its level, sets b to keep
// exception.* and code.* for the tail, and returns the event's name: the
// body when it is a string.
func (b *buf) startLine(record *sdklog.Record) (name string) {
	level, cut := levelText(record, b.limits.MaxValueBytes)
	if cut {
		b.ev.Cut++
	}
	b.ev.Attrs = append(b.ev.Attrs, attribute.String(onspan.LevelKey, level))
	b.ev.Lead = 1
	b.tailKeys = true
	if body := record.Body(); body.Type() == attribute.STRING {
		return body.AsString()
	}
	return ""
}

// severityOffset maps an OpenTelemetry severity to a slog level, as the
// contrib otelslog bridge maps slog levels to severities: INFO is
// SeverityInfo (9).
const severityOffset = int(log.SeverityInfo) - int(slog.LevelInfo)

// levelText returns the level of record as slog names levels, from its
// severity number (see "Log lines" in the package documentation), else its
// severity text cut to maxBytes, else UNDEFINED; and whether it was cut.
func levelText(record *sdklog.Record, maxBytes int) (string, bool) {
	if sev := record.Severity(); sev != log.SeverityUndefined {
		return slog.Level(int(sev) - severityOffset).String(), false
	}
	if text := record.SeverityText(); text != "" {
		return onspan.TruncateString(text, maxBytes)
	}
	return log.SeverityUndefined.String(), false
}

// bodyText returns a body as text: a string as it is, other values as
// their OpenTelemetry text form.
func bodyText(body attribute.Value) string {
	if body.Type() == attribute.STRING {
		return body.AsString()
	}
	return body.String()
}

// errNoAttributes is reported once, through otel.Handle, the first time an
// event could not be linked to its record because the record's
// LoggerProvider keeps no attributes.
var errNoAttributes = errors.New("spanevents: a log record whose LoggerProvider keeps no attributes " +
	"(OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT=0, sdklog.WithAttributeCountLimit(0)) cannot take " +
	"log.record.uid, so its event, cut or left off the span, is not linked to it")

var reportNoAttributes = sync.OnceFunc(func() { otel.Handle(errNoAttributes) })

// linkRecord returns the function that adds a uid to record for
// onspan.Event.Put, reporting a record that cannot take one.
func linkRecord(record *sdklog.Record) func(uid string) bool {
	return func(uid string) bool {
		if addUID(record, uid) {
			return true
		}
		reportNoAttributes()
		return false
	}
}

// hasUID reports whether record has a log.record.uid of its own.
func hasUID(record *sdklog.Record) (found bool) {
	record.WalkAttributes(func(kv attribute.KeyValue) bool {
		found = kv.Key == onspan.UIDKey
		return !found
	})
	return found
}

// addUID adds uid to record, which has no log.record.uid, and reports
// whether the record took it. At the record's attribute count limit, the
// uid takes the first place and the last attribute is dropped. A record
// that keeps no attributes is left as it was.
func addUID(record *sdklog.Record, uid string) bool {
	before := *record
	n, dropped := record.AttributesLen(), record.DroppedAttributes()
	kv := attribute.String(onspan.UIDKey, uid)
	record.AddAttributes(kv)
	if record.AttributesLen() > n {
		return true
	}
	if n == 0 {
		*record = before // the uid was counted as dropped
		return false
	}
	// sdk/log has no way to drop one attribute and count it, but to set
	// them all again past the limit: the uid, the record's attributes, the
	// last of which falls past the limit, and as many stand-ins, past it
	// too, as the record had dropped, so that the count stays true.
	attrs := make([]attribute.KeyValue, 0, 1+n+dropped)
	attrs = append(attrs, kv)
	record.WalkAttributes(func(a attribute.KeyValue) bool {
		attrs = append(attrs, a)
		return true
	})
	for i := range dropped {
		attrs = append(attrs, attribute.Bool(uid+"."+strconv.Itoa(i), true))
	}
	record.SetAttributes(attrs...)
	return true
}
