package setup

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"go.opentelemetry.io/contrib/otelconf"
	"go.opentelemetry.io/otel"
	"google.golang.org/grpc/status"
)

// With OTEL_CONFIG_FILE, otelconf builds the exporters and the processors
// around them, and offers no way to wrap an exporter: setup cannot watch
// each export as it does with the exporters it builds itself. What it can
// see is what the SDK does with a failed export: its span and log
// processors, batch and simple, hand the exporter's error to otel.Handle,
// and the log batch processor returns its last flush's from Shutdown.
// fileExports tells the export failures among those errors from the rest
// by the exporters the file configures, and counts and reports them as the
// reporter does for setup's own exporters, with hints that point into the
// file. The size of a failed export is not in its error: Items stays 0.

// exportTarget is an OTLP exporter the file configures.
type exportTarget struct {
	signal string
	grpc   bool
	// d counts its failed exports.
	d *delivery
	// endpoint is where it sends; match is how its errors show it: the
	// URL for OTLP/HTTP, host:port for gRPC.
	endpoint, match string
	// field is where the file sets it.
	field string
}

// fileExports are the OTLP exporters of a configuration file.
type fileExports struct {
	file    string
	r       *reporter
	targets []exportTarget
	// traces counts the failed span exports of no exporter in targets.
	traces exportTarget
	// grpcMetrics is true when a metric exporter speaks gRPC too: its
	// errors look like a gRPC log exporter's.
	grpcMetrics bool
}

// exportsOf returns the OTLP exporters f configures, their failed exports
// counted by r.
func exportsOf(f *fileConfig, r *reporter) *fileExports {
	x := &fileExports{file: f.path, r: r}
	x.traces = x.target(exportTarget{signal: signalTraces})
	if tp := f.model.TracerProvider; tp != nil {
		for i, p := range tp.Processors {
			field := fmt.Sprintf("tracer_provider.processors[%d]", i)
			switch {
			case p.Batch != nil:
				x.add(signalTraces, field+".batch.exporter", p.Batch.Exporter.OTLPHttp, p.Batch.Exporter.OTLPGrpc)
			case p.Simple != nil:
				x.add(signalTraces, field+".simple.exporter", p.Simple.Exporter.OTLPHttp, p.Simple.Exporter.OTLPGrpc)
			}
		}
	}
	if lp := f.model.LoggerProvider; lp != nil {
		first := 0
		if f.bridge {
			first = 1 // the bridge was taken out of the model
		}
		for i, p := range lp.Processors {
			field := fmt.Sprintf("logger_provider.processors[%d]", first+i)
			switch {
			case p.Batch != nil:
				x.add(signalLogs, field+".batch.exporter", p.Batch.Exporter.OTLPHttp, p.Batch.Exporter.OTLPGrpc)
			case p.Simple != nil:
				x.add(signalLogs, field+".simple.exporter", p.Simple.Exporter.OTLPHttp, p.Simple.Exporter.OTLPGrpc)
			}
		}
	}
	if mp := f.model.MeterProvider; mp != nil {
		for _, r := range mp.Readers {
			if r.Periodic != nil && r.Periodic.Exporter.OTLPGrpc != nil {
				x.grpcMetrics = true
			}
		}
	}
	return x
}

// target gives t its delivery, whose hints point into the file.
func (x *fileExports) target(t exportTarget) exportTarget {
	t.d = newDelivery(t.signal, t.endpoint, x.r)
	t.d.hint = func(kind, hint string) string { return x.hint(t, kind, hint) }
	return t
}

// add adds the OTLP exporter of a processor, if it has one. Its endpoint
// is set: the file's, or the default written by fileConfig.defaults.
func (x *fileExports) add(signal, field string, h *otelconf.OTLPHttpExporter, g *otelconf.OTLPGrpcExporter) {
	switch {
	case h != nil && h.Endpoint != nil:
		t := exportTarget{signal: signal, endpoint: *h.Endpoint, field: field + ".otlp_http.endpoint"}
		// otelconf keeps the exporter's own path when the URL has none.
		if u, err := url.Parse(t.endpoint); err == nil && u.Path == "" {
			t.endpoint = strings.TrimSuffix(t.endpoint, "/") + "/v1/" + signal
		}
		t.match = t.endpoint
		x.targets = append(x.targets, x.target(t))
	case g != nil && g.Endpoint != nil:
		t := exportTarget{signal: signal, grpc: true, endpoint: *g.Endpoint, match: *g.Endpoint, field: field + ".otlp_grpc.endpoint"}
		if u, err := url.Parse(t.endpoint); err == nil && u.Host != "" {
			t.match = u.Host
		}
		x.targets = append(x.targets, x.target(t))
	}
}

// failedBy returns the exporter whose failed export err is, if it is one.
// The OTLP trace exporters prefix every error with "traces export:"; the
// log exporters' errors over HTTP name the URL they sent to; over gRPC they
// are gRPC statuses, taken as the log exporter's when it is the only gRPC
// exporter they could come from.
func (x *fileExports) failedBy(err error) (exportTarget, bool) {
	msg := err.Error()
	signal := signalLogs
	if strings.HasPrefix(msg, "traces export: ") {
		signal = signalTraces
	}
	var same, grpc []exportTarget
	for _, t := range x.targets {
		if t.signal != signal {
			continue
		}
		if strings.Contains(msg, t.match) {
			return t, true
		}
		same = append(same, t)
		if t.grpc {
			grpc = append(grpc, t)
		}
	}
	if signal == signalTraces {
		if len(same) == 1 {
			return same[0], true
		}
		return x.traces, true
	}
	if _, isStatus := status.FromError(err); isStatus && len(grpc) == 1 && !x.grpcMetrics {
		return grpc[0], true
	}
	return exportTarget{}, false
}

// report counts err when it is a failed export, and reports it when it is
// the first of its kind or due a reminder.
func (x *fileExports) report(err error) bool {
	t, ok := x.failedBy(err)
	if !ok {
		return false
	}
	// Of unknown size, and answered as soon as it is known.
	x.r.begin(t.d)
	_ = x.r.answered(t.d, 0, err)
	return true
}

// handler is OpenTelemetry's error handler while the file's SDK runs.
func (x *fileExports) handler() otel.ErrorHandler {
	return otel.ErrorHandlerFunc(func(err error) {
		if err != nil && !x.report(err) {
			x.r.Handle(err)
		}
	})
}

// settle counts the failed exports among err, what a provider's Shutdown
// returned, and returns the other errors.
func (x *fileExports) settle(err error) error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		var keep []error
		for _, e := range j.Unwrap() {
			if e = x.settle(e); e != nil {
				keep = append(keep, e)
			}
		}
		return errors.Join(keep...)
	}
	if x.report(err) {
		return nil
	}
	return err
}

// hint says what to try for a failed export of kind, in the file's terms:
// the OTEL_* variables that explain names do not apply to it.
func (x *fileExports) hint(t exportTarget, kind, hint string) string {
	where := "the exporter's endpoint in " + x.file
	if t.field != "" {
		where = t.field + " in " + x.file
	}
	switch {
	case kind == "refused":
		return "Nothing listens there: start the receiver (Jaeger, the Collector), or set " + where + " to where it listens"
	case kind == "tls":
		return "The receiver speaks plain HTTP: write " + where + " as http://…"
	case kind == "not accepted" && t.signal == signalLogs:
		return "The backend does not accept logs (Jaeger, for one, stores traces only): in " + x.file +
			", give logger_provider a console exporter instead, or send logs to a backend that stores them"
	case kind == "not accepted":
		return "The backend does not accept traces there: check " + where +
			" (an otlp_http endpoint is used as given, /v1/traces included)"
	case kind == kindTimeout:
		return "The receiver did not answer in time: check that it is reachable and not overloaded " +
			"(the exporter's timeout and the batch processor's export_timeout in " + x.file +
			" set the limits; a shutdown's context bounds the final flush)"
	}
	return hint + " (the exporter is " + where + ")"
}
