package examples_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Every Go snippet of the README compiles and does what its text says
// when pasted into a main. Each block is preceded by a marker naming it,
// <!-- snippet NAME --> (the server's <!-- server-main --> is one too),
// and readmeSnippets says how to paste it: the imports it needs, the code
// around it that gives its free variables a value, and what the program
// must print. A Go block without a known marker fails the test, so that a
// new snippet comes with its check.

// readmeSnippet is how one README snippet is pasted and checked.
type readmeSnippet struct {
	// imports are the snippet's, plus the ones around needs.
	imports []string
	// around is the rest of the file, with SNIPPET where the snippet goes;
	// empty for a snippet that is a whole file.
	around string
	// run, when set, runs the program and checks its standard output and
	// standard error.
	run func(t *testing.T, stdout, stderr string)
}

var snippetMarkerRE = regexp.MustCompile(`<!-- (?:snippet ([a-z-]+)|(server-main)) -->\n` + "```go\n")

var readmeSnippets = map[string]readmeSnippet{
	// "Use it": a program that already sets up OpenTelemetry, with its
	// span exporter (here the console's) and its own shutdown.
	"use-it": {
		imports: []string{
			"context", "errors", "log/slog", "os",
			"go.opentelemetry.io/otel",
			sdktracePkg,
			"github.com/slogspan/slogspan",
			"github.com/slogspan/slogspan/console",
			"github.com/slogspan/slogspan/spanevents",
		},
		around: `
func main() {
	ctx := context.Background()
	run(ctx, console.New(os.Stdout, console.WithColor(false)), errors.New("smtp: timeout"))
	// The program's own shutdown, through the provider it registered.
	if tp, ok := otel.GetTracerProvider().(*sdktrace.TracerProvider); ok {
		if err := tp.Shutdown(ctx); err != nil {
			panic(err)
		}
	}
}

func run(ctx context.Context, exporter sdktrace.SpanExporter, err error) {
SNIPPET
}
`,
		run: func(t *testing.T, stdout, stderr string) {
			// Each line is an event on "checkout", the ERROR sets its status.
			mustMatch(t, stdout,
				`(?m)^checkout +\S+ [█·]+ ERROR email failed$`,
				`(?m)^ +\+\S+ INFO  charged card amount=42$`,
				`(?m)^ +\+\S+ ERROR email failed err="smtp: timeout" exception.type=\*errors.errorString exception.message="smtp: timeout"$`)
			// stderr keeps slog's default format, plus the ids.
			ids := `trace_id=[0-9a-f]{32} span_id=[0-9a-f]{16}`
			mustMatch(t, stderr,
				`(?m)^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} INFO charged card `+ids+` amount=42$`,
				`(?m)^\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2} ERROR email failed `+ids+` err="smtp: timeout"$`)
		},
	},
	// "Use it": the README's server, a whole main. It is built and vetted
	// here; e2e runs examples/httpserver, the same server with more routes.
	"server-main": {},
	// "Any logger": a LoggerProvider fed by a bridge, whose records become
	// events on the span in their context.
	"any-logger": {
		imports: []string{
			"context", "os",
			"go.opentelemetry.io/contrib/bridges/otelslog",
			sdktracePkg,
			sdklogPkg,
			"github.com/slogspan/slogspan/console",
			"github.com/slogspan/slogspan/spanevents",
		},
		around: `
func main() {
	ctx := context.Background()
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithSpanProcessor(spanevents.NewSpanTracker()),
		sdktrace.WithSyncer(console.New(os.Stdout, console.WithColor(false))))
	lp := loggerProvider(console.NewLogExporter(os.Stdout, console.WithColor(false)))

	logger := otelslog.NewLogger("readme", otelslog.WithLoggerProvider(lp))
	ctx, span := tp.Tracer("readme").Start(ctx, "import")
	logger.InfoContext(ctx, "file imported", "rows", 3)
	span.End()
	if err := tp.Shutdown(ctx); err != nil {
		panic(err)
	}
	if err := lp.Shutdown(ctx); err != nil {
		panic(err)
	}
}

func loggerProvider(exporter sdklog.Exporter) *sdklog.LoggerProvider {
SNIPPET
	return lp
}
`,
		run: func(t *testing.T, stdout, _ string) {
			// The line is an event on its span, and still goes on down
			// the log pipeline.
			mustMatch(t, stdout,
				`(?m)^import +\S+ [█·]+$`,
				`(?m)^ +\+\S+ INFO  file imported rows=3$`,
				`(?m)^log INFO file imported `)
		},
	},
}

const (
	sdktracePkg = `sdktrace "go.opentelemetry.io/otel/sdk/trace"`
	sdklogPkg   = `sdklog "go.opentelemetry.io/otel/sdk/log"`
)

func TestREADMESnippets(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if n, m := strings.Count(string(readme), "```go\n"), len(snippetMarkerRE.FindAllIndex(readme, -1)); n != m {
		t.Errorf("README.md has %d Go blocks, %d of them after a snippet marker", n, m)
	}
	seen := map[string]bool{}
	for _, m := range snippetMarkerRE.FindAllSubmatchIndex(readme, -1) {
		name := "server-main"
		if m[2] >= 0 {
			name = string(readme[m[2]:m[3]])
		}
		code, _, ok := strings.Cut(string(readme[m[1]:]), "```")
		s, known := readmeSnippets[name]
		if !ok || !known {
			t.Errorf("README.md: snippet %q is unknown or not closed", name)
			continue
		}
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			checkSnippet(t, s, code)
		})
	}
	for name := range readmeSnippets {
		if !seen[name] {
			t.Errorf("README.md has no snippet %q", name)
		}
	}
}

// checkSnippet pastes code as s says, builds and vets the program, and
// runs it when s says how to check it.
func checkSnippet(t *testing.T, s readmeSnippet, code string) {
	src := code
	if s.around != "" {
		var imports strings.Builder
		for _, p := range s.imports {
			if !strings.HasSuffix(p, `"`) {
				p = `"` + p + `"`
			}
			imports.WriteString("\t" + p + "\n")
		}
		src = "package main\n\nimport (\n" + imports.String() + ")\n" +
			strings.Replace(s.around, "SNIPPET", code, 1)
	}
	// Inside this module, so that it builds against the code beside it;
	// the go command ignores directories whose name starts with _ in ./...
	dir, err := os.MkdirTemp(".", "_readme-snippet-") //nolint:usetesting // t.TempDir is outside the module.
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := os.RemoveAll(dir); err != nil {
			t.Error(err)
		}
	})
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "snippet")
	for _, args := range [][]string{{"build", "-o", bin}, {"vet"}} {
		cmd := exec.Command(gobin, append(args, "./"+filepath.Base(dir))...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s of the README's snippet, pasted into a main: %v\n%s\n%s", args[0], err, out, src)
		}
	}
	if s.run == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin)
	cmd.Env = withoutOTel(os.Environ())
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the README's snippet, pasted into a main: %v\nstdout:\n%s\nstderr:\n%s\n%s", err, stdout.String(), stderr.String(), src)
	}
	s.run(t, stdout.String(), stderr.String())
}

func mustMatch(t *testing.T, out string, res ...string) {
	t.Helper()
	for _, re := range res {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output has no match for %s:\n%s", re, out)
		}
	}
}
