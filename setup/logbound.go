package setup

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/internal/onspan"
)

// boundingLogProcessor makes each record valid OTLP for the processors
// after it, as slogspan.Handler makes the records it diverts: the body and
// attribute values nest at most slogspan.MaxValueDepth maps and slices
// deep (past it a map's members continue as dotted keys and any other map
// or slice is its text), and invalid UTF-8 is replaced. A record that
// needs none of it passes untouched. A repaired record's count of dropped
// attributes restarts at zero (sdklog.Record.SetAttributes).
//
// It runs after the span events bridge, which sees the full values, and
// before the export: the SDK's own depth limit applies when the record is
// made, before the bridge, and empties what it cuts.
type boundingLogProcessor struct{}

// Enabled is false: it keeps no record of its own, so it leaves
// Logger.Enabled to the processors that do.
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
