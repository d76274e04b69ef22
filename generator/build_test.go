package generator_test

import (
	"context"
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/generator"
	"github.com/agora-hub/agora/internal/testsite"
)

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func build(t *testing.T, dir string, mod ...func(*generator.Options)) (*generator.Result, string) {
	t.Helper()
	opt := generator.Options{Source: dir, Now: testNow}
	for _, m := range mod {
		m(&opt)
	}
	res, err := generator.Build(context.Background(), opt)
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return res, filepath.Join(dir, "public")
}

func assertFile(t *testing.T, dir, rel string, wants ...string) string {
	t.Helper()
	got := testsite.Read(t, dir, rel)
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q; it is:\n%s", rel, w, got)
		}
	}
	return got
}

func assertNoFile(t *testing.T, dir, rel string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, rel)); err == nil {
		t.Errorf("%s exists, want it absent", rel)
	}
}

const layouts = `
-- layouts/_default/baseof.html --
<!doctype html><title>{{ .Title }}</title><main>{{ block "main" . }}{{ end }}</main>
-- layouts/_default/single.html --
{{ define "main" }}<h1>{{ .Title }}</h1>{{ partial "by.html" . }}
<p class="meta">words={{ .WordCount }} minutes={{ .ReadingTime }} kind={{ .Kind }} section={{ .Section }}</p>
<div class="summary">{{ .Summary }}</div><div class="truncated">{{ .Truncated }}</div>
{{ .TableOfContents }}
<div class="content">{{ .Content }}</div>
{{ with .Prev }}<a class="prev" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with .Next }}<a class="next" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ range .GetTerms "tags" }}<a class="tag" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ end }}
-- layouts/_default/list.html --
{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
{{ $p := .Paginate .Pages }}{{ range $p.Pages }}<a class="item" href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}
{{ with $p.Next }}<a rel="next" href="{{ .URL }}">next</a>{{ end }}{{ end }}
-- layouts/posts/single.html --
{{ define "main" }}<h1 class="post">{{ .Title }}</h1>{{ partial "by.html" . }}{{ .Content }}{{ end }}
-- layouts/partials/by.html --
<p class="by">{{ .Params.author | default "anon" }} · {{ dateFormat "2 January 2006" .Date }} · {{ "css/x.css" | relURL }} · {{ "/tags/" | absURL }}</p>
`

func TestContentModel(t *testing.T) {
	dir := testsite.New(t, `
-- site.toml --
baseURL = "https://example.org/hub/"
title = "Hub"
timezone = "Europe/Berlin"
paginate = 2
cname = "hub.example.org"
`+layouts+`
-- content/_index.md --
+++
title = "Welcome"
+++
Home text.
-- content/tips/_index.md --
+++
title = "Tips"
+++
-- content/tips/First-Tip.md --
+++
title = "First"
date = 2026-01-01T10:00:00Z
tags = ["Go", "Community Building"]
author = "Ana"
+++
Intro paragraph.

<!--more-->

## Part one

More.
-- content/tips/second.md --
+++
title = "Second"
date = 2026-02-01T10:00:00Z
tags = ["go"]
+++
Second body.
-- content/tips/third.md --
+++
title = "Third"
date = 2026-02-15T10:00:00Z
+++
Third.
-- content/tips/draft.md --
+++
title = "Draft"
date = 2026-01-01T10:00:00Z
draft = true
+++
-- content/tips/future.md --
+++
title = "Future"
date = 2026-01-01T10:00:00Z
publishDate = 2027-01-01T10:00:00Z
+++
-- content/tips/expired.md --
+++
title = "Expired"
date = 2026-01-01T10:00:00Z
expiryDate = 2026-02-01
+++
-- content/tips/berlin-morning.md --
+++
title = "Berlin morning"
date = 2026-03-01T12:30:00
+++
Published at 12:30 Berlin time, which is 11:30 UTC: before the clock.
-- content/tips/berlin-evening.md --
+++
title = "Berlin evening"
date = 2026-03-01T13:30:00
+++
Scheduled for 13:30 Berlin, 12:30 UTC: after the 12:00 UTC clock.
-- content/posts/_Hidden Note.md --
+++
title = "Hidden"
date = 2026-01-03T10:00:00Z
aliases = ["/old/hidden/"]
+++
-- content/posts/bundle/index.md --
+++
title = "Bundle"
date = 2026-01-04T10:00:00Z
+++
![A diagram](diagram.svg)
-- content/posts/bundle/diagram.svg --
<svg xmlns="http://www.w3.org/2000/svg"/>
-- content/posts/bundle/notes.md --
not a page
-- static/css/x.css --
body{}
`)
	res, pub := build(t, dir)

	if res.Skipped.Drafts != 1 || res.Skipped.Future != 2 || res.Skipped.Expired != 1 {
		t.Errorf("skipped = %+v, want 1 draft, 2 future, 1 expired", res.Skipped)
	}
	if s := res.String(); !strings.Contains(s, "left out 1 draft, 2 future, 1 expired") {
		t.Errorf("summary %q does not say what was left out", s)
	}
	// Lower-case URLs; no path segment starting with "_".
	assertFile(t, pub, "tips/first-tip/index.html", "<h1>First</h1>", `<p class="by">Ana · 1 January 2026 · /hub/css/x.css · https://example.org/hub/tags/</p>`)
	assertFile(t, pub, "posts/hidden-note/index.html", `<h1 class="post">Hidden</h1>`)
	// Dates without offset are read in the site's zone.
	assertFile(t, pub, "tips/berlin-morning/index.html")
	assertNoFile(t, pub, "tips/berlin-evening/index.html")
	for _, gone := range []string{"tips/draft/index.html", "tips/future/index.html", "tips/expired/index.html"} {
		assertNoFile(t, pub, gone)
	}
	// Summary, word count, reading time, TOC, Prev/Next within the section.
	second := assertFile(t, pub, "posts/bundle/index.html", `<img src="diagram.svg" alt="A diagram"`)
	_ = second
	assertFile(t, pub, "tips/second/index.html",
		"words=2 minutes=1 kind=page section=tips",
		`<a class="prev" href="/hub/tips/first-tip/">First</a>`,
		`<a class="next" href="/hub/tips/third/">Third</a>`,
		`<a class="tag" href="/hub/tags/go/">Go</a>`)
	// Leaf bundle resources are copied, Markdown in a bundle is not a page.
	assertFile(t, pub, "posts/bundle/diagram.svg", "<svg")
	assertNoFile(t, pub, "posts/bundle/notes/index.html")
	// Taxonomies: terms are urlized, the first spelling is the title.
	assertFile(t, pub, "tags/index.html", `href="/hub/tags/community-building/"`, `href="/hub/tags/go/"`)
	assertFile(t, pub, "tags/go/index.html", "<h1>Go</h1>", `href="/hub/tips/first-tip/"`, `href="/hub/tips/second/"`)
	// Pagination: 4 tips at 2 a page.
	assertFile(t, pub, "tips/index.html", `<a rel="next" href="/hub/tips/page/2/">`)
	assertFile(t, pub, "tips/page/2/index.html", `class="item"`)
	assertFile(t, pub, "tips/page/1/index.html", `http-equiv="refresh" content="0; url=https://example.org/hub/tips/"`)
	// Aliases redirect.
	assertFile(t, pub, "old/hidden/index.html", `<link rel="canonical" href="https://example.org/hub/posts/hidden-note/">`)
	// GitHub Pages files.
	assertFile(t, pub, ".nojekyll")
	assertFile(t, pub, "CNAME", "hub.example.org")
	assertFile(t, pub, "robots.txt", "Sitemap: https://example.org/hub/sitemap.xml")
	assertFile(t, pub, "css/x.css")
	if n := testsite.CheckLinks(t, pub, "https://example.org/hub/"); n < 20 {
		t.Errorf("checked only %d links", n)
	}
}

func TestSummaryAndTOC(t *testing.T) {
	long := strings.Repeat("word ", 100)
	dir := testsite.New(t, `
-- site.toml --
title = "Hub"
`+layouts+`
-- content/notes/long.md --
+++
title = "Long"
date = 2026-01-01T00:00:00Z
+++
`+long+`

## First heading

### Nested

## Second heading
-- content/notes/fm.md --
+++
title = "FM"
date = 2026-01-01T00:00:00Z
summary = "Front-matter *summary*."
+++
Body.
`)
	_, pub := build(t, dir)
	got := assertFile(t, pub, "notes/long/index.html", `<nav id="TableOfContents" aria-label="Table of contents">`, `href="#first-heading"`, `<div class="truncated">true</div>`)
	m := regexp.MustCompile(`(?s)<div class="summary">(.*?)</div>`).FindStringSubmatch(got)
	if m == nil || len(strings.Fields(m[1])) != 70 {
		t.Errorf("auto summary is not 70 words: %q", m)
	}
	assertFile(t, pub, "notes/fm/index.html", "Front-matter <em>summary</em>.")
}

func TestStaleFilesRemoved(t *testing.T) {
	dir := testsite.New(t, "-- site.toml --\ntitle = \"Hub\"\n"+layouts+"-- content/posts/old.md --\n+++\ntitle = \"Old\"\n+++\n-- content/posts/new.md --\n+++\ntitle = \"New\"\n+++\n")
	_, pub := build(t, dir)
	assertFile(t, pub, "posts/old/index.html")
	if err := os.Remove(filepath.Join(dir, "content/posts/old.md")); err != nil {
		t.Fatal(err)
	}
	build(t, dir)
	assertNoFile(t, pub, "posts/old/index.html")
	assertFile(t, pub, "posts/new/index.html")
}

func TestRawHTMLIsOptIn(t *testing.T) {
	page := "-- content/posts/raw.md --\n+++\ntitle = \"Raw\"\n+++\n<div class=\"raw\">kept?</div>\n\n[click](javascript:alert(1))\n\n<a href=\"javascript:alert(2)\">x</a>\n"
	for _, unsafe := range []bool{false, true} {
		cfg := "-- site.toml --\ntitle = \"Hub\"\n"
		if unsafe {
			cfg += "[markup]\nunsafe = true\n"
		}
		dir := testsite.New(t, cfg+layouts+page)
		_, pub := build(t, dir)
		got := testsite.Read(t, pub, "posts/raw/index.html")
		if strings.Contains(got, `<div class="raw">`) != unsafe {
			t.Errorf("unsafe=%v: raw HTML kept=%v", unsafe, !unsafe)
		}
		if strings.Contains(strings.ToLower(got), "javascript:") {
			t.Errorf("unsafe=%v: a javascript: URL was emitted:\n%s", unsafe, got)
		}
	}
}

type rssDoc struct {
	Channel struct {
		Title string   `xml:"title"`
		Links []string `xml:"link"`
		Items []struct {
			Title       string `xml:"title"`
			Link        string `xml:"link"`
			GUID        string `xml:"guid"`
			Description string `xml:"description"`
		} `xml:"item"`
	} `xml:"channel"`
}

func TestFeedsAndSitemap(t *testing.T) {
	dir := testsite.New(t, `
-- site.toml --
baseURL = "https://example.org/hub/"
title = "Hub & <Friends>"
rssLimit = 2
`+layouts+`
-- content/tips/a.md --
+++
title = "A & B"
id = "tip-0001"
date = 2026-01-01T00:00:00Z
tags = ["go"]
+++
See [the other tip](/tips/b/) and ![img](pic.png).
-- content/tips/b.md --
+++
title = "B"
date = 2026-01-02T00:00:00Z
+++
B.
-- content/tips/c.md --
+++
title = "C"
date = 2026-01-03T00:00:00Z
+++
C.
`)
	_, pub := build(t, dir)
	for _, f := range []string{"index.xml", "tips/index.xml", "tags/go/index.xml"} {
		var doc rssDoc
		if err := xml.Unmarshal([]byte(testsite.Read(t, pub, f)), &doc); err != nil {
			t.Fatalf("%s does not parse: %v", f, err)
		}
		if len(doc.Channel.Links) == 0 || !strings.HasPrefix(doc.Channel.Links[0], "https://example.org/hub/") {
			t.Errorf("%s: channel link %q", f, doc.Channel.Links)
		}
	}
	var home rssDoc
	_ = xml.Unmarshal([]byte(testsite.Read(t, pub, "index.xml")), &home)
	if len(home.Channel.Items) != 2 || home.Channel.Items[0].Title != "C" {
		t.Errorf("home feed items = %+v, want the newest 2 (rssLimit)", home.Channel.Items)
	}
	var tag rssDoc
	_ = xml.Unmarshal([]byte(testsite.Read(t, pub, "tags/go/index.xml")), &tag)
	it := tag.Channel.Items[0]
	if it.GUID != "tip-0001" || it.Title != "A & B" {
		t.Errorf("item = %+v; want the front-matter id as GUID", it)
	}
	for _, w := range []string{`href="https://example.org/hub/tips/b/"`, `src="https://example.org/hub/tips/a/pic.png"`} {
		if !strings.Contains(it.Description, w) {
			t.Errorf("feed item content lacks absolute URL %s: %s", w, it.Description)
		}
	}
	var sm struct {
		URLs []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal([]byte(testsite.Read(t, pub, "sitemap.xml")), &sm); err != nil {
		t.Fatal(err)
	}
	if len(sm.URLs) < 5 {
		t.Errorf("sitemap has %d URLs", len(sm.URLs))
	}
	for _, u := range sm.URLs {
		if !strings.HasPrefix(u.Loc, "https://example.org/hub/") {
			t.Errorf("sitemap loc %q lacks the base", u.Loc)
		}
	}
}

// TestHugoCorpusLayouts renders the minimal layouts that ../shared/corpus
// writes for Hugo, unchanged (copied into testdata/hugo-layouts).
func TestHugoCorpusLayouts(t *testing.T) {
	dir := testsite.New(t, "-- site.toml --\nbaseURL = \"https://example.org/hub/\"\ntitle = \"Hub\"\n-- content/tips/a.md --\n+++\ntitle = \"A\"\ndate = 2020-01-01T09:00:00Z\ntags = [\"go\", \"community\"]\n+++\n\n## Hi\n\nText.\n")
	copyDir(t, "testdata/hugo-layouts", filepath.Join(dir, "layouts"))
	_, pub := build(t, dir)
	assertFile(t, pub, "tips/a/index.html", "<title>A | Hub</title>", `<a href="/hub/tags/go/">go</a>`, "<time>2020-01-01</time>")
	assertFile(t, pub, "index.html", `<a href="/hub/">Hub</a>`)
	testsite.CheckLinks(t, pub, "https://example.org/hub/")
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(to, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestThemeChoice: the built-in theme serves a site with no layouts; a site
// with its own layouts and no theme key gets none (Hugo's rule), so its
// _default/list.html renders the home page.
func TestThemeChoice(t *testing.T) {
	page := "-- content/posts/a.md --\n+++\ntitle = \"A\"\n+++\n"
	bare := testsite.New(t, "-- site.toml --\ntitle = \"Hub\"\n"+page)
	_, pub := build(t, bare)
	assertFile(t, pub, "css/main.css")
	assertFile(t, pub, "index.html", `<main id="main"`)

	own := testsite.New(t, "-- site.toml --\ntitle = \"Hub\"\n"+layouts+page)
	_, pub = build(t, own)
	assertNoFile(t, pub, "css/main.css")
	assertFile(t, pub, "index.html", `<a class="item" href="/posts/">Posts</a>`)

	both := testsite.New(t, "-- site.toml --\ntitle = \"Hub\"\ntheme = \"default\"\n"+layouts+page)
	_, pub = build(t, both)
	assertFile(t, pub, "css/main.css")
}

// TestDatesKeepTheirOffset: a date written with an offset prints as
// written, as in Hugo (a guest author's "+05:30" morning is not moved to
// the night before), and one without an offset is read in the site's zone
// (not the machine's, which is UTC on CI), in every front-matter format.
func TestDatesKeepTheirOffset(t *testing.T) {
	dir := t.TempDir()
	testsite.Write(t, dir, `
-- site.toml --
baseURL = "https://example.org/"
title = "Clock"
timezone = "Europe/Berlin"
-- layouts/_default/single.html --
<p>{{ .Date.Format "2006-01-02 15:04 MST" }}</p>
-- layouts/_default/list.html --
{{ range .Pages }}{{ .Title }};{{ end }}
-- content/tips/guest.md --
+++
title = "Guest"
date = 2026-02-01T09:00:00+05:30
+++
-- content/tips/local.md --
+++
title = "Local"
date = 2026-02-01T09:00:00
+++
-- content/tips/early.md --
---
title: Early
date: 2020-04-01T01:00:00+05:30
---
-- content/tips/yaml-local.md --
---
title: YAML local
date: 2020-04-01 08:15
---
-- content/tips/json-day.md --
{"title": "JSON day", "date": "2020-04-01"}
`)
	_, pub := build(t, dir)
	tests := []struct{ page, want string }{
		{"tips/guest/index.html", "2026-02-01 09:00 &#43;0530"},
		{"tips/local/index.html", "2026-02-01 09:00 CET"},
		{"tips/early/index.html", "2020-04-01 01:00 &#43;0530"},
		{"tips/yaml-local/index.html", "2020-04-01 08:15 CEST"},
		{"tips/json-day/index.html", "2020-04-01 00:00 CEST"},
	}
	for _, tc := range tests {
		assertFile(t, pub, tc.page, tc.want)
	}
}
