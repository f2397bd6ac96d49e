package onspan

// Limits is slogspan.Limits, which converts to it.
type Limits struct {
	MaxValueBytes, MaxEventAttrs, MaxEventBytes, MaxSpanEvents, MaxSpanBytes int
}

// WithDefaults returns l with zero fields set to slogspan's defaults.
func (l Limits) WithDefaults() Limits {
	orDefault := func(v, d int) int {
		if v == 0 {
			return d
		}
		return v
	}
	return Limits{
		MaxValueBytes: orDefault(l.MaxValueBytes, 1024),
		MaxEventAttrs: orDefault(l.MaxEventAttrs, 32),
		MaxEventBytes: orDefault(l.MaxEventBytes, 8192),
		MaxSpanEvents: orDefault(l.MaxSpanEvents, 100),
		MaxSpanBytes:  orDefault(l.MaxSpanBytes, 65536),
	}
}

// Within reports whether n is within limit; a negative limit is unlimited.
func Within(n, limit int) bool { return limit < 0 || n <= limit }
