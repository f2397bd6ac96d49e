package slogspan_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"

	"github.com/slogspan/slogspan"
)

// TestScalarFastPathConvertsAsTheGeneralPath checks that attributes of
// scalar kinds outside groups (converted on a fast path) give the event
// the same attributes and cut counts as the general path, which a
// ReplaceAttr function that changes nothing forces: keys and values
// around MaxValueBytes and the fast path's length bound, non-ASCII and
// invalid UTF-8, and every scalar kind.
func TestScalarFastPathConvertsAsTheGeneralPath(t *testing.T) {
	keep := func(_ []string, a slog.Attr) slog.Attr { return a }
	attrs := []slog.Attr{
		slog.String("k", "v"),
		slog.String("twelve-bytes", "exactly-12.."),
		slog.String("thirteen-byte", "thirteen-byte"),
		slog.String("key", "a value of forty bytes, past the bound.."),
		slog.String("käse", "grün"),
		slog.String("bad\xffkey", "bad\xffvalue"),
		slog.String("cut\xc3", "rune\xc3"),
		slog.Int("int", -3),
		slog.Float64("float", 2.5),
		slog.Bool("bool", true),
		slog.Duration("duration", 1500*time.Microsecond),
		slog.Duration("long-duration", 1<<62),
		slog.Uint64("uint", 1<<63),
	}
	for _, maxBytes := range []int{3, 12, 13, 40, 1024} {
		t.Run(fmt.Sprint(maxBytes), func(t *testing.T) {
			var got [2]string
			for i, opts := range [][]slogspan.Option{nil, {slogspan.WithReplaceAttr(keep)}} {
				tracer, rec := newTracer(t)
				ctx, span := tracer.Start(context.Background(), "op")
				_, next := newJSON(slog.LevelInfo)
				opts = append(opts, slogspan.WithLimits(slogspan.Limits{MaxValueBytes: maxBytes, MaxEventBytes: -1}))
				slog.New(slogspan.New(next, opts...)).LogAttrs(ctx, slog.LevelInfo, "m", attrs...)
				span.End()
				s := onlySpan(t, rec)
				kvs := s.Events()[0].Attributes
				for j, kv := range kvs {
					if kv.Key == slogspan.UIDKey { // random: only its presence counts
						kvs[j] = attribute.String(slogspan.UIDKey, "uid")
					}
				}
				got[i] = fmt.Sprint(kvs, s.Attributes())
			}
			if got[0] != got[1] {
				t.Errorf("fast path:    %s\ngeneral path: %s", got[0], got[1])
			}
		})
	}
}
