package slogspan_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDependencies checks what the README says of the core module's
// dependencies: the core package imports only OpenTelemetry APIs and the
// contrib otelslog bridge, the SDK only comes with spanevents or console,
// and the module graph has no gRPC, Prometheus, OTLP exporters or
// autoexport.
func TestDependencies(t *testing.T) {
	goList := func(args ...string) []string {
		t.Helper()
		cmd := exec.Command("go", append([]string{"list"}, args...)...)
		cmd.Env = append(cmd.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("go list %v: %v", args, err)
		}
		return strings.Fields(string(out))
	}
	for _, p := range goList("-deps", ".") {
		if strings.Contains(p, "/otel/sdk") || strings.Contains(p, "grpc") || strings.Contains(p, "exporters") {
			t.Errorf("the core package depends on %s", p)
		}
		if strings.HasPrefix(p, "go.opentelemetry.io/contrib") && p != "go.opentelemetry.io/contrib/bridges/otelslog" {
			t.Errorf("the core package depends on %s", p)
		}
	}
	sdk := func(pkg string) bool {
		for _, p := range goList("-deps", pkg) {
			if strings.HasPrefix(p, "go.opentelemetry.io/otel/sdk") {
				return true
			}
		}
		return false
	}
	if !sdk("./spanevents") || !sdk("./console") {
		t.Error("spanevents and console should be where the SDK comes in")
	}
	// The versions the README names.
	for _, mv := range [][2]string{
		{"go.opentelemetry.io/otel", "v1.47.0"}, {"go.opentelemetry.io/otel/sdk", "v1.47.0"},
		{"go.opentelemetry.io/otel/log", "v1.47.0"}, {"go.opentelemetry.io/otel/sdk/log", "v1.47.0"},
		{"go.opentelemetry.io/otel/trace", "v1.47.0"}, {"go.opentelemetry.io/contrib/bridges/otelslog", "v0.21.0"},
	} {
		if got := goList("-m", mv[0]); len(got) != 2 || got[1] != mv[1] {
			t.Errorf("go list -m %s = %v, the README says %s", mv[0], got, mv[1])
		}
	}
	for _, m := range goList("-m", "all") {
		for _, heavy := range []string{"google.golang.org/grpc", "prometheus", "/exporters/", "autoexport"} {
			if strings.Contains(m, heavy) {
				t.Errorf("the core module's graph has %s", m)
			}
		}
	}
}
