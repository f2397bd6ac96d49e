package onspan

// The attribute keys onspan writes; slogspan exports them too.
const (
	LevelKey = "level"
	UIDKey   = "log.record.uid"

	DroppedEventsKey   = "slogspan.dropped_events"
	TruncatedValuesKey = "slogspan.truncated_values"
)

// HandlerScope is the instrumentation scope of the records slogspan.Handler
// diverts to a LoggerProvider: their events are on the span already.
const HandlerScope = "github.com/slogspan/slogspan"

// NameEmpty names the event of a record with no message or body.
const NameEmpty = "log"
