package spanevents_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/log"

	"github.com/slogspan/slogspan"
	"github.com/slogspan/slogspan/spanevents"
)

// All-records mode: log lines, shaped as slogspan.Handler's events.

// emitLine emits a log line (no event name) at sev with text as its
// severity text.
func emitLine(ctx context.Context, l log.Logger, sev log.Severity, text, body string, attrs ...attribute.KeyValue) {
	var r log.Record
	r.SetSeverity(sev)
	r.SetSeverityText(text)
	r.SetBody(attribute.StringValue(body))
	r.AddAttributes(attrs...)
	l.Emit(ctx, r)
}

func TestLinesLevelIsNamedAsSlogNamesLevels(t *testing.T) {
	noErrors(t)
	invalid := strings.Repeat("\xff", 3005)
	for _, c := range []struct {
		sev  log.Severity
		text string
		want string
	}{
		{log.SeverityDebug, "debug", "DEBUG"},
		{log.SeverityInfo, "info", "INFO"},
		{log.SeverityWarn, "warn", "WARN"},
		{log.SeverityError, "error", "ERROR"},
		{log.SeverityError2, "dpanic", "ERROR+1"},
		{log.SeverityError3, "", "ERROR+2"},
		{log.SeverityFatal, "fatal", "ERROR+4"},
		{log.SeverityTrace, "trace", "DEBUG-4"},
		{log.SeverityInfo2, "", "INFO+1"},
		{log.SeverityInfo, invalid, "INFO"},
		{log.SeverityUndefined, "notice", "notice"},
		// Below DEBUG-5, otelslog's severity is negative: still a level.
		{log.Severity(-5), "debug ten", "DEBUG-10"},
		{log.Severity(-1), "", "DEBUG-6"},
		{log.SeverityUndefined, "", "UNDEFINED"},
	} {
		p := newPipeline(t, spanevents.NewProcessor(spanevents.WithAllRecords(true)), pipelineConfig{})
		ctx, span := p.tracer.Start(context.Background(), "op")
		emitLine(ctx, p.logger, c.sev, c.text, "line")
		span.End()
		ev := p.only(t).Events()[0]
		if kv := ev.Attributes[0]; kv.Key != slogspan.LevelKey || kv.Value.AsString() != c.want {
			t.Errorf("severity %d (%.10q): leads with %s=%q, want level=%q", c.sev, c.text, kv.Key, kv.Value.AsString(), c.want)
		}
	}
	// A negative severity is a level, never its text cut.
	lim := spanevents.WithLimits(slogspan.Limits{MaxValueBytes: 2})
	p := newPipeline(t, spanevents.NewProcessor(spanevents.WithAllRecords(true), lim), pipelineConfig{})
	ctx, span := p.tracer.Start(context.Background(), "op")
	emitLine(ctx, p.logger, log.Severity(-5), "DEBUG-10", "line")
	span.End()
	if level := p.only(t).Events()[0].Attributes[0].Value.AsString(); level != "DEBUG-10" {
		t.Errorf("level %q under MaxValueBytes 2, want DEBUG-10", level)
	}
	// With no severity number, the text stands in: cut and made valid.
	p = newPipeline(t, spanevents.NewProcessor(spanevents.WithAllRecords(true)), pipelineConfig{})
	ctx, span = p.tracer.Start(context.Background(), "op")
	emitLine(ctx, p.logger, log.SeverityUndefined, invalid, "line")
	span.End()
	ev := p.only(t).Events()[0]
	level := ev.Attributes[0].Value.AsString()
	if !utf8.ValidString(level) || len(level) > slogspan.DefaultMaxValueBytes || !strings.HasPrefix(level, "\uFFFD") {
		t.Errorf("level from invalid severity text: %d bytes, valid %v", len(level), utf8.ValidString(level))
	}
	if attrMap(ev.Attributes)[slogspan.UIDKey].AsString() == "" {
		t.Error("the cut level is not linked to its record")
	}
}

func TestLinesSetTheSpanStatusAtTheErrorLevel(t *testing.T) {
	noErrors(t)
	for _, c := range []struct {
		name string
		opts []spanevents.Option
		sev  log.Severity
		want codes.Code
	}{
		{"INFO, default", nil, log.SeverityInfo, codes.Unset},
		{"WARN, default", nil, log.SeverityWarn4, codes.Unset},
		{"ERROR, default", nil, log.SeverityError, codes.Error},
		{"FATAL, default", nil, log.SeverityFatal3, codes.Error},
		{"undefined, default", nil, log.SeverityUndefined, codes.Unset},
		{"WARN, at WARN", []spanevents.Option{spanevents.WithErrorStatusLevel(log.SeverityWarn)}, log.SeverityWarn, codes.Error},
		{"INFO, at WARN", []spanevents.Option{spanevents.WithErrorStatusLevel(log.SeverityWarn)}, log.SeverityInfo, codes.Unset},
		{"ERROR, undefined level is the default", []spanevents.Option{spanevents.WithErrorStatusLevel(log.SeverityUndefined)}, log.SeverityError, codes.Error},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := newPipeline(t, spanevents.NewProcessor(append(c.opts, spanevents.WithAllRecords(true))...), pipelineConfig{})
			ctx, span := p.tracer.Start(context.Background(), "op")
			emitLine(ctx, p.logger, c.sev, "", "file rejected")
			span.End()
			st := p.only(t).Status()
			if st.Code != c.want || (c.want == codes.Error && st.Description != "file rejected") {
				t.Errorf("status %v %q, want %v with the body", st.Code, st.Description, c.want)
			}
		})
	}
	// Events with a name leave the status, in either mode, and so do
	// lines in the specification mode, which does not bridge them.
	for _, p := range []*spanevents.Processor{
		spanevents.NewProcessor(spanevents.WithAllRecords(true)),
		spanevents.NewProcessor(),
	} {
		pl := newPipeline(t, p, pipelineConfig{})
		ctx, span := pl.tracer.Start(context.Background(), "op")
		var r log.Record
		r.SetEventName("exception")
		r.SetSeverity(log.SeverityFatal)
		pl.logger.Emit(ctx, r)
		if p.Limits() == (slogspan.Limits{}) {
			emitLine(ctx, pl.logger, log.SeverityError, "", "not bridged in the specification mode")
		}
		span.End()
		if s := pl.only(t); len(s.Events()) != 1 || s.Status().Code != codes.Unset {
			t.Errorf("%d events, status %v; want the event and no status", len(s.Events()), s.Status())
		}
	}
	// The description is cut and made valid, as an event name is.
	p := newPipeline(t, spanevents.NewProcessor(spanevents.WithAllRecords(true)), pipelineConfig{})
	ctx, span := p.tracer.Start(context.Background(), "op")
	emitLine(ctx, p.logger, log.SeverityError, "", strings.Repeat("\xffe", 2000))
	span.End()
	if d := p.only(t).Status().Description; len(d) > slogspan.DefaultMaxValueBytes || !utf8.ValidString(d) {
		t.Errorf("description of %d bytes, valid %v", len(d), utf8.ValidString(d))
	}
}

// A record's own log.record.uid is its link: kept on the event and on
// the record, never replaced, whether the event was cut or not.
func TestLinesKeepTheRecordsOwnUID(t *testing.T) {
	noErrors(t)
	p := newPipeline(t, spanevents.NewProcessor(spanevents.WithAllRecords(true), spanevents.WithLimits(slogspan.Limits{MaxSpanEvents: 2})), pipelineConfig{})
	ctx, span := p.tracer.Start(context.Background(), "op")
	own := attribute.String(slogspan.UIDKey, "user-uid")
	emitLine(ctx, p.logger, log.SeverityInfo, "", "small", own)
	emitLine(ctx, p.logger, log.SeverityInfo, "", "big", own, attribute.String("body", strings.Repeat("b", 5000)))
	emitLine(ctx, p.logger, log.SeverityInfo, "", "left off", own)
	emitLine(ctx, p.logger, log.SeverityInfo, "", "plain")
	span.End()

	events := p.only(t).Events()
	if len(events) != 2 {
		t.Fatalf("%d events, want 2", len(events))
	}
	for _, ev := range events {
		if uid := attrMap(ev.Attributes)[slogspan.UIDKey].AsString(); uid != "user-uid" {
			t.Errorf("event %q has uid %q, want the record's own", ev.Name, uid)
		}
	}
	if n := len(events[1].Attributes); events[1].Attributes[n-1].Key != slogspan.UIDKey {
		t.Errorf("the uid is not in the tail: %v", events[1].Attributes)
	}
	recs := p.exported.Records()
	for i, r := range recs[:3] {
		uids := 0
		for _, kv := range recordAttrs(r) {
			if kv.Key == slogspan.UIDKey {
				uids++
				if kv.Value.AsString() != "user-uid" {
					t.Errorf("record %d uid %q, want its own", i, kv.Value.AsString())
				}
			}
		}
		if uids != 1 {
			t.Errorf("record %d has %d uids", i, uids)
		}
	}
	if uid := recordAttrMap(recs[3])[slogspan.UIDKey].AsString(); len(uid) != 26 {
		t.Errorf("the record left off with no uid of its own has uid %q, want a new one", uid)
	}
}

func TestLinesAreNamedByTheirBody(t *testing.T) {
	// A string body names the line's event; an empty or non-string body
	// gives "log", as an empty message does on the Handler's events.
	noErrors(t)
	p := newPipeline(t, spanevents.NewProcessor(spanevents.WithAllRecords(true)), pipelineConfig{})
	ctx, span := p.tracer.Start(context.Background(), "op")
	for _, body := range []attribute.Value{attribute.StringValue("order placed"), attribute.StringValue(""), attribute.IntValue(5)} {
		var r log.Record
		r.SetSeverity(log.SeverityInfo)
		r.SetBody(body)
		p.logger.Emit(ctx, r)
	}
	span.End()
	var names []string
	for _, ev := range p.only(t).Events() {
		names = append(names, ev.Name)
	}
	if want := []string{"order placed", "log", "log"}; fmt.Sprint(names) != fmt.Sprint(want) {
		t.Errorf("names %q, want %q", names, want)
	}
}

func TestLinesConvertAndOrderAsTheHandlerDoes(t *testing.T) {
	// Level first; the attributes as the Handler converts slog values
	// (bytes as text, slices of values and maps within them as their
	// text, an empty value as "<nil>", maps as dotted keys, sorted as the
	// SDK keeps them); then log.record.uid, exception.* and code.*, in
	// the Handler's order, wherever the record had them.
	noErrors(t)
	p := newPipeline(t, spanevents.NewProcessor(spanevents.WithAllRecords(true)), pipelineConfig{})
	ctx, span := p.tracer.Start(context.Background(), "op")
	emitLine(ctx, p.logger, log.SeverityInfo, "", "line",
		attribute.String("code.file.path", "f.go"), attribute.String("exception.type", "T"),
		attribute.ByteSlice("bytes", []byte("ab")),
		attribute.Slice("mixed", attribute.IntValue(1), attribute.MapValue(attribute.Int("k", 2))),
		attribute.KeyValue{Key: "empty"}, attribute.Map("g", attribute.Int("z", 1), attribute.Int("a", 2)),
		attribute.String("exception.message", "M"), attribute.String("big", strings.Repeat("b", 2000)))
	span.End()
	ev := p.only(t).Events()[0]
	var got []string
	for _, kv := range ev.Attributes {
		v := kv.Value.String()
		if kv.Key == slogspan.UIDKey {
			v = "uid"
		}
		got = append(got, string(kv.Key)+"="+kv.Value.Type().String()+":"+v[:min(len(v), 12)])
	}
	want := []string{"level=STRING:INFO", "bytes=STRING:ab", `mixed=STRING:[1,{"k":2}]`, "empty=STRING:<nil>",
		"g.a=INT64:2", "g.z=INT64:1", "big=STRING:bbbbbbbbbbbb", "log.record.uid=STRING:uid",
		"exception.type=STRING:T", "exception.message=STRING:M", "code.file.path=STRING:f.go"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("attributes\n%q\nwant\n%q", got, want)
	}
}
