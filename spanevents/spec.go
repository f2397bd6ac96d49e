package spanevents

import (
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"
)

// addEvent bridges record as the specification says: exactly one event,
// named by the event name, at the record's time, with all its attributes
// as they are. sdk/log's attributes are attribute values already, of every
// kind (maps, slices, bytes, empty), so copying them keeps their kinds;
// the span keeps the new slice, and the values, immutable, are shared.
func addEvent(span trace.Span, record *sdklog.Record) {
	attrs := make([]attribute.KeyValue, 0, record.AttributesLen())
	record.WalkAttributes(func(kv attribute.KeyValue) bool {
		attrs = append(attrs, kv)
		return true
	})
	span.AddEvent(record.EventName(), trace.WithTimestamp(eventTime(record)), trace.WithAttributes(attrs...))
}
