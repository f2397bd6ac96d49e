// Package spanevent is what slogspan's Handler and the spanevents
// Processor share: putting one log record on a span as an event within
// limits. It cuts values and keys (truncate.go), makes an event's keys
// unique and fits it to the per-event limits (event.go), keeps each span's
// budget and counters (table.go, with spans referred to weakly in ref.go),
// and adds the event without reusing anything handed to the span.
package spanevent
