package onspan

import (
	"slices"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Event is one event being built from a log record.
type Event struct {
	// Attrs is the Lead leading attributes, whose keys are reserved, then
	// the user's, converted and cut; made for this event alone, the span
	// gets it as it is.
	Attrs []attribute.KeyValue
	Lead  int
	// Tail is what follows the user's: log.record.uid once the record is
	// linked, exception.*, code.*.
	Tail      []attribute.KeyValue
	UserBytes int  // key and value bytes of Attrs[Lead:]
	Cut       int  // keys and values cut so far
	linked    bool // the uid leads Tail
}

// Reset empties e for the next event, keeping the Tail buffer.
func (e *Event) Reset() {
	clear(e.Tail)
	*e = Event{Tail: e.Tail[:0]}
}

// Put adds e to tg's span as name at t, within l and the span's budget,
// linked to its full record by log.record.uid when anything was cut or
// left off, or always with linkAll. link is called with a new uid before
// the event is added and reports whether the full record took it (nil: the
// record cannot be found); if not, the event goes without. A uid already
// leading e.Tail is the link. Put returns the new uid the record took, or
// "". The uid is never cut or left off the event.
func (e *Event) Put(tg *Target, name string, t time.Time, l *Limits, linkAll bool, link func(uid string) bool) (uid string) {
	e.makeKeysUnique()
	e.linked = len(e.Tail) > 0 && e.Tail[0].Key == UIDKey
	if link != nil && !e.linked && (e.Cut > 0 || linkAll || !e.userFits(l)) {
		if u := newUID(); link(u) {
			uid = u
			e.Tail = slices.Insert(e.Tail, 0, attribute.String(UIDKey, uid))
			e.linked = true
		}
	}
	size := e.fit(l) + len(name)
	if tg.Reserve(size, e.Cut, l) {
		e.addTo(tg.Span, name, t)
	} else if link != nil && !e.linked {
		if u := newUID(); link(u) {
			uid = u
		}
	}
	return uid
}

// Always is a link function that always takes the uid.
func Always(string) bool { return true }

// makeKeysUnique leaves out the user's attributes whose key is reserved or
// used again later, counting them as cut.
func (e *Event) makeKeysUnique() {
	user := e.Attrs[e.Lead:]
	kept, removedBytes := uniqueUserKeys(user, e.Attrs[:e.Lead], e.Tail)
	if removed := len(user) - len(kept); removed > 0 {
		e.Attrs = e.Attrs[:e.Lead+len(kept)]
		e.UserBytes -= removedBytes
		e.Cut += removed
	}
}

// userFits reports whether the user's attributes fit whole within
// MaxEventAttrs and MaxEventBytes beside slogspan's own.
func (e *Event) userFits(l *Limits) bool {
	user := len(e.Attrs) - e.Lead
	if user == 0 {
		return true // nothing that could be cut
	}
	n := len(e.Attrs) + len(e.Tail)
	size := kvsBytes(e.Attrs[:e.Lead]) + e.UserBytes + kvsBytes(e.Tail)
	return Within(n, l.MaxEventAttrs) && Within(size, l.MaxEventBytes)
}

// fit cuts e to MaxEventAttrs and MaxEventBytes and appends the tail to
// Attrs: the lead and log.record.uid are always kept, the rest of the tail
// fills the room they leave, then the user's attributes, in order,
// shortened or omitted. It returns the event's key and value bytes, and
// counts what it cut.
func (e *Event) fit(l *Limits) (size int) {
	if l.MaxEventAttrs >= 0 && e.Lead+len(e.Tail) > l.MaxEventAttrs {
		keep := max(l.MaxEventAttrs-e.Lead, 0)
		if e.linked {
			keep = max(keep, 1) // the uid, first in the tail
		}
		e.Cut += len(e.Tail) - keep
		e.Tail = e.Tail[:keep]
	}
	size = kvsBytes(e.Attrs[:e.Lead]) + kvsBytes(e.Tail)
	user := e.Attrs[e.Lead:]
	room := -1 // attributes left for the user's; -1 is unlimited
	if l.MaxEventAttrs >= 0 {
		room = max(l.MaxEventAttrs-e.Lead-len(e.Tail), 0)
	}
	if (room < 0 || len(user) <= room) && Within(size+e.UserBytes, l.MaxEventBytes) {
		e.Attrs = append(e.Attrs, e.Tail...)
		return size + e.UserBytes
	}
	kept := user[:0] // compacted in place
	for _, kv := range user {
		if room == 0 {
			e.Cut++
			continue
		}
		n := KVBytes(kv)
		if !Within(size+n, l.MaxEventBytes) {
			left := l.MaxEventBytes - size - len(kv.Key)
			if kv.Value.Type() != attribute.STRING || left <= 0 {
				e.Cut++
				continue
			}
			s, _ := TruncateString(kv.Value.AsString(), left)
			kv.Value = attribute.StringValue(s)
			n = KVBytes(kv)
			e.Cut++
		}
		kept = append(kept, kv)
		size += n
		if room > 0 {
			room--
		}
	}
	clear(user[len(kept):])
	e.Attrs = append(e.Attrs[:e.Lead+len(kept)], e.Tail...)
	return size
}

// addTo adds the event to span, handing it Attrs, which is not used again.
func (e *Event) addTo(span trace.Span, name string, t time.Time) {
	attrs := slices.Clip(e.Attrs)
	e.Attrs = nil
	span.AddEvent(name, trace.WithTimestamp(t), trace.WithAttributes(attrs...))
}

// kvsBytes is the key and value bytes of kvs.
func kvsBytes(kvs []attribute.KeyValue) int {
	n := 0
	for _, kv := range kvs {
		n += KVBytes(kv)
	}
	return n
}

// KVBytes is the key and value bytes of kv, as the limits count them.
func KVBytes(kv attribute.KeyValue) int {
	if kv.Value.Type() == attribute.STRING {
		return len(kv.Key) + len(kv.Value.AsString())
	}
	return len(kv.Key) + ValueBytes(kv.Value)
}
