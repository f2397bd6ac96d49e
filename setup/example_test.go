package setup_test

import (
	"context"
	"fmt"
	"log"
	"log/slog"
	"strings"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/slogspan/slogspan/setup"
)

// printEvents is a span exporter that prints each span's events. A
// program leaves the exporter to the environment (OTLP by default) or
// gives one with setup.WithFallbackSpanExporter.
type printEvents struct{}

func (printEvents) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	for _, s := range spans {
		for _, e := range s.Events() {
			attrs := make([]string, 0, len(e.Attributes))
			for _, kv := range e.Attributes {
				attrs = append(attrs, string(kv.Key)+"="+kv.Value.String())
			}
			fmt.Printf("%s: %s %s\n", s.Name(), e.Name, strings.Join(attrs, " "))
		}
		fmt.Printf("%s: status %s\n", s.Name(), s.Status().Code)
	}
	return nil
}

func (printEvents) Shutdown(context.Context) error { return nil }

func Example() {
	shutdown, err := setup.Start(context.Background(),
		setup.WithServiceName("shop"),
		setup.WithSpanExporter(printEvents{}),
	)
	if err != nil {
		log.Fatal(err) // nothing was started
	}

	ctx, span := otel.Tracer("shop").Start(context.Background(), "checkout")
	slog.InfoContext(ctx, "charged card", "amount", 42)
	slog.ErrorContext(ctx, "email failed", "err", fmt.Errorf("smtp: timeout"))
	span.End()

	// Flushes the batch processors: the span is printed here.
	if err := shutdown(context.Background()); err != nil {
		log.Print(err) // what was not delivered, and why
	}
	// Output:
	// checkout: charged card level=INFO amount=42
	// checkout: email failed level=ERROR err=smtp: timeout exception.type=*errors.errorString exception.message=smtp: timeout
	// checkout: status Error
}
