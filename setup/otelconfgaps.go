package setup

// What otelconf v0.27.0 does not do, and setup does in its place; an
// otelconf release that closes a gap deletes its code here.
//
//   - Unknown keys are not refused: schemaCheck (TestConfigFileMistakesStopStart).
//   - Two of the six span limits are applied: spanLimitsOf
//     (TestConfigFileSettingsWinOverTheSDKsVariables).
//   - resource.attributes_list is ignored: resource (TestConfigFileResourceAttributesList).
//   - OTEL_BSP_*, OTEL_BLRP_*, OTEL_EXPORTER_OTLP_* and OTEL_LOGRECORD_*
//     fill what the file leaves out where the schema has defaults: defaults
//     (TestConfigFileSettingsWinOverTheSDKsVariables).
//   - A schedule_delay of 0 is accepted: defaults (TestConfigFileMistakesStopStart).
//   - The event_to_span_event_bridge/development processor is not built:
//     takeBridge (TestConfigFileBridgeRunsBeforeTheExport).
//   - OTEL_CONFIG_FILE is read again by NewSDK: newSDK (TestConfigFileBuildsTheSDK).
//   - The exporters it builds cannot be wrapped: their failures are the
//     SDK's errors, which shutdown returns (TestConfigFileExportFailuresAreReported).
//   - instrumentation/development is not in the model (otelconf/x has it,
//     with heavy dependencies): substitute (TestConfigFileBuildsTheSDK).

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

const nullTag = "!!null"

// schemaCheck finds the keys a model does not know, by its Go types. extra
// are the keys a struct type takes besides its fields, each with its check.
type schemaCheck struct {
	extra map[reflect.Type]map[string]func(n *yaml.Node, path string) error
}

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

func (c *schemaCheck) object(n *yaml.Node, t reflect.Type, path string) error {
	fields := map[string]reflect.Type{}
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name != "" && name != "-" && t.Field(i).IsExported() {
			fields[name] = t.Field(i).Type
		}
	}
	known := make([]string, 0, len(fields)+len(c.extra[t]))
	for k := range fields {
		known = append(known, k)
	}
	for k := range c.extra[t] {
		known = append(known, k)
	}
	slices.Sort(known)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		var err error
		if check, ok := c.extra[t][k.Value]; ok {
			err = check(v, joinPath(path, k.Value))
		} else if ft, ok := fields[k.Value]; ok {
			err = c.check(v, ft, joinPath(path, k.Value))
		} else {
			err = unknownField(k, path, known)
		}
		if err != nil {
			return err
		}
	}
	// The schema's extension points (processors, exporters, samplers,
	// propagators) name one component each.
	if _, plugin := t.FieldByName("AdditionalProperties"); plugin && path != "" && len(n.Content) != 2 {
		if len(n.Content) == 0 {
			return &ConfigError{Line: n.Line, Path: path, Problem: "is empty",
				Fix: "name one component here, one of " + strings.Join(known, ", ")}
		}
		var names []string
		for i := 0; i < len(n.Content); i += 2 {
			names = append(names, n.Content[i].Value)
		}
		return &ConfigError{Line: n.Line, Path: path, Problem: "names " + strings.Join(names, " and "),
			Fix: "name one component in each list entry: give each its own entry (- " + names[0] + ": …, - " + names[1] + ": …)"}
	}
	return nil
}

// unknownField reports key k, unknown at path, suggesting the known name
// it begins with (go for golang), else one within a few edits.
func unknownField(k *yaml.Node, path string, known []string) error {
	e := &ConfigError{Line: k.Line, Path: joinPath(path, k.Value), Problem: "is not a field the Go SDK knows here",
		Fix: "the fields here are " + strings.Join(known, ", ")}
	if strings.HasSuffix(k.Value, "/development") {
		e.Problem, e.Fix = "is an experimental part of the schema that the Go SDK (otelconf v0.27.0) does not support", "remove it"
		return e
	}
	best, bestD := "", max(2, len(k.Value)/3)+1
	for _, name := range known {
		if len(name) > 1 && strings.HasPrefix(k.Value, name) {
			best = name
			break
		}
		if d := editDistance(k.Value, name); d < bestD {
			best, bestD = name, d
		}
	}
	if best != "" {
		e.Fix = "did you mean " + best + "? The fields here are " + strings.Join(known, ", ")
	}
	return e
}

// editDistance is the Levenshtein distance between a and b, in bytes.
func editDistance(a, b string) int {
	prev, cur := make([]int, len(b)+1), make([]int, len(b)+1)
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

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// takeBridge takes the bridge out of the model: setup builds it, ahead of
// the file's processors, the one place otelconf lets it add one.
func (f *fileConfig) takeBridge() error {
	procs := mapValue(mapValue(f.root, "logger_provider"), "processors")
	if procs == nil || procs.Kind != yaml.SequenceNode {
		return nil
	}
	for i, p := range procs.Content {
		path := fmt.Sprintf("logger_provider.processors[%d]", i)
		switch {
		case mapValue(p, bridgeKey) == nil:
		case f.bridge:
			return &ConfigError{Line: p.Line, Path: path, Problem: "is a second span event bridge",
				Fix: "keep the first: one bridge puts each record on its span once"}
		case i > 0:
			return &ConfigError{Line: p.Line, Path: path, Problem: "is the span event bridge, after other processors",
				Fix: "make it the first processor: setup runs it ahead of the file's others " +
					"(otelconf v0.27.0 offers no way to place a processor between them), " +
					"so that the records they export carry the log.record.uid its span events link to"}
		default:
			f.bridge = true
		}
	}
	if f.bridge {
		f.model.LoggerProvider.Processors = f.model.LoggerProvider.Processors[1:]
	}
	return nil
}

// resource writes resource.attributes_list into resource.attributes, below
// them, and the program's service.name when neither the file nor the
// environment gives one.
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
				return &ConfigError{Line: mapValue(mapValue(f.root, "resource"), "attributes_list").Line,
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
	if !has["service.name"] {
		// Written out: otelconf's resource.Default reads the environment once per process.
		if v, ok := resource.Environment().Set().Value("service.name"); ok {
			serviceName = v.AsString()
		}
		r.Attributes = append(r.Attributes, otelconf.AttributeNameValue{Name: "service.name", Value: serviceName})
	}
	f.model.Resource = r
	return nil
}

// spanLimitsOf returns the six span limits: tracer_provider.limits, then
// attribute_limits, then the schema's defaults.
func spanLimitsOf(m *otelconf.OpenTelemetryConfiguration) sdktrace.SpanLimits {
	var a otelconf.AttributeLimits
	var t otelconf.SpanLimits
	if m.AttributeLimits != nil {
		a = *m.AttributeLimits
	}
	if m.TracerProvider != nil && m.TracerProvider.Limits != nil {
		t = *m.TracerProvider.Limits
	}
	return sdktrace.SpanLimits{
		AttributeValueLengthLimit:   firstSet(-1, t.AttributeValueLengthLimit, a.AttributeValueLengthLimit),
		AttributeCountLimit:         firstSet(128, t.AttributeCountLimit, a.AttributeCountLimit),
		EventCountLimit:             firstSet(128, t.EventCountLimit),
		AttributePerEventCountLimit: firstSet(128, t.EventAttributeCountLimit),
		LinkCountLimit:              firstSet(128, t.LinkCountLimit),
		AttributePerLinkCountLimit:  firstSet(128, t.LinkAttributeCountLimit),
	}
}

// firstSet returns the first of ps that is set, else d.
func firstSet(d int, ps ...*int) int {
	for _, p := range ps {
		if p != nil {
			return *p
		}
	}
	return d
}

// defaults writes the schema's defaults where the file leaves a batch
// processor's, an OTLP exporter's or the log limits' value out, so that the
// SDK's variables do not fill them, and refuses a schedule_delay of 0.
func (f *fileConfig) defaults() error {
	m := &f.model
	var err error
	check := func(provider string, i int, delay *int) {
		if delay != nil && *delay == 0 && err == nil {
			procs := mapValue(mapValue(f.root, provider), "processors")
			err = &ConfigError{Line: mapValue(mapValue(procs.Content[i], "batch"), "schedule_delay").Line,
				Path:    fmt.Sprintf("%s.processors[%d].batch.schedule_delay", provider, i),
				Problem: "is 0, with which the batch processor exports without pause",
				Fix:     "write a delay in milliseconds above 0 (the schema's default is 5000 for spans, 1000 for logs)"}
		}
	}
	if tp := m.TracerProvider; tp != nil {
		d := spanBatchDefaults
		for i, p := range tp.Processors {
			if b := p.Batch; b != nil {
				check("tracer_provider", i, b.ScheduleDelay)
				b.ScheduleDelay, b.ExportTimeout = orDefault(b.ScheduleDelay, d.delay), orDefault(b.ExportTimeout, d.timeout)
				b.MaxQueueSize, b.MaxExportBatchSize = orDefault(b.MaxQueueSize, d.queue), orDefault(b.MaxExportBatchSize, d.batch)
				exporterDefaults(b.Exporter.OTLPHttp, b.Exporter.OTLPGrpc, signalTraces)
			}
			if s := p.Simple; s != nil {
				exporterDefaults(s.Exporter.OTLPHttp, s.Exporter.OTLPGrpc, signalTraces)
			}
		}
	}
	if lp := m.LoggerProvider; lp != nil {
		d, skipped := logBatchDefaults, 0
		if f.bridge {
			skipped = 1 // taken out of the model
		}
		for i, p := range lp.Processors {
			if b := p.Batch; b != nil {
				check("logger_provider", i+skipped, b.ScheduleDelay)
				b.ScheduleDelay, b.ExportTimeout = orDefault(b.ScheduleDelay, d.delay), orDefault(b.ExportTimeout, d.timeout)
				b.MaxQueueSize, b.MaxExportBatchSize = orDefault(b.MaxQueueSize, d.queue), orDefault(b.MaxExportBatchSize, d.batch)
				exporterDefaults(b.Exporter.OTLPHttp, b.Exporter.OTLPGrpc, signalLogs)
			}
			if s := p.Simple; s != nil {
				exporterDefaults(s.Exporter.OTLPHttp, s.Exporter.OTLPGrpc, signalLogs)
			}
		}
		var a otelconf.AttributeLimits
		if m.AttributeLimits != nil {
			a = *m.AttributeLimits
		}
		l := lp.Limits
		if l == nil {
			l = &otelconf.LogRecordLimits{}
		}
		l.AttributeCountLimit = orDefault(l.AttributeCountLimit, firstSet(128, a.AttributeCountLimit))
		l.AttributeValueLengthLimit = orDefault(l.AttributeValueLengthLimit, firstSet(-1, a.AttributeValueLengthLimit))
		lp.Limits = l
	}
	return err
}

// orDefault returns p, or a pointer to d when p is nil.
func orDefault[P ~*T, T any](p P, d T) P {
	if p == nil {
		return P(&d)
	}
	return p
}

// exporterDefaults writes the schema's defaults into a signal's OTLP exporter.
func exporterDefaults(h *otelconf.OTLPHttpExporter, g *otelconf.OTLPGrpcExporter, signal string) {
	if h != nil {
		h.Endpoint = orDefault(h.Endpoint, "http://localhost:4318/v1/"+signal)
		h.Timeout, h.Compression = orDefault(h.Timeout, 10000), orDefault(h.Compression, "none")
	}
	if g != nil {
		g.Endpoint = orDefault(g.Endpoint, "http://localhost:4317")
		g.Timeout, g.Compression = orDefault(g.Timeout, 10000), orDefault(g.Compression, "none")
	}
}

var newSDKMu sync.Mutex

// newSDK is otelconf.NewSDK with OTEL_CONFIG_FILE hidden while it builds:
// otelconf reads it and lets the file win over the model setup gives.
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
