// OTLP: the quickstart's trace, sent to an OTLP backend on localhost, such
// as Jaeger all-in-one:
//
//	docker run --rm -p 16686:16686 -p 4317:4317 -p 4318:4318 jaegertracing/all-in-one
//	go run ./examples/otlp
//
// then open the link it prints. With no OTEL_* variables set, spans and
// the records of cut values go to http://localhost:4318 over OTLP/HTTP, as
// from any program that calls setup.Start. Jaeger stores no logs: it
// refuses the records (404), setup says so at WARN, and the full records
// stay on this program's own log lines on stderr, each found by the
// log.record.uid of its span event. OTEL_LOGS_EXPORTER=none stops sending
// them, OTEL_LOGS_EXPORTER=console prints them here.
//
// The example says which signals were delivered. It prints the Jaeger link
// when the trace was, with a warning when the log records were not, and
// exits with status 1 only when the trace was not delivered, or when
// nothing listens on the default endpoint.
//
// Configured by OpenTelemetry's configuration file instead of OTEL_*
// variables, the same run sends the spans as examples/config/otel.yaml
// says, prints the records Jaeger would not store, and puts the line a
// library logs through the Logs API on its span, through the file's
// event_to_span_event_bridge/development processor:
//
//	OTEL_CONFIG_FILE=examples/config/otel.yaml go run ./examples/otlp
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel"

	"github.com/slogspan/slogspan/setup"
)

func main() {
	if addr := defaultAddr(); addr != "" {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			fmt.Fprintf(os.Stderr, "Nothing listens on %s, so there is nowhere to send traces.\n", addr)
			fmt.Fprintln(os.Stderr, "Start Jaeger with:")
			fmt.Fprintln(os.Stderr, "  docker run --rm -p 16686:16686 -p 4317:4317 -p 4318:4318 jaegertracing/all-in-one")
			fmt.Fprintln(os.Stderr, "or set OTEL_EXPORTER_OTLP_ENDPOINT to your collector, then run this again.")
			os.Exit(1)
		}
		_ = conn.Close() // it only showed that something listens
	}

	ctx := context.Background()
	shutdown, err := setup.Start(ctx, setup.WithServiceName("otlp-example"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err) // it names setup and the fix
		os.Exit(1)
	}

	tracer := otel.Tracer("otlp-example")
	ctx, span := tracer.Start(ctx, "import batch")
	traceID := span.SpanContext().TraceID()
	for i := range 3 {
		fileCtx, file := tracer.Start(ctx, fmt.Sprintf("import file %d", i))
		slog.InfoContext(fileCtx, "imported", "file", i, "rows", 1000*(i+1))
		file.End()
	}
	slog.InfoContext(ctx, "raw payload", "body", strings.Repeat(`{"row":1}`, 500))
	// A library that logs through OpenTelemetry's Logs API, as zap and
	// logr do through their bridges: its line goes to the log exporter,
	// and onto the span where the configuration has the bridge.
	otelslog.NewLogger("checksums").InfoContext(ctx, "checksums verified", "files", 3)
	span.End()

	err = shutdown(context.Background())
	traces, logs := delivered(err)
	if !traces {
		fmt.Fprintln(os.Stderr, "The trace was not delivered:")
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if !traceID.IsValid() {
		fmt.Println("OpenTelemetry is disabled (OTEL_SDK_DISABLED, or the configuration file): nothing was sent.")
		return
	}
	fmt.Printf("Sent trace %s: http://localhost:16686/trace/%s\n", traceID, traceID)
	if !logs {
		fmt.Fprintln(os.Stderr, "The trace was delivered; the log records were not:")
		fmt.Fprintln(os.Stderr, err)
		fmt.Fprintln(os.Stderr, "The full records are on this program's log lines above, each found by the log.record.uid of its span event.")
	}
}

// delivered tells, from shutdown's error, whether the traces and the log
// records were delivered. An error that names no signal leaves both in
// doubt.
func delivered(err error) (traces, logs bool) {
	traces, logs = true, true
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	for _, e := range errs {
		var ee *setup.ExportError
		switch {
		case e == nil:
		case !errors.As(e, &ee):
			traces, logs = false, false
		case ee.Signal == "traces":
			traces = false
		default:
			logs = false
		}
	}
	return traces, logs
}

// defaultAddr returns the address OTLP spans go to when no endpoint is
// configured, and "" when one is, or a configuration file says.
func defaultAddr() string {
	if os.Getenv("OTEL_CONFIG_FILE") != "" {
		return ""
	}
	if e := os.Getenv("OTEL_TRACES_EXPORTER"); e != "" && e != "otlp" {
		return ""
	}
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "" {
		return ""
	}
	proto := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
	if proto == "" {
		proto = os.Getenv("OTEL_EXPORTER_OTLP_PROTOCOL")
	}
	if proto == "grpc" {
		return "localhost:4317"
	}
	return "localhost:4318"
}
