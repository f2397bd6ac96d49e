package slogspan

// SpansTracked reports how many spans h keeps bookkeeping for.
func SpansTracked(h *Handler) int { return h.cfg.spans.Len() }

// SweepSpans drops now the bookkeeping of every span that was reclaimed or
// has ended, which the handler otherwise does a few entries at a time.
func SweepSpans(h *Handler) { h.cfg.spans.SweepAll() }
