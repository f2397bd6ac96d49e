package setup

import (
	"testing"
	"time"
)

func TestOTLPTargetFollowsTheEnvironment(t *testing.T) {
	// The README's endpoint table: plain HTTP on 4318 by default, 4317 for
	// gRPC, OTEL_EXPORTER_OTLP_ENDPOINT with the signal's path for HTTP,
	// and a signal's own endpoint as given.
	for _, c := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"nothing set", nil, "http://localhost:4318/v1/traces"},
		{"gRPC", map[string]string{"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "http://localhost:4317"},
		{"an endpoint", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318/"}, "http://collector:4318/v1/traces"},
		{"an endpoint, gRPC", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4317",
			"OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, "http://collector:4317"},
		{"the signal's endpoint", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318",
			"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://tempo:4318/custom"}, "http://tempo:4318/custom"},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, k := range []string{"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_ENDPOINT",
				"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_INSECURE", "OTEL_EXPORTER_OTLP_TRACES_INSECURE"} {
				t.Setenv(k, c.env[k])
			}
			got, err := otlpTargetFor(signalTraces)
			if err != nil || got.endpoint != c.want {
				t.Errorf("endpoint %q, %v; want %q", got.endpoint, err, c.want)
			}
		})
	}
}

func TestReportTimesAreTheDocumentedOnes(t *testing.T) {
	// README's "Failures are loud": a WARN after 5 s without an answer,
	// reminders at most once a minute.
	if stallAfter != 5*time.Second || remindEvery != time.Minute {
		t.Errorf("stallAfter %v, remindEvery %v; documented 5s and 1m", stallAfter, remindEvery)
	}
}
