// Package e2e runs slogspan, through setup and the OTLP exporters, against
// the OpenTelemetry Collector's own OTLP receiver on loopback, over gRPC
// and HTTP, and asserts on what the Collector received.
package e2e

import (
	"context"
	"errors"
	"io"
	"log"
	"maps"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/consumer/consumertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/receiver/otlpreceiver"
	"go.opentelemetry.io/collector/receiver/receivertest"
	"go.opentelemetry.io/otel"

	"github.com/slogspan/slogspan/setup"
)

func TestMain(m *testing.M) {
	// slog's default handler writes through the log package: the load
	// tests would flood the output.
	log.SetOutput(io.Discard)
	os.Exit(m.Run())
}

// collector is the Collector's OTLP receiver, listening on loopback, with
// sinks that keep what it received. It can be stopped and started again on
// the same ports, and made slow.
type collector struct {
	t                  testing.TB
	grpcAddr, httpAddr string
	traces             *consumertest.TracesSink
	logs               *consumertest.LogsSink
	delay              atomic.Int64 // nanoseconds each batch waits before it is accepted

	// movable: the addresses were picked free and never listened on, so
	// start may pick others when one was taken meanwhile (an outgoing
	// connection can get the same ephemeral port).
	movable bool

	mu      sync.Mutex
	running []interface{ Shutdown(context.Context) error }
}

func newCollector(t testing.TB) *collector {
	c := newCollectorAt(t, freeAddr(t), freeAddr(t))
	c.movable = true
	return c
}

// newCollectorAt returns a collector that will listen on the addresses
// given.
func newCollectorAt(t testing.TB, grpcAddr, httpAddr string) *collector {
	c := &collector{t: t, grpcAddr: grpcAddr, httpAddr: httpAddr,
		traces: new(consumertest.TracesSink), logs: new(consumertest.LogsSink)}
	t.Cleanup(c.stop)
	return c
}

// freeAddr returns a loopback address that nothing listens on.
func freeAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func (c *collector) start() {
	c.t.Helper()
	for attempt := 1; ; attempt++ {
		err := c.listen()
		if err == nil {
			c.movable = false // restarts keep the addresses the exporters use
			return
		}
		if !c.movable || attempt == 5 {
			c.t.Fatal(err)
		}
		c.grpcAddr, c.httpAddr = freeAddr(c.t), freeAddr(c.t)
	}
}

// listen starts the receivers on c's addresses; on an error, none is left
// running.
func (c *collector) listen() error {
	ctx := context.Background()
	f := otlpreceiver.NewFactory()
	cfg := f.CreateDefaultConfig().(*otlpreceiver.Config)
	cfg.Protocols.GRPC.GetOrInsertDefault().NetAddr.Endpoint = c.grpcAddr
	cfg.Protocols.HTTP.GetOrInsertDefault().ServerConfig.NetAddr.Endpoint = c.httpAddr
	set := receivertest.NewNopSettings(f.Type())

	tc, err := consumer.NewTraces(func(ctx context.Context, td ptrace.Traces) error {
		time.Sleep(time.Duration(c.delay.Load()))
		return c.traces.ConsumeTraces(ctx, td)
	})
	if err != nil {
		return err
	}
	lc, err := consumer.NewLogs(func(ctx context.Context, ld plog.Logs) error {
		time.Sleep(time.Duration(c.delay.Load()))
		return c.logs.ConsumeLogs(ctx, ld)
	})
	if err != nil {
		return err
	}
	tr, err := f.CreateTraces(ctx, set, cfg, tc)
	if err != nil {
		return err
	}
	lr, err := f.CreateLogs(ctx, set, cfg, lc)
	if err != nil {
		return err
	}
	if err := tr.Start(ctx, componenttest.NewNopHost()); err != nil {
		return errors.Join(err, tr.Shutdown(ctx))
	}
	if err := lr.Start(ctx, componenttest.NewNopHost()); err != nil {
		return errors.Join(err, lr.Shutdown(ctx), tr.Shutdown(ctx))
	}
	c.mu.Lock()
	c.running = append(c.running, tr, lr)
	c.mu.Unlock()
	return nil
}

func (c *collector) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, r := range c.running {
		if err := r.Shutdown(context.Background()); err != nil {
			c.t.Errorf("receiver shutdown: %v", err)
		}
	}
	c.running = nil
}

// endpoint is what OTEL_EXPORTER_OTLP_ENDPOINT points at for proto.
func (c *collector) endpoint(proto string) string {
	if proto == "grpc" {
		return "http://" + c.grpcAddr
	}
	return "http://" + c.httpAddr
}

// protocols are the two OTLP transports, as OTEL_EXPORTER_OTLP_PROTOCOL
// names them.
var protocols = []string{"grpc", "http/protobuf"}

// onEachProtocol runs test as a subtest for each OTLP protocol, with a new
// collector c, which listens once test calls c.start, and the errors the SDK
// reports collected in errs.
func onEachProtocol(t *testing.T, test func(t *testing.T, proto string, c *collector, errs *errorsSeen)) {
	for _, proto := range protocols {
		t.Run(proto, func(t *testing.T) {
			test(t, proto, newCollector(t), recordErrors(t))
		})
	}
}

// shutdownCleanly shuts down within ctx and fails the test if that fails,
// or if the SDK reported errors about c: an export refused, or lost.
func shutdownCleanly(ctx context.Context, t *testing.T, shutdown func(context.Context) error, c *collector, errs *errorsSeen) {
	t.Helper()
	if err := shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if e := errs.about(c); len(e) > 0 {
		t.Errorf("SDK reported %d errors, first: %v", len(e), e[0])
	}
}

// startSlogspan points setup's OTLP exporters at c over proto through the
// environment, as a user would, and starts it.
func startSlogspan(t *testing.T, c *collector, proto string, opts ...setup.Option) func(context.Context) error {
	t.Helper()
	return startSlogspanWith(t, c, proto, nil, opts...)
}

// startSlogspanWith is startSlogspan with the variables in sizing set too.
func startSlogspanWith(t *testing.T, c *collector, proto string, sizing map[string]string, opts ...setup.Option) func(context.Context) error {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "OTEL_") {
			t.Setenv(k, "")
			if err := os.Unsetenv(k); err != nil {
				t.Fatal(err)
			}
		}
	}
	env := map[string]string{
		"OTEL_SERVICE_NAME":           "e2e",
		"OTEL_TRACES_EXPORTER":        "otlp",
		"OTEL_LOGS_EXPORTER":          "otlp",
		"OTEL_EXPORTER_OTLP_PROTOCOL": proto,
		"OTEL_EXPORTER_OTLP_ENDPOINT": c.endpoint(proto),
		"OTEL_EXPORTER_OTLP_INSECURE": "true",
		"OTEL_EXPORTER_OTLP_TIMEOUT":  "10000",
		"OTEL_BSP_SCHEDULE_DELAY":     "100",
		"OTEL_BLRP_EXPORT_TIMEOUT":    "10000",
		"OTEL_BLRP_SCHEDULE_DELAY":    "100",
	}
	maps.Copy(env, sizing)
	for k, v := range env {
		t.Setenv(k, v)
	}
	// Start installs its own error handler; what it reports goes on to the
	// one the test installed.
	prev := otel.GetErrorHandler()
	opts = append(opts, setup.WithErrorHandler(prev.Handle))
	shutdown, err := setup.Start(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return shutdown
}

// errorsSeen collects what the SDK reports to otel.Handle during a test.
type errorsSeen struct {
	mu   sync.Mutex
	errs []error
}

func recordErrors(t *testing.T) *errorsSeen {
	e := &errorsSeen{}
	prev := otel.GetErrorHandler()
	otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) {
		e.mu.Lock()
		e.errs = append(e.errs, err)
		e.mu.Unlock()
	}))
	t.Cleanup(func() { otel.SetErrorHandler(prev) })
	return e
}

// about returns the errors seen, less those that name another loopback
// address: an earlier test's exporter can still be retrying against its
// stopped receiver, and reports to the global error handler.
func (e *errorsSeen) about(c *collector) []error {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []error
	for _, err := range e.errs {
		msg := err.Error()
		if strings.Contains(msg, "127.0.0.1:") && !strings.Contains(msg, c.grpcAddr) && !strings.Contains(msg, c.httpAddr) {
			continue
		}
		out = append(out, err)
	}
	return out
}

// span is a received span, flattened.
type span struct {
	name            string
	traceID, spanID string
	attrs           map[string]pcommon.Value
	events          []event
}

type event struct {
	name  string
	attrs map[string]pcommon.Value
}

// logRecord is a received log record, flattened.
type logRecord struct {
	body            string
	traceID, spanID string
	attrs           map[string]pcommon.Value
}

func attrMap(m pcommon.Map) map[string]pcommon.Value {
	out := make(map[string]pcommon.Value, m.Len())
	for k, v := range m.All() {
		out[k] = v
	}
	return out
}

func (c *collector) spans() []span {
	var out []span
	for _, td := range c.traces.AllTraces() {
		for _, rs := range td.ResourceSpans().All() {
			for _, ss := range rs.ScopeSpans().All() {
				for _, s := range ss.Spans().All() {
					sp := span{name: s.Name(), traceID: s.TraceID().String(), spanID: s.SpanID().String(), attrs: attrMap(s.Attributes())}
					for _, e := range s.Events().All() {
						sp.events = append(sp.events, event{name: e.Name(), attrs: attrMap(e.Attributes())})
					}
					out = append(out, sp)
				}
			}
		}
	}
	return out
}

func (c *collector) logRecords() []logRecord {
	var out []logRecord
	for _, ld := range c.logs.AllLogs() {
		for _, rl := range ld.ResourceLogs().All() {
			for _, sl := range rl.ScopeLogs().All() {
				for _, r := range sl.LogRecords().All() {
					out = append(out, logRecord{body: r.Body().AsString(), traceID: r.TraceID().String(),
						spanID: r.SpanID().String(), attrs: attrMap(r.Attributes())})
				}
			}
		}
	}
	return out
}

// spansNamed returns the received spans whose name starts with prefix.
func (c *collector) spansNamed(prefix string) []span {
	var out []span
	for _, s := range c.spans() {
		if strings.HasPrefix(s.name, prefix) {
			out = append(out, s)
		}
	}
	return out
}

// eventually polls cond until it holds or timeout passes.
func eventually(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cond()
}

// latencies records how long logging calls take.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) time(f func()) {
	start := time.Now()
	f()
	d := time.Since(start)
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// quantile returns the q-quantile, 0 <= q <= 1.
func (l *latencies) quantile(q float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return 0
	}
	d := append([]time.Duration(nil), l.d...)
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	return d[int(q*float64(len(d)-1))]
}

// A port picked free can be taken before the receiver listens on it: the
// collector then listens elsewhere, as long as no exporter was told where.
func TestCollectorMovesOffATakenPort(t *testing.T) {
	c := newCollector(t)
	ln, err := net.Listen("tcp", c.grpcAddr)
	if err != nil {
		t.Skipf("the port was taken before the test could take it: %v", err)
	}
	defer ln.Close()
	taken := c.grpcAddr
	c.start()
	if c.grpcAddr == taken {
		t.Fatalf("the collector claims %s, which the test holds", taken)
	}
	conn, err := net.Dial("tcp", c.grpcAddr)
	if err != nil {
		t.Fatalf("nothing listens on the new address: %v", err)
	}
	if err := conn.Close(); err != nil {
		t.Error(err)
	}
}
