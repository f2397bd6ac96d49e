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

// addEvent bridges record as the specification says, made valid OTLP.
func addEvent(span trace.Span, record *sdklog.Record) {
	attrs := make([]attribute.KeyValue, 0, record.AttributesLen())
	record.WalkAttributes(func(kv attribute.KeyValue) bool {
		attrs = append(attrs, onspan.Valid(kv))
		return true
	})
	name := onspan.ValidString(record.EventName())
	span.AddEvent(name, trace.WithTimestamp(eventTime(record)), trace.WithAttributes(attrs...))
}

// eventTime is record's timestamp, else its observed timestamp, else now.
func eventTime(record *sdklog.Record) time.Time {
	if t := record.Timestamp(); !t.IsZero() {
		return t
	}
	if t := record.ObservedTimestamp(); !t.IsZero() {
		return t
	}
	return time.Now()
}

// put adds record's event, or line's, to span within p's limits and the
// span's budget, linked to record by its uid or a new one when cut.
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
		desc, _ := onspan.TruncateString(record.Body().String(), p.cfg.limits.MaxValueBytes)
		span.SetStatus(codes.Error, desc)
	}
	p.put(span, sc, record, true)
}

// startLine starts a line's event with its level and returns its name:
// the body when it is a string.
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

// severityOffset maps severities to slog levels as otelslog does.
const severityOffset = int(log.SeverityInfo) - int(slog.LevelInfo)

// levelText returns record's level as slog names it, else its severity
// text, and whether it was cut.
func levelText(record *sdklog.Record, maxBytes int) (string, bool) {
	if sev := record.Severity(); sev != log.SeverityUndefined {
		return slog.Level(int(sev) - severityOffset).String(), false
	}
	if text := record.SeverityText(); text != "" {
		return onspan.TruncateString(text, maxBytes)
	}
	return log.SeverityUndefined.String(), false
}

var errNoAttributes = errors.New("spanevents: a log record whose LoggerProvider keeps no attributes " +
	"(OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT=0, sdklog.WithAttributeCountLimit(0)) cannot take " +
	"log.record.uid, so its event, cut or left off the span, is not linked to it")

var reportNoAttributes = sync.OnceFunc(func() { otel.Handle(errNoAttributes) })

// linkRecord returns Event.Put's link for record; a record that cannot
// take a uid is reported once.
func linkRecord(record *sdklog.Record) func(uid string) bool {
	return func(uid string) bool {
		if addUID(record, uid) {
			return true
		}
		reportNoAttributes()
		return false
	}
}

func hasUID(record *sdklog.Record) (found bool) {
	record.WalkAttributes(func(kv attribute.KeyValue) bool {
		found = kv.Key == onspan.UIDKey
		return !found
	})
	return found
}

// addUID adds uid to record, in place of the last attribute at the limit,
// and reports whether it could.
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
	// sdk/log counts a dropped attribute only when set past the limit: set
	// the uid, the attributes, and a stand-in for each dropped before.
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
