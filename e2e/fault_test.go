package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
)

// The fault tests check what a service feels when its backend is down or
// slow: logging calls never wait on the network, nothing panics, shutdown
// keeps its deadline, and what is logged once the backend is back arrives.

const (
	// maxCall bounds one logging call while the exporter, whose timeout is
	// 10 s, waits on the network.
	maxCall = 100 * time.Millisecond
	// arrival bounds how long data logged after a recovery may take to
	// arrive: the exporters' retry backoff is part of it.
	arrival = 90 * time.Second
	// shutdownDeadline is the deadline given to shutdown.
	shutdownDeadline = 5 * time.Second
)

// perSpan is how many records each span of a phase takes.
const perSpan = 20

// phase logs spans×perSpan records, a quarter of them with a value to cut,
// each span named phase-NNN, timing every call.
func phase(lat *latencies, name string, spans int) {
	big := strings.Repeat("p", 2000)
	tracer := otel.Tracer("e2e-fault")
	for s := range spans {
		ctx, sp := tracer.Start(context.Background(), fmt.Sprintf("%s-%03d", name, s))
		for i := range perSpan {
			if i%4 == 0 {
				lat.time(func() { slog.InfoContext(ctx, "record", "i", i, "body", big) })
			} else {
				lat.time(func() { slog.InfoContext(ctx, "record", "i", i) })
			}
		}
		sp.End()
	}
}

// arrived reports whether every span of the phase and all its diverted
// records were received.
func (c *collector) arrived(name string, spans int) bool {
	got := c.spansNamed(name + "-")
	if len(got) != spans {
		return false
	}
	ids := map[string]bool{}
	for _, s := range got {
		if len(s.events) != perSpan {
			return false
		}
		ids[s.spanID] = true
	}
	diverted := 0
	for _, r := range c.logRecords() {
		if ids[r.spanID] {
			diverted++
		}
	}
	return diverted == spans*((perSpan+3)/4)
}

// waitArrived fails the test unless the phase arrives in time.
func (c *collector) waitArrived(t *testing.T, name string, spans int) {
	t.Helper()
	start := time.Now()
	if !eventually(arrival, func() bool { return c.arrived(name, spans) }) {
		t.Fatalf("phase %q did not arrive within %v: %d of %d spans", name, arrival, len(c.spansNamed(name+"-")), spans)
	}
	t.Logf("phase %q arrived after %v", name, time.Since(start).Round(time.Millisecond))
}

// checkCalls fails the test if a logging call took over maxCall, and logs
// the distribution.
func checkCalls(t *testing.T, lat *latencies) {
	t.Helper()
	p50, p99, worst := lat.quantile(0.5), lat.quantile(0.99), lat.quantile(1)
	t.Logf("%d logging calls: p50 %v, p99 %v, max %v", len(lat.d), p50, p99, worst)
	if worst > maxCall {
		t.Errorf("a logging call took %v, over %v: it waited on the network", worst, maxCall)
	}
}

// shutdownInTime shuts down with shutdownDeadline and fails the test if
// that takes much longer. An error is expected when data is still stuck.
func shutdownInTime(t *testing.T, shutdown func(context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), shutdownDeadline)
	defer cancel()
	start := time.Now()
	err := shutdown(ctx)
	took := time.Since(start)
	t.Logf("shutdown took %v, error: %v", took.Round(time.Millisecond), err)
	if took > shutdownDeadline+time.Second {
		t.Errorf("shutdown took %v with a %v deadline", took, shutdownDeadline)
	}
}

func TestFaultReceiverNotListeningAtStart(t *testing.T) {
	onEachProtocol(t, func(t *testing.T, proto string, c *collector, _ *errorsSeen) {
		// c does not listen yet: its ports are free.
		shutdown := startSlogspan(t, c, proto)
		lat := &latencies{}

		phase(lat, "down", 20)
		time.Sleep(300 * time.Millisecond) // let an export fail
		c.start()
		phase(lat, "back", 20)
		c.waitArrived(t, "back", 20)

		checkCalls(t, lat)
		shutdownInTime(t, shutdown)
	})
}

func TestFaultReceiverRestarted(t *testing.T) {
	onEachProtocol(t, func(t *testing.T, proto string, c *collector, _ *errorsSeen) {
		c.start()
		shutdown := startSlogspan(t, c, proto)
		lat := &latencies{}

		phase(lat, "before", 10)
		c.waitArrived(t, "before", 10)
		c.stop()
		phase(lat, "stopped", 20)
		time.Sleep(300 * time.Millisecond)
		c.start()
		phase(lat, "restarted", 20)
		c.waitArrived(t, "restarted", 20)

		checkCalls(t, lat)
		shutdownInTime(t, shutdown)
	})
}

func TestFaultSlowReceiver(t *testing.T) {
	onEachProtocol(t, func(t *testing.T, proto string, c *collector, _ *errorsSeen) {
		c.delay.Store(int64(time.Second))
		c.start()
		shutdown := startSlogspan(t, c, proto)
		lat := &latencies{}

		phase(lat, "slow", 40)
		c.waitArrived(t, "slow", 40)

		// Slower than the shutdown deadline: shutdown must still keep it.
		c.delay.Store(int64(shutdownDeadline + 2*time.Second))
		phase(lat, "stuck", 10)
		checkCalls(t, lat)
		shutdownInTime(t, shutdown)
	})
}
