package onspan

import (
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// maxPublishRounds bounds how often publish sets counters that changed
// meanwhile; the span's next change publishes the rest.
const maxPublishRounds = 4

// publish sets x's counters on span, unless another goroutine is doing so:
// that one sets them again when done. sh is x's shard.
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

// setOn sets the counters that are not zero on span and records that it
// has them, also when the span panics.
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
