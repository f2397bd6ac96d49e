package main

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/contrib/bridges/otelzap"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/zap"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/internal/memlog"
	"github.com/slogspan/slogspan/spanevents"
)

// A 200 KB value logged with zap through the contrib otelzap bridge: the
// span gets a preview and the uid, the exported record the whole value.
func TestBigValueThroughOtelzap(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	exp := &memlog.Exporter{}
	lp := sdklog.NewLoggerProvider(
		sdklog.WithProcessor(spanevents.NewProcessor(spanevents.WithAllRecords(true))),
		sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)),
	)
	logger := zap.New(otelzap.NewCore("test", otelzap.WithLoggerProvider(lp)))

	big := strings.Repeat("z", 200<<10)
	ctx, span := tp.Tracer("test").Start(context.Background(), "upload")
	logger.Info("uploaded", zap.Any("ctx", ctx), zap.String("body", big), zap.Int("parts", 4))
	span.End()

	events := spans.Ended()[0].Events()
	if len(events) != 1 || events[0].Name != "uploaded" {
		t.Fatalf("events = %v, want one named uploaded", events)
	}
	ev := map[attribute.Key]attribute.Value{}
	for _, kv := range events[0].Attributes {
		ev[kv.Key] = kv.Value
	}
	if v := ev["body"].AsString(); len(v) > slogspan.DefaultMaxValueBytes || !strings.HasSuffix(v, "…[truncated: 204800 bytes]") {
		t.Errorf("body on the span is %d bytes, want a cut preview", len(v))
	}
	uid := ev[slogspan.UIDKey].AsString()
	recs := exp.Records()
	if uid == "" || len(recs) != 1 {
		t.Fatalf("uid %q, %d exported records", uid, len(recs))
	}
	got := map[attribute.Key]attribute.Value{}
	recs[0].WalkAttributes(func(kv attribute.KeyValue) bool {
		got[kv.Key] = kv.Value
		return true
	})
	if got["body"].AsString() != big || got["parts"].AsInt64() != 4 || got[slogspan.UIDKey].AsString() != uid {
		t.Errorf("the exported record is not whole and linked: body %d bytes, uid %v", len(got["body"].AsString()), got[slogspan.UIDKey])
	}
}
