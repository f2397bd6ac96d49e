package setup

import (
	"os"
	"path/filepath"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/spanevents"
)

// An Option configures Start.
type Option interface {
	apply(*config)
}

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	serviceName           string
	spanExp, fallbackSpan sdktrace.SpanExporter
	logExp, fallbackLog   sdklog.Exporter
	handlerOpts           []slogspan.Option
	resourceOpts          []resource.Option
	tracerProviderOpts    []sdktrace.TracerProviderOption
	loggerProviderOpts    []sdklog.LoggerProviderOption
	errorHandler          func(error)
	bridge                *spanevents.Processor
}

func newConfig(opts []Option) *config {
	c := &config{serviceName: "unknown_service:go"}
	if exe, err := os.Executable(); err == nil {
		c.serviceName = "unknown_service:" + filepath.Base(exe)
	}
	for _, o := range opts {
		o.apply(c)
	}
	return c
}

// WithServiceName sets service.name on the resource; OTEL_SERVICE_NAME
// wins over it. Default: "unknown_service:" and the executable's name.
func WithServiceName(name string) Option {
	return optionFunc(func(c *config) { c.serviceName = name })
}

// WithFallbackSpanExporter sets the span exporter used when
// OTEL_TRACES_EXPORTER is unset or empty, in place of OTLP.
func WithFallbackSpanExporter(exp sdktrace.SpanExporter) Option {
	return optionFunc(func(c *config) { c.fallbackSpan = exp })
}

// WithFallbackLogExporter sets the log exporter used when
// OTEL_LOGS_EXPORTER is unset or empty, in place of OTLP.
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

// WithHandlerOptions passes options to the slogspan handler, after Start's
// own (which divert to the LoggerProvider). Pass slogspan.WithReplaceAttr
// here with the function your own handler redacts with.
func WithHandlerOptions(opts ...slogspan.Option) Option {
	return optionFunc(func(c *config) { c.handlerOpts = append(c.handlerOpts, opts...) })
}

// WithResourceOptions adds options to the resource, after Start's own
// (service name, OTEL_* environment, SDK attributes).
func WithResourceOptions(opts ...resource.Option) Option {
	return optionFunc(func(c *config) { c.resourceOpts = append(c.resourceOpts, opts...) })
}

// WithTracerProviderOptions passes options to the TracerProvider, after
// Start's own, so that they win: a sampler, span processors, an id
// generator. An sdktrace.WithRawSpanLimits here replaces the limits Start
// sets: the OTEL_SPAN_* environment, with the event count limit raised to
// slogspan's MaxSpanEvents plus [OtherEventsRoom] and the attributes per
// event to MaxEventAttrs when they are below.
func WithTracerProviderOptions(opts ...sdktrace.TracerProviderOption) Option {
	return optionFunc(func(c *config) { c.tracerProviderOpts = append(c.tracerProviderOpts, opts...) })
}

// WithLoggerProviderOptions passes options to the LoggerProvider, after
// Start's own: processors, attribute limits.
func WithLoggerProviderOptions(opts ...sdklog.LoggerProviderOption) Option {
	return optionFunc(func(c *config) { c.loggerProviderOpts = append(c.loggerProviderOpts, opts...) })
}

// WithErrorHandler sends what Start would log at WARN (export failures and
// their reminders, exports waiting long for an answer, each distinct error
// the SDK reports through otel.Handle) to h instead.
func WithErrorHandler(h func(error)) Option {
	return optionFunc(func(c *config) { c.errorHandler = h })
}

// WithSpanEventsBridge registers a spanevents.Processor, configured by
// opts, on the LoggerProvider, before the processor that exports: records
// that other loggers send to the Logs API become events on their spans.
// Records the slogspan handler diverted are not bridged again.
func WithSpanEventsBridge(opts ...spanevents.Option) Option {
	return optionFunc(func(c *config) { c.bridge = spanevents.NewProcessor(opts...) })
}
