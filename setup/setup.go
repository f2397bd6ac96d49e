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
// Exporters are chosen by go.opentelemetry.io/contrib/exporters/autoexport:
//
//	OTEL_TRACES_EXPORTER, OTEL_LOGS_EXPORTER   otlp (default) | console | none
//	OTEL_EXPORTER_OTLP_ENDPOINT                e.g. http://localhost:4318
//	OTEL_EXPORTER_OTLP_PROTOCOL                http/protobuf (default) | grpc
//	OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
//	OTEL_BSP_*, OTEL_BLRP_*                    batch sizes and queues (the span
//	                                           export batch defaults to 32 here)
//	OTEL_TRACES_SAMPLER, OTEL_PROPAGATORS
//	OTEL_SDK_DISABLED=true                     Start changes nothing
//
// With OTEL_TRACES_EXPORTER or OTEL_LOGS_EXPORTER unset, the exporter given
// to [WithFallbackSpanExporter] or [WithFallbackLogExporter] is used, and
// OTLP when there is none.
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

	"go.opentelemetry.io/contrib/exporters/autoexport"
	"go.opentelemetry.io/contrib/propagators/autoprop"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log/global"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/slogspan/slogspan"
)

// ShutdownFunc flushes everything recorded so far to the exporters and
// stops the providers. It returns the errors of the flush and of the
// exporters, joined. Without a deadline on ctx it waits at most
// DefaultShutdownTimeout. Calls after the first do nothing and return nil.
type ShutdownFunc func(ctx context.Context) error

// DefaultShutdownTimeout bounds a shutdown whose context has no deadline,
// so that an unreachable backend cannot hold a program at exit.
const DefaultShutdownTimeout = 10 * time.Second

// Providers are what Start built and registered, for programs that need
// them directly (tests, other instrumentation). Both are nil when
// OTEL_SDK_DISABLED is true.
type Providers struct {
	TracerProvider *sdktrace.TracerProvider
	LoggerProvider *sdklog.LoggerProvider
	// Handler is the slogspan handler installed as slog's default.
	Handler *slogspan.Handler
}

// Start configures tracing and logging as the package documentation
// describes and returns the function that shuts it down. On error nothing
// is registered and whatever was built is shut down.
func Start(ctx context.Context, opts ...Option) (ShutdownFunc, error) {
	shutdown, _, err := StartProviders(ctx, opts...)
	return shutdown, err
}

// StartProviders is Start, also returning the providers it registered.
func StartProviders(ctx context.Context, opts ...Option) (ShutdownFunc, Providers, error) {
	cfg := newConfig(opts)
	if disabled() {
		return func(context.Context) error { return nil }, Providers{}, nil
	}

	res, err := resource.New(ctx,
		resource.WithAttributes(attribute.String("service.name", cfg.serviceName)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win
		resource.WithTelemetrySDK(),
	)
	if err != nil {
		return nil, Providers{}, fmt.Errorf("setup: resource: %w", err)
	}

	spanExp, err := cfg.spanExporter(ctx)
	if err != nil {
		return nil, Providers{}, fmt.Errorf("setup: span exporter: %w", err)
	}
	logExp, err := cfg.logExporter(ctx)
	if err != nil {
		return nil, Providers{}, errors.Join(fmt.Errorf("setup: log exporter: %w", err), spanExp.Shutdown(ctx))
	}

	tp := sdktrace.NewTracerProvider(
		sdktrace.WithResource(res),
		sdktrace.WithBatcher(spanExp, append(defaultSpanBatch(), cfg.spanBatch...)...),
	)
	lp := sdklog.NewLoggerProvider(
		sdklog.WithResource(res),
		sdklog.WithProcessor(sdklog.NewBatchProcessor(logExp, cfg.logBatch...)),
	)
	otel.SetTracerProvider(tp)
	global.SetLoggerProvider(lp)
	otel.SetTextMapPropagator(autoprop.NewTextMapPropagator())

	hopts := append([]slogspan.Option{slogspan.WithLoggerProvider(lp)}, cfg.handlerOpts...)
	h := slogspan.New(handlerToWrap(), hopts...)
	slog.SetDefault(slog.New(h))
	installed.Store(&installation{h, h.Next()})

	var once sync.Once
	var shutdownErr error
	shutdown := func(ctx context.Context) error {
		first := false
		once.Do(func() {
			first = true
			if _, ok := ctx.Deadline(); !ok {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, DefaultShutdownTimeout)
				defer cancel()
			}
			// Spans first: ending them may still divert records to logs.
			// Each Shutdown exports what its batch processor still holds.
			shutdownErr = errors.Join(tp.Shutdown(ctx), lp.Shutdown(ctx))
		})
		if !first {
			return nil
		}
		return shutdownErr
	}
	return shutdown, Providers{TracerProvider: tp, LoggerProvider: lp, Handler: h}, nil
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

// DefaultSpanExportBatchSize is the span export batch size when
// OTEL_BSP_MAX_EXPORT_BATCH_SIZE is unset. The SDK's 512 spans, each
// carrying slogspan's default budget of 64 KiB of events, can make a 32 MiB
// request, far over gRPC's 4 MiB message limit, and the receiver rejects
// the whole batch (ResourceExhausted). 32 spans stay under it.
const DefaultSpanExportBatchSize = 32

func defaultSpanBatch() []sdktrace.BatchSpanProcessorOption {
	if os.Getenv("OTEL_BSP_MAX_EXPORT_BATCH_SIZE") != "" {
		return nil
	}
	return []sdktrace.BatchSpanProcessorOption{sdktrace.WithMaxExportBatchSize(DefaultSpanExportBatchSize)}
}

// disabled reports whether OTEL_SDK_DISABLED asks for no telemetry.
func disabled() bool {
	return strings.EqualFold(strings.TrimSpace(os.Getenv("OTEL_SDK_DISABLED")), "true")
}

// An Option configures Start.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	serviceName  string
	spanExp      sdktrace.SpanExporter // overrides the environment
	logExp       sdklog.Exporter
	fallbackSpan sdktrace.SpanExporter // when the environment names none
	fallbackLog  sdklog.Exporter
	spanBatch    []sdktrace.BatchSpanProcessorOption
	logBatch     []sdklog.BatchProcessorOption
	handlerOpts  []slogspan.Option
}

func newConfig(opts []Option) *config {
	c := &config{serviceName: defaultServiceName()}
	for _, o := range opts {
		o.apply(c)
	}
	return c
}

// defaultServiceName is the OpenTelemetry default: unknown_service, with
// the executable's name.
func defaultServiceName() string {
	exe, err := os.Executable()
	if err != nil {
		return "unknown_service:go"
	}
	name := exe[strings.LastIndexAny(exe, `/\`)+1:]
	return "unknown_service:" + name
}

func (c *config) spanExporter(ctx context.Context) (sdktrace.SpanExporter, error) {
	if c.spanExp != nil {
		return c.spanExp, nil
	}
	var opts []autoexport.SpanOption
	if c.fallbackSpan != nil {
		exp := c.fallbackSpan
		opts = append(opts, autoexport.WithFallbackSpanExporter(func(context.Context) (sdktrace.SpanExporter, error) {
			return exp, nil
		}))
	}
	return autoexport.NewSpanExporter(ctx, opts...)
}

func (c *config) logExporter(ctx context.Context) (sdklog.Exporter, error) {
	if c.logExp != nil {
		return c.logExp, nil
	}
	var opts []autoexport.LogOption
	if c.fallbackLog != nil {
		exp := c.fallbackLog
		opts = append(opts, autoexport.WithFallbackLogExporter(func(context.Context) (sdklog.Exporter, error) {
			return exp, nil
		}))
	}
	return autoexport.NewLogExporter(ctx, opts...)
}

// WithServiceName sets service.name on the resource. OTEL_SERVICE_NAME,
// when set, takes precedence so that operators can rename a service without
// a rebuild. Default: "unknown_service:" and the executable's name.
func WithServiceName(name string) Option {
	return optionFunc(func(c *config) { c.serviceName = name })
}

// WithFallbackSpanExporter sets the span exporter used when
// OTEL_TRACES_EXPORTER is unset or empty, in place of OTLP. The examples use
// the console exporter here.
func WithFallbackSpanExporter(exp sdktrace.SpanExporter) Option {
	return optionFunc(func(c *config) { c.fallbackSpan = exp })
}

// WithFallbackLogExporter sets the log exporter used when OTEL_LOGS_EXPORTER
// is unset or empty, in place of OTLP.
func WithFallbackLogExporter(exp sdklog.Exporter) Option {
	return optionFunc(func(c *config) { c.fallbackLog = exp })
}

// WithSpanExporter uses exp whatever the environment says.
func WithSpanExporter(exp sdktrace.SpanExporter) Option {
	return optionFunc(func(c *config) { c.spanExp = exp })
}

// WithLogExporter uses exp whatever the environment says.
func WithLogExporter(exp sdklog.Exporter) Option {
	return optionFunc(func(c *config) { c.logExp = exp })
}

// WithSpanBatch passes options to the span batch processor, after the
// OTEL_BSP_* environment variables.
func WithSpanBatch(opts ...sdktrace.BatchSpanProcessorOption) Option {
	return optionFunc(func(c *config) { c.spanBatch = append(c.spanBatch, opts...) })
}

// WithLogBatch passes options to the log batch processor, after the
// OTEL_BLRP_* environment variables.
func WithLogBatch(opts ...sdklog.BatchProcessorOption) Option {
	return optionFunc(func(c *config) { c.logBatch = append(c.logBatch, opts...) })
}

// WithHandlerOptions passes options to the slogspan handler. They apply
// after Start's own, which diverts payloads to the LoggerProvider.
func WithHandlerOptions(opts ...slogspan.Option) Option {
	return optionFunc(func(c *config) { c.handlerOpts = append(c.handlerOpts, opts...) })
}
