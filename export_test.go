package slogspan

import "runtime"

// SpansTracked reports how many spans h keeps bookkeeping for.
func SpansTracked(h *Handler) int { return h.cfg.spans.len() }

// SweepSpans runs a sweep of h's span table now, as the handler does after
// enough new spans.
func SweepSpans(h *Handler) {
	t := h.cfg.spans
	for !t.sweeping.CompareAndSwap(false, true) {
		runtime.Gosched()
	}
	t.sweep()
}
