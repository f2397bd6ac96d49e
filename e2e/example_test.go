package e2e

import (
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// These tests build examples/otlp and run it as a newcomer does, with no
// OTEL_* variables, against what listens on the OTLP default port.

// defaultHTTPAddr is where OTLP/HTTP goes when nothing is configured.
const defaultHTTPAddr = "localhost:4318"

// buildExample builds the example in examples/name, in its own module, as
// go build would for a user, and returns the binary.
func buildExample(t *testing.T, name string) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), name)
	// go test puts its toolchain's bin directory first in PATH: this go is
	// the one running the test, also when GOTOOLCHAIN chose it.
	cmd := exec.Command("go", "build", "-o", bin, "./"+name)
	cmd.Dir = filepath.Join("..", "examples")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build %s: %v\n%s", name, err, out)
	}
	return bin
}

// runResult is what a run of an example printed, and its exit code.
type runResult struct {
	stdout, stderr string
	code           int
}

// runClean runs bin with every OTEL_* variable removed from the
// environment, and env added, within a minute.
func runClean(t *testing.T, bin string, env ...string) runResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OTEL_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%s did not exit within a minute\nstdout:\n%s\nstderr:\n%s", bin, stdout.String(), stderr.String())
	}
	res := runResult{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		res.code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return res
}

// holdDefaultPort fails the test when something else listens on the OTLP
// default port, naming what to stop: the test needs it.
func holdDefaultPort(t *testing.T) {
	t.Helper()
	if err := defaultPortFree(); err != nil {
		t.Fatal(err)
	}
}

var sentRE = regexp.MustCompile(`Sent trace ([0-9a-f]{32}): http://localhost:16686/trace/([0-9a-f]{32})`)

func TestOTLPExampleReachesTheDefaultEndpoint(t *testing.T) {
	bin := buildExample(t, "otlp")
	holdDefaultPort(t)
	c := newCollectorAt(t, freeAddr(t), defaultHTTPAddr)
	c.start()

	res := runClean(t, bin)
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	m := sentRE.FindStringSubmatch(res.stdout)
	if len(m) != 3 || m[1] != m[2] {
		t.Fatalf("no Jaeger link in:\n%s", res.stdout)
	}
	traceID := m[1]

	// What arrived, not what the program said.
	spans := map[string]span{}
	for _, s := range c.spans() {
		if s.traceID == traceID {
			spans[s.name] = s
		}
	}
	if len(spans) != 4 {
		t.Fatalf("received %d spans of trace %s, want 4: %v", len(spans), traceID, spans)
	}
	for i := range 3 {
		file := spans["import file "+string(rune('0'+i))]
		if len(file.events) != 1 || file.events[0].name != "imported" || file.events[0].attrs["file"].Int() != int64(i) {
			t.Errorf("span %q events = %v, want its own imported line", file.name, file.events)
		}
	}
	batch := spans["import batch"]
	if len(batch.events) != 1 || batch.events[0].name != "raw payload" {
		t.Fatalf("import batch events = %v, want the raw payload line", batch.events)
	}
	body := batch.events[0].attrs["body"].Str()
	if !strings.Contains(body, "…[truncated: 4500 bytes]") || len(body) > 1024 {
		t.Errorf("body on the span is %d bytes, want a cut preview", len(body))
	}
	uid := batch.events[0].attrs["log.record.uid"].Str()
	if uid == "" || batch.attrs["slogspan.truncated_values"].Int() != 1 {
		t.Errorf("the cut value is not linked or counted: event %v, span %v", batch.events[0].attrs, batch.attrs)
	}
	// With no OTEL_* variables the whole record goes over OTLP too.
	var full []logRecord
	for _, r := range c.logRecords() {
		if uid != "" && r.attrs["log.record.uid"].Str() == uid {
			full = append(full, r)
		}
	}
	if len(full) != 1 || len(full[0].attrs["body"].Str()) != 4500 {
		t.Errorf("received %d log records with uid %q, want the one with the whole body", len(full), uid)
	}
	if strings.Contains(res.stderr, "not delivered") {
		t.Errorf("everything was delivered, yet:\n%s", res.stderr)
	}
}

// Jaeger's case: traces accepted, logs refused with 404. The trace was
// delivered: the example says so, warns about the logs, and the whole
// record is on its own log line, found by the uid of the span event.
func TestOTLPExampleOnATracesOnlyBackend(t *testing.T) {
	bin := buildExample(t, "otlp")
	holdDefaultPort(t)
	c := tracesOnlyAt(t, defaultHTTPAddr)

	res := runClean(t, bin)
	if res.code != 0 {
		t.Fatalf("exit %d though the trace was delivered\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	m := sentRE.FindStringSubmatch(res.stdout)
	if m == nil {
		t.Fatalf("no Jaeger link in:\n%s", res.stdout)
	}
	var batch span
	for _, s := range c.spans() {
		if s.traceID == m[1] && s.name == "import batch" {
			batch = s
		}
	}
	uid := eventAttr(batch, "raw payload", "log.record.uid")
	if uid == "" {
		t.Fatalf("no import batch span of trace %s with a linked raw payload received", m[1])
	}
	// The README quotes this WARN.
	for _, want := range []string{"The trace was delivered; the log records were not",
		"logs export to http://localhost:4318/v1/logs failed (2 log records lost in 1 export)", "404 Not Found",
		"The backend does not accept logs", "log.record.uid"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
		}
	}
	if strings.Contains(res.stderr, "traces export") {
		t.Errorf("stderr reports a traces failure:\n%s", res.stderr)
	}
	// The Logs API's line, without the bridge, is neither an event nor a
	// line of the program's: the WARN's second record is lost.
	if eventAttr(batch, "checksums verified", "level") != "" || strings.Contains(res.stderr, "checksums verified") {
		t.Errorf("the checksums line is somewhere: events %v", batch.events)
	}
	// The README's route to the whole record.
	whole := false
	for _, line := range strings.Split(res.stderr, "\n") {
		whole = whole || (strings.Contains(line, uid) && strings.Contains(line, "raw payload") &&
			strings.Count(line, `{\"row\":1}`) == 500)
	}
	if !whole {
		t.Errorf("no log line with uid %s holds the whole body:\n%s", uid, res.stderr)
	}
}

func TestOTLPExampleFailsLoudlyWhenRefused(t *testing.T) {
	bin := buildExample(t, "otlp")
	for _, status := range []int{http.StatusNotFound, http.StatusInternalServerError} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			holdDefaultPort(t)
			srv := &http.Server{Addr: defaultHTTPAddr, Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(status)
			})}
			ln, err := net.Listen("tcp", defaultHTTPAddr)
			if err != nil {
				t.Fatal(err)
			}
			go func() { _ = srv.Serve(ln) }()
			t.Cleanup(func() { _ = srv.Close() })

			res := runClean(t, bin)
			if res.code != 1 {
				t.Fatalf("exit %d though every export was refused, want 1\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
			}
			if strings.Contains(res.stdout, "Sent trace") {
				t.Errorf("claims success:\n%s", res.stdout)
			}
			for _, want := range []string{"The trace was not delivered",
				"traces export to http://localhost:4318/v1/traces failed", http.StatusText(status)} {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
				}
			}
		})
	}
}

func TestOTLPExampleWithNothingListening(t *testing.T) {
	bin := buildExample(t, "otlp")
	holdDefaultPort(t)
	res := runClean(t, bin)
	if res.code != 1 || strings.Contains(res.stdout, "Sent trace") {
		t.Fatalf("exit %d with nothing listening, want 1\nstdout:\n%s", res.code, res.stdout)
	}
	for _, want := range []string{"Nothing listens on localhost:4318", "jaegertracing/all-in-one"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
		}
	}
}
