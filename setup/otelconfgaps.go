package setup

// What otelconf v0.27.0 does not do, and setup does in its place. Each gap
// names the test that shows it; an otelconf release that closes one
// deletes its code here.
//
//   - It ignores keys it does not know, so a misspelled key would silently
//     leave its part of the SDK at its default: schemaCheck walks the file
//     with the model's field names and types first
//     (TestConfigFileMistakesStopStart).
//   - It applies two of the six span limits (TestConfigFileSettingsWinOverTheSDKsVariables)
//     and ignores resource.attributes_list (TestConfigFileResourceAttributesList).
//   - It lets OTEL_BSP_*, OTEL_BLRP_*, OTEL_EXPORTER_OTLP_* and
//     OTEL_LOGRECORD_* fill what the file leaves out, where the schema has
//     defaults (TestConfigFileSettingsWinOverTheSDKsVariables): defaults.
//   - It does not build the event_to_span_event_bridge/development
//     processor (TestConfigFileBridgeRunsBeforeTheExport): takeBridge.
//   - It accepts a batch processor's schedule_delay of 0, with which the
//     SDK exports without pause, a busy loop: zeroDelay
//     (TestConfigFileMistakesStopStart).
//   - It offers no way to wrap the exporters it builds, so setup cannot
//     count their exports: it reports the SDK's errors, through otel.Handle
//     (TestConfigFileExportFailuresAreReported).
//   - It reads OTEL_CONFIG_FILE again in NewSDK, and the file it names wins
//     over the model it is given (TestConfigFileBuildsTheSDK): newSDK.

import (
	"fmt"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"

	"go.opentelemetry.io/contrib/otelconf"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	yaml "go.yaml.in/yaml/v3"
)

// schemaCheck finds the keys a configuration model does not know, by its
// Go types. Types and required fields are for yaml and otelconf to report.
type schemaCheck struct {
	// extra are keys a struct type accepts besides its fields, each with
	// its own check: the parts of the schema that are slogspan's, which
	// otelconf's model leaves out.
	extra map[reflect.Type]map[string]func(n *yaml.Node, path string) error
}

// check checks n, found at path, against t.
func (c *schemaCheck) check(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		return c.object(n, t, path)
	case t.Kind() == reflect.Map && n.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := c.check(n.Content[i+1], t.Elem(), joinPath(path, n.Content[i].Value)); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, e := range n.Content {
			if err := c.check(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

const nullTag = "!!null"

// object checks the keys of a mapping against the fields of struct type t.
func (c *schemaCheck) object(n *yaml.Node, t reflect.Type, path string) error {
	fields := yamlFields(t)
	extra := c.extra[t]
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := joinPath(path, k.Value)
		if check, ok := extra[k.Value]; ok {
			if err := check(v, p); err != nil {
				return err
			}
			continue
		}
		ft, ok := fields[k.Value]
		if !ok {
			return unknownField(k, path, fieldNames(fields, extra))
		}
		if err := c.check(v, ft, p); err != nil {
			return err
		}
	}
	// The schema's extension points (processors, exporters, samplers,
	// propagators) are objects with one key, naming the component.
	if _, plugin := t.FieldByName("AdditionalProperties"); plugin && path != "" && len(n.Content) != 2 {
		names := make([]string, 0, len(n.Content)/2)
		for i := 0; i < len(n.Content); i += 2 {
			names = append(names, n.Content[i].Value)
		}
		if len(names) == 0 {
			return &ConfigError{Line: n.Line, Path: path, Problem: "is empty",
				Fix: "name one component here, one of " + strings.Join(fieldNames(fields, extra), ", ")}
		}
		return &ConfigError{Line: n.Line, Path: path, Problem: "names " + strings.Join(names, " and "),
			Fix: "name one component in each list entry: give each its own entry (- " + names[0] + ": …, - " + names[1] + ": …)"}
	}
	return nil
}

// fieldNames returns the names of fields and extra, sorted.
func fieldNames[V1, V2 any](fields map[string]V1, extra map[string]V2) []string {
	names := make([]string, 0, len(fields)+len(extra))
	for k := range fields {
		names = append(names, k)
	}
	for k := range extra {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// yamlFields returns the YAML names of t's fields with their types.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("yaml")
		if !ok || !f.IsExported() {
			continue // AdditionalProperties: no key of its own
		}
		if name, _, _ := strings.Cut(tag, ","); name != "-" && name != "" {
			fields[name] = f.Type
		}
	}
	return fields
}

// unknownField reports key k, unknown at path, suggesting the known name
// closest to it.
func unknownField(k *yaml.Node, path string, known []string) error {
	e := &ConfigError{Line: k.Line, Path: joinPath(path, k.Value), Problem: "is not a field the Go SDK knows here"}
	if strings.HasSuffix(k.Value, "/development") {
		e.Problem = "is an experimental part of the schema that the Go SDK (otelconf v0.27.0) does not support"
		e.Fix = "remove it"
		return e
	}
	e.Fix = "the fields here are " + strings.Join(known, ", ")
	if s := closest(k.Value, known); s != "" {
		e.Fix = fmt.Sprintf("did you mean %s? The fields here are %s", s, strings.Join(known, ", "))
	}
	return e
}

// closest returns a name in known that s begins with (go for golang),
// else the one within a few edits of s, or "".
func closest(s string, known []string) string {
	best, bestD := "", max(2, len(s)/3)+1
	for _, k := range known {
		if len(k) > 1 && strings.HasPrefix(s, k) {
			return k
		}
		if d := editDistance(s, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, sub)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// joinPath appends name to a dotted path.
func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
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
				return &ConfigError{File: f.path, Line: mapValue(mapValue(f.root, "resource"), "attributes_list").Line,
					Path: "resource.attributes_list", Problem: fmt.Sprintf("has %q", kv),
					Fix: "write name=value pairs separated by commas, with %-escapes for commas and equals signs in values"}
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

// newSDKMu serializes newSDK's use of the environment.
var newSDKMu sync.Mutex

// newSDK is otelconf.NewSDK, given the model setup read. otelconf v0.27.0
// reads OTEL_CONFIG_FILE itself and lets the file it names win over the
// model it is given, and it cannot build that file: it has no bridge. So
// the variable is hidden from it while it builds, and set again after.
func newSDK(opts ...otelconf.ConfigurationOption) (otelconf.SDK, error) {
	newSDKMu.Lock()
	defer newSDKMu.Unlock()
	if v, ok := os.LookupEnv(configFileEnv); ok {
		if err := os.Unsetenv(configFileEnv); err != nil {
			return otelconf.SDK{}, fmt.Errorf("setup: %w", err)
		}
		defer func() { _ = os.Setenv(configFileEnv, v) }()
	}
	return otelconf.NewSDK(opts...)
}

// zeroDelay refuses a batch processor's schedule_delay of 0, written or
// substituted, with which the SDK exports without pause.
func (f *fileConfig) zeroDelay() error {
	type delay struct {
		provider string
		i        int
		ms       *int
	}
	var delays []delay
	if tp := f.model.TracerProvider; tp != nil {
		for i, p := range tp.Processors {
			if p.Batch != nil {
				delays = append(delays, delay{"tracer_provider", i, p.Batch.ScheduleDelay})
			}
		}
	}
	if lp := f.model.LoggerProvider; lp != nil {
		for i, p := range lp.Processors {
			if p.Batch != nil {
				delays = append(delays, delay{"logger_provider", i, p.Batch.ScheduleDelay})
			}
		}
	}
	for _, d := range delays {
		if d.ms != nil && *d.ms == 0 {
			procs := mapValue(mapValue(f.root, d.provider), "processors")
			return &ConfigError{File: f.path, Line: mapValue(mapValue(procs.Content[d.i], "batch"), "schedule_delay").Line,
				Path:    fmt.Sprintf("%s.processors[%d].batch.schedule_delay", d.provider, d.i),
				Problem: "is 0, with which the batch processor exports without pause",
				Fix:     "write a delay in milliseconds above 0 (the schema's default is 5000 for spans, 1000 for logs)"}
		}
	}
	return nil
}
