package slogspan

// Top-level keys the Handler adds to the records it passes to next.
const (
	TraceIDKey = "trace_id"
	SpanIDKey  = "span_id"
)

// Attribute keys the Handler adds to events: the semantic conventions'
// and LevelKey, slog's name for the level, for which they have none.
const (
	LevelKey            = "level"
	UIDKey              = "log.record.uid"
	ExceptionTypeKey    = "exception.type"
	ExceptionMessageKey = "exception.message"
	CodeFilePathKey     = "code.file.path"
	CodeLineNumberKey   = "code.line.number"
	CodeFunctionNameKey = "code.function.name"
)

// Counters slogspan sets on a span, with a spanevents.SpanTracker, when
// they become non-zero and on each change, adding up every Handler and
// Processor writing to it.
const (
	// DroppedEventsKey counts records its budget left off the span.
	DroppedEventsKey = "slogspan.dropped_events"
	// TruncatedValuesKey counts keys and values shortened or omitted.
	TruncatedValuesKey = "slogspan.truncated_values"
)
