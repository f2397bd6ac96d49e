package setup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/contrib/propagators/autoprop"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/spanevents"
)

// DefaultShutdownTimeout bounds a shutdown whose context has no deadline,
// so that an unreachable backend cannot hold a program at exit.
const DefaultShutdownTimeout = 10 * time.Second

// Providers are what Start built and registered, for programs that need
// them directly (tests, other instrumentation). All are nil when
// OTEL_SDK_DISABLED is true, or the configuration file disables the SDK;
// a provider the file does not configure is nil.
type Providers struct {
	TracerProvider *sdktrace.TracerProvider
	LoggerProvider *sdklog.LoggerProvider
	// Handler is the slogspan handler installed as slog's default.
	Handler *slogspan.Handler
}

// Start configures tracing and logging as the package documentation
// describes, and returns the function that shuts it all down.
//
// shutdown flushes everything recorded so far to the exporters and stops
// the providers, both at once, each with the whole of ctx's deadline, or
// DefaultShutdownTimeout when ctx has none. It returns every export
// failure since Start, one [ExportError] for each kind with its counts,
// what was not delivered before the deadline counted among them, and any
// other error of the providers, in one errors.Join: nil means everything
// recorded was delivered. Calls after the first do nothing and return nil.
//
// On error nothing is registered, whatever was built is shut down, and
// shutdown does nothing: it is always safe to call. A resource that is
// only partly built (a malformed OTEL_RESOURCE_ATTRIBUTES, a detector that
// fails) is not an error: it is reported, and Start goes on with what it
// has.
func Start(ctx context.Context, opts ...Option) (shutdown func(ctx context.Context) error, err error) {
	shutdown, _, err = StartProviders(ctx, opts...)
	return shutdown, err
}

// nothingToShut is the shutdown function when Start built nothing.
func nothingToShut(context.Context) error { return nil }

// StartProviders is Start, also returning the providers it registered.
func StartProviders(ctx context.Context, opts ...Option) (func(context.Context) error, Providers, error) {
	cfg := newConfig(opts)
	if path, ok := configFile(); ok {
		return startFromFile(ctx, cfg, path)
	}
	if disabled() {
		return nothingToShut, Providers{}, nil
	}
	next := handlerToWrap()

	res, resErr := resource.New(ctx, append([]resource.Option{
		resource.WithAttributes(attribute.String("service.name", cfg.serviceName)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win
		resource.WithTelemetrySDK(),
	}, cfg.resourceOpts...)...)
	if res == nil {
		res = resource.NewSchemaless(attribute.String("service.name", cfg.serviceName))
	}

	spanBatch, spanBatchErr := spanBatchOptions()
	logBatch, logBatchErr := logBatchOptions()
	if err := errors.Join(spanBatchErr, logBatchErr); err != nil {
		return nothingToShut, Providers{}, err
	}
	r := newReporter(cfg.errorHandler)
	spanExp, spanEndpoint, err := cfg.spanExporter(ctx)
	if err != nil {
		return nothingToShut, Providers{}, fmt.Errorf("setup: span exporter: %w", err)
	}
	logExp, logEndpoint, err := cfg.logExporter(ctx)
	if err != nil {
		return nothingToShut, Providers{}, errors.Join(fmt.Errorf("setup: log exporter: %w", err), spanExp.Shutdown(ctx))
	}

	lpOpts := []sdklog.LoggerProviderOption{sdklog.WithResource(res)}
	if cfg.bridge != nil {
		// Before the export, so that the exported record carries the uid.
		lpOpts = append(lpOpts, sdklog.WithProcessor(cfg.bridge))
	}
	spans, logs := newDelivery(signalTraces, spanEndpoint, r), newDelivery(signalLogs, logEndpoint, r)
	lpOpts = append(lpOpts, sdklog.WithProcessor(countingLogProcessor{
		sdklog.NewBatchProcessor(reportingLogExporter{logExp, logs}, append(logBatch, cfg.logBatch...)...), logs}))
	lp := sdklog.NewLoggerProvider(append(lpOpts, cfg.loggerProviderOpts...)...)
	hopts := append([]slogspan.Option{slogspan.WithLoggerProvider(lp), slogspan.WithMissingSpans(true)}, cfg.handlerOpts...)
	h := slogspan.New(next, hopts...)
	missingShown := showMissingSpans(spanExp, h)
	if r.handle == nil {
		// Through the program's own handler, never the slogspan one: a
		// report must not become an event or a diverted record.
		r.handle = warnTo(h.Next())
	}
	tp := sdktrace.NewTracerProvider(append([]sdktrace.TracerProviderOption{
		sdktrace.WithResource(res),
		// Span budgets are kept while spans run, dropped as they end.
		sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()),
		sdktrace.WithRawSpanLimits(spanLimitsFor(cfg.spanLimits, cfg.eventBudget(h))),
		sdktrace.WithSpanProcessor(countingSpanProcessor{sdktrace.NewBatchSpanProcessor(
			reportingSpanExporter{spanExp, spans}, append(spanBatch, cfg.spanBatch...)...), spans}),
	}, cfg.tracerProviderOpts...)...)

	otel.SetErrorHandler(r)
	otel.SetTracerProvider(tp)
	otel.SetLoggerProvider(lp)
	otel.SetTextMapPropagator(autoprop.NewTextMapPropagator())
	slog.SetDefault(slog.New(h))
	installed.Store(&installation{h, h.Next()})
	if resErr != nil {
		otel.Handle(fmt.Errorf("setup: resource: %w (going on with the attributes that could be read)", resErr))
	}

	shutdown := onceShutdown(func(ctx context.Context) error {
		// Both at once, each with the whole deadline, so that an
		// exporter that hangs leaves the other its time. Neither waits
		// on the other: records are diverted when they are logged, not
		// when their span ends.
		var tpErr, lpErr error
		var wg sync.WaitGroup
		wg.Go(func() { tpErr = tp.Shutdown(ctx) })
		wg.Go(func() { lpErr = lp.Shutdown(ctx) })
		wg.Wait()
		expired := ctx.Err() != nil
		err := errors.Join(append([]error{
			providerError(signalTraces, tpErr, expired),
			providerError(signalLogs, lpErr, expired),
		}, r.close(expired, spans, logs)...)...)
		if !missingShown {
			logMissingSpans(h, h.Next())
		}
		return err
	})
	return shutdown, Providers{TracerProvider: tp, LoggerProvider: lp, Handler: h}, nil
}

// providerError is what a provider's Shutdown returned, less what the
// reporter returns with its counts: export errors, and, once the deadline
// has passed (expired), the context's error, the same loss as the
// ExportError that counts what was not delivered.
func providerError(signal string, err error, expired bool) error {
	err = without(err, func(err error) bool { return isExportError(err) || (expired && isContextError(err)) })
	if err == nil {
		return nil
	}
	return fmt.Errorf("setup: %s shutdown: %w", signal, err)
}

// installation is the handler the last Start installed, and what it wraps.
type installation struct {
	h    *slogspan.Handler
	next slog.Handler
}

var installed atomic.Pointer[installation]

// handlerToWrap returns slog's default handler, or, when that is the
// handler an earlier Start installed, the handler it wraps: starting twice
// must not put every line on the span twice.
func handlerToWrap() slog.Handler {
	current := slog.Default().Handler()
	if in := installed.Load(); in != nil && slog.Handler(in.h) == current {
		return in.next
	}
	return current
}

// disabled reports whether OTEL_SDK_DISABLED asks for no telemetry.
func disabled() bool {
	return strings.EqualFold(strings.TrimSpace(os.Getenv("OTEL_SDK_DISABLED")), "true")
}
