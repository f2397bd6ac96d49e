package setup

import "time"

// SetReportTimes sets, for the reporters of later Starts, how long an
// export waits before it is reported as stalled, and the least time
// between two reports of one kind. It returns the function that restores
// them.
func SetReportTimes(stall, remind time.Duration) (restore func()) {
	s, r := stallAfter, remindEvery
	stallAfter, remindEvery = stall, remind
	return func() { stallAfter, remindEvery = s, r }
}
