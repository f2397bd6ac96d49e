package setup

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// ExportError is an export of spans or log records that failed, or spans
// and records that never reached the receiver. The first of each kind is
// reported while the program runs; shutdown returns one for each kind seen
// since Start, with the counts.
type ExportError struct {
	// Signal is "traces" or "logs".
	Signal string
	// Endpoint is where the OTLP exporter sent, "" for other exporters.
	Endpoint string
	// Failures is how many exports failed this way, and Items how many
	// spans or log records were lost. Items can exceed what the failed
	// exports held: what was still queued when shutdown's deadline passed
	// is counted with the exports that had no answer.
	Failures, Items int
	// Hint says what to try.
	Hint string
	// Err is the exporter's error, for the first of these failures.
	Err error
}

func (e *ExportError) Error() string {
	lost := ""
	switch {
	case e.Failures > 0 && e.Items > 0:
		lost = fmt.Sprintf(" (%d %s lost in %d %s)", e.Items, itemNoun(e.Signal, e.Items), e.Failures, plural("export", e.Failures))
	case e.Failures > 1: // of unknown size
		lost = fmt.Sprintf(" (%d exports)", e.Failures)
	case e.Items > 0:
		lost = fmt.Sprintf(" (%d %s lost)", e.Items, itemNoun(e.Signal, e.Items))
	}
	msg := fmt.Sprintf("setup: %s export%s failed%s: %v", e.Signal, to(e.Endpoint), lost, e.Err)
	if e.Hint != "" {
		msg += ". " + e.Hint
	}
	return msg
}

func (e *ExportError) Unwrap() error { return e.Err }

func to(endpoint string) string {
	if endpoint == "" {
		return ""
	}
	return " to " + endpoint
}

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

// Kinds of loss that shutdown finds, rather than an exporter.
const (
	kindTimeout = "timeout"
	kindDropped = "dropped"
)

var (
	errNoAnswer = errors.New("not delivered before shutdown's deadline")
	errDropped  = errors.New("dropped before any export: the batch queue was full, or they ended after shutdown began")
)

const timeoutHint = "The receiver did not answer in time: it is slow, stopped or paused, or a proxy or firewall " +
	"holds the connection (OTEL_EXPORTER_OTLP_TIMEOUT bounds each request, OTEL_BSP_EXPORT_TIMEOUT and " +
	"OTEL_BLRP_EXPORT_TIMEOUT each export with its retries; a shutdown's context bounds the final flush)"

// explain returns the kind of an export failure and what to try. answered:
// the receiver sent an HTTP response.
func explain(ctx context.Context, d *delivery, err error, answered bool) (kind, hint string) {
	code := codes.OK
	if s, ok := status.FromError(err); ok {
		code = s.Code()
	}
	fix := "set OTEL_EXPORTER_OTLP_ENDPOINT to where it listens"
	if d.endpointFrom != "" {
		fix = "correct " + d.endpointFrom
	}
	var timeout interface{ Timeout() bool }
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "refused", "Nothing listens there: start the receiver (Jaeger, the Collector), or " + fix
	case code == codes.Unavailable:
		return "unavailable", "The receiver cannot be reached: start it (Jaeger, the Collector), or " + fix +
			"; a receiver without TLS needs an http:// endpoint or OTEL_EXPORTER_OTLP_INSECURE=true"
	case errors.Is(err, http.ErrSchemeMismatch):
		return "tls", "The receiver speaks plain HTTP: spell the endpoint http://…, or set OTEL_EXPORTER_OTLP_INSECURE=true"
	case errors.Is(ctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) ||
		code == codes.DeadlineExceeded || errors.As(err, &timeout) && timeout.Timeout():
		return kindTimeout, timeoutHint
	case (answered || code == codes.Unimplemented) && d.signal == signalLogs:
		return "not accepted", "The backend does not accept logs there (Jaeger, for one, stores traces only). " +
			"The full records slogspan diverted are also on the program's own log lines: " +
			"search them for the log.record.uid of the span event. " +
			"OTEL_LOGS_EXPORTER defaults to otlp: set OTEL_LOGS_EXPORTER=none to stop sending logs, " +
			"OTEL_LOGS_EXPORTER=console to print them, " +
			"or OTEL_EXPORTER_OTLP_LOGS_ENDPOINT to a backend that stores logs"
	case answered || code == codes.Unimplemented:
		return "not accepted", "The backend does not accept traces there: check the endpoint " +
			"(OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as given, /v1/traces included) and the receiver's own logs"
	}
	return "other", "See the receiver's own logs"
}

// An export waiting stallAfter for its answer is reported; a kind of
// failure is reported at most once per remindEvery.
var (
	stallAfter  = 5 * time.Second
	remindEvery = time.Minute
)

// reporter counts export failures by kind and reports the first of each
// kind, then a reminder with the counts at most once per remindEvery,
// exports that wait long for an answer, and each distinct other error of
// the SDK once. Once closed by shutdown, it counts no more.
type reporter struct {
	handle                  func(error) // a WARN line, or the program's handler
	stallAfter, remindEvery time.Duration

	mu           sync.Mutex
	kinds        map[string]*ExportError
	order        []string
	reported     map[string]time.Time
	seen         map[string]*sdkError
	others       []*sdkError
	returnOthers bool // close returns them too: a configuration file's export failures are among them
	closed       bool
}

const maxOtherErrors = 256 // distinct ones remembered

// sdkError is an error the SDK reported through otel.Handle, and how often.
type sdkError struct {
	err error
	n   int
}

func newReporter(handle func(error)) *reporter {
	return &reporter{handle: handle, stallAfter: stallAfter, remindEvery: remindEvery, kinds: map[string]*ExportError{},
		reported: map[string]time.Time{}, seen: map[string]*sdkError{}}
}

// due reports whether key may be reported now, and notes it. r.mu is held.
func (r *reporter) due(key string) bool {
	if last, ok := r.reported[key]; ok && time.Since(last) < r.remindEvery {
		return false
	}
	r.reported[key] = time.Now()
	return true
}

// count adds a loss to its kind, and returns the kind's totals and whether
// it is new. r.mu is held.
func (r *reporter) count(d *delivery, kind string, failures, items int, hint string, err error) (ExportError, bool) {
	key := d.signal + "\x00" + kind
	k, ok := r.kinds[key]
	if !ok {
		k = &ExportError{Signal: d.signal, Endpoint: d.endpoint, Hint: hint, Err: err}
		r.kinds[key] = k
		r.order = append(r.order, key)
	}
	k.Failures += failures
	k.Items += items
	return *k, !ok
}

// answered settles an export of items spans or records of d, and counts
// and reports it when it failed. It returns the error, explained.
func (r *reporter) answered(ctx context.Context, d *delivery, items int, err error, httpAnswered bool) error {
	var e *ExportError
	var kind string
	if err != nil {
		var hint string
		kind, hint = explain(ctx, d, err, httpAnswered)
		e = &ExportError{Signal: d.signal, Endpoint: d.endpoint, Failures: 1, Items: items, Hint: hint, Err: err}
	}
	r.mu.Lock()
	d.inFlight--
	d.settled += int64(items)
	if e == nil {
		r.mu.Unlock()
		return nil
	}
	if r.closed {
		r.mu.Unlock()
		return e
	}
	total, first := r.count(d, kind, 1, items, e.Hint, err)
	report := r.due(d.signal + "\x00" + kind)
	r.mu.Unlock()
	switch {
	case first:
		r.handle(fmt.Errorf("%w; later failures of this kind are counted, "+
			"with a reminder at most once every %v, and shutdown returns them", e, r.remindEvery))
	case report:
		r.handle(fmt.Errorf("%w; still failing, counted since start", &total))
	}
	return e
}

func (r *reporter) stalled(d *delivery, items int) {
	r.mu.Lock()
	report := !r.closed && r.due(d.signal+"\x00stalled")
	r.mu.Unlock()
	if report {
		r.handle(fmt.Errorf("setup: %s export%s has had no answer for %v (%d %s waiting). %s",
			d.signal, to(d.endpoint), r.stallAfter, items, itemNoun(d.signal, items), timeoutHint))
	}
}

// Handle reports each distinct error of the SDK once, export errors aside.
func (r *reporter) Handle(err error) {
	var ee *ExportError
	if err == nil || errors.As(err, &ee) {
		return
	}
	msg := err.Error()
	r.mu.Lock()
	e, seen := r.seen[msg]
	if seen {
		e.n++
	} else if len(r.seen) < maxOtherErrors {
		e = &sdkError{err, 1}
		r.seen[msg] = e
		r.others = append(r.others, e)
	}
	r.mu.Unlock()
	if !seen {
		r.handle(err)
	}
}

// close ends the reporting and returns one ExportError for each kind of
// failure, in the order first seen. What a delivery took in and never
// settled is lost: without an answer when the deadline expired, else
// dropped before any export.
func (r *reporter) close(expired bool, ds ...*delivery) []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	for _, d := range ds {
		switch lost := int(d.entered.Load() - d.settled); {
		case lost <= 0:
		case expired:
			r.count(d, kindTimeout, d.inFlight, lost, timeoutHint, errNoAnswer)
		case d.signal == signalTraces:
			r.count(d, kindDropped, 0, lost, "Raise OTEL_BSP_MAX_QUEUE_SIZE to hold every span that ends between "+
				"two exports, and end spans before calling shutdown", errDropped)
		default:
			r.count(d, kindDropped, 0, lost, "Raise OTEL_BLRP_MAX_QUEUE_SIZE to hold every record logged between "+
				"two exports, and log before calling shutdown", errDropped)
		}
	}
	var errs []error
	for _, k := range r.order {
		c := *r.kinds[k]
		errs = append(errs, &c)
	}
	for _, e := range r.others {
		if r.returnOthers {
			errs = append(errs, fmt.Errorf("setup: the SDK reported (%d %s): %w", e.n, plural("time", e.n), e.err))
		}
	}
	return errs
}

// without drops from err, through errors.Join, the errors drop is true for.
func without(err error, drop func(error) bool) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var keep []error
		for _, e := range j.Unwrap() {
			if e = without(e, drop); e != nil {
				keep = append(keep, e)
			}
		}
		return errors.Join(keep...)
	}
	if err == nil || drop(err) {
		return nil
	}
	return err
}
