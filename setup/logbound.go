package setup

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/internal/onspan"
)

// depthLimit bounds log record values at slogspan.MaxValueDepth when they
// are made; with the bridge it keeps the SDK's default, and a
// boundingLogProcessor after the bridge bounds them instead.
func depthLimit(bridge bool) sdklog.LoggerProviderOption {
	if bridge {
		return sdklog.WithAttributeValueDepthLimit(0) // the SDK's default
	}
	return sdklog.WithAttributeValueDepthLimit(slogspan.MaxValueDepth)
}

// boundingLogProcessor makes each record valid OTLP, as slogspan.Handler
// makes the records it diverts: values nest at most slogspan.MaxValueDepth
// deep (deeper, a map's members continue as dotted keys and anything else
// is its text), and invalid UTF-8 is replaced. A repaired record's count of
// dropped attributes restarts at zero (sdklog.Record.SetAttributes).
type boundingLogProcessor struct{}

// Enabled is false: it leaves Logger.Enabled to the processors that keep records.
func (boundingLogProcessor) Enabled(context.Context, sdklog.EnabledParameters) bool { return false }

func (boundingLogProcessor) OnEmit(_ context.Context, r *sdklog.Record) error {
	const maxDepth = slogspan.MaxValueDepth
	r.SetEventName(onspan.ValidString(r.EventName()))
	r.SetSeverityText(onspan.ValidString(r.SeverityText()))
	if body := r.Body(); !onspan.ValidValue(body, 0, maxDepth) {
		r.SetBody(onspan.RepairValue(body, 0, maxDepth))
	}
	valid := true
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		valid = onspan.ValidKV(kv, 0, maxDepth)
		return valid
	})
	if valid {
		return nil
	}
	attrs := make([]attribute.KeyValue, 0, r.AttributesLen())
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		attrs = onspan.RepairKV(attrs, kv, 0, maxDepth, "")
		return true
	})
	r.SetAttributes(attrs...)
	return nil
}

func (boundingLogProcessor) Shutdown(context.Context) error   { return nil }
func (boundingLogProcessor) ForceFlush(context.Context) error { return nil }
