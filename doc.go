// Package slogspan puts log/slog records on OpenTelemetry spans.
//
// [New] wraps the slog.Handler a program already has. Each record logged
// with a context that holds a recording span becomes an event on that span,
// and the record still reaches the wrapped handler, so stdout logs stay as
// they were, plus trace_id and span_id. A program that sets up
// OpenTelemetry itself registers slogspan's span tracker and its
// TracerProvider, and wraps slog's handler:
//
//	tp := sdktrace.NewTracerProvider(
//		sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()),
//		sdktrace.WithBatcher(exporter),
//	)
//	otel.SetTracerProvider(tp)
//	slog.SetDefault(slog.New(slogspan.New(slog.Default().Handler())))
//
// then logs with the context of its spans:
//
//	ctx, span := otel.Tracer("shop").Start(ctx, "checkout")
//	defer span.End()
//	slog.InfoContext(ctx, "charged card", "amount", 42)
//
// Only calls that pass the context (InfoContext, Log, LogAttrs, ...) can
// find the span: slog.Info without a context logs as usual but adds no
// event. A record at ERROR also sets the span's status to Error. Big
// values are cut to a preview on the span ([Limits]); with
// [WithLoggerProvider] the whole record goes to an OpenTelemetry log
// exporter, linked to its event by log.record.uid.
//
// The module github.com/slogspan/slogspan/setup does all of this in one
// call, with exporters chosen by the OTEL_* environment variables. The
// sections below are the reference: what the wrapped handler receives,
// what an event holds, how values convert, the limits and span budgets,
// diverted payloads, secrets and memory.
//
// # Wrapping slog's default handler
//
// Wrapping slog.Default().Handler() and installing the result with
// slog.SetDefault works, as [New] says: log.Print and slog.Info are each
// written once and nothing deadlocks. While slog.SetDefault points the log
// package's writer back at slog, lines go to the writer the log package had
// when New was called, and flags of zero read as the flags it had then. A
// line the log package itself hands to slog (log.Print after
// slog.SetDefault, a logger from slog.NewLogLogger) goes where the
// previous line went.
//
// # Events
//
// A record becomes an event when the span in its context is recording and
// its level is enabled for events ([WithEventLevel]; by default the levels
// next is enabled for). The event's name is the message ("log" when the
// message is empty) and its timestamp is the record's time. Its attributes
// are, in order:
//
//   - level: Level.String(), such as "INFO" or "DEBUG-2";
//   - the attributes from With/WithAttrs, then the record's;
//   - log.record.uid, when the record was diverted (see below);
//   - exception.type and exception.message, when an attribute holds an
//     error (the record's first, else the first from With);
//   - code.file.path, code.line.number and code.function.name, with
//     [WithSource].
//
// Attributes follow slog's rules: LogValuers are resolved, empty attributes
// are ignored, groups become dotted key prefixes ("g.h.k"), groups with an
// empty key are inlined and groups with no attributes are dropped.
//
// Keys on one event are unique, as OTLP requires. The keys slogspan adds
// keep slogspan's values: a user attribute named level or log.record.uid,
// or exception.* or code.* when slogspan adds those, is left off the event,
// so the link to a diverted record cannot be forged. Among user attributes
// with the same key the last one wins, as in attribute.NewSet. What is left
// off counts as cut, so the full record is diverted.
//
// Records at or above the error status level ([WithErrorStatusLevel],
// default slog.LevelError) set the span's status to Error with the message
// as its description.
//
// # Values
//
// Each slog value becomes an OpenTelemetry attribute value:
//
//	slog kind / Go type               attribute value
//	String                            string
//	Int64                             int64
//	Uint64                            int64 when it fits, else its decimal string
//	Float64                           float64
//	Bool                              bool
//	Duration                          string, Duration.String(): "1.5s"
//	Time                              string, RFC 3339 with nanoseconds
//	Group                             flattened into dotted keys
//	LogValuer                         its resolved value
//	Any: nil                          string "<nil>"
//	Any: error                        string, Error()
//	Any: fmt.Stringer                 string, String()
//	Any: []byte                       string
//	Any: []string                     string slice
//	Any: []int, []int64               int64 slice
//	Any: []float64                    float64 slice
//	Any: []bool                       bool slice
//	Any: anything else                string, fmt's %+v
//
// Strings, keys and event names that are not valid UTF-8 have the invalid
// bytes replaced by U+FFFD, so that every event can be exported over OTLP.
// An Error or String method that panics gives the text "!PANIC: <panic
// value>" ("<nil>" for a nil pointer receiver), as slog's own handlers do;
// a LogValuer that panics gives what slog resolves it to, an error whose
// text is "LogValue panicked" and the call stack (and so exception.*).
// The record is still logged.
//
// # Limits
//
// [Limits] keeps big values from bloating spans. The defaults, which
// [WithLimits] overrides field by field:
//
//	MaxValueBytes   1024   one value, one key, the event name
//	MaxEventAttrs     32   attributes on one event, the added ones included
//	MaxEventBytes   8192   keys plus values of one event
//	MaxSpanEvents    100   events slogspan adds to one span
//	MaxSpanBytes   65536   event bytes slogspan adds to one span
//
// A cut string keeps its first bytes, on a rune boundary, and ends with a
// marker that gives the original size: "…[truncated: 1048576 bytes]". The
// whole string, marker included, stays within MaxValueBytes, and the cost
// of cutting does not grow with the size of the value. Slices are cut by
// element, and string slices end with a marker element.
//
// Nothing is lost silently. The span carries two counters, set when they
// become non-zero and on each change: slogspan.dropped_events counts
// records that were not added to the span because its budget was used up,
// and slogspan.truncated_values counts keys and values that were shortened
// or omitted.
//
// # Span budgets
//
// MaxSpanEvents and MaxSpanBytes, and the two counters, need to know when
// a span ends, which only the SDK knows: register a spanevents.SpanTracker
// on the TracerProvider (setup does). A span is known by its trace and
// span ids, so span wrappers, span objects that share ids and spans at
// reused addresses all agree, and every Handler and spanevents Processor
// writing to one span share its one budget: each checks its own limits
// against it, and the counters add up what all of them cut and dropped.
// A budget holds exactly up to MaxTrackedSpans spans that took an event
// and have not ended. Without the tracker every per-value and per-event
// limit still applies, but span budgets are not enforced and the counters
// are not set; slogspan says so once, through otel.Handle.
//
// # Diverting payloads
//
// With [WithPayloadHandler] or [WithLoggerProvider], a record from which
// anything was cut, or that did not fit the span's budget, is sent whole to
// the payload handler, in the same context and with the With and WithGroup
// attributes of its logger; [WithDivertAll] diverts every record that
// becomes an event. The event and the diverted record carry the same
// log.record.uid, a ULID, so the full payload can be found from the span.
//
// log.record.uid is the diverted record's first attribute, so that a limit
// on a record's attributes (sdk/log keeps 128) never drops the link; a
// user attribute with that key is left out of it, as it is left off the
// event. The record's first top-level error stays an error (the
// LoggerProvider's exception.*), with the text and type the event shows;
// any other error becomes its text. A payload handler that panics is given
// the record again with every slice, array, map and pointer value as its
// fmt text, as slog's text handler writes it ("[<nil>]" for a typed nil
// error, "%!v(PANIC=Error method: ...)" for a panicking one); if it panics
// again, Handle returns the panic as an error. Either way the line reaches
// next. A record diverted to a LoggerProvider is made valid OTLP, as
// [WithLoggerProvider] says.
//
// # Secrets
//
// A ReplaceAttr function in the wrapped handler's slog.HandlerOptions
// redacts what that handler writes, and nothing else: slogspan sees the
// record before it. Give slogspan the same function with [WithReplaceAttr],
// and it applies to everything slogspan writes: event attributes, the
// exception.* taken from an error, and the records diverted to the payload
// handler or LoggerProvider. Trace backends are often less protected than
// log stores, so redact for both:
//
//	redact := func(groups []string, a slog.Attr) slog.Attr {
//		if a.Key == "password" {
//			return slog.String(a.Key, "REDACTED")
//		}
//		return a
//	}
//	next := slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: redact})
//	h := slogspan.New(next, slogspan.WithReplaceAttr(redact))
//
// # Memory
//
// slogspan never holds a span. For each span that took an event and has
// not ended, it keeps its budget by the span's ids: at most 64 bytes,
// dropped when the tracker sees the span end. A span that dropped an event
// or had a value cut also keeps its counters, at most 128 bytes more. From
// its fourth event on, a span also keeps the wrapped handler with the
// span's ids added, one for each logger writing to it (at most 8), so
// that the ids are formatted once: at most 4 MiB of such handlers in the
// whole program at once, counting each as slog's JSON handler keeps it
// (past that, and for a logger whose With attributes were too long for an
// event, the ids are formatted for each record). A span that is never
// ended keeps its bookkeeping until MaxTrackedSpans such spans exist: 16
// MiB at most for their budgets, 4 MiB for the kept handlers; past that,
// each new span releases another's, at random (see MaxTrackedSpans).
// Untracked spans get no bookkeeping at all.
//
// Nothing handed to a span (options, attribute slices) is used again after
// the call, so span wrappers may keep what they are given.
package slogspan
