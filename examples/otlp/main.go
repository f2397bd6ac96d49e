// OTLP: the quickstart's trace, sent to an OTLP backend on localhost, such
// as Jaeger all-in-one:
//
//	docker run --rm -p 16686:16686 -p 4317:4317 -p 4318:4318 jaegertracing/all-in-one
//	go run ./examples/otlp
//
// then open http://localhost:16686 and pick the service "otlp-example".
// Jaeger stores no logs, so the log records of diverted payloads print
// here; send them to a backend that stores logs with OTEL_LOGS_EXPORTER=otlp.
// When nothing listens on the endpoint, the example says so and exits.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/slogspan/slogspan/console"
	"github.com/slogspan/slogspan/setup"
)

// defaultEndpoint is where OTLP over HTTP goes when
// OTEL_EXPORTER_OTLP_ENDPOINT is unset.
const defaultEndpoint = "localhost:4318"

func main() {
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") == "" {
		conn, err := net.DialTimeout("tcp", defaultEndpoint, time.Second)
		if err != nil {
			fmt.Printf("Nothing listens on %s, so there is nowhere to send traces.\n", defaultEndpoint)
			fmt.Println("Start Jaeger with:")
			fmt.Println("  docker run --rm -p 16686:16686 -p 4317:4317 -p 4318:4318 jaegertracing/all-in-one")
			fmt.Println("or set OTEL_EXPORTER_OTLP_ENDPOINT to your collector, then run this again.")
			return
		}
		conn.Close()
	}

	ctx := context.Background()
	shutdown, err := setup.Start(ctx,
		setup.WithServiceName("otlp-example"),
		// Spans: OTLP unless OTEL_TRACES_EXPORTER says otherwise.
		setup.WithFallbackLogExporter(console.NewLogExporter(os.Stdout)),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, "setup:", err)
		os.Exit(1)
	}

	ctx, span := otel.Tracer("otlp-example").Start(ctx, "import batch")
	traceID := span.SpanContext().TraceID()
	for i := range 3 {
		_, child := otel.Tracer("otlp-example").Start(ctx, fmt.Sprintf("import file %d", i))
		slog.InfoContext(ctx, "imported", "file", i, "rows", 1000*(i+1))
		child.End()
	}
	slog.InfoContext(ctx, "raw payload", "body", strings.Repeat(`{"row":1}`, 500))
	span.End()

	if err := shutdown(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "export failed:", err)
		os.Exit(1)
	}
	fmt.Printf("Sent trace %s: http://localhost:16686/trace/%s\n", traceID, traceID)
}
