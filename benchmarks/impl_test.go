// Package benchmarks compares slogspan with the hand-written floor and
// with the other ways to put log lines on OpenTelemetry spans, on the
// shapes services have. It is a module of its own, so that the peers never
// enter slogspan's go.mod. Run it from the repository root with
//
//	go test -run '^$' -bench . -benchmem -count 6 ./benchmarks/ > bench.txt
//	benchstat -col /impl bench.txt
package benchmarks_test

import (
	"context"
	"encoding/hex"
	"io"
	"log/slog"
	"time"

	"github.com/nil-go/sloth/otel"
	slogotel "github.com/remychantenay/slog-otel"
	"github.com/uptrace/opentelemetry-go-extra/otelzap"
	slogctx "github.com/veqryn/slog-context"
	slogctxotel "github.com/veqryn/slog-context/otel"
	"go.opentelemetry.io/contrib/bridges/otelslog"
	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/spanevents"
)

// The values every record carries. Variables, so that the hand-written
// floor converts them at run time as every handler must.
var (
	user    = "u-1234"
	status  = 200
	latency = 42 * time.Millisecond
	cached  = true
	ratio   = 0.75
)

// withAttrs are the five attributes a service's logger carries from With,
// inside the group "req", for the shapes that use them.
var withAttrs = []any{"service", "checkout", "region", "eu-west-1", "version", "1.4.2", "pod", "checkout-7d9f", "tenant", 42}

// logFunc logs one record, "request done" with the five attributes and
// value as "body" when it is not empty, in ctx.
type logFunc func(ctx context.Context, value string)

// impl builds a logger writing JSON to w, with the five With attributes
// and the group when with is true.
type impl struct {
	name string
	// events is false for implementations that put no log lines on spans
	// (they only add the ids): the table says so.
	events bool
	// noIDs is true for the one that writes no trace id on the JSON line
	// (the ids go with its OpenTelemetry log records).
	noIDs bool
	// tracker registers slogspan's span tracker on the spans' provider,
	// as slogspan needs for span budgets.
	tracker bool
	build   func(w io.Writer, with bool) logFunc
}

// slogLogger returns the logFunc of a slog handler, with the With
// attributes and group applied when with is true. The attributes are
// passed straight to LogAttrs, as a program writes them.
func slogLogger(h slog.Handler, with bool) logFunc {
	l := slog.New(h)
	if with {
		l = l.With(withAttrs...).WithGroup("req")
	}
	return func(ctx context.Context, value string) { logLine(ctx, l, value) }
}

func jsonNext(w io.Writer) slog.Handler { return slog.NewJSONHandler(w, nil) }

var impls = []impl{
	{name: "floor", events: true, build: floor},
	{name: "slogspan", events: true, tracker: true, build: func(w io.Writer, with bool) logFunc {
		return slogLogger(slogspan.New(jsonNext(w)), with)
	}},
	{name: "remychantenay-slog-otel", events: true, build: func(w io.Writer, with bool) logFunc {
		return slogLogger(slogotel.New(jsonNext(w)), with)
	}},
	{name: "sloth-otel", events: true, build: func(w io.Writer, with bool) logFunc {
		return slogLogger(otel.New(jsonNext(w), otel.WithRecordEvent(true)), with)
	}},
	{name: "veqryn-slog-context-otel", events: false, build: func(w io.Writer, with bool) logFunc {
		h := slogctx.NewHandler(jsonNext(w), &slogctx.HandlerOptions{
			Prependers: []slogctx.AttrExtractor{slogctxotel.ExtractTraceSpanID},
		})
		return slogLogger(h, with)
	}},
	{name: "otelzap", events: true, build: otelzapLogger},
	{name: "otelslog-logs-api", events: false, noIDs: true, build: func(w io.Writer, with bool) logFunc {
		return otelslogLogger(w, with, false)
	}},
	{name: "otelslog+spanevents", events: true, noIDs: true, tracker: true, build: func(w io.Writer, with bool) logFunc {
		return otelslogLogger(w, with, true)
	}},
}

// floor is the least a program could write by hand for the same output:
// next gets the record with the ids, formatted per record into one
// string, at the top level, and the attributes passed straight to
// LogAttrs; the span gets an event whose attributes are built in one
// slice, with the duration formatted at run time. With a group open,
// top-level ids need a handler derived for the span, as slogspan must
// derive one: the floor derives it per record (each of those spans has one
// record), with the With attributes already converted.
// TestFloorWritesWhatSlogspanWrites checks that the outputs are the same.
func floor(w io.Writer, with bool) logFunc {
	base := jsonNext(w)
	next := base
	var withSlog []slog.Attr
	var withKVs []attribute.KeyValue // converted once, as slogspan does
	prefix := ""                     // the group's, on event keys
	if with {
		for i := 0; i < len(withAttrs); i += 2 {
			key := withAttrs[i].(string)
			switch v := withAttrs[i+1].(type) {
			case string:
				withSlog = append(withSlog, slog.String(key, v))
				withKVs = append(withKVs, attribute.String(key, v))
			case int:
				withSlog = append(withSlog, slog.Int(key, v))
				withKVs = append(withKVs, attribute.Int(key, v))
			}
		}
		next = base.WithAttrs(withSlog).WithGroup("req")
		prefix = "req."
	}
	// The event's keys, built once: a program writes them as constants.
	var key [6]string
	for i, k := range []string{"user", "status", "latency", "cached", "ratio", "body"} {
		key[i] = prefix + k
	}
	logger := slog.New(next)
	return func(ctx context.Context, value string) {
		span := trace.SpanFromContext(ctx)
		sc := span.SpanContext()
		switch {
		case !sc.IsValid():
			logLine(ctx, logger, value)
		case with:
			traceID, spanID := hexIDs(sc)
			l := slog.New(base.WithAttrs([]slog.Attr{slog.String("trace_id", traceID), slog.String("span_id", spanID)}).
				WithAttrs(withSlog).WithGroup("req"))
			logLine(ctx, l, value)
		default:
			traceID, spanID := hexIDs(sc)
			if value == "" {
				logger.LogAttrs(ctx, slog.LevelInfo, "request done",
					slog.String("trace_id", traceID), slog.String("span_id", spanID),
					slog.String("user", user), slog.Int("status", status), slog.Duration("latency", latency),
					slog.Bool("cached", cached), slog.Float64("ratio", ratio))
			} else {
				logger.LogAttrs(ctx, slog.LevelInfo, "request done",
					slog.String("trace_id", traceID), slog.String("span_id", spanID),
					slog.String("user", user), slog.Int("status", status), slog.Duration("latency", latency),
					slog.Bool("cached", cached), slog.Float64("ratio", ratio), slog.String("body", value))
			}
		}
		if !span.IsRecording() {
			return
		}
		kvs := make([]attribute.KeyValue, 0, 1+len(withKVs)+6)
		kvs = append(kvs, attribute.String("level", slog.LevelInfo.String()))
		kvs = append(kvs, withKVs...)
		kvs = append(kvs,
			attribute.String(key[0], user),
			attribute.Int(key[1], status),
			attribute.String(key[2], latency.String()),
			attribute.Bool(key[3], cached),
			attribute.Float64(key[4], ratio),
		)
		if value != "" {
			// Cut as slogspan cuts a big value: a 1 KiB copy.
			kvs = append(kvs, attribute.String(key[5], value[:min(len(value), 1000)]+"…"))
		}
		span.AddEvent("request done", trace.WithTimestamp(time.Now()), trace.WithAttributes(kvs...))
	}
}

// logLine logs the benchmark's record to l, the attributes passed
// straight to LogAttrs.
func logLine(ctx context.Context, l *slog.Logger, value string) {
	if value == "" {
		l.LogAttrs(ctx, slog.LevelInfo, "request done",
			slog.String("user", user), slog.Int("status", status), slog.Duration("latency", latency),
			slog.Bool("cached", cached), slog.Float64("ratio", ratio))
		return
	}
	l.LogAttrs(ctx, slog.LevelInfo, "request done",
		slog.String("user", user), slog.Int("status", status), slog.Duration("latency", latency),
		slog.Bool("cached", cached), slog.Float64("ratio", ratio), slog.String("body", value))
}

// hexIDs formats the span context's ids, in one allocation.
func hexIDs(sc trace.SpanContext) (traceID, spanID string) {
	var b [48]byte
	t, s := sc.TraceID(), sc.SpanID()
	hex.Encode(b[:32], t[:])
	hex.Encode(b[32:], s[:])
	ids := string(b[:])
	return ids[:32], ids[32:]
}

// otelzapLogger logs with zap (JSON to w) through otelzap, which adds the
// span event.
func otelzapLogger(w io.Writer, with bool) logFunc {
	core := zapcore.NewCore(zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig()), zapcore.AddSync(w), zap.InfoLevel)
	zl := zap.New(core)
	if with {
		zl = zl.With(zap.String("service", "checkout"), zap.String("region", "eu-west-1"),
			zap.String("version", "1.4.2"), zap.String("pod", "checkout-7d9f"), zap.Int("tenant", 42)).
			With(zap.Namespace("req"))
	}
	l := otelzap.New(zl, otelzap.WithMinLevel(zap.InfoLevel), otelzap.WithTraceIDField(true))
	return func(ctx context.Context, value string) {
		fields := []zap.Field{
			zap.String("user", user), zap.Int("status", status), zap.Duration("latency", latency),
			zap.Bool("cached", cached), zap.Float64("ratio", ratio),
		}
		if value != "" {
			fields = append(fields, zap.String("body", value))
		}
		l.Ctx(ctx).Info("request done", fields...)
	}
}

// otelslogLogger is the Logs-API alternative: the contrib otelslog bridge
// into an SDK LoggerProvider with a batch processor, beside the JSON
// handler. Log lines reach a logs backend, and with bridge, also the span
// through slogspan's spanevents processor.
func otelslogLogger(w io.Writer, with, bridge bool) logFunc {
	var opts []sdklog.LoggerProviderOption
	if bridge {
		opts = append(opts, sdklog.WithProcessor(spanevents.NewProcessor(spanevents.WithAllRecords(true))))
	}
	opts = append(opts, sdklog.WithProcessor(sdklog.NewBatchProcessor(discardLogs{})))
	lp := sdklog.NewLoggerProvider(opts...)
	logs := otelslog.NewHandler("bench", otelslog.WithLoggerProvider(lp))
	return slogLogger(slog.NewMultiHandler(jsonNext(w), logs), with)
}

// discardLogs is a log exporter that drops what it gets.
type discardLogs struct{}

func (discardLogs) Export(context.Context, []sdklog.Record) error { return nil }
func (discardLogs) Shutdown(context.Context) error                { return nil }
func (discardLogs) ForceFlush(context.Context) error              { return nil }
