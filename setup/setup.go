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

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/log"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan"
)

// DefaultShutdownTimeout bounds a shutdown whose context has no deadline.
const DefaultShutdownTimeout = 10 * time.Second

// Providers are what Start built and registered. All are nil when the SDK
// is disabled; a provider the configuration file does not configure is nil.
type Providers struct {
	TracerProvider *sdktrace.TracerProvider
	LoggerProvider *sdklog.LoggerProvider
	// Handler is the slogspan handler installed as slog's default.
	Handler *slogspan.Handler
}

// Start configures tracing and logging as the package documentation
// describes, and returns the function that shuts it all down.
//
// shutdown flushes everything recorded so far and stops the providers, all
// at once, each with the whole of ctx's deadline, or DefaultShutdownTimeout
// when ctx has none. It returns one [ExportError] for each kind of export
// failure since Start, with its counts (what was not delivered before the
// deadline among them), and any other error of the providers, joined: nil
// means everything recorded was delivered. Calls after the first return nil.
//
// On error nothing is registered and shutdown does nothing. A resource
// that is only partly built (a malformed OTEL_RESOURCE_ATTRIBUTES, a
// detector that fails) is reported, and Start goes on with what it has.
func Start(ctx context.Context, opts ...Option) (shutdown func(ctx context.Context) error, err error) {
	shutdown, _, err = StartProviders(ctx, opts...)
	return shutdown, err
}

// StartProviders is Start, also returning the providers it registered.
func StartProviders(ctx context.Context, opts ...Option) (func(context.Context) error, Providers, error) {
	cfg := newConfig(opts)
	var p *pipeline
	var err error
	if path := strings.TrimSpace(os.Getenv(configFileEnv)); path != "" {
		p, err = fromFile(ctx, cfg, path)
	} else if !strings.EqualFold(strings.TrimSpace(os.Getenv("OTEL_SDK_DISABLED")), "true") {
		p, err = fromEnvironment(ctx, cfg)
	}
	if err != nil || p == nil {
		return func(context.Context) error { return nil }, Providers{}, err
	}
	return p.install(), p.providers, nil
}

// A pipeline is what the environment or the configuration file built.
type pipeline struct {
	providers    Providers
	tp           trace.TracerProvider
	lp           log.LoggerProvider
	mp           metric.MeterProvider // nil: the global one is left alone
	prop         propagation.TextMapPropagator
	r            *reporter
	deliveries   []*delivery // of setup's own exporters
	missingShown bool        // the span exporter shows the missing-span report
	afterInstall error       // reported once installed
}

// newHandler returns the Handler over next, diverting to lp; r reports
// through next unless the program gave a handler.
func newHandler(r *reporter, next slog.Handler, lp log.LoggerProvider, opts []slogspan.Option) *slogspan.Handler {
	h := slogspan.New(next, append([]slogspan.Option{slogspan.WithLoggerProvider(lp), slogspan.WithMissingSpans(true)}, opts...)...)
	if r.handle == nil {
		logger := slog.New(h.Next())
		r.handle = func(err error) { logger.Warn(err.Error()) }
	}
	return h
}

func (p *pipeline) install() func(context.Context) error {
	h := p.providers.Handler
	otel.SetErrorHandler(p.r)
	otel.SetTracerProvider(p.tp)
	otel.SetLoggerProvider(p.lp)
	if p.mp != nil {
		otel.SetMeterProvider(p.mp)
	}
	otel.SetTextMapPropagator(p.prop)
	slog.SetDefault(slog.New(h))
	installed.Store(h)
	if p.afterInstall != nil {
		otel.Handle(p.afterInstall)
	}
	var once sync.Once
	return func(ctx context.Context) (err error) {
		once.Do(func() {
			if _, ok := ctx.Deadline(); !ok {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, DefaultShutdownTimeout)
				defer cancel()
			}
			err = p.shutdown(ctx)
		})
		return err
	}
}

func (p *pipeline) shutdown(ctx context.Context) error {
	providers := []struct {
		signal string
		p      any
	}{{signalTraces, p.tp}, {signalLogs, p.lp}, {"metrics", p.mp}}
	errs := make([]error, len(providers))
	var wg sync.WaitGroup
	for i, s := range providers {
		if s, ok := s.p.(interface{ Shutdown(context.Context) error }); ok {
			wg.Go(func() { errs[i] = s.Shutdown(ctx) })
		}
	}
	wg.Wait()
	// The reporter returns export errors with their counts, and once the
	// deadline has passed, what was not delivered.
	expired := ctx.Err() != nil
	counted := expired && len(p.deliveries) > 0
	for i, s := range providers {
		errs[i] = without(errs[i], func(err error) bool {
			var ee *ExportError
			return errors.As(err, &ee) || counted && (errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled))
		})
		if errs[i] != nil {
			errs[i] = fmt.Errorf("setup: %s shutdown: %w", s.signal, errs[i])
		}
	}
	err := errors.Join(append(errs, p.r.close(expired, p.deliveries...)...)...)
	if h := p.providers.Handler; !p.missingShown {
		logMissingSpans(h, h.Next())
	}
	return err
}

var installed atomic.Pointer[slogspan.Handler] // by the last Start

// handlerToWrap returns slog's default handler, or the one it wraps when
// an earlier Start installed it.
func handlerToWrap() slog.Handler {
	current := slog.Default().Handler()
	if h := installed.Load(); h != nil && slog.Handler(h) == current {
		return h.Next()
	}
	return current
}

// OtherEventsRoom is how many events a span may take from other
// instrumentation besides slogspan's MaxSpanEvents: setup keeps the SDK's
// event limit at least that much above it. With the default budget of
// 100, that is the SDK's default of 128.
const OtherEventsRoom = 28

// spanLimitsFor returns sl raised to what the handler h, and the bridge
// when there is one, budget.
func (c *config) spanLimitsFor(sl sdktrace.SpanLimits, h *slogspan.Handler) sdktrace.SpanLimits {
	events, attrs := h.Limits().MaxSpanEvents, h.Limits().MaxEventAttrs
	if c.bridge != nil {
		events, attrs = maxLimit(events, c.bridge.Limits().MaxSpanEvents), maxLimit(attrs, c.bridge.Limits().MaxEventAttrs)
	}
	if events >= 0 {
		events += OtherEventsRoom
	}
	sl.EventCountLimit = maxLimit(sl.EventCountLimit, events)
	sl.AttributePerEventCountLimit = maxLimit(sl.AttributePerEventCountLimit, attrs)
	return sl
}

// maxLimit returns the larger of two limits, a negative one being unlimited.
func maxLimit(a, b int) int {
	if a < 0 || b < 0 {
		return -1
	}
	return max(a, b)
}

// showMissingSpans gives h's report to exp when exp shows it itself (the
// console view), and reports whether it does.
func showMissingSpans(exp any, h *slogspan.Handler) bool {
	s, ok := exp.(interface {
		ShowMissingSpans(report func() []slogspan.MissingSpan)
	})
	if ok {
		s.ShowMissingSpans(h.MissingSpans)
	}
	return ok
}

// logMissingSpans writes h's report through the program's own handler,
// one line a call site: WARN, or INFO for unsampled spans.
func logMissingSpans(h *slogspan.Handler, to slog.Handler) {
	logger := slog.New(to)
	for _, s := range h.MissingSpans() {
		level := slog.LevelWarn
		if s.Reason == slogspan.NotSampled {
			level = slog.LevelInfo
		}
		logger.LogAttrs(context.Background(), level, "setup: log lines reached no span",
			slog.String("function", s.Function), slog.String("file", s.File), slog.Int("line", s.Line),
			slog.Int64("records", s.Records), slog.String("reason", s.Reason.String()))
	}
}
