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
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/setup"
)

// What a user must size so that nothing is dropped under this load, set
// here through setup's options (or OTEL_BSP_* and OTEL_BLRP_*):
//   - the span queue holds every span that can end between two exports;
//   - the log queue holds every record diverted between two exports;
//   - a span export batch stays under the receiver's message limit (gRPC:
//     4 MiB): setup's default of 32 spans, each with at most MaxSpanBytes
//     (64 KiB) of events, does. The SDK's own 512 does not.
var loadSizing = []setup.Option{
	setup.WithSpanBatch(sdktrace.WithMaxQueueSize(8192)),
	setup.WithLogBatch(sdklog.WithMaxQueueSize(65536), sdklog.WithExportMaxBatchSize(512)),
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
	shutdown := startSlogspan(t, c, proto, loadSizing...)

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
