package slogspan

// Limits bounds what a Handler puts on spans. A zero field takes its
// default; a negative field means unlimited. What is cut is marked and
// counted, and the event is linked to the full record by log.record.uid.
//
// slogspan's own attributes count against MaxEventAttrs and MaxEventBytes
// first; the user's fill the room left. Their keys are never cut; level
// and log.record.uid are always kept whole, while exception.* and code.*
// values are cut as the user's are.
type Limits struct {
	// MaxValueBytes bounds each attribute value, each key and the event
	// name, in bytes, marker included. Strings are cut on a rune boundary
	// and end with a marker such as "…[truncated: 1048576 bytes]"; slices
	// are cut by element. Default: 1024.
	MaxValueBytes int

	// MaxEventAttrs bounds the attributes on one event, the Handler's
	// own included; past it the user's go first, and level and
	// log.record.uid are kept even past it. Default: 32.
	MaxEventAttrs int

	// MaxEventBytes bounds the keys plus values of one event. Default: 8192.
	MaxEventBytes int

	// MaxSpanEvents bounds the events slogspan adds to one span over its
	// life, counted across every Handler and spanevents Processor. It
	// stays below the SDK's default of 128 events, past which the SDK
	// evicts the oldest. Enforced only on spans whose TracerProvider has
	// a spanevents.SpanTracker. Default: 100.
	MaxSpanEvents int

	// MaxSpanBytes bounds the bytes of event names, keys and values
	// slogspan adds to one span, counted as MaxSpanEvents is.
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
// took an event and have not ended. Past it, each new span releases the
// bookkeeping of another, picked at random (in practice one never ended),
// whose budget starts over if it logs again. The bound holds in each of 32
// shards of MaxTrackedSpans/32 spans, by span id, so releasing starts when
// about 96 to 98% of MaxTrackedSpans spans have bookkeeping. Reaching it is
// reported once, through otel.Handle.
const MaxTrackedSpans = 262144
