package spanevents

import (
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan/internal/onspan"
)

// addEvent bridges record as the specification says: exactly one event,
// named by the event name, at the record's time, with all its attributes
// as they are. sdk/log's attributes are attribute values already, of every
// kind (maps, slices, bytes, empty), so copying them keeps their kinds;
// the span keeps the new slice, and the values, immutable, are shared.
//
// The two repairs OTLP requires, or the exporter drops the whole batch of
// spans the event is in, the span's neighbors with it: text that is not
// valid UTF-8 (in the name, keys and strings at any depth) has its invalid
// bytes replaced by U+FFFD, and maps and slices nested past
// slogspan.MaxValueDepth continue as dotted keys or text.
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
