package console_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/console"
	"github.com/slogspan/slogspan/spanevents"
)

func TestMissingSpansPrintedAfterTheLastTrace(t *testing.T) {
	var out bytes.Buffer
	exp := console.New(&out, console.WithColor(false))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()), sdktrace.WithSyncer(exp))
	h := slogspan.New(slog.NewTextHandler(io.Discard, nil), slogspan.WithMissingSpans(true))
	exp.ShowMissingSpans(h.MissingSpans)
	l := slog.New(h)

	ctx, span := tp.Tracer("t").Start(context.Background(), "request")
	l.InfoContext(ctx, "in the span")
	for range 2 {
		l.Info("no context") // the hole
	}
	span.End()
	l.InfoContext(ctx, "too late")
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	text := out.String()
	trace := strings.Index(text, "request")
	report := strings.Index(text, "log lines that reached no span")
	if trace < 0 || report < trace {
		t.Fatalf("the report does not follow the trace:\n%s", text)
	}
	for _, want := range []string{
		"2 × console_test.TestMissingSpansPrintedAfterTheLastTrace  console/missing_test.go:",
		"no span in the context",
		"1 × console_test.TestMissingSpansPrintedAfterTheLastTrace",
		"the span had ended",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
}

func TestNoMissingSpansNoReport(t *testing.T) {
	var out bytes.Buffer
	exp := console.New(&out, console.WithColor(false))
	exp.ShowMissingSpans(func() []slogspan.MissingSpan { return nil })
	if err := exp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if out.Len() != 0 {
		t.Errorf("an empty report printed %q", out.String())
	}
}
