package spanevents

import (
	"errors"
	"sync/atomic"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/slogspan/slogspan/internal/spanevent"
)

// With slogspan's limits on, an event that was cut, or left off its span,
// is linked to its record by log.record.uid. The record goes on to the
// exporting processor as it is: the Processor can only add the uid to it.
//
// A record's own log.record.uid is never replaced: it is the link, on
// the event as on the record. Otherwise the Processor adds a new uid, and
// the event carries it only when the record took it. A record at its
// LoggerProvider's attribute count limit (sdk/log's
// OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT, 128 by default) takes no further
// attribute, and sdk/log offers no way to raise a record's limit. Making
// room would drop one of the user's attributes, so such a record is not
// linked: it keeps every attribute it has, its event goes without a uid,
// and this is reported once, through otel.Handle.

// errRecordFull is reported once, through otel.Handle, the first time an
// event could not be linked to its record because the record was at its
// attribute count limit.
var errRecordFull = errors.New("spanevents: a log record at its LoggerProvider's attribute count limit " +
	"(OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT, sdklog.WithAttributeCountLimit; 128 by default) cannot take " +
	"log.record.uid, so its event, cut or left off the span, is not linked to it; " +
	"the record goes on with all its attributes")

var recordFullReported atomic.Bool

// linkRecord returns the function that adds a uid to record for
// spanevent.Event.Put, reporting a record that cannot take one.
func linkRecord(record *sdklog.Record) func(uid string) bool {
	return func(uid string) bool {
		if addUID(record, uid) {
			return true
		}
		if !recordFullReported.Load() && recordFullReported.CompareAndSwap(false, true) {
			otel.Handle(errRecordFull)
		}
		return false
	}
}

// addUID adds uid to record as log.record.uid and reports whether the
// record took it: whether it has one more attribute. Otherwise the record
// is left as it was. sdk/log drops an attribute past a record's count
// limit, and counts it as dropped; and it would replace a log.record.uid
// the record has. Both leave the count as it was, and are undone.
func addUID(record *sdklog.Record, uid string) bool {
	before := *record
	n := record.AttributesLen()
	record.AddAttributes(attribute.String(spanevent.UIDKey, uid))
	if record.AttributesLen() > n {
		return true
	}
	*record = before
	return false
}
