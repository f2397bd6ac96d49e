package setup

import (
	"os"
	"strings"

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
	serviceName  string
	spanExp      sdktrace.SpanExporter // overrides the environment
	logExp       sdklog.Exporter
	fallbackSpan sdktrace.SpanExporter // when the environment names none
	fallbackLog  sdklog.Exporter
	spanBatch    []sdktrace.BatchSpanProcessorOption
	logBatch     []sdklog.BatchProcessorOption
	handlerOpts  []slogspan.Option

	resourceOpts       []resource.Option
	tracerProviderOpts []sdktrace.TracerProviderOption
	loggerProviderOpts []sdklog.LoggerProviderOption
	spanLimits         *sdktrace.SpanLimits
	errorHandler       func(error) // nil: WARN lines through the program's handler
	bridge             *spanevents.Processor
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
// after Start's own, which diverts payloads to the LoggerProvider. Pass
// slogspan.WithReplaceAttr here with the function your own handler
// redacts with, so that what stdout never shows does not reach the trace
// backend either.
func WithHandlerOptions(opts ...slogspan.Option) Option {
	return optionFunc(func(c *config) { c.handlerOpts = append(c.handlerOpts, opts...) })
}

// WithResourceOptions adds options to the resource Start builds, after its
// own (service name, OTEL_* environment, SDK attributes): detectors, for
// example, or resource.WithSchemaURL.
func WithResourceOptions(opts ...resource.Option) Option {
	return optionFunc(func(c *config) { c.resourceOpts = append(c.resourceOpts, opts...) })
}

// WithTracerProviderOptions passes options to the TracerProvider, after
// Start's own, so that they win: a sampler (sdktrace.WithSampler), extra
// span processors, an id generator. An sdktrace.WithRawSpanLimits here
// replaces the limits [WithRawSpanLimits] would agree with the handler.
func WithTracerProviderOptions(opts ...sdktrace.TracerProviderOption) Option {
	return optionFunc(func(c *config) { c.tracerProviderOpts = append(c.tracerProviderOpts, opts...) })
}

// WithLoggerProviderOptions passes options to the LoggerProvider, after
// Start's own: extra processors (sdklog.WithProcessor), attribute limits.
func WithLoggerProviderOptions(opts ...sdklog.LoggerProviderOption) Option {
	return optionFunc(func(c *config) { c.loggerProviderOpts = append(c.loggerProviderOpts, opts...) })
}

// WithRawSpanLimits sets the TracerProvider's span limits, used as given
// (see sdktrace.WithRawSpanLimits; start from sdktrace.NewSpanLimits()),
// except that the event count limit is raised to slogspan's MaxSpanEvents
// plus [OtherEventsRoom], and the attributes-per-event limit to
// MaxEventAttrs, when they are below, so that the SDK never evicts what
// slogspan budgeted. Without this option the limits come from the
// OTEL_SPAN_* environment, raised the same way.
func WithRawSpanLimits(l sdktrace.SpanLimits) Option {
	return optionFunc(func(c *config) { c.spanLimits = &l })
}

// WithErrorHandler sends what Start would log at WARN (the first export
// failure of each kind and its reminders, exports waiting long for an
// answer, and each distinct error the SDK reports through otel.Handle) to
// h instead. Start installs it as OpenTelemetry's global error handler.
func WithErrorHandler(h func(error)) Option {
	return optionFunc(func(c *config) { c.errorHandler = h })
}

// WithSpanEventsBridge registers a spanevents.Processor, configured by
// opts, on the LoggerProvider Start builds, before the processor that
// exports: log records that other loggers send to the Logs API (zap, logr
// and zerolog through their contrib bridges, for one) become events on
// their spans: by default as the specification says (records with an
// event name, attributes as they are), within slogspan's limits with
// spanevents.WithLimits or spanevents.WithAllRecords. Records that the
// slogspan handler diverted are not bridged again. The TracerProvider's
// span limits make room for the larger budget.
func WithSpanEventsBridge(opts ...spanevents.Option) Option {
	return optionFunc(func(c *config) { c.bridge = spanevents.NewProcessor(opts...) })
}
