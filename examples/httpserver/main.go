// HTTP server: handlers that only call slog.InfoContext(r.Context(), ...)
// get their lines on the request's span, which otelhttp starts. A built-in
// client makes a few requests, then the program exits.
//
//	go run ./examples/httpserver
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"

	"github.com/slogspan/slogspan/console"
	"github.com/slogspan/slogspan/setup"
)

func main() {
	ctx := context.Background()
	shutdown, err := setup.Start(ctx,
		setup.WithServiceName("httpserver"),
		setup.WithFallbackSpanExporter(console.New(os.Stdout)),
		setup.WithFallbackLogExporter(console.NewLogExporter(os.Stdout)),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, "setup:", err)
		os.Exit(1)
	}
	defer func() {
		if err := shutdown(context.Background()); err != nil {
			fmt.Fprintln(os.Stderr, "shutdown:", err)
		}
	}()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	srv := &http.Server{Handler: otelhttp.NewHandler(routes(), "server"), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			slog.Error("serve", "err", err)
		}
	}()

	runClient(ctx, "http://"+ln.Addr().String())

	shutdownCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		slog.Error("server shutdown", "err", err)
	}
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
		fmt.Fprintf(w, "%s\n", item)
	})
	mux.HandleFunc("POST /orders", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		slog.InfoContext(r.Context(), "order received", "bytes", len(body), "body", string(body))
		err := errors.New("warehouse unavailable")
		slog.ErrorContext(r.Context(), "order rejected", "err", err)
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
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

// runClient sends a few requests through an instrumented transport, so the
// server's spans join the client's traces.
func runClient(ctx context.Context, base string) {
	client := &http.Client{Transport: otelhttp.NewTransport(http.DefaultTransport), Timeout: 5 * time.Second}
	requests := []struct{ method, path, body string }{
		{"GET", "/items/42", ""},
		{"GET", "/items/404", ""},
		{"POST", "/orders", `{"item":42,"qty":1}`},
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
		resp.Body.Close()
		fmt.Printf("%s %s -> %s\n", rq.method, rq.path, resp.Status)
	}
}
