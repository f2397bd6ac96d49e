package slogspan_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/slogspan/slogspan"
)

func TestNewOverAHandlerWrapsOnce(t *testing.T) {
	// New over a Handler gives one Handler: next's options, then New's.
	tracer, rec := newTracer(t)
	var out bytes.Buffer
	inner := slogspan.New(slog.NewTextHandler(&out, nil), slogspan.WithEventLevel(slog.LevelDebug))
	h := slogspan.New(inner, slogspan.WithErrorStatusLevel(slog.LevelWarn))
	if h.Next() != inner.Next() {
		t.Error("the outer Handler does not pass to the handler the inner one wraps")
	}
	ctx, span := tracer.Start(context.Background(), "s")
	logger := slog.New(h)
	logger.DebugContext(ctx, "below next's level") // inner's event level
	logger.WarnContext(ctx, "sets the status")     // the outer's error level
	span.End()
	if n := strings.Count(out.String(), "trace_id="); n != 1 {
		t.Errorf("trace_id written %d times, want once:\n%s", n, out.String())
	}
	s := onlySpan(t, rec)
	if len(s.Events()) != 2 {
		t.Errorf("%d events, want 2", len(s.Events()))
	}
	if s.Status().Description != "sets the status" {
		t.Errorf("status = %v", s.Status())
	}
}
