// Package console prints finished traces to a terminal as trees, with the
// log lines slogspan put on each span under it (testdata/checkout.golden,
// which the tests check this against):
//
//	trace 4bf92f3577b34da6a3ce929d0e0e4736
//	checkout          120.3ms ████████████████████████ OK
//	│     +1.0ms INFO  order placed items=3
//	├─ charge card     40.1ms ·████████··············· ERROR card declined
//	│  │     +2.0ms INFO  charging amount=42 card.last4=4242
//	│  │    +39.0ms ERROR card declined err="insufficient funds" body="{\"reason\":…[truncated: 52311 bytes]"
//	│  │            ↳ full record: log.record.uid=01JD3V9X0000000000000000AB
//	│  └─ call bank    30.0ms ··██████················
//	│           +1.0ms DEBUG request sent url=https://bank.example/charge
//	└─ send email       5.0ms ···········█············
//
// Each span shows its name, duration, a bar for its place and length in the
// trace, and its status; each event its offset from the span's start, its
// level, message and attributes. Values slogspan cut keep their
// "…[truncated: N bytes]" marker, and a diverted record's log.record.uid is
// shown under its event.
//
// [Exporter] is a span exporter for the OpenTelemetry SDK; [LogExporter]
// prints each log record, such as the payloads slogspan diverts, as a
// summary line with its values in full under it. Color is used only when
// writing to a terminal and NO_COLOR is unset or empty.
package console

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sync"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan"
)

// Exporter is an sdktrace.SpanExporter that prints each trace as a tree
// once its root span has ended. Spans whose root has not arrived are held
// until it does, up to [WithMaxPendingSpans]: past it, the oldest traces
// are printed as they are, marked partial. What is still held is printed
// on Shutdown. Names, keys and values are printed with control characters
// escaped (ESC as \u001b), so that logged text cannot drive the terminal.
// It is safe for concurrent use.
type Exporter struct {
	mu         sync.Mutex
	w          io.Writer
	style      style
	barWidth   int
	maxPending int
	pending    map[trace.TraceID][]sdktrace.ReadOnlySpan
	order      []trace.TraceID // pending traces, oldest first
	held       int             // spans in pending
	stopped    bool
	missing    func() []slogspan.MissingSpan // see ShowMissingSpans
}

// DefaultMaxPendingSpans is how many spans an Exporter holds, by default,
// while their trace's root is still running.
const DefaultMaxPendingSpans = 2048

// Option configures an Exporter or a LogExporter.
type Option interface {
	apply(*options)
}

type options struct {
	color      *bool
	barWidth   int
	maxPending int
}

type optionFunc func(*options)

func (f optionFunc) apply(o *options) { f(o) }

// WithColor forces color on or off. By default color is on only when the
// writer is a terminal and NO_COLOR is unset or empty.
func WithColor(on bool) Option {
	return optionFunc(func(o *options) { o.color = &on })
}

// WithBarWidth sets the width of the timeline bars in characters.
// Default 24.
func WithBarWidth(n int) Option {
	return optionFunc(func(o *options) { o.barWidth = n })
}

// WithMaxPendingSpans bounds the spans an Exporter holds while their
// trace's root is still running. Default DefaultMaxPendingSpans; values
// below 1 mean 1.
func WithMaxPendingSpans(n int) Option {
	return optionFunc(func(o *options) { o.maxPending = max(n, 1) })
}

func newOptions(w io.Writer, opts []Option) options {
	o := options{barWidth: 24, maxPending: DefaultMaxPendingSpans}
	for _, opt := range opts {
		opt.apply(&o)
	}
	if o.color == nil {
		on := isTerminal(w) && os.Getenv("NO_COLOR") == ""
		o.color = &on
	}
	if o.barWidth < 1 {
		o.barWidth = 1
	}
	return o
}

// isTerminal reports whether w is a terminal; tests replace it.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// New returns an Exporter writing to w.
func New(w io.Writer, opts ...Option) *Exporter {
	o := newOptions(w, opts)
	return &Exporter{
		w:          w,
		style:      style{on: *o.color},
		barWidth:   o.barWidth,
		maxPending: o.maxPending,
		pending:    make(map[trace.TraceID][]sdktrace.ReadOnlySpan),
	}
}

// ExportSpans prints the traces whose root span is among the spans
// exported so far, and keeps the others until their root arrives.
func (e *Exporter) ExportSpans(_ context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		return nil
	}
	touched := make(map[trace.TraceID]bool)
	for _, s := range spans {
		id := s.SpanContext().TraceID()
		if _, ok := e.pending[id]; !ok {
			e.order = append(e.order, id)
		}
		e.pending[id] = append(e.pending[id], s)
		e.held++
		touched[id] = true
	}
	var errs []error
	e.order = slices.DeleteFunc(e.order, func(id trace.TraceID) bool {
		if !touched[id] || !complete(e.pending[id]) {
			return false
		}
		errs = append(errs, e.printAndForget(id, ""))
		return true
	})
	// Over the bound: the oldest traces go out as they are.
	for e.held > e.maxPending && len(e.order) > 0 {
		id := e.order[0]
		e.order = e.order[1:]
		errs = append(errs, e.printAndForget(id, fmt.Sprintf(
			"partial: %d spans printed before their root ended, to bound what is held", len(e.pending[id]))))
	}
	return errors.Join(errs...)
}

// printAndForget prints the pending trace id, with note, and drops it.
func (e *Exporter) printAndForget(id trace.TraceID, note string) error {
	spans := e.pending[id]
	delete(e.pending, id)
	e.held -= len(spans)
	return e.print(spans, note)
}

// Shutdown prints the traces still waiting for their root, then the
// missing-span report when one was given (see ShowMissingSpans).
func (e *Exporter) Shutdown(context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		return nil
	}
	e.stopped = true
	var errs []error
	for _, id := range e.order {
		errs = append(errs, e.print(e.pending[id], ""))
	}
	e.pending, e.order, e.held = nil, nil, 0
	if e.missing != nil {
		if text := renderMissing(e.missing(), e.style); text != nil {
			_, err := e.w.Write(text)
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ForceFlush does nothing: a trace is printed as soon as it is complete.
func (*Exporter) ForceFlush(context.Context) error { return nil }

// complete reports whether spans, one trace's, hold a root to print from:
// a span whose parent is not valid, or remote and not here.
func complete(spans []sdktrace.ReadOnlySpan) bool {
	here := spanIDs(spans)
	for _, s := range spans {
		p := s.Parent()
		if !p.IsValid() || (p.IsRemote() && !here[p.SpanID()]) {
			return true
		}
	}
	return false
}

// spanIDs returns the set of the spans' ids.
func spanIDs(spans []sdktrace.ReadOnlySpan) map[trace.SpanID]bool {
	here := make(map[trace.SpanID]bool, len(spans))
	for _, s := range spans {
		here[s.SpanContext().SpanID()] = true
	}
	return here
}

func (e *Exporter) print(spans []sdktrace.ReadOnlySpan, note string) error {
	if len(spans) == 0 {
		return nil
	}
	_, err := e.w.Write(renderTrace(spans, note, e.style, e.barWidth))
	return err
}
