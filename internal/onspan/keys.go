package onspan

// The attribute keys slogspan writes. slogspan re-exports them.
const (
	LevelKey            = "level"
	UIDKey              = "log.record.uid"
	ExceptionTypeKey    = "exception.type"
	ExceptionMessageKey = "exception.message"
	CodeFilePathKey     = "code.file.path"
	CodeLineNumberKey   = "code.line.number"
	CodeFunctionNameKey = "code.function.name"

	DroppedEventsKey   = "slogspan.dropped_events"
	TruncatedValuesKey = "slogspan.truncated_values"
)

// HandlerScope is the instrumentation scope of the records slogspan.Handler
// diverts to a LoggerProvider: their events are on the span already.
const HandlerScope = "github.com/slogspan/slogspan"

// NameEmpty names the event of a record with no message or body.
const NameEmpty = "log"
