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
// the providers, all at once, each with the whole of ctx's deadline, or
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

// StartProviders is Start, also returning the providers it registered.
func StartProviders(ctx context.Context, opts ...Option) (func(context.Context) error, Providers, error) {
	cfg := newConfig(opts)
	var p *pipeline
	var err error
	switch path, ok := configFile(); {
	case ok:
		p, err = fromFile(ctx, cfg, path)
	case !disabled():
		p, err = fromEnvironment(ctx, cfg)
	}
	if err != nil || p == nil {
		return nothingToShut, Providers{}, err
	}
	return p.install(), p.providers, nil
}

// nothingToShut is the shutdown function when Start built nothing.
func nothingToShut(context.Context) error { return nil }

// disabled reports whether OTEL_SDK_DISABLED asks for no telemetry.
func disabled() bool {
	return strings.EqualFold(strings.TrimSpace(os.Getenv("OTEL_SDK_DISABLED")), "true")
}

// A pipeline is what the environment or the configuration file built,
// ready to install.
type pipeline struct {
	providers Providers
	tp        trace.TracerProvider
	lp        log.LoggerProvider
	mp        metric.MeterProvider // nil: the global one is left alone
	prop      propagation.TextMapPropagator
	r         *reporter
	// deliveries count what setup's own exporters took in and settled.
	deliveries []*delivery
	// missingShown is true when the span exporter shows the missing-span
	// report itself.
	missingShown bool
	// afterInstall reports what Start goes on without.
	afterInstall error
}

// newHandler returns the Handler to install over next, diverting to lp
// (none when nil), and has r report through the program's own handler
// unless the program gave one: a report must never become an event or a
// diverted record.
func newHandler(r *reporter, next slog.Handler, lp log.LoggerProvider, hopts []slogspan.Option) *slogspan.Handler {
	h := slogspan.New(next, append([]slogspan.Option{slogspan.WithLoggerProvider(lp), slogspan.WithMissingSpans(true)}, hopts...)...)
	if r.handle == nil {
		r.handle = warnTo(h.Next())
	}
	return h
}

// install registers p globally and returns the function that shuts it
// down.
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
	installed.Store(&installation{h, h.Next()})
	if p.afterInstall != nil {
		otel.Handle(p.afterInstall)
	}

	type stopper struct {
		signal string
		p      any
		err    error
	}
	return onceShutdown(func(ctx context.Context) error {
		// All at once, each with the whole deadline, so that an exporter
		// that hangs leaves the others their time. None waits on another:
		// records are diverted when they are logged, not when their span
		// ends.
		stops := []stopper{{signalTraces, p.tp, nil}, {signalLogs, p.lp, nil}, {"metrics", p.mp, nil}}
		var wg sync.WaitGroup
		for i := range stops {
			if s, ok := stops[i].p.(interface{ Shutdown(context.Context) error }); ok {
				wg.Go(func() { stops[i].err = s.Shutdown(ctx) })
			}
		}
		wg.Wait()
		// Once the deadline has passed, the reporter counts what was not
		// delivered, when setup's own exporters counted it.
		expired := ctx.Err() != nil
		var errs []error
		for _, s := range stops {
			errs = append(errs, providerError(s.signal, s.err, expired && len(p.deliveries) > 0))
		}
		err := errors.Join(append(errs, p.r.close(expired, p.deliveries...)...)...)
		if !p.missingShown {
			logMissingSpans(h, h.Next())
		}
		return err
	})
}

// providerError is what a provider's Shutdown returned, less what the
// reporter returns with its counts: export errors, and, once the deadline
// has passed and the loss is counted (counted), the context's error.
func providerError(signal string, err error, counted bool) error {
	err = without(err, func(err error) bool { return isExportError(err) || (counted && isContextError(err)) })
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

// onceShutdown returns the shutdown function around stop: the first call runs
// stop, within DefaultShutdownTimeout when ctx has no deadline, and
// returns its error; later calls do nothing and return nil.
func onceShutdown(stop func(ctx context.Context) error) func(context.Context) error {
	var once sync.Once
	return func(ctx context.Context) error {
		var err error
		once.Do(func() {
			if _, ok := ctx.Deadline(); !ok {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, DefaultShutdownTimeout)
				defer cancel()
			}
			err = stop(ctx)
		})
		return err
	}
}
