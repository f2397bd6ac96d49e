package setup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"

	"go.opentelemetry.io/contrib/otelconf"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/spanevents"
)

// configFile returns the path OTEL_CONFIG_FILE names, and whether it names
// one: an empty value is unset, as for every OTEL_* variable.
func configFile() (string, bool) {
	path := strings.TrimSpace(os.Getenv(configFileEnv))
	return path, path != ""
}

// startFromFile is Start when OTEL_CONFIG_FILE names a configuration file:
// otelconf builds the providers, exporters, processors, sampler, resource
// and propagators from the file, and setup adds what otelconf does not
// build (the bridge, the span tracker, the span limits), then installs the
// handler and the reports as Start does from the environment.
func startFromFile(ctx context.Context, cfg *config, path string) (func(context.Context) error, Providers, error) {
	f, err := readConfigFile(path, cfg.serviceName)
	if err != nil {
		return nothingToShut, Providers{}, err
	}
	if f.disabled {
		return nothingToShut, Providers{}, nil
	}
	next := handlerToWrap()

	// The file's settings win over the program's options; the limits it
	// leaves out keep the program's values.
	hopts := slices.Clone(cfg.handlerOpts)
	hopts = append(hopts, f.settings.handlerOptions(slogspan.New(slog.DiscardHandler, hopts...).Limits())...)
	cfg.bridge = nil // the file's pipeline decides
	if f.bridge {
		cfg.bridge = spanevents.NewProcessor(f.settings.bridgeOptions()...)
	}
	// The span limits make room for the Handler's and the bridge's
	// budgets, which the options give before the Handler exists.
	budget := cfg.eventBudget(slogspan.New(slog.DiscardHandler, hopts...))
	tpOpts := append([]sdktrace.TracerProviderOption{
		// Span budgets are kept while spans run, dropped as they end.
		sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()),
		sdktrace.WithRawSpanLimits(spanLimitsFor(&f.spanLimits, budget)),
	}, cfg.tracerProviderOpts...)
	var lpOpts []sdklog.LoggerProviderOption
	if cfg.bridge != nil {
		// otelconf registers these before the file's processors: the
		// bridge runs first, so that the exported records carry its uid.
		lpOpts = append(lpOpts, sdklog.WithProcessor(cfg.bridge))
	}
	lpOpts = append(lpOpts, cfg.loggerProviderOpts...)

	sdk, err := newSDK(
		otelconf.WithContext(ctx),
		otelconf.WithOpenTelemetryConfiguration(f.model),
		otelconf.WithTracerProviderOptions(tpOpts...),
		otelconf.WithLoggerProviderOptions(lpOpts...),
	)
	if err != nil {
		return nothingToShut, Providers{}, f.locate(err)
	}
	tp, _ := sdk.TracerProvider().(*sdktrace.TracerProvider)
	lp, _ := sdk.LoggerProvider().(*sdklog.LoggerProvider)

	var payload log.LoggerProvider // none when the file configures no logs
	if lp != nil {
		payload = lp
	}
	h := slogspan.New(next, append([]slogspan.Option{slogspan.WithLoggerProvider(payload), slogspan.WithMissingSpans(true)}, hopts...)...)
	r := newReporter(cfg.errorHandler)
	if r.handle == nil {
		// Through the program's own handler, never the slogspan one: a
		// report must not become an event or a diverted record.
		r.handle = warnTo(h.Next())
	}
	exports := exportsOf(f, r)

	otel.SetErrorHandler(exports.handler())
	otel.SetTracerProvider(sdk.TracerProvider())
	otel.SetLoggerProvider(sdk.LoggerProvider())
	if f.model.MeterProvider != nil {
		otel.SetMeterProvider(sdk.MeterProvider())
	}
	otel.SetTextMapPropagator(sdk.Propagator())
	slog.SetDefault(slog.New(h))
	installed.Store(&installation{h, h.Next()})

	shutdown := onceShutdown(func(ctx context.Context) error {
		// All at once, each with the whole deadline, as from the
		// environment. The span processors' last exports fail through
		// otel.Handle; the log processors' come back here. Neither
		// counts its exports' size, so a deadline's loss is the
		// context's error, not a count.
		providers := []struct {
			signal string
			p      any
			err    error
		}{{signalTraces, sdk.TracerProvider(), nil}, {signalLogs, sdk.LoggerProvider(), nil}, {"metrics", sdk.MeterProvider(), nil}}
		var wg sync.WaitGroup
		for i := range providers {
			if p, ok := providers[i].p.(interface{ Shutdown(context.Context) error }); ok {
				wg.Go(func() { providers[i].err = p.Shutdown(ctx) })
			}
		}
		wg.Wait()
		var errs []error
		for _, p := range providers {
			errs = append(errs, providerError(p.signal, exports.settle(p.err), false))
		}
		err := errors.Join(append(errs, r.close(ctx.Err() != nil)...)...)
		logMissingSpans(h, h.Next())
		return err
	})
	return shutdown, Providers{TracerProvider: tp, LoggerProvider: lp, Handler: h}, nil
}

// newSDKMu serializes newSDK's use of the environment.
var newSDKMu sync.Mutex

// newSDK is otelconf.NewSDK, given the model setup read. otelconf v0.27.0
// reads OTEL_CONFIG_FILE itself and lets the file it names win over the
// model it is given, and it cannot build that file: it has no bridge. So
// the variable is hidden from it while it builds, and set again after.
func newSDK(opts ...otelconf.ConfigurationOption) (otelconf.SDK, error) {
	newSDKMu.Lock()
	defer newSDKMu.Unlock()
	if v, ok := os.LookupEnv(configFileEnv); ok {
		if err := os.Unsetenv(configFileEnv); err != nil {
			return otelconf.SDK{}, fmt.Errorf("setup: %w", err)
		}
		defer func() { _ = os.Setenv(configFileEnv, v) }()
	}
	return otelconf.NewSDK(opts...)
}
