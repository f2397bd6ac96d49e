package spanevents

import (
	"sync"

	"go.opentelemetry.io/otel/attribute"

	"github.com/slogspan/slogspan/internal/spanevent"
)

// buf is the per-record scratch space of OnEmit, pooled so that building
// an event allocates only what the span keeps.
type buf struct {
	ev     spanevent.Event
	limits *spanevent.Limits
	// tailKeys sends exception.* and code.* to ev.Tail, in the order
	// slogspan.Handler puts them, instead of among the user's attributes.
	tailKeys bool
	tail     [5]attribute.KeyValue // by tailOrder; Key "" when absent
	prefix   []byte                // dotted key prefix inside maps
}

var bufPool = sync.Pool{New: func() any { return new(buf) }}

// maxPooledAttrs keeps an unusually large record's buffers out of the pool.
const maxPooledAttrs = 256

func getBuf() *buf { return bufPool.Get().(*buf) }

func (b *buf) reset(l *spanevent.Limits) {
	b.ev.Reset()
	b.limits, b.tailKeys, b.tail, b.prefix = l, false, [5]attribute.KeyValue{}, b.prefix[:0]
}

func (b *buf) free() {
	if cap(b.ev.Attrs) > maxPooledAttrs || cap(b.ev.Tail) > maxPooledAttrs {
		return
	}
	b.ev.Reset()
	b.tail = [5]attribute.KeyValue{}
	bufPool.Put(b)
}
