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
