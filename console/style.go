package console

// style adds ANSI colors, or nothing when color is off.
type style struct{ on bool }

func (s style) wrap(code, text string) string {
	if !s.on || text == "" {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

func (s style) dim(t string) string    { return s.wrap("2", t) }
func (s style) bold(t string) string   { return s.wrap("1", t) }
func (s style) red(t string) string    { return s.wrap("31", t) }
func (s style) green(t string) string  { return s.wrap("32", t) }
func (s style) yellow(t string) string { return s.wrap("33", t) }
func (s style) cyan(t string) string   { return s.wrap("36", t) }

// level colors text by the severity in level, such as "ERROR" or "WARN+2".
func (s style) level(level, text string) string {
	switch {
	case len(level) >= 5 && level[:5] == "ERROR":
		return s.red(text)
	case len(level) >= 4 && level[:4] == "WARN":
		return s.yellow(text)
	case len(level) >= 4 && level[:4] == "INFO":
		return s.green(text)
	default:
		return s.dim(text)
	}
}
