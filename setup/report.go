package setup

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"syscall"

	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// ExportError is an export of spans or log records that failed. Setup
// reports the first failure of each kind while the program runs, and the
// ShutdownFunc returns one ExportError for each kind seen since Start, with
// the counts.
type ExportError struct {
	// Signal is "traces" or "logs".
	Signal string
	// Endpoint is where the OTLP exporter sent, "" for other exporters.
	Endpoint string
	// Failures is how many exports failed this way, and Items how many
	// spans or log records they held: 0 when not known, as with
	// OTEL_CONFIG_FILE, where the SDK reports a failed export without its
	// size.
	Failures, Items int
	// Hint says what to try.
	Hint string
	// Err is the exporter's error, for the first of these failures.
	Err error
}

func (e *ExportError) Error() string {
	var b strings.Builder
	b.WriteString("setup: ")
	b.WriteString(e.Signal)
	b.WriteString(" export")
	if e.Endpoint != "" {
		b.WriteString(" to ")
		b.WriteString(e.Endpoint)
	}
	b.WriteString(" failed")
	switch {
	case e.Items > 0:
		fmt.Fprintf(&b, " (%d %s lost in %d %s)", e.Items, itemNoun(e.Signal, e.Items), e.Failures, plural("export", e.Failures))
	case e.Failures > 1:
		fmt.Fprintf(&b, " (%d exports)", e.Failures)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	if e.Hint != "" {
		b.WriteString(". ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

func (e *ExportError) Unwrap() error { return e.Err }

func itemNoun(signal string, n int) string {
	if signal == signalTraces {
		return plural("span", n)
	}
	return plural("log record", n)
}

func plural(s string, n int) string {
	if n == 1 {
		return s
	}
	return s + "s"
}

// explain returns the kind of an export failure, for counting, and what to
// try.
func explain(signal string, err error) (kind, hint string) {
	msg := err.Error()
	switch {
	case errors.Is(err, syscall.ECONNREFUSED) || strings.Contains(msg, "connection refused"):
		return "refused", "Nothing listens there: start the receiver (Jaeger, the Collector), " +
			"or set OTEL_EXPORTER_OTLP_ENDPOINT to where it listens"
	case strings.Contains(msg, "server gave HTTP response to HTTPS client"):
		return "tls", "The receiver speaks plain HTTP: spell the endpoint http://…, " +
			"or set OTEL_EXPORTER_OTLP_INSECURE=true"
	case strings.Contains(msg, "404 Not Found") || strings.Contains(msg, "code = Unimplemented"):
		if signal == signalLogs {
			return "not accepted", "The backend does not accept logs (Jaeger, for one, stores traces only): " +
				"set OTEL_LOGS_EXPORTER=console or OTEL_LOGS_EXPORTER=none, " +
				"or OTEL_EXPORTER_OTLP_LOGS_ENDPOINT to a backend that stores logs"
		}
		return "not accepted", "The backend does not accept traces there: check the endpoint " +
			"(OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as given, /v1/traces included)"
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(msg, "deadline exceeded"):
		return "timeout", "The receiver did not answer in time: check that it is reachable and not overloaded " +
			"(OTEL_EXPORTER_OTLP_TIMEOUT sets the limit; a shutdown's context bounds the final flush)"
	}
	// Cut to keep the number of kinds bounded when messages vary.
	if len(msg) > 200 {
		msg = msg[:200]
	}
	return "other: " + msg, "See the receiver's own logs"
}

// reporter counts export failures by kind and reports the first of each
// kind, and each distinct other error of the SDK, once.
type reporter struct {
	// handle gets what is reported: a WARN line, or the user's handler.
	handle func(error)

	mu    sync.Mutex
	kinds map[string]*ExportError
	order []string
	seen  map[string]bool // other errors already reported
}

// maxOtherErrors bounds the distinct other errors remembered; past it,
// they are all reported.
const maxOtherErrors = 256

func newReporter(handle func(error)) *reporter {
	return &reporter{handle: handle, kinds: map[string]*ExportError{}, seen: map[string]bool{}}
}

// warnTo returns a handle function that logs each error at WARN to h.
func warnTo(h slog.Handler) func(error) {
	logger := slog.New(h)
	return func(err error) { logger.Warn(err.Error()) }
}

// exportFailed counts a failed export of items spans or records and
// returns the error, explained, for the SDK.
func (r *reporter) exportFailed(signal, endpoint string, items int, err error) error {
	kind, hint := explain(signal, err)
	return r.failed(signal, endpoint, items, err, kind, hint)
}

// failed counts a failed export of a kind, with what to try, and returns
// the error for the SDK. items is 0 when the size of the export is not
// known.
func (r *reporter) failed(signal, endpoint string, items int, err error, kind, hint string) error {
	e := &ExportError{Signal: signal, Endpoint: endpoint, Failures: 1, Items: items, Hint: hint, Err: err}
	key := signal + "\x00" + kind
	r.mu.Lock()
	total, seen := r.kinds[key]
	if seen {
		total.Failures++
		total.Items += items
	} else {
		c := *e
		r.kinds[key] = &c
		r.order = append(r.order, key)
	}
	r.mu.Unlock()
	if !seen {
		r.handle(fmt.Errorf("%w; later failures of this kind are counted, and shutdown returns them", e))
	}
	return e
}

// Handle reports an error of the SDK, each distinct one once. Export
// errors were reported by exportFailed already.
func (r *reporter) Handle(err error) {
	if err == nil {
		return
	}
	var ee *ExportError
	if errors.As(err, &ee) {
		return
	}
	msg := err.Error()
	r.mu.Lock()
	first := !r.seen[msg]
	if first && len(r.seen) < maxOtherErrors {
		r.seen[msg] = true
	}
	r.mu.Unlock()
	if first {
		r.handle(err)
	}
}

// failures returns one ExportError for each kind of export failure seen,
// with its counts.
func (r *reporter) failures() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var errs []error
	for _, k := range r.order {
		c := *r.kinds[k]
		errs = append(errs, &c)
	}
	return errors.Join(errs...)
}

// withoutExportErrors drops from err the export errors, which failures
// returns with their counts, and keeps the rest.
func withoutExportErrors(err error) error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var keep []error
		for _, e := range j.Unwrap() {
			if e = withoutExportErrors(e); e != nil {
				keep = append(keep, e)
			}
		}
		return errors.Join(keep...)
	}
	var ee *ExportError
	if errors.As(err, &ee) {
		return nil
	}
	return err
}

// reportingSpanExporter counts the failed exports of the exporter it
// wraps.
type reportingSpanExporter struct {
	sdktrace.SpanExporter
	endpoint string
	r        *reporter
}

func (e reportingSpanExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if err := e.SpanExporter.ExportSpans(ctx, spans); err != nil {
		return e.r.exportFailed(signalTraces, e.endpoint, len(spans), err)
	}
	return nil
}

// reportingLogExporter counts the failed exports of the exporter it wraps.
type reportingLogExporter struct {
	sdklog.Exporter
	endpoint string
	r        *reporter
}

func (e reportingLogExporter) Export(ctx context.Context, records []sdklog.Record) error {
	if err := e.Exporter.Export(ctx, records); err != nil {
		return e.r.exportFailed(signalLogs, e.endpoint, len(records), err)
	}
	return nil
}
