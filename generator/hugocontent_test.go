package generator_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/agora-hub/agora/internal/testsite"
)

// The content tree as Hugo reads it. The expected pages and files were
// checked against Hugo 0.111 on the same site (layouts print what the
// test asserts); where Agora follows newer Hugo instead, the line says so.
func TestHugoContentTree(t *testing.T) {
	dir := testsite.New(t, `
-- site.toml --
baseURL = "https://example.org/"
title = "T"
-- layouts/_default/single.html --
single {{ .Title }} section={{ .Section }} type={{ .Type }} link={{ .LinkTitle }} rel={{ .RelPermalink }}
-- layouts/_default/list.html --
list {{ .Title }} {{ range .Pages }}[{{ .Title }} {{ .Kind }}]{{ end }} regular: {{ range .Site.RegularPages }}<{{ .Title }}>{{ end }} hp={{ with .Site.GetPage "/homepage" }}{{ .Title }} {{ .Content }}{{ end }}
-- content/about/index.md --
---
title: About
---
about
-- content/homepage/index.md --
---
title: HP
headless: true
---
hp *text*
-- content/homepage/img.png --
x
-- content/homepage/widget.md --
---
title: W
---
w
-- content/posts/p1.markdown --
---
title: P1
aliases: [old, ../older/, /abs]
---
p1
-- content/posts/p2/index.mdown --
---
title: P2
linkTitle: Two
build:
  list: local
---
p2
-- content/posts/p2/notes.md --
n
-- content/posts/_index.markdown --
+++
title = "Posts"
+++
-- content/drafts/_index.md --
---
title: Hidden section
build: {render: never, list: never}
cascade:
  build: {render: never, list: never}
---
-- content/drafts/x.md --
---
title: X
---
-- content/linked/index.md --
---
title: Linked
build: {render: link}
---
`)
	_, pub := build(t, dir)
	// A top-level leaf bundle is a page at the top, not a section.
	assertFile(t, pub, "about/index.html", "single About section= type=page link=About rel=/about/")
	assertFile(t, pub, "posts/p2/index.html", "single P2 section=posts type=posts link=Two rel=/posts/p2/")
	assertFile(t, pub, "posts/p1/index.html", "single P1 section=posts")
	// Hugo 0.111 lists a "local" page site-wide too; Agora follows the
	// documented (and newer Hugo's) meaning: only its section lists it.
	assertFile(t, pub, "index.html", "list T [About page][Linked page][Posts section] regular: &lt;About>&lt;Linked>&lt;P1> hp=HP <p>hp <em>text</em></p>")
	assertFile(t, pub, "posts/index.html", "list Posts [P1 page][P2 page]")
	// Relative aliases resolve from the folder above the page's URL.
	for _, a := range []string{"posts/old/index.html", "older/index.html", "abs/index.html"} {
		assertFile(t, pub, a, `url=https://example.org/posts/p1/`)
	}
	// A headless bundle publishes its files but no page; a bundle's
	// Markdown files are never published.
	assertFile(t, pub, "homepage/img.png", "x")
	for _, gone := range []string{"homepage/index.html", "homepage/widget.md", "homepage/widget/index.html",
		"posts/p2/notes.md", "drafts/index.html", "drafts/x/index.html", "linked/index.html"} {
		assertNoFile(t, pub, gone)
	}
	if sm := testsite.Read(t, pub, "sitemap.xml"); strings.Contains(sm, "homepage") || strings.Contains(sm, "drafts") {
		t.Errorf("sitemap lists an unrendered page:\n%s", sm)
	}
}

// What Hugo's example sites rely on: a section's aliases and terms, the
// taxonomy and term pages' own _index.md, translations of other languages
// left out, the default language's settings, and an alias that another
// alias already writes (a warning, not a failure). Page for page and line
// for line, the HTML is what Hugo 0.111 writes for the same site, less its
// /en/ redirect and /fr/ pages: Agora builds one language.
func TestHugoExampleSiteHabits(t *testing.T) {
	dir := testsite.New(t, `
-- config.toml --
baseURL = "https://example.org/"
title = "Root title"
defaultContentLanguage = "en"
[languages.en]
title = "English title"
weight = 1
[[languages.en.menu.main]]
name = "Posts"
url = "/post/"
[languages.fr]
title = "Titre"
-- layouts/_default/single.html --
{{ .Title }}
-- layouts/_default/list.html --
{{ .Site.Title }}|{{ .Title }}|{{ range .Pages }}{{ .Title }};{{ end }}|{{ range .Site.Menus.main }}{{ .Name }}{{ end }}|{{ .Content }}
-- content/post/_index.md --
+++
title = "Posts"
aliases = ["posts", "articles"]
tags = ["index"]
+++
-- content/post/a.md --
+++
title = "A"
tags = ["go"]
aliases = ["/same/"]
+++
-- content/post/a.fr.md --
+++
title = "A en français"
+++
-- content/post/b.md --
+++
title = "B"
aliases = ["/same/"]
+++
-- content/tags/_index.md --
+++
title = "All the tags"
+++
-- content/tags/go/_index.md --
+++
title = "Go, the language"
+++
About Go.
`)
	res, pub := build(t, dir)
	want := []string{"articles/index.html", "categories/index.html", "index.html", "post/a/index.html", "post/b/index.html", "post/index.html",
		"posts/index.html", "same/index.html", "tags/go/index.html", "tags/index.html", "tags/index/index.html"}
	if got := htmlFiles(t, pub); !slices.Equal(got, want) {
		t.Errorf("pages:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	assertFile(t, pub, "index.html", "English title|English title|Posts;|Posts|")
	assertFile(t, pub, "tags/index.html", "|All the tags|Go, the language;index;|")
	assertFile(t, pub, "tags/go/index.html", "|Go, the language|A;|", "<p>About Go.</p>")
	assertFile(t, pub, "tags/index/index.html", "|index|Posts;|")
	assertFile(t, pub, "posts/index.html", `url=https://example.org/post/`)
	for _, w := range []string{"content: 1 files in other languages left out (post/a.fr.md …)", "alias /same/ left out"} {
		if !slices.ContainsFunc(res.Warnings, func(s string) bool { return strings.Contains(s, w) }) {
			t.Errorf("no warning %q in %q", w, res.Warnings)
		}
	}
}
