// Package spanevents is the OpenTelemetry Logs SDK's event to span event
// bridge for Go, with slogspan's limits: a log record Processor that copies
// log records onto the span they were emitted in, so that trace backends
// that store no logs (Jaeger, for one) still show them.
//
// Any logger that already feeds an OpenTelemetry LoggerProvider gets its
// lines on spans this way: zap, logr and zerolog through their contrib
// bridges, and log/slog through otelslog. (For slog alone,
// slogspan.Handler does the same without a LoggerProvider.)
//
// Register the Processor before the processor that exports, so that the
// exported record carries the log.record.uid the event links to:
//
//	lp := sdklog.NewLoggerProvider(
//		sdklog.WithProcessor(spanevents.NewProcessor(spanevents.WithAllRecords(true))),
//		sdklog.WithProcessor(sdklog.NewBatchProcessor(exporter)),
//	)
//
// # Which records become events
//
// As the specification says, a record becomes exactly one span event if
// and only if it has an event name, it has a valid trace id and span id,
// the span in the context it was emitted in is recording, and the record's
// ids are that span's. The event is named by the event name and stamped
// with the record's timestamp, else its observed timestamp. It carries the
// record's attributes. The record always goes on to the processors after
// this one.
//
// [WithAllRecords] bridges every such record, also those with no event
// name, which is every line a logger bridge emits. Such an event is named
// by the body when the body is a string, else "log", and is shaped as
// slogspan.Handler's events are: level (the severity text) first, the
// record's attributes, then exception.* and code.* when the record has
// them. For a record from the otelslog bridge, the event equals the one
// slogspan.Handler makes for the same slog call, with groups (otelslog's
// map values) as dotted keys, except where otelslog converts a value
// differently: durations and times are numbers there, and an error is the
// record's exception.* rather than an attribute of its own. Inside a group
// the keys come in the order the SDK keeps map values in, sorted by key. Records that
// slogspan.Handler diverted are not bridged: their events are on the span
// already.
//
// # Limits
//
// Values and keys are cut to MaxValueBytes, events to MaxEventAttrs and
// MaxEventBytes, and each span takes at most MaxSpanEvents events and
// MaxSpanBytes bytes from this Processor, with the same defaults, markers
// and counters (slogspan.dropped_events, slogspan.truncated_values) as
// slogspan.Handler: see [slogspan.Limits] and [WithLimits]. A span has one
// budget, shared with every Handler and Processor writing to it, and kept
// only while a [SpanTracker] on its TracerProvider tracks it. Keys on an
// event are unique, and nothing handed to the span is reused.
//
// When anything was cut from an event, or the span's budget was used up,
// the Processor adds log.record.uid to the record before the next
// processor sees it, and the event carries the same uid: the full record,
// every other attribute as it was, is one search away in the logs backend.
//
// OnEmit never blocks and never panics; after Shutdown it does nothing.
package spanevents
