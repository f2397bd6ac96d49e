// Package setup starts OpenTelemetry tracing and logging for a program that
// logs with log/slog, in one call, and returns the function that flushes
// and stops it all:
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
// to the LoggerProvider, and the global providers and propagators work as
// the environment says. Start installs no signal handler: a server calls
// shutdown after http.Server.Shutdown (see examples/httpserver).
//
// # The environment
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
// console is slogspan's span tree; console/json is the SDK's stdout
// exporter. Spans are exported 32 a batch ([DefaultSpanExportBatchSize]).
// A log record's values nest at most slogspan.MaxValueDepth maps and slices
// deep, unless [WithLoggerProviderOptions] sets another limit; with the
// span events bridge, what lies deeper is kept as text. A value setup
// cannot use (an endpoint without http:// or https://, a size or delay that
// is not a positive whole number) is an error from Start that names the
// variable, the value and the fix.
//
// # A configuration file
//
// When OTEL_CONFIG_FILE names a file (file_format "1.0", read through
// go.opentelemetry.io/contrib/otelconf), Start configures from it instead,
// and the OTEL_* variables apply only where the file refers to them, as
// ${NAME} or ${NAME:-default}. The event_to_span_event_bridge/development
// log record processor, first of logger_provider.processors, is
// spanevents' Processor. slogspan's settings win over [WithHandlerOptions]:
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
// A mistake in the file is a [ConfigError] with its line, and Start then
// changes nothing. The options that build what the file describes do not
// apply; [WithServiceName] gives service.name when neither the file nor
// OTEL_SERVICE_NAME does.
//
// # Failures are loud
//
// The first failed export of each kind is logged at WARN through the
// program's own handler, naming the signal, the endpoint and what to try; a
// WARN repeats the counts at most once a minute while failures go on, and
// an export with no answer for 5 seconds is reported too. shutdown returns
// an [ExportError] for each kind, with the spans or records lost, and
// reports the log lines that reached no span (Handler.MissingSpans in
// code). [WithErrorHandler] sends the reports elsewhere.
package setup
