package slogspan

// SpansTracked reports how many spans h keeps bookkeeping for.
func SpansTracked(h *Handler) int { return h.cfg.spans.len() }
