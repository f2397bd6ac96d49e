package onspan

import "go.opentelemetry.io/otel/attribute"

// maxQuadraticKeys is the attribute count up to which pairs are compared
// rather than mapped.
const maxQuadraticKeys = 32

// uniqueUserKeys removes, in place, user's attributes whose key is reserved
// or used again later, and returns their bytes.
func uniqueUserKeys(user, lead, tail []attribute.KeyValue) (kept []attribute.KeyValue, removedBytes int) {
	if len(user) <= maxQuadraticKeys && !mayRepeat(user, lead, tail) {
		return user, 0
	}
	var later map[attribute.Key]int // last index of each key
	if len(user) > maxQuadraticKeys {
		later = make(map[attribute.Key]int, len(user))
		for i, kv := range user {
			later[kv.Key] = i
		}
	}
	kept = user[:0]
	for i, kv := range user {
		if reservedKey(kv.Key, lead, tail) || usedLater(user, i, later) {
			removedBytes += KVBytes(kv)
			continue
		}
		kept = append(kept, kv)
	}
	clear(user[len(kept):])
	return kept, removedBytes
}

func reservedKey(k attribute.Key, lead, tail []attribute.KeyValue) bool {
	if k == UIDKey {
		return true
	}
	for _, kv := range lead {
		if kv.Key == k {
			return true
		}
	}
	for _, kv := range tail {
		if kv.Key == k {
			return true
		}
	}
	return false
}

// usedLater reports whether user[i]'s key appears again after i.
func usedLater(user []attribute.KeyValue, i int, later map[attribute.Key]int) bool {
	if later != nil {
		return later[user[i].Key] > i
	}
	for _, kv := range user[i+1:] {
		if kv.Key == user[i].Key {
			return true
		}
	}
	return false
}

// mayRepeat reports whether a key of user may be reserved or used twice,
// by a 512-bit filter of key hashes: false is certain.
func mayRepeat(user, lead, tail []attribute.KeyValue) bool {
	seen := uidFilter
	if len(lead) == 1 && lead[0].Key == LevelKey {
		seen = uidLevelFilter // the Handler's lead
	} else {
		for _, kv := range lead {
			seen.add(kv.Key)
		}
	}
	for _, kv := range tail {
		seen.add(kv.Key)
	}
	for _, kv := range user {
		if seen.add(kv.Key) {
			return true
		}
	}
	return false
}

// keyFilter is a set of key hashes, one bit each.
type keyFilter [8]uint64

// The filters of the keys always reserved, and with the Handler's lead.
var uidFilter, uidLevelFilter = func() (keyFilter, keyFilter) {
	var f keyFilter
	f.add(UIDKey)
	g := f
	g.add(LevelKey)
	return f, g
}()

// add adds k and reports whether its bit was set already.
func (f *keyFilter) add(k attribute.Key) bool {
	h := keyHash(k)
	w, bit := h/64, uint64(1)<<(h%64)
	had := f[w]&bit != 0
	f[w] |= bit
	return had
}

// keyHash hashes k's length and first, middle and last bytes to 9 bits.
func keyHash(k attribute.Key) uint32 {
	n := len(k)
	x := uint32(n & 0xff)
	if n > 0 {
		x |= uint32(k[0])<<8 | uint32(k[n/2])<<16 | uint32(k[n-1])<<24
	}
	return (x * 0x9e3779b1) >> 23
}
