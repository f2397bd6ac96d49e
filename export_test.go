package slogspan

import "github.com/slogspan/slogspan/internal/onspan"

// SpansTracked reports how many spans have budget bookkeeping, in the
// whole program.
func SpansTracked() int { return onspan.Len() }
