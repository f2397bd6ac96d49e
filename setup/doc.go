// Package setup starts OpenTelemetry tracing and logging for a program that
// logs with log/slog, in one call, and returns the one function that
// flushes and stops it all:
//
//	shutdown, err := setup.Start(ctx, setup.WithServiceName("shop"))
//	if err != nil {
//		log.Fatal(err) // nothing was started
//	}
//	defer func() {
//		if err := shutdown(context.Background()); err != nil {
//			log.Print(err) // what was not delivered, and why
//		}
//	}()
//
// After Start, every slog call made with a context records an event on the
// span in it (see package slogspan), a record with a cut value goes whole
// to the LoggerProvider, and the global TracerProvider, LoggerProvider and
// propagators export and propagate as the environment says. A server calls
// shutdown after http.Server.Shutdown, once SIGINT or SIGTERM ended its
// context (see examples/httpserver): Start installs no signal handler, and
// a program that dies on a signal, or exits through os.Exit or log.Fatal,
// skips deferred calls and loses what the batch processors held.
//
// # The environment
//
// The standard OTEL_* variables choose the exporters and their settings:
//
//	OTEL_TRACES_EXPORTER, OTEL_LOGS_EXPORTER   otlp (default) | console | console/json | none
//	OTEL_EXPORTER_OTLP_ENDPOINT                default http://localhost:4318 (grpc: :4317)
//	OTEL_EXPORTER_OTLP_PROTOCOL                http/protobuf (default) | grpc
//	OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, …      per signal, used as given
//	OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES
//	OTEL_BSP_*, OTEL_BLRP_*                    batch delays, timeouts and sizes
//	OTEL_TRACES_SAMPLER, OTEL_PROPAGATORS
//	OTEL_SPAN_EVENT_COUNT_LIMIT, …             raised to make room for slogspan's budget
//	OTEL_SDK_DISABLED=true                     Start changes nothing
//
// console is slogspan's console view (the span tree, a line for each log
// record); console/json is the SDK's stdout exporter, one JSON object a
// span or record. Unset, the exporter given to [WithFallbackSpanExporter]
// or [WithFallbackLogExporter] is used, and OTLP when there is none. OTLP
// goes to plain http://localhost unless an endpoint says otherwise, as the
// specification says and local receivers (Jaeger, the Collector) serve.
// Spans are exported 32 a batch ([DefaultSpanExportBatchSize]). A value
// setup cannot use (an endpoint without http:// or https://, a size or
// delay that is not a positive whole number) is an error from Start that
// names the variable, the value and the fix. A log record's attribute
// values nest at most slogspan.MaxValueDepth maps and slices deep, with a
// configuration file too, unless [WithLoggerProviderOptions] sets another
// limit.
//
// # A configuration file
//
// When OTEL_CONFIG_FILE names a file, Start configures from it instead, as
// OpenTelemetry's declarative configuration specifies (file_format "1.0",
// read through go.opentelemetry.io/contrib/otelconf), and the OTEL_*
// variables apply only where the file refers to them, as ${NAME} or
// ${NAME:-default}. The schema's event_to_span_event_bridge/development
// log record processor, first of logger_provider.processors, is
// spanevents' Processor. slogspan's own settings sit where the schema keeps
// each Go library's, and win over [WithHandlerOptions]:
//
//	instrumentation/development:
//	  go:
//	    slogspan:
//	      event_level: debug        # slogspan.WithEventLevel: debug, info+2, …
//	      error_status_level: error # slogspan.WithErrorStatusLevel
//	      source: false             # slogspan.WithSource
//	      divert_all: false         # slogspan.WithDivertAll
//	      limits:                   # slogspan.WithLimits; each field may be left out
//	        max_value_bytes: 1024
//	        max_event_attrs: 32
//	        max_event_bytes: 8192
//	        max_span_events: 100
//	        max_span_bytes: 65536
//	      bridge:                   # none: the specification's bridge
//	        limits: {}              # spanevents.WithLimits, the same fields
//	        all_records: true       # spanevents.WithAllRecords
//	        error_status_level: error # spanevents.WithErrorStatusLevel, as a slog level
//
// A mistake in the file is a [ConfigError], and Start then changes
// nothing: a key the Go SDK does not know with its line, field and a
// did-you-mean; what yaml and otelconf refuse, in their words. The options that build what the file
// describes (exporters, batch processors, span limits, the resource, the
// bridge) do not apply; [WithServiceName] gives service.name when neither
// the file nor OTEL_SERVICE_NAME does. examples/config/otel.yaml is a
// commented file for Jaeger.
//
// # Failures are loud
//
// The first failed export of each kind (nothing listening, plain HTTP
// spoken to https, a backend that does not accept logs, a time-out, …) is
// logged at WARN through the program's own handler, naming the signal, the
// endpoint and what to try; while failures of that kind go on, a WARN
// repeats the counts at most once a minute, and an export with no answer
// for 5 seconds is reported too. shutdown returns an [ExportError] for each
// kind, with the spans or records lost. Other errors of the SDK are logged
// once each. With a configuration file, whose exporters otelconf builds,
// export failures are among these, and shutdown returns each with how many
// times it came. [WithErrorHandler] sends all of it elsewhere.
//
// # Log lines that reached no span
//
// shutdown also reports, once, the log lines that reached no span, by call
// site and reason: the console view prints the report after the last
// trace; otherwise it is one WARN line a call site (INFO for unsampled
// spans) through the program's handler. Providers.Handler.MissingSpans
// reads it in code.
package setup
