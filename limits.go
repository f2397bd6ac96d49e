package slogspan

import "github.com/slogspan/slogspan/internal/spanevent"

// Limits bounds what a Handler puts on spans. A zero field takes its
// default; a negative field means unlimited. Values that are cut are marked
// and counted (see the package documentation), and the full record is
// diverted to the payload handler when one is configured.
type Limits struct {
	// MaxValueBytes bounds one attribute value, one attribute key and the
	// event name, in bytes, truncation marker included. Strings are cut on
	// a rune boundary and end with a marker such as
	// "…[truncated: 1048576 bytes]"; slices are cut by element.
	// Default: 1024.
	MaxValueBytes int

	// MaxEventAttrs bounds the attributes on one event, counting the ones
	// the Handler adds (level, log.record.uid, exception.*, code.*).
	// Attributes past the limit are omitted. Default: 32.
	MaxEventAttrs int

	// MaxEventBytes bounds the keys plus values of one event. Attributes
	// that do not fit are shortened or omitted. Default: 8192.
	MaxEventBytes int

	// MaxSpanEvents bounds the events this Handler adds to one span over
	// its life. With MaxEventsOverBudget, it stays below the SDK's default
	// of 128 events per span, past which the SDK evicts the oldest.
	// Default: 100.
	MaxSpanEvents int

	// MaxSpanBytes bounds the bytes of event names, keys and values this
	// Handler adds to one span over its life. Default: 65536.
	MaxSpanBytes int
}

// MaxEventsOverBudget is the most events a span may take beyond
// MaxSpanEvents, with their bytes beyond MaxSpanBytes, each time slogspan
// forgets the count of its first events.
//
// A span's first few events are counted in a fixed-size cache (see Memory
// in the package documentation), in one of 1024 sets of four entries
// picked by its span id. When four newer spans of its set log before the
// span logs again (about four thousand spans logging in between on
// average, sometimes fewer), its entry is taken and its count lost. A
// filter of the spans evicted recently then gives it an exact count from
// its next event on, so this happens once, unless the span stays silent
// until 30,000 to 60,000 further spans have been evicted too.
//
// Spans that log often, the ones budgets are for, are counted exactly, and
// so are dropped events and cut values. setup makes room for these events
// in the SDK's span limits.
const MaxEventsOverBudget = spanevent.MaxYoungEvents

// Default limits; see the Limits fields.
const (
	DefaultMaxValueBytes = spanevent.DefaultMaxValueBytes
	DefaultMaxEventAttrs = spanevent.DefaultMaxEventAttrs
	DefaultMaxEventBytes = spanevent.DefaultMaxEventBytes
	DefaultMaxSpanEvents = spanevent.DefaultMaxSpanEvents
	DefaultMaxSpanBytes  = spanevent.DefaultMaxSpanBytes
)
