package setup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/contrib/otelconf"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	yaml "go.yaml.in/yaml/v3"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/spanevents"
)

// configFileEnv names the configuration file, as the OpenTelemetry
// specification defines it.
const configFileEnv = "OTEL_CONFIG_FILE"

// bridgeKey is the schema's name for the event to span event bridge, a log
// record processor that otelconf v0.27.0 does not build: setup builds it.
const bridgeKey = "event_to_span_event_bridge/development"

// ConfigError is a mistake in the configuration file that OTEL_CONFIG_FILE
// names. Start returns it having changed nothing: it never falls back to
// another configuration.
type ConfigError struct {
	// File is the file's path, as OTEL_CONFIG_FILE gives it.
	File string
	// Line is the line of the mistake, counted from 1, or 0 when it is
	// about the whole file or otelconf did not say where.
	Line int
	// Path is the field, as in "tracer_provider.processors[0].batch", or
	// "" for the whole file.
	Path string
	// Problem says what is wrong with the field, and Fix what to do.
	Problem, Fix string
	// Err is the error behind the problem, if any: reading the file,
	// YAML's, otelconf's.
	Err error
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	b.WriteString("setup: ")
	b.WriteString(configFileEnv)
	b.WriteByte(' ')
	b.WriteString(e.File)
	if e.Line > 0 {
		b.WriteByte(':')
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Path == "" {
		b.WriteString("the file")
	} else {
		b.WriteString(e.Path)
	}
	b.WriteByte(' ')
	b.WriteString(e.Problem)
	if e.Fix != "" {
		b.WriteString(": ")
		b.WriteString(e.Fix)
	}
	return b.String()
}

func (e *ConfigError) Unwrap() error { return e.Err }

// fileConfig is what setup takes from the configuration file.
type fileConfig struct {
	path string
	// model is for otelconf: the file's, less what setup builds itself
	// (the bridge, the span limits), with the schema's defaults written
	// where the file leaves a value out.
	model    otelconf.OpenTelemetryConfiguration
	disabled bool
	// bridge is true when logger_provider lists the bridge.
	bridge bool
	// settings are slogspan's: instrumentation/development.go.slogspan.
	settings fileSettings
	// spanLimits are the file's, all six, with the schema's defaults.
	spanLimits sdktrace.SpanLimits
	// root is the file's YAML tree, with the lines of its keys.
	root *yaml.Node
}

// readConfigFile reads and checks the configuration file at path.
// serviceName is the program's default for service.name: the file, then
// OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES, win over it.
func readConfigFile(path, serviceName string) (*fileConfig, error) {
	f := &fileConfig{path: path}
	raw, err := os.ReadFile(path)
	if err != nil {
		msg := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			msg = pe.Err.Error()
		}
		return nil, &ConfigError{File: path, Problem: "cannot be read (" + msg + ")", Err: err,
			Fix: "set " + configFileEnv + " to the path of an OpenTelemetry configuration file " +
				`(YAML, file_format: "1.0"), relative to the program's working directory, or unset it`}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, &ConfigError{File: path, Problem: "is not valid YAML (" + err.Error() + ")", Err: err,
			Fix: "check the indentation and the quotes on the line it names and the lines before it"}
	}
	if len(doc.Content) == 0 {
		return nil, &ConfigError{File: path, Problem: "is empty", Fix: `start it with file_format: "1.0"`}
	}
	f.root = doc.Content[0]
	if err := f.check(); err != nil {
		return nil, err
	}
	model, err := otelconf.ParseYAML(raw)
	if err != nil {
		return nil, f.rejected(err)
	}
	f.model = *model
	f.disabled = model.Disabled != nil && *model.Disabled
	if err := f.zeroDelay(); err != nil {
		return nil, err
	}
	if err := f.takeBridge(); err != nil {
		return nil, err
	}
	if err := f.resource(serviceName); err != nil {
		return nil, err
	}
	f.spanLimits = spanLimitsOf(&f.model)
	if tp := f.model.TracerProvider; tp != nil {
		tp.Limits = nil // setup sets all six; otelconf would set two
	}
	f.defaults()
	return f, nil
}

// check checks the file against the schema, as otelconf's model and
// slogspan's settings spell it, and decodes slogspan's settings.
func (f *fileConfig) check() error {
	format := mapValue(f.root, "file_format")
	switch {
	case format == nil:
		return &ConfigError{File: f.path, Line: f.root.Line, Problem: "has no file_format",
			Fix: `add file_format: "1.0" at the top`}
	case !strings.HasPrefix(format.Value, "1."):
		return &ConfigError{File: f.path, Line: format.Line, Path: "file_format", Problem: fmt.Sprintf("is %q", format.Value),
			Fix: `setup reads the stable schema, file_format "1.0", through otelconf v0.27.0: write the file for it`}
	}
	c := schemaCheck{extra: map[reflect.Type]map[string]func(*yaml.Node, string) error{
		reflect.TypeFor[otelconf.OpenTelemetryConfiguration](): {"instrumentation/development": f.instrumentation},
		reflect.TypeFor[otelconf.LogRecordProcessor](): {bridgeKey: func(n *yaml.Node, path string) error {
			if n.Kind == yaml.MappingNode && len(n.Content) > 0 || n.Kind == yaml.SequenceNode ||
				n.Kind == yaml.ScalarNode && n.ShortTag() != nullTag {
				return &ConfigError{Line: n.Line, Path: path, Problem: "takes no settings",
					Fix: "write it as " + bridgeKey + ": {} and give the bridge's settings in " +
						"instrumentation/development: go: slogspan: bridge:"}
			}
			return nil
		}},
	}}
	return f.at(c.check(f.root, reflect.TypeFor[otelconf.OpenTelemetryConfiguration](), ""))
}

// instrumentation checks instrumentation/development, where each language
// keeps its instrumentation's settings by name, and decodes slogspan's.
func (f *fileConfig) instrumentation(n *yaml.Node, path string) error {
	if err := mapping(n, path); err != nil {
		return err
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; !slices.Contains(languages, k.Value) {
			return unknownField(k, path, languages)
		}
	}
	if goNode := mapValue(n, "go"); goNode != nil {
		return f.goInstrumentation(goNode, joinPath(path, "go"))
	}
	return nil
}

// languages are instrumentation/development's keys in the schema that
// otelconf v0.27.0 reads (otelconf/x's ExperimentalInstrumentation).
var languages = []string{"cpp", "dotnet", "erlang", "general", "go", "java", "js", "php", "python", "ruby", "rust", "swift"}

// goInstrumentation checks the go: map of every Go library's settings,
// and decodes slogspan's. Other names are other libraries', but one a
// typo or two away from slogspan is taken for a misspelling.
func (f *fileConfig) goInstrumentation(n *yaml.Node, path string) error {
	if err := mapping(n, path); err != nil {
		return err
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Value != settingsName && editDistance(k.Value, settingsName) <= 2 {
			return &ConfigError{Line: k.Line, Path: joinPath(path, k.Value), Problem: "is not slogspan's name",
				Fix: "did you mean " + settingsName + "? Its settings are read only under that name"}
		}
	}
	s := mapValue(n, settingsName)
	if s == nil {
		return nil
	}
	return f.settings.decode(s, joinPath(path, settingsName))
}

// mapping reports a node of slogspan's part of the schema, which otelconf
// does not read, that is neither a mapping nor empty.
func mapping(n *yaml.Node, path string) error {
	if n.Kind == yaml.MappingNode || n.ShortTag() == nullTag {
		return nil
	}
	return &ConfigError{Line: n.Line, Path: path, Problem: "is not a mapping", Fix: "write name: value lines under it"}
}

func setInt[P ~*int](dst *int, p P) {
	if p != nil {
		*dst = *p
	}
}

// orDefault returns p, or a pointer to d when p is nil.
func orDefault[P ~*T, T any](p P, d T) P {
	if p == nil {
		return P(&d)
	}
	return p
}

// at completes a ConfigError from the checks with the file's path.
func (f *fileConfig) at(err error) error {
	var ce *ConfigError
	if errors.As(err, &ce) && ce.File == "" {
		ce.File = f.path
	}
	return err
}

// rejected is an error otelconf returned for the file, as it says it.
func (f *fileConfig) rejected(err error) error {
	return &ConfigError{File: f.path, Problem: "is not accepted by otelconf (" + strings.ReplaceAll(err.Error(), "\n", " ") + ")",
		Fix: "see the configuration schema for the values each field takes", Err: err}
}

// mapValue returns the value of key in mapping n, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// hasKey reports whether mapping n has key, whatever its value.
func hasKey(n *yaml.Node, key string) bool {
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return true
		}
	}
	return false
}

// walk calls fn for every node under n, with its path, until fn returns
// false.
func walk(n *yaml.Node, path string, fn func(n *yaml.Node, key *yaml.Node, path string) bool) bool {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if !walk(c, path, fn) {
				return false
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := joinPath(path, k.Value)
			if !fn(v, k, p) || !walk(v, p, fn) {
				return false
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", path, i)
			if !fn(c, nil, p) || !walk(c, p, fn) {
				return false
			}
		}
	}
	return true
}

// fromFile builds the providers from the configuration file at path:
// otelconf builds the providers, exporters, processors, sampler, resource
// and propagators, and setup adds what otelconf does not build (the
// bridge, the span tracker, the span limits).
func fromFile(ctx context.Context, cfg *config, path string) (*pipeline, error) {
	f, err := readConfigFile(path, cfg.serviceName)
	if err != nil || f.disabled {
		return nil, err
	}
	// The Handler takes the program's options, then the file's settings
	// over them (the limits the file leaves out keep the program's
	// values), and, once otelconf has built it, the LoggerProvider: New
	// over a Handler adds to its options. The span limits make room for
	// its budget and the bridge's.
	h := slogspan.New(handlerToWrap(), cfg.handlerOpts...)
	h = slogspan.New(h, f.settings.handlerOptions(h.Limits())...)
	cfg.bridge = nil // the file's pipeline decides
	if f.bridge {
		cfg.bridge = spanevents.NewProcessor(f.settings.bridgeOptions()...)
	}
	tpOpts := append([]sdktrace.TracerProviderOption{
		// Span budgets are kept while spans run, dropped as they end.
		sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()),
		sdktrace.WithRawSpanLimits(spanLimitsFor(&f.spanLimits, cfg.eventBudget(h))),
	}, cfg.tracerProviderOpts...)
	lpOpts := []sdklog.LoggerProviderOption{sdklog.WithAttributeValueDepthLimit(slogspan.MaxValueDepth)}
	if cfg.bridge != nil {
		// otelconf registers these before the file's processors: the
		// bridge runs first, so that the exported records carry its uid.
		lpOpts = append(lpOpts, sdklog.WithProcessor(cfg.bridge))
	}
	lpOpts = append(lpOpts, cfg.loggerProviderOpts...)

	sdk, err := newSDK(
		otelconf.WithContext(ctx),
		otelconf.WithOpenTelemetryConfiguration(f.model),
		otelconf.WithTracerProviderOptions(tpOpts...),
		otelconf.WithLoggerProviderOptions(lpOpts...),
	)
	if err != nil {
		return nil, f.rejected(err)
	}
	tp, _ := sdk.TracerProvider().(*sdktrace.TracerProvider)
	lp, _ := sdk.LoggerProvider().(*sdklog.LoggerProvider)
	var payload log.LoggerProvider // none when the file configures no logs
	if lp != nil {
		payload = lp
	}
	// otelconf offers no way to wrap the exporters it builds: setup sees
	// their failures only as the SDK reports them, through otel.Handle,
	// and the log processors' Shutdown.
	r := newReporter(cfg.errorHandler)
	r.returnOthers = true
	h = newHandler(r, h, payload, nil)
	p := &pipeline{
		providers: Providers{TracerProvider: tp, LoggerProvider: lp, Handler: h},
		tp:        sdk.TracerProvider(), lp: sdk.LoggerProvider(), prop: sdk.Propagator(),
		r: r,
	}
	if f.model.MeterProvider != nil {
		p.mp = sdk.MeterProvider()
	}
	return p, nil
}
