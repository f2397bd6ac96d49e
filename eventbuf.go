package slogspan

import (
	"go.opentelemetry.io/otel/attribute"

	"github.com/slogspan/slogspan/internal/onspan"
)

// eventBuf is the per-record scratch space of recordEvent, on its stack,
// so that building an event allocates only what the span keeps: the
// attribute slice, sized for the record, and the keys inside groups.
type eventBuf struct {
	// conv builds the event's attributes, ev.Attrs: level, the With
	// attributes, then the record's.
	conv converter
	ev   onspan.Event
}

// init readies b for a record of recordAttrs attributes, with the
// configuration, group prefix and groups of its handler, and room for
// attrs attributes in all.
func (b *eventBuf) init(cfg *config, prefix string, groups []string, recordAttrs, attrs int) {
	b.conv.reset(cfg, prefix, groups)
	b.conv.kvs = make([]attribute.KeyValue, 0, attrs)
	b.conv.keysHint = recordAttrs
}
