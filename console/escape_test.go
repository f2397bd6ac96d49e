package console_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/slogspan/slogspan/console"
)

// rawControl returns the control bytes in out other than newlines: what
// would reach the terminal as commands.
func rawControl(out string) []byte {
	var found []byte
	for i := range len(out) {
		if c := out[i]; (c < 0x20 && c != '\n') || c == 0x7f {
			found = append(found, c)
		}
	}
	return found
}

func TestControlCharactersAreEscaped(t *testing.T) {
	spans := tracetest.SpanStubs{{
		Name: "\x1b]0;pwned\x07", SpanContext: sc(1, false), StartTime: at(0), EndTime: at(10),
		Status: sdktrace.Status{Code: codes.Error, Description: "bad\x1b[2Jthing"},
		Events: []sdktrace.Event{{Name: "clear\x1b[2J", Time: at(1), Attributes: []attribute.KeyValue{
			attribute.String("level", "INFO\r"),
			attribute.String("key\rover", "value\bback"),
			attribute.String("note", "\u202eevil"),
			attribute.StringSlice("list", []string{"a\x1bb"}),
			attribute.String("cut", "x…[truncated:\x1b[2J 9 bytes]"),
			attribute.String("bytes", "a\xffb"),
		}}},
	}}.Snapshots()
	var out bytes.Buffer
	exp := console.New(&out, console.WithColor(false))
	if err := exp.ExportSpans(context.Background(), spans); err != nil {
		t.Fatal(err)
	}
	var rec sdklog.Record
	rec.SetBody(attribute.StringValue("log body\x1b]0;t\x07"))
	rec.SetSeverityText("INFO\x1b[2J")
	logs := console.NewLogExporter(&out, console.WithColor(false))
	if err := logs.Export(context.Background(), []sdklog.Record{rec}); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	if c := rawControl(got); len(c) > 0 {
		t.Errorf("raw control bytes %q reach the terminal:\n%s", c, got)
	}
	for _, want := range []string{`\u001b]0;pwned\u0007`, `clear\u001b[2J`, `key\u000dover`, `bad\u001b[2Jthing`,
		`log body\u001b]0;t\u0007`, `\u202e`, `bytes=a\xffb`} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "\u202e") || strings.Contains(got, "\xff") {
		t.Error("a bidirectional override or an invalid byte reaches the terminal")
	}
}

func TestPendingTracesAreBounded(t *testing.T) {
	var out bytes.Buffer
	exp := console.New(&out, console.WithColor(false), console.WithMaxPendingSpans(10))
	// The root, span 1, runs around everything and never ends here.
	for i := range 25 {
		child := tracetest.SpanStubs{{
			Name: fmt.Sprintf("step %02d", i), SpanContext: sc(byte(i+2), false), Parent: sc(1, false),
			StartTime: at(float64(i)), EndTime: at(float64(i) + 0.5),
		}}
		if err := exp.ExportSpans(context.Background(), child.Snapshots()); err != nil {
			t.Fatal(err)
		}
	}
	printed := out.String()
	n := 0
	for i := range 25 {
		if strings.Contains(printed, fmt.Sprintf("step %02d", i)) {
			n++
		}
	}
	if n < 15 || !strings.Contains(printed, "partial: 11 spans printed before their root ended") {
		t.Fatalf("before Shutdown, %d of 25 spans printed, want at least 15 in partial traces:\n%s", n, printed)
	}
	if err := exp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	for i := range 25 {
		if !strings.Contains(out.String(), fmt.Sprintf("step %02d", i)) {
			t.Errorf("step %02d was never printed", i)
		}
	}
}
