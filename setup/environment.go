package setup

import (
	"context"
	"errors"
	"fmt"

	"go.opentelemetry.io/contrib/propagators/autoprop"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/slogspan/slogspan/spanevents"
)

// fromEnvironment builds the providers, their exporters and batch
// processors from the OTEL_* variables and the options.
func fromEnvironment(ctx context.Context, cfg *config) (*pipeline, error) {
	spanBatch, spanBatchErr := spanBatchOptions()
	logBatch, logBatchErr := logBatchOptions()
	if err := errors.Join(spanBatchErr, logBatchErr); err != nil {
		return nil, err
	}
	res, resErr := resource.New(ctx, append([]resource.Option{
		resource.WithAttributes(attribute.String("service.name", cfg.serviceName)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES win
		resource.WithTelemetrySDK(),
	}, cfg.resourceOpts...)...)
	if res == nil {
		res = resource.NewSchemaless(attribute.String("service.name", cfg.serviceName))
	}
	if resErr != nil {
		resErr = fmt.Errorf("setup: resource: %w (going on with the attributes that could be read)", resErr)
	}

	spanExp, spanEndpoint, err := cfg.spanExporter(ctx)
	if err != nil {
		return nil, fmt.Errorf("setup: span exporter: %w", err)
	}
	logExp, logEndpoint, err := cfg.logExporter(ctx)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("setup: log exporter: %w", err), spanExp.Shutdown(ctx))
	}

	r := newReporter(cfg.errorHandler)
	spans, logs := newDelivery(signalTraces, spanEndpoint, r), newDelivery(signalLogs, logEndpoint, r)
	lpOpts := []sdklog.LoggerProviderOption{sdklog.WithResource(res)}
	if cfg.bridge != nil {
		// Before the export, so that the exported record carries the uid.
		lpOpts = append(lpOpts, sdklog.WithProcessor(cfg.bridge))
	}
	lpOpts = append(lpOpts, sdklog.WithProcessor(countingLogProcessor{
		sdklog.NewBatchProcessor(reportingLogExporter{logExp, logs}, append(logBatch, cfg.logBatch...)...), logs}))
	lp := sdklog.NewLoggerProvider(append(lpOpts, cfg.loggerProviderOpts...)...)
	h := newHandler(r, handlerToWrap(), lp, cfg.handlerOpts)
	tp := sdktrace.NewTracerProvider(append([]sdktrace.TracerProviderOption{
		sdktrace.WithResource(res),
		// Span budgets are kept while spans run, dropped as they end.
		sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()),
		sdktrace.WithRawSpanLimits(spanLimitsFor(cfg.spanLimits, cfg.eventBudget(h))),
		sdktrace.WithSpanProcessor(countingSpanProcessor{sdktrace.NewBatchSpanProcessor(
			reportingSpanExporter{spanExp, spans}, append(spanBatch, cfg.spanBatch...)...), spans}),
	}, cfg.tracerProviderOpts...)...)
	return &pipeline{
		providers: Providers{TracerProvider: tp, LoggerProvider: lp, Handler: h},
		tp:        tp, lp: lp, prop: autoprop.NewTextMapPropagator(),
		r: r, deliveries: []*delivery{spans, logs},
		missingShown: showMissingSpans(spanExp, h),
		afterInstall: resErr,
	}, nil
}
