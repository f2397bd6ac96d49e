// Package spanevents is the OpenTelemetry Logs SDK's event to span event
// bridge for Go: a log record [Processor] that copies each record onto the
// span it was emitted in, as a span event, so that trace backends that
// store no logs (Jaeger, for one) still show it. Any logger that feeds a
// LoggerProvider gets its lines on spans this way: zap, logr and zerolog
// through their contrib bridges, log/slog through otelslog. (For slog
// alone, slogspan.Handler does the same without a LoggerProvider.)
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
// NewProcessor() or the zero Processor follows the specification
// (specification/logs/sdk.md, "Event to span event bridge", status
// Development) to the letter. A record with a non-empty EventName and
// valid trace and span ids equal to those of the recording span in its
// context becomes exactly one event, named by the EventName, at its
// Timestamp (else its ObservedTimestamp, else now), with all its
// attributes as they are: maps stay maps, bytes bytes, empty values empty.
// Only the SDK's span limits apply, and the record goes on unchanged. Two
// repairs keep the span valid OTLP, or the exporter would lose its whole
// batch: invalid UTF-8 in the name, keys and strings becomes U+FFFD, and
// maps and slices nest at most slogspan.MaxValueDepth (16) deep, counted
// alike; past it, a map's members continue as dotted keys and any other
// map or slice is its text.
//
// [WithLimits] keeps those events and adds slogspan.Handler's limits, with
// its defaults, markers and counters (see slogspan.Limits). The name, keys
// and values are cut to MaxValueBytes (strings with a marker, slices and
// maps to their first members, kinds kept), the event to MaxEventAttrs
// and MaxEventBytes. The span's budget (MaxSpanEvents, MaxSpanBytes) is
// shared with every Handler and Processor writing to it and kept while a
// SpanTracker tracks the span; records past it get no event and are
// counted in slogspan.dropped_events.
//
// [WithAllRecords] also bridges log lines, records with no event name,
// within slogspan's limits (the defaults, or WithLimits'); not those
// slogspan.Handler diverted, whose events are on the span already. A line
// reads as the Handler's event for it: named by its body when that is a
// non-empty string, else "log"; level first, then its attributes as the
// Handler converts slog values (maps as dotted keys "g.h.k"; bytes,
// slices of values and maps within them as text; an empty value as
// "<nil>"), then log.record.uid, exception.* and code.*. A line at or
// above [WithErrorStatusLevel] (ERROR by default) sets the span status to
// Error with its body as description; events never do.
//
// # Log lines
//
// A line's level is named from its severity number as slog names levels,
// slog.Level(severity - 9), the contrib otelslog bridge's mapping:
// SeverityDebug is DEBUG, SeverityInfo INFO, SeverityError2 ERROR+1,
// SeverityFatal (zap's DPanic) ERROR+4, SeverityTrace DEBUG-4. A record
// with no severity number has its severity text, cut and made valid
// UTF-8, else UNDEFINED. A record from otelslog gives the Handler's event
// for the same slog call, except where otelslog converts differently:
// durations and times are numbers, an error is the record's exception.*,
// and a group's members come sorted by key.
//
// # Links
//
// With limits, an event that was cut or left off its span is linked to its
// record by log.record.uid: the record's own when it has one (never
// replaced or cut), else a new one the Processor adds to the record before
// the next processor sees it. At the record's attribute count limit
// (OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT, 128 by default) the uid takes the
// place of its last attribute, counted as dropped. A LoggerProvider that
// keeps no attributes leaves records that cannot be linked: their events
// carry no uid, and this is reported once, through otel.Handle. Nothing
// else of the record changes.
//
// OnEmit is safe for concurrent use; after Shutdown it does nothing.
package spanevents
