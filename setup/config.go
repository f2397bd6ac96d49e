package setup

import (
	"context"
	"log/slog"
	"os"
	"slices"
	"strings"

	"go.opentelemetry.io/contrib/otelconf"
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

// fromFile builds the providers from the configuration file at path:
// otelconf builds the providers, exporters, processors, sampler, resource
// and propagators, and setup adds what otelconf does not build (the
// bridge, the span tracker, the span limits).
func fromFile(ctx context.Context, cfg *config, path string) (*pipeline, error) {
	f, err := readConfigFile(path, cfg.serviceName)
	if err != nil || f.disabled {
		return nil, err
	}
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
		return nil, f.rejected(err)
	}
	tp, _ := sdk.TracerProvider().(*sdktrace.TracerProvider)
	lp, _ := sdk.LoggerProvider().(*sdklog.LoggerProvider)
	var payload log.LoggerProvider // none when the file configures no logs
	if lp != nil {
		payload = lp
	}
	r := newReporter(cfg.errorHandler)
	h := newHandler(r, handlerToWrap(), payload, hopts)
	exports := exportsOf(f, r)
	p := &pipeline{
		providers: Providers{TracerProvider: tp, LoggerProvider: lp, Handler: h},
		tp:        sdk.TracerProvider(), lp: sdk.LoggerProvider(), prop: sdk.Propagator(),
		r: r, errs: exports.handler(), settle: exports.settle,
	}
	if f.model.MeterProvider != nil {
		p.mp = sdk.MeterProvider()
	}
	return p, nil
}
