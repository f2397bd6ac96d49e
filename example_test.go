package slogspan_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/slogspan/slogspan"
)

func ExampleNew() {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))

	// Wrap the handler you already have. (Time and ids are left out of the
	// text output here only to keep the example's output fixed.)
	text := slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{ReplaceAttr: hideTimeAndIDs})
	logger := slog.New(slogspan.New(text))

	ctx, span := tp.Tracer("shop").Start(context.Background(), "checkout")
	logger.InfoContext(ctx, "charged card", "amount", 42, slog.Group("card", "last4", "4242"))
	span.End()

	printEvents(rec)
	// Output:
	// level=INFO msg="charged card" amount=42 card.last4=4242
	// checkout: charged card {level=INFO amount=42 card.last4=4242}
}

func ExampleWithLimits() {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	logger := slog.New(slogspan.New(slog.DiscardHandler,
		slogspan.WithEventLevel(slog.LevelInfo),
		slogspan.WithLimits(slogspan.Limits{MaxValueBytes: 40})))

	ctx, span := tp.Tracer("llm").Start(context.Background(), "generate")
	logger.InfoContext(ctx, "prompt", "text", strings.Repeat("Summarize the following. ", 40))
	span.End()

	printEvents(rec)
	// Output:
	// generate: prompt {level=INFO text=Summarize the …[truncated: 1000 bytes]}
}

func hideTimeAndIDs(groups []string, a slog.Attr) slog.Attr {
	switch a.Key {
	case slog.TimeKey, slogspan.TraceIDKey, slogspan.SpanIDKey:
		if len(groups) == 0 {
			return slog.Attr{}
		}
	}
	return a
}

func printEvents(rec *tracetest.SpanRecorder) {
	for _, s := range rec.Ended() {
		for _, e := range s.Events() {
			var kvs []string
			for _, kv := range e.Attributes {
				kvs = append(kvs, string(kv.Key)+"="+kv.Value.String())
			}
			fmt.Printf("%s: %s {%s}\n", s.Name(), e.Name, strings.Join(kvs, " "))
		}
	}
}
