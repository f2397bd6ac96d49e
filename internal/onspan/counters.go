package onspan

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// A span's counters (slogspan.dropped_events, slogspan.truncated_values)
// are set on it as they change, from a snapshot taken under its shard's
// lock and set after the lock is released: SetAttributes is the span
// implementation's code, which may log, even to the same span.
//
// One goroutine sets them at a time, and sets them again while they
// changed meanwhile, so that the last values set are the latest, however
// the goroutines interleave. A span that logs from SetAttributes changes
// them while they are set: maxPublishRounds bounds that loop, and the
// span's next change publishes what is left.

const maxPublishRounds = 4

// publish sets x's counters on span, unless another goroutine is doing
// so: that one sets them again when it is done. sh is x's shard.
func (x *more) publish(sh *shard, span trace.Span) {
	for range maxPublishRounds {
		sh.mu.Lock()
		if x.publishing || x.published == x.changes {
			sh.mu.Unlock()
			return
		}
		x.publishing = true
		changes, dropped, truncated := x.changes, x.dropped, x.truncated
		sh.mu.Unlock()
		x.setOn(sh, span, changes, dropped, truncated)
	}
}

// setOn sets the counters that are not zero on span, then records that
// the span has them, also when the span panics.
func (x *more) setOn(sh *shard, span trace.Span, changes uint64, dropped, truncated int64) {
	set := false
	defer func() {
		sh.mu.Lock()
		x.publishing = false
		if set {
			x.published = changes
		}
		sh.mu.Unlock()
	}()
	// A new slice each time: nothing handed to a span is used again.
	kvs := make([]attribute.KeyValue, 0, 2)
	if dropped > 0 {
		kvs = append(kvs, attribute.Int64(DroppedEventsKey, dropped))
	}
	if truncated > 0 {
		kvs = append(kvs, attribute.Int64(TruncatedValuesKey, truncated))
	}
	span.SetAttributes(kvs...)
	set = true
}
