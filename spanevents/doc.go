// Package spanevents is the OpenTelemetry Logs SDK's event to span event
// bridge for Go: a log record Processor that copies log records onto the
// span they were emitted in, as span events, so that trace backends that
// store no logs (Jaeger, for one) still show them. By default it follows
// the specification (specification/logs/sdk.md, "Event to span event
// bridge", status Development) to the letter. Two options add what
// slogspan adds to it: [WithLimits], slogspan's size limits, and
// [WithAllRecords], log lines as well as events.
//
// Any logger that already feeds an OpenTelemetry LoggerProvider gets its
// lines on spans this way: zap, logr and zerolog through their contrib
// bridges, and log/slog through otelslog. (For slog alone,
// slogspan.Handler does the same without a LoggerProvider.)
//
// Register the Processor before the processor that exports, so that the
// exported record carries the log.record.uid a cut event links to, and a
// [SpanTracker] on the TracerProvider when limits apply, so that spans
// have budgets:
//
//	tp := sdktrace.NewTracerProvider(
//		sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()),
//		sdktrace.WithBatcher(spanExporter),
//	)
//	lp := sdklog.NewLoggerProvider(
//		sdklog.WithProcessor(spanevents.NewProcessor(spanevents.WithAllRecords(true))),
//		sdklog.WithProcessor(sdklog.NewBatchProcessor(logExporter)),
//	)
//
// # Three modes
//
// The specification mode, NewProcessor() or the zero Processor, does what
// the specification says and nothing else: only the SDK's own span limits
// apply, as for any span event. WithLimits keeps the specification's
// events and adds slogspan's limits, span budgets and links. WithAllRecords
// also bridges log lines, records with no event name, shaped as
// slogspan.Handler's events, with slogspan's limits (the defaults, or
// WithLimits'). The specification's rules, and what each mode does:
//
//	Rule: the specification's text
//	     mode            what it does
//
//	1. Which records. "The processor MUST bridge a LogRecord to a span
//	   event if and only if all of the following conditions are met": a
//	   non-empty EventName; a valid TraceId and SpanId; the resolved
//	   Context has a current span whose IsRecording is true; the
//	   LogRecord's TraceId and SpanId equal that span's. "If any of these
//	   conditions is not met, the processor MUST do nothing."
//	     specification   as written.
//	     WithLimits      as written.
//	     WithAllRecords  also records with no event name (log lines), when
//	                     the other conditions hold; not the records
//	                     slogspan.Handler diverted, whose events are on the
//	                     span already.
//
//	2. One event. "the processor MUST add exactly one span event".
//	     specification   one event for each record.
//	     WithLimits      one event for each record until the span's budget
//	                     (MaxSpanEvents, MaxSpanBytes) is used up, a budget
//	                     shared with every Handler and Processor writing to
//	                     the span; later records get none, and are counted
//	                     in the span's slogspan.dropped_events.
//	     WithAllRecords  as WithLimits.
//
//	3. Name. The span event name MUST be the LogRecord's EventName.
//	     specification   the event name, whole.
//	     WithLimits      the event name, cut to MaxValueBytes.
//	     WithAllRecords  events as WithLimits; a line is named by its body
//	                     when the body is a non-empty string, else "log",
//	                     cut to MaxValueBytes.
//
//	4. Time. The LogRecord's Timestamp, if set, MUST be used as the span
//	   event timestamp; otherwise its ObservedTimestamp, if set.
//	     every mode      as written (sdk/log always sets the observed
//	                     timestamp; were neither set, the time of the call).
//
//	5. Attributes. All the LogRecord's Attributes MUST be copied as span
//	   event attributes.
//	     specification   every attribute, as it is: maps stay maps, slices
//	                     slices, bytes bytes and empty values empty;
//	                     nothing is cut or added. Two repairs, as OTLP
//	                     requires, or the exporter would drop the span's
//	                     whole batch: invalid UTF-8 in keys and strings
//	                     (and in the name) becomes U+FFFD, and maps and
//	                     slices nest at most slogspan.MaxValueDepth (16)
//	                     deep, counted alike; past it, a map's members
//	                     continue as dotted keys and any other map or
//	                     slice is its text.
//	     WithLimits      every attribute, of its kind, cut: keys and values
//	                     to MaxValueBytes (strings with a marker and made
//	                     valid UTF-8, slices and maps to their first
//	                     members, nested as the specification mode nests
//	                     them, which counts as a cut), the event to
//	                     MaxEventAttrs and MaxEventBytes. A cut event
//	                     also carries log.record.uid (see Links).
//	     WithAllRecords  events as WithLimits. A line has level first, then
//	                     its attributes as slogspan.Handler converts slog
//	                     values (maps as dotted keys "g.h.k", bytes, slices
//	                     of values and maps within them as their text, an
//	                     empty value as "<nil>"), then log.record.uid,
//	                     exception.* and code.*, in the Handler's order;
//	                     cut as WithLimits.
//
//	6. The pipeline. Bridging "MUST NOT prevent that LogRecord from
//	   continuing through the normal log processing pipeline."
//	     specification   the record goes on, unchanged.
//	     WithLimits      the record goes on; when its event was cut or left
//	                     off the span, it gains log.record.uid (see Links),
//	                     and nothing else: at its attribute count limit,
//	                     the uid takes the place of its last attribute.
//	     WithAllRecords  as WithLimits.
//
//	7. Configurable parameters: none.
//	     specification   NewProcessor(), with no options, or Processor{}.
//	     WithLimits      the limits, as slogspan.Handler's.
//	     WithAllRecords  WithLimits, and WithErrorStatusLevel: a line at or
//	                     above it (ERROR by default) sets the span status
//	                     to Error with its body as description, as
//	                     slogspan.Handler does. Events never do.
//
// # Log lines
//
// In all-records mode, a line's event reads as slogspan.Handler's event
// for the same line. Its level is named from the record's severity number
// as slog names levels, whatever the severity text: slog.Level(severity -
// 9), the mapping of the contrib otelslog bridge. So SeverityDebug is
// DEBUG, SeverityInfo INFO, SeverityWarn WARN, SeverityError ERROR, and
// the others offsets of those: SeverityError2 ERROR+1, SeverityFatal
// (zap's DPanic) ERROR+4, SeverityTrace DEBUG-4; below DEBUG-5, where
// otelslog's severities are negative, DEBUG-10 is -5 and named so, as
// slogspan.Handler names the same call's level. A record with no severity
// number (0, which is also DEBUG-5's) has its severity text, cut and made
// valid UTF-8, else UNDEFINED.
// For a record from the otelslog bridge, the event equals the Handler's
// for the same slog call, except where otelslog converts a value
// differently: durations and times are numbers there, and an error is the
// record's exception.* rather than an attribute of its own. Inside a
// group the keys come in the order the SDK keeps map values in, sorted by
// key.
//
// # Limits and links
//
// With WithLimits or WithAllRecords, values, events and spans are bounded
// as by slogspan.Handler, with the same defaults, markers and counters
// (see [slogspan.Limits]); a span has one budget, shared with every
// Handler and Processor writing to it, kept while a [SpanTracker] tracks
// it. Keys on an event are unique, and nothing handed to the span is
// reused. An event that was cut, or that its span's budget left off, is
// linked to its record by log.record.uid: the record's own when it has
// one (never replaced or cut), else a new one the Processor adds to the
// record before the next processor sees it, in place of its last
// attribute when the record is at its attribute count limit (sdk/log's
// OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT, 128 by default; the attribute is
// counted as dropped). A LoggerProvider that keeps no attributes leaves
// records that cannot be linked: their events carry no uid, and this is
// reported once, through otel.Handle.
//
// OnEmit is safe for concurrent use; after Shutdown it does nothing.
package spanevents
