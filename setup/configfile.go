package setup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"

	"go.opentelemetry.io/contrib/otelconf"
	"go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	yaml "go.yaml.in/yaml/v3"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/spanevents"
)

const (
	configFileEnv = "OTEL_CONFIG_FILE"
	bridgeKey     = "event_to_span_event_bridge/development" // the schema's span event bridge
)

// ConfigError is a mistake in the configuration file that OTEL_CONFIG_FILE
// names. Start returns it having changed nothing.
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
	msg := "setup: " + configFileEnv + " " + e.File
	if e.Line > 0 {
		msg += fmt.Sprintf(":%d", e.Line)
	}
	path := e.Path
	if path == "" {
		path = "the file"
	}
	msg += ": " + path + " " + e.Problem
	if e.Fix != "" {
		msg += ": " + e.Fix
	}
	return msg
}

func (e *ConfigError) Unwrap() error { return e.Err }

// fileConfig is what setup takes from the configuration file.
type fileConfig struct {
	// model is for otelconf: the file's, less what setup builds itself
	// (the bridge, the span limits), with the schema's defaults written in.
	model      otelconf.OpenTelemetryConfiguration
	bridge     bool // logger_provider lists the bridge
	settings   fileSettings
	spanLimits sdktrace.SpanLimits
	root       *yaml.Node // the file's YAML, with its lines
}

// readConfigFile reads and checks the configuration file at path.
func readConfigFile(path, serviceName string) (f *fileConfig, err error) {
	f = &fileConfig{}
	defer func() {
		var ce *ConfigError
		if errors.As(err, &ce) {
			ce.File = path
		}
	}()
	raw, err := os.ReadFile(path) //nolint:gosec // G703: the file OTEL_CONFIG_FILE names, by design.
	if err != nil {
		msg := err.Error()
		var pe *fs.PathError
		if errors.As(err, &pe) {
			msg = pe.Err.Error()
		}
		return nil, &ConfigError{Problem: "cannot be read (" + msg + ")", Err: err,
			Fix: "set " + configFileEnv + " to the path of an OpenTelemetry configuration file " +
				`(YAML, file_format: "1.0"), relative to the program's working directory, or unset it`}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, &ConfigError{Problem: "is not valid YAML (" + err.Error() + ")", Err: err,
			Fix: "check the indentation and the quotes on the line it names and the lines before it"}
	}
	if len(doc.Content) == 0 {
		return nil, &ConfigError{Problem: "is empty", Fix: `start it with file_format: "1.0"`}
	}
	f.root = doc.Content[0]
	if err := f.check(); err != nil {
		return nil, err
	}
	model, err := otelconf.ParseYAML(raw)
	if err != nil {
		return nil, rejected(path, err)
	}
	f.model = *model
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
	if err := f.defaults(); err != nil {
		return nil, err
	}
	return f, nil
}

func rejected(path string, err error) error {
	return &ConfigError{File: path, Problem: "is not accepted by otelconf (" + strings.ReplaceAll(err.Error(), "\n", " ") + ")",
		Fix: "see the configuration schema for the values each field takes", Err: err}
}

// check checks the file's keys against otelconf's model and slogspan's
// settings, and decodes the settings.
func (f *fileConfig) check() error {
	switch format := mapValue(f.root, "file_format"); {
	case format == nil:
		return &ConfigError{Line: f.root.Line, Problem: "has no file_format", Fix: `add file_format: "1.0" at the top`}
	case !strings.HasPrefix(format.Value, "1."):
		return &ConfigError{Line: format.Line, Path: "file_format", Problem: fmt.Sprintf("is %q", format.Value),
			Fix: `setup reads the stable schema, file_format "1.0", through otelconf v0.27.0: write the file for it`}
	}
	c := schemaCheck{extra: map[reflect.Type]map[string]func(*yaml.Node, string) error{
		reflect.TypeFor[otelconf.OpenTelemetryConfiguration](): {"instrumentation/development": f.instrumentation},
		reflect.TypeFor[otelconf.LogRecordProcessor](): {bridgeKey: func(n *yaml.Node, path string) error {
			if len(n.Content) > 0 || n.Kind == yaml.SequenceNode || n.Kind == yaml.ScalarNode && n.ShortTag() != nullTag {
				return &ConfigError{Line: n.Line, Path: path, Problem: "takes no settings",
					Fix: "write it as " + bridgeKey + ": {} and give the bridge's settings in " +
						"instrumentation/development: go: slogspan: bridge:"}
			}
			return nil
		}},
	}}
	return c.check(f.root, reflect.TypeFor[otelconf.OpenTelemetryConfiguration](), "")
}

// languages are instrumentation/development's keys (otelconf/x v0.27.0).
var languages = []string{"cpp", "dotnet", "erlang", "general", "go", "java", "js", "php", "python", "ruby", "rust", "swift"}

// instrumentation checks instrumentation/development and decodes slogspan's
// settings. Other names under go: are other libraries', but one a typo or
// two from slogspan's is refused.
func (f *fileConfig) instrumentation(n *yaml.Node, path string) error {
	if err := mapping(n, path); err != nil {
		return err
	}
	for i := 0; i < len(n.Content); i += 2 {
		if k := n.Content[i]; !slices.Contains(languages, k.Value) {
			return unknownField(k, path, languages)
		}
	}
	goNode, path := mapValue(n, "go"), joinPath(path, "go")
	if goNode == nil {
		return nil
	}
	if err := mapping(goNode, path); err != nil {
		return err
	}
	for i := 0; i < len(goNode.Content); i += 2 {
		if k := goNode.Content[i]; k.Value != settingsName && editDistance(k.Value, settingsName) <= 2 {
			return &ConfigError{Line: k.Line, Path: joinPath(path, k.Value), Problem: "is not slogspan's name",
				Fix: "did you mean " + settingsName + "? Its settings are read only under that name"}
		}
	}
	if s := mapValue(goNode, settingsName); s != nil {
		return f.settings.decode(s, joinPath(path, settingsName))
	}
	return nil
}

// mapping refuses a node that is neither a mapping nor empty.
func mapping(n *yaml.Node, path string) error {
	if n.Kind == yaml.MappingNode || n.ShortTag() == nullTag {
		return nil
	}
	return &ConfigError{Line: n.Line, Path: path, Problem: "is not a mapping", Fix: "write name: value lines under it"}
}

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

// fromFile builds the providers from the configuration file at path:
// otelconf builds what the file describes, setup adds the handler, the
// bridge, the span tracker and the span limits.
func fromFile(ctx context.Context, cfg *config, path string) (*pipeline, error) {
	f, err := readConfigFile(path, cfg.serviceName)
	if err != nil || f.model.Disabled != nil && *f.model.Disabled {
		return nil, err
	}
	// The program's options, the file's over them, the LoggerProvider once built.
	h := slogspan.New(handlerToWrap(), cfg.handlerOpts...)
	h = slogspan.New(h, f.settings.handlerOptions(h.Limits())...)
	cfg.bridge = nil // the file's pipeline decides
	lpOpts := []sdklog.LoggerProviderOption{depthLimit(f.bridge)}
	if f.bridge {
		cfg.bridge = spanevents.NewProcessor(f.settings.bridgeOptions()...)
		lpOpts = append(lpOpts, sdklog.WithProcessor(cfg.bridge), sdklog.WithProcessor(boundingLogProcessor{}))
	}
	sdk, err := newSDK(
		otelconf.WithContext(ctx),
		otelconf.WithOpenTelemetryConfiguration(f.model),
		otelconf.WithTracerProviderOptions(append([]sdktrace.TracerProviderOption{
			sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()),
			sdktrace.WithRawSpanLimits(cfg.spanLimitsFor(f.spanLimits, h)),
		}, cfg.tracerProviderOpts...)...),
		otelconf.WithLoggerProviderOptions(append(lpOpts, cfg.loggerProviderOpts...)...),
	)
	if err != nil {
		return nil, rejected(path, err)
	}
	tp, _ := sdk.TracerProvider().(*sdktrace.TracerProvider)
	lp, _ := sdk.LoggerProvider().(*sdklog.LoggerProvider)
	var payload log.LoggerProvider // nil interface when the file configures no logs
	if lp != nil {
		payload = lp
	}
	// otelconf's exporters cannot be wrapped: their failures come through
	// otel.Handle, and shutdown returns them.
	r := newReporter(cfg.errorHandler)
	r.returnOthers = true
	h = newHandler(r, h, payload, nil)
	p := &pipeline{
		providers: Providers{TracerProvider: tp, LoggerProvider: lp, Handler: h},
		tp:        sdk.TracerProvider(), lp: sdk.LoggerProvider(), prop: sdk.Propagator(), r: r,
	}
	if f.model.MeterProvider != nil {
		p.mp = sdk.MeterProvider()
	}
	return p, nil
}
