// Package slogspan puts log/slog records on OpenTelemetry spans.
//
// [New] wraps the slog.Handler a program already has. Each record logged
// with a context that holds a recording span becomes an event on that span,
// and the record still reaches the wrapped handler, plus trace_id and
// span_id. A program that sets up OpenTelemetry itself registers
// slogspan's span tracker and its TracerProvider, and wraps slog's handler:
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
// find the span. Big values are cut to a preview on the span ([Limits]);
// with [WithLoggerProvider] the whole record goes to a log exporter,
// linked to its event by log.record.uid. The module
// github.com/slogspan/slogspan/setup does all of this in one call, with
// exporters chosen by the OTEL_* environment variables.
//
// # Events
//
// A record becomes an event when the span in its context is recording and
// its level is enabled for events ([WithEventLevel]; by default the levels
// next is enabled for). The event is named by the message ("log" when
// empty), at the record's time, with these attributes in order:
//
//   - level: Level.String(), such as "INFO" or "DEBUG-2";
//   - the attributes from With/WithAttrs, then the record's;
//   - log.record.uid, when the record was diverted;
//   - exception.type and exception.message, when an attribute holds an
//     error (the record's first, else the first from With);
//   - code.file.path, code.line.number and code.function.name, with
//     [WithSource].
//
// Attributes follow slog's rules: LogValuers are resolved, empty attributes
// ignored, groups become dotted key prefixes ("g.h.k"), groups with an
// empty key are inlined and empty groups dropped. Keys on an event are
// unique, as OTLP requires: a user attribute with a key slogspan adds is
// left off, so the link cannot be forged, and among the user's the last
// wins; what is left off counts as cut. A record at or above
// [WithErrorStatusLevel] (default ERROR) sets the span status to Error,
// with the message as description.
//
// # Values
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
// Invalid UTF-8 in strings, keys and names becomes U+FFFD. An Error or
// String method that panics gives "!PANIC: <panic value>" ("<nil>" for a
// nil pointer receiver), a LogValuer that panics what slog resolves it to;
// the record is still logged.
//
// # Limits and span budgets
//
// [Limits] keeps big values off spans. The defaults, which [WithLimits]
// overrides field by field:
//
//	MaxValueBytes   1024   one value, one key, the event name
//	MaxEventAttrs     32   attributes on one event, the added ones included
//	MaxEventBytes   8192   keys plus values of one event
//	MaxSpanEvents    100   events slogspan adds to one span
//	MaxSpanBytes   65536   event bytes slogspan adds to one span
//
// A cut string keeps its first bytes, on a rune boundary, and ends with a
// marker of its original size, "…[truncated: 1048576 bytes]", all within
// MaxValueBytes, at a cost that does not grow with the value. Slices are
// cut by element. Two counters on the span, set on each change, say what
// was lost: slogspan.dropped_events counts the records its budget left
// off, slogspan.truncated_values the keys and values shortened or omitted.
//
// Span budgets and counters need a spanevents.SpanTracker on the
// TracerProvider (setup registers it). A span is known by its trace and
// span ids, so every Handler and spanevents Processor writing to it shares
// its one budget, exactly, up to MaxTrackedSpans spans that took an event
// and have not ended. Without the tracker the other limits hold, but
// budgets are not enforced and counters not set; slogspan says so once,
// through otel.Handle.
//
// # Diverting payloads
//
// With [WithPayloadHandler] or [WithLoggerProvider], a record that was cut
// or did not fit its span's budget goes whole to the payload handler, in
// the same context, with its logger's With and WithGroup attributes;
// [WithDivertAll] diverts every record that becomes an event. The event
// and the record share a log.record.uid, a ULID: the record's first
// attribute, so that an attribute limit (sdk/log keeps 128) never drops it.
// The record's first top-level error stays an error (the LoggerProvider's
// exception.*), with the event's text and type; other errors become their
// text. A payload handler that panics is given the record again with every
// slice, array, map and pointer value as its fmt text; a second panic is
// returned by Handle. Either way the line reaches next.
//
// # Wrapping slog's default handler
//
// Wrapping slog.Default().Handler() and installing the result with
// slog.SetDefault writes log.Print and slog.Info lines once each, without
// deadlock. While slog.SetDefault points the log package back at slog,
// lines go to the writer it had when New was called; a line the log
// package itself hands to slog goes where the previous line went.
//
// # Secrets
//
// A ReplaceAttr function in the wrapped handler's slog.HandlerOptions
// redacts only what that handler writes. Give slogspan the same function
// with [WithReplaceAttr] to redact events, exception.* and diverted
// records too:
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
// slogspan never holds a span, and reuses nothing it hands to one. A span
// that took an event and has not ended costs at most 64 bytes, 128 more
// once it dropped an event or had a value cut, until the tracker sees it
// end. From its fourth event a span also keeps next with its ids added,
// one for each logger (at most 8), so that the ids are formatted once: at
// most 4 MiB of such handlers in the program, counted as slog's JSON
// handler holds them. Spans never ended keep their bookkeeping until
// MaxTrackedSpans exist (16 MiB at most, plus those 4 MiB); past that each
// new span releases another's, at random. Untracked spans cost nothing.
package slogspan
