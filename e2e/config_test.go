package e2e

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// These tests run examples/otlp as a process configured by
// OpenTelemetry's configuration file: OTEL_CONFIG_FILE is the only
// OTEL_* variable set, as the README's command sets it.

// configFile returns the path of a configuration file, from this
// directory, as OTEL_CONFIG_FILE takes it.
func configFile(t *testing.T, rel string) string {
	t.Helper()
	path, err := filepath.Abs(rel)
	if err != nil {
		t.Fatal(err)
	}
	return "OTEL_CONFIG_FILE=" + path
}

// sentTrace returns the trace id the example printed, failing the test
// when it did not succeed.
func sentTrace(t *testing.T, res runResult) string {
	t.Helper()
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	m := sentRE.FindStringSubmatch(res.stdout)
	if len(m) != 3 || m[1] != m[2] {
		t.Fatalf("no Jaeger link in:\n%s", res.stdout)
	}
	return m[1]
}

// exampleSpans returns the spans of the example's trace, by name, once
// all four have arrived.
func exampleSpans(t *testing.T, c *collector, traceID string) map[string]span {
	t.Helper()
	spans := map[string]span{}
	eventually(5*time.Second, func() bool {
		clear(spans)
		for _, s := range c.spans() {
			if s.traceID == traceID {
				spans[s.name] = s
			}
		}
		return len(spans) == 4
	})
	if len(spans) != 4 {
		t.Fatalf("received %d spans of trace %s, want 4: %v", len(spans), traceID, spans)
	}
	return spans
}

// eventsByName returns the span's events by name.
func eventsByName(s span) map[string]event {
	out := map[string]event{}
	for _, e := range s.events {
		out[e.name] = e
	}
	return out
}

func TestConfigFileForJaeger(t *testing.T) {
	// The README's run: OTEL_CONFIG_FILE=examples/config/otel.yaml go run
	// ./examples/otlp, with the Collector's receiver where Jaeger would be.
	bin := buildExample(t, "otlp")
	holdDefaultPort(t)
	c := newCollectorAt(t, freeAddr(t), defaultHTTPAddr)
	c.start()

	res := runClean(t, bin, configFile(t, "../examples/config/otel.yaml"))
	traceID := sentTrace(t, res)
	spans := exampleSpans(t, c, traceID)
	for i := range 3 {
		file := spans["import file "+string(rune('0'+i))]
		if len(file.events) != 1 || file.events[0].name != "imported" {
			t.Errorf("span %q events = %v, want its own imported line", file.name, file.events)
		}
	}
	batch := eventsByName(spans["import batch"])
	raw, bridged := batch["raw payload"], batch["checksums verified"]
	uid := raw.attrs["log.record.uid"].Str()
	if uid == "" || !strings.Contains(raw.attrs["body"].Str(), "…[truncated: 4500 bytes]") {
		t.Errorf("raw payload event = %v, want a cut, linked body", raw.attrs)
	}
	// The line the Logs API got, on its span through the file's bridge.
	if bridged.attrs["files"].Int() != 3 || bridged.attrs["level"].Str() != "INFO" {
		t.Errorf("import batch events = %v, want the bridged checksums line", spans["import batch"].events)
	}
	// Jaeger stores no logs: the file prints them, and the span's uid
	// finds the full record there.
	if !strings.Contains(res.stdout, uid) || !strings.Contains(res.stdout, strings.Repeat(`{\"row\":1}`, 500)) {
		t.Errorf("stdout lacks the full record of uid %s:\n%.2000s", uid, res.stdout)
	}
	if n := len(c.logRecords()); n != 0 {
		t.Errorf("the receiver got %d log records, want none: the file sends them to the console", n)
	}
}

func TestConfigFileSendsLogsThroughTheBridge(t *testing.T) {
	bin := buildExample(t, "otlp")
	holdDefaultPort(t)
	c := newCollectorAt(t, freeAddr(t), defaultHTTPAddr)
	c.start()

	res := runClean(t, bin, configFile(t, "testdata/otlp-logs.yaml"))
	traceID := sentTrace(t, res)
	batch := eventsByName(exampleSpans(t, c, traceID)["import batch"])
	raw := batch["raw payload"]
	body, uid := raw.attrs["body"].Str(), raw.attrs["log.record.uid"].Str()
	if len(body) > 200 || !strings.Contains(body, "…[truncated: 4500 bytes]") || uid == "" {
		t.Errorf("raw payload event = %v, want the body cut to the file's 200 bytes, linked", raw.attrs)
	}
	if _, ok := batch["checksums verified"]; !ok {
		t.Errorf("import batch events = %v, want the bridged checksums line", batch)
	}

	// Both records reach the receiver: the bridge copies, it does not
	// take; the diverted one whole, under the event's uid.
	var full, checksums bool
	eventually(5*time.Second, func() bool {
		full, checksums = false, false
		for _, r := range c.logRecords() {
			full = full || (r.traceID == traceID && r.attrs["log.record.uid"].Str() == uid &&
				r.attrs["body"].Str() == strings.Repeat(`{"row":1}`, 500))
			checksums = checksums || (r.traceID == traceID && r.body == "checksums verified")
		}
		return full && checksums
	})
	if !full || !checksums {
		t.Errorf("log records = %v, want the full diverted record and the checksums line", c.logRecords())
	}
}

func TestConfigFileBrokenStopsTheProgram(t *testing.T) {
	bin := buildExample(t, "otlp")
	// Nothing listens: the file is read, and refused, before any export.
	holdDefaultPort(t)
	path := configFile(t, "testdata/broken.yaml")
	res := runClean(t, bin, path)
	if res.code == 0 || strings.Contains(res.stdout, "Sent trace") {
		t.Fatalf("exit %d with a broken file\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	// What and where, and the fix.
	for _, want := range []string{"setup: OTEL_CONFIG_FILE", "testdata/broken.yaml:6: tracer_provider.processors[0].batch.exporterr",
		"did you mean exporter?"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
		}
	}
	if strings.Contains(res.stderr, "panic") {
		t.Errorf("panicked:\n%s", res.stderr)
	}
}

func TestConfigFileDisablingTheSDK(t *testing.T) {
	bin := buildExample(t, "otlp")
	holdDefaultPort(t)
	c := newCollectorAt(t, freeAddr(t), defaultHTTPAddr)
	c.start()

	res := runClean(t, bin, configFile(t, "testdata/disabled.yaml"))
	if res.code != 0 || !strings.Contains(res.stdout, "OpenTelemetry is disabled") || strings.Contains(res.stdout, "Sent trace") {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	// slog goes on as before Start: to stderr, through the log package.
	if !strings.Contains(res.stderr, "imported") {
		t.Errorf("the program's log lines are gone:\n%s", res.stderr)
	}
	// The receiver answers once it has taken a batch in: what the process
	// sent before it exited is here.
	if s, l := len(c.spans()), len(c.logRecords()); s != 0 || l != 0 {
		t.Errorf("the receiver got %d spans and %d log records, want none", s, l)
	}
}
