package slogspan

// Keys that the Handler adds to the records it passes to next. They are
// always top-level keys, whatever groups the logger has opened.
const (
	TraceIDKey = "trace_id"
	SpanIDKey  = "span_id"
)

// Attribute keys the Handler adds to events. All but LevelKey come from
// the OpenTelemetry semantic conventions (checked against
// go.opentelemetry.io/otel/semconv in the tests); the conventions name no
// attribute for a log line's level on a span event, so LevelKey is the
// name slog gives it.
const (
	LevelKey            = "level"
	UIDKey              = "log.record.uid"
	ExceptionTypeKey    = "exception.type"
	ExceptionMessageKey = "exception.message"
	CodeFilePathKey     = "code.file.path"
	CodeLineNumberKey   = "code.line.number"
	CodeFunctionNameKey = "code.function.name"
)

// Counter attributes slogspan keeps up to date on each span it writes to,
// when the span's TracerProvider has a spanevents.SpanTracker. They are
// set when they first become non-zero and on every change, and add up
// what every Handler and Processor did to the span.
const (
	// DroppedEventsKey counts records that were meant to become events on
	// the span but did not, because the span's budget (MaxSpanEvents,
	// MaxSpanBytes) was used up.
	DroppedEventsKey = "slogspan.dropped_events"
	// TruncatedValuesKey counts keys and values shortened or omitted on the
	// span's events.
	TruncatedValuesKey = "slogspan.truncated_values"
)
