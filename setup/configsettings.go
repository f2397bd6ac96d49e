package setup

import (
	"fmt"
	"log/slog"
	"os"
	"reflect"
	"regexp"
	"strings"

	"go.opentelemetry.io/otel/log"
	yaml "go.yaml.in/yaml/v3"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/spanevents"
)

// settingsName is slogspan's key in instrumentation/development.go.
const settingsName = "slogspan"

// fileSettings are slogspan's settings in the configuration file. Each
// may be left out; the file's win over the program's handler options.
type fileSettings struct {
	EventLevel       *string     `yaml:"event_level,omitempty"` // a slog level: debug, info+2, …
	ErrorStatusLevel *string     `yaml:"error_status_level,omitempty"`
	Source           *bool       `yaml:"source,omitempty"`
	DivertAll        *bool       `yaml:"divert_all,omitempty"`
	Limits           *fileLimits `yaml:"limits,omitempty"`
	Bridge           *fileBridge `yaml:"bridge,omitempty"`

	eventLevel, errorLevel slog.Level // parsed
}

// fileLimits are slogspan.Limits, field by field: one left out keeps the
// program's value, 0 means the default and a negative one unlimited.
type fileLimits struct {
	MaxValueBytes *int `yaml:"max_value_bytes,omitempty"`
	MaxEventAttrs *int `yaml:"max_event_attrs,omitempty"`
	MaxEventBytes *int `yaml:"max_event_bytes,omitempty"`
	MaxSpanEvents *int `yaml:"max_span_events,omitempty"`
	MaxSpanBytes  *int `yaml:"max_span_bytes,omitempty"`
}

// fileBridge are the bridge's settings. With none, it is the
// specification's bridge; limits, even empty, apply slogspan's limits.
type fileBridge struct {
	AllRecords       *bool       `yaml:"all_records,omitempty"`
	Limits           *fileLimits `yaml:"limits,omitempty"`
	ErrorStatusLevel *string     `yaml:"error_status_level,omitempty"`

	errorLevel slog.Level // parsed
}

// decode reads slogspan's settings from n, found at path, with the
// environment variables they refer to substituted.
func (s *fileSettings) decode(n *yaml.Node, path string) error {
	if err := substitute(n, path); err != nil {
		return err
	}
	if err := (&schemaCheck{}).check(n, reflect.TypeFor[fileSettings](), path); err != nil {
		return err
	}
	if err := n.Decode(s); err != nil { // yaml's words, with the line
		return &ConfigError{Line: n.Line, Path: path, Problem: "cannot be read (" + strings.ReplaceAll(err.Error(), "\n", " ") + ")",
			Fix: "write each setting as its type is documented", Err: err}
	}
	err := parseLevel(n, path, "event_level", s.EventLevel, &s.eventLevel)
	if err == nil {
		err = parseLevel(n, path, "error_status_level", s.ErrorStatusLevel, &s.errorLevel)
	}
	if b := s.Bridge; b != nil && err == nil {
		err = parseLevel(mapValue(n, "bridge"), joinPath(path, "bridge"), "error_status_level", b.ErrorStatusLevel, &b.errorLevel)
	}
	return err
}

// parseLevel parses text, the value of key in mapping n at path, into dst.
func parseLevel(n *yaml.Node, path, key string, text *string, dst *slog.Level) error {
	if text == nil {
		return nil
	}
	if err := dst.UnmarshalText([]byte(*text)); err != nil {
		return &ConfigError{Line: mapValue(n, key).Line, Path: joinPath(path, key), Problem: fmt.Sprintf("is %q", *text), Err: err,
			Fix: "write a slog level: debug, info, warn or error, or one with an offset, such as info+2"}
	}
	return nil
}

// handlerOptions returns the options the settings give the Handler, over
// its limits base.
func (s *fileSettings) handlerOptions(base slogspan.Limits) []slogspan.Option {
	var opts []slogspan.Option
	if s.EventLevel != nil {
		opts = append(opts, slogspan.WithEventLevel(s.eventLevel))
	}
	if s.ErrorStatusLevel != nil {
		opts = append(opts, slogspan.WithErrorStatusLevel(s.errorLevel))
	}
	if s.Source != nil {
		opts = append(opts, slogspan.WithSource(*s.Source))
	}
	if s.DivertAll != nil {
		opts = append(opts, slogspan.WithDivertAll(*s.DivertAll))
	}
	if s.Limits != nil {
		opts = append(opts, slogspan.WithLimits(s.Limits.over(base)))
	}
	return opts
}

// bridgeOptions returns the options the settings give the bridge.
func (s *fileSettings) bridgeOptions() []spanevents.Option {
	b := s.Bridge
	if b == nil {
		return nil
	}
	var opts []spanevents.Option
	if b.AllRecords != nil {
		opts = append(opts, spanevents.WithAllRecords(*b.AllRecords))
	}
	if b.Limits != nil {
		opts = append(opts, spanevents.WithLimits(b.Limits.over(slogspan.Limits{})))
	}
	if b.ErrorStatusLevel != nil {
		// A slog level as a severity, as the otelslog bridge maps it.
		opts = append(opts, spanevents.WithErrorStatusLevel(log.SeverityInfo+log.Severity(b.errorLevel-slog.LevelInfo)))
	}
	return opts
}

// over returns base with the limits l sets.
func (l *fileLimits) over(base slogspan.Limits) slogspan.Limits {
	for dst, p := range map[*int]*int{&base.MaxValueBytes: l.MaxValueBytes, &base.MaxEventAttrs: l.MaxEventAttrs,
		&base.MaxEventBytes: l.MaxEventBytes, &base.MaxSpanEvents: l.MaxSpanEvents, &base.MaxSpanBytes: l.MaxSpanBytes} {
		if p != nil {
			*dst = *p
		}
	}
	return base
}

var envNameRE = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// substitute replaces ${NAME}, ${env:NAME} and ${NAME:-default} (when NAME
// is unset or empty) in the scalars under n, and $$ by $, as the
// configuration specification does. A plain scalar is typed by what it
// becomes, so ${N:-100} is an integer.
func substitute(n *yaml.Node, path string) error {
	switch n.Kind {
	case yaml.ScalarNode:
		if !strings.Contains(n.Value, "$") {
			return nil
		}
		v, err := expand(n.Value)
		if err != nil {
			return &ConfigError{Line: n.Line, Path: path, Problem: fmt.Sprintf("is %q: %v", n.Value, err),
				Fix: "write ${NAME} or ${NAME:-default}, with a name of letters, digits and _, and $$ for a $"}
		}
		n.Value = v
		if n.Style == 0 {
			n.Tag = "" // typed again by its new value
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := substitute(n.Content[i+1], joinPath(path, n.Content[i].Value)); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if err := substitute(c, fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func expand(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); {
		switch {
		case strings.HasPrefix(s[i:], "$$"):
			b.WriteByte('$')
			i += 2
		case strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return "", fmt.Errorf("%s has no closing }", s[i:])
			}
			name, def, hasDef := strings.Cut(strings.TrimPrefix(s[i+2:i+end], "env:"), ":-")
			if !envNameRE.MatchString(name) {
				return "", fmt.Errorf("%q is not a variable name", name)
			}
			v := os.Getenv(name)
			if v == "" && hasDef {
				v = def
			}
			b.WriteString(v)
			i += end + 1
		default:
			b.WriteByte(s[i])
			i++
		}
	}
	return b.String(), nil
}
