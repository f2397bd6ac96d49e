package console_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan/console"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var (
	traceID = trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	t0      = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
)

func sc(id byte, remote bool) trace.SpanContext {
	return trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: traceID, SpanID: trace.SpanID{0, 0, 0, 0, 0, 0, 0, id},
		TraceFlags: trace.FlagsSampled, Remote: remote,
	})
}

func at(ms float64) time.Time { return t0.Add(time.Duration(ms * float64(time.Millisecond))) }

// checkout: a root with two children, one with a grandchild, events with a
// cut value and a diverted payload's uid.
func checkoutTrace() []sdktrace.ReadOnlySpan {
	return tracetest.SpanStubs{
		{
			Name: "call bank", SpanContext: sc(3, false), Parent: sc(2, false),
			StartTime: at(15), EndTime: at(45),
			Events: []sdktrace.Event{{Name: "request sent", Time: at(16), Attributes: []attribute.KeyValue{
				attribute.String("level", "DEBUG"), attribute.String("url", "https://bank.example/charge")}}},
		},
		{
			Name: "charge card", SpanContext: sc(2, false), Parent: sc(1, false),
			StartTime: at(10), EndTime: at(50.1),
			Status: sdktrace.Status{Code: codes.Error, Description: "card declined"},
			Events: []sdktrace.Event{
				{Name: "charging", Time: at(12), Attributes: []attribute.KeyValue{
					attribute.String("level", "INFO"), attribute.Int("amount", 42), attribute.String("card.last4", "4242")}},
				{Name: "card declined", Time: at(49), Attributes: []attribute.KeyValue{
					attribute.String("level", "ERROR"), attribute.String("err", "insufficient funds"),
					attribute.String("body", "{\"reason\":…[truncated: 52311 bytes]"),
					attribute.String("log.record.uid", "01JD3V9X0000000000000000AB")}},
			},
		},
		{
			Name: "send email", SpanContext: sc(4, false), Parent: sc(1, false),
			StartTime: at(60), EndTime: at(65),
		},
		{
			Name: "checkout", SpanContext: sc(1, false),
			StartTime: at(0), EndTime: at(120.3),
			Status: sdktrace.Status{Code: codes.Ok},
			Events: []sdktrace.Event{{Name: "order placed", Time: at(1), Attributes: []attribute.KeyValue{
				attribute.String("level", "INFO"), attribute.Int("items", 3)}}},
		},
	}.Snapshots()
}

func TestGolden(t *testing.T) {
	var buf bytes.Buffer
	exp := console.New(&buf)
	spans := checkoutTrace()
	// Children first, in two batches, as a batch processor delivers them.
	if err := exp.ExportSpans(context.Background(), spans[:2]); err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 {
		t.Fatalf("printed before the root ended:\n%s", buf.String())
	}
	if err := exp.ExportSpans(context.Background(), spans[2:]); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "checkout.golden", buf.Bytes())
	// The package documentation shows this output.
	src, err := os.ReadFile("console.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		if !bytes.Contains(src, []byte("//\t"+line+"\n")) {
			t.Errorf("the package documentation lacks the line %q", line)
		}
	}
	if bytes.Contains(buf.Bytes(), []byte("\x1b[")) {
		t.Error("color written to a non-terminal")
	}
}

func TestOrphansPrintedOnShutdown(t *testing.T) {
	var buf bytes.Buffer
	exp := console.New(&buf)
	spans := checkoutTrace()
	_ = exp.ExportSpans(context.Background(), spans[:3]) // no root
	if buf.Len() != 0 {
		t.Fatalf("printed without a root:\n%s", buf.String())
	}
	if err := exp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"charge card", "call bank", "send email"} {
		if !strings.Contains(buf.String(), name) {
			t.Errorf("%q missing after shutdown:\n%s", name, buf.String())
		}
	}
	if err := exp.Shutdown(context.Background()); err != nil {
		t.Errorf("second shutdown: %v", err)
	}
}

func TestRemoteParentIsARoot(t *testing.T) {
	var buf bytes.Buffer
	exp := console.New(&buf)
	spans := tracetest.SpanStubs{{
		Name: "GET /items", SpanContext: sc(7, false), Parent: sc(6, true), StartTime: at(0), EndTime: at(3),
	}}.Snapshots()
	_ = exp.ExportSpans(context.Background(), spans)
	if !strings.Contains(buf.String(), "GET /items") {
		t.Errorf("a span with a remote parent was not printed:\n%s", buf.String())
	}
}

func TestColor(t *testing.T) {
	var buf bytes.Buffer
	exp := console.New(&buf, console.WithColor(true))
	_ = exp.ExportSpans(context.Background(), checkoutTrace())
	if !bytes.Contains(buf.Bytes(), []byte("\x1b[31mERROR card declined\x1b[0m")) {
		t.Errorf("no color with WithColor(true):\n%q", buf.String())
	}
}

func TestLogExporter(t *testing.T) {
	var buf bytes.Buffer
	exp := console.NewLogExporter(&buf)
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewSimpleProcessor(exp)))
	t.Cleanup(func() { _ = lp.Shutdown(context.Background()) })

	// A record as the otelslog bridge emits a diverted payload.
	var r log.Record
	r.SetBody(attribute.StringValue("prompt"))
	r.SetSeverity(log.SeverityInfo)
	r.SetSeverityText("INFO")
	r.AddAttributes(
		attribute.String("log.record.uid", "01JD3V9X0000000000000000AB"),
		attribute.String("text", strings.Repeat("x", 5*1024-10)),
		attribute.String("note", "two\nlines \x1b[2J"),
		attribute.Int("n", 7),
	)
	ctx := trace.ContextWithSpanContext(context.Background(), sc(2, false))
	lp.Logger("test").Emit(ctx, r)

	// The summary, then every value in full, one attribute a line.
	want := "log 01JD3V9X0000000000000000AB INFO prompt (3 attributes, 5.0 KiB, trace 4bf92f3577b34da6a3ce929d0e0e4736 span 0000000000000002)\n" +
		"    text=" + strings.Repeat("x", 5*1024-10) + "\n" +
		`    note="two\nlines \x1b[2J"` + "\n" +
		"    n=7\n"
	if buf.String() != want {
		t.Errorf("log lines = %q\nwant        %q", buf.String(), want)
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s:\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}
