package markup

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

func FuzzRender(f *testing.F) {
	if post, err := os.ReadFile("testdata/post.md"); err == nil {
		f.Add(string(post))
	}
	for _, v := range scriptVariants {
		f.Add(fmt.Sprintf("[x](%s) ![y](%s) <%s>", v, v, v))
		f.Add(fmt.Sprintf("[r]\n\n[r]: %s\n", v))
		f.Add(fmt.Sprintf("<a href=\"%s\">z</a>", v))
	}
	for _, s := range []string{
		"a <!--more--> b", "<!--more-->", "- x <!--more-->\n", "![a <!--more--> b](c.png)",
		"## H {#id}\n\n### I\n", "x[^1]\n\n[^1]: <!--more--> y\n", "| a |\n|---|\n| <!--more--> |\n",
		"[a ![b](javascript:x)](/c)", "![a [b](javascript:x)](d.png)", "&#106;&#97;",
	} {
		f.Add(s)
	}
	safe := New(Options{BasePath: "/hub/"})
	unsafe := New(Options{Unsafe: true, BasePath: "/hub/"})
	f.Fuzz(func(t *testing.T, src string) {
		in := []byte(src)
		res := safe.Render(in)
		if string(in) != src {
			t.Fatal("Render modified its input")
		}
		assertNoScriptURLs(t, res.Content)
		assertNoScriptURLs(t, res.Summary)
		assertNoScriptURLs(t, res.TOC)
		assertNoScriptURLs(t, safe.RenderInline(src))
		if want := len(strings.Fields(Plainify(res.Content))); WordCount(res.Content) != want {
			t.Errorf("WordCount = %d, want %d", WordCount(res.Content), want)
		}
		if strings.Contains(res.Content, moreMarker) {
			t.Errorf("marker left in content: %q", res.Content)
		}
		// Unsafe mode trusts raw HTML, so only require that it doesn't
		// panic, and that Markdown links stay checked.
		_ = unsafe.Render([]byte(src))
		_ = AbsURLs(res.Content, "https://ex.org/hub/p/")
	})
}
