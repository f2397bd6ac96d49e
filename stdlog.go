package slogspan

import (
	"bytes"
	"context"
	"io"
	"log"
	"log/slog"
	"math"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// isSlogDefaultHandler reports whether h is slog's built-in default handler.
func isSlogDefaultHandler(h slog.Handler) bool {
	return reflect.TypeOf(h).String() == "*slog.defaultHandler"
}

// isSlogBridge reports whether w is the writer slog.SetDefault gives the
// log package, which passes each line back to slog.
func isSlogBridge(w io.Writer) bool {
	return reflect.TypeOf(w).String() == "*slog.handlerWriter"
}

// inLogOutput reports whether the caller is inside log.(*Logger).output,
// which holds the lock log.Writer takes.
func inLogOutput() bool {
	var pcs [16]uintptr
	for _, pc := range pcs[:runtime.Callers(3, pcs[:])] {
		// pc-1 is in the call; output's call to the writer is not inlined.
		if f := runtime.FuncForPC(pc - 1); f != nil && f.Name() == "log.(*Logger).output" {
			return true
		}
	}
	return false
}

// stdlogHandler writes records as slog's default handler, where log writes.
type stdlogHandler struct {
	out   *stdlogOutput
	text  slog.Handler // writes into out.buf
	level slog.Handler // the default handler, asked for Enabled
}

// stdlogOutput is shared by a stdlogHandler and its derived handlers.
type stdlogOutput struct {
	mu   sync.Mutex
	buf  bytes.Buffer
	line []byte
	last io.Writer // where the previous line went

	// The log package's writer and flags at New, for while slog.SetDefault
	// has replaced them.
	w     io.Writer
	flags int
}

func newStdlogHandler(def slog.Handler) *stdlogHandler {
	w := log.Writer()
	if isSlogBridge(w) {
		w = os.Stderr // the log package's default
	}
	out := &stdlogOutput{w: w, last: w, flags: log.Flags()}
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

// textLead is the length of `level=INFO msg=""`, what the TextHandler
// writes before the attributes of a record with no time or message.
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

	// Before o.mu: log.Print holds log's lock while it waits for o.mu.
	var w io.Writer
	if !inLogOutput() {
		w = log.Writer()
	}
	prefix, flags := log.Prefix(), log.Flags()

	o := h.out
	o.mu.Lock()
	defer o.mu.Unlock()
	switch {
	case w == nil:
		w = o.last
	case isSlogBridge(w):
		w = o.w
	}
	o.last = w
	if flags == 0 && !isSlogDefaultHandler(slog.Default().Handler()) {
		flags = o.flags // cleared by slog.SetDefault
	}
	o.buf.Reset()
	if err := h.text.Handle(ctx, bare); err != nil {
		return err
	}
	attrs := bytes.TrimSuffix(o.buf.Bytes()[textLead(r.Level):], []byte{'\n'})

	line := appendHeader(o.line[:0], prefix, flags, t, r.PC)
	line = append(line, r.Level.String()...)
	line = append(line, ' ')
	line = append(line, r.Message...)
	line = append(line, attrs...)
	line = append(line, '\n')
	o.line = line
	_, err := w.Write(line)
	return err
}

// appendHeader appends what the log package writes before a message.
func appendHeader(b []byte, prefix string, flags int, t time.Time, pc uintptr) []byte {
	if flags&log.Lmsgprefix == 0 {
		b = append(b, prefix...)
	}
	if flags&(log.Ldate|log.Ltime|log.Lmicroseconds) != 0 {
		if flags&log.LUTC != 0 {
			t = t.UTC()
		}
		if flags&log.Ldate != 0 {
			b = t.AppendFormat(b, "2006/01/02 ")
		}
		if flags&log.Lmicroseconds != 0 {
			b = t.AppendFormat(b, "15:04:05.000000 ")
		} else if flags&log.Ltime != 0 {
			b = t.AppendFormat(b, "15:04:05 ")
		}
	}
	if flags&(log.Lshortfile|log.Llongfile) != 0 {
		file, line := "???", 0
		if pc != 0 {
			f, _ := runtime.CallersFrames([]uintptr{pc}).Next()
			file, line = f.File, f.Line
		}
		if flags&log.Lshortfile != 0 {
			if i := strings.LastIndexByte(file, '/'); i >= 0 {
				file = file[i+1:]
			}
		}
		b = append(b, file...)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(line), 10)
		b = append(b, ": "...)
	}
	if flags&log.Lmsgprefix != 0 {
		b = append(b, prefix...)
	}
	return b
}
