//go:build unix

package benchmarks_test

import "syscall"

// cpuTime returns the CPU time the process used so far, user and system,
// in nanoseconds: every goroutine's, the garbage collector's included.
func cpuTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
