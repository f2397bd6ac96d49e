package setup_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"

	"github.com/slogspan/slogspan/setup"
)

// startWithEnv sets key=value on a clean environment and starts setup with
// the OTLP exporters the environment names, returning Start's error. A
// panic fails the test, and a failed Start must leave slog's default and
// the TracerProvider as they were.
func startWithEnv(t *testing.T, env map[string]string) error {
	t.Helper()
	clearOTelEnv(t)
	for k, v := range env {
		t.Setenv(k, v)
	}
	before, tpBefore := slog.Default(), otel.GetTracerProvider()
	var (
		shutdown func(context.Context) error
		err      error
	)
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("Start panicked: %v", p)
			}
		}()
		shutdown, err = setup.Start(context.Background())
	}()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = shutdown(ctx)
	if err != nil && (slog.Default() != before || otel.GetTracerProvider() != tpBefore) {
		t.Error("a failed Start changed slog's default or the TracerProvider")
	}
	return err
}

func TestBadBatchVariablesAreStartErrors(t *testing.T) {
	// A value the SDK would panic on (a negative size), spin on (a delay
	// of 0), or silently replace with its own default (what
	// strconv.Atoi refuses) is Start's error, naming the variable, the
	// value and the fix.
	for _, prefix := range []string{"OTEL_BSP_", "OTEL_BLRP_"} {
		for _, name := range []string{"MAX_QUEUE_SIZE", "MAX_EXPORT_BATCH_SIZE", "SCHEDULE_DELAY", "EXPORT_TIMEOUT"} {
			for _, v := range []string{"-1", "0", "abc", "32 ", "1e2"} {
				key := prefix + name
				t.Run(fmt.Sprintf("%s=%q", key, v), func(t *testing.T) {
					err := startWithEnv(t, map[string]string{key: v})
					if err == nil {
						t.Fatal("Start accepted it")
					}
					for _, want := range []string{key, fmt.Sprintf("%q", v), "positive whole number", "unset it"} {
						if !strings.Contains(err.Error(), want) {
							t.Errorf("error %q does not say %q", err, want)
						}
					}
				})
			}
		}
	}
}

func TestBatchSizeAboveQueueSizeIsAStartError(t *testing.T) {
	err := startWithEnv(t, map[string]string{"OTEL_BSP_MAX_QUEUE_SIZE": "16", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "64"})
	if err == nil || !strings.Contains(err.Error(), "OTEL_BSP_MAX_EXPORT_BATCH_SIZE") || !strings.Contains(err.Error(), "OTEL_BSP_MAX_QUEUE_SIZE") {
		t.Fatalf("Start error = %v, want one naming both variables", err)
	}
	// A queue below the default batch takes the batch down with it.
	if err := startWithEnv(t, map[string]string{"OTEL_BSP_MAX_QUEUE_SIZE": "16"}); err != nil {
		t.Fatalf("a small queue alone: %v", err)
	}
}

func TestGoodBatchVariablesAreAccepted(t *testing.T) {
	env := map[string]string{}
	for _, prefix := range []string{"OTEL_BSP_", "OTEL_BLRP_"} {
		env[prefix+"SCHEDULE_DELAY"] = "200"
		env[prefix+"EXPORT_TIMEOUT"] = "1000"
		env[prefix+"MAX_QUEUE_SIZE"] = "100"
		env[prefix+"MAX_EXPORT_BATCH_SIZE"] = "10"
	}
	if err := startWithEnv(t, env); err != nil {
		t.Fatal(err)
	}
}

func TestEndpointWithoutSchemeIsAStartError(t *testing.T) {
	for _, c := range []struct{ key, value string }{
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "127.0.0.1:4318"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "localhost:4318"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://localhost:4318"},
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://"},
		{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "127.0.0.1:4318/v1/traces"},
		{"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "localhost:4318/v1/logs"},
	} {
		for _, protocol := range []string{"http/protobuf", "grpc"} {
			t.Run(c.key+"="+c.value+","+protocol, func(t *testing.T) {
				err := startWithEnv(t, map[string]string{c.key: c.value, "OTEL_EXPORTER_OTLP_PROTOCOL": protocol})
				if err == nil {
					t.Fatal("Start accepted it")
				}
				for _, want := range []string{c.key, fmt.Sprintf("%q", c.value), "http://"} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not say %q", err, want)
					}
				}
			})
		}
	}
	if err := startWithEnv(t, map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}); err != nil {
		t.Errorf("a URL: %v", err)
	}
}

func TestUnknownExporterIsAStartError(t *testing.T) {
	for _, key := range []string{"OTEL_TRACES_EXPORTER", "OTEL_LOGS_EXPORTER"} {
		err := startWithEnv(t, map[string]string{key: "zipkin"})
		if err == nil || !strings.Contains(err.Error(), key+`="zipkin"`) || !strings.Contains(err.Error(), "console/json") {
			t.Errorf("%s=zipkin: Start error = %v, want one naming the variable, the value and the choices", key, err)
		}
	}
}
