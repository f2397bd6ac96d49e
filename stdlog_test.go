package slogspan_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/exec"
	"regexp"
	"slices"
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

// After the install line, the log package's settings changed later
// (SetOutput, SetPrefix, SetFlags) reach slog's lines exactly as they
// reach them without slogspan: the same steps run in two children, one
// with plain slog, one with slogspan installed, and their slog lines
// must match. Each child ends by printing what its buffers got; anything
// before that on stderr went to the wrong writer.
func TestDefaultHandlerFollowsLaterLogSettings(t *testing.T) {
	switch os.Getenv(childEnv) {
	case "later-plain":
		laterChild(false)
		return
	case "later-wrapped":
		laterChild(true)
		return
	}
	plain := runChild(t, "TestDefaultHandlerFollowsLaterLogSettings", "later-plain")
	wrapped := runChild(t, "TestDefaultHandlerFollowsLaterLogSettings", "later-wrapped")

	stamp := regexp.MustCompile(`\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}(\.\d{6})? `)
	slogLines := func(out string) []string {
		var keep []string
		for l := range strings.SplitSeq(out, "\n") {
			if !strings.Contains(l, "log.Print") { // log.Print lines differ: slog.SetDefault clears log's flags
				keep = append(keep, stamp.ReplaceAllString(l, "STAMP "))
			}
		}
		return keep
	}
	want := []string{
		"buffer 1:",
		"app: STAMP INFO hello k=1",
		"STAMP app: WARN micro n=2",
		"buffer 2:",
		"app: stdlog_test.go:LINE: ERROR file",
		"app: STAMP INFO back k=3",
		"app: STAMP WARN bridged",
		"",
	}
	got := slogLines(wrapped)
	if p := slogLines(plain); !slices.Equal(p, got) {
		t.Errorf("slog lines differ from plain slog's:\nplain:\n%s\nwrapped:\n%s", plain, wrapped)
	}
	fileLine := regexp.MustCompile(`go:\d+:`)
	for i := range got {
		got[i] = fileLine.ReplaceAllString(got[i], "go:LINE:")
	}
	if !slices.Equal(got, want) {
		t.Errorf("wrapped child wrote:\n%s\nwant (stamps and line numbers masked):\n%s", wrapped, strings.Join(want, "\n"))
	}
	if !strings.Contains(wrapped, "log.Print line") {
		t.Errorf("log.Print's line is missing:\n%s", wrapped)
	}
}

func laterChild(wrap bool) {
	if wrap {
		slog.SetDefault(slog.New(slogspan.New(slog.Default().Handler())))
	}
	var buf1, buf2 bytes.Buffer
	log.SetOutput(&buf1)
	log.SetPrefix("app: ")
	slog.Info("hello", "k", 1)
	log.Print("log.Print line")
	log.SetFlags(log.Ldate | log.Lmicroseconds | log.Lmsgprefix)
	slog.Warn("micro", "n", 2)
	log.SetOutput(&buf2)
	log.SetFlags(log.Lshortfile)
	slog.Error("file")
	log.SetFlags(log.LstdFlags)
	slog.Info("back", "k", 3)
	// A line the log package hands to slog, as http.Server.ErrorLog does.
	slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn).Print("bridged")
	fmt.Fprintf(os.Stderr, "buffer 1:\n%sbuffer 2:\n%s", buf1.String(), buf2.String())
}
