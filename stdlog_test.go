package slogspan_test

import (
	"context"
	"log"
	"log/slog"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/spanevents"
)

// The install line users write must neither deadlock nor change the
// format. It changes process-wide state (slog's default, the log package's
// output), so it runs in a child process, under a time limit that turns a
// deadlock into a failure.

const childEnv = "SLOGSPAN_TEST_CHILD"

func TestDefaultHandlerInstall(t *testing.T) {
	if os.Getenv(childEnv) == "install" {
		installChild()
		return
	}
	out := runChild(t, "TestDefaultHandlerInstall", "install")

	stamp := `\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} `
	ids := `trace_id=[0-9a-f]{32} span_id=[0-9a-f]{16}`
	want := []string{
		stamp + `INFO before k=1`,
		stamp + `INFO hello k=1`,
		stamp + `INFO plain`,
		stamp + `INFO in span ` + ids + ` k=1`,
		stamp + `INFO grouped ` + ids + ` g\.k=1`,
		stamp + `ERROR failed err="no \\"luck\\""`,
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(want), out)
	}
	for i, w := range want {
		if !regexp.MustCompile("^" + w + "$").MatchString(lines[i]) {
			t.Errorf("line %d = %q, want match for %q", i, lines[i], w)
		}
	}
}

func installChild() {
	slog.Info("before", "k", 1)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()))
	slog.SetDefault(slog.New(slogspan.New(slog.Default().Handler())))
	slog.Info("hello", "k", 1)
	log.Print("plain")
	ctx, span := tp.Tracer("child").Start(context.Background(), "op")
	slog.InfoContext(ctx, "in span", "k", 1)
	slog.Default().WithGroup("g").InfoContext(ctx, "grouped", "k", 1)
	slog.Error("failed", "err", `no "luck"`)
	span.End()
}

func TestDefaultHandlerInstallKeepsFlagsAndPrefix(t *testing.T) {
	if os.Getenv(childEnv) == "flags" {
		flagsChild()
		return
	}
	out := runChild(t, "TestDefaultHandlerInstallKeepsFlagsAndPrefix", "flags")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 || lines[0] != lines[1] {
		t.Fatalf("output before and after install differ:\n%s", out)
	}
	if !regexp.MustCompile(`^stdlog_test\.go:\d+: app: WARN same n=2 g\.s="a b"$`).MatchString(lines[0]) {
		t.Errorf("unexpected format %q", lines[0])
	}
}

func flagsChild() {
	log.SetFlags(log.Lshortfile | log.Lmsgprefix)
	log.SetPrefix("app: ")
	logSame := func() { slog.Warn("same", "n", 2, slog.Group("g", "s", "a b")) }
	logSame()
	slog.SetDefault(slog.New(slogspan.New(slog.Default().Handler())))
	logSame()
}

// runChild runs this test binary's test named name with childEnv=mode and
// returns what the child wrote to stderr, where the log package writes.
func runChild(t *testing.T, name, mode string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^"+name+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+mode)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("child did not finish in time (deadlock?); stderr:\n%s", stderr.String())
	}
	if err != nil {
		t.Fatalf("child failed: %v\n%s", err, stderr.String())
	}
	return stderr.String()
}
