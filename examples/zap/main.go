// Zap: log lines from zap on the spans they were logged in, printed as a
// tree. Run it with
//
//	go run ./examples/zap
//
// zap writes to stderr as usual (zapcore.NewTee), and through the contrib
// otelzap bridge to the OpenTelemetry LoggerProvider. There, the
// spanevents processor in all-records mode copies each record onto its
// span, within slogspan's limits, before the records are exported: levels
// read as slog's (INFO, ERROR), and an Error line sets the span status to
// Error, as slogspan.Handler does for slog. The same works for logr and
// zerolog through their bridges. With no OTEL_* variables set, spans and
// records print to the terminal; set OTEL_TRACES_EXPORTER=otlp to send
// them to a collector.
//
// otelzap takes each line's context from a zap.Any("ctx", ctx) field. The
// stderr core is wrapped (traceids.go) so that its lines show the span's
// trace_id and span_id there, as slog's lines through slogspan do, rather
// than the context's %v.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/bridges/otelzap"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/slogspan/slogspan/console"
	"github.com/slogspan/slogspan/setup"
	"github.com/slogspan/slogspan/spanevents"
)

func main() {
	ctx := context.Background()
	shutdown, err := setup.Start(ctx,
		setup.WithServiceName("zap-example"),
		setup.WithFallbackSpanExporter(console.New(os.Stdout)),
		setup.WithFallbackLogExporter(console.NewLogExporter(os.Stdout)),
		// Zap's records have no event name: bridge every record.
		setup.WithSpanEventsBridge(spanevents.WithAllRecords(true)),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, err) // it names setup and the fix
		os.Exit(1)
	}
	defer func() {
		if err := shutdown(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "shutdown:", err)
		}
	}()

	logger := newLogger(os.Stderr, otel.GetLoggerProvider())
	defer func() { _ = logger.Sync() }()

	importBatch(ctx, logger)
}

// newLogger returns a zap logger that writes to w, with the span ids of
// each line, and to lp through the otelzap bridge.
func newLogger(w io.Writer, lp log.LoggerProvider) *zap.Logger {
	terminal := zapcore.NewCore(zapcore.NewConsoleEncoder(zap.NewDevelopmentEncoderConfig()), zapcore.AddSync(w), zap.DebugLevel)
	bridge := otelzap.NewCore("zap-example", otelzap.WithLoggerProvider(lp))
	return zap.New(zapcore.NewTee(traceIDs{terminal}, bridge))
}

var tracer = otel.Tracer("zap-example")

func importBatch(ctx context.Context, logger *zap.Logger) {
	ctx, span := tracer.Start(ctx, "import batch")
	defer span.End()
	// The otelzap bridge takes the context from a field.
	logger.Info("batch received", zap.Any("ctx", ctx), zap.Int("files", 2))
	for i := range 2 {
		importFile(ctx, logger, i)
	}
	raw := strings.Repeat(`{"row":1}`, 400)
	logger.Debug("raw payload", zap.Any("ctx", ctx), zap.String("body", raw))
}

func importFile(ctx context.Context, logger *zap.Logger, i int) {
	ctx, span := tracer.Start(ctx, fmt.Sprintf("import file %d", i))
	defer span.End()
	time.Sleep(2 * time.Millisecond)
	if i == 1 {
		logger.Error("file rejected", zap.Any("ctx", ctx), zap.Int("file", i), zap.Error(errors.New("bad header")))
		return
	}
	logger.Info("file imported", zap.Any("ctx", ctx), zap.Int("file", i), zap.Int("rows", 1000))
}
