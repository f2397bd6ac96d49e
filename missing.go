package slogspan

import (
	"cmp"
	"runtime"
	"slices"
	"sync/atomic"

	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan/internal/onspan"
)

// MissingReason says why a log line reached no span.
type MissingReason int

const (
	// NoSpan means the context held no span (slog.Info instead of
	// slog.InfoContext, a context dropped on the way, a code path never
	// instrumented), or only a remote parent's span context.
	NoSpan MissingReason = iota
	// SpanEnded means the span had ended (a deferred End that ran too early, a
	// goroutine that outlived its request). The SDK drops such events
	// without a word.
	SpanEnded
	// NotSampled means the span was not sampled. The line is fine, but no
	// trace holds it; this is the sampler's choice, not a bug.
	NotSampled
)

// String returns the reason as a report shows it.
func (r MissingReason) String() string {
	switch r {
	case NoSpan:
		return "no span in the context"
	case SpanEnded:
		return "the span had ended"
	case NotSampled:
		return "the span was not sampled"
	}
	return "unknown reason"
}

// MissingSpan is one call site whose log lines reached no span, and why.
type MissingSpan struct {
	// Function, File and Line are the call site, from the record's PC;
	// empty for a record without one, and for the records counted
	// together past MaxMissingSites.
	Function, File string
	Line           int
	Reason         MissingReason
	// Records is how many records of the site reached no span for
	// Reason.
	Records int64
}

// MaxMissingSites bounds the call sites a Handler's report counts one by
// one, for each New. Records at further sites are counted together, per
// reason, in an entry with no call site; so are, once the table is nearly
// full, those of a new site that finds no free slot among the few it
// looks at.
const MaxMissingSites = 1024

// MaxMissingReport bounds the entries MissingSpans returns: the sites with
// the most records.
const MaxMissingReport = 32

// maxMissingProbes bounds the slots a record looks at: past them, its site
// is counted with the records past the table.
const maxMissingProbes = 32

// missingSites counts the records that reached no span by call site and
// reason: a fixed open-addressing table whose slots are claimed and
// counted with atomic operations, so counting never blocks or allocates,
// and a record looks at maxMissingProbes slots at most. A site keeps its
// slot, so its count is exact.
type missingSites struct {
	slots    [MaxMissingSites]missingSlot
	overflow [3]atomic.Int64 // by reason: records at sites past the table
}

type missingSlot struct {
	key     atomic.Uint64 // siteKey; 0: free
	records atomic.Int64
}

// siteKey packs a PC and a reason into a non-zero key.
func siteKey(pc uintptr, reason MissingReason) uint64 {
	return uint64(pc)<<2 | uint64(reason&3) + 1
}

// count counts one record at pc for reason, and returns how many slots it
// looked at.
func (m *missingSites) count(pc uintptr, reason MissingReason) (probes int) {
	key := siteKey(pc, reason)
	i := int((key * 0x9e3779b97f4a7c15) >> 54) // 10 bits: MaxMissingSites
	for range maxMissingProbes {
		probes++
		s := &m.slots[i]
		k := s.key.Load()
		if k == 0 && s.key.CompareAndSwap(0, key) {
			k = key
		} else if k == 0 {
			k = s.key.Load() // another site took it just now
		}
		if k == key {
			s.records.Add(1)
			return probes
		}
		i = (i + 1) % MaxMissingSites
	}
	m.overflow[reason].Add(1)
	return probes
}

// missed counts r as a record that reached no span, when it is one: sc is
// its context's span context, valid or not, for a record enabled for
// events. A record without a span counts only once the program started its
// first span: lines logged while it starts up are outside spans by design.
func (m *missingSites) missed(sc trace.SpanContext, pc uintptr) {
	switch {
	case !sc.IsValid() || sc.IsRemote():
		if onspan.SpansStarted() {
			m.count(pc, NoSpan)
		}
	case !sc.IsSampled():
		m.count(pc, NotSampled)
	default:
		m.count(pc, SpanEnded)
	}
}

// report returns the sites with the most records, resolved.
func (m *missingSites) report() []MissingSpan {
	var out []MissingSpan
	for i := range m.slots {
		s := &m.slots[i]
		key, n := s.key.Load(), s.records.Load()
		if key == 0 || n == 0 {
			continue
		}
		site := MissingSpan{Reason: MissingReason((key - 1) & 3), Records: n}
		if pc := uintptr((key - 1) >> 2); pc != 0 {
			f, _ := runtime.CallersFrames([]uintptr{pc}).Next()
			site.Function, site.File, site.Line = f.Function, f.File, f.Line
		}
		out = append(out, site)
	}
	for reason := range m.overflow {
		if n := m.overflow[reason].Load(); n > 0 {
			out = append(out, MissingSpan{Reason: MissingReason(reason), Records: n})
		}
	}
	slices.SortStableFunc(out, func(a, b MissingSpan) int {
		if c := cmp.Compare(b.Records, a.Records); c != 0 {
			return c
		}
		return cmp.Compare(a.File+a.Function, b.File+b.Function)
	})
	return out[:min(len(out), MaxMissingReport)]
}

// WithMissingSpans counts the log lines that reached no span, by call site
// and reason, for [Handler.MissingSpans]: lines logged with no span in the
// context, on a span that had ended, or on a span that was not sampled.
// Only records at a level enabled for events count. Lines with no span
// count once the program has started its first span (as the span tracker
// or the Handler saw it), so that start-up lines, which are outside spans
// by design, stay out of the report. Off by default; setup turns it on,
// and shows the report at shutdown (in the console view, when that is its
// span exporter).
//
// Counting takes a few atomic operations on a fixed table of
// MaxMissingSites sites (16 KiB for each New), never a lock or an
// allocation.
func WithMissingSpans(on bool) Option {
	return optionFunc(func(c *config) {
		c.missing = nil
		if on {
			c.missing = new(missingSites)
		}
	})
}

// MissingSpans returns the call sites whose log lines reached no span,
// with their counts and reasons, at most MaxMissingReport of them, sorted
// by Records, largest first. It reports for every Handler derived from the
// one New returned. It returns nil without [WithMissingSpans].
//
// In a test, it tells that every line of a package is inside a span:
//
//	if missed := h.MissingSpans(); len(missed) > 0 {
//		t.Errorf("log lines outside spans: %+v", missed)
//	}
func (h *Handler) MissingSpans() []MissingSpan {
	if h.cfg.missing == nil {
		return nil
	}
	return h.cfg.missing.report()
}
