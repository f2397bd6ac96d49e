package setup

import (
	"context"
	"fmt"
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

// With no endpoint configured, the Go OTLP exporters default to
// https://localhost, but the specification's default, and what Jaeger and
// the Collector serve on 4318 and 4317, is plain http://localhost: setup
// adds WithInsecure then.

// Signal names, as they appear in errors and in the OTEL_* variables.
const (
	signalTraces = "traces"
	signalLogs   = "logs"
)

// otlpTarget is where an OTLP exporter for one signal sends.
type otlpTarget struct {
	signal   string
	protocol string // grpc or http/protobuf
	endpoint string // as errors show it
	// from is the setting that gave the endpoint, as KEY="value", or ""
	// for the default.
	from string
	// plainDefault is true when no endpoint and no insecure variable is
	// set: the exporter must be told to use plain HTTP.
	plainDefault bool
}

// otlpTargetFor reads the OTEL_EXPORTER_OTLP_* variables for signal as the
// Go exporters do, signal-specific ones first.
func otlpTargetFor(signal string) (otlpTarget, error) {
	up := strings.ToUpper(signal)
	t := otlpTarget{signal: signal, protocol: firstEnv(
		"OTEL_EXPORTER_OTLP_"+up+"_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")}
	switch t.protocol {
	case "":
		t.protocol = "http/protobuf"
	case "grpc", "http/protobuf":
	default:
		return t, fmt.Errorf("OTEL_EXPORTER_OTLP_PROTOCOL %q is not supported for %s: use http/protobuf or grpc", t.protocol, signal)
	}
	if key := "OTEL_EXPORTER_OTLP_" + up + "_ENDPOINT"; os.Getenv(key) != "" {
		t.endpoint = os.Getenv(key) // used as given, path included
		t.from = fmt.Sprintf("%s=%q", key, t.endpoint)
		return t, checkEndpoint(key, t.endpoint)
	}
	if ep := os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT"); ep != "" {
		if err := checkEndpoint("OTEL_EXPORTER_OTLP_ENDPOINT", ep); err != nil {
			return t, err
		}
		t.endpoint, t.from = ep, fmt.Sprintf("OTEL_EXPORTER_OTLP_ENDPOINT=%q", ep)
		if t.protocol == "http/protobuf" {
			t.endpoint = strings.TrimRight(ep, "/") + "/v1/" + signal
		}
		return t, nil
	}
	insecure := firstEnv("OTEL_EXPORTER_OTLP_"+up+"_INSECURE", "OTEL_EXPORTER_OTLP_INSECURE")
	t.plainDefault = insecure == ""
	scheme := "http"
	if on, err := strconv.ParseBool(insecure); insecure != "" && (err != nil || !on) {
		scheme = "https"
	}
	if t.protocol == "grpc" {
		t.endpoint = scheme + "://localhost:4317"
	} else {
		t.endpoint = scheme + "://localhost:4318/v1/" + signal
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

// exporterName returns the exporter the environment variable key names,
// "" when it is unset and a fallback exporter is given, else "otlp".
func exporterName(key string, hasFallback bool) string {
	name := strings.TrimSpace(os.Getenv(key))
	if name == "" && !hasFallback {
		return "otlp"
	}
	return name
}

// chooseExporter returns the exporter of one signal, and for OTLP where it
// sends: explicit when set, else what the environment variable envKey
// names, with fallback when it names none. OTLP is built by otlp, the rest
// by named.
func chooseExporter[E comparable](ctx context.Context, signal, envKey string, explicit, fallback E,
	otlp func(context.Context, otlpTarget) (E, error), named func(ctx context.Context, name string) (E, error),
) (E, otlpTarget, error) {
	var none E
	if explicit != none {
		return explicit, otlpTarget{}, nil
	}
	switch name := exporterName(envKey, fallback != none); name {
	case "":
		return fallback, otlpTarget{}, nil
	case "otlp":
		t, err := otlpTargetFor(signal)
		if err != nil {
			return none, t, err
		}
		exp, err := otlp(ctx, t)
		return exp, t, err
	default:
		exp, err := named(ctx, name)
		return exp, otlpTarget{}, err
	}
}

// consoleJSON names the SDK's stdout exporters, one JSON object a span or
// record; console is slogspan's console view (the specification leaves
// the console exporter's format to the SDK).
const consoleJSON = "console/json"

// spanExporter returns the span exporter and, for OTLP, where it sends.
func (c *config) spanExporter(ctx context.Context) (sdktrace.SpanExporter, otlpTarget, error) {
	return chooseExporter(ctx, signalTraces, "OTEL_TRACES_EXPORTER", c.spanExp, c.fallbackSpan, otlpSpanExporter,
		func(_ context.Context, name string) (sdktrace.SpanExporter, error) {
			switch name {
			case "console":
				return console.New(os.Stdout), nil
			case consoleJSON:
				return stdouttrace.New()
			case "none":
				return noSpans{}, nil
			}
			return nil, unknownExporter("OTEL_TRACES_EXPORTER", name)
		})
}

// logExporter returns the log exporter and, for OTLP, where it sends.
func (c *config) logExporter(ctx context.Context) (sdklog.Exporter, otlpTarget, error) {
	return chooseExporter(ctx, signalLogs, "OTEL_LOGS_EXPORTER", c.logExp, c.fallbackLog, otlpLogExporter,
		func(_ context.Context, name string) (sdklog.Exporter, error) {
			switch name {
			case "console":
				return console.NewLogExporter(os.Stdout), nil
			case consoleJSON:
				return stdoutlog.New()
			case "none":
				return noLogs{}, nil
			}
			return nil, unknownExporter("OTEL_LOGS_EXPORTER", name)
		})
}

func unknownExporter(key, name string) error {
	return fmt.Errorf("%s=%q is not an exporter setup knows: write otlp, console, console/json or none", key, name)
}

// noSpans and noLogs are the exporters "none" names.
type (
	noSpans struct{}
	noLogs  struct{}
)

func (noSpans) ExportSpans(context.Context, []sdktrace.ReadOnlySpan) error { return nil }
func (noSpans) Shutdown(context.Context) error                             { return nil }
func (noLogs) Export(context.Context, []sdklog.Record) error               { return nil }
func (noLogs) Shutdown(context.Context) error                              { return nil }
func (noLogs) ForceFlush(context.Context) error                            { return nil }

func otlpSpanExporter(ctx context.Context, t otlpTarget) (sdktrace.SpanExporter, error) {
	if t.protocol == "grpc" {
		return otlptracegrpc.New(ctx, optionIf(t.plainDefault, otlptracegrpc.WithInsecure())...)
	}
	return otlptracehttp.New(ctx, optionIf(t.plainDefault, otlptracehttp.WithInsecure())...)
}

func otlpLogExporter(ctx context.Context, t otlpTarget) (sdklog.Exporter, error) {
	if t.protocol == "grpc" {
		return otlploggrpc.New(ctx, optionIf(t.plainDefault, otlploggrpc.WithInsecure())...)
	}
	return otlploghttp.New(ctx, optionIf(t.plainDefault, otlploghttp.WithInsecure())...)
}

// optionIf returns o alone when on, else no options.
func optionIf[O any](on bool, o O) []O {
	if on {
		return []O{o}
	}
	return nil
}
