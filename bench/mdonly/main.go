// Command mdonly is the "gomarkdown alone" reference for bench/build.sh: it
// walks DIR/content for *.md files, strips TOML front matter (the part between
// the first two "+++" lines), renders each body with github.com/gomarkdown/markdown
// and discards the HTML, counting bytes. It does no templating and writes no
// files, so its wall time is a floor for what a generator built on gomarkdown
// can reach on the same content.
//
//	go run ./bench/mdonly -dir /tmp/site10k [-workers 2]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gomarkdown/markdown"
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
	type total struct{ files, md, html int64 }
	results := make([]total, *workers)
	errs := make(chan error, *workers)
	var wg sync.WaitGroup
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func(t *total) {
			defer wg.Done()
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
				out := markdown.Render(doc, html.NewRenderer(html.RendererOptions{Flags: html.CommonFlags}))
				t.files++
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
	}
	if sum.files == 0 {
		fmt.Fprintf(os.Stderr, "mdonly: no .md files under %s\n", content)
		os.Exit(1)
	}
	fmt.Printf("files %d\n", sum.files)
	fmt.Printf("markdown_bytes %d\n", sum.md)
	fmt.Printf("html_bytes %d\n", sum.html)
	fmt.Printf("elapsed %.3fs\n", elapsed.Seconds())
	fmt.Printf("workers %d\n", *workers)
}

// stripFrontMatter returns src without a leading TOML front matter block: if
// the first line is "+++", everything up to and including the next "+++" line
// is dropped. Without an opening fence, or without a closing one, src is
// returned whole.
func stripFrontMatter(src []byte) []byte {
	line, rest, _ := cutLine(src)
	if !isFence(line) {
		return src
	}
	for len(rest) > 0 {
		var l []byte
		l, rest, _ = cutLine(rest)
		if isFence(l) {
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

func isFence(line []byte) bool {
	return string(bytes.TrimRight(line, " \t\r")) == "+++"
}
