package slogspan_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/slogspan/slogspan"
)

// The trust tests: what a library on every logging call must never do to
// its program (leak secrets, pin memory, crash, write invalid OTLP).

const secret = "hunter2"

// redactor is a ReplaceAttr function that redacts password attributes and
// errors, and remembers the groups it was called with.
type redactor struct {
	mu     sync.Mutex
	groups map[string][]string // key -> groups of the last call
	calls  map[string]int
}

func newRedactor() *redactor {
	return &redactor{groups: map[string][]string{}, calls: map[string]int{}}
}

func (r *redactor) replace(groups []string, a slog.Attr) slog.Attr {
	r.mu.Lock()
	r.groups[a.Key] = slices.Clone(groups)
	r.calls[a.Key]++
	r.mu.Unlock()
	if a.Key == "password" {
		return slog.String(a.Key, "REDACTED")
	}
	if a.Key == "drop-me" {
		return slog.Attr{}
	}
	if _, ok := a.Value.Any().(error); ok {
		return slog.Any(a.Key, errors.New("login failed (redacted)"))
	}
	return a
}

// secretValuer is a LogValuer whose value is the secret: ReplaceAttr sees
// it resolved.
type secretValuer struct{}

func (secretValuer) LogValue() slog.Value { return slog.StringValue(secret) }

func TestReplaceAttrRedactsEventsAndDivertedRecords(t *testing.T) {
	red := newRedactor()
	payloadOut := new(bytes.Buffer)
	payload := slog.NewJSONHandler(payloadOut, nil)
	for _, c := range []struct {
		name string
		opt  slogspan.Option
	}{
		{"LoggerProvider", nil},
		{"payload handler", slogspan.WithPayloadHandler(payload)},
	} {
		t.Run(c.name, func(t *testing.T) {
			opts := []slogspan.Option{slogspan.WithReplaceAttr(red.replace), slogspan.WithDivertAll(true)}
			if c.opt != nil {
				opts = append(opts, c.opt)
			}
			d := newDiverting(t, opts...)
			logger := d.log.With("password", secret, "service", "auth").WithGroup("req")
			logger.InfoContext(d.ctx, "login",
				"password", secret,
				slog.Group("creds", "password", secret, "token", secretValuer{}),
				"drop-me", secret,
				"err", fmt.Errorf("wrong password %s", secret))
			d.span.End()

			ev := onlyEvent(t, d.rec)
			for _, kv := range ev.Attributes {
				if strings.Contains(kv.Value.String(), secret) && kv.Key != "req.creds.token" {
					t.Errorf("event attribute %s = %q leaks the secret", kv.Key, kv.Value.String())
				}
			}
			m := attrMap(ev.Attributes)
			for _, k := range []string{"password", "req.password", "req.creds.password"} {
				if m[k].AsString() != "REDACTED" {
					t.Errorf("event %s = %q, want REDACTED", k, m[k].String())
				}
			}
			if _, ok := m["req.drop-me"]; ok {
				t.Error("an attribute whose key ReplaceAttr emptied is on the event")
			}
			if got := m[slogspan.ExceptionMessageKey].AsString(); got != "login failed (redacted)" {
				t.Errorf("exception.message = %q, want the replaced error's", got)
			}
			if g := red.groups["token"]; !slices.Equal(g, []string{"req", "creds"}) {
				t.Errorf("ReplaceAttr got groups %q for token, want [req creds]", g)
			}
			// The token was resolved before ReplaceAttr saw it, which let
			// it through: the function sees values, not LogValuers.
			if m["req.creds.token"].AsString() != secret {
				t.Errorf("token = %q: the LogValuer was not resolved", m["req.creds.token"].String())
			}

			var diverted string
			if c.opt == nil {
				recs := d.exp.Records()
				if len(recs) != 1 {
					t.Fatalf("diverted %d records, want 1", len(recs))
				}
				recs[0].WalkAttributes(func(kv attribute.KeyValue) bool {
					diverted += string(kv.Key) + "=" + kv.Value.String() + " "
					return true
				})
			} else {
				diverted = payloadOut.String()
			}
			if strings.Count(diverted, secret) != 1 || !strings.Contains(diverted, "REDACTED") {
				t.Errorf("diverted record, want the secret only in the unredacted token:\n%s", diverted)
			}
			if strings.Contains(diverted, "drop-me") || !strings.Contains(diverted, "login failed (redacted)") {
				t.Errorf("diverted record not replaced:\n%s", diverted)
			}
		})
	}
}

func TestReplaceAttrRunsOnceForWithAttributes(t *testing.T) {
	red := newRedactor()
	d := newDiverting(t, slogspan.WithReplaceAttr(red.replace), slogspan.WithDivertAll(true))
	logger := d.log.With("service", "auth")
	logger.InfoContext(d.ctx, "one")
	first := red.calls["service"]
	for range 5 {
		logger.InfoContext(d.ctx, "more")
	}
	if red.calls["service"] != first || first == 0 {
		t.Errorf("ReplaceAttr saw the With attribute %d times after one record and %d after six", first, red.calls["service"])
	}
}

func TestReplaceAttrThatPanicsDropsTheValueNotTheRecord(t *testing.T) {
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	logger := slog.New(slogspan.New(slog.NewJSONHandler(io.Discard, nil), slogspan.WithReplaceAttr(
		func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == "bad" {
				panic("replace failed")
			}
			return a
		})))
	logger.InfoContext(ctx, "still here", "bad", secret, "good", 1)
	span.End()
	m := attrMap(onlyEvent(t, rec).Attributes)
	if got := m["bad"].AsString(); got != "!PANIC in ReplaceAttr: replace failed" {
		t.Errorf("bad = %q", got)
	}
	if m["good"].AsInt64() != 1 {
		t.Errorf("good = %v", m["good"])
	}
}

// laterSpan is a trace.Span wrapper that applies AddEvent and
// SetAttributes when the span ends, as buffering wrappers do. The API
// allows it: nothing passed to a span may be reused after the call.
type laterSpan struct {
	trace.Span
	mu      sync.Mutex
	pending []func()
}

func (s *laterSpan) AddEvent(name string, opts ...trace.EventOption) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(s.pending, func() { s.Span.AddEvent(name, opts...) })
}

func (s *laterSpan) SetAttributes(kvs ...attribute.KeyValue) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(s.pending, func() { s.Span.SetAttributes(kvs...) })
}

func (s *laterSpan) End(opts ...trace.SpanEndOption) {
	s.mu.Lock()
	pending := s.pending
	s.mu.Unlock()
	for _, f := range pending {
		f()
	}
	s.Span.End(opts...)
}

func TestSpanWrapperThatAppliesCallsLater(t *testing.T) {
	tracer, rec := newTracer(t)
	ctx, inner := tracer.Start(context.Background(), "wrapped")
	span := &laterSpan{Span: inner}
	ctx = trace.ContextWithSpan(ctx, span)
	logger := slog.New(slogspan.New(slog.NewJSONHandler(io.Discard, nil)))

	const n = 20
	for i := range n {
		args := []any{"i", i, "name", fmt.Sprintf("record-%d", i)}
		if i%5 == 0 {
			args = append(args, "big", strings.Repeat("b", 2000))
		}
		logger.InfoContext(ctx, "record", args...)
	}
	span.End()

	events := onlySpan(t, rec).Events()
	if len(events) != n {
		t.Fatalf("events = %d, want %d", len(events), n)
	}
	for i, ev := range events {
		m := attrMap(ev.Attributes)
		if m["i"].AsInt64() != int64(i) || m["name"].AsString() != fmt.Sprintf("record-%d", i) {
			t.Errorf("event %d carries another record's attributes: %v", i, ev.Attributes)
		}
	}
	if v, _ := spanAttr(onlySpan(t, rec), slogspan.TruncatedValuesKey); v.AsInt64() != n/5 {
		t.Errorf("%s = %v, want %d", slogspan.TruncatedValuesKey, v.String(), n/5)
	}
}

func TestEventKeysAreUnique(t *testing.T) {
	d := newDiverting(t)
	d.log.With("a", 0).InfoContext(d.ctx, "dup",
		"a", 1, "b", true, "a", 2,
		"level", "FAKE",
		"log.record.uid", "01FORGEDFORGEDFORGEDFORGED",
		"exception.type", "forged",
		"err", errors.New("real"))
	d.span.End()

	ev := onlyEvent(t, d.rec)
	seen := map[attribute.Key]int{}
	for _, kv := range ev.Attributes {
		seen[kv.Key]++
		if seen[kv.Key] > 1 {
			t.Errorf("key %q appears twice: %v", kv.Key, ev.Attributes)
		}
	}
	m := attrMap(ev.Attributes)
	if m["a"].AsInt64() != 2 || !m["b"].AsBool() {
		t.Errorf("a = %v, b = %v; want the last a, 2, and b", m["a"].String(), m["b"].String())
	}
	if m[slogspan.LevelKey].AsString() != "INFO" {
		t.Errorf("level = %q, want slogspan's", m[slogspan.LevelKey].String())
	}
	if m[slogspan.ExceptionTypeKey].AsString() != "*errors.errorString" {
		t.Errorf("exception.type = %q, want slogspan's", m[slogspan.ExceptionTypeKey].String())
	}
	// What was left out made the record go to the LoggerProvider whole,
	// and the uid on the event is the real link to it.
	recs := d.exp.Records()
	if len(recs) != 1 {
		t.Fatalf("diverted %d records, want 1", len(recs))
	}
	uid := m[slogspan.UIDKey].AsString()
	if uid == "01FORGEDFORGEDFORGEDFORGED" || logAttrs(recs[0])[slogspan.UIDKey].(attribute.Value).AsString() != uid {
		t.Errorf("event uid %q does not link to the diverted record %v", uid, logAttrs(recs[0])[slogspan.UIDKey])
	}
}

func TestKeysThatHashAlikeAreBothKept(t *testing.T) {
	// Same length, first, middle and last bytes: the quick filter cannot
	// tell them apart, and the exact check must keep both.
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	l := slog.New(slogspan.New(slog.NewJSONHandler(io.Discard, nil)))
	l.InfoContext(ctx, "m", "aXbYd", 1, "aZbWd", 2, "k", 3, "k", 4)
	span.End()

	m := attrMap(onlyEvent(t, rec).Attributes)
	if m["aXbYd"].AsInt64() != 1 || m["aZbWd"].AsInt64() != 2 {
		t.Errorf("attributes = %v, want aXbYd=1 and aZbWd=2", m)
	}
	if m["k"].AsInt64() != 4 {
		t.Errorf("k = %v, want the last one, 4", m["k"].String())
	}
	// The first k was left off: the event links to the whole record,
	// on next's line.
	if n := len(onlyEvent(t, rec).Attributes); n != 5 || m[slogspan.UIDKey].AsString() == "" {
		t.Errorf("got %d attributes, want level, aXbYd, aZbWd, k and log.record.uid", n)
	}
}

func TestOwnKeysAreLeftOffOnlyWhenSlogspanAddsThem(t *testing.T) {
	// exception.* and code.* belong to slogspan only when it adds them:
	// with WithSource a user's code.* is left off (and the record linked);
	// without an error, a user's exception.type is the user's.
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	l := slog.New(slogspan.New(slog.NewJSONHandler(io.Discard, nil), slogspan.WithSource(true)))
	l.InfoContext(ctx, "source", slogspan.CodeLineNumberKey, -1)
	slog.New(slogspan.New(slog.NewJSONHandler(io.Discard, nil))).InfoContext(ctx, "no error", slogspan.ExceptionTypeKey, "mine")
	span.End()
	ev := onlySpan(t, rec).Events()
	m := attrMap(ev[0].Attributes)
	if m[slogspan.CodeLineNumberKey].AsInt64() <= 0 || m[slogspan.UIDKey].AsString() == "" {
		t.Errorf("with WithSource: %v, want slogspan's code.line.number and a link", ev[0].Attributes)
	}
	m = attrMap(ev[1].Attributes)
	if m[slogspan.ExceptionTypeKey].AsString() != "mine" || m[slogspan.UIDKey].AsString() != "" {
		t.Errorf("without an error: %v, want the user's exception.type, nothing cut", ev[1].Attributes)
	}
}

func TestNextsReplaceAttrDoesNotRedactEvents(t *testing.T) {
	// The wrapped handler's ReplaceAttr redacts what it writes, and
	// nothing else: without WithReplaceAttr the span gets the secret.
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	red := newRedactor()
	buf := new(bytes.Buffer)
	next := slog.NewJSONHandler(buf, &slog.HandlerOptions{ReplaceAttr: red.replace})
	slog.New(slogspan.New(next)).InfoContext(ctx, "login", "password", secret)
	span.End()
	if strings.Contains(buf.String(), secret) {
		t.Errorf("next wrote the secret: %s", buf)
	}
	if got := attrMap(onlyEvent(t, rec).Attributes)["password"].AsString(); got != secret {
		t.Errorf("event password = %q: slogspan sees the record before next's ReplaceAttr", got)
	}
}

func TestReplaceAttrIsNotCalledForSlogspansAttributes(t *testing.T) {
	// Not for level, log.record.uid, exception.* and code.*, nor for the
	// members of a group it returned; an error it replaces by a string
	// adds no exception.*.
	tracer, rec := newTracer(t)
	ctx, span := tracer.Start(context.Background(), "op")
	red := newRedactor()
	replace := func(groups []string, a slog.Attr) slog.Attr {
		a = red.replace(groups, a)
		switch a.Key {
		case "err":
			return slog.String(a.Key, "an error, as text")
		case "expand":
			return slog.Group("expanded", "inner", 1)
		}
		return a
	}
	l := slog.New(slogspan.New(slog.NewJSONHandler(io.Discard, nil), slogspan.WithSource(true),
		slogspan.WithReplaceAttr(replace), slogspan.WithLimits(slogspan.Limits{MaxValueBytes: 24})))
	l.InfoContext(ctx, "m", "err", errors.New("boom"), "expand", 0, "big", strings.Repeat("b", 100))
	span.End()
	for _, k := range []string{slogspan.LevelKey, slogspan.UIDKey, slogspan.ExceptionTypeKey, slogspan.ExceptionMessageKey,
		slogspan.CodeFilePathKey, slogspan.CodeLineNumberKey, slogspan.CodeFunctionNameKey, "inner", "expanded"} {
		if n := red.calls[k]; n != 0 {
			t.Errorf("ReplaceAttr was called %d times for %s", n, k)
		}
	}
	m := attrMap(onlyEvent(t, rec).Attributes)
	if _, ok := m[slogspan.ExceptionTypeKey]; ok || m["err"].AsString() != "an error, as text" {
		t.Errorf("event %v, want err as text and no exception.*", m)
	}
	if m["expanded.inner"].AsInt64() != 1 || m[slogspan.UIDKey].AsString() == "" {
		t.Errorf("event %v, want the returned group's member and a link for the cut value", m)
	}
}
