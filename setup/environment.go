package setup

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"go.opentelemetry.io/contrib/propagators/autoprop"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/slogspan/slogspan/spanevents"
)

// fromEnvironment builds the providers from the OTEL_* variables and the
// options.
func fromEnvironment(ctx context.Context, cfg *config) (*pipeline, error) {
	spanBatch, spanErr := readBatch("OTEL_BSP_", "spans", spanBatchDefaults)
	logBatch, logErr := readBatch("OTEL_BLRP_", "log records", logBatchDefaults)
	if err := errors.Join(spanErr, logErr); err != nil {
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
	spanExp, spanTarget, err := cfg.spanExporter(ctx)
	if err != nil {
		return nil, fmt.Errorf("setup: span exporter: %w", err)
	}
	logExp, logTarget, err := cfg.logExporter(ctx)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("setup: log exporter: %w", err), spanExp.Shutdown(ctx))
	}

	r := newReporter(cfg.errorHandler)
	spans, logs := newDelivery(signalTraces, spanTarget, r), newDelivery(signalLogs, logTarget, r)
	lpOpts := []sdklog.LoggerProviderOption{sdklog.WithResource(res), depthLimit(cfg.bridge != nil)}
	if cfg.bridge != nil {
		lpOpts = append(lpOpts, sdklog.WithProcessor(cfg.bridge), sdklog.WithProcessor(boundingLogProcessor{}))
	}
	lpOpts = append(lpOpts, sdklog.WithProcessor(countingLogProcessor{sdklog.NewBatchProcessor(reportingLogExporter{logExp, logs},
		sdklog.WithExportInterval(ms(logBatch.delay)), sdklog.WithExportTimeout(ms(logBatch.timeout)),
		sdklog.WithMaxQueueSize(logBatch.queue), sdklog.WithExportMaxBatchSize(logBatch.batch)), logs}))
	lp := sdklog.NewLoggerProvider(append(lpOpts, cfg.loggerProviderOpts...)...)
	h := newHandler(r, handlerToWrap(), lp, cfg.handlerOpts)
	tp := sdktrace.NewTracerProvider(append([]sdktrace.TracerProviderOption{
		sdktrace.WithResource(res),
		sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()),
		sdktrace.WithRawSpanLimits(cfg.spanLimitsFor(sdktrace.NewSpanLimits(), h)),
		sdktrace.WithSpanProcessor(countingSpanProcessor{sdktrace.NewBatchSpanProcessor(reportingSpanExporter{spanExp, spans},
			sdktrace.WithBatchTimeout(ms(spanBatch.delay)), sdktrace.WithExportTimeout(ms(spanBatch.timeout)),
			sdktrace.WithMaxQueueSize(spanBatch.queue), sdktrace.WithMaxExportBatchSize(spanBatch.batch)), spans}),
	}, cfg.tracerProviderOpts...)...)
	return &pipeline{
		providers: Providers{TracerProvider: tp, LoggerProvider: lp, Handler: h},
		tp:        tp, lp: lp, prop: autoprop.NewTextMapPropagator(),
		r: r, deliveries: []*delivery{spans, logs},
		missingShown: showMissingSpans(spanExp, h),
		afterInstall: resErr,
	}, nil
}

// DefaultSpanExportBatchSize is the span export batch size when
// OTEL_BSP_MAX_EXPORT_BATCH_SIZE is unset: 32 spans of slogspan's default
// budget (64 KiB of events each) stay under gRPC's 4 MiB message limit.
const DefaultSpanExportBatchSize = 32

// batchSettings are a batch processor's delay and timeout, in
// milliseconds, and its queue and batch sizes.
type batchSettings struct{ delay, timeout, queue, batch int }

// The specification's defaults, but for the span batch size.
var (
	spanBatchDefaults = batchSettings{5000, 30000, 2048, DefaultSpanExportBatchSize}
	logBatchDefaults  = batchSettings{1000, 30000, 2048, 512}
)

// readBatch resolves the variables prefix names (OTEL_BSP_, OTEL_BLRP_)
// over d, each a positive whole number.
func readBatch(prefix, items string, d batchSettings) (batchSettings, error) {
	var errs []error
	resolve := func(name, unit string, dst *int) bool {
		key := prefix + name
		v := os.Getenv(key)
		if v == "" {
			return false
		}
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			errs = append(errs, fmt.Errorf("setup: %s=%q is not a positive whole number of %s: "+
				"write one, such as %d (the default), or unset it", key, v, unit, *dst))
			return false
		}
		*dst = n
		return true
	}
	resolve("SCHEDULE_DELAY", "milliseconds", &d.delay)
	resolve("EXPORT_TIMEOUT", "milliseconds", &d.timeout)
	queueSet := resolve("MAX_QUEUE_SIZE", items, &d.queue)
	batchSet := resolve("MAX_EXPORT_BATCH_SIZE", items, &d.batch)
	switch {
	case d.batch <= d.queue:
	case batchSet:
		errs = append(errs, fmt.Errorf("setup: %sMAX_EXPORT_BATCH_SIZE=%d is more than %sMAX_QUEUE_SIZE=%d "+
			"holds: make the batch at most the queue", prefix, d.batch, prefix, d.queue))
	case queueSet:
		d.batch = d.queue // a small queue takes the default batch down with it
	}
	return d, errors.Join(errs...)
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }
