package highlight

import (
	"strconv"
	"strings"
	"testing"
)

func TestCodeBlock(t *testing.T) {
	h := New(Defaults())
	for _, tc := range []struct {
		name, code, info string
		want             []string
		not              []string
	}{
		{"hugo's wrapper, inline styles by default", "x := 1\n", "go", []string{
			`<div class="highlight"><pre tabindex="0" style="color:#f8f8f2;background-color:#272822;`,
			`<code class="language-go" data-lang="go"><span style="display:flex;"><span><span style="color:#a6e22e">x</span>`,
			"</code></pre></div>"}, nil},
		{"no language: plain pre, no div", "a <b>\n", "", []string{`<pre tabindex="0"><code>a &lt;b&gt;` + "\n</code></pre>"}, []string{"highlight"}},
		{"unknown language keeps its class", "x\n", "nosuchlang", []string{`<pre tabindex="0"><code class="language-nosuchlang" data-lang="nosuchlang">x`}, []string{"<div"}},
		{"table line numbers from linenostart, anchors by ordinal", "a\nb\nc\n", "go {linenos=table,hl_lines=[2,\"3-3\"],linenostart=5,anchorlinenos=true}", []string{
			`<table style="border-spacing:0;padding:0;margin:0;border:0;">`,
			`id="hl-3-5"><a style="outline:none;text-decoration:none;color:inherit" href="#hl-3-5">5</a>`,
			`<span style="display:flex; background-color:#3c3d38"><span><span style="color:#a6e22e">b</span>`,
			`<span style="display:flex; background-color:#3c3d38"><span><span style="color:#a6e22e">c</span>`}, nil},
		{"inline line numbers with classes", "a\nb\n", "go {linenos=inline, noClasses=false, hl_lines=2}", []string{
			`<pre tabindex="0" class="chroma">`, `<span class="line hl"><span class="ln">2</span>`}, []string{"style="}},
		{"other attributes go on the div, on* dropped", "a\n", "go {.wide #code1 data-x=\"1\" onclick=\"alert(1)\"}", []string{
			`<div class="highlight wide" id="code1" data-x="1">`}, []string{"onclick"}},
		{"style option", "a\n", "go {style=github}", []string{`background-color:#f7f7f7`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if err := h.CodeBlock(&b, tc.code, tc.info, 3); err != nil {
				t.Fatal(err)
			}
			got := b.String()
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("lacks %s\nin %s", w, got)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(got, w) {
					t.Errorf("has %s\nin %s", w, got)
				}
			}
		})
	}
}

func TestHighlightFunction(t *testing.T) {
	h := New(Defaults())
	got, err := h.Highlight("[plan]\ntips = 2", "toml", "linenos=table")
	if err != nil {
		t.Fatal(err)
	}
	// The code column of Hugo's table, exactly.
	want := `<pre tabindex="0" style="color:#f8f8f2;background-color:#272822;-moz-tab-size:4;-o-tab-size:4;tab-size:4;-webkit-text-size-adjust:none;"><code class="language-toml" data-lang="toml"><span style="display:flex;"><span>[<span style="color:#a6e22e">plan</span>]
</span></span><span style="display:flex;"><span><span style="color:#a6e22e">tips</span> = <span style="color:#ae81ff">2</span></span></span></code></pre></td></tr></table>
</div>
</div>`
	if !strings.HasSuffix(got, want) || !strings.HasPrefix(got, `<div class="highlight"><div style=`) {
		t.Errorf("got\n%s\nwant it to end with\n%s", got, want)
	}
	for _, bad := range []any{"linenos=maybe", "nokey", "hl_lines=a-b", 3} {
		if _, err := h.Highlight("x", "go", bad); err == nil {
			t.Errorf("options %v: no error", bad)
		}
	}
	got, _ = h.Highlight("x", "go", map[string]any{"lineNos": "inline", "noClasses": false})
	if !strings.Contains(got, `<span class="ln">1</span>`) {
		t.Errorf("map options ignored: %s", got)
	}
}

func TestCachesAreReused(t *testing.T) {
	h := New(Defaults())
	var b strings.Builder
	for i := 0; i < 50; i++ {
		if err := h.CodeBlock(&b, "x := 1\n", "go", 0); err != nil {
			t.Fatal(err)
		}
		if err := h.CodeBlock(&b, "x\n", "nosuchlang", 0); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(h.formatters); n != 1 {
		t.Errorf("%d formatters for one option set, want 1", n)
	}
	if v, ok := h.lexers.Load("nosuchlang"); !ok || v != noLexer {
		t.Errorf("unknown language not remembered: %v", v)
	}
}

func BenchmarkCodeBlock(b *testing.B) {
	h := New(Defaults())
	code := "func main() {\n\tfmt.Println(\"hello, community\")\n}\n"
	var sb strings.Builder
	for i := 0; i < b.N; i++ {
		sb.Reset()
		if err := h.CodeBlock(&sb, code, "go", 0); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCodeBlockUnseen highlights code never seen before: chroma's
// own cost, which the memo of BenchmarkCodeBlock avoids for repeats.
func BenchmarkCodeBlockUnseen(b *testing.B) {
	h := New(Defaults())
	var sb strings.Builder
	for i := 0; i < b.N; i++ {
		sb.Reset()
		code := "func main() {\n\tfmt.Println(\"hello, community\", " + strconv.Itoa(i) + ")\n}\n"
		if err := h.CodeBlock(&sb, code, "go", 0); err != nil {
			b.Fatal(err)
		}
	}
}

func TestMemoKeepsOutputsApart(t *testing.T) {
	h := New(Defaults())
	var a, b, c strings.Builder
	_ = h.CodeBlock(&a, "x\n", "go {linenos=table,anchorlinenos=true}", 0)
	_ = h.CodeBlock(&b, "x\n", "go {linenos=table,anchorlinenos=true}", 1)
	_ = h.CodeBlock(&c, "x\n", "go", 1)
	if a.String() == b.String() || !strings.Contains(b.String(), `id="hl-1-1"`) || strings.Contains(c.String(), "hl-") {
		t.Errorf("memo mixed blocks up:\n%s\n%s\n%s", a.String(), b.String(), c.String())
	}
}

// Code chroma cannot lex (Error tokens, which a regexp time-out also
// gives) is written but not kept for the next page.
func TestErrorTokensAreNotKept(t *testing.T) {
	h := New(Defaults())
	var b strings.Builder
	if err := h.CodeBlock(&b, "{\"a\": @@@}\n", "json", 0); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "@@@") {
		t.Errorf("code lost: %s", b.String())
	}
	if len(h.memo) != 0 {
		t.Errorf("output with Error tokens was kept")
	}
	if err := h.CodeBlock(&b, "{\"a\": 1}\n", "json", 0); err != nil || len(h.memo) != 1 {
		t.Errorf("clean output not kept (err %v)", err)
	}
}
