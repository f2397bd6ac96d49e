package slogspan

import (
	"sync"

	"github.com/slogspan/slogspan/internal/spanevent"
)

// eventBuf is the per-record scratch space of recordEvent, pooled so that
// building an event allocates only what the span keeps.
type eventBuf struct {
	// conv builds the event's attributes in place, ev.Attrs: level, the
	// With attributes, then the record's.
	conv converter
	ev   spanevent.Event
}

var eventBufPool = sync.Pool{New: func() any { return new(eventBuf) }}

// An unusually large record's buffers are kept out of the pool.
const (
	maxPooledAttrs    = 256
	maxPooledKeyBytes = 16 << 10
)

func getEventBuf() *eventBuf { return eventBufPool.Get().(*eventBuf) }

func (b *eventBuf) free() {
	if cap(b.conv.kvs) > maxPooledAttrs || cap(b.ev.Tail) > maxPooledAttrs ||
		cap(b.conv.keyBuf) > maxPooledKeyBytes || cap(b.conv.prefix) > maxPooledKeyBytes {
		return
	}
	b.ev.Reset() // clears the attributes, b.conv.kvs among them
	b.conv.release()
	eventBufPool.Put(b)
}
