package slogspan_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/internal/onspan"
)

// go doc shows a constant as it is written: its value, not the name of an
// internal constant a reader cannot look up.
func TestExportedConstantsShowTheirValues(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, s := range g.Specs {
				vs := s.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if !name.IsExported() || i >= len(vs.Values) {
						continue
					}
					ast.Inspect(vs.Values[i], func(n ast.Node) bool {
						if _, ok := n.(*ast.SelectorExpr); ok {
							t.Errorf("%s is written as another package's constant; write its value", name.Name)
							return false
						}
						return true
					})
				}
			}
		}
	}
}

// The values written out are the ones the code beneath uses.
func TestExportedConstantsMatchInternal(t *testing.T) {
	for name, c := range map[string][2]string{
		"LevelKey":           {slogspan.LevelKey, onspan.LevelKey},
		"UIDKey":             {slogspan.UIDKey, onspan.UIDKey},
		"DroppedEventsKey":   {slogspan.DroppedEventsKey, onspan.DroppedEventsKey},
		"TruncatedValuesKey": {slogspan.TruncatedValuesKey, onspan.TruncatedValuesKey},
	} {
		if c[0] != c[1] {
			t.Errorf("slogspan.%s = %q, internal %q", name, c[0], c[1])
		}
	}
	d := onspan.Limits{}.WithDefaults()
	for name, c := range map[string][2]int{
		"DefaultMaxValueBytes": {slogspan.DefaultMaxValueBytes, d.MaxValueBytes},
		"DefaultMaxEventAttrs": {slogspan.DefaultMaxEventAttrs, d.MaxEventAttrs},
		"DefaultMaxEventBytes": {slogspan.DefaultMaxEventBytes, d.MaxEventBytes},
		"DefaultMaxSpanEvents": {slogspan.DefaultMaxSpanEvents, d.MaxSpanEvents},
		"DefaultMaxSpanBytes":  {slogspan.DefaultMaxSpanBytes, d.MaxSpanBytes},
		"MaxTrackedSpans":      {slogspan.MaxTrackedSpans, onspan.MaxSpans},
		"MaxValueDepth":        {slogspan.MaxValueDepth, onspan.MaxDepth},
	} {
		if c[0] != c[1] {
			t.Errorf("slogspan.%s = %d, internal %d", name, c[0], c[1])
		}
	}
}

// The first screen of go doc shows what a user does: register the span
// tracker and the TracerProvider, wrap slog's handler, log with the
// context, or let setup do it all.
func TestPackageDocLeadsWithWhatAUserDoes(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(f.Doc.Text(), "\n")
	firstScreen := strings.Join(lines[:min(len(lines), 40)], "\n")
	for _, want := range []string{
		"spanevents.NewSpanTracker()", "otel.SetTracerProvider(tp)",
		"slog.SetDefault(slog.New(slogspan.New(slog.Default().Handler())))",
		"slog.InfoContext(ctx", "github.com/slogspan/slogspan/setup",
	} {
		if !strings.Contains(firstScreen, want) {
			t.Errorf("the package doc's first 40 lines lack %q", want)
		}
	}
}
