package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests build examples/httpserver, the README's server with more
// routes, and run it as a service is run: with no OTEL_* variables, serving
// requests sent over HTTP, stopped by a signal, against what listens on the
// OTLP default port.

// lockedBuffer collects a process's output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// server is a running examples/httpserver.
type server struct {
	base           string // the URL it said it serves on
	cmd            *exec.Cmd
	stdout, stderr *lockedBuffer
	exited         chan struct{}
	waitErr        error
}

var servingRE = regexp.MustCompile(`serving on (http://\S+)`)

// startServer runs bin as a server on a free loopback port, with every
// OTEL_* variable removed from the environment, and waits until it says
// where it serves.
func startServer(t *testing.T, bin string) *server {
	t.Helper()
	s := &server{stdout: &lockedBuffer{}, stderr: &lockedBuffer{}, exited: make(chan struct{})}
	s.cmd = exec.Command(bin, "-addr", "127.0.0.1:0")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OTEL_") {
			s.cmd.Env = append(s.cmd.Env, kv)
		}
	}
	s.cmd.Stdout, s.cmd.Stderr = s.stdout, s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
	})
	if !eventually(30*time.Second, func() bool { return servingRE.MatchString(s.stdout.String()) }) {
		t.Fatalf("the server did not say where it serves\nstdout:\n%s\nstderr:\n%s", s.stdout, s.stderr)
	}
	s.base = servingRE.FindStringSubmatch(s.stdout.String())[1]
	return s
}

// send sends a request as curl would, and fails the test unless the answer
// has the status want.
func (s *server) send(t *testing.T, method, path, body string, want int) {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %s, want %d", method, path, resp.Status, want)
	}
}

// stop sends sig and waits for the server to exit, failing the test if it
// does not exit within limit or exits with an error. It returns how long
// the server took.
func (s *server) stop(t *testing.T, sig os.Signal, limit time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	if err := s.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.exited:
	case <-time.After(limit):
		t.Fatalf("the server did not exit within %v of %v\nstderr:\n%s", limit, sig, tail(s.stderr.String()))
	}
	took := time.Since(start)
	if s.waitErr != nil {
		t.Fatalf("the server exited with %v after %v\nstderr:\n%s", s.waitErr, sig, tail(s.stderr.String()))
	}
	return took
}

// tail returns the end of a long output, for failure messages: the
// server's log holds a 200 KB prompt.
func tail(s string) string {
	const n = 4000
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// shutdownError returns the error the server logged when its telemetry
// shutdown failed, "" when it logged none.
func (s *server) shutdownError(t *testing.T) string {
	t.Helper()
	for _, line := range strings.Split(s.stderr.String(), "\n") {
		_, quoted, ok := strings.Cut(line, "ERROR telemetry not delivered err=")
		if !ok {
			continue
		}
		msg, err := strconv.Unquote(quoted)
		if err != nil {
			t.Fatalf("unquote %s: %v", quoted, err)
		}
		return msg
	}
	return ""
}

// question is what the tests ask GET /ask: the prompt ends with it, past
// the preview the span keeps.
const question = "How do rivers shape valleys?"

func askPath() string { return "/ask?q=" + url.QueryEscape(question) }

func TestServerStoppedBySignalDeliversEveryRequest(t *testing.T) {
	bin := buildExample(t, "httpserver")
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			holdDefaultPort(t)
			c := newCollectorAt(t, freeAddr(t), defaultHTTPAddr)
			c.start()
			s := startServer(t, bin)

			const items = 5
			for id := 1; id <= items; id++ {
				s.send(t, "GET", fmt.Sprintf("/items/%d", id), "", http.StatusOK)
			}
			s.send(t, "GET", "/items/404", "", http.StatusNotFound)
			s.send(t, "POST", "/orders", `{"item":42,"qty":1}`, http.StatusServiceUnavailable)
			s.send(t, "GET", askPath(), "", http.StatusOK)
			// Well within the batch processors' intervals: without the
			// signal handling, these would all be lost.
			s.stop(t, sig, 30*time.Second)
			if msg := s.shutdownError(t); msg != "" {
				t.Errorf("the server reported: %s", msg)
			}

			// What arrived, not what the program said.
			spans := c.spans()
			if want := items*2 + 3; len(spans) != want {
				t.Errorf("received %d spans, want %d: a server and a db span for each item, one for each other request", len(spans), want)
			}
			for id := 1; id <= items; id++ {
				sp, ok := serverSpan(spans, "GET /items/{id}", "looking up item", "id", strconv.Itoa(id))
				if !ok {
					t.Errorf("no span for GET /items/%d", id)
					continue
				}
				if !hasEvent(sp, "item found", "id", strconv.Itoa(id)) {
					t.Errorf("GET /items/%d: events %v, want item found", id, sp.events)
				}
				if !hasChild(spans, sp, "db.query items") {
					t.Errorf("GET /items/%d: no db.query items span under it", id)
				}
			}
			if sp, ok := serverSpan(spans, "GET /items/{id}", "looking up item", "id", "404"); !ok || !hasEvent(sp, "no such item", "id", "404") {
				t.Errorf("GET /items/404: span found %v, events %v", ok, sp.events)
			}
			if sp, ok := serverSpan(spans, "POST /orders", "order received", "bytes", ""); !ok ||
				!hasEvent(sp, "order rejected", "exception.message", "warehouse unavailable") {
				t.Errorf("POST /orders: span found %v, events %v", ok, sp.events)
			}
			ask, ok := serverSpan(spans, "GET /ask", "llm prompt", "model", "fake-llm-1")
			if !ok || !hasEvent(ask, "llm completion", "model", "fake-llm-1") {
				t.Fatalf("GET /ask: span found %v, events %v", ok, ask.events)
			}
			uid := eventAttr(ask, "llm prompt", "log.record.uid")
			var full []logRecord
			for _, r := range c.logRecords() {
				if uid != "" && r.attrs["log.record.uid"].Str() == uid {
					full = append(full, r)
				}
			}
			if len(full) != 1 || !strings.HasSuffix(full[0].attrs["prompt"].Str(), "Question: "+question+"\nAnswer:") {
				t.Errorf("the prompt's record with uid %q: %d received, want 1 with the whole prompt", uid, len(full))
			}
		})
	}
}

func TestServerOnATracesOnlyBackendKeepsThePayloads(t *testing.T) {
	bin := buildExample(t, "httpserver")
	holdDefaultPort(t)
	c := tracesOnlyAt(t, defaultHTTPAddr)
	s := startServer(t, bin)
	s.send(t, "GET", askPath(), "", http.StatusOK)
	s.stop(t, syscall.SIGINT, 30*time.Second)

	ask, ok := serverSpan(c.spans(), "GET /ask", "llm prompt", "model", "fake-llm-1")
	if !ok {
		t.Fatalf("no GET /ask span received; stderr:\n%s", tail(s.stderr.String()))
	}
	preview := eventAttr(ask, "llm prompt", "prompt")
	if strings.Contains(preview, question) || !strings.Contains(preview, "…[truncated: ") {
		t.Errorf("the span should carry a cut preview, got %d bytes", len(preview))
	}
	uid := eventAttr(ask, "llm prompt", "log.record.uid")
	if uid == "" {
		t.Fatalf("the cut prompt's event has no log.record.uid: %v", ask.events)
	}

	// The README's route: search the program's own log lines for the uid.
	var lines []string
	for _, line := range strings.Split(s.stderr.String(), "\n") {
		if strings.Contains(line, uid) {
			lines = append(lines, line)
		}
	}
	var found bool
	for _, line := range lines {
		found = found || (strings.Contains(line, "llm prompt") && len(line) > 200<<10 &&
			strings.Contains(line, `Question: `+question+`\nAnswer:`))
	}
	if !found {
		short := make([]string, len(lines))
		for i, l := range lines {
			short[i] = l[:min(len(l), 300)]
		}
		t.Errorf("no log line with uid %s holds the whole prompt; lines with it:\n%s", uid, strings.Join(short, "\n"))
	}

	// The refusal is reported, and says where the records are; the
	// traces were delivered.
	if !strings.Contains(s.stderr.String(), "WARN setup: logs export to http://localhost:4318/v1/logs failed") {
		t.Errorf("no WARN about the refused logs:\n%s", tail(s.stderr.String()))
	}
	msg := s.shutdownError(t)
	if !strings.Contains(msg, "does not accept logs") || !strings.Contains(msg, "log.record.uid") ||
		strings.Contains(msg, "traces export") {
		t.Errorf("shutdown error = %q, want the logs refused, saying where the records are, and nothing about traces", msg)
	}
}

func TestServerAgainstAHungReceiver(t *testing.T) {
	bin := buildExample(t, "httpserver")
	holdDefaultPort(t)
	hangAt(t, defaultHTTPAddr)
	s := startServer(t, bin)
	s.send(t, "GET", "/items/1", "", http.StatusOK) // 2 spans
	s.send(t, "GET", askPath(), "", http.StatusOK)  // 1 span, 1 record diverted

	// The exports hang; WARNs say so while the server runs. The batch
	// processors export logs after 1 s and spans after 5 s, and each
	// export is reported after 5 s without an answer.
	for _, signal := range []string{"traces", "logs"} {
		want := "WARN setup: " + signal + " export to http://localhost:4318/v1/" + signal + " has had no answer for 5s"
		if !eventually(30*time.Second, func() bool { return strings.Contains(s.stderr.String(), want) }) {
			t.Fatalf("no %q while the export hung; stderr:\n%s", want, tail(s.stderr.String()))
		}
	}

	// setup.DefaultShutdownTimeout (10 s) bounds the telemetry's shutdown;
	// the slack is generous: it is a promise, not a speed.
	took := s.stop(t, syscall.SIGTERM, 30*time.Second)
	if limit := 10*time.Second + 5*time.Second; took > limit {
		t.Errorf("the server took %v to exit, over %v", took, limit)
	}
	msg := s.shutdownError(t)
	t.Logf("exited %v after SIGTERM, reporting: %s", took.Round(time.Millisecond), msg)
	for _, once := range []string{
		"traces export to http://localhost:4318/v1/traces", "(3 spans lost in 1 export)",
		"logs export to http://localhost:4318/v1/logs", "(1 log record lost in 1 export)",
	} {
		if n := strings.Count(msg, once); n != 1 {
			t.Errorf("%q appears %d times in the shutdown error, want once", once, n)
		}
	}
	if !strings.Contains(msg, "slow, stopped or paused") || !strings.Contains(msg, "OTEL_EXPORTER_OTLP_TIMEOUT") {
		t.Errorf("the shutdown error gives no hint")
	}
	if strings.Contains(msg, "context deadline exceeded") {
		t.Error("the shutdown error repeats the bare context error beside the counts")
	}
}

func TestServerSecondSignalEndsItAtOnce(t *testing.T) {
	// The README's server: after the first Ctrl-C it waits for its
	// telemetry, here on a receiver that never answers (up to
	// setup.DefaultShutdownTimeout, 10 s); a second Ctrl-C ends it at
	// once, by the signal's default action. The bound is generous: a
	// promise, not a speed.
	bin := buildExample(t, "httpserver")
	holdDefaultPort(t)
	hangAt(t, defaultHTTPAddr)
	s := startServer(t, bin)
	s.send(t, "GET", "/items/1", "", http.StatusOK)
	if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // the first signal is handled: the server waits for its telemetry
	select {
	case <-s.exited:
		t.Fatalf("the server exited after the first signal, with the receiver hung: %v\nstderr:\n%s", s.waitErr, tail(s.stderr.String()))
	default:
	}
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
		t.Fatalf("the server did not exit within 5s of the second SIGINT")
	}
	var exit *exec.ExitError
	if !errors.As(s.waitErr, &exit) {
		t.Fatalf("the server exited with %v, want ended by SIGINT", s.waitErr)
	}
	if ws, ok := exit.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGINT {
		t.Errorf("the server exited with %v, want ended by SIGINT", exit)
	}
	t.Logf("ended %v after the second SIGINT", time.Since(start).Round(time.Millisecond))
}

// serverSpan returns the span named name that has an event named event
// whose attribute key is value ("": any value).
func serverSpan(spans []span, name, event, key, value string) (span, bool) {
	for _, s := range spans {
		if s.name == name && hasEvent(s, event, key, value) {
			return s, true
		}
	}
	return span{}, false
}

func hasEvent(s span, name, key, value string) bool {
	for _, e := range s.events {
		if v, ok := e.attrs[key]; e.name == name && ok && (value == "" || v.AsString() == value) {
			return true
		}
	}
	return false
}

func eventAttr(s span, event, key string) string {
	for _, e := range s.events {
		if e.name == event {
			return e.attrs[key].AsString()
		}
	}
	return ""
}

// hasChild reports whether a span named name is in parent's trace.
func hasChild(spans []span, parent span, name string) bool {
	for _, s := range spans {
		if s.name == name && s.traceID == parent.traceID && s.spanID != parent.spanID {
			return true
		}
	}
	return false
}

// tracesOnlyAt serves OTLP/HTTP on addr as Jaeger does: traces go to the
// Collector's receiver, returned, and logs get 404.
func tracesOnlyAt(t *testing.T, addr string) *collector {
	t.Helper()
	c := newCollector(t)
	c.start()
	target, err := url.Parse(c.endpoint("http/protobuf"))
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	mux := http.NewServeMux()
	mux.Handle("POST /v1/traces", proxy)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return c
}

// hangAt listens on addr, accepts every connection and never reads from it
// or answers, as a paused receiver does, until the test ends.
func hangAt(t *testing.T, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			conn, err := ln.Accept()
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if err == nil {
				mu.Lock()
				conns = append(conns, conn)
				mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
}
