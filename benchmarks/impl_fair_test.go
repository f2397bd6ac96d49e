package benchmarks_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
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
			src := newSpanSource(t, shape{perSpan: 1}, im, sdktrace.WithSpanProcessor(rec))
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

// TestFloorWritesWhatSlogspanWrites checks that the floor does the work
// the output needs, no less: the same JSON line (time aside) and the same
// event, a cut value aside, as slogspan's for each shape.
func TestFloorWritesWhatSlogspanWrites(t *testing.T) {
	byName := map[string]impl{}
	for _, im := range impls {
		byName[im.name] = im
	}
	for _, s := range []shape{
		{name: "plain", perSpan: 1},
		{name: "with-group", perSpan: 1, with: true},
		{name: "big-value", perSpan: 1, valueSize: 5000},
	} {
		t.Run(s.name, func(t *testing.T) {
			var lines []map[string]any
			var events [][]attribute.KeyValue
			for _, name := range []string{"floor", "slogspan"} {
				rec := tracetest.NewSpanRecorder()
				src := newSpanSource(t, s, byName[name], sdktrace.WithSpanProcessor(rec))
				var out bytes.Buffer
				log := byName[name].build(&out, s.with)
				log(src.next(), strings.Repeat("v", s.valueSize))
				src.end()
				var line map[string]any
				if err := json.Unmarshal(out.Bytes(), &line); err != nil {
					t.Fatalf("%s: %v: %s", name, err, out.String())
				}
				delete(line, "time")
				delete(line, "trace_id")
				delete(line, "span_id")
				delete(line, "log.record.uid") // slogspan's link to the cut value
				lines = append(lines, line)
				var kvs []attribute.KeyValue
				for _, kv := range rec.Ended()[0].Events()[0].Attributes {
					if kv.Key == "log.record.uid" {
						continue
					}
					if strings.HasSuffix(string(kv.Key), "body") {
						// Both cut it to about 1 KiB; the markers differ.
						if n := len(kv.Value.AsString()); n < 1000 || n > 1024 {
							t.Errorf("%s: body on the event is %d bytes", name, n)
						}
						continue
					}
					kvs = append(kvs, kv)
				}
				events = append(events, kvs)
			}
			if fmt.Sprint(lines[0]) != fmt.Sprint(lines[1]) {
				t.Errorf("lines differ:\nfloor:    %v\nslogspan: %v", lines[0], lines[1])
			}
			if fmt.Sprint(events[0]) != fmt.Sprint(events[1]) {
				t.Errorf("events differ:\nfloor:    %v\nslogspan: %v", events[0], events[1])
			}
		})
	}
}
