package benchmarks_test

import (
	"bytes"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

// TestEveryImplementationDoesTheWork checks that the benchmarks compare
// like with like: each implementation that claims to put log lines on
// spans does, and each writes the JSON line with the trace id.
func TestEveryImplementationDoesTheWork(t *testing.T) {
	for _, im := range impls {
		t.Run(im.name, func(t *testing.T) {
			rec := tracetest.NewSpanRecorder()
			src := newSpanSource(t, shape{perSpan: 1}, sdktrace.WithSpanProcessor(rec))
			var out bytes.Buffer
			log := im.build(&out, false)
			ctx := src.next()
			log(ctx, "")
			src.end()
			traceID := rec.Ended()[0].SpanContext().TraceID().String()
			if !strings.Contains(out.String(), "request done") || (!im.noIDs && !strings.Contains(out.String(), traceID)) {
				t.Errorf("the JSON line lacks the message or trace id %s: %s", traceID, out.String())
			}
			events := len(rec.Ended()[0].Events())
			if im.events && events != 1 {
				t.Errorf("%d events on the span, want 1", events)
			}
			if !im.events && events != 0 {
				t.Errorf("%d events on the span, want none", events)
			}
		})
	}
}
