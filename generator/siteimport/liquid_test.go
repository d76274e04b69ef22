package siteimport

import (
	"strings"
	"testing"
	"time"
)

// TestLiquid converts bodies with the Liquid converter alone and checks
// the text and the lines of what is left.
func TestLiquid(t *testing.T) {
	site := &jekyllSite{url: "https://example.org", baseurl: "/notes", config: map[string]any{
		"title": "Field Notes", "author": map[string]any{"name": "Ada"}, "year": int64(2024)}}
	resolve := func(tag, target string) (string, bool, bool) {
		switch {
		case tag == "post_url" && (target == "2024-01-02-two" || target == "astro/2024-01-02-two"):
			return "/posts/two.md", false, true
		case tag == "link" && target == "about.md":
			return "/about.md", false, true
		case tag == "link" && target == "assets/a.pdf":
			return "/assets/a.pdf", true, true
		}
		return "", false, false
	}
	include := func(name string, args []string, line int) (string, string) {
		if name == "box.html" {
			return "{{< box " + strings.Join(args, " ") + " >}}", ""
		}
		return "", "a Liquid template"
	}
	for _, tc := range []struct {
		name, in, want string
		html           bool
		lost           []string // "line: text"
	}{
		{name: "plain text is untouched", in: "No Liquid {here}.\n", want: "No Liquid {here}.\n"},
		{name: "raw with whitespace control", in: "{%- raw -%}{{ x }} {% y %}{%- endraw -%}", want: "{{ x }} {% y %}"},
		{name: "raw escapes shortcodes, keeps escaped ones", in: "{% raw %}{{< a >}} {{% b %}} {{</* c */>}}{% endraw %}", want: "{{</* a */>}} {{%/* b */%}} {{</* c */>}}"},
		{name: "highlight with line numbers", in: "{% highlight python linenos %}\nx = 1\n{% endhighlight %}", want: "{{< highlight python \"linenos=table\" >}}\nx = 1\n{{< /highlight >}}"},
		{name: "highlight with marked lines", in: "{% highlight go mark_lines=\"1 3\" %}a{% endhighlight %}", want: "{{< highlight go \"hl_lines=1 3\" >}}a{{< /highlight >}}"},
		{name: "raw inside highlight", in: "{% highlight liquid %}{% raw %}{{ page.x }}{% endraw %}{% endhighlight %}", want: "{{< highlight liquid >}}{{ page.x }}{{< /highlight >}}"},
		{name: "highlight without a language", in: "{% highlight %}a{% endhighlight %}", want: "{% highlight %}a{% endhighlight %}", lost: []string{"1: {% highlight %} without a language"}},
		{name: "post_url with and without a folder", in: "[a]({% post_url 2024-01-02-two %}) [b]({% post_url astro/2024-01-02-two %})", want: `[a]({{< relref "/posts/two.md" >}}) [b]({{< relref "/posts/two.md" >}})`},
		{name: "link to a page and to a file, in Markdown", in: "[a]({% link about.md %}) [b]({% link assets/a.pdf %})", want: `[a]({{< relref "/about.md" >}}) [b](/assets/a.pdf)`},
		{name: "link to a file in HTML gets the base path", html: true, in: `<a href="{% link assets/a.pdf %}">`, want: `<a href="/notes/assets/a.pdf">`},
		{name: "a link to nothing", in: "x\n{% link gone.md %}", want: "x\n{% link gone.md %}", lost: []string{"2: {% link gone.md %}: no such file"}},
		{name: "baseurl and url in Markdown links", in: "[a]({{ site.url }}{{ site.baseurl }}/a/)\n[b]: {{site.baseurl}}/b/", want: "[a](/a/)\n[b]: /b/"},
		{name: "baseurl and url outside links are written out", in: `<img src="{{ site.baseurl }}/i.png"> {{ site.url }}`, want: `<img src="/notes/i.png"> https://example.org`},
		{name: "relative_url and absolute_url", in: `[a]({{ "/a/" | relative_url }}) <a href="{{ '/b/' | absolute_url }}">`, want: `[a](/a/) <a href="https://example.org/notes/b/">`},
		{name: "site and page values", in: "{{ site.title }} by {{ site.author.name }}, {{ site.year }}: {{ page.title }}", want: "Field Notes by Ada, 2024: Hello"},
		{name: "gist with and without a user", in: "{% gist octo/abc a.rb %}\n{% gist def %}", want: "{{< gist octo abc \"a.rb\" >}}\n[View the gist on GitHub](https://gist.github.com/def)"},
		{name: "include of plain HTML and of a template", in: "{% include box.html title=\"Hi\" %}\n\n{% include nav.html %}", want: "{{< box title=\"Hi\" >}}\n\n{% include nav.html %}", lost: []string{"3: {% include nav.html %}: a Liquid template"}},
		{name: "comments disappear", in: "a{% comment %} {{ x }} {% endcomment %}b", want: "ab"},
		{name: "what cannot be converted is left with its line", in: "one\ntwo {{ page.date | date: \"%Y\" }}\n{% for p in site.posts %}\n{% endfor %}",
			want: "one\ntwo {{ page.date | date: \"%Y\" }}\n{% for p in site.posts %}\n{% endfor %}",
			lost: []string{`2: Liquid {{ page.date | date: "%Y" }}`, "3: Liquid {% for p in site.posts %}", "4: Liquid {% endfor %}"}},
		{name: "unclosed", in: "a\n{% raw %}b", want: "a\n{% raw %}b", lost: []string{"2: {% raw %} is never closed"}},
		{name: "a stray end tag", in: "{% endraw %}", want: "{% endraw %}", lost: []string{"1: {% endraw %} closes nothing"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lq := &liquid{file: "p.md", line: 1, html: tc.html, site: site, page: map[string]any{"title": "Hello", "date": time.Now()}, resolve: resolve, include: include}
			if got := lq.convert(tc.in); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			var lost []string
			for _, n := range lq.lost {
				lost = append(lost, n.String())
			}
			if len(lost) != len(tc.lost) {
				t.Fatalf("lost %q, want %d notes like %q", lost, len(tc.lost), tc.lost)
			}
			for i, w := range tc.lost {
				if !strings.HasPrefix(lost[i], "p.md:"+w) {
					t.Errorf("lost[%d] = %q, want it to start with %q", i, lost[i], "p.md:"+w)
				}
			}
		})
	}
}

// TestYAMLDoc edits front matter and checks that what it leaves alone is
// byte for byte as it was.
func TestYAMLDoc(t *testing.T) {
	const fm = "# kept\ntitle: \"Quoted: yes\"   # a comment\ntags:\n- a\n- b\n\n# about the excerpt\nexcerpt: >\n  Two\n  lines\nlayout: post\n"
	for _, tc := range []struct {
		name string
		edit func(d *yamlDoc) error
		want string
	}{
		{"nothing", func(d *yamlDoc) error { return nil }, fm},
		{"remove a key", func(d *yamlDoc) error { d.remove("layout"); return nil },
			"# kept\ntitle: \"Quoted: yes\"   # a comment\ntags:\n- a\n- b\n\n# about the excerpt\nexcerpt: >\n  Two\n  lines\n"},
		{"remove a list keeps the comment after it", func(d *yamlDoc) error { d.remove("tags"); return nil },
			"# kept\ntitle: \"Quoted: yes\"   # a comment\n\n# about the excerpt\nexcerpt: >\n  Two\n  lines\nlayout: post\n"},
		{"rename keeps the value as written", func(d *yamlDoc) error { d.rename("excerpt", "summary"); return nil },
			"# kept\ntitle: \"Quoted: yes\"   # a comment\ntags:\n- a\n- b\n\n# about the excerpt\nsummary: >\n  Two\n  lines\nlayout: post\n"},
		{"set in place", func(d *yamlDoc) error { return d.set("tags", []any{"x"}) },
			"# kept\ntitle: \"Quoted: yes\"   # a comment\ntags:\n- x\n\n# about the excerpt\nexcerpt: >\n  Two\n  lines\nlayout: post\n"},
		{"set at the end", func(d *yamlDoc) error { return d.set("draft", true) }, fm + "draft: true\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := parseYAMLDoc([]byte(fm))
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.edit(d); err != nil {
				t.Fatal(err)
			}
			got, err := d.bytes()
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			if d.line("excerpt") != 8 {
				t.Errorf("line(excerpt) = %d, want 8 (the line as read)", d.line("excerpt"))
			}
		})
	}
}

// TestYAMLDocRewritesWhatItCannotEdit checks the fallback: front matter
// whose keys the line editor cannot see (a flow mapping) is written anew
// from its values, and still means the same.
func TestYAMLDocRewritesWhatItCannotEdit(t *testing.T) {
	d, err := parseYAMLDoc([]byte("{title: T, layout: post}\n"))
	if err != nil {
		t.Fatal(err)
	}
	d.remove("layout")
	got, err := d.bytes()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(got), "layout") || !strings.Contains(string(got), "title: T") {
		t.Errorf("got %q", got)
	}
}

// TestJekyllURLs fills Jekyll's patterns in and translates them for Hugo.
func TestJekyllURLs(t *testing.T) {
	d := jekyllDoc{date: time.Date(2024, 3, 5, 7, 8, 9, 0, time.UTC), slug: "first-light", categories: []string{"Astro", "night", "astro"}, html: true, basename: "about", dir: "docs"}
	for _, tc := range []struct{ pattern, url, hugo string }{
		{"date", "/astro/night/2024/03/05/first-light.html", "/:year/:month/:day/:slugorfilename.html"},
		{"pretty", "/astro/night/2024/03/05/first-light/", "/:year/:month/:day/:slugorfilename/"},
		{"ordinal", "/astro/night/2024/065/first-light.html", "/:year/:002/:slugorfilename.html"},
		{"none", "/astro/night/first-light.html", "/:slugorfilename.html"},
		{"/:short_year/:i_month/:i_day/:hour:minute:second-:slug", "/24/3/5/070809-first-light", "/:06/:1/:2/:15:04:05-:slugorfilename"},
		{"/:long_month/:short_month/:title/", "/March/Mar/first-light/", "/:January/:Jan/:slugorfilename/"},
	} {
		if got := jekyllURL(expandStyle(tc.pattern), d); got != tc.url {
			t.Errorf("jekyllURL(%q) = %q, want %q", tc.pattern, got, tc.url)
		}
		if got, ok := hugoPermalink(expandStyle(tc.pattern)); !ok || got != tc.hugo {
			t.Errorf("hugoPermalink(%q) = %q, %v; want %q", tc.pattern, got, ok, tc.hugo)
		}
	}
	if _, ok := hugoPermalink(expandStyle("weekdate")); ok {
		t.Error("weekdate has :week, which Hugo's permalinks cannot say")
	}
	for _, tc := range []struct {
		style string
		index bool
		want  string
	}{{"date", false, "/docs/about.html"}, {"pretty", false, "/docs/about/"}, {"/:year/:title/", false, "/docs/about/"}, {"date", true, "/docs/"}} {
		if got := jekyllURL(pageTemplate(tc.style, tc.index), d); got != tc.want {
			t.Errorf("page URL with %q (index %v) = %q, want %q", tc.style, tc.index, got, tc.want)
		}
	}
}
