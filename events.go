package slogspan

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

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
// building an event allocates only what the span keeps.
type eventBuf struct {
	// conv.kvs is the event's attributes, built in place: level, the
	// With attributes, the record's attributes, then tail.
	conv converter
	tail []attribute.KeyValue // log.record.uid, exception.*, code.*
}

var eventBufPool = sync.Pool{New: func() any { return new(eventBuf) }}

// An unusually large record's buffers are kept out of the pool.
const (
	maxPooledAttrs    = 256
	maxPooledKeyBytes = 16 << 10
)

func (b *eventBuf) free() {
	if cap(b.conv.kvs) > maxPooledAttrs || cap(b.tail) > maxPooledAttrs ||
		cap(b.conv.keyBuf) > maxPooledKeyBytes || cap(b.conv.prefix) > maxPooledKeyBytes {
		return
	}
	clear(b.conv.kvs) // fitEvent clears what it cuts off
	clear(b.tail)
	b.conv.reset(nil, "", nil)
	b.tail = b.tail[:0]
	eventBufPool.Put(b)
}

// addEvent adds the event in b to span. The span gets options and an
// attribute slice of its own: the trace.Span API lets an implementation
// keep them past the call (a wrapper that applies its calls later), so
// nothing handed to it is reused.
func (b *eventBuf) addEvent(span trace.Span, name string, t time.Time) {
	attrs := make([]attribute.KeyValue, len(b.conv.kvs))
	copy(attrs, b.conv.kvs)
	span.AddEvent(name, trace.WithTimestamp(t), trace.WithAttributes(attrs...))
}

// recordEvent adds r as an event to span, whose state is st, within the
// limits and the span's budget, and diverts the full record to the payload
// handler when anything was cut. It returns the payload handler's error.
func (h *Handler) recordEvent(ctx context.Context, span trace.Span, st *spanState, r slog.Record) error {
	if st.eventsFull.Load() {
		// The span takes no more events: skip building one.
		st.drop(span)
		if h.payload == nil {
			return nil
		}
		return h.divert(ctx, r, newUID())
	}
	lim := &h.cfg.limits
	b := eventBufPool.Get().(*eventBuf)
	defer b.free()

	b.conv.reset(h.cfg, h.keyPrefix, h.groups)
	b.conv.kvs = append(b.conv.kvs, attribute.String(LevelKey, r.Level.String()))
	b.conv.kvs = append(b.conv.kvs, h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		b.conv.addAttr(a)
		return true
	})
	b.conv.finishKeys()
	name, nameCut := truncateString(r.Message, lim.MaxValueBytes)
	if name == "" {
		name = eventNameEmpty
	}
	cut := h.attrsCut + b.conv.cut + h.eventTail(b, r)
	if nameCut {
		cut++
	}
	// Keys made unique: what is left out counts as cut, so that the full
	// record is diverted.
	user := b.conv.kvs[1:]
	kept, removedBytes := uniqueUserKeys(user, b.tail)
	if removed := len(user) - len(kept); removed > 0 {
		b.conv.kvs = b.conv.kvs[:1+len(kept)]
		b.conv.bytes -= removedBytes
		cut += removed
	}

	// A record is diverted when anything in it was cut, including cutting
	// it to fit the event; the uid then needs its place on the event.
	canDivert := h.payload != nil
	divert := canDivert && (cut > 0 || h.cfg.divertAll || !h.fitsWhole(b))
	uid := ""
	if divert {
		uid = newUID()
		b.tail = slices.Insert(b.tail, 0, attribute.String(UIDKey, uid))
	}
	size, fitCut := h.fitEvent(b)
	size += len(name)

	if st.reserve(span, size, cut+fitCut, lim) {
		b.addEvent(span, name, r.Time)
	} else if canDivert && !divert {
		divert, uid = true, newUID()
	}
	if divert {
		return h.divert(ctx, r, uid)
	}
	return nil
}

// eventTail fills b.tail with the attributes added after the user's:
// exception.* for the record's first error value, and code.* with
// WithSource. It returns how many of their values were cut.
func (h *Handler) eventTail(b *eventBuf, r slog.Record) (cut int) {
	lim := &h.cfg.limits
	b.tail = b.tail[:0]
	errVal := b.conv.err
	if errVal == nil {
		errVal = h.attrsErr
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
	return cut
}

// fitsWhole reports whether the event in b, its tail included, is within
// MaxEventAttrs and MaxEventBytes as it is.
func (h *Handler) fitsWhole(b *eventBuf) bool {
	lim := &h.cfg.limits
	n := len(b.conv.kvs) + len(b.tail)
	size := kvBytes(b.conv.kvs[0]) + h.attrsBytes + b.conv.bytes + kvsBytes(b.tail)
	return within(n, lim.MaxEventAttrs) && within(size, lim.MaxEventBytes)
}

// fitEvent cuts the event in b to MaxEventAttrs and MaxEventBytes and
// appends the tail: the level and the tail take precedence, and the user's
// attributes fill the room left, in order, shortened or omitted when they
// do not fit. It returns the event's key and value bytes and how many
// attributes were cut to fit.
func (h *Handler) fitEvent(b *eventBuf) (size, cut int) {
	lim := &h.cfg.limits
	if lim.MaxEventAttrs >= 0 && 1+len(b.tail) > lim.MaxEventAttrs {
		keep := max(lim.MaxEventAttrs-1, 0)
		cut += len(b.tail) - keep
		b.tail = b.tail[:keep]
	}
	size = kvBytes(b.conv.kvs[0]) + kvsBytes(b.tail)
	user := b.conv.kvs[1:]
	room := -1 // attributes left for the user's; -1 is unlimited
	if lim.MaxEventAttrs >= 0 {
		room = max(lim.MaxEventAttrs-1-len(b.tail), 0)
	}
	if userBytes := h.attrsBytes + b.conv.bytes; (room < 0 || len(user) <= room) &&
		within(size+userBytes, lim.MaxEventBytes) {
		// Everything fits, the common case.
		b.conv.kvs = append(b.conv.kvs, b.tail...)
		return size + userBytes, cut
	}
	kept := user[:0] // compacted in place
	for _, kv := range user {
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
		kept = append(kept, kv)
		size += n
		if room > 0 {
			room--
		}
	}
	clear(user[len(kept):])
	b.conv.kvs = append(b.conv.kvs[:1+len(kept)], b.tail...)
	return size, cut
}

func kvsBytes(kvs []attribute.KeyValue) int {
	n := 0
	for _, kv := range kvs {
		n += kvBytes(kv)
	}
	return n
}

func kvBytes(kv attribute.KeyValue) int { return len(kv.Key) + valueBytes(kv.Value) }

// divert sends the full record, with its logger's With and WithGroup
// attributes and log.record.uid, to the payload handler.
func (h *Handler) divert(ctx context.Context, r slog.Record, uid string) error {
	if !h.payload.Enabled(ctx, r.Level) {
		return nil
	}
	return h.payload.Handle(ctx, h.payloadRecord(r, uid))
}
