// HTTP server: handlers that only call slog.InfoContext(r.Context(), ...)
// get their lines on the request's span, which otelhttp starts. It serves
// until SIGINT (Ctrl-C) or SIGTERM, then finishes the requests in
// progress and sends their spans and records before it exits, as the
// README's server does:
//
//	go run ./examples/httpserver             # OTLP to localhost:4318, such as Jaeger
//	curl localhost:8080/items/42
//	curl 'localhost:8080/ask?q=How+do+rivers+shape+valleys'
//
// With -demo it needs no backend: it serves on a free port, prints span
// trees here, sends itself a few requests, then stops as on SIGINT.
//
//	go run ./examples/httpserver -demo
//
// Routes: GET /items/{id} (a child span for the database; id 404 is not
// found), POST /orders (logs the body, then an ERROR), GET /ask?q=… (an
// LLM call whose 200 KB prompt is cut on the span and kept whole on the
// program's own log line and in the log exporter, linked by
// log.record.uid).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"

	"github.com/slogspan/slogspan/console"
	"github.com/slogspan/slogspan/setup"
)

func main() {
	addr := flag.String("addr", "localhost:8080", "address to serve on")
	demo := flag.Bool("demo", false, "no backend: serve on a free port (unless -addr is given), print span trees, "+
		"send a few requests, then stop")
	flag.Parse()
	if *demo && !flagGiven("addr") {
		*addr = "localhost:0"
	}

	// SIGINT (Ctrl-C) and SIGTERM (Kubernetes, systemd, docker stop) end
	// ctx instead of the program, so that what follows <-ctx.Done() runs.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	opts := []setup.Option{setup.WithServiceName("httpserver")}
	if *demo {
		opts = append(opts,
			setup.WithFallbackSpanExporter(console.New(os.Stdout)),
			setup.WithFallbackLogExporter(console.NewLogExporter(os.Stdout)))
	}
	shutdown, err := setup.Start(ctx, opts...)
	if err != nil {
		fmt.Fprintln(os.Stderr, err) // it names setup and the fix
		os.Exit(1)
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		_ = shutdown(context.Background())
		os.Exit(1)
	}
	srv := &http.Server{Handler: otelhttp.NewHandler(routes(), "server"), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			slog.Error("serve", "err", err)
			stop()
		}
	}()
	base := baseURL(*addr, ln.Addr())
	fmt.Println("serving on", base)
	if *demo {
		go func() {
			runClient(ctx, base)
			stop() // as Ctrl-C would
		}()
	}

	<-ctx.Done()
	stop() // from here, a second Ctrl-C ends the program at once

	// The requests in progress first, so that they end their spans; then
	// the telemetry, each with a deadline of its own.
	srvCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(srvCtx); err != nil {
		slog.Error("server shutdown", "err", err)
	}
	if err := shutdown(context.Background()); err != nil {
		slog.Error("telemetry not delivered", "err", err)
	}
}

// flagGiven reports whether the flag name was set on the command line.
func flagGiven(name string) bool {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// baseURL is the URL the server listens on: the host as given (localhost
// for none), with the port it got.
func baseURL(addr string, got net.Addr) string {
	host, _, err := net.SplitHostPort(addr)
	if err != nil || host == "" || host == "0.0.0.0" || host == "::" {
		host = "localhost"
	}
	port := strconv.Itoa(got.(*net.TCPAddr).Port)
	return "http://" + net.JoinHostPort(host, port)
}

func routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		slog.InfoContext(r.Context(), "looking up item", "id", id)
		if id == "404" {
			slog.WarnContext(r.Context(), "no such item", "id", id)
			http.NotFound(w, r)
			return
		}
		item := lookup(r.Context(), id)
		slog.InfoContext(r.Context(), "item found", "id", id, "name", item)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "%s\n", item) //nolint:gosec // G705: text/plain, not HTML.
	})
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		slog.InfoContext(r.Context(), "order received", "bytes", len(body), "body", string(body))
		err := errors.New("warehouse unavailable")
		slog.ErrorContext(r.Context(), "order rejected", "err", err)
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
	})
	mux.HandleFunc("GET /ask", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		prompt := buildPrompt(q)
		slog.InfoContext(r.Context(), "llm prompt", "model", "fake-llm-1", "prompt", prompt)
		answer := "Rivers deepen their beds and widen their valleys by erosion, over millennia."
		slog.InfoContext(r.Context(), "llm completion", "model", "fake-llm-1", "completion", answer)
		fmt.Fprintln(w, answer)
	})
	return mux
}

// lookup stands in for a database call, with a span of its own.
func lookup(ctx context.Context, id string) string {
	ctx, span := otel.Tracer("httpserver").Start(ctx, "db.query items")
	defer span.End()
	slog.DebugContext(ctx, "query", "sql", "SELECT name FROM items WHERE id = ?", "id", id)
	time.Sleep(3 * time.Millisecond)
	return "item-" + id
}

// PromptBytes is about the size of the prompt GET /ask logs: retrieved
// documents, then the question.
const PromptBytes = 200 << 10

// buildPrompt returns a prompt of about PromptBytes that ends with the
// question q.
func buildPrompt(q string) string {
	var b strings.Builder
	b.WriteString("Answer from the documents below.\n\n")
	for i := 1; b.Len() < PromptBytes; i++ {
		fmt.Fprintf(&b, "Document %d: rivers carry sediment downstream, and the valley floor widens as the banks erode.\n", i)
	}
	b.WriteString("\nQuestion: ")
	b.WriteString(q)
	b.WriteString("\nAnswer:")
	return b.String()
}

// runClient sends a few requests through an instrumented transport, so the
// server's spans join the client's traces.
func runClient(ctx context.Context, base string) {
	client := &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport), Timeout: 5 * time.Second}
	requests := []struct{ method, path, body string }{
		{"GET", "/items/42", ""},
		{"GET", "/items/404", ""},
		{"POST", "/orders", `{"item":42,"qty":1}`},
		{"GET", "/ask?q=" + url.QueryEscape("How do rivers shape valleys?"), ""},
	}
	for _, rq := range requests {
		var body io.Reader
		if rq.body != "" {
			body = strings.NewReader(rq.body)
		}
		req, err := http.NewRequestWithContext(ctx, rq.method, base+rq.path, body)
		if err != nil {
			slog.Error("request", "err", err)
			continue
		}
		resp, err := client.Do(req)
		if err != nil {
			slog.Error("request failed", "err", err)
			continue
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		fmt.Printf("%s %s -> %s\n", rq.method, rq.path, resp.Status)
	}
}
