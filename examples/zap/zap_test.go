package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.opentelemetry.io/contrib/bridges/otelzap"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
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

// The example's logger, as a new user runs it: a zap Error line sets its
// span's status to Error, its event reads as slog's (ERROR, the error as
// exception.*), and the terminal line carries the span's ids rather than
// the context's %v.
func TestZapErrorLineThroughTheExamplesLogger(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()), sdktrace.WithSpanProcessor(spans))
	lp := sdklog.NewLoggerProvider(
		sdklog.WithProcessor(spanevents.NewProcessor(spanevents.WithAllRecords(true))),
		sdklog.WithProcessor(sdklog.NewSimpleProcessor(&memlog.Exporter{})),
	)
	t.Cleanup(func() {
		_ = lp.Shutdown(context.Background())
		_ = tp.Shutdown(context.Background())
	})
	var terminal strings.Builder
	logger := newLogger(&terminal, lp)

	ctx, span := tp.Tracer("test").Start(context.Background(), "import file")
	logger.Info("file opened", zap.Any("ctx", ctx))
	logger.Error("file rejected", zap.Any("ctx", ctx), zap.Int("file", 1), zap.Error(errors.New("bad header")))
	logger.With(zap.Any("ctx", ctx)).Info("file closed")
	logger.Warn("no span here", zap.Any("ctx", context.Background()))
	span.End()

	s := spans.Ended()[0]
	if st := s.Status(); st.Code != codes.Error || st.Description != "file rejected" {
		t.Errorf("span status %v %q, want Error \"file rejected\"", st.Code, st.Description)
	}
	events := s.Events()
	if len(events) != 3 {
		t.Fatalf("%d events, want 3", len(events))
	}
	for i, want := range []string{"INFO", "ERROR"} {
		if kv := events[i].Attributes[0]; kv.Key != slogspan.LevelKey || kv.Value.AsString() != want {
			t.Errorf("event %q leads with %s=%s, want level=%s", events[i].Name, kv.Key, kv.Value.String(), want)
		}
	}
	ev := map[attribute.Key]string{}
	for _, kv := range events[1].Attributes {
		ev[kv.Key] = kv.Value.String()
	}
	if ev["exception.message"] != "bad header" || ev["exception.type"] != "*errors.errorString" || ev["file"] != "1" {
		t.Errorf("error event attributes %v", events[1].Attributes)
	}

	lines := strings.Split(strings.TrimSpace(terminal.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d terminal lines, want 4:\n%s", len(lines), terminal.String())
	}
	ids := fmt.Sprintf(`{"trace_id": %q, "span_id": %q`, s.SpanContext().TraceID(), s.SpanContext().SpanID())
	for _, l := range lines[:3] {
		if !strings.Contains(l, ids) || strings.Contains(l, "ctx") || strings.Contains(l, "context.Background") {
			t.Errorf("terminal line %q, want the span's ids in place of the context", l)
		}
	}
	if !strings.HasSuffix(lines[3], "no span here") {
		t.Errorf("terminal line %q, want no field for a context without a span", lines[3])
	}
}
