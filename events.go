package slogspan

import (
	"context"
	"fmt"
	"log/slog"

	"go.opentelemetry.io/otel/attribute"

	"github.com/slogspan/slogspan/internal/spanevent"
)

// recordEvent adds r as an event to tg's span, within the limits and the
// span's budget, and diverts the full record to the payload handler when
// anything was cut or the span's budget was used up. It returns the
// record's log.record.uid when it has one, and the payload handler's
// error. toNext says whether next gets the record: its line, which holds
// the full record, then carries the uid too.
func (h *Handler) recordEvent(ctx context.Context, tg *spanevent.Target, r slog.Record, toNext bool) (uid string, err error) {
	canLink := h.payload != nil || toNext
	lim := &h.cfg.limits
	if uid, full := tg.SkipWhenFull(lim, canLink); full {
		return uid, h.divert(ctx, r, uid)
	}
	var b eventBuf
	// Room for level, the With attributes, the record's attributes and
	// code.*: the span keeps the slice, so it is sized to what a record
	// without groups or errors needs.
	room := 1 + len(h.attrs) + r.NumAttrs()
	if h.cfg.source {
		room += 3
	}
	b.init(h.cfg, h.keyPrefix, h.groups, r.NumAttrs(), room)
	b.conv.kvs = append(b.conv.kvs, attribute.String(LevelKey, r.Level.String()))
	b.conv.kvs = append(b.conv.kvs, h.attrs...)
	r.Attrs(func(a slog.Attr) bool {
		b.conv.addAttr(a)
		return true
	})
	name, nameCut := r.Message, false
	if !shortASCII(name, lim.MaxValueBytes) {
		name, nameCut = spanevent.TruncateString(name, lim.MaxValueBytes)
	}
	if name == "" {
		name = spanevent.NameEmpty
	}

	ev := &b.ev
	ev.Attrs, ev.Lead, ev.UserBytes = b.conv.kvs, 1, h.attrsBytes+b.conv.bytes
	ev.Cut = h.attrsCut + b.conv.cut + h.eventTail(&b, r)
	if nameCut {
		ev.Cut++
	}
	var link func(string) bool
	if canLink {
		link = spanevent.Always
	}
	uid = ev.Put(tg, name, r.Time, lim, h.cfg.divertAll, link)
	return uid, h.divert(ctx, r, uid)
}

// eventTail fills b.ev.Tail with the attributes added after the user's:
// exception.* for the record's first error value, and code.* with
// WithSource. It returns how many of their values were cut.
func (h *Handler) eventTail(b *eventBuf, r slog.Record) (cut int) {
	lim := &h.cfg.limits
	tail := b.ev.Tail[:0]
	errVal := b.conv.err
	if errVal == nil {
		errVal = h.attrsErr
	}
	if errVal != nil {
		typ, c1 := spanevent.TruncateString(typeName(errVal), lim.MaxValueBytes)
		msg, c2 := spanevent.TruncateString(safeString(errVal, errVal.Error), lim.MaxValueBytes)
		if c1 {
			cut++
		}
		if c2 {
			cut++
		}
		tail = append(tail,
			attribute.String(ExceptionTypeKey, typ),
			attribute.String(ExceptionMessageKey, msg))
	}
	if h.cfg.source {
		if src := r.Source(); src != nil {
			file, c1 := spanevent.TruncateString(src.File, lim.MaxValueBytes)
			fn, c2 := spanevent.TruncateString(src.Function, lim.MaxValueBytes)
			if c1 {
				cut++
			}
			if c2 {
				cut++
			}
			tail = append(tail,
				attribute.String(CodeFilePathKey, file),
				attribute.Int(CodeLineNumberKey, src.Line),
				attribute.String(CodeFunctionNameKey, fn))
		}
	}
	b.ev.Tail = tail
	return cut
}

// divert sends the full record, with its logger's With and WithGroup
// attributes and log.record.uid, to the payload handler, when there is one
// and the record has a uid. A payload handler that panics gets the record
// once more with its composite values as text (see payload.go); a second
// panic is returned as an error. The logging call never panics.
func (h *Handler) divert(ctx context.Context, r slog.Record, uid string) error {
	if uid == "" || h.payload == nil || !h.payload.Enabled(ctx, r.Level) {
		return nil
	}
	rec := h.payloadRecord(r, uid)
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
