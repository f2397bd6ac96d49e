package setup_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"

	"github.com/slogspan/slogspan"
)

// wrapByHand is the README's own wrap of slog's default handler.
func wrapByHand() {
	slog.SetDefault(slog.New(slogspan.New(slog.Default().Handler())))
}

func TestWrappingByHandAndStartWrapOnce(t *testing.T) {
	// Whatever the order, a line carries its ids once, its span has one
	// event a line, and the cut record is still diverted to setup's
	// LoggerProvider.
	for _, c := range []struct {
		name          string
		before, after bool
	}{
		{"hand wrap, then Start", true, false},
		{"Start, then hand wrap", false, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			clearOTelEnv(t)
			out := programOutput(t)
			if c.before {
				wrapByHand()
			}
			shutdown, spans, logs := startInMemory(t)
			if c.after {
				wrapByHand()
			}
			logInSpan()
			if err := shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out.String()), "\n")
			if len(lines) != 2 {
				t.Fatalf("program output:\n%s", out)
			}
			for _, l := range lines {
				if strings.Count(l, "trace_id=") != 1 || strings.Count(l, "span_id=") != 1 {
					t.Errorf("line %.200q does not carry its ids once", l)
				}
			}
			if got := spans.GetSpans(); len(got) != 1 || len(got[0].Events) != 2 {
				t.Errorf("%d spans, want one with two events", len(got))
			}
			if got := logs.Records(); len(got) != 1 {
				t.Errorf("diverted records = %d, want 1", len(got))
			}
		})
	}
}
