package slogspan

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan/internal/onspan"
)

// Handler is a [slog.Handler] that records each log record as an event on
// the span active in the record's context, then passes the record on to the
// handler it wraps. Create one with [New]; the zero value is not usable.
//
// A Handler is safe for concurrent use, and so are the handlers returned by
// its WithAttrs and WithGroup methods.
type Handler struct {
	cfg  *config
	next slog.Handler // every WithAttrs and WithGroup call applied

	// steps are the WithAttrs and WithGroup calls made on the way here: all
	// of them with a payload handler, otherwise those since the first
	// WithGroup. With a group open, the ids are added to nextBase (next
	// before the first WithGroup) and steps[replayFrom:] replayed on top.
	steps      []step
	nextBase   slog.Handler
	replayFrom int
	payload    slog.Handler // nil: nothing is diverted

	// The With attributes, converted once: keys prefixed, values cut.
	attrs      []attribute.KeyValue
	attrsBytes int   // keys plus values of attrs
	attrsCut   int   // values cut while converting attrs
	attrsErr   error // first error value in attrs
	keyPrefix  string
	groups     []string // WithGroup names, for ReplaceAttr
}

// step is one WithAttrs (attrs != nil) or WithGroup (group != "") call;
// forPayload is attrs through WithReplaceAttr's function.
type step struct {
	group             string
	attrs, forPayload []slog.Attr
}

// New returns a Handler that records log records as span events and passes
// every record to next.
//
// Records reach next as if next were used alone, plus top-level trace_id
// and span_id attributes (lowercase hex) when the context carries a valid
// span context, sampled or not, and log.record.uid when the record's event
// was cut or left off the span, or diverted by WithDivertAll. Without a
// span context next receives the record unchanged.
//
// If next is slog's default handler (slog.Default().Handler() before any
// slog.SetDefault), New replaces it with an equivalent handler that writes
// to the log package's current writer, prefix and flags directly, so that
//
//	slog.SetDefault(slog.New(slogspan.New(slog.Default().Handler())))
//
// keeps the output format and does not deadlock. Attributes added to the
// default handler with With before New are not carried over.
//
// If next is itself a Handler returned by New (slog's default after
// setup.Start, or after the line above), New does not wrap it a second
// time: it returns a Handler over the handler next wraps, with next's
// options and then opts, so that each line carries its ids once and
// becomes one event. (A Handler derived by WithAttrs or WithGroup is
// wrapped as any other handler.)
//
// New panics if next is nil.
func New(next slog.Handler, opts ...Option) *Handler {
	if next == nil {
		panic("slogspan: New called with a nil handler")
	}
	if inner, ok := next.(*Handler); ok && inner.attrs == nil && inner.groups == nil && inner.steps == nil {
		cfg := *inner.cfg
		for _, o := range opts {
			o.apply(&cfg)
		}
		cfg.limits = cfg.limits.WithDefaults()
		return &Handler{cfg: &cfg, next: inner.next, payload: cfg.payload}
	}
	if isSlogDefaultHandler(next) {
		next = newStdlogHandler(next)
	}
	cfg := newConfig(opts)
	return &Handler{cfg: cfg, next: next, payload: cfg.payload}
}

// Limits returns the limits h applies, defaults filled in. A program that
// builds its own TracerProvider sets the SDK's span limits from them, so
// that the SDK keeps what h budgets: EventCountLimit above MaxSpanEvents
// and AttributePerEventCountLimit at least MaxEventAttrs.
func (h *Handler) Limits() Limits { return Limits(h.cfg.limits) }

// Next returns the handler h passes records to, with h's WithAttrs and
// WithGroup calls applied: for slog's default handler, the handler New
// put in its place. Log through it to write a line that must not become a
// span event, such as a report about the telemetry pipeline itself.
func (h *Handler) Next() slog.Handler { return h.next }

// Enabled reports whether next is enabled for level, or whether a record
// at level would become an event on the span in ctx, or, with
// WithMissingSpans, be counted as one that reached no span. With the
// default event level these are the same, and Enabled is next.Enabled.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	if h.next.Enabled(ctx, level) {
		return true
	}
	return h.cfg.eventLevel != nil && level >= h.cfg.eventLevel.Level() &&
		(h.cfg.missing != nil || trace.SpanFromContext(ctx).IsRecording())
}

// Handle records r as an event on the span in ctx when that span is
// recording and r's level is enabled for events, sets the span status to
// Error at or above the error status level, diverts the full record to the
// payload handler when it was cut, and passes r to next when next is
// enabled for its level.
//
// Errors from next and from the payload handler are returned joined.
// Because slog.Logger ignores that error, payload handler errors are also
// reported to otel.Handle.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	span := trace.SpanFromContext(ctx)
	sc := span.SpanContext()
	if !sc.IsValid() {
		if m := h.cfg.missing; m != nil && h.forEvents(r.Level) {
			m.missed(sc, r.PC)
			if h.cfg.eventLevel != nil && !h.next.Enabled(ctx, r.Level) {
				return nil // enabled for the report only
			}
		}
		return h.next.Handle(ctx, r)
	}
	toNext, toEvent := true, true
	if h.cfg.eventLevel != nil {
		toNext = h.next.Enabled(ctx, r.Level)
		toEvent = r.Level >= h.cfg.eventLevel.Level()
	}

	var uid string
	var payloadErr error
	var tg onspan.Target
	recording := span.IsRecording()
	if m := h.cfg.missing; m != nil && toEvent {
		if !recording || sc.IsRemote() {
			m.missed(sc, r.PC)
		} else {
			onspan.NoteSpanStarted()
		}
	}
	if recording {
		if toEvent {
			tg = onspan.Open(span, sc)
			uid, payloadErr = h.recordEvent(ctx, &tg, &r, toNext)
			if payloadErr != nil {
				otel.Handle(payloadErr)
			}
		}
		if r.Level >= h.cfg.errorLevel.Level() {
			desc, _ := onspan.TruncateString(r.Message, h.cfg.limits.MaxValueBytes)
			span.SetStatus(codes.Error, desc)
		}
	}
	if !toNext {
		return payloadErr
	}
	err := h.handleNextWithIDs(ctx, sc, &tg, uid, &r)
	if payloadErr != nil {
		return errors.Join(err, payloadErr)
	}
	return err
}

// forEvents reports whether a record at level would become an event on a
// recording span.
func (h *Handler) forEvents(level slog.Level) bool {
	return h.cfg.eventLevel == nil || level >= h.cfg.eventLevel.Level()
}

// recordEvent adds r as an event to tg's span within the limits and the
// span's budget, and diverts r when anything was cut or left off. It
// returns r's log.record.uid, if any (next's line, when toNext, carries it
// too), and the payload handler's error.
func (h *Handler) recordEvent(ctx context.Context, tg *onspan.Target, r *slog.Record, toNext bool) (uid string, err error) {
	canLink := h.payload != nil || toNext
	lim := &h.cfg.limits
	if uid, full := tg.SkipWhenFull(lim, canLink); full {
		return uid, h.divert(ctx, r, uid)
	}
	// Sized for level, the With attributes, r's and code.*.
	room := 1 + len(h.attrs) + r.NumAttrs()
	if h.cfg.source {
		room += 3
	}
	var conv converter
	conv.reset(h.cfg, h.keyPrefix, h.groups)
	conv.kvs = make([]attribute.KeyValue, 0, room)
	conv.keysHint = r.NumAttrs()
	conv.kvs = append(conv.kvs, attribute.String(LevelKey, r.Level.String()))
	conv.kvs = append(conv.kvs, h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		conv.addAttr(a)
		return true
	})
	name, nameCut := r.Message, false
	if !shortASCII(name, lim.MaxValueBytes) {
		name, nameCut = onspan.TruncateString(name, lim.MaxValueBytes)
	}
	if name == "" {
		name = onspan.NameEmpty
	}
	errVal := conv.err
	if errVal == nil {
		errVal = h.attrsErr
	}
	tail, tailCut := h.eventTail(errVal, r)
	ev := onspan.Event{Attrs: conv.kvs, Lead: 1, Tail: tail,
		UserBytes: h.attrsBytes + conv.bytes, Cut: h.attrsCut + conv.cut + tailCut}
	if nameCut {
		ev.Cut++
	}
	var link func(string) bool
	if canLink {
		link = onspan.Always
	}
	uid = ev.Put(tg, name, r.Time, lim, h.cfg.divertAll, link)
	return uid, h.divert(ctx, r, uid)
}

// eventTail returns exception.* for errVal and, with WithSource, code.*,
// and how many of their values were cut.
func (h *Handler) eventTail(errVal error, r *slog.Record) (tail []attribute.KeyValue, cut int) {
	value := func(s string) string {
		s, c := onspan.TruncateString(s, h.cfg.limits.MaxValueBytes)
		if c {
			cut++
		}
		return s
	}
	if errVal != nil {
		tail = append(tail,
			attribute.String(ExceptionTypeKey, value(typeName(errVal))),
			attribute.String(ExceptionMessageKey, value(safeString(errVal, errVal.Error))))
	}
	if h.cfg.source {
		if src := r.Source(); src != nil {
			tail = append(tail,
				attribute.String(CodeFilePathKey, value(src.File)),
				attribute.Int(CodeLineNumberKey, src.Line),
				attribute.String(CodeFunctionNameKey, value(src.Function)))
		}
	}
	return tail, cut
}

// divert sends r, with its logger's With and WithGroup attributes and uid,
// to the payload handler when there is one and uid is set. A payload
// handler that panics gets r again with composite values as text; a second
// panic is returned as an error.
func (h *Handler) divert(ctx context.Context, r *slog.Record, uid string) error {
	if uid == "" || h.payload == nil || !h.payload.Enabled(ctx, r.Level) {
		return nil
	}
	rec := h.payloadRecord(*r, uid)
	p, err := handleSafely(ctx, h.payload, rec)
	if p == nil {
		return err
	}
	if p, err = handleSafely(ctx, h.payload, textRecord(rec)); p != nil {
		return fmt.Errorf("slogspan: the payload handler panicked: %v", p)
	}
	return err
}

// handleSafely calls h.Handle, returning its panic's value, if any.
func handleSafely(ctx context.Context, h slog.Handler, r slog.Record) (panicked any, err error) {
	defer func() {
		if p := recover(); p != nil {
			panicked = p
		}
	}()
	return nil, h.Handle(ctx, r)
}

// recordsBeforeKeepingNext is how many events a span takes before next
// with its ids is kept on it; with a group open it is kept at once.
const recordsBeforeKeepingNext = 3

// handleNextWithIDs passes r to next with trace_id, span_id and uid, when
// set, as leading top-level attributes (before the groups are replayed,
// when one is open), through next with the ids kept on tg's span when it
// has one.
func (h *Handler) handleNextWithIDs(ctx context.Context, sc trace.SpanContext, tg *onspan.Target, uid string, r *slog.Record) error {
	if uid == "" {
		if next, ok := tg.Kept(h).(slog.Handler); ok {
			return next.Handle(ctx, *r)
		}
	}
	traceID, spanID := hexIDs(sc.TraceID(), sc.SpanID())
	if uid == "" && tg.Keeps() && (h.nextBase != nil || tg.Events() > recordsBeforeKeepingNext) {
		if size, ok := h.keptBytes(); ok {
			derive := func() any { return h.nextWithIDs(traceID, spanID, "") }
			if next, ok := tg.Keep(h, size, derive).(slog.Handler); ok {
				return next.Handle(ctx, *r)
			}
		}
	}
	if h.nextBase == nil {
		var buf [3 + 8]slog.Attr
		attrs := append(buf[:0], slog.String(TraceIDKey, traceID), slog.String(SpanIDKey, spanID))
		if uid != "" {
			attrs = append(attrs, slog.String(UIDKey, uid))
		}
		r.Attrs(func(a slog.Attr) bool {
			attrs = append(attrs, a)
			return true
		})
		withIDs := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
		withIDs.AddAttrs(attrs...)
		return h.next.Handle(ctx, withIDs)
	}
	return h.nextWithIDs(traceID, spanID, uid).Handle(ctx, *r)
}

// keptNextBytes is about what slog's JSON handler keeps for a WithAttrs
// call, its With attributes aside.
const keptNextBytes = 320

// keptBytes estimates the bytes next with the ids holds when kept: each
// derived handler keeps the With attributes formatted, in a buffer up to
// twice their size, and h holds them twice more. It reports false, and
// next is not kept, when a With attribute was cut.
func (h *Handler) keptBytes() (int, bool) {
	if h.attrsCut > 0 {
		return 0, false
	}
	derived := 1
	if h.nextBase != nil {
		derived += len(h.steps) - h.replayFrom // each holds its own copy
	}
	with := h.attrsBytes + 8*len(h.attrs) // formatted: quotes and separators
	return derived*(keptNextBytes+2*with) + 2*with, true
}

// nextWithIDs returns next with trace_id, span_id and uid, when not
// empty, added outside every group.
func (h *Handler) nextWithIDs(traceID, spanID, uid string) slog.Handler {
	ids := []slog.Attr{slog.String(TraceIDKey, traceID), slog.String(SpanIDKey, spanID)}
	if uid != "" {
		ids = append(ids, slog.String(UIDKey, uid))
	}
	if h.nextBase == nil {
		return h.next.WithAttrs(ids)
	}
	return applySteps(h.nextBase.WithAttrs(ids), h.steps[h.replayFrom:])
}

// hexIDs returns the ids in lowercase hex, in one allocation.
func hexIDs(traceID trace.TraceID, spanID trace.SpanID) (string, string) {
	var b [48]byte
	hex.Encode(b[:32], traceID[:])
	hex.Encode(b[32:], spanID[:])
	s := string(b[:])
	return s[:32], s[32:]
}

// WithAttrs returns a Handler whose events and records include attrs, in
// the groups opened so far, converted for events once, here.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	h2 := h.clone()
	h2.next = h.next.WithAttrs(attrs)
	if h.payload != nil || h.nextBase != nil {
		s := step{attrs: slices.Clone(attrs)}
		s.forPayload = s.attrs
		if h.cfg.replace != nil && h.payload != nil {
			s.forPayload = replaceAttrs(h.cfg.replace, h.groups, attrs)
		}
		h2.steps = append(slices.Clip(h.steps), s)
	}
	var conv converter
	conv.reset(h.cfg, h.keyPrefix, h.groups)
	conv.kvs = slices.Clip(h.attrs)
	conv.keysHint = len(attrs)
	for _, a := range attrs {
		conv.addAttr(a)
	}
	h2.attrs = conv.kvs
	h2.attrsBytes = h.attrsBytes + conv.bytes
	h2.attrsCut = h.attrsCut + conv.cut
	if h2.attrsErr == nil {
		h2.attrsErr = conv.err
	}
	return h2
}

// WithGroup returns a Handler that puts the attributes added after it in
// group name: nested for next, a "name." key prefix on events. An empty
// name returns h unchanged.
func (h *Handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	h2 := h.clone()
	h2.next = h.next.WithGroup(name)
	if h.nextBase == nil {
		h2.nextBase, h2.replayFrom = h.next, len(h.steps)
	}
	h2.steps = append(slices.Clip(h.steps), step{group: name})
	h2.keyPrefix = h.keyPrefix + name + "."
	h2.groups = append(slices.Clip(h.groups), name)
	return h2
}

// clone copies h for WithAttrs and WithGroup.
func (h *Handler) clone() *Handler {
	h2 := *h
	return &h2
}

// applySteps replays WithAttrs and WithGroup calls on h.
func applySteps(h slog.Handler, steps []step) slog.Handler {
	for _, s := range steps {
		if s.group != "" {
			h = h.WithGroup(s.group)
		} else {
			h = h.WithAttrs(s.attrs)
		}
	}
	return h
}
