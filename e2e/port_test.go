package e2e

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
)

// defaultPortFree returns nil when the OTLP/HTTP default port is free,
// and otherwise an error that says which tests need it and how to free
// it: most often the Jaeger container of the README's "Viewing in Jaeger"
// is still running.
func defaultPortFree() error {
	ln, err := net.Listen("tcp", defaultHTTPAddr)
	if err != nil {
		return fmt.Errorf("this test runs the examples on their default OTLP endpoint and needs %s free, "+
			"but something listens there (%w). If it is the Jaeger container from the README's "+
			"\"Viewing in Jaeger\", stop it: docker stop $(docker ps -q --filter ancestor=jaegertracing/all-in-one); "+
			"otherwise find what holds the port: ss -ltnp 'sport = :4318' (or lsof -i :4318)", defaultHTTPAddr, err)
	}
	return ln.Close()
}

func TestDefaultPortTakenNamesTheFix(t *testing.T) {
	// Take the port, unless something already holds it: either way, it is
	// taken while defaultPortFree looks.
	if ln, err := net.Listen("tcp", defaultHTTPAddr); err == nil {
		t.Cleanup(func() { _ = ln.Close() })
	}
	err := defaultPortFree()
	if err == nil {
		t.Fatal("no error while the port is taken")
	}
	for _, want := range []string{"localhost:4318", "Viewing in Jaeger", "docker stop", "jaegertracing/all-in-one", "ss -ltnp"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q:\n%v", want, err)
		}
	}
	var opErr *net.OpError
	if !errors.As(err, &opErr) {
		t.Errorf("the error does not wrap the listen error: %v", err)
	}
}
