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
	// NoSpan means the context held no span, or only a remote parent's
	// (slog.Info for slog.InfoContext, a dropped context, code never traced).
	NoSpan MissingReason = iota
	// SpanEnded means the span had ended (an End that ran too early, a
	// goroutine that outlived its request): the SDK drops such events.
	SpanEnded
	// NotSampled means the span was not sampled: the sampler's choice.
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
	// empty without one, and for the records past MaxMissingSites.
	Function, File string
	Line           int
	Reason         MissingReason
	Records        int64 // records of the site that reached no span for Reason
}

// MaxMissingSites bounds the call sites counted one by one, for each New.
// Records at further sites (or, in a nearly full table, at a new site that
// finds no free slot) are counted together by reason, with no call site.
const MaxMissingSites = 1024

// MaxMissingReport bounds the entries MissingSpans returns: the sites with
// the most records.
const MaxMissingReport = 32

// maxMissingProbes bounds the slots a record looks at.
const maxMissingProbes = 32

// missingSites counts records by site and reason in a table of atomic slots.
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

// count counts one record at pc for reason and returns the slots it probed.
func (m *missingSites) count(pc uintptr, reason MissingReason) (probes int) {
	key := siteKey(pc, reason)
	i := int((key * 0x9e3779b97f4a7c15) >> 54) // 10 bits: MaxMissingSites
	for range maxMissingProbes {
		probes++
		s := &m.slots[i]
		if k := s.key.Load(); k == key || k == 0 && (s.key.CompareAndSwap(0, key) || s.key.Load() == key) {
			s.records.Add(1)
			return probes
		}
		i = (i + 1) % MaxMissingSites
	}
	m.overflow[reason].Add(1)
	return probes
}

// missed counts a record whose span context sc shows it reached no span.
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
// and reason, for [Handler.MissingSpans]: records at a level enabled for
// events, logged with no span in the context, on an ended span, or on an
// unsampled one. Lines with no span count once the program has started its
// first span, so start-up lines stay out. Off by default; setup turns it
// on and shows the report at shutdown.
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

// MissingSpans returns the call sites whose log lines reached no span, at
// most MaxMissingReport, most records first, for every Handler derived
// from the one New returned; nil without [WithMissingSpans]. In a test:
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
