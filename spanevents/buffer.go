package spanevents

import (
	"sync"

	"go.opentelemetry.io/otel/attribute"

	"github.com/slogspan/slogspan/internal/onspan"
)

// buf is the per-record scratch space of OnEmit, pooled so that building
// an event allocates only what the span keeps: ev.Attrs, made for each
// record.
type buf struct {
	ev     onspan.Event
	limits *onspan.Limits
	// tailKeys sends exception.* and code.* to ev.Tail, in the order
	// slogspan.Handler puts them, instead of among the user's attributes.
	tailKeys bool
	tail     [5]attribute.KeyValue // by tailOrder; Key "" when absent
	prefix   []byte                // dotted key prefix inside maps
	// uid is the record's own log.record.uid, Key "" when it has none:
	// the event's link to the record, leading the tail.
	uid attribute.KeyValue
}

var bufPool = sync.Pool{New: func() any { return new(buf) }}

// maxPooledAttrs keeps an unusually large record's buffers out of the pool.
const maxPooledAttrs = 256

// getBuf returns an empty buf for limits l. Pooled bufs were emptied by
// free.
func getBuf(l *onspan.Limits) *buf {
	b := bufPool.Get().(*buf)
	b.limits = l
	return b
}

func (b *buf) free() {
	if cap(b.ev.Tail) > maxPooledAttrs {
		return
	}
	b.ev.Reset()
	b.tailKeys, b.tail, b.prefix, b.uid = false, [5]attribute.KeyValue{}, b.prefix[:0], attribute.KeyValue{}
	bufPool.Put(b)
}
