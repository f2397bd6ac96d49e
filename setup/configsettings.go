package setup

import (
	"fmt"
	"log/slog"
	"reflect"
	"strings"

	"go.opentelemetry.io/contrib/otelconf/x"
	"go.opentelemetry.io/otel/log"
	yaml "go.yaml.in/yaml/v3"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/spanevents"
)

// settingsName is slogspan's key in instrumentation/development.go, where
// the schema keeps each Go library's settings by name.
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

// goSettings checks instrumentation/development's go: and decodes
// slogspan's settings. Other names are other libraries', but one a typo or
// two from slogspan's is refused.
func (f *fileConfig) goSettings(n *yaml.Node, path string) error {
	if err := mapping(n, path); err != nil {
		return err
	}
	for i := 0; i < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Value != settingsName && editDistance(k.Value, settingsName) <= 2 {
			return &ConfigError{Line: k.Line, Path: joinPath(path, k.Value), Problem: "is not slogspan's name",
				Fix: "did you mean " + settingsName + "? Its settings are read only under that name"}
		}
	}
	if s := mapValue(n, settingsName); s != nil {
		return f.settings.decode(s, joinPath(path, settingsName))
	}
	return nil
}

// decode checks the keys of n, found at path, and decodes their values,
// substituted by otelconf/x.
func (s *fileSettings) decode(n *yaml.Node, path string) error {
	if err := (&schemaCheck{}).check(n, reflect.TypeFor[fileSettings](), path); err != nil {
		return err
	}
	v, err := substituted(n)
	if err == nil {
		err = v.Decode(s) // yaml's words, with the line
	}
	if err != nil {
		return &ConfigError{Line: n.Line, Path: path, Problem: "cannot be read (" + strings.ReplaceAll(err.Error(), "\n", " ") + ")",
			Fix: "write each setting as its type is documented, and a variable as ${NAME} or ${NAME:-default}", Err: err}
	}
	err = parseLevel(n, path, "event_level", s.EventLevel, &s.eventLevel)
	if err == nil {
		err = parseLevel(n, path, "error_status_level", s.ErrorStatusLevel, &s.errorLevel)
	}
	if b := s.Bridge; b != nil && err == nil {
		err = parseLevel(mapValue(n, "bridge"), joinPath(path, "bridge"), "error_status_level", b.ErrorStatusLevel, &b.errorLevel)
	}
	return err
}

// substituted returns slogspan's settings n with the environment variables
// they refer to substituted by otelconf/x, and with the lines of n.
func substituted(n *yaml.Node) (*yaml.Node, error) {
	doc, err := yaml.Marshal(map[string]any{"file_format": "1.0",
		"instrumentation/development": map[string]any{"go": map[string]any{settingsName: n}}})
	if err != nil {
		return nil, err
	}
	m, err := x.ParseYAML(doc)
	if err != nil {
		return nil, err
	}
	var v yaml.Node
	if err := v.Encode(m.InstrumentationDevelopment.Go[settingsName]); err != nil {
		return nil, err
	}
	withLines(&v, n)
	return &v, nil
}

// withLines gives v's nodes the lines of their counterparts in n.
func withLines(v, n *yaml.Node) {
	v.Line = n.Line
	for i := 0; i+1 < len(v.Content) && v.Kind == yaml.MappingNode; i += 2 {
		if c := mapValue(n, v.Content[i].Value); c != nil {
			withLines(v.Content[i+1], c)
		}
	}
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
