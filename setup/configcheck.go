package setup

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"
)

// otelconf v0.27.0 reads the configuration file with its model's own YAML
// decoding, which ignores fields it does not know: a misspelled key would
// silently leave its part of the SDK at its default. So setup first walks
// the file's YAML tree with the model's field names and types, and stops at
// the first key it does not know and the first value of the wrong type,
// with its line. What otelconf checks itself (bounds, exporter options) it
// still reports, located in the file by configfile.go.

// schemaCheck checks YAML nodes against the Go types of a configuration
// model.
type schemaCheck struct {
	// extra are keys a struct type accepts besides its fields, each with
	// its own check: the parts of the schema that are slogspan's, which
	// otelconf's model leaves out.
	extra map[reflect.Type]map[string]func(n *yaml.Node, path string) error
	// required are fields a struct type requires besides those its tags
	// mark, and why.
	required map[reflect.Type]map[string]string
}

// check checks n, found at path, against t.
func (c *schemaCheck) check(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.ScalarNode && n.ShortTag() == nullTag {
		return nil // every property may be null, and then takes its default
	}
	switch t.Kind() {
	case reflect.Interface:
		return nil
	case reflect.Struct:
		return c.object(n, t, path)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			return wrongType(n, path, "a mapping (name: value lines)")
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if err := c.check(n.Content[i+1], t.Elem(), joinPath(path, n.Content[i].Value)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return wrongType(n, path, "a list (lines starting with -)")
		}
		for i, e := range n.Content {
			if err := c.check(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	case reflect.Bool:
		return scalar(n, path, "true or false", "!!bool")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return scalar(n, path, "an integer", "!!int")
	case reflect.Float32, reflect.Float64:
		return scalar(n, path, "a number", "!!int", "!!float")
	case reflect.String:
		return scalar(n, path, "a string", "!!str", "!!int", "!!float", "!!bool", "!!timestamp")
	}
	return nil
}

const nullTag = "!!null"

// object checks a mapping against the fields of struct type t.
func (c *schemaCheck) object(n *yaml.Node, t reflect.Type, path string) error {
	if n.Kind != yaml.MappingNode {
		return wrongType(n, path, "a mapping (name: value lines)")
	}
	fields, required := yamlFields(t)
	extra := c.extra[t]
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := joinPath(path, k.Value)
		seen[k.Value] = true
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
	for _, name := range required {
		if !seen[name] {
			return &ConfigError{Line: n.Line, Path: path, Problem: "has no " + name,
				Fix: "add " + name + ": it is required here"}
		}
	}
	for name, why := range c.required[t] {
		if !seen[name] {
			return &ConfigError{Line: n.Line, Path: path, Problem: "has no " + name,
				Fix: "add " + name + ": " + why}
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

// yamlFields returns the YAML names of t's fields with their types, and
// the names that are required (those not marked omitempty).
func yamlFields(t reflect.Type) (map[string]reflect.Type, []string) {
	fields := map[string]reflect.Type{}
	var required []string
	for i := range t.NumField() {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("yaml")
		if !ok || !f.IsExported() {
			continue // AdditionalProperties: no key of its own
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || name == "" {
			continue
		}
		fields[name] = f.Type
		if !strings.Contains(opts, "omitempty") {
			required = append(required, name)
		}
	}
	return fields, required
}

// scalar checks that n is a scalar with one of the tags. A string that
// refers to an environment variable is left for after the substitution.
func scalar(n *yaml.Node, path, want string, tags ...string) error {
	if n.Kind == yaml.ScalarNode {
		tag := n.ShortTag()
		if slices.Contains(tags, tag) || (tag == "!!str" && strings.Contains(n.Value, "${")) {
			return nil
		}
	}
	return wrongType(n, path, want)
}

func wrongType(n *yaml.Node, path, want string) error {
	got := "a mapping"
	switch n.Kind {
	case yaml.ScalarNode:
		got = fmt.Sprintf("%q", n.Value)
	case yaml.SequenceNode:
		got = "a list"
	}
	return &ConfigError{Line: n.Line, Path: path, Problem: "is " + got, Fix: "write " + want}
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
