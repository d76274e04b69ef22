package markup

import (
	"os"
	"testing"

	"github.com/gomarkdown/markdown"
	mdhtml "github.com/gomarkdown/markdown/html"
	"github.com/gomarkdown/markdown/parser"
)

func benchPost(b *testing.B) []byte {
	post, err := os.ReadFile("testdata/post.md")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(post)))
	b.ReportAllocs()
	return post
}

// BenchmarkRender is the cost per page of a build.
func BenchmarkRender(b *testing.B) {
	post := benchPost(b)
	r := New(Options{BasePath: "/hub/"})
	for b.Loop() {
		r.Render(post)
	}
}

// BenchmarkGomarkdown is the baseline BenchmarkRender is held to: bare
// gomarkdown with the same extensions and flags.
func BenchmarkGomarkdown(b *testing.B) {
	post := benchPost(b)
	for b.Loop() {
		p := parser.NewWithExtensions(extensions)
		hr := mdhtml.NewRenderer(mdhtml.RendererOptions{
			Flags:                      htmlFlags,
			FootnoteReturnLinkContents: footnoteReturn,
		})
		_ = string(markdown.ToHTML(post, p, hr))
	}
}

func BenchmarkRenderUnsafe(b *testing.B) {
	post := benchPost(b)
	r := New(Options{Unsafe: true, BasePath: "/hub/"})
	for b.Loop() {
		r.Render(post)
	}
}

func BenchmarkPlainify(b *testing.B) {
	post := benchPost(b)
	html := New(Options{}).Render(post).Content
	b.SetBytes(int64(len(html)))
	for b.Loop() {
		Plainify(html)
	}
}

func BenchmarkAbsURLs(b *testing.B) {
	post := benchPost(b)
	html := New(Options{BasePath: "/hub/"}).Render(post).Content
	b.SetBytes(int64(len(html)))
	for b.Loop() {
		AbsURLs(html, "https://ex.org/hub/tips/x/")
	}
}
