package generator_test

import (
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
