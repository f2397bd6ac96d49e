package slogspan

// Limits bounds what a Handler puts on spans. A zero field takes its
// default; a negative field means unlimited. Values that are cut are marked
// and counted (see the package documentation), and the record is linked to
// its full text by log.record.uid.
//
// slogspan's own attributes follow two rules, whatever the limits: level
// and log.record.uid are always kept whole, so an event always has its
// level and its link; exception.* and code.* take their values from the
// record, which are cut to MaxValueBytes like the user's. The keys
// slogspan writes are never cut. slogspan's attributes count against
// MaxEventAttrs and MaxEventBytes first: the user's fill the room left.
type Limits struct {
	// MaxValueBytes bounds one value, one key and the event name: each
	// attribute value, each attribute key, and the event's name, in bytes,
	// truncation marker included. Strings are cut on a rune boundary and
	// end with a marker such as "…[truncated: 1048576 bytes]"; slices are
	// cut by element. Default: 1024.
	MaxValueBytes int

	// MaxEventAttrs bounds the attributes on one event, counting the ones
	// the Handler adds (level, log.record.uid, exception.*, code.*).
	// Attributes past the limit are omitted, the user's first; level and
	// log.record.uid are kept even past it. Default: 32.
	MaxEventAttrs int

	// MaxEventBytes bounds the keys plus values of one event. The user's
	// attributes that do not fit beside slogspan's are shortened or
	// omitted. Default: 8192.
	MaxEventBytes int

	// MaxSpanEvents bounds the events slogspan adds to one span over its
	// life, counted across every Handler and spanevents Processor of the
	// program: each checks its own limit against the span's one count. It
	// stays below the SDK's default of 128 events per span, past which the
	// SDK evicts the oldest, leaving room for other instrumentation's
	// events. Enforced only on spans whose TracerProvider has a
	// spanevents.SpanTracker (see "Span budgets" in the package
	// documentation). Default: 100.
	MaxSpanEvents int

	// MaxSpanBytes bounds the bytes of event names, keys and values
	// slogspan adds to one span over its life, counted as MaxSpanEvents is.
	// Default: 65536.
	MaxSpanBytes int
}

// Default limits; see the Limits fields.
const (
	DefaultMaxValueBytes = 1024
	DefaultMaxEventAttrs = 32
	DefaultMaxEventBytes = 8192
	DefaultMaxSpanEvents = 100
	DefaultMaxSpanBytes  = 65536
)

// MaxTrackedSpans bounds the spans slogspan keeps a budget for: spans that
// took an event and have not ended. A span that is never ended keeps its
// bookkeeping (at most 64 bytes; more from its fourth event, or once it
// dropped an event or had a value cut: see "Memory" in the package
// documentation; no reference to the span) until the bound is reached;
// past it, each new span releases the bookkeeping of another, picked at
// random (in practice, as they accumulate, one never ended), whose budget
// starts over if it logs again. The bound holds in each of 32 shards, by
// span id, of MaxTrackedSpans/32 spans: releasing starts when the first
// is full, which with random span ids is when about 96 to 98% of
// MaxTrackedSpans spans have bookkeeping. slogspan reports reaching the
// bound once, through otel.Handle.
const MaxTrackedSpans = 262144
