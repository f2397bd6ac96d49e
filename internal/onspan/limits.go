package onspan

// Limits has the fields, defaults and meaning of slogspan.Limits, which
// converts to it.
type Limits struct {
	MaxValueBytes int
	MaxEventAttrs int
	MaxEventBytes int
	MaxSpanEvents int
	MaxSpanBytes  int
}

// Default limits; slogspan.Limits documents them.
const (
	DefaultMaxValueBytes = 1024
	DefaultMaxEventAttrs = 32
	DefaultMaxEventBytes = 8192
	DefaultMaxSpanEvents = 100
	DefaultMaxSpanBytes  = 65536
)

// WithDefaults returns l with zero fields set to their defaults.
func (l Limits) WithDefaults() Limits {
	orDefault := func(v, d int) int {
		if v == 0 {
			return d
		}
		return v
	}
	return Limits{
		MaxValueBytes: orDefault(l.MaxValueBytes, DefaultMaxValueBytes),
		MaxEventAttrs: orDefault(l.MaxEventAttrs, DefaultMaxEventAttrs),
		MaxEventBytes: orDefault(l.MaxEventBytes, DefaultMaxEventBytes),
		MaxSpanEvents: orDefault(l.MaxSpanEvents, DefaultMaxSpanEvents),
		MaxSpanBytes:  orDefault(l.MaxSpanBytes, DefaultMaxSpanBytes),
	}
}

// Within reports whether n is within limit, where a negative limit means
// unlimited.
func Within(n, limit int) bool { return limit < 0 || n <= limit }
