// Package onspan is what slogspan's Handler and the spanevents
// Processor share: putting one log record on a span as an event within
// limits. It cuts values and keys (truncate.go), makes an event's keys
// unique and fits it to the per-event limits (event.go), and keeps each
// span's budget and counters by the span's ids (spans.go, counters.go)
// until the span tracker reports its end (tracked.go).
package onspan
