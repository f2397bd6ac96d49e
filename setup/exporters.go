package setup

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploggrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutlog"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/slogspan/slogspan/console"
)

const (
	signalTraces = "traces"
	signalLogs   = "logs"
)

// otlpTarget is where an OTLP exporter for one signal sends.
type otlpTarget struct {
	protocol string // grpc or http/protobuf
	endpoint string // as errors show it
	from     string // the setting that gave the endpoint, as KEY="value", or "" for the default
	// plainDefault: no endpoint and no insecure variable set, so http://
	// where the Go exporters would say https://.
	plainDefault bool
}

// otlpTargetFor reads the OTEL_EXPORTER_OTLP_* variables for signal as the
// Go exporters do, signal-specific ones first. An endpoint must be a URL
// with http:// or https:// and a host: given host:port alone, the
// exporters would send to https://localhost.
func otlpTargetFor(signal string) (otlpTarget, error) {
	up := strings.ToUpper(signal)
	t := otlpTarget{protocol: firstEnv("OTEL_EXPORTER_OTLP_"+up+"_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")}
	switch t.protocol {
	case "":
		t.protocol = "http/protobuf"
	case "grpc", "http/protobuf":
	default:
		return t, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL %q is not supported for %s: use http/protobuf or grpc", t.protocol, signal)
	}
	for _, key := range []string{"OTEL_EXPORTER_OTLP_" + up + "_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"} {
		if t.endpoint = os.Getenv(key); t.endpoint == "" {
			continue
		}
		t.from = fmt.Sprintf("%s=%q", key, t.endpoint)
		var err error
		if u, perr := url.Parse(t.endpoint); perr != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
			err = fmt.Errorf("%s=%q is not a URL with a scheme and a host: write it as http://host:port "+
				"for a receiver that speaks plain HTTP (a local Collector or Jaeger), or https://host:port", key, t.endpoint)
		}
		if key == "OTEL_EXPORTER_OTLP_ENDPOINT" && t.protocol == "http/protobuf" {
			t.endpoint = strings.TrimRight(t.endpoint, "/") + "/v1/" + signal // a signal's own is used as given
		}
		return t, err
	}
	insecure := firstEnv("OTEL_EXPORTER_OTLP_"+up+"_INSECURE", "OTEL_EXPORTER_OTLP_INSECURE")
	t.plainDefault = insecure == ""
	scheme := "http"
	if on, err := strconv.ParseBool(insecure); insecure != "" && (err != nil || !on) {
		scheme = "https"
	}
	t.endpoint = scheme + "://localhost:4318/v1/" + signal
	if t.protocol == "grpc" {
		t.endpoint = scheme + "://localhost:4317"
	}
	return t, nil
}

func firstEnv(keys ...string) string {
	for _, k := range keys {
		if v := strings.TrimSpace(os.Getenv(k)); v != "" {
			return v
		}
	}
	return ""
}

// exporter returns the exporter of one signal, and for OTLP where it
// sends: explicit when set, else what envKey names, else fallback, else OTLP.
func exporter[E comparable](ctx context.Context, signal, envKey string, explicit, fallback E,
	otlp func(context.Context, otlpTarget) (E, error), named map[string]func() (E, error),
) (exp E, t otlpTarget, err error) {
	var none E
	name := strings.TrimSpace(os.Getenv(envKey))
	switch {
	case explicit != none:
		return explicit, t, nil
	case name == "" && fallback != none:
		return fallback, t, nil
	case name == "" || name == "otlp":
		if t, err = otlpTargetFor(signal); err != nil {
			return none, t, err
		}
		exp, err = otlp(ctx, t)
		return exp, t, err
	case named[name] != nil:
		exp, err = named[name]()
		return exp, t, err
	}
	return none, t, fmt.Errorf("%s=%q is not an exporter setup knows: write otlp, console, console/json or none", envKey, name)
}

func (c *config) spanExporter(ctx context.Context) (sdktrace.SpanExporter, otlpTarget, error) {
	return exporter(ctx, signalTraces, "OTEL_TRACES_EXPORTER", c.spanExp, c.fallbackSpan,
		func(ctx context.Context, t otlpTarget) (sdktrace.SpanExporter, error) {
			if t.protocol == "grpc" {
				return otlptracegrpc.New(ctx, optionIf(t.plainDefault, otlptracegrpc.WithInsecure())...)
			}
			return otlptracehttp.New(ctx, optionIf(t.plainDefault, otlptracehttp.WithInsecure())...)
		}, map[string]func() (sdktrace.SpanExporter, error){
			"console":      func() (sdktrace.SpanExporter, error) { return console.New(os.Stdout), nil },
			"console/json": func() (sdktrace.SpanExporter, error) { return stdouttrace.New() },
			"none":         func() (sdktrace.SpanExporter, error) { return noExporter{}, nil },
		})
}

func (c *config) logExporter(ctx context.Context) (sdklog.Exporter, otlpTarget, error) {
	return exporter(ctx, signalLogs, "OTEL_LOGS_EXPORTER", c.logExp, c.fallbackLog,
		func(ctx context.Context, t otlpTarget) (sdklog.Exporter, error) {
			if t.protocol == "grpc" {
				return otlploggrpc.New(ctx, optionIf(t.plainDefault, otlploggrpc.WithInsecure())...)
			}
			return otlploghttp.New(ctx, optionIf(t.plainDefault, otlploghttp.WithInsecure())...)
		}, map[string]func() (sdklog.Exporter, error){
			"console":      func() (sdklog.Exporter, error) { return console.NewLogExporter(os.Stdout), nil },
			"console/json": func() (sdklog.Exporter, error) { return stdoutlog.New() },
			"none":         func() (sdklog.Exporter, error) { return noExporter{}, nil },
		})
}

// noExporter is the span and log exporter "none" names.
type noExporter struct{}

func (noExporter) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (noExporter) Export(context.Context, []sdklog.Record) error              { return nil }
func (noExporter) Shutdown(context.Context) error                             { return nil }
func (noExporter) ForceFlush(context.Context) error                           { return nil }

func optionIf[O any](on bool, o O) []O {
	if on {
		return []O{o}
	}
	return nil
}
