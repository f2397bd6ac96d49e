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

// slogspan's settings live where the configuration schema lets
// instrumentation keep its own: instrumentation/development, in the
// language's map of instrumentation by name (instrumentation.yaml:
// "Configure Go language-specific instrumentation libraries. Each entry's
// key identifies a particular instrumentation library"). slogspan is that
// library for Go, so its settings are instrumentation/development: go:
// slogspan:. The bridge's entry in logger_provider.processors takes none:
// the schema defines it as an empty object.

// settingsName is slogspan's key in instrumentation/development.go.
const settingsName = "slogspan"

// fileSettings are slogspan's settings in the configuration file. Each
// may be left out; the file's win over the program's handler options.
type fileSettings struct {
	// EventLevel and ErrorStatusLevel are slog levels: debug, info, warn,
	// error, with an optional offset as in info+2.
	EventLevel       *string     `yaml:"event_level,omitempty"`
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

// fileBridge are the settings of the event to span event bridge. With
// none, it is the specification's bridge; limits, even empty, apply
// slogspan's limits to it, and all_records bridges log lines too.
type fileBridge struct {
	AllRecords       *bool       `yaml:"all_records,omitempty"`
	Limits           *fileLimits `yaml:"limits,omitempty"`
	ErrorStatusLevel *string     `yaml:"error_status_level,omitempty"`

	errorLevel slog.Level // parsed
}

// decode reads slogspan's settings from n, found at path, after
// substituting environment variables in them.
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
	levels := []level{
		{n, "event_level", path, s.EventLevel, &s.eventLevel},
		{n, "error_status_level", path, s.ErrorStatusLevel, &s.errorLevel},
	}
	if b := s.Bridge; b != nil {
		levels = append(levels, level{mapValue(n, "bridge"), "error_status_level", joinPath(path, "bridge"), b.ErrorStatusLevel, &b.errorLevel})
	}
	for _, l := range levels {
		if err := l.parse(); err != nil {
			return err
		}
	}
	return nil
}

// level is a slog level among the settings: key in mapping parent, at
// path.
type level struct {
	parent    *yaml.Node
	key, path string
	text      *string
	dst       *slog.Level
}

func (l level) parse() error {
	if l.text == nil {
		return nil
	}
	if err := l.dst.UnmarshalText([]byte(*l.text)); err != nil {
		return &ConfigError{Line: mapValue(l.parent, l.key).Line, Path: joinPath(l.path, l.key),
			Problem: fmt.Sprintf("is %q", *l.text), Err: err,
			Fix: "write a slog level: debug, info, warn or error, or one with an offset, such as info+2"}
	}
	return nil
}

// handlerOptions returns the options the settings give the Handler, over
// the limits it has without them.
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
		// slog's levels as severities, as the otelslog bridge maps them.
		opts = append(opts, spanevents.WithErrorStatusLevel(log.Severity(b.errorLevel+9)))
	}
	return opts
}

// over returns base with the limits l sets.
func (l *fileLimits) over(base slogspan.Limits) slogspan.Limits {
	setInt(&base.MaxValueBytes, l.MaxValueBytes)
	setInt(&base.MaxEventAttrs, l.MaxEventAttrs)
	setInt(&base.MaxEventBytes, l.MaxEventBytes)
	setInt(&base.MaxSpanEvents, l.MaxSpanEvents)
	setInt(&base.MaxSpanBytes, l.MaxSpanBytes)
	return base
}

// envNameRE is what the specification allows as a variable's name.
var envNameRE = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// substitute replaces references to environment variables in the scalars
// under n, as the configuration specification defines them for the whole
// file: ${NAME} or ${env:NAME}, ${NAME:-default} for default when NAME is
// unset or empty, and $$ for a $. otelconf substitutes in the parts of
// the file it reads; slogspan's settings are not among them. A plain
// scalar is typed by what it becomes, so ${N:-100} is an integer.
func substitute(n *yaml.Node, path string) error {
	var err error
	walk(n, path, func(c, _ *yaml.Node, p string) bool {
		if c.Kind != yaml.ScalarNode || !strings.Contains(c.Value, "$") {
			return true
		}
		var v string
		if v, err = expand(c.Value); err != nil {
			err = &ConfigError{Line: c.Line, Path: p, Problem: fmt.Sprintf("is %q: %v", c.Value, err),
				Fix: "write ${NAME} or ${NAME:-default}, with a name of letters, digits and _, and $$ for a $"}
			return false
		}
		c.Value = v
		if c.Style == 0 {
			c.Tag = "" // typed again by its new value
		}
		return true
	})
	return err
}

// expand substitutes the environment variables s refers to.
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
			ref := strings.TrimPrefix(s[i+2:i+end], "env:")
			name, def, hasDef := strings.Cut(ref, ":-")
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
