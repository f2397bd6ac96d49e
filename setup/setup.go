// Package setup configures OpenTelemetry tracing and logging for a program
// that logs with log/slog, in one call, and returns the one function that
// flushes and stops it all.
//
//	shutdown, err := setup.Start(ctx, setup.WithServiceName("shop"))
//	if err != nil {
//		log.Fatal(err)
//	}
//	defer shutdown(context.Background())
//
// Start builds a resource, a TracerProvider and a LoggerProvider with batch
// processors, picks their exporters from the standard OTEL_* environment
// variables, registers both providers and the propagators globally, and
// wraps slog's default handler with a [slogspan.Handler] that diverts cut
// payloads to the LoggerProvider.
//
// Exporters follow the environment, through
// go.opentelemetry.io/contrib/exporters/autoexport:
//
//	OTEL_TRACES_EXPORTER, OTEL_LOGS_EXPORTER   otlp (default) | console | none
//	OTEL_EXPORTER_OTLP_ENDPOINT                default http://localhost:4318
//	                                           (grpc: http://localhost:4317)
//	OTEL_EXPORTER_OTLP_PROTOCOL                http/protobuf (default) | grpc
//	OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, …      per signal, used as given
//	OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
//	OTEL_BSP_*, OTEL_BLRP_*                    batch sizes and queues (the span
//	                                           export batch defaults to 32 here)
//	OTEL_TRACES_SAMPLER, OTEL_PROPAGATORS
//	OTEL_SPAN_EVENT_COUNT_LIMIT, …             span limits, raised to the handler's
//	OTEL_SDK_DISABLED=true                     Start changes nothing
//
// With no endpoint variable set, OTLP goes to plain http://localhost, as the
// OpenTelemetry specification says and local receivers (Jaeger, the
// Collector) serve, not to the https the Go exporters would default to.
// With OTEL_TRACES_EXPORTER or OTEL_LOGS_EXPORTER unset, the exporter given
// to [WithFallbackSpanExporter] or [WithFallbackLogExporter] is used, and
// OTLP when there is none.
//
// # A configuration file
//
// When OTEL_CONFIG_FILE names a file, Start configures from it instead,
// as OpenTelemetry's declarative configuration specifies: the schema's
// file_format "1.0", read through go.opentelemetry.io/contrib/otelconf.
// The file's tracer_provider, logger_provider, meter_provider, propagator
// and resource make the SDK, and the OTEL_* variables apply only where the
// file refers to them, as ${NAME} or ${NAME:-default}; disabled: true means
// Start changes nothing. Start still installs the Handler, with diverted
// records going to the file's LoggerProvider, registers a span tracker,
// makes room for slogspan's budgets in the span limits, and reports export
// failures as below, with hints that name the field to fix. The options
// that build what the file describes (exporters, batch processors, span
// limits, the resource, the span events bridge) do not apply;
// [WithTracerProviderOptions] and [WithLoggerProviderOptions] apply before
// the file's own, so the file's sampler and processors win;
// [WithServiceName] gives service.name when neither the file nor
// OTEL_SERVICE_NAME does. examples/config/otel.yaml is a commented file
// for Jaeger.
//
// The schema's event_to_span_event_bridge/development log record processor
// is spanevents' Processor; it must be the first of
// logger_provider.processors. slogspan's own settings are where the schema
// keeps each language's instrumentation libraries by name, and win over
// the program's [WithHandlerOptions]:
//
//	instrumentation/development:
//	  go:
//	    slogspan:
//	      event_level: debug        # slogspan.WithEventLevel: debug, info+2, …
//	      error_status_level: error # slogspan.WithErrorStatusLevel
//	      source: false             # slogspan.WithSource
//	      divert_all: false         # slogspan.WithDivertAll
//	      limits:                   # slogspan.WithLimits; each field may be left out
//	        max_value_bytes: 1024
//	        max_event_attrs: 32
//	        max_event_bytes: 8192
//	        max_span_events: 100
//	        max_span_bytes: 65536
//	      bridge:                   # none: the specification's bridge
//	        limits: {}              # spanevents.WithLimits, the same fields
//	        all_records: true       # spanevents.WithAllRecords
//	        error_status_level: error # spanevents.WithErrorStatusLevel, as a slog level
//
// A mistake in the file (YAML syntax, a field the Go SDK does not know, a
// value of the wrong type, a component or value otelconf cannot build, a
// file that cannot be read) is a [ConfigError] naming its line, field and
// fix, and Start then changes nothing. With a file, setup sees failed
// exports as the SDK reports them, through otel.Handle, without their
// size: an [ExportError] counts the failed exports, with Items 0.
//
// # Log lines that reached no span
//
// Start turns on slogspan.WithMissingSpans: the ShutdownFunc reports the
// log lines that reached no span, by call site and reason, once, after
// the last export. A span exporter that shows the report itself, such as
// the console view, prints it after the last trace; otherwise it is
// written through the program's own handler, one WARN line a call site
// (INFO for unsampled spans). Providers.Handler.MissingSpans reads it in
// code.
//
// # Failures are loud
//
// Every span and log record is counted from its batch processor to the
// receiver's answer. The first failed export of each kind (nothing
// listening, plain HTTP spoken to https, a backend that does not accept
// logs, a time-out, …) is logged at WARN through the program's handler,
// naming the signal, the endpoint and what to try, and while failures of
// that kind go on, a WARN repeats the counts at most once a minute. An
// export that has had no answer for 5 seconds is logged at WARN too, at
// most once a minute for each signal. The [ShutdownFunc] returns one
// [ExportError] for each kind, with the spans or records lost: those of
// failed exports, those still queued or in flight when its deadline
// passed, and those dropped from a full queue. Other errors the SDK
// reports through otel.Handle are logged once each, at WARN.
// [WithErrorHandler] sends all of it elsewhere.
//
// # Stopping a program
//
// Start installs no signal handler: which signals stop a program, and
// what it finishes first, are the program's to say. A server stops on
// SIGINT or SIGTERM through signal.NotifyContext, shuts its http.Server
// down, so that the requests in progress end their spans, and then calls
// the ShutdownFunc and checks its error (see examples/httpserver). A
// program that exits through os.Exit or log.Fatal, or dies on a signal,
// skips deferred calls, and loses what the batch processors held.
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

// ShutdownFunc flushes everything recorded so far to the exporters and
// stops the providers, both at once, each with the whole of ctx's
// deadline. It returns every export failure since Start, one
// [ExportError] for each kind with its counts, what was not delivered
// before the deadline counted among them, and any other error of the
// providers, in one errors.Join whose Unwrap() []error lists each of
// them: nil means everything recorded was delivered. Without a deadline
// on ctx it waits at most DefaultShutdownTimeout. Calls after the first
// do nothing and return nil.
type ShutdownFunc func(ctx context.Context) error

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
// describes and returns the function that shuts it down.
//
// On error nothing is registered, whatever was built is shut down, and the
// returned ShutdownFunc does nothing: it is always safe to call. A resource
// that is only partly built (a malformed OTEL_RESOURCE_ATTRIBUTES, a
// detector that fails) is not an error: it is reported through otel.Handle,
// and Start goes on with what it has.
func Start(ctx context.Context, opts ...Option) (ShutdownFunc, error) {
	shutdown, _, err := StartProviders(ctx, opts...)
	return shutdown, err
}

// nothingToShut is the ShutdownFunc when Start built nothing.
func nothingToShut(context.Context) error { return nil }

// StartProviders is Start, also returning the providers it registered.
func StartProviders(ctx context.Context, opts ...Option) (ShutdownFunc, Providers, error) {
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
