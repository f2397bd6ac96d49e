package slogspan

import (
	"sync"
	"testing"
	"unsafe"
)

func TestMissingSitesStayBoundedAndExact(t *testing.T) {
	// More call sites than the table holds, and millions of records from
	// several goroutines: every site with a slot has its exact count, the
	// others are counted together, and nothing grows.
	const sites, rounds, workers = 2 * MaxMissingSites, 300, 4
	var m missingSites
	// WithMissingSpans documents 16 KiB for each New.
	if size := unsafe.Sizeof(m); size > 16<<10+64 {
		t.Errorf("the table takes %d bytes", size)
	}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range rounds {
				for pc := range sites {
					m.count(uintptr(pc+1), MissingReason(pc%3))
				}
			}
		})
	}
	wg.Wait()
	var counted int64
	slotted := 0
	for i := range m.slots {
		key, n := m.slots[i].key.Load(), m.slots[i].records.Load()
		if key == 0 {
			continue
		}
		slotted++
		if n != rounds*workers {
			t.Errorf("site %d counted %d records, want %d", key>>2, n, rounds*workers)
		}
		counted += n
	}
	for r := range m.overflow {
		counted += m.overflow[r].Load()
	}
	if slotted < MaxMissingSites*9/10 || counted != sites*rounds*workers {
		t.Errorf("%d sites in the table, %d records counted; want at least %d and %d", slotted, counted, MaxMissingSites*9/10, sites*rounds*workers)
	}
	if n := testing.AllocsPerRun(1000, func() { m.count(12345, NoSpan) }); n != 0 {
		t.Errorf("counting allocates %v times", n)
	}
	// Once the table is full, a record at a further site looks at a few
	// slots, not at all of them.
	if probes := m.count(uintptr(10*sites), NoSpan); probes > maxMissingProbes {
		t.Errorf("a record at a site past the full table looked at %d slots, want at most %d", probes, maxMissingProbes)
	}
	if got := m.report(); len(got) != MaxMissingReport {
		t.Errorf("report has %d entries, want %d", len(got), MaxMissingReport)
	}
}
