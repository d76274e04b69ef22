// Command mdonly is the "Markdown and highlighting libraries alone" reference
// for bench/build.sh: it walks DIR/content for *.md files, strips the front
// matter (between the first two "+++" or "---" lines), renders each body with
// github.com/gomarkdown/markdown, highlights its fenced code blocks with
// github.com/alecthomas/chroma/v2 as the build does (Hugo's defaults: inline
// styles, monokai, tab width 4), and discards the HTML, counting bytes. It does
// no templating, no shortcodes and writes no files, so its wall time is a
// floor for what a generator built on these two libraries can reach on the
// same content. Chroma is used as the build uses it: each worker keeps its
// lexers and one formatter (so a style's CSS is worked out once), and the
// HTML of small blocks it has already highlighted.
//
//	go run ./bench/mdonly -dir /tmp/site10k [-workers 2]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/alecthomas/chroma/v2"
	chtml "github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
	"github.com/gomarkdown/markdown"
	"github.com/gomarkdown/markdown/ast"
	"github.com/gomarkdown/markdown/html"
	"github.com/gomarkdown/markdown/parser"
)

const extensions = parser.CommonExtensions | parser.AutoHeadingIDs | parser.Footnotes

func main() {
	dir := flag.String("dir", ".", "site folder (reads DIR/content/**/*.md)")
	workers := flag.Int("workers", 2, "rendering goroutines")
	flag.Parse()
	if *workers < 1 {
		*workers = 1
	}

	start := time.Now()
	paths := make(chan string, 256)
	type total struct{ files, md, html, blocks int64 }
	results := make([]total, *workers)
	errs := make(chan error, *workers)
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func(t *total) {
			defer wg.Done()
			hl := newHighlighter()
			for p := range paths {
				src, err := os.ReadFile(p)
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					continue
				}
				body := stripFrontMatter(src)
				// Fresh parser and renderer per document: both carry per-document state.
				doc := markdown.Parse(body, parser.NewWithExtensions(extensions))
				out := markdown.Render(doc, html.NewRenderer(html.RendererOptions{Flags: html.CommonFlags, RenderNodeHook: hl.hook}))
				if hl.err != nil {
					select {
					case errs <- hl.err:
					default:
					}
				}
				t.files++
				t.blocks += hl.blocks
				hl.blocks = 0
				t.md += int64(len(body))
				t.html += int64(len(out))
			}
		}(&results[w])
	}

	content := filepath.Join(*dir, "content")
	walkErr := filepath.WalkDir(content, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".md") {
			paths <- p
		}
		return nil
	})
	close(paths)
	wg.Wait()
	elapsed := time.Since(start)

	if walkErr != nil {
		fmt.Fprintln(os.Stderr, "mdonly:", walkErr)
		os.Exit(1)
	}
	select {
	case err := <-errs:
		fmt.Fprintln(os.Stderr, "mdonly:", err)
		os.Exit(1)
	default:
	}

	var sum total
	for _, t := range results {
		sum.files += t.files
		sum.md += t.md
		sum.html += t.html
		sum.blocks += t.blocks
	}
	if sum.files == 0 {
		fmt.Fprintf(os.Stderr, "mdonly: no .md files under %s\n", content)
		os.Exit(1)
	}
	fmt.Printf("files %d\n", sum.files)
	fmt.Printf("markdown_bytes %d\n", sum.md)
	fmt.Printf("html_bytes %d\n", sum.html)
	fmt.Printf("code_blocks %d\n", sum.blocks)
	fmt.Printf("elapsed %.3fs\n", elapsed.Seconds())
	fmt.Printf("workers %d\n", *workers)
}

// highlighter is one worker's chroma: its lexers by name and one formatter.
type highlighter struct {
	lexers    map[string]chroma.Lexer
	formatter *chtml.Formatter
	style     *chroma.Style
	buf       bytes.Buffer
	memo      map[string][]byte // lang and code → HTML, as the build keeps them
	blocks    int64
	err       error
}

func newHighlighter() *highlighter {
	return &highlighter{
		lexers:    map[string]chroma.Lexer{},
		memo:      map[string][]byte{},
		formatter: chtml.New(chtml.WithClasses(false), chtml.TabWidth(4), chtml.WithPreWrapper(pre{})),
		style:     styles.Get("monokai"),
	}
}

type pre struct{}

func (pre) Start(code bool, style string) string { return `<pre tabindex="0"` + style + "><code>" }
func (pre) End(bool) string                      { return "</code></pre>" }

// hook highlights fenced code blocks.
func (h *highlighter) hook(w io.Writer, node ast.Node, entering bool) (ast.WalkStatus, bool) {
	cb, ok := node.(*ast.CodeBlock)
	if !ok || !cb.IsFenced {
		return ast.GoToNext, false
	}
	lang := strings.TrimSpace(string(cb.Info))
	if i := strings.IndexAny(lang, " {"); i >= 0 {
		lang = lang[:i]
	}
	key := lang + "\x00" + string(cb.Literal)
	if out, ok := h.memo[key]; ok {
		_, _ = w.Write(out)
		h.blocks++
		return ast.GoToNext, true
	}
	l, seen := h.lexers[lang]
	if !seen {
		if l = lexers.Get(lang); l != nil {
			l = chroma.Coalesce(l)
		}
		h.lexers[lang] = l
	}
	if l == nil {
		return ast.GoToNext, false
	}
	it, err := l.Tokenise(nil, string(cb.Literal))
	if err == nil {
		h.buf.Reset()
		h.buf.WriteString(`<div class="highlight">`)
		err = h.formatter.Format(&h.buf, h.style, it)
		h.buf.WriteString("</div>")
	}
	if err != nil {
		h.err = err
		return ast.GoToNext, false
	}
	_, _ = w.Write(h.buf.Bytes())
	if len(cb.Literal) <= 4<<10 {
		h.memo[key] = append([]byte(nil), h.buf.Bytes()...)
	}
	h.blocks++
	return ast.GoToNext, true
}

// stripFrontMatter returns src without a leading front matter block: if the
// first line is "+++" or "---", everything up to and including the next
// such line is dropped. Without an opening fence, or without a closing one,
// src is returned whole.
func stripFrontMatter(src []byte) []byte {
	line, rest, _ := cutLine(src)
	fence := fenceOf(line)
	if fence == "" {
		return src
	}
	for len(rest) > 0 {
		var l []byte
		l, rest, _ = cutLine(rest)
		if fenceOf(l) == fence {
			return rest
		}
	}
	return src
}

// cutLine splits off the first line (without its newline).
func cutLine(b []byte) (line, rest []byte, found bool) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i], b[i+1:], true
	}
	return b, nil, false
}

func fenceOf(line []byte) string {
	switch f := string(bytes.TrimRight(line, " \t\r")); f {
	case "+++", "---":
		return f
	}
	return ""
}
