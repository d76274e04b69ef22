package generator_test

import (
	"context"
	"io/fs"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/agora-hub/agora/generator"
	"github.com/agora-hub/agora/internal/testsite"
)

// htmlFiles lists the .html files below dir, as slash paths.
func htmlFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".html") {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func permalinkSite() string {
	var b strings.Builder
	b.WriteString(`
-- config.toml --
baseURL = "https://example.org/"
title = "T"
[permalinks]
a = "/:year/:month/:day/:slug/"
b = "/:monthname/:weekday/:weekdayname/:yearday/:title/"
c = "/:sections/:filename/"
d = "/:sections[1:]/:slugorfilename/"
e = "/:section/:filename/"
tags = "/topic/:slug/"
-- layouts/_default/single.html --
{{ .RelPermalink }}
-- layouts/_default/list.html --
{{ .RelPermalink }}
`)
	for _, sec := range []string{"a", "b", "c", "d", "e"} {
		b.WriteString("-- content/" + sec + "/_index.md --\n---\ntitle: Sec " + sec + "\nslug: s-" + sec + "\n---\n")
		b.WriteString("-- content/" + sec + "/x/_index.md --\n---\ntitle: Sub\n---\n")
		b.WriteString("-- content/" + sec + "/x/y/my-post.md --\n---\ntitle: \"Hello, World!\"\ndate: 2020-04-05T10:00:00+05:30\nslug: the-slug\ntags: [Go Lang]\n---\n")
		b.WriteString("-- content/" + sec + "/x/y/bundle/index.md --\n---\ntitle: Bundle Page\ndate: 2021-12-31\n---\n")
	}
	return b.String()
}

// Hugo's permalink tokens. The list of pages is what Hugo 0.111 writes for
// the same site (checked by hand), page for page.
func TestPermalinks(t *testing.T) {
	dir := testsite.New(t, permalinkSite())
	_, pub := build(t, dir)
	want := []string{
		"2020/04/05/the-slug/index.html", "2021/12/31/bundle-page/index.html",
		"a/index.html", "a/x/index.html", "april/0/sunday/96/hello-world/index.html",
		"b/index.html", "b/x/index.html", "c/index.html", "c/x/bundle/index.html", "c/x/index.html", "c/x/my-post/index.html",
		"categories/index.html", "d/index.html", "d/x/index.html", "december/5/friday/365/bundle-page/index.html",
		"e/bundle/index.html", "e/index.html", "e/my-post/index.html", "e/x/index.html", "index.html",
		"tags/index.html", "topic/go-lang/index.html", "x/bundle/index.html", "x/the-slug/index.html",
	}
	if got := htmlFiles(t, pub); !slices.Equal(got, want) {
		t.Errorf("pages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	assertFile(t, pub, "x/the-slug/index.html", "/x/the-slug/")
}

// A permalink token Hugo does not know is an error naming the pattern.
func TestPermalinkUnknownToken(t *testing.T) {
	dir := testsite.New(t, "-- hugo.toml --\ntitle = \"T\"\n[permalinks]\nposts = \"/:yaer/:slug/\"\n-- content/posts/a.md --\n+++\n+++\n")
	err := buildErr(t, dir)
	if !strings.Contains(err, `hugo.toml: permalinks.posts: "/:yaer/:slug/": unknown token :yaer`) {
		t.Errorf("err = %s", err)
	}
}

// buildErr builds dir, which must fail, and returns the error's text.
func buildErr(t *testing.T, dir string) string {
	t.Helper()
	_, err := generator.Build(context.Background(), generator.Options{Source: dir, Now: testNow})
	if err == nil {
		t.Fatal("build succeeded, want an error")
	}
	return err.Error()
}

// Tokens newer Hugo added: Go date layouts, :sectionslug(s), :sections[…],
// :contentbasename and :slugorcontentbasename.
func TestPermalinksNewerTokens(t *testing.T) {
	dir := testsite.New(t, `
-- hugo.yaml --
title: T
permalinks:
  page:
    posts: /:2006/:Jan/:sectionslug/:slugorcontentbasename/
    docs: /:sections[last]/:contentbasename/
    notes: /:sectionslugs/:title/
  section:
    notes: /n/:slug/
-- layouts/_default/single.html --
{{ .RelPermalink }}
-- layouts/_default/list.html --
{{ .RelPermalink }}
-- content/posts/_index.md --
---
title: Posts
slug: writing
---
-- content/posts/hello.md --
---
title: Hi There
date: 2020-04-05
---
-- content/docs/_index.md --
---
title: Docs
---
-- content/docs/guide/_index.md --
---
title: The Guide
---
-- content/docs/guide/start.md --
---
title: Start
---
-- content/notes/_index.md --
---
title: My Notes
---
-- content/notes/deep/_index.md --
---
title: Deep
slug: d
---
-- content/notes/deep/n1.md --
---
title: Note One
---
`)
	_, pub := build(t, dir)
	for _, f := range []string{"2020/apr/writing/hello/index.html", "guide/start/index.html", "my-notes/d/note-one/index.html", "n/my-notes/index.html"} {
		assertFile(t, pub, f, "/"+strings.TrimSuffix(f, "index.html"))
	}
}

// The keys of issue 11 that change what is written, in one Hugo site.
func TestHugoConfigKeys(t *testing.T) {
	dir := testsite.New(t, `
-- hugo.yaml --
baseURL: https://example.org/blog/
title: Blog
contentDir: writing
summaryLength: 3
uglyURLs: true
relativeURLs: true
disableKinds: [taxonomy, sitemap]
disableAliases: true
outputs:
  section: [HTML]
menus:
  main:
    - name: About
      pageRef: /about
      weight: 2
    - identifier: more
      name: More
      url: /more/
      weight: 3
-- layouts/_default/baseof.html --
<nav>{{ range .Site.Menus.main }}<a href="{{ .URL }}">{{ .Name }}</a>{{ range .Children }}[{{ .Name }} {{ .URL }}]{{ end }};{{ end }}</nav>
{{ block "main" . }}{{ end }}
-- layouts/_default/single.html --
{{ define "main" }}<h1>{{ .Title }}</h1><a href="{{ "/" | relURL }}">home</a>{{ end }}
-- layouts/_default/list.html --
{{ define "main" }}main={{ .Site.MainSections }} param={{ .Site.Params.mainSections }}{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>:{{ .Summary }};{{ end }}{{ end }}
-- writing/about.md --
---
title: About
aliases: [/old-about/]
---
-- writing/post/one.md --
---
title: One
tags: [a]
menu:
  main:
    parent: more
    weight: 1
---
one two three four five
-- writing/post/two.md --
---
title: Two
menu: footer
---
-- writing/notes/n.md --
---
title: N
---
-- content/ignored.md --
---
title: Not read: contentDir is writing/
---
`)
	_, pub := build(t, dir)
	// uglyURLs: pages and sections as .html; relativeURLs: links relative
	// to the page; menus from the config and from front matter, nested.
	about := assertFile(t, pub, "about.html", `<h1>About</h1><a href="./blog/">home</a>`,
		`<a href="./blog/about.html">About</a>;`, `<a href="./blog/more/">More</a>[One /blog/post/one.html];`)
	if strings.Contains(about, "Two") {
		t.Errorf("the footer menu leaked into main:\n%s", about)
	}
	assertFile(t, pub, "post/one.html", `<a href="../blog/about.html">About</a>`)
	// summaryLength: 3 words; mainSections: the section with most pages.
	assertFile(t, pub, "post.html", "main=[post] param=[post]", "One</a>:one two three;")
	assertFile(t, pub, "index.html", `<a href="./blog/about.html">About</a>`)
	for _, gone := range []string{"ignored.html", "tags/index.html", "tags.html", "sitemap.xml", "old-about.html", "old-about/index.html", "post/index.xml"} {
		assertNoFile(t, pub, gone)
	}
	assertFile(t, pub, "index.xml", "<title>One</title>") // the home feed stays
	assertFile(t, pub, "tags/a.html", "One")              // terms stay: only taxonomy is disabled
}

// The built-in theme's home page shows a Hugo blog: with none of the
// hub's sections, it lists the regular pages of mainSections.
func TestDefaultThemeHomeShowsABlog(t *testing.T) {
	dir := testsite.New(t, `
-- hugo.toml --
baseURL = "https://example.org/"
title = "A Blog"
-- content/post/first.md --
---
title: First post
date: 2024-01-01
---
Hello from the first post.
-- content/post/second.md --
---
title: Second post
date: 2024-02-01
---
And the second.
-- content/about/index.md --
---
title: About
---
-- content/homepage/index.md --
---
headless: true
title: Widget
---
`)
	_, pub := build(t, dir)
	home := assertFile(t, pub, "index.html", `<a href="/post/second/">Second post</a>`, `<a href="/post/first/">First post</a>`, "Hello from the first post.")
	if strings.Index(home, "Second post") > strings.Index(home, "First post") {
		t.Errorf("newest first, please:\n%s", home)
	}
	if strings.Contains(home, "Widget") || strings.Contains(home, ">About<") && !strings.Contains(home, "<nav") {
		t.Errorf("home lists a page outside mainSections:\n%s", home)
	}
}
