package generator_test

import (
	"context"
	"strings"
	"testing"

	"github.com/agora-hub/agora/generator"
	"github.com/agora-hub/agora/internal/testsite"
)

// contentOnly is a site whose pages print their Content and nothing else,
// so that tests can compare whole pages.
const contentOnly = `
-- site.toml --
baseURL = "https://example.org/hub/"
title = "Hub"
[params]
venue = "Community Hall"
-- layouts/_default/single.html --
{{ .Content }}
-- layouts/_default/list.html --
{{ .Content }}
`

func page(t *testing.T, archive, rel string) string {
	t.Helper()
	dir := testsite.New(t, contentOnly+archive)
	_, out := build(t, dir)
	return testsite.Read(t, out, rel)
}

func TestBuiltinShortcodes(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{"figure", `{{< figure src="/images/a.jpg" alt="meetup" caption="A *good* night" >}}`,
			"<figure><img src=\"/hub/images/a.jpg\"\n\t\t\talt=\"meetup\"><figcaption>\n\t\t\t<p>A <em>good</em> night</p>\n\t\t</figcaption>\n</figure>\n"},
		{"figure with everything", `{{< figure src="https://cdn.example.org/a.jpg" caption="Cap" title="T" link="/events/" target="_blank" rel="noopener" attr="Me" attrlink="https://me.example.org" class="wide" width=100 height="50" loading="lazy" >}}`,
			"<figure class=\"wide\"><a href=\"/hub/events/\" target=\"_blank\" rel=\"noopener\"><img src=\"https://cdn.example.org/a.jpg\"\n\t\t\talt=\"Cap\" width=\"100\" height=\"50\" loading=\"lazy\"></a><figcaption>\n\t\t\t<h4>T</h4><p>Cap\n\t\t\t\t\t\t<a href=\"https://me.example.org\">Me</a></p>\n\t\t</figcaption>\n</figure>\n"},
		{"figure alone", `{{< figure src="a.jpg" >}}`, "<figure><img src=\"a.jpg\">\n</figure>\n"},
		{"youtube named", `{{< youtube id="dQw4w9WgXcQ" title="Recording" >}}`,
			"<div style=\"position: relative; padding-bottom: 56.25%; height: 0; overflow: hidden;\">\n\t\t\t<iframe allow=\"accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture; web-share; fullscreen\" loading=\"eager\" referrerpolicy=\"strict-origin-when-cross-origin\" src=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?autoplay=0&amp;controls=1&amp;end=0&amp;loop=0&amp;mute=0&amp;start=0\" style=\"position: absolute; top: 0; left: 0; width: 100%; height: 100%; border:0;\" title=\"Recording\"></iframe>\n\t\t</div>\n"},
		{"youtube options", `{{< youtube id=abc class="v" autoplay=true loop="true" start=30 loading="lazy" allowFullScreen=false >}}`,
			"<div class=\"v\">\n\t\t\t<iframe allow=\"accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture; web-share\" loading=\"lazy\" referrerpolicy=\"strict-origin-when-cross-origin\" src=\"https://www.youtube-nocookie.com/embed/abc?autoplay=1&amp;controls=1&amp;end=0&amp;loop=1&amp;mute=1&amp;playlist=abc&amp;start=30\" title=\"YouTube video\"></iframe>\n\t\t</div>\n"},
		{"vimeo positional", `{{< vimeo 19899678 >}}`,
			"\n\t\t\t<div\n\t\t\t\t\tstyle=\"position: relative; padding-bottom: 56.25%; height: 0; overflow: hidden;\">\n\t\t\t\t<iframe\n\t\t\t\t\tsrc=\"https://player.vimeo.com/video/19899678?dnt=1\"\n\t\t\t\t\t\tstyle=\"position: absolute; top: 0; left: 0; width: 100%; height: 100%; border:0;\" allow=\"fullscreen\">\n\t\t\t\t</iframe>\n\t\t\t</div>\n"},
		{"vimeo named", `{{< vimeo id="123" class="c" title="T" loading="lazy" >}}`,
			"\n\t\t\t<div\n\t\t\t\t\tclass=\"c\">\n\t\t\t\t<iframe\n\t\t\t\t\tsrc=\"https://player.vimeo.com/video/123?dnt=1\" allow=\"fullscreen\" loading=\"lazy\" title=\"T\">\n\t\t\t\t</iframe>\n\t\t\t</div>\n"},
		{"details", "{{< details >}}\nSome *inner* text.\n{{< /details >}}",
			"\n<details>\n\t<summary>Details</summary>\n\t<p>Some <em>inner</em> text.</p>\n</details>\n"},
		{"details options", "{{< details summary=\"See `more`\" open=true class=\"c\" name=\"n\" title=\"t\" >}}\nX\n{{< /details >}}",
			"\n<details class=\"c\" name=\"n\" open title=\"t\">\n\t<summary>See <code>more</code></summary>\n\t<p>X</p>\n</details>\n"},
		{"param from the page, then the site", `Room {{< param room >}} at {{< param venue >}}.`, "<p>Room 4 &amp; 5 at Community Hall.</p>\n"},
		{"ref and relref", `[A]({{< ref "tips/a.md" >}}), [B]({{< relref "a" >}}), [C]({{< relref "/tips/a#how" >}})`,
			"<p><a href=\"https://example.org/hub/tips/a/\">A</a>, <a href=\"/hub/tips/a/\">B</a>, <a href=\"/hub/tips/a/#how\">C</a></p>\n"},
		{"x and tweet as links", "{{< x user=\"agora\" id=\"123\" >}}\n\n{{< tweet user=\"agora\" id=\"9\" >}}",
			"<p class=\"embed embed-x\"><a href=\"https://x.com/agora/status/123\">View @agora’s post on X</a></p>\n\n\n<p class=\"embed embed-x\"><a href=\"https://x.com/agora/status/9\">View @agora’s post on X</a></p>\n"},
		{"instagram and gist as links", "{{< instagram BWNjjyYFxVx >}}\n\n{{< gist spf13 7896402 img.html >}}",
			"<p class=\"embed embed-instagram\"><a href=\"https://www.instagram.com/p/BWNjjyYFxVx/\">View the post on Instagram</a></p>\n\n\n<p class=\"embed embed-gist\"><a href=\"https://gist.github.com/spf13/7896402#file-img-html\">View the gist on GitHub</a></p>\n"},
		{"comment", "a{{< comment >}}hidden{{< /comment >}}b", "<p>ab</p>\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := page(t, `
-- content/tips/a.md --
+++
title = "A"
+++
Tip A.
-- content/events/x.md --
+++
title = "X"
room = "4 & 5"
+++
`+tc.body+"\n", "events/x/index.html")
			// Trailing newlines come from the paragraph and the layout.
			if strings.TrimRight(got, "\n") != strings.TrimRight(tc.want, "\n") {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestShortcodeHighlight(t *testing.T) {
	got := page(t, `
-- content/x.md --
+++
title = "X"
+++
{{< highlight go "linenos=inline,hl_lines=2,noClasses=false" >}}
x := 1
y := 2
{{< /highlight >}}

`+"```toml {linenos=table,hl_lines=[1]}\n[plan]\n```\n", "x/index.html")
	for _, want := range []string{
		`<div class="highlight"><pre tabindex="0" class="chroma"><code class="language-go" data-lang="go"><span class="line"><span class="ln">1</span>`,
		`<span class="line hl"><span class="ln">2</span><span class="cl"><span class="nx">y</span>`,
		// The fence: Hugo's defaults (inline monokai) with its attributes.
		`<table style="border-spacing:0;padding:0;margin:0;border:0;">`,
		`<span style="display:flex; background-color:#3c3d38"><span>[<span style="color:#a6e22e">plan</span>]`,
		`<code class="language-toml" data-lang="toml">`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %s in\n%s", want, got)
		}
	}
	if strings.Contains(got, "<p><div") {
		t.Errorf("shortcode block left inside a paragraph:\n%s", got)
	}
}

func TestHighlightConfig(t *testing.T) {
	dir := testsite.New(t, contentOnly+`
-- content/x.md --
+++
title = "X"
+++
`+"```go\nx := 1\n```\n"+`
-- layouts/_default/single.html --
{{ .Content }}{{ highlight "a := 2" "go" "linenos=table" }}
`)
	testsite.Write(t, dir, "-- site.toml --\nbaseURL = \"https://example.org/\"\ntitle = \"Hub\"\n[markup.highlight]\nstyle = \"github\"\nnoClasses = false\nlineNos = true\nanchorLineNos = true\n")
	_, out := build(t, dir)
	got := testsite.Read(t, out, "x/index.html")
	for _, want := range []string{
		`<pre tabindex="0" class="chroma"><code>`, // the line-number column
		`<span class="lnt" id="hl-0-1"><a class="lnlinks" href="#hl-0-1">1</a>`,
		`<span class="lnt" id="1"><a class="lnlinks" href="#1">1</a>`, // the function: no block ordinal
	} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %s in\n%s", want, got)
		}
	}
	testsite.Write(t, dir, "-- site.toml --\nbaseURL = \"https://example.org/\"\ntitle = \"Hub\"\n[markup.highlight]\ncodeFences = false\n")
	_, out = build(t, dir)
	if got := testsite.Read(t, out, "x/index.html"); !strings.Contains(got, "<pre tabindex=\"0\"><code class=\"language-go\">x := 1\n</code></pre>") {
		t.Errorf("codeFences = false still highlights:\n%s", got)
	}
}

func TestBuiltinThemeHighlightsWithClasses(t *testing.T) {
	dir := testsite.New(t, `
-- site.toml --
baseURL = "https://example.org/"
title = "Hub"
-- content/tips/x.md --
+++
title = "X"
+++
`+"```go\nx := 1\n```\n")
	_, out := build(t, dir)
	got := testsite.Read(t, out, "tips/x/index.html")
	if !strings.Contains(got, `<pre tabindex="0" class="chroma"><code class="language-go" data-lang="go">`) {
		t.Errorf("the built-in theme's code is not highlighted with classes:\n%s", got)
	}
	if !strings.Contains(got, "chroma.css") {
		t.Errorf("the built-in theme does not load its highlighting styles")
	}
	testsite.Read(t, out, "css/chroma.css")
}

func TestShortcodeNestingAndMarkdown(t *testing.T) {
	got := page(t, `
-- layouts/shortcodes/box.html --
<div class="box" data-ordinal="{{ .Ordinal }}" data-named="{{ .IsNamedParams }}">{{ .Inner }}</div>
-- layouts/shortcodes/item.html --
<span data-parent="{{ .Parent.Name }}" data-ordinal="{{ .Ordinal }}" data-pos="{{ .Position }}">{{ .Get 0 }}|{{ .Get "x" }}|{{ len .Params }}</span>
-- layouts/shortcodes/md.html --
{{ .Inner }}
-- layouts/shortcodes/store.html --
{{ .Scratch.Set "n" 2 }}{{ .Scratch.Add "n" 3 }}{{ .Store.Get "n" }} {{ .Name }} {{ .Page.Title }} {{ .Site.Title }}
-- content/x.md --
+++
title = "X"
+++
Intro "quoted" text.

{{< box >}}{{< item "it's" >}} and {{< item "b" >}}{{< /box >}}

{{% md %}}A *Markdown* "inner" text{{% /md %}}

{{< box >}}{{% md %}}**nested**{{% /md %}}{{< /box >}}

{{< store >}}
`, "x/index.html")
	for _, want := range []string{
		"<p>Intro &ldquo;quoted&rdquo; text.</p>",
		// Arguments never get typographic quotes; nested calls know their parent.
		"<div class=\"box\" data-ordinal=\"0\" data-named=\"false\"><span data-parent=\"box\" data-ordinal=\"0\" data-pos=\"content/x.md:6:12\">it&#39;s||1</span>\n and <span data-parent=\"box\" data-ordinal=\"1\" data-pos=\"content/x.md:6:36\">b||1</span>\n</div>",
		// {{% %}} output is Markdown, typography included.
		"<p>A <em>Markdown</em> &ldquo;inner&rdquo; text</p>",
		// A nested {{% %}} gets its inner rendered, without the <p> of one line.
		"<div class=\"box\" data-ordinal=\"2\" data-named=\"false\"><strong>nested</strong>\n</div>",
		"5 store X Hub",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %s in\n%s", want, got)
		}
	}
}

func TestShortcodeEscapingAndIndentation(t *testing.T) {
	got := page(t, `
-- layouts/shortcodes/code.html --
<pre>{{ .InnerDeindent }}</pre>
-- layouts/shortcodes/two.html --
line1
line2
-- content/x.md --
+++
title = "X"
+++
Write `+"`{{</* youtube id=\"x\" */>}}`"+` to embed.

`+"```\n{{%/* note */%}}\n```"+`

- item

    {{< code >}}
    keep
      indented
    {{< /code >}}
`, "x/index.html")
	for _, want := range []string{
		"<code>{{&lt; youtube id=&quot;x&quot; &gt;}}</code>",
		"{{% note %}}",
		"<pre>\nkeep\n  indented\n</pre>",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %s in\n%s", want, got)
		}
	}
}

func TestShortcodeLookupOrder(t *testing.T) {
	dir := testsite.New(t, contentOnly+`
-- site.toml --
baseURL = "https://example.org/"
title = "Hub"
theme = "mine"
-- themes/mine/layouts/_default/single.html --
{{ .Content }}
-- themes/mine/layouts/shortcodes/a.html --
theme-a
-- themes/mine/layouts/_shortcodes/b.html --
theme-b
-- themes/mine/layouts/shortcodes/youtube.html --
theme-youtube
-- layouts/shortcodes/b.html --
site-b
-- layouts/_shortcodes/c.html --
site-new-c
-- layouts/shortcodes/c.html --
site-old-c
-- layouts/shortcodes/d.html.html --
site-d-html
-- layouts/shortcodes/d.html --
site-d
-- content/x.md --
+++
title = "X"
+++
{{< a >}} {{< b >}} {{< c >}} {{< d >}} {{< youtube x >}} {{< vimeo 1 >}}
`)
	_, out := build(t, dir)
	got := testsite.Read(t, out, "x/index.html")
	for _, want := range []string{"theme-a", "site-b", "site-new-c", "site-d-html", "theme-youtube", "player.vimeo.com"} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %s in\n%s", want, got)
		}
	}
}

func TestShortcodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name, body, want string
	}{
		{"unknown", "Hello.\n\n  {{< nosuch x >}}\n", `content/x.md:7:3: unknown shortcode "nosuch"`},
		{"unclosed paired", "{{< details >}}\nno end\n", `content/x.md:5:1: shortcode "details" is not closed`},
		{"mismatched", "{{< details >}}{{< /highlight >}}", `content/x.md:5:21: closing tag for shortcode "highlight", which is not open`},
		{"closing a shortcode without inner", "{{< param venue >}}{{< /param >}}", `content/x.md:5:20: shortcode "param" takes no inner content`},
		{"syntax", "ok\n{{< figure src=/a.jpg caption=\"x >}}", `content/x.md:6:31: unterminated quoted string`},
		{"missing ref", "{{< ref \"nowhere.md\" >}}", `content/x.md:5:1: shortcode "ref": `},
		{"missing param", "{{< param nothere >}}", `content/x.md:5:1: shortcode "param":`},
		{"template error", "{{< youtube >}}", `requires an id argument`},
		{"script link", `{{< figure src="javascript:alert(1)" >}}`, `could run script`},
		{"bad fence attributes", "```go {linenos=maybe}\nx\n```", `content/x.md: highlight option linenos`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testsite.New(t, contentOnly+`
-- content/x.md --
+++
title = "X"
+++

`+tc.body)
			_, err := generator.Build(context.Background(), generator.Options{Source: dir, Now: testNow})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestShortcodesInListPagesAndSummaries(t *testing.T) {
	dir := testsite.New(t, contentOnly+`
-- layouts/_default/list.html --
{{ .Content }}{{ range .Pages }}<li>{{ .Summary }}</li>{{ end }}
-- content/events/_index.md --
+++
title = "Events"
+++
{{< param venue >}}
-- content/events/x.md --
+++
title = "X"
+++
Watch {{< youtube abc >}} now.
`)
	_, out := build(t, dir)
	got := testsite.Read(t, out, "events/index.html")
	if !strings.Contains(got, "Community Hall\n") || !strings.Contains(got, "<li>Watch") || strings.Contains(got, "AGORASC") {
		t.Errorf("list page:\n%s", got)
	}
}
