package spanevents

import (
	"errors"
	"strconv"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/slogspan/slogspan/internal/onspan"
)

// With slogspan's limits on, an event that was cut, or left off its span,
// is linked to its record by log.record.uid. The record goes on to the
// exporting processor as it is: the Processor can only add the uid to it.
//
// A record's own log.record.uid is never replaced: it is the link, on
// the event as on the record. Otherwise the Processor adds a new uid, and
// the event carries it only when the record took it. A record at its
// LoggerProvider's attribute count limit (sdk/log's
// OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT, 128 by default) has already lost
// the attributes past it; the uid takes the first place and the record's
// last attribute is dropped, counted in its dropped attributes as sdk/log
// counts the others, so that the link survives. Only a LoggerProvider
// that keeps no attributes at all (a limit of 0) leaves a record that
// cannot be linked: its event goes without a uid, and this is reported
// once, through otel.Handle.

// errNoAttributes is reported once, through otel.Handle, the first time an
// event could not be linked to its record because the record's
// LoggerProvider keeps no attributes.
var errNoAttributes = errors.New("spanevents: a log record whose LoggerProvider keeps no attributes " +
	"(OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT=0, sdklog.WithAttributeCountLimit(0)) cannot take " +
	"log.record.uid, so its event, cut or left off the span, is not linked to it")

var noAttributesReported atomic.Bool

// linkRecord returns the function that adds a uid to record for
// onspan.Event.Put, reporting a record that cannot take one.
func linkRecord(record *sdklog.Record) func(uid string) bool {
	return func(uid string) bool {
		if addUID(record, uid) {
			return true
		}
		if !noAttributesReported.Load() && noAttributesReported.CompareAndSwap(false, true) {
			otel.Handle(errNoAttributes)
		}
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
