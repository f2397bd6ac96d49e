package onspan

// The attribute keys onspan writes, as slogspan exports them.
const (
	LevelKey = "level"
	UIDKey   = "log.record.uid"

	DroppedEventsKey   = "slogspan.dropped_events"
	TruncatedValuesKey = "slogspan.truncated_values"
)

// HandlerScope is the scope of the records slogspan.Handler diverts.
const HandlerScope = "github.com/slogspan/slogspan"

// NameEmpty names the event of a record with no message or body.
const NameEmpty = "log"
