package slogspan

import (
	"context"
	"log/slog"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Attribute keys the Handler adds to events, from the OpenTelemetry
// semantic conventions (checked against go.opentelemetry.io/otel/semconv
// in the tests).
const (
	LevelKey            = "level"
	UIDKey              = "log.record.uid"
	ExceptionTypeKey    = "exception.type"
	ExceptionMessageKey = "exception.message"
	CodeFilePathKey     = "code.file.path"
	CodeLineNumberKey   = "code.line.number"
	CodeFunctionNameKey = "code.function.name"
)

// eventNameEmpty names the event of a record with an empty message.
const eventNameEmpty = "log"

// eventBuf is the per-record scratch space of recordEvent, pooled so that
// building an event does not allocate.
type eventBuf struct {
	conv converter
	out  []attribute.KeyValue
	tail []attribute.KeyValue // uid, exception.*, code.*
}

var eventBufPool = sync.Pool{New: func() any { return new(eventBuf) }}

// maxPooledAttrs keeps an unusually large record's buffers out of the pool.
const maxPooledAttrs = 256

func (b *eventBuf) free() {
	if cap(b.conv.kvs) > maxPooledAttrs || cap(b.out) > maxPooledAttrs {
		return
	}
	clear(b.conv.kvs)
	clear(b.out)
	clear(b.tail)
	b.conv = converter{kvs: b.conv.kvs[:0]}
	b.out, b.tail = b.out[:0], b.tail[:0]
	eventBufPool.Put(b)
}

// recordEvent adds r as an event to span, within the limits and the span's
// budget, and diverts the full record to the payload handler when anything
// was cut. It returns the span's state and the payload handler's error.
func (h *Handler) recordEvent(ctx context.Context, span trace.Span, sc trace.SpanContext, r slog.Record) (st *spanState, err error) {
	lim := &h.cfg.limits
	b := eventBufPool.Get().(*eventBuf)
	defer b.free()

	b.conv.limits = lim
	r.Attrs(func(a slog.Attr) bool {
		b.conv.addAttr(h.keyPrefix, a)
		return true
	})
	name, nameCut := truncateString(r.Message, lim.MaxValueBytes)
	if name == "" {
		name = eventNameEmpty
	}
	cut := h.attrsCut + b.conv.cut
	if nameCut {
		cut++
	}
	errVal := b.conv.err
	if errVal == nil {
		errVal = h.attrsErr
	}

	canDivert := h.payload != nil
	divert := canDivert && (cut > 0 || h.cfg.divertAll)
	uid := ""
	if divert {
		uid = newUID()
	}
	size, fitCut := h.fitEvent(b, r, errVal, uid)
	if fitCut > 0 && canDivert && uid == "" {
		// Cutting to fit the event means the record is diverted after all,
		// and the uid needs its place on the event.
		divert, uid = true, newUID()
		size, fitCut = h.fitEvent(b, r, errVal, uid)
	}
	size += len(name)

	st = h.cfg.spans.get(span, sc)
	if st.reserve(size, cut+fitCut, lim) {
		span.AddEvent(name, trace.WithTimestamp(r.Time), trace.WithAttributes(b.out...))
	} else if canDivert && !divert {
		divert, uid = true, newUID()
	}
	if divert {
		err = h.divert(ctx, r, uid)
	}
	return st, err
}

// fitEvent fills b.out with the event's attributes within MaxEventAttrs and
// MaxEventBytes: level first, then the With and record attributes in order,
// then log.record.uid (when uid is set), exception.* and code.*. The added
// attributes take precedence; the user's fill the room left. It returns the
// event's key and value bytes and how many attributes were cut to fit.
func (h *Handler) fitEvent(b *eventBuf, r slog.Record, errVal error, uid string) (size, cut int) {
	lim := &h.cfg.limits
	b.out = append(b.out[:0], attribute.String(LevelKey, r.Level.String()))
	b.tail = b.tail[:0]
	if uid != "" {
		b.tail = append(b.tail, attribute.String(UIDKey, uid))
	}
	if errVal != nil {
		msg, c := truncateString(safeString(errVal, errVal.Error), lim.MaxValueBytes)
		if c {
			cut++
		}
		b.tail = append(b.tail,
			attribute.String(ExceptionTypeKey, typeName(errVal)),
			attribute.String(ExceptionMessageKey, msg))
	}
	if h.cfg.source {
		if src := r.Source(); src != nil {
			file, c1 := truncateString(src.File, lim.MaxValueBytes)
			fn, c2 := truncateString(src.Function, lim.MaxValueBytes)
			if c1 {
				cut++
			}
			if c2 {
				cut++
			}
			b.tail = append(b.tail,
				attribute.String(CodeFilePathKey, file),
				attribute.Int(CodeLineNumberKey, src.Line),
				attribute.String(CodeFunctionNameKey, fn))
		}
	}
	if lim.MaxEventAttrs >= 0 && 1+len(b.tail) > lim.MaxEventAttrs {
		keep := max(lim.MaxEventAttrs-1, 0)
		cut += len(b.tail) - keep
		b.tail = b.tail[:keep]
	}

	size = kvBytes(b.out[0])
	for _, kv := range b.tail {
		size += kvBytes(kv)
	}
	room := -1 // attributes left for the user's; -1 is unlimited
	if lim.MaxEventAttrs >= 0 {
		room = max(lim.MaxEventAttrs-1-len(b.tail), 0)
	}
	if n := len(h.attrs) + len(b.conv.kvs); (room < 0 || n <= room) &&
		within(size+h.attrsBytes+b.conv.bytes, lim.MaxEventBytes) {
		// Everything fits, the common case.
		b.out = append(b.out, h.attrs...)
		b.out = append(b.out, b.conv.kvs...)
		b.out = append(b.out, b.tail...)
		return size + h.attrsBytes + b.conv.bytes, cut
	}
	for _, kvs := range [2][]attribute.KeyValue{h.attrs, b.conv.kvs} {
		for _, kv := range kvs {
			if room == 0 {
				cut++
				continue
			}
			n := kvBytes(kv)
			if !within(size+n, lim.MaxEventBytes) {
				left := lim.MaxEventBytes - size - len(kv.Key)
				if kv.Value.Type() != attribute.STRING || left <= 0 {
					cut++
					continue
				}
				s, _ := truncateString(kv.Value.AsString(), left)
				kv.Value = attribute.StringValue(s)
				n = kvBytes(kv)
				cut++
			}
			b.out = append(b.out, kv)
			size += n
			if room > 0 {
				room--
			}
		}
	}
	b.out = append(b.out, b.tail...)
	return size, cut
}

func kvBytes(kv attribute.KeyValue) int { return len(kv.Key) + valueBytes(kv.Value) }

// divert sends the full record, with its logger's With and WithGroup
// attributes and log.record.uid, to the payload handler.
func (h *Handler) divert(ctx context.Context, r slog.Record, uid string) error {
	if !h.payload.Enabled(ctx, r.Level) {
		return nil
	}
	return h.payload.Handle(ctx, payloadRecord(r, h.steps, uid))
}
