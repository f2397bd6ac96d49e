package setup

import (
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/slogspan/slogspan"
)

// OtherEventsRoom is how many events a span may take from other
// instrumentation besides slogspan's MaxSpanEvents: setup keeps the SDK's
// event limit at least that much above it. With the default budget of
// 100, that is the SDK's default of 128.
const OtherEventsRoom = 28

// spanLimitsFor returns base (the OTEL_SPAN_* environment when nil) raised
// to what the handler h, and the bridge when there is one, budget.
func (c *config) spanLimitsFor(base *sdktrace.SpanLimits, h *slogspan.Handler) sdktrace.SpanLimits {
	sl := sdktrace.NewSpanLimits()
	if base != nil {
		sl = *base
	}
	events, attrs := h.Limits().MaxSpanEvents, h.Limits().MaxEventAttrs
	if c.bridge != nil {
		events, attrs = maxLimit(events, c.bridge.Limits().MaxSpanEvents), maxLimit(attrs, c.bridge.Limits().MaxEventAttrs)
	}
	if events >= 0 {
		events += OtherEventsRoom
	}
	sl.EventCountLimit = maxLimit(sl.EventCountLimit, events)
	sl.AttributePerEventCountLimit = maxLimit(sl.AttributePerEventCountLimit, attrs)
	return sl
}

// maxLimit returns the larger of two limits, where a negative one means
// unlimited.
func maxLimit(a, b int) int {
	if a < 0 || b < 0 {
		return -1
	}
	return max(a, b)
}
