package markup

import (
	"fmt"
	stdhtml "html"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	nethtml "golang.org/x/net/html"
)

// check asserts that got contains every want and none of the notWant.
func check(t *testing.T, got string, want, notWant []string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("output lacks %q:\n%s", w, got)
		}
	}
	for _, w := range notWant {
		if strings.Contains(got, w) {
			t.Errorf("output has %q:\n%s", w, got)
		}
	}
}

func TestExtensions(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    []string
		notWant []string
	}{
		{
			name:    "table",
			src:     "| a | b |\n|---|--:|\n| 1 | 2 |\n",
			want:    []string{"<table>", `<th scope="col">a</th>`, `<td style="text-align:right">2</td>`},
			notWant: []string{"align="},
		},
		{
			name: "fenced code with language",
			src:  "```go\nif a < b {}\n```\n",
			want: []string{`<pre tabindex="0"><code class="language-go">if a &lt; b {}`},
		},
		{
			name:    "fenced code without language",
			src:     "```\nplain\n```\n",
			want:    []string{`<pre tabindex="0"><code>plain`},
			notWant: []string{"language-"},
		},
		{
			name: "footnotes",
			src:  "Claim[^src].\n\n[^src]: The source.\n",
			want: []string{
				`<sup class="footnote-ref" id="fnref:src"><a href="#fn:src">1</a></sup>`,
				`<li id="fn:src">The source.`,
				`href="#fnref:src"`,
			},
		},
		{
			name: "auto heading ids are unique",
			src:  "## Hello World\n\n## Hello World\n\n## Hello World\n",
			want: []string{`<h2 id="hello-world">`, `<h2 id="hello-world-1">`, `<h2 id="hello-world-2">`},
		},
		{
			name: "explicit heading id",
			src:  "## Setting up {#setup}\n\n## Setup\n",
			want: []string{`<h2 id="setup">Setting up</h2>`, `<h2 id="setup-1">Setup</h2>`},
		},
		{
			name: "autolink",
			src:  "See https://example.org/a_b and <https://example.org/c>.\n",
			want: []string{
				`<a href="https://example.org/a_b">https://example.org/a_b</a>`,
				`<a href="https://example.org/c">https://example.org/c</a>`,
			},
		},
		{
			name: "strikethrough",
			src:  "~~gone~~\n",
			want: []string{"<del>gone</del>"},
		},
		{
			name:    "no intra-word emphasis",
			src:     "snake_case_name and *real*\n",
			want:    []string{"snake_case_name", "<em>real</em>"},
			notWant: []string{"<em>case</em>"},
		},
		{
			name: "definition list",
			src:  "Term\n: Definition\n",
			want: []string{"<dl>", "<dt>Term</dt>", "<dd>Definition</dd>"},
		},
		{
			name: "smart punctuation",
			src:  "\"Quoted\" it's -- and --- too\n",
			want: []string{"&ldquo;Quoted&rdquo;", "it&rsquo;s", "&ndash;", "&mdash;"},
		},
		{
			name: "image keeps alt text",
			src:  "![A cat, asleep](cat.jpg \"Title\")\n",
			want: []string{`<img src="cat.jpg" alt="A cat, asleep" title="Title" />`},
		},
		{
			name: "ordered list start",
			src:  "3. three\n4. four\n",
			want: []string{`<ol start="3">`},
		},
		{
			name:    "dollar signs are not math",
			src:     "It costs $5 and $10.\n",
			want:    []string{"$5 and $10"},
			notWant: []string{"math"},
		},
	}
	r := New(Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, r.Render([]byte(tt.src)).Content, tt.want, tt.notWant)
		})
	}
}

func TestRawHTML(t *testing.T) {
	tests := []struct {
		name       string
		src        string
		safe, kept []string // wanted in safe mode and in unsafe mode
		safeNot    []string
	}{
		{
			name:    "block",
			src:     "before\n\n<div class=\"note\">\n<b>hi</b>\n</div>\n\nafter\n",
			safe:    []string{"<p>before</p>", "<p>after</p>"},
			safeNot: []string{"<div", "<b>", "hi"},
			kept:    []string{"<div class=\"note\">\n<b>hi</b>\n</div>"},
		},
		{
			name:    "span",
			src:     "a <kbd>Ctrl</kbd> b\n",
			safe:    []string{"a Ctrl b"},
			safeNot: []string{"<kbd>"},
			kept:    []string{"a <kbd>Ctrl</kbd> b"},
		},
		{
			name:    "comment",
			src:     "x <!-- note --> y\n",
			safeNot: []string{"<!--"},
			kept:    []string{"<!-- note -->"},
		},
		{
			name:    "script",
			src:     "<script>alert(1)</script>\n",
			safeNot: []string{"<script"},
			kept:    []string{"<script>alert(1)</script>"},
		},
	}
	safe, unsafe := New(Options{}), New(Options{Unsafe: true})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check(t, safe.Render([]byte(tt.src)).Content, tt.safe, tt.safeNot)
			check(t, unsafe.Render([]byte(tt.src)).Content, tt.kept, nil)
		})
	}
}

func TestMoreMarker(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		summary   string
		content   string
		hasMore   bool
		truncated bool
	}{
		{
			name:      "block marker",
			src:       "First para.\n\n<!--more-->\n\nSecond para.\n",
			summary:   "<p>First para.</p>",
			content:   "<p>First para.</p>\n\n<p>Second para.</p>\n",
			hasMore:   true,
			truncated: true,
		},
		{
			name:      "block marker with white space",
			src:       "First.\n\n   <!--more-->   \n\nSecond.\n",
			summary:   "<p>First.</p>",
			content:   "<p>First.</p>\n\n<p>Second.</p>\n",
			hasMore:   true,
			truncated: true,
		},
		{
			name:      "inline marker closes open elements",
			src:       "Intro *with <!--more--> emphasis* here.\n\nMore.\n",
			summary:   "<p>Intro <em>with</em></p>",
			content:   "<p>Intro <em>with  emphasis</em> here.</p>\n\n<p>More.</p>\n",
			hasMore:   true,
			truncated: true,
		},
		{
			name:      "inline marker in a list",
			src:       "- one\n- two <!--more--> three\n",
			summary:   "<ul>\n<li>one</li>\n<li>two</li></ul>",
			hasMore:   true,
			truncated: true,
		},
		{
			name:      "marker at the end",
			src:       "All of it.\n\n<!--more-->\n",
			summary:   "<p>All of it.</p>",
			content:   "<p>All of it.</p>\n",
			hasMore:   true,
			truncated: false,
		},
		{
			name:      "inline marker at the end of the last paragraph",
			src:       "Before the cut. <!--more-->\n",
			summary:   "<p>Before the cut.</p>",
			content:   "<p>Before the cut. </p>\n",
			hasMore:   true,
			truncated: false,
		},
		{
			name:      "inline marker inside a word",
			src:       "Half<!--more-->way there.\n",
			summary:   "<p>Half</p>",
			hasMore:   true,
			truncated: true,
		},
		{
			name:      "only an image after the marker",
			src:       "Text.\n\n<!--more-->\n\n![pic](p.png)\n",
			summary:   "<p>Text.</p>",
			hasMore:   true,
			truncated: true,
		},
		{
			name:      "second marker is dropped too",
			src:       "A.\n\n<!--more-->\n\nB.\n\n<!--more-->\n\nC.\n",
			summary:   "<p>A.</p>",
			content:   "<p>A.</p>\n\n<p>B.</p>\n\n<p>C.</p>\n",
			hasMore:   true,
			truncated: true,
		},
		{
			name:      "no marker, short",
			src:       "Just a <b>bold</b> & short \"page\".\n",
			summary:   "Just a bold &amp; short “page”.",
			hasMore:   false,
			truncated: false,
		},
		{
			name:      "marker-like text is not a marker",
			src:       "`<!--more-->` in code.\n",
			summary:   "&lt;!--more--&gt; in code.",
			content:   "<p><code>&lt;!--more--&gt;</code> in code.</p>\n",
			hasMore:   false,
			truncated: false,
		},
	}
	for _, unsafe := range []bool{false, true} {
		r := New(Options{Unsafe: unsafe})
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/unsafe=%v", tt.name, unsafe), func(t *testing.T) {
				res := r.Render([]byte(tt.src))
				if res.Summary != tt.summary {
					t.Errorf("Summary = %q, want %q", res.Summary, tt.summary)
				}
				if tt.content != "" && res.Content != tt.content {
					t.Errorf("Content = %q, want %q", res.Content, tt.content)
				}
				if strings.Contains(res.Content, "more-->") && tt.hasMore {
					t.Errorf("Content keeps the marker: %q", res.Content)
				}
				if res.HasMore != tt.hasMore || res.Truncated != tt.truncated {
					t.Errorf("HasMore, Truncated = %v, %v; want %v, %v",
						res.HasMore, res.Truncated, tt.hasMore, tt.truncated)
				}
			})
		}
	}
}

func TestAutoSummary(t *testing.T) {
	words := make([]string, 100)
	for i := range words {
		words[i] = fmt.Sprintf("w%d", i)
	}
	// Line breaks and emphasis must not change where words split.
	src := strings.Join(words[:50], " ") + "\n*" + strings.Join(words[50:], "  ") + "*\n"
	res := New(Options{}).Render([]byte(src))
	if want := strings.Join(words[:70], " "); res.Summary != want {
		t.Errorf("Summary = %q, want %q", res.Summary, want)
	}
	if !res.Truncated || res.HasMore {
		t.Errorf("Truncated, HasMore = %v, %v; want true, false", res.Truncated, res.HasMore)
	}
	if n := WordCount(res.Content); n != 100 {
		t.Errorf("WordCount = %d, want 100", n)
	}

	exact := New(Options{}).Render([]byte(strings.Join(words[:70], " ")))
	if n := WordCount(exact.Content); exact.Truncated || n != 70 {
		t.Errorf("70 words: Truncated = %v, WordCount = %d", exact.Truncated, n)
	}
	for _, n := range []int{69, 71, 72} { // the scan stops one word past the summary
		res := New(Options{}).Render([]byte(strings.Join(words[:n], " ")))
		if res.Truncated != (n > 70) {
			t.Errorf("%d words: Truncated = %v", n, res.Truncated)
		}
	}

	escaped := New(Options{}).Render([]byte("a `<b>` & c"))
	if want := "a &lt;b&gt; &amp; c"; escaped.Summary != want {
		t.Errorf("Summary = %q, want %q", escaped.Summary, want)
	}
}

func TestWordCountMatchesFields(t *testing.T) {
	post, err := os.ReadFile("testdata/post.md")
	if err != nil {
		t.Fatal(err)
	}
	srcs := []string{
		string(post),
		"",
		"one",
		"it's a “quote” — with&nbsp;nbsp",
		"a [link](/x/) b![img](i.png)c",
		"text[^1]\n\n[^1]: note\n",
		"x <!--more--> y z",
	}
	r := New(Options{})
	for _, src := range srcs {
		res := r.Render([]byte(src))
		if want := len(strings.Fields(Plainify(res.Content))); WordCount(res.Content) != want {
			t.Errorf("%.30q: WordCount = %d, want %d", src, WordCount(res.Content), want)
		}
	}
}

func TestTOC(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{name: "no headings", src: "text\n", want: ""},
		{name: "only h1 and h4", src: "# Title\n\n#### Deep\n", want: ""},
		{
			name: "nesting",
			src:  "# Title\n\n## One\n\n### One A\n\n### One B\n\n#### Skipped\n\n## Two\n",
			want: `<nav id="TableOfContents" aria-label="Table of contents"><ul>` +
				`<li><a href="#one">One</a><ul>` +
				`<li><a href="#one-a">One A</a></li>` +
				`<li><a href="#one-b">One B</a></li>` +
				`</ul></li>` +
				`<li><a href="#two">Two</a></li>` +
				`</ul></nav>`,
		},
		{
			name: "h3 before any h2",
			src:  "### Early\n\n## Later\n",
			want: `<nav id="TableOfContents" aria-label="Table of contents"><ul>` +
				`<li><ul><li><a href="#early">Early</a></li></ul></li>` +
				`<li><a href="#later">Later</a></li>` +
				`</ul></nav>`,
		},
		{
			name: "text is escaped and plain",
			src:  "## Use `<b>` & \"quotes\" {#use}\n",
			want: `<nav id="TableOfContents" aria-label="Table of contents"><ul>` +
				`<li><a href="#use">Use &lt;b&gt; &amp; “quotes”</a></li>` +
				`</ul></nav>`,
		},
		{
			name: "script-like id loses its link",
			src:  "## Bad {#javascript:x}\n",
			want: `<nav id="TableOfContents" aria-label="Table of contents"><ul><li>Bad</li></ul></nav>`,
		},
		{
			name: "duplicate ids match the headings",
			src:  "## Same\n\n## Same\n",
			want: `<nav id="TableOfContents" aria-label="Table of contents"><ul>` +
				`<li><a href="#same">Same</a></li>` +
				`<li><a href="#same-1">Same</a></li>` +
				`</ul></nav>`,
		},
	}
	r := New(Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := r.Render([]byte(tt.src)).TOC; got != tt.want {
				t.Errorf("TOC =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// scriptVariants are spellings of javascript: and vbscript: URLs that
// browsers, or careless filters, may read as the scheme.
var scriptVariants = []string{
	"javascript:alert(1)",
	"JaVaScRiPt:alert(1)",
	"JAVASCRIPT:alert(1)",
	" javascript:alert(1)",
	"java&#x09;script:alert(1)",
	"java&#9;script:alert(1)",
	"java&Tab;script:alert(1)",
	"&#106;avascript:alert(1)",
	"&#x6A;&#x61;&#x76;&#x61;script:alert(1)",
	"javascript&colon;alert(1)",
	"javascript&#58;alert(1)",
	"java%73cript:alert(1)",
	"javascript%3aalert(1)",
	"&#x01;javascript:alert(1)",
	"jav&#x0A;ascript:alert(1)",
	"&amp;#106;avascript:alert(1)",
	"vbscript:msgbox(1)",
	"VBScript:msgbox(1)",
	"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
}

// assertNoScriptURLs fails if any URL attribute in html could be a script
// URL. It normalises independently of the code under test.
func assertNoScriptURLs(t testing.TB, html string) {
	t.Helper()
	z := nethtml.NewTokenizer(strings.NewReader(html))
	for {
		tt := z.Next()
		if tt == nethtml.ErrorToken {
			return
		}
		if tt != nethtml.StartTagToken && tt != nethtml.SelfClosingTagToken {
			continue
		}
		for _, a := range z.Token().Attr {
			switch a.Key {
			case "href", "src", "action", "formaction", "xlink:href":
			default:
				continue
			}
			v := a.Val
			for range 4 {
				v = stdhtml.UnescapeString(v)
				if u, err := url.PathUnescape(v); err == nil {
					v = u
				}
			}
			v = strings.ToLower(strings.Map(func(r rune) rune {
				if r <= ' ' || r == 0x7f {
					return -1
				}
				return r
			}, v))
			if strings.Contains(v, "javascript:") || strings.Contains(v, "vbscript:") ||
				strings.HasPrefix(v, "data:text") {
				t.Errorf("%s=%q is a script URL in:\n%s", a.Key, a.Val, html)
			}
		}
	}
}

func TestScriptURLs(t *testing.T) {
	forms := []struct {
		name, tmpl, text string
	}{
		{"link", "before [click me](%s) after\n", "click me"},
		{"link with title", "[click me](%s \"t\")\n", "click me"},
		{"reference link", "[click me][r]\n\n[r]: %s\n", "click me"},
		{"image", "![the alt](%s)\n", "the alt"},
		{"autolink", "<%s>\n", ""},
	}
	for _, unsafe := range []bool{false, true} {
		r := New(Options{Unsafe: unsafe})
		for _, f := range forms {
			for _, v := range scriptVariants {
				if f.name == "autolink" && strings.ContainsAny(v, " ") {
					continue
				}
				src := fmt.Sprintf(f.tmpl, v)
				t.Run(fmt.Sprintf("unsafe=%v/%s/%s", unsafe, f.name, v), func(t *testing.T) {
					out := r.Render([]byte(src)).Content
					assertNoScriptURLs(t, out)
					if f.text != "" && !strings.Contains(out, f.text) {
						t.Errorf("text %q lost: %s", f.text, out)
					}
					if strings.Contains(out, "<a ") || strings.Contains(out, "<img") {
						t.Errorf("element kept for %q: %s", v, out)
					}
				})
			}
		}
	}
}

func TestScriptURLsInRawHTML(t *testing.T) {
	forms := []string{
		"<a href=\"%s\">x</a>\n",
		"text <a href='%s'>x</a> text\n",
		"<div>\n<img src=\"%s\">\n</div>\n",
		"<form action=\"%s\"><button formaction=\"%s\">go</button></form>\n",
		"<svg><a xlink:href=\"%s\"><text>x</text></a></svg>\n",
		"<A HREF=\"%s\" TITLE=keep>x</A>\n",
	}
	safe, unsafe := New(Options{}), New(Options{Unsafe: true})
	for _, form := range forms {
		for _, v := range scriptVariants {
			if strings.HasPrefix(v, "data:") {
				// Raw HTML is trusted in unsafe mode except for script
				// schemes.
				continue
			}
			src := strings.ReplaceAll(form, "%s", v)
			t.Run(src, func(t *testing.T) {
				s := safe.Render([]byte(src)).Content
				assertNoScriptURLs(t, s)
				u := unsafe.Render([]byte(src)).Content
				assertNoScriptURLs(t, u)
				if !strings.Contains(u, `="#"`) {
					t.Errorf("attribute not rewritten to #: %s", u)
				}
			})
		}
	}
	// Unrelated attributes and tags are left byte for byte.
	src := "<div class=\"x\" data-A='1'><a href=\"https://ok.example/\">ok</a></div>\n"
	if got := unsafe.Render([]byte(src)).Content; got != src {
		t.Errorf("raw HTML changed:\n got %q\nwant %q", got, src)
	}
}

func TestAllowedURLs(t *testing.T) {
	tests := []struct {
		src  string
		want string
	}{
		{"[a](http://ex.org/)", `<a href="http://ex.org/">a</a>`},
		{"[a](HTTPS://ex.org/)", `<a href="HTTPS://ex.org/">a</a>`},
		{"[a](mailto:me@ex.org)", `<a href="mailto:me@ex.org">a</a>`},
		{"[a](tel:+15551234)", `<a href="tel:+15551234">a</a>`},
		{"[a](rel/page/)", `<a href="rel/page/">a</a>`},
		{"[a](../up/)", `<a href="../up/">a</a>`},
		{"[a](#frag)", `<a href="#frag">a</a>`},
		{"[a](?q=script:x)", `<a href="?q=script:x">a</a>`},
		{"[a](?q=javascript:x)", `<p>a</p>`},
		{"[a](https://ex.org/#JavaScript:x)", `<p>a</p>`},
		{"![a](data:image/png;base64,iVBOR)", `<img src="data:image/png;base64,iVBOR" alt="a" />`},
		{"![a](data:image/webp;base64,UklG)", `<img src="data:image/webp;base64,UklG" alt="a" />`},
		{"![a](data:image/svg+xml;base64,PHN2Zz4=)", `<p>a</p>`},
		{"[a](data:image/png;base64,iVBOR)", `<p>a</p>`},
		{"[a](ftp://ex.org/f)", `<p>a</p>`},
		{"[a](file:///etc/passwd)", `<p>a</p>`},
	}
	r := New(Options{})
	for _, tt := range tests {
		t.Run(tt.src, func(t *testing.T) {
			check(t, r.Render([]byte(tt.src)).Content, []string{tt.want}, nil)
		})
	}
}

func TestBasePath(t *testing.T) {
	tests := []struct {
		base, src, want string
	}{
		{"/hub/", "[a](/tips/x/)", `href="/hub/tips/x/"`},
		{"/hub/", "[a](/)", `href="/hub/"`},
		{"/hub/", "[a](/hub/tips/x/)", `href="/hub/tips/x/"`},
		{"/hub/", "[a](/hub)", `href="/hub"`},
		{"/hub/", "[a](/hubble/)", `href="/hub/hubble/"`},
		{"/hub/", "[a](/tips/?q=1#top)", `href="/hub/tips/?q=1#top"`},
		{"/hub/", "![a](/img/a.png)", `src="/hub/img/a.png"`},
		{"/hub/", "![a](/hub/img/a.png)", `src="/hub/img/a.png"`},
		{"/hub/", "[a](//cdn.example/x.js)", `href="//cdn.example/x.js"`},
		{"/hub/", "[a](tips/x/)", `href="tips/x/"`},
		{"/hub/", "[a](#top)", `href="#top"`},
		{"/hub/", "[a](https://ex.org/tips/)", `href="https://ex.org/tips/"`},
		{"/hub/", "[a][r]\n\n[r]: /tips/ref/", `href="/hub/tips/ref/"`},
		{"/", "[a](/tips/x/)", `href="/tips/x/"`},
		{"", "[a](/tips/x/)", `href="/tips/x/"`},
		{"hub", "[a](/tips/x/)", `href="/hub/tips/x/"`},
		{"/a/b/", "[a](/tips/x/)", `href="/a/b/tips/x/"`},
		{"https://user.github.io/hub/", "[a](/tips/x/)", `href="/hub/tips/x/"`},
	}
	for _, tt := range tests {
		t.Run(tt.base+" "+tt.src, func(t *testing.T) {
			got := New(Options{BasePath: tt.base}).Render([]byte(tt.src)).Content
			check(t, got, []string{tt.want}, nil)
		})
	}
}

func TestAbsURLs(t *testing.T) {
	const page = "https://ex.org/hub/tips/x/"
	tests := []struct {
		name, in, want string
	}{
		{"root-relative", `<a href="/hub/a/">a</a>`, `<a href="https://ex.org/hub/a/">a</a>`},
		{"relative image", `<img src="img.png" alt="i" />`, `<img src="https://ex.org/hub/tips/x/img.png" alt="i"/>`},
		{"parent", `<a href="../y/">y</a>`, `<a href="https://ex.org/hub/tips/y/">y</a>`},
		{"footnote", `<a href="#fn:1">1</a>`, `<a href="https://ex.org/hub/tips/x/#fn:1">1</a>`},
		{"absolute", `<a href="https://other.org/p">o</a>`, `<a href="https://other.org/p">o</a>`},
		{"mailto", `<a href="mailto:a@b.org">m</a>`, `<a href="mailto:a@b.org">m</a>`},
		{"protocol-relative", `<img src="//cdn.ex/i.png" alt="">`, `<img src="https://cdn.ex/i.png" alt="">`},
		{"escaped query", `<a href="/s?a=1&amp;b=2">s</a>`, `<a href="https://ex.org/s?a=1&amp;b=2">s</a>`},
		{"text untouched", `<p>href="/x" &amp; <code>src=/y</code></p>`, `<p>href="/x" &amp; <code>src=/y</code></p>`},
		{"other attributes kept", `<a class="c" href="/a/" title="T">a</a>`, `<a class="c" href="https://ex.org/a/" title="T">a</a>`},
		{"no links", `<p>plain</p>`, `<p>plain</p>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := AbsURLs(tt.in, page); got != tt.want {
				t.Errorf("AbsURLs(%q) =\n %q\nwant\n %q", tt.in, got, tt.want)
			}
		})
	}
	if got := AbsURLs(`<a href="/a/">a</a>`, "/not/absolute/"); got != `<a href="/a/">a</a>` {
		t.Errorf("relative page URL changed the HTML: %q", got)
	}

	// Footnote links from a real render must still meet their anchors.
	res := New(Options{BasePath: "/hub/"}).Render([]byte("See[^n] [tip](/tips/y/) ![i](i.png)\n\n[^n]: Note.\n"))
	got := AbsURLs(res.Content, page)
	check(t, got, []string{
		`href="https://ex.org/hub/tips/x/#fn:n"`,
		`id="fn:n"`,
		`href="https://ex.org/hub/tips/x/#fnref:n"`,
		`href="https://ex.org/hub/tips/y/"`,
		`src="https://ex.org/hub/tips/x/i.png"`,
	}, nil)
}

func TestRenderInline(t *testing.T) {
	tests := []struct{ src, want string }{
		{"Hello *world*", "Hello <em>world</em>"},
		{"A [link](/x/)", `A <a href="/hub/x/">link</a>`},
		{"", ""},
		{"one\n\ntwo", "<p>one</p>\n\n<p>two</p>\n"},
		{"# Heading", `<h1 id="heading">Heading</h1>` + "\n"},
		{"<b>raw</b> text", "raw text"},
	}
	r := New(Options{BasePath: "/hub/"})
	for _, tt := range tests {
		if got := r.RenderInline(tt.src); got != tt.want {
			t.Errorf("RenderInline(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestPlainify(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<p>Hello <em>world</em></p>\n", "Hello world\n"},
		{"Tom &amp; Jerry&#8217;s &ldquo;show&rdquo;", "Tom & Jerry’s “show”"},
		{"&#x41;&#66;&lt;&gt;&quot;&apos;&nbsp;", "AB<>\"'\u00a0"},
		{"&eacute;t&eacute; &copy; &frac12;", "été © ½"},
		{"a &unknown; b & c &", "a &unknown; b & c &"},
		{"&#0;&#xD800;&#x110000;&#128;", "\ufffd\ufffd\ufffd€"},
		{"x<!-- a > b -->y", "xy"},
		{`<a title="a>b" href='c>d'>link</a>`, "link"},
		{"1 < 2 and 3 > 2", "1 < 2 and 3 > 2"},
		{"<img src=x alt=y>after", "after"},
		{"<br/>line<br>", "line"},
		{"unterminated <b", "unterminated "},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Plainify(tt.in); got != tt.want {
			t.Errorf("Plainify(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestConcurrentRender(t *testing.T) {
	post, err := os.ReadFile("testdata/post.md")
	if err != nil {
		t.Fatal(err)
	}
	r := New(Options{BasePath: "/hub/"})
	want := r.Render(post)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 20 {
				if got := r.Render(post); got != want {
					t.Error("concurrent Render gave a different result")
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestPost(t *testing.T) {
	post, err := os.ReadFile("testdata/post.md")
	if err != nil {
		t.Fatal(err)
	}
	res := New(Options{BasePath: "/hub/"}).Render(post)
	check(t, res.Content, []string{
		`<a href="/hub/tips/">tips index</a>`,
		`<img src="content-layout.png" alt="A diagram of the content folder" title="Content layout" />`,
		`<pre tabindex="0"><code class="language-go">`,
		`<a href="https://example.org/faq">`,
	}, []string{"more-->", "<!--"})
	if !res.HasMore || !res.Truncated || !strings.HasPrefix(res.Summary, "<p>Agora builds") ||
		!strings.HasSuffix(res.Summary, "</p>") {
		t.Errorf("summary: HasMore=%v Truncated=%v %q", res.HasMore, res.Truncated, res.Summary)
	}
	check(t, res.TOC, []string{`<a href="#why-we-moved">Why we moved</a><ul><li><a href="#what-plain-files-means-in-practice">What “plain files” means in practice</a></li></ul>`}, nil)
	assertNoScriptURLs(t, res.Content)
}
