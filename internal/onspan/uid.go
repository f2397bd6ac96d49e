package onspan

import (
	"math/rand/v2"
	"time"
)

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newUID returns a new log.record.uid, a ULID: 48 bits of Unix
// milliseconds, then 80 random bits.
func newUID() string {
	var b [26]byte
	ms := uint64(time.Now().UnixMilli())
	for i := 9; i >= 0; i-- { // 10 characters, 50 bits, the top 2 zero
		b[i] = crockford[ms&31]
		ms >>= 5
	}
	hi, lo := rand.Uint64(), rand.Uint64() //nolint:gosec // G404: unique, not secret.

	for i := 25; i >= 14; i-- { // 12 characters, 60 random bits
		b[i] = crockford[hi&31]
		hi >>= 5
	}
	for i := 13; i >= 10; i-- { // 4 characters, 20 more
		b[i] = crockford[lo&31]
		lo >>= 5
	}
	return string(b[:])
}
