// LLM: a retrieval-augmented generation pipeline (chunk, embed, retrieve,
// generate) with fake in-process stages. It logs whole prompts and
// completions, as LLM applications do; the spans get readable previews and
// the full text goes to the log exporter, linked by log.record.uid.
//
//	go run ./examples/llm
//
// With no OTEL_* variables set, traces print to the terminal and the
// diverted records are written, whole, to a JSON-lines file whose path is
// printed at the end.
package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutlog"

	"github.com/slogspan/slogspan/console"
	"github.com/slogspan/slogspan/setup"
)

var tracer = otel.Tracer("llm")

func main() {
	ctx := context.Background()
	payloads := filepath.Join(os.TempDir(), "slogspan-llm-payloads.jsonl")
	f, err := os.Create(payloads)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer f.Close()
	logExp, err := stdoutlog.New(stdoutlog.WithWriter(f))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	shutdown, err := setup.Start(ctx,
		setup.WithServiceName("llm"),
		setup.WithFallbackSpanExporter(console.New(os.Stdout)),
		setup.WithFallbackLogExporter(logExp),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, err) // it names setup and the fix
		os.Exit(1)
	}

	answer(ctx, "How do rivers shape valleys?")

	if err := shutdown(context.Background()); err != nil {
		fmt.Fprintln(os.Stderr, "shutdown:", err)
		os.Exit(1)
	}
	fmt.Printf("\nFull prompts and completions: %s\n", payloads)
	fmt.Println("Find one by the log.record.uid shown under its event, e.g. grep <uid>", payloads)
}

// answer runs the pipeline for one question under a root span.
func answer(ctx context.Context, question string) {
	ctx, span := tracer.Start(ctx, "rag.answer")
	defer span.End()
	slog.InfoContext(ctx, "question", "text", question)

	chunks := chunk(ctx, corpus())
	index := embedAll(ctx, chunks)
	passages := retrieve(ctx, index, question, 4)
	generate(ctx, question, passages)
}

type doc struct {
	text string
	vec  []float64
}

func chunk(ctx context.Context, text string) []string {
	ctx, span := tracer.Start(ctx, "chunk")
	defer span.End()
	var chunks []string
	for text != "" {
		n := min(len(text), 1200)
		chunks = append(chunks, text[:n])
		text = text[n:]
	}
	slog.InfoContext(ctx, "chunked", "chunks", len(chunks), "size", 1200)
	return chunks
}

func embedAll(ctx context.Context, chunks []string) []doc {
	ctx, span := tracer.Start(ctx, "embed")
	defer span.End()
	docs := make([]doc, len(chunks))
	for i, c := range chunks {
		docs[i] = doc{c, embed(c)}
	}
	slog.DebugContext(ctx, "embedded", "chunks", len(docs), "dims", len(docs[0].vec))
	slog.InfoContext(ctx, "first vector", "vec", docs[0].vec[:8])
	return docs
}

func retrieve(ctx context.Context, docs []doc, question string, k int) []string {
	ctx, span := tracer.Start(ctx, "retrieve")
	defer span.End()
	q := embed(question)
	slices.SortFunc(docs, func(a, b doc) int {
		return compare(cosine(b.vec, q), cosine(a.vec, q))
	})
	var out []string
	for _, d := range docs[:k] {
		out = append(out, d.text)
	}
	slog.InfoContext(ctx, "retrieved", "k", k, "best", fmt.Sprintf("%.3f", cosine(docs[0].vec, q)))
	return out
}

func generate(ctx context.Context, question string, passages []string) {
	ctx, span := tracer.Start(ctx, "generate")
	defer span.End()
	prompt := "You are a helpful geographer. Answer from the passages.\n\n" +
		strings.Join(passages, "\n---\n") + "\n\nQuestion: " + question
	slog.InfoContext(ctx, "prompt", "model", "fake-llm-1", "tokens", len(prompt)/4, "prompt", prompt)
	completion := strings.Repeat("Rivers cut V-shaped valleys by eroding their beds; glaciers later widen them into U shapes. ", 30)
	slog.InfoContext(ctx, "completion", "model", "fake-llm-1", "tokens", len(completion)/4, "completion", completion)
}

// corpus is the document the pipeline searches: about 12 KB of text.
func corpus() string {
	topics := []string{"erosion", "meanders", "floodplains", "deltas", "glaciers", "canyons"}
	var b strings.Builder
	for i := range 60 {
		t := topics[i%len(topics)]
		fmt.Fprintf(&b, "Paragraph %d on %s: water moves sediment, and over time %s change the shape of the land. ", i, t, t)
	}
	return b.String()
}

// embed is a stand-in for an embedding model: a fixed 64-dimension vector
// from word hashes.
func embed(text string) []float64 {
	v := make([]float64, 64)
	for _, w := range strings.Fields(strings.ToLower(text)) {
		h := fnv.New32a()
		_, _ = h.Write([]byte(w)) // a hash.Hash's Write never fails
		v[h.Sum32()%64]++
	}
	return v
}

func cosine(a, b []float64) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += a[i] * b[i]
		na += a[i] * a[i]
		nb += b[i] * b[i]
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

func compare(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
