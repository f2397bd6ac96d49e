package slogspan

import (
	"bytes"
	"context"
	"io"
	"log"
	"log/slog"
	"math"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Wrapping slog's default handler needs care. That handler writes through
// the log package, and slog.SetDefault points the log package back at the
// new default handler: a wrapper around the default handler would call
// itself through log's lock and deadlock. stdlogHandler writes the default
// handler's format to the writer the log package had when New was called,
// and so breaks the cycle.

// isSlogDefaultHandler reports whether h is slog's built-in default handler.
func isSlogDefaultHandler(h slog.Handler) bool {
	return reflect.TypeOf(h).String() == "*slog.defaultHandler"
}

// stdlogHandler formats records as slog's default handler does
// ("2026/11/24 10:00:00 INFO hello k=1") and writes them to a fixed writer.
// Attributes are formatted by a TextHandler, which shares the default
// handler's attribute format.
type stdlogHandler struct {
	out   *stdlogOutput
	text  slog.Handler // writes into out.buf
	level slog.Handler // the default handler, asked for Enabled
}

// stdlogOutput is shared by a stdlogHandler and the handlers derived from
// it. mu serializes formatting into buf and writing to w.
type stdlogOutput struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	line   []byte
	w      io.Writer
	prefix string
	flags  int
}

func newStdlogHandler(def slog.Handler) *stdlogHandler {
	out := &stdlogOutput{w: log.Writer(), prefix: log.Prefix(), flags: log.Flags()}
	text := slog.NewTextHandler(&out.buf, &slog.HandlerOptions{Level: slog.Level(math.MinInt)})
	return &stdlogHandler{out: out, text: text, level: def}
}

// Enabled follows slog.SetLogLoggerLevel, as the default handler does.
func (h *stdlogHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.level.Enabled(ctx, l)
}

func (h *stdlogHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &stdlogHandler{out: h.out, text: h.text.WithAttrs(as), level: h.level}
}

func (h *stdlogHandler) WithGroup(name string) slog.Handler {
	return &stdlogHandler{out: h.out, text: h.text.WithGroup(name), level: h.level}
}

// textLead is what the TextHandler writes before the attributes of a
// record with a zero time and an empty message: `level=INFO msg=""`.
func textLead(l slog.Level) int { return len(`level=`) + len(l.String()) + len(` msg=""`) }

func (h *stdlogHandler) Handle(ctx context.Context, r slog.Record) error {
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	bare := slog.NewRecord(time.Time{}, r.Level, "", 0)
	r.Attrs(func(a slog.Attr) bool {
		bare.AddAttrs(a)
		return true
	})

	o := h.out
	o.mu.Lock()
	defer o.mu.Unlock()
	o.buf.Reset()
	if err := h.text.Handle(ctx, bare); err != nil {
		return err
	}
	attrs := bytes.TrimSuffix(o.buf.Bytes()[textLead(r.Level):], []byte{'\n'})

	line := o.header(o.line[:0], t, r.PC)
	line = append(line, r.Level.String()...)
	line = append(line, ' ')
	line = append(line, r.Message...)
	line = append(line, attrs...)
	line = append(line, '\n')
	o.line = line
	_, err := o.w.Write(line)
	return err
}

// header appends what the log package writes before a message, following
// its flags and prefix.
func (o *stdlogOutput) header(b []byte, t time.Time, pc uintptr) []byte {
	if o.flags&log.Lmsgprefix == 0 {
		b = append(b, o.prefix...)
	}
	if o.flags&(log.Ldate|log.Ltime|log.Lmicroseconds) != 0 {
		if o.flags&log.LUTC != 0 {
			t = t.UTC()
		}
		if o.flags&log.Ldate != 0 {
			b = t.AppendFormat(b, "2006/01/02 ")
		}
		if o.flags&log.Lmicroseconds != 0 {
			b = t.AppendFormat(b, "15:04:05.000000 ")
		} else if o.flags&log.Ltime != 0 {
			b = t.AppendFormat(b, "15:04:05 ")
		}
	}
	if o.flags&(log.Lshortfile|log.Llongfile) != 0 {
		file, line := "???", 0
		if pc != 0 {
			f, _ := runtime.CallersFrames([]uintptr{pc}).Next()
			file, line = f.File, f.Line
		}
		if o.flags&log.Lshortfile != 0 {
			if i := strings.LastIndexByte(file, '/'); i >= 0 {
				file = file[i+1:]
			}
		}
		b = append(b, file...)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(line), 10)
		b = append(b, ": "...)
	}
	if o.flags&log.Lmsgprefix != 0 {
		b = append(b, o.prefix...)
	}
	return b
}
