package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan"
)

// What a user must size so that nothing is dropped under this load, set
// through OTEL_BSP_* and OTEL_BLRP_*:
//   - the span queue holds every span that can end between two exports;
//   - the log queue holds every record diverted between two exports;
//   - a span export batch stays under the receiver's message limit (gRPC:
//     4 MiB): setup's default of 32 spans, each with at most MaxSpanBytes
//     (64 KiB) of events, does. The SDK's own 512 does not.
var loadSizing = map[string]string{
	"OTEL_BSP_MAX_QUEUE_SIZE":         "8192",
	"OTEL_BLRP_MAX_QUEUE_SIZE":        "65536",
	"OTEL_BLRP_MAX_EXPORT_BATCH_SIZE": "512",
}

func TestLoad(t *testing.T) {
	onEachProtocol(t, runLoad)
}

func runLoad(t *testing.T, proto string, c *collector, errs *errorsSeen) {
	const (
		workers      = 32
		perWorker    = 5000
		perSpan      = 125 // over the default budget of 100 events a span
		spansPerWork = perWorker / perSpan
		bigEvery     = 25 // every 25th record carries a value to cut
	)
	c.start()
	shutdown := startSlogspanWith(t, c, proto, loadSizing)

	big := strings.Repeat("b", 3000)
	tracer := otel.Tracer("e2e-load")
	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			l := slog.Default().With("worker", w)
			for s := range spansPerWork {
				ctx, sp := tracer.Start(context.Background(), fmt.Sprintf("load-%02d-%02d", w, s))
				for i := range perSpan {
					if i%bigEvery == 0 {
						l.InfoContext(ctx, "record", "i", i, "body", big)
					} else {
						l.InfoContext(ctx, "record", "i", i)
					}
				}
				sp.End()
			}
		})
	}
	wg.Wait()
	logged := time.Since(start)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	shutdownCleanly(ctx, t, shutdown, c, errs)
	t.Logf("%d records in %v (%.0f records/s), flushed after %v",
		workers*perWorker, logged, float64(workers*perWorker)/logged.Seconds(), time.Since(start))

	spans := c.spansNamed("load-")
	if len(spans) != workers*spansPerWork {
		t.Fatalf("received %d spans, want %d", len(spans), workers*spansPerWork)
	}
	diverted := map[string]int{} // span id -> diverted records received
	for _, r := range c.logRecords() {
		if _, ok := r.attrs[slogspan.UIDKey]; ok {
			diverted[r.spanID]++
		}
	}
	var events, dropped, withUID int
	for _, s := range spans {
		e := len(s.events)
		d := int(s.attrs[slogspan.DroppedEventsKey].Int())
		u := 0
		for _, ev := range s.events {
			if _, ok := ev.attrs[slogspan.UIDKey]; ok {
				u++
			}
		}
		// Every record is an event, or counted as dropped; every dropped
		// or cut record arrived whole on the logs pipeline.
		if e+d != perSpan {
			t.Errorf("span %s: %d events + %d dropped != %d records", s.name, e, d, perSpan)
		}
		if diverted[s.spanID] != d+u {
			t.Errorf("span %s: %d diverted records received, want %d dropped + %d cut", s.name, diverted[s.spanID], d, u)
		}
		events, dropped, withUID = events+e, dropped+d, withUID+u
	}
	t.Logf("%d events (%d of them cut), %d dropped from spans, %d records diverted", events, withUID, dropped, dropped+withUID)
}

func TestSpanBatchesStayUnderTheGRPCMessageLimit(t *testing.T) {
	// The README's "Sizing": spans full of events (MaxSpanBytes, 64 KiB,
	// each), 32 a request as setup sends them, stay under the Collector's
	// 4 MiB gRPC message limit; 512 a request, the SDK's default, make a
	// request it refuses with ResourceExhausted.
	for _, c := range []struct {
		name    string
		sizing  map[string]string
		refused bool
	}{
		{"setup's 32 spans a request", nil, false},
		{"the SDK's 512", map[string]string{"OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "512"}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			col := newCollector(t)
			col.start()
			errs := recordErrors(t)
			shutdown := startSlogspanWith(t, col, "grpc", c.sizing)
			const spans = 128
			value := strings.Repeat("v", 1000)
			tracer := otel.Tracer("e2e-sizing")
			var ended []trace.Span
			for s := range spans {
				ctx, sp := tracer.Start(context.Background(), fmt.Sprintf("full-%03d", s))
				for i := range 70 { // past the span's 64 KiB
					slog.InfoContext(ctx, "record", "i", i, "v", value)
				}
				ended = append(ended, sp)
			}
			for _, sp := range ended { // together, so that they share requests
				sp.End()
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if !c.refused {
				shutdownCleanly(ctx, t, shutdown, col, errs)
				got := col.spansNamed("full-")
				if len(got) != spans {
					t.Errorf("received %d spans, want %d", len(got), spans)
				}
				for _, s := range got {
					if len(s.events) < 60 { // about 1 KB each: the span is full
						t.Fatalf("span %s has %d events, want it full", s.name, len(s.events))
					}
				}
				return
			}
			err := shutdown(ctx)
			if err == nil || !strings.Contains(err.Error(), "ResourceExhausted") {
				t.Errorf("shutdown: %v, want the traces refused with ResourceExhausted", err)
			}
		})
	}
}
