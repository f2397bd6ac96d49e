// Package memlog is an in-memory sdk/log exporter for the tests of
// slogspan and its subpackages.
package memlog

import (
	"context"
	"sync"

	sdklog "go.opentelemetry.io/otel/sdk/log"
)

// Exporter keeps a copy of every record exported to it, also after
// Shutdown.
type Exporter struct {
	mu      sync.Mutex
	records []sdklog.Record
}

// Export keeps clones of rs.
func (e *Exporter) Export(_ context.Context, rs []sdklog.Record) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i := range rs {
		e.records = append(e.records, rs[i].Clone())
	}
	return nil
}

// Shutdown does nothing; the records stay.
func (*Exporter) Shutdown(context.Context) error { return nil }

// ForceFlush does nothing: Export keeps records at once.
func (*Exporter) ForceFlush(context.Context) error { return nil }

// Records returns the records exported so far.
func (e *Exporter) Records() []sdklog.Record {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]sdklog.Record(nil), e.records...)
}
