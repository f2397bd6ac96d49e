package console_test

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/console"
	"github.com/slogspan/slogspan/spanevents"
)

// Example prints a trace as a tree when its root span ends, with the log
// lines slogspan put on each span. A program registers the Exporter on
// its TracerProvider and logs with slog.InfoContext; here the spans and
// records carry fixed ids and times only so that the output stays the same.
func Example() {
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()),
		sdktrace.WithSyncer(console.New(os.Stdout, console.WithColor(false))),
		sdktrace.WithIDGenerator(fixedIDs{}),
	)
	h := slogspan.New(slog.DiscardHandler)
	t0 := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	logAt := func(ctx context.Context, d time.Duration, level slog.Level, msg string, args ...any) {
		r := slog.NewRecord(t0.Add(d), level, msg, 0)
		r.Add(args...)
		_ = h.Handle(ctx, r)
	}

	ctx, root := tp.Tracer("shop").Start(context.Background(), "checkout", trace.WithTimestamp(t0))
	logAt(ctx, time.Millisecond, slog.LevelInfo, "order received", "order", "A-1001")
	cctx, charge := tp.Tracer("shop").Start(ctx, "charge card", trace.WithTimestamp(t0.Add(2*time.Millisecond)))
	logAt(cctx, 40*time.Millisecond, slog.LevelError, "charge failed", "reason", "card declined")
	charge.End(trace.WithTimestamp(t0.Add(42 * time.Millisecond)))
	root.End(trace.WithTimestamp(t0.Add(60 * time.Millisecond)))

	// Output:
	// trace 00000000000000000000000000000001
	// checkout          60.0ms ████████████████████████
	// │     +1.0ms INFO  order received order=A-1001
	// └─ charge card    40.0ms ████████████████········ ERROR charge failed
	//         +38.0ms ERROR charge failed reason="card declined"
}

// ExampleNewLogExporter prints each log record with its values in full:
// the other end of the log.record.uid under a span's event, where the span
// shows a preview.
func ExampleNewLogExporter() {
	exp := console.NewLogExporter(os.Stdout, console.WithColor(false))
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)))
	logger := otelslog.NewLogger("llm", otelslog.WithLoggerProvider(lp))

	logger.Info("prompt", "model", "fake-llm-1", "text", "Question: "+strings.Repeat("why? ", 20))
	_ = lp.Shutdown(context.Background())

	// Output:
	// log INFO prompt (2 attributes, 129 B)
	//     model=fake-llm-1
	//     text="Question: why? why? why? why? why? why? why? why? why? why? why? why? why? why? why? why? why? why? why? why? "
}

// fixedIDs numbers traces and spans from 1.
type fixedIDs struct{}

var lastID uint64

func (fixedIDs) NewIDs(context.Context) (trace.TraceID, trace.SpanID) {
	lastID++
	var t trace.TraceID
	t[15] = 1
	return t, spanID(lastID)
}

func (fixedIDs) NewSpanID(context.Context, trace.TraceID) trace.SpanID {
	lastID++
	return spanID(lastID)
}

func spanID(n uint64) trace.SpanID {
	var s trace.SpanID
	for i := 7; i >= 0; i-- {
		s[i] = byte(n)
		n >>= 8
	}
	return s
}
