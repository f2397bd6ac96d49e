package console

import (
	"bytes"
	"io"
	"testing"
)

func TestColorFollowsTerminalAndNoColor(t *testing.T) {
	terminal := isTerminal
	t.Cleanup(func() { isTerminal = terminal })
	isTerminal = func(io.Writer) bool { return true }

	for _, c := range []struct {
		noColor string
		want    bool
	}{{"", true}, {"1", false}, {"anything", false}} {
		t.Setenv("NO_COLOR", c.noColor)
		if got := *newOptions(&bytes.Buffer{}, nil).color; got != c.want {
			t.Errorf("terminal with NO_COLOR=%q: color %v, want %v", c.noColor, got, c.want)
		}
	}
	isTerminal = terminal
	t.Setenv("NO_COLOR", "")
	if *newOptions(&bytes.Buffer{}, nil).color {
		t.Error("color on for a buffer")
	}
}
