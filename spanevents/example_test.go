package spanevents_test

import (
	"context"
	"fmt"
	"log/slog"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/slogspan/slogspan/internal/memlog"
	"github.com/slogspan/slogspan/spanevents"
)

// Log lines from a logger bridge (here otelslog; zap's, logr's and
// zerolog's work the same) become events on the span they were logged in.
// The bridge processor is registered before the one that exports.
func Example() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	exporter := &memlog.Exporter{} // in a program: an OTLP or console exporter
	lp := sdklog.NewLoggerProvider(
		sdklog.WithProcessor(spanevents.NewProcessor(spanevents.WithAllRecords(true))),
		sdklog.WithProcessor(sdklog.NewSimpleProcessor(exporter)),
	)
	logger := slog.New(otelslog.NewHandler("shop", otelslog.WithLoggerProvider(lp)))

	ctx, span := tp.Tracer("shop").Start(context.Background(), "checkout")
	logger.InfoContext(ctx, "order received", "order", "A-1001", "items", 3)
	span.End()

	for _, ev := range spans.Ended()[0].Events() {
		fmt.Println(ev.Name, ev.Attributes)
	}
	fmt.Println(len(exporter.Records()), "record exported")
	// Output:
	// order received [{"level":"INFO"} {"order":"A-1001"} {"items":3}]
	// 1 record exported
}
