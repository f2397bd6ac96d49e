package setup

import (
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/slogspan/slogspan"
)

// OtherEventsRoom is how many events a span may take from other
// instrumentation (exceptions recorded by otelhttp or RecordError, for
// one) besides slogspan's MaxSpanEvents: setup keeps the SDK's event limit
// at least that much above it, so that the SDK never evicts an event
// slogspan kept. With the default budget of 100, that is the SDK's own
// default of 128.
const OtherEventsRoom = 28

// spanLimitsFor returns the span limits for the TracerProvider: base (the
// OTEL_SPAN_* environment when nil), raised where it is below what
// slogspan budgets, so that the SDK never evicts events slogspan counted
// as kept, nor drops attributes it kept on an event.
func spanLimitsFor(base *sdktrace.SpanLimits, l slogspan.Limits) sdktrace.SpanLimits {
	sl := sdktrace.NewSpanLimits()
	if base != nil {
		sl = *base
	}
	sl.EventCountLimit = maxLimit(sl.EventCountLimit, sumLimit(l.MaxSpanEvents, OtherEventsRoom))
	sl.AttributePerEventCountLimit = maxLimit(sl.AttributePerEventCountLimit, l.MaxEventAttrs)
	return sl
}

// eventBudget returns the limits the SDK's span limits must make room for:
// the handler's, and the span events bridge's when there is one. The two
// share one budget per span, so the larger of each limit is what a span
// can take.
func (c *config) eventBudget(h *slogspan.Handler) slogspan.Limits {
	l := h.Limits()
	if c.bridge == nil {
		return l
	}
	b := c.bridge.Limits()
	l.MaxSpanEvents = maxLimit(l.MaxSpanEvents, b.MaxSpanEvents)
	l.MaxEventAttrs = maxLimit(l.MaxEventAttrs, b.MaxEventAttrs)
	return l
}

// maxLimit returns the larger of two limits, where a negative one means
// unlimited.
func maxLimit(a, b int) int {
	if a < 0 || b < 0 {
		return -1
	}
	return max(a, b)
}

// sumLimit adds two limits, where a negative one means unlimited.
func sumLimit(a, b int) int {
	if a < 0 || b < 0 {
		return -1
	}
	return a + b
}
