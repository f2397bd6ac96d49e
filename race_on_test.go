//go:build race

package slogspan_test

// raceEnabled is true under the race detector, which makes each logging
// call many times slower: the scale tests run smaller there, and at full
// scale in .ci/run's run without it.
const raceEnabled = true
