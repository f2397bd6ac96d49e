// Package examples_test builds and runs every example, so none can rot.
package examples_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// gobin is the go command of the toolchain running the tests: go test puts
// that toolchain's bin directory first in PATH, also when GOTOOLCHAIN chose
// it.
const gobin = "go"

// run builds the example in dir and runs it with no OTEL_* variables set
// and a time limit, returning its standard output.
func run(t *testing.T, dir string, env ...string) string {
	t.Helper()
	return runArgs(t, dir, nil, env...)
}

// runArgs is run, with command-line arguments.
func runArgs(t *testing.T, dir string, args []string, env ...string) string {
	t.Helper()
	stdout, _ := runOutputs(t, dir, args, env...)
	return stdout
}

// runOutputs is runArgs, returning standard error too.
func runOutputs(t *testing.T, dir string, args []string, env ...string) (string, string) {
	t.Helper()
	bin := filepath.Join(t.TempDir(), dir)
	if out, err := exec.Command(gobin, "build", "-o", bin, "./"+dir).CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", dir, err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(withoutOTel(os.Environ()), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s did not exit within a minute\nstdout:\n%s\nstderr:\n%s", dir, stdout.String(), stderr.String())
	}
	if err != nil {
		t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s", dir, err, stdout.String(), stderr.String())
	}
	return stdout.String(), stderr.String()
}

func withoutOTel(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "OTEL_") && !strings.HasPrefix(kv, "NO_COLOR=") {
			out = append(out, kv)
		}
	}
	return out
}

func mustContain(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
}

// readmeReportSample returns the lines of the README's missing-span
// report sample.
func readmeReportSample(t *testing.T) []string {
	t.Helper()
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(readme), "```\nlog lines that reached no span")
	block, _, ok2 := strings.Cut(after, "```")
	if !ok || !ok2 {
		t.Fatal("README.md has no report sample")
	}
	header, rest, _ := strings.Cut(block, "\n")
	return append([]string{"log lines that reached no span" + header}, strings.Split(strings.TrimSpace(rest), "\n")...)
}

var (
	stderrLineRE = regexp.MustCompile(`(?m)^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} INFO order received trace_id=[0-9a-f]{32} span_id=[0-9a-f]{16} order=A-1001 items=3$`)
	uidRE        = regexp.MustCompile(`log\.record\.uid=([0-9A-Z]{26})`)
	traceRE      = regexp.MustCompile(`(?m)^trace [0-9a-f]{32}$`)
)

func TestQuickstart(t *testing.T) {
	t.Parallel()
	out, stderr := runOutputs(t, "quickstart", nil)
	// stderr keeps the program's usual lines, plus the ids (README, "Try it").
	if !stderrLineRE.MatchString(stderr) {
		t.Errorf("stderr has no line as slog's default handler writes it, with the ids:\n%s", stderr)
	}
	// The README's sample of the report ("Why are my spans missing?") is
	// what the quickstart prints.
	for _, line := range readmeReportSample(t) {
		if !strings.Contains(out, line) {
			t.Errorf("the README's report line %q is not in the output:\n%s", line, out)
		}
	}
	mustContain(t, out,
		"checkout", "├─ charge card", "└─ send receipt",
		"DEBUG calling the bank", "ERROR charge failed", "exception.type=*errors.errorString",
		"…[truncated: ",
	)
	m := uidRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no diverted payload uid in:\n%s", out)
	}
	mustContain(t, out, "log "+m[1]+" INFO receipt sent")
	// The line logged without its context, on purpose, is reported after
	// the trace, with its call site.
	mustContain(t, out, "log lines that reached no span", "× main.sendReceipt  quickstart/main.go:", "no span in the context")
}

func TestHTTPServerDemo(t *testing.T) {
	t.Parallel()
	out := runArgs(t, "httpserver", []string{"-demo"})
	mustContain(t, out,
		"serving on http://localhost:",
		"GET /items/42 -> 200 OK", "GET /items/404 -> 404 Not Found", "POST /orders -> 503 Service Unavailable",
		"GET /ask?q=How+do+rivers+shape+valleys%3F -> 200 OK",
		"looking up item id=42", "db.query items", "WARN  no such item", "ERROR order rejected",
		"INFO  llm prompt model=fake-llm-1", "INFO  llm completion",
	)
	// The server's spans join the client's traces: four traces, each with a
	// nested server span.
	if n := len(traceRE.FindAllString(out, -1)); n != 4 {
		t.Errorf("got %d traces, want 4:\n%s", n, out)
	}
	// The 200 KB prompt is cut on its span and diverted whole, linked.
	m := uidRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no uid linking the cut prompt in:\n%s", out)
	}
	mustContain(t, out, "log "+m[1]+" INFO llm prompt", "…[truncated: ")
}

func TestHTTPServerServesOnLocalhost8080(t *testing.T) {
	// The README: without -demo it is a server on localhost:8080. Read
	// from its flags, so that the test binds no fixed port.
	t.Parallel()
	_, stderr := runOutputs(t, "httpserver", []string{"-h"})
	if !strings.Contains(stderr, `address to serve on (default "localhost:8080")`) {
		t.Errorf("-h says:\n%s", stderr)
	}
}

func TestLLM(t *testing.T) {
	t.Parallel()
	out := run(t, "llm")
	mustContain(t, out, "rag.answer", "├─ chunk", "└─ generate", "prompt model=fake-llm-1", "completion model=fake-llm-1")
	uids := uidRE.FindAllStringSubmatch(out, -1)
	if len(uids) != 2 {
		t.Fatalf("want 2 diverted payloads (prompt and completion), got %d:\n%s", len(uids), out)
	}
	payloads, err := os.ReadFile(filepath.Join(os.TempDir(), "slogspan-llm-payloads.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range uids {
		if !strings.Contains(string(payloads), m[1]) {
			t.Errorf("payload %s not in the log file", m[1])
		}
	}
	if !strings.Contains(string(payloads), "Question: How do rivers shape valleys?") {
		t.Error("the full prompt is not in the log file")
	}
}

// The otlp example is run by the e2e module, against the Collector's
// receiver on its default port.

// zapErrorSpan is the span line of the span a zap Error line was logged
// in: its status is Error, with the line's message.
var zapErrorSpan = regexp.MustCompile(`(?m)^└─ import file 1 +\S+ [·█]+ ERROR file rejected$`)

func TestZap(t *testing.T) {
	t.Parallel()
	out := run(t, "zap")
	// Events read as slogspan.Handler's (INFO, ERROR); the exported
	// records keep zap's own severity text (info, debug).
	mustContain(t, out,
		"import batch", "├─ import file 0", "└─ import file 1",
		"INFO  batch received files=2", "ERROR file rejected file=1 exception.type=*errors.errorString",
		"DEBUG raw payload", "…[truncated: 3600 bytes]",
		"log info batch received",
	)
	if !zapErrorSpan.MatchString(out) {
		t.Errorf("the span of the zap Error line has no Error status:\n%s", out)
	}
	m := uidRE.FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no uid linking the cut payload in:\n%s", out)
	}
	mustContain(t, out, "log "+m[1]+" debug raw payload")
}

// A mistake in the environment stops the quickstart with Start's error,
// as written: the variable, the value and the fix, named once.
func TestQuickstartStopsOnABadVariable(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "quickstart")
	if out, err := exec.Command(gobin, "build", "-o", bin, "./quickstart").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = append(withoutOTel(os.Environ()), "OTEL_BSP_SCHEDULE_DELAY=0")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1\nstderr:\n%s", err, stderr.String())
	}
	if got := stderr.String(); !strings.HasPrefix(got, `setup: OTEL_BSP_SCHEDULE_DELAY="0" is not`) {
		t.Errorf("stderr = %q, want Start's error as it is", got)
	}
}
