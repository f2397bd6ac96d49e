// Quickstart: logs inside spans, printed as a tree. Run it with
//
//	go run ./examples/quickstart
//
// It needs no backend: with no OTEL_* variables set, traces print to the
// terminal. Set OTEL_TRACES_EXPORTER=otlp to send them to a collector.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/console"
	"github.com/slogspan/slogspan/setup"
)

func main() {
	ctx := context.Background()
	shutdown, err := setup.Start(ctx,
		setup.WithServiceName("quickstart"),
		setup.WithFallbackSpanExporter(console.New(os.Stdout)),
		setup.WithFallbackLogExporter(console.NewLogExporter(os.Stdout)),
		// DEBUG lines go to the spans; stderr keeps its INFO threshold.
		setup.WithHandlerOptions(slogspan.WithEventLevel(slog.LevelDebug)),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, err) // it names setup and the fix
		os.Exit(1)
	}
	// Without this, the last spans never leave the process.
	defer func() {
		if err := shutdown(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "shutdown:", err)
		}
	}()

	checkout(ctx, "A-1001")
}

var tracer = otel.Tracer("quickstart")

func checkout(ctx context.Context, order string) {
	ctx, span := tracer.Start(ctx, "checkout")
	defer span.End()
	slog.InfoContext(ctx, "order received", "order", order, "items", 3)

	if err := chargeCard(ctx, 4200); err != nil {
		slog.WarnContext(ctx, "payment failed, order kept for retry", "order", order)
	}
	sendReceipt(ctx, order)
}

func chargeCard(ctx context.Context, cents int) error {
	ctx, span := tracer.Start(ctx, "charge card")
	defer span.End()
	slog.DebugContext(ctx, "calling the bank", "cents", cents, "card", slog.GroupValue(slog.String("last4", "4242")))
	time.Sleep(15 * time.Millisecond)
	err := errors.New("card declined: insufficient funds")
	// ERROR sets the span's status, and the error becomes exception.* attributes.
	slog.ErrorContext(ctx, "charge failed", "err", err)
	return err
}

func sendReceipt(ctx context.Context, order string) {
	ctx, span := tracer.Start(ctx, "send receipt")
	defer span.End()
	time.Sleep(5 * time.Millisecond)
	// A big value: the span gets a preview; the whole record goes to the
	// log exporter, linked by log.record.uid.
	html := "<html><body><h1>Receipt " + order + "</h1>" + strings.Repeat("<p>Line item</p>", 150) + "</body></html>"
	slog.InfoContext(ctx, "receipt sent", "to", "ada@example.com", "html", html)
	// A mistake on purpose: slog.Info has no context, so this line reaches
	// no span. The report after the trace names this call site.
	slog.Info("receipt archived", "order", order)
}
