// Package onspan is what slogspan's Handler and the spanevents Processor
// share to put one log record on a span as an event within limits: the
// cutting of values and keys, the event builder (unique keys, per-event
// limits, the log.record.uid link), and the program's one table of span
// budgets and counters, kept by the span's ids while the span tracker
// reports the span running.
package onspan
