package setup

import (
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/slogspan/slogspan"
)

// spanLimitsFor returns the span limits for the TracerProvider: base (the
// OTEL_SPAN_* environment when nil), raised where it is below what the
// handler budgets, so that the SDK never evicts events the handler counted
// as kept, nor drops attributes it kept on an event.
func spanLimitsFor(base *sdktrace.SpanLimits, l slogspan.Limits) sdktrace.SpanLimits {
	sl := sdktrace.NewSpanLimits()
	if base != nil {
		sl = *base
	}
	sl.EventCountLimit = atLeast(sl.EventCountLimit, l.MaxSpanEvents)
	sl.AttributePerEventCountLimit = atLeast(sl.AttributePerEventCountLimit, l.MaxEventAttrs)
	return sl
}

// atLeast returns limit raised to need, where a negative value means
// unlimited for both.
func atLeast(limit, need int) int {
	switch {
	case limit < 0:
		return limit
	case need < 0:
		return -1
	default:
		return max(limit, need)
	}
}

// eventBudget returns the limits the SDK's span limits must make room for:
// the handler's, plus the span events bridge's when there is one.
// Each may add up to slogspan.MaxEventsOverBudget events more.
func (c *config) eventBudget(h *slogspan.Handler) slogspan.Limits {
	l := h.Limits()
	l.MaxSpanEvents = sumLimit(l.MaxSpanEvents, slogspan.MaxEventsOverBudget)
	if c.bridge == nil {
		return l
	}
	b := c.bridge.Limits()
	l.MaxSpanEvents = sumLimit(l.MaxSpanEvents, sumLimit(b.MaxSpanEvents, slogspan.MaxEventsOverBudget))
	if l.MaxEventAttrs < 0 || b.MaxEventAttrs < 0 {
		l.MaxEventAttrs = -1
	} else {
		l.MaxEventAttrs = max(l.MaxEventAttrs, b.MaxEventAttrs)
	}
	return l
}

// sumLimit adds two limits, where a negative one means unlimited.
func sumLimit(a, b int) int {
	if a < 0 || b < 0 {
		return -1
	}
	return a + b
}
