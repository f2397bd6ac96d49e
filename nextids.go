package slogspan

import (
	"log/slog"

	"github.com/slogspan/slogspan/internal/spanevent"
)

// recordsBeforeKeepingNext is how many records a span passes to next, with
// the ids added to each record, before next with the ids added is derived
// and kept. Deriving costs about as much as three records with the ids
// added, and most spans get one to three records. With a group open, the
// ids can only be added by deriving, so next is kept at once.
const recordsBeforeKeepingNext = 3

// nextFor returns next with the ids of st's span added, kept in st once
// keeping it pays. It returns nil when the record should get the ids
// itself: too few records yet, or the span keeps as many handlers as it
// may.
func (h *Handler) nextFor(st *spanevent.State) slog.Handler {
	if next := st.Next(h); next != nil {
		return next
	}
	if h.nextBase == nil && st.NextCalls.Add(1) <= recordsBeforeKeepingNext {
		return nil
	}
	if st.NextsFull() {
		return nil
	}
	// Built outside the state's lock: next's WithAttrs is the caller's
	// code.
	return st.KeepNext(h, h.nextWithIDs(st.TraceID, st.SpanID))
}

// youngEvents is how many events a span may get from h before it needs a
// State (see spanevent.Target): with a group open, the ids can only be
// added by deriving next, which the State keeps from the second record.
func (h *Handler) youngEvents() int {
	if h.nextBase != nil {
		return 1
	}
	return recordsBeforeKeepingNext
}
