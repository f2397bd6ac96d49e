package setup

import (
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.opentelemetry.io/contrib/otelconf"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	yaml "go.yaml.in/yaml/v3"
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
	// root is the file's YAML tree, to place otelconf's errors in it.
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
		line, msg := yamlLine(err.Error())
		return nil, &ConfigError{File: path, Line: line, Problem: "is not valid YAML (" + msg + ")", Err: err,
			Fix: "check the indentation and the quotes on that line and the lines before it"}
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
		return nil, f.locate(err)
	}
	f.model = *model
	f.disabled = model.Disabled != nil && *model.Disabled
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
	if f.root.Kind != yaml.MappingNode {
		return f.at(wrongType(f.root, "", "a mapping, starting with file_format: \"1.0\""))
	}
	format := mapValue(f.root, "file_format")
	switch {
	case format == nil:
		return &ConfigError{File: f.path, Line: f.root.Line, Problem: "has no file_format",
			Fix: `add file_format: "1.0" at the top`}
	case !strings.HasPrefix(format.Value, "1."):
		return &ConfigError{File: f.path, Line: format.Line, Path: "file_format", Problem: fmt.Sprintf("is %q", format.Value),
			Fix: `setup reads the stable schema, file_format "1.0", through otelconf v0.27.0: write the file for it`}
	}
	// otelconf requires what the schema does not: an endpoint.
	endpoint := map[string]string{"endpoint": "otelconf v0.27.0 requires it (the schema would default it)"}
	c := schemaCheck{required: map[reflect.Type]map[string]string{
		reflect.TypeFor[otelconf.OTLPHttpExporter]():       endpoint,
		reflect.TypeFor[otelconf.OTLPGrpcExporter]():       endpoint,
		reflect.TypeFor[otelconf.OTLPHttpMetricExporter](): endpoint,
		reflect.TypeFor[otelconf.OTLPGrpcMetricExporter](): endpoint,
	}, extra: map[reflect.Type]map[string]func(*yaml.Node, string) error{
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
	if err := (&schemaCheck{}).check(n, reflect.TypeFor[map[string]any](), path); err != nil {
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
	if err := (&schemaCheck{}).check(n, reflect.TypeFor[map[string]any](), path); err != nil {
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

// takeBridge takes the bridge out of the model: setup builds it, at the
// head of the processors, the one place otelconf lets it add a processor
// of its own.
func (f *fileConfig) takeBridge() error {
	procs := mapValue(mapValue(f.root, "logger_provider"), "processors")
	if procs == nil || procs.Kind != yaml.SequenceNode {
		return nil
	}
	for i, p := range procs.Content {
		if !hasKey(p, bridgeKey) {
			continue
		}
		if f.bridge {
			return &ConfigError{File: f.path, Line: p.Line, Path: fmt.Sprintf("logger_provider.processors[%d]", i),
				Problem: "is a second span event bridge", Fix: "keep the first: one bridge puts each record on its span once"}
		}
		if i > 0 {
			return &ConfigError{File: f.path, Line: p.Line, Path: fmt.Sprintf("logger_provider.processors[%d]", i),
				Problem: "is the span event bridge, after other processors",
				Fix: "make it the first processor: setup runs it ahead of the file's others " +
					"(otelconf v0.27.0 offers no way to place a processor between them), " +
					"so that the records they export carry the log.record.uid its span events link to"}
		}
		f.bridge = true
	}
	if f.bridge {
		lp := f.model.LoggerProvider
		lp.Processors = lp.Processors[1:]
	}
	return nil
}

// resource writes resource.attributes_list, which otelconf v0.27.0
// ignores, into resource.attributes, below them, and the program's
// service.name when neither the file nor the environment gives one.
func (f *fileConfig) resource(serviceName string) error {
	r := f.model.Resource
	if r == nil {
		r = &otelconf.Resource{}
	}
	has := map[string]bool{}
	for _, a := range r.Attributes {
		has[a.Name] = true
	}
	if r.AttributesList != nil {
		for kv := range strings.SplitSeq(*r.AttributesList, ",") {
			if strings.TrimSpace(kv) == "" {
				continue
			}
			k, v, ok := strings.Cut(kv, "=")
			k = strings.TrimSpace(k)
			v, err := url.PathUnescape(strings.TrimSpace(v))
			if !ok || k == "" || err != nil {
				n := findKey(f.root, "attributes_list")
				e := &ConfigError{File: f.path, Path: "resource.attributes_list", Problem: fmt.Sprintf("has %q", kv),
					Fix: "write name=value pairs separated by commas, with %-escapes for commas and equals signs in values"}
				if n != nil {
					e.Line = n.Line
				}
				return e
			}
			if !has[k] {
				has[k] = true
				r.Attributes = append(r.Attributes, otelconf.AttributeNameValue{Name: k, Value: v})
			}
		}
		r.AttributesList = nil
	}
	if _, fromEnv := resource.Environment().Set().Value("service.name"); !has["service.name"] && !fromEnv {
		r.Attributes = append(r.Attributes, otelconf.AttributeNameValue{Name: "service.name", Value: serviceName})
	}
	f.model.Resource = r
	return nil
}

// spanLimitsOf returns the span limits the file sets, with the schema's
// defaults where it sets none: tracer_provider.limits, then
// attribute_limits, then 128 (the value length: unlimited).
func spanLimitsOf(m *otelconf.OpenTelemetryConfiguration) sdktrace.SpanLimits {
	l := sdktrace.SpanLimits{AttributeValueLengthLimit: -1, AttributeCountLimit: 128,
		EventCountLimit: 128, LinkCountLimit: 128, AttributePerEventCountLimit: 128, AttributePerLinkCountLimit: 128}
	if a := m.AttributeLimits; a != nil {
		setInt(&l.AttributeCountLimit, a.AttributeCountLimit)
		setInt(&l.AttributeValueLengthLimit, a.AttributeValueLengthLimit)
	}
	if m.TracerProvider != nil && m.TracerProvider.Limits != nil {
		t := m.TracerProvider.Limits
		setInt(&l.AttributeCountLimit, t.AttributeCountLimit)
		setInt(&l.AttributeValueLengthLimit, t.AttributeValueLengthLimit)
		setInt(&l.EventCountLimit, t.EventCountLimit)
		setInt(&l.AttributePerEventCountLimit, t.EventAttributeCountLimit)
		setInt(&l.LinkCountLimit, t.LinkCountLimit)
		setInt(&l.AttributePerLinkCountLimit, t.LinkAttributeCountLimit)
	}
	return l
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

// defaults writes the schema's defaults where the file leaves a batch
// processor's, an exporter's or the log limits' value out. Otherwise the
// SDK and the exporters would take them from OTEL_BSP_*, OTEL_BLRP_*,
// OTEL_EXPORTER_OTLP_* and OTEL_LOGRECORD_*, and the file would not win,
// and an OTLP endpoint given as null would be https://, which local
// receivers do not speak (otelconf requires the key). The span batch size defaults to
// DefaultSpanExportBatchSize rather than the schema's 512, for the reason
// given there.
func (f *fileConfig) defaults() {
	m := &f.model
	if tp := m.TracerProvider; tp != nil {
		for _, p := range tp.Processors {
			if b := p.Batch; b != nil {
				b.ScheduleDelay = orDefault(b.ScheduleDelay, 5000)
				b.ExportTimeout = orDefault(b.ExportTimeout, 30000)
				b.MaxQueueSize = orDefault(b.MaxQueueSize, 2048)
				b.MaxExportBatchSize = orDefault(b.MaxExportBatchSize, DefaultSpanExportBatchSize)
				exporterDefaults(b.Exporter.OTLPHttp, b.Exporter.OTLPGrpc, signalTraces)
			}
			if s := p.Simple; s != nil {
				exporterDefaults(s.Exporter.OTLPHttp, s.Exporter.OTLPGrpc, signalTraces)
			}
		}
	}
	if lp := m.LoggerProvider; lp != nil {
		for _, p := range lp.Processors {
			if b := p.Batch; b != nil {
				b.ScheduleDelay = orDefault(b.ScheduleDelay, 1000)
				b.ExportTimeout = orDefault(b.ExportTimeout, 30000)
				b.MaxQueueSize = orDefault(b.MaxQueueSize, 2048)
				b.MaxExportBatchSize = orDefault(b.MaxExportBatchSize, 512)
				exporterDefaults(b.Exporter.OTLPHttp, b.Exporter.OTLPGrpc, signalLogs)
			}
			if s := p.Simple; s != nil {
				exporterDefaults(s.Exporter.OTLPHttp, s.Exporter.OTLPGrpc, signalLogs)
			}
		}
		l := lp.Limits
		if l == nil {
			l = &otelconf.LogRecordLimits{}
		}
		var general otelconf.AttributeLimits
		if m.AttributeLimits != nil {
			general = *m.AttributeLimits
		}
		l.AttributeCountLimit = orDefault(l.AttributeCountLimit, *orDefault(general.AttributeCountLimit, 128))
		l.AttributeValueLengthLimit = orDefault(l.AttributeValueLengthLimit, *orDefault(general.AttributeValueLengthLimit, -1))
		lp.Limits = l
	}
}

// exporterDefaults writes the schema's defaults into the OTLP exporter
// of a signal.
func exporterDefaults(h *otelconf.OTLPHttpExporter, g *otelconf.OTLPGrpcExporter, signal string) {
	if h != nil {
		h.Endpoint = orDefault(h.Endpoint, "http://localhost:4318/v1/"+signal)
		h.Timeout = orDefault(h.Timeout, 10000)
		h.Compression = orDefault(h.Compression, "none")
	}
	if g != nil {
		g.Endpoint = orDefault(g.Endpoint, "http://localhost:4317")
		g.Timeout = orDefault(g.Timeout, 10000)
		g.Compression = orDefault(g.Compression, "none")
	}
}

// at completes a ConfigError from the checks with the file's path.
func (f *fileConfig) at(err error) error {
	var ce *ConfigError
	if errors.As(err, &ce) && ce.File == "" {
		ce.File = f.path
	}
	return err
}

var (
	lineRE  = regexp.MustCompile(`line (\d+): `)
	boundRE = regexp.MustCompile(`field (\w+): must be (>=?) (\d+)`)
	quoteRE = regexp.MustCompile(`"([^"]+)"|` + "`([^`]+)`")
)

// yamlLine returns the line a YAML error names, and its message without
// the "yaml: line N:" prefix.
func yamlLine(msg string) (int, string) {
	msg = strings.TrimPrefix(msg, "yaml: ")
	if m := lineRE.FindStringSubmatchIndex(msg); m != nil {
		line, _ := strconv.Atoi(msg[m[2]:m[3]])
		return line, msg[m[1]:]
	}
	return 0, msg
}

// locate turns an error of otelconf's into a ConfigError, placed in the
// file by the line it names, the field whose bound it states, or the value
// it quotes.
func (f *fileConfig) locate(err error) error {
	var parts []string
	for part := range strings.SplitSeq(err.Error(), "\n") {
		part = strings.TrimSpace(part)
		if part == "" || strings.HasPrefix(part, "unmarshal error in ") || part == "yaml: unmarshal errors:" {
			continue
		}
		parts = append(parts, part)
	}
	msg := strings.Join(parts, "; ")
	e := &ConfigError{File: f.path, Problem: "is not accepted by otelconf: " + msg, Err: err}
	if line, rest := yamlLine(msg); line > 0 {
		e.Line, e.Path = line, pathAtLine(f.root, line)
		e.Problem = "is not accepted: " + rest
		e.Fix = "write a value of the type the schema gives (after environment variable substitution)"
		return e
	}
	if m := boundRE.FindStringSubmatch(msg); m != nil {
		if n := findKeyPath(f.root, m[1]); n.path != "" {
			e.Line, e.Path = n.node.Line, n.path
		}
		e.Problem = fmt.Sprintf("must be %s %s", m[2], m[3])
		e.Fix = "change the value"
		return e
	}
	for _, q := range quoteRE.FindAllStringSubmatch(msg, -1) {
		v := q[1] + q[2]
		if n := findValuePath(f.root, v); n.path != "" {
			e.Line, e.Path = n.node.Line, n.path
			e.Problem = fmt.Sprintf("is %q, which otelconf does not accept (%s)", v, msg)
			e.Fix = "see the schema for the values this field takes"
			return e
		}
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		if n := findValuePath(f.root, pe.Path); n.path != "" {
			e.Line, e.Path = n.node.Line, n.path
			e.Problem = fmt.Sprintf("names %s, which cannot be read (%v)", pe.Path, pe.Err)
			e.Fix = "give the path of a readable file"
		}
	}
	return e
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

// found is a node found in the tree, with its path.
type found struct {
	node *yaml.Node
	path string
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

// pathAtLine returns the path of the deepest field on line.
func pathAtLine(root *yaml.Node, line int) string {
	best := ""
	walk(root, "", func(n, k *yaml.Node, path string) bool {
		if (k != nil && k.Line == line) || n.Line == line {
			best = path
		}
		return true
	})
	return best
}

// findKeyPath returns the first field named key.
func findKeyPath(root *yaml.Node, key string) found {
	var f found
	walk(root, "", func(_, k *yaml.Node, path string) bool {
		if k != nil && k.Value == key {
			f = found{k, path}
			return false
		}
		return true
	})
	return f
}

// findKey returns the key node of the first field named key, or nil.
func findKey(root *yaml.Node, key string) *yaml.Node {
	return findKeyPath(root, key).node
}

// findValuePath returns the first scalar whose value is v.
func findValuePath(root *yaml.Node, v string) found {
	var f found
	walk(root, "", func(n, _ *yaml.Node, path string) bool {
		if n.Kind == yaml.ScalarNode && n.Value == v {
			f = found{n, path}
			return false
		}
		return true
	})
	return f
}
