package spanevents_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/internal/memlog"
	"github.com/slogspan/slogspan/spanevents"
)

// newTracer returns a tracer whose ended spans rec keeps, with the span
// tracker registered and room for every event the tests add.
func newTracer(t testing.TB) (trace.Tracer, *tracetest.SpanRecorder) {
	t.Helper()
	rec := tracetest.NewSpanRecorder()
	limits := sdktrace.NewSpanLimits()
	limits.EventCountLimit = 10000
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()),
		sdktrace.WithSpanProcessor(rec), sdktrace.WithRawSpanLimits(limits))
	t.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp.Tracer("spanevents-test"), rec
}

// newProvider returns a LoggerProvider with the bridge p registered before
// a synchronous export to an in-memory exporter.
func newProvider(t testing.TB, p *spanevents.Processor) (*sdklog.LoggerProvider, *memlog.Exporter) {
	t.Helper()
	exp := &memlog.Exporter{}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(p), sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)))
	t.Cleanup(func() { _ = lp.Shutdown(context.Background()) })
	return lp, exp
}

func attrMap(kvs []attribute.KeyValue) map[string]attribute.Value {
	m := map[string]attribute.Value{}
	for _, kv := range kvs {
		m[string(kv.Key)] = kv.Value
	}
	return m
}

// capture is a log processor that keeps a clone of each record.
type capture struct{ records []sdklog.Record }

func (c *capture) OnEmit(_ context.Context, r *sdklog.Record) error {
	c.records = append(c.records, r.Clone())
	return nil
}
func (*capture) Enabled(context.Context, sdklog.EnabledParameters) bool { return true }
func (*capture) Shutdown(context.Context) error                         { return nil }
func (*capture) ForceFlush(context.Context) error                       { return nil }

// record returns a record as the SDK makes it when emitted in ctx: the
// ids of its span, an event name, a timestamp and two attributes.
func record(t testing.TB, ctx context.Context, eventName string, ts time.Time) sdklog.Record {
	c := &capture{}
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(c))
	defer func() { _ = lp.Shutdown(context.Background()) }()
	var r log.Record
	r.SetEventName(eventName)
	r.SetTimestamp(ts)
	r.SetObservedTimestamp(ts.Add(time.Second))
	r.SetBody(attribute.StringValue("body text"))
	r.AddAttributes(attribute.String("order", "A-1"), attribute.Int("items", 3))
	lp.Logger("test").Emit(ctx, r)
	if len(c.records) != 1 {
		t.Fatal("the SDK made no record")
	}
	return c.records[0]
}

func TestRecordsGoOnToTheNextProcessor(t *testing.T) {
	tracer, rec := newTracer(t)
	p := spanevents.NewProcessor(spanevents.WithAllRecords(true))
	lp, exp := newProvider(t, p)
	logger := lp.Logger("test")

	ctx, span := tracer.Start(context.Background(), "op")
	big := strings.Repeat("p", 200<<10)
	var lr log.Record
	lr.SetBody(attribute.StringValue("upload"))
	lr.AddAttributes(attribute.String("order", "A-1"), attribute.Int("items", 3), attribute.String("payload", big))
	logger.Emit(ctx, lr)
	logger.Emit(context.Background(), lr) // no span: no event, still exported
	span.End()

	recs := exp.Records()
	if len(recs) != 2 {
		t.Fatalf("exported %d records, want 2", len(recs))
	}
	ev := rec.Ended()[0].Events()
	if len(ev) != 1 {
		t.Fatalf("events = %d, want 1", len(ev))
	}
	m := attrMap(ev[0].Attributes)
	if v := m["payload"].AsString(); len(v) > slogspan.DefaultMaxValueBytes || !strings.Contains(v, "…[truncated: 204800 bytes]") {
		t.Errorf("payload on the span: %d bytes, want a cut preview", len(v))
	}
	uid := m[slogspan.UIDKey].AsString()
	if uid == "" {
		t.Fatal("the cut event carries no log.record.uid")
	}
	got := map[string]attribute.Value{}
	recs[0].WalkAttributes(func(kv attribute.KeyValue) bool {
		got[string(kv.Key)] = kv.Value
		return true
	})
	if len(got) != 4 || got["payload"].AsString() != big || got["order"].AsString() != "A-1" ||
		got["items"].AsInt64() != 3 || got[slogspan.UIDKey].AsString() != uid {
		t.Errorf("exported record changed beyond the uid: %d attributes, uid %v", len(got), got[slogspan.UIDKey])
	}
	second := 0
	recs[1].WalkAttributes(func(attribute.KeyValue) bool { second++; return true })
	if second != 3 {
		t.Errorf("the record with no span has %d attributes, want its own 3", second)
	}
}

func TestAllRecordsMatchTheHandler(t *testing.T) {
	tracer, rec := newTracer(t)
	p := spanevents.NewProcessor(spanevents.WithAllRecords(true))
	lp, _ := newProvider(t, p)
	viaBridge := slog.New(otelslog.NewHandler("app", otelslog.WithLoggerProvider(lp)))
	viaHandler := slog.New(slogspan.New(slog.NewJSONHandler(io.Discard, nil), slogspan.WithEventLevel(slog.Level(-20))))

	logLine := func(l *slog.Logger, ctx context.Context) {
		l.With("service", "shop").WithGroup("req").InfoContext(ctx, "order placed",
			"order", "A-1", "items", 3, "paid", true, "total", 42.5,
			slog.Group("user", "id", 7, "tier", "gold"),
			"note", strings.Repeat("n", 3000))
		l.WarnContext(ctx, "", "empty", "message")
		// Below DEBUG-5: a negative severity through otelslog.
		l.Log(ctx, slog.LevelDebug-10, "very fine", "k", 1)
	}
	ctx1, s1 := tracer.Start(context.Background(), "handler")
	logLine(viaHandler, ctx1)
	s1.End()
	ctx2, s2 := tracer.Start(context.Background(), "bridge")
	logLine(viaBridge, ctx2)
	s2.End()

	spans := rec.Ended()
	want, got := spans[0].Events(), spans[1].Events()
	if len(want) != 3 || len(got) != 3 {
		t.Fatalf("events: handler %d, bridge %d; want 3 each", len(want), len(got))
	}
	for i := range want {
		if got[i].Name != want[i].Name {
			t.Errorf("event %d named %q, the Handler's %q", i, got[i].Name, want[i].Name)
		}
		// The SDK sorts the members of a map value by key, so the order
		// within a group may differ; keys and values may not.
		w, g := withoutUID(want[i].Attributes), withoutUID(got[i].Attributes)
		slices.Sort(w)
		slices.Sort(g)
		if fmt.Sprint(g) != fmt.Sprint(w) {
			t.Errorf("event %d attributes differ:\nbridge:  %v\nhandler: %v", i, g, w)
		}
		if got[i].Attributes[0].Key != slogspan.LevelKey {
			t.Errorf("event %d does not lead with level: %v", i, got[i].Attributes)
		}
	}
	for _, s := range spans {
		if v, _ := attrMap(s.Attributes())[slogspan.TruncatedValuesKey]; v.AsInt64() != 1 {
			t.Errorf("span %q %s = %v, want 1", s.Name(), slogspan.TruncatedValuesKey, v.String())
		}
	}
}

// withoutUID returns the attributes as text, less log.record.uid, whose
// value differs by design.
func withoutUID(kvs []attribute.KeyValue) []string {
	var out []string
	for _, kv := range kvs {
		if kv.Key != slogspan.UIDKey {
			out = append(out, string(kv.Key)+"="+kv.Value.Type().String()+":"+kv.Value.String())
		}
	}
	return out
}

func TestBudgetIsExactUnderConcurrency(t *testing.T) {
	tracer, rec := newTracer(t)
	p := spanevents.NewProcessor(spanevents.WithAllRecords(true))
	lp, exp := newProvider(t, p)
	logger := slog.New(otelslog.NewHandler("app", otelslog.WithLoggerProvider(lp)))

	ctx, span := tracer.Start(context.Background(), "busy")
	const goroutines, each = 64, 10
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				logger.InfoContext(ctx, "work", "g", g, "i", i)
			}
		})
	}
	wg.Wait()
	span.End()

	s := rec.Ended()[0]
	events := len(s.Events())
	dropped := attrMap(s.Attributes())[slogspan.DroppedEventsKey].AsInt64()
	if events != slogspan.DefaultMaxSpanEvents || dropped != goroutines*each-slogspan.DefaultMaxSpanEvents {
		t.Errorf("events %d, dropped %d; want %d and %d", events, dropped,
			slogspan.DefaultMaxSpanEvents, goroutines*each-slogspan.DefaultMaxSpanEvents)
	}
	linked := 0
	for _, r := range exp.Records() {
		r.WalkAttributes(func(kv attribute.KeyValue) bool {
			if kv.Key == slogspan.UIDKey {
				linked++
			}
			return true
		})
	}
	if linked != int(dropped) {
		t.Errorf("%d exported records carry a uid, want the %d dropped ones", linked, dropped)
	}
}

func TestEnabledAndShutdown(t *testing.T) {
	tracer, rec := newTracer(t)
	p := spanevents.NewProcessor()
	ctx, span := tracer.Start(context.Background(), "op")
	if p.Enabled(context.Background(), sdklog.EnabledParameters{}) {
		t.Error("Enabled without a span")
	}
	if !p.Enabled(ctx, sdklog.EnabledParameters{}) {
		t.Error("not Enabled in a recording span")
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if p.Enabled(ctx, sdklog.EnabledParameters{}) {
		t.Error("Enabled after Shutdown")
	}
	r := record(t, ctx, "after.shutdown", time.Now())
	_ = p.OnEmit(ctx, &r)
	_ = p.OnEmit(ctx, nil)
	span.End()
	if n := len(rec.Ended()[0].Events()); n != 0 {
		t.Errorf("%d events after Shutdown", n)
	}
}

func TestRecordsTheHandlerDivertedAreNotBridgedAgain(t *testing.T) {
	tracer, rec := newTracer(t)
	p := spanevents.NewProcessor(spanevents.WithAllRecords(true))
	lp, exp := newProvider(t, p)
	logger := slog.New(slogspan.New(slog.NewJSONHandler(io.Discard, nil), slogspan.WithLoggerProvider(lp)))
	ctx, span := tracer.Start(context.Background(), "op")
	logger.InfoContext(ctx, "big", "body", strings.Repeat("b", 5000))
	span.End()
	if n := len(rec.Ended()[0].Events()); n != 1 || len(exp.Records()) != 1 {
		t.Errorf("events %d, diverted records %d; want 1 and 1", n, len(exp.Records()))
	}
}

func TestBigValueThroughOtelslog(t *testing.T) {
	tracer, rec := newTracer(t)
	lp, exp := newProvider(t, spanevents.NewProcessor(spanevents.WithAllRecords(true)))
	logger := slog.New(otelslog.NewHandler("app", otelslog.WithLoggerProvider(lp)))
	big := strings.Repeat("s", 200<<10)

	ctx, span := tracer.Start(context.Background(), "upload")
	logger.InfoContext(ctx, "uploaded", "body", big, "parts", 4)
	span.End()

	ev := rec.Ended()[0].Events()
	if len(ev) != 1 {
		t.Fatalf("events = %d, want 1", len(ev))
	}
	m := attrMap(ev[0].Attributes)
	if v := m["body"].AsString(); len(v) > slogspan.DefaultMaxValueBytes || !strings.HasSuffix(v, "…[truncated: 204800 bytes]") {
		t.Errorf("body on the span is %d bytes, want a cut preview", len(v))
	}
	recs := exp.Records()
	if len(recs) != 1 {
		t.Fatalf("exported %d records", len(recs))
	}
	got := map[string]attribute.Value{}
	recs[0].WalkAttributes(func(kv attribute.KeyValue) bool {
		got[string(kv.Key)] = kv.Value
		return true
	})
	if got["body"].AsString() != big || got["parts"].AsInt64() != 4 ||
		got[slogspan.UIDKey].AsString() != m[slogspan.UIDKey].AsString() || len(got) != 3 {
		t.Errorf("exported record: body %d bytes, %d attributes, uid %v (event's %v)",
			len(got["body"].AsString()), len(got), got[slogspan.UIDKey], m[slogspan.UIDKey])
	}
}

func TestAllRecordsDifferFromTheHandlerOnlyWhereOtelslogConverts(t *testing.T) {
	// The package documentation's exceptions: through otelslog, durations
	// and times are numbers, and an error is the record's exception.*
	// rather than an attribute of its own. Everything else is the same.
	tracer, rec := newTracer(t)
	lp, _ := newProvider(t, spanevents.NewProcessor(spanevents.WithAllRecords(true)))
	viaBridge := slog.New(otelslog.NewHandler("app", otelslog.WithLoggerProvider(lp)))
	viaHandler := slog.New(slogspan.New(slog.NewJSONHandler(io.Discard, nil), slogspan.WithEventLevel(slog.Level(-20))))
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	for _, l := range []*slog.Logger{viaHandler, viaBridge} {
		ctx, s := tracer.Start(context.Background(), "op")
		l.InfoContext(ctx, "m", "d", 1500*time.Millisecond, "at", at, "err", errors.New("boom"), "k", 1)
		s.End()
	}
	spans := rec.Ended()
	handler, bridge := withoutUID(spans[0].Events()[0].Attributes), withoutUID(spans[1].Events()[0].Attributes)
	wantHandler := []string{"level=STRING:INFO", "d=STRING:1.5s", "at=STRING:2026-01-02T03:04:05.000000006Z", "err=STRING:boom",
		"k=INT64:1", "exception.type=STRING:*errors.errorString", "exception.message=STRING:boom"}
	wantBridge := []string{"level=STRING:INFO", "d=INT64:1500000000", "at=INT64:" + fmt.Sprint(at.UnixNano()),
		"k=INT64:1", "exception.type=STRING:*errors.errorString", "exception.message=STRING:boom"}
	if fmt.Sprint(handler) != fmt.Sprint(wantHandler) || fmt.Sprint(bridge) != fmt.Sprint(wantBridge) {
		t.Errorf("handler %q\nbridge  %q\nwant    %q\nand     %q", handler, bridge, wantHandler, wantBridge)
	}
}
