module github.com/slogspan/slogspan/benchmarks

go 1.26.0

require (
	github.com/nil-go/sloth/otel v0.3.0
	github.com/remychantenay/slog-otel v1.3.4
	github.com/slogspan/slogspan v0.0.0
	github.com/uptrace/opentelemetry-go-extra/otelzap v0.2.4
	github.com/veqryn/slog-context v0.9.0
	github.com/veqryn/slog-context/otel v0.9.0
	go.opentelemetry.io/contrib/bridges/otelslog v0.21.0
	go.opentelemetry.io/otel v1.47.0
	go.opentelemetry.io/otel/sdk v1.47.0
	go.opentelemetry.io/otel/sdk/log v1.47.0
	go.opentelemetry.io/otel/trace v1.47.0
	go.uber.org/zap v1.28.0
)

require (
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/go-logr/logr v1.4.4 // indirect
	github.com/go-logr/stdr v1.2.2 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/uptrace/opentelemetry-go-extra/otelutil v0.2.4 // indirect
	go.opentelemetry.io/auto/sdk v1.2.1 // indirect
	go.opentelemetry.io/otel/log v1.47.0 // indirect
	go.opentelemetry.io/otel/metric v1.47.0 // indirect
	go.uber.org/multierr v1.11.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
)

replace github.com/slogspan/slogspan => ../
