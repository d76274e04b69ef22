package generator_test

import (
	"context"
	"strings"
	"testing"

	"github.com/agora-hub/agora/generator"
	"github.com/agora-hub/agora/internal/testsite"
)

// TestSearchAndSocialHead checks what the built-in theme tells search
// engines and link previews: each pager page is its own canonical URL, the
// home page links the sitemap, and pages get images as Hugo's internal
// opengraph and twitter_cards templates find them.
func TestSearchAndSocialHead(t *testing.T) {
	dir := testsite.New(t, `
-- site.toml --
baseURL = "https://example.org/hub/"
title = "Hub"
paginate = 1
[params]
images = ["images/card.png"]
-- content/tips/_index.md --
+++
title = "Tips"
+++
-- content/tips/a.md --
+++
title = "A"
date = 2026-01-01
images = ["/images/a.png", "https://cdn.example.net/b.png"]
+++
-- content/tips/b/index.md --
+++
title = "B"
date = 2026-01-02
+++
-- content/tips/b/my-cover.jpg --
jpeg
-- content/tips/b/feature-photo.png --
png
-- content/tips/c/index.md --
+++
title = "C"
date = 2026-01-03
images = ["poster.png"]
+++
-- content/tips/c/poster.png --
png
`)
	_, pub := build(t, dir)
	assertFile(t, pub, "tips/page/2/index.html",
		`<link rel="canonical" href="https://example.org/hub/tips/page/2/">`,
		`<meta property="og:url" content="https://example.org/hub/tips/page/2/">`)
	assertFile(t, pub, "tips/index.html", `<link rel="canonical" href="https://example.org/hub/tips/">`)
	assertFile(t, pub, "index.html", `<link rel="sitemap" type="application/xml" href="https://example.org/hub/sitemap.xml" title="Sitemap">`)
	if strings.Contains(testsite.Read(t, pub, "tips/index.html"), `rel="sitemap"`) {
		t.Error("the sitemap is linked from a page other than home")
	}
	assertFile(t, pub, "tips/a/index.html",
		`<meta property="og:image" content="https://example.org/hub/images/a.png">`,
		`<meta property="og:image" content="https://cdn.example.net/b.png">`,
		`<meta name="twitter:card" content="summary_large_image">`,
		`<meta name="twitter:image" content="https://example.org/hub/images/a.png">`,
		`<meta name="twitter:title" content="A">`)
	// *feature* wins over *cover*, as in Hugo.
	assertFile(t, pub, "tips/b/index.html", `<meta property="og:image" content="https://example.org/hub/tips/b/feature-photo.png">`)
	// A name in images is the bundle's own resource.
	assertFile(t, pub, "tips/c/index.html", `<meta property="og:image" content="https://example.org/hub/tips/c/poster.png">`)
	// Without images of its own, a page gets the site's.
	assertFile(t, pub, "tips/index.html",
		`<meta property="og:image" content="https://example.org/hub/images/card.png">`,
		`<meta name="twitter:card" content="summary_large_image">`)

	testsite.Write(t, dir, "-- site.toml --\nbaseURL = \"https://example.org/hub/\"\ntitle = \"Hub\"\n")
	_, pub = build(t, dir)
	page := assertFile(t, pub, "tips/index.html", `<meta name="twitter:card" content="summary">`)
	if strings.Contains(page, "og:image") {
		t.Error("og:image with no image anywhere")
	}
}

// TestRobotsNote: robots.txt below a path is never read by crawlers; the
// build says so, for a project site only.
func TestRobotsNote(t *testing.T) {
	dir := testsite.New(t, "-- site.toml --\nbaseURL = \"https://user.github.io/hub/\"\ntitle = \"Hub\"\n")
	for base, want := range map[string]string{
		"https://user.github.io/hub/": "Note: crawlers read robots.txt only at the root of a host, never at https://user.github.io/hub/robots.txt;",
		"https://hub.example.org/":    "",
		"/":                           "",
	} {
		res, err := generator.Build(context.Background(), generator.Options{Source: dir, BaseURL: base, Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.RobotsNote(); !strings.HasPrefix(got, want) || (want == "") != (got == "") {
			t.Errorf("%s: note %q, want %q", base, got, want)
		}
		if strings.Contains(res.String(), "robots") {
			t.Errorf("the one-line summary mentions robots.txt: %s", res)
		}
	}
}
