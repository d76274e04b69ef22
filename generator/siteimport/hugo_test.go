package siteimport

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agora-hub/agora/internal/testsite"
)

// TestHugo imports small Hugo sites and checks the new site, the report
// and the build.
func TestHugo(t *testing.T) {
	for _, tc := range []struct {
		name      string
		site      string
		same      []string            // files copied byte for byte
		files     map[string][]string // in the new site
		pages     map[string][]string // in its build
		converted []string
		skipped   []string
		lost      []string
		problems  []string // trial build warnings or errors
		fails     bool     // the trial build fails
	}{
		{
			name: "configuration files merged into site.toml, keys Agora lacks listed",
			site: `-- hugo.yaml --
baseURL: https://example.org/blog/
title: Blog
enableEmoji: true
privacy:
  youtube:
    privacyEnhanced: true
params:
  subtitle: Notes
-- config/_default/params.toml --
author = "Ada"
-- config/_default/menus.toml --
[[main]]
name = "About"
url = "/about/"
weight = 1
-- config/development/hugo.toml --
buildDrafts = true
-- content/about.md --
---
title: About
---
Hello.
`,
			files: map[string][]string{"site.toml": {
				"# Imported by agora import from hugo.yaml, config/_default/menus.toml, config/_default/params.toml.",
				`baseURL = "https://example.org/blog/"`, `subtitle = "Notes"`, `author = "Ada"`, "[[menus.main]]", `name = "About"`,
				"absent:enableEmoji", "absent:privacy", "absent:buildDrafts"}},
			pages:     map[string][]string{"about/index.html": {"Hello.", `href="/blog/about/"`}},
			converted: []string{"hugo.yaml, config/_default/menus.toml, config/_default/params.toml → site.toml", "left out of site.toml, as Agora already behaves so or they tune only Hugo: privacy"},
			lost:      []string{"hugo.yaml:3: enableEmoji: Agora does not replace :emoji: codes"},
		},
		{
			name: "content in every front-matter format is copied as it is",
			site: `-- config.toml --
title = "Site"
-- content/posts/yaml.md --
---
title: YAML
tags: [a]
---
From YAML.
-- content/posts/json.md --
{
  "title": "JSON"
}
From JSON.
-- content/posts/toml.md --
+++
title = "TOML"
+++
From TOML. {{< figure src="pic.png" alt="A picture" >}}
-- content/trip/index.md --
---
title: Trip
---
![Map](map.png)
-- content/trip/map.png --
png
-- static/robots.txt --
User-agent: *
-- assets/main.scss --
a {}
-- data/team.yaml --
- Ada
-- i18n/en.yaml --
more: Read more
-- archetypes/default.md --
+++
title = "{{ .Name }}"
+++
-- README.md --
Read me
-- netlify.toml --
[build]
`,
			same: []string{"content/posts/yaml.md", "content/posts/json.md", "content/posts/toml.md", "content/trip/index.md", "content/trip/map.png",
				"static/robots.txt", "assets/main.scss", "data/team.yaml", "i18n/en.yaml", "archetypes/default.md"},
			files: map[string][]string{"!README.md": nil, "!netlify.toml": nil, ".gitignore": {"*.db", "absent:/data/"},
				".github/workflows/pages.yml": {"AGORA_VERSION: v1.2.3"}},
			pages: map[string][]string{
				"posts/yaml/index.html": {"From YAML."}, "posts/json/index.html": {"From JSON."},
				"posts/toml/index.html": {"From TOML.", `<figure>`, `alt="A picture"`}, "trip/map.png": {"png"},
			},
			skipped: []string{"not part of a Hugo site's build: README.md, netlify.toml"},
		},
		{
			name: "an HTML content page becomes Markdown that keeps its HTML",
			site: `-- hugo.toml --
title = "Site"
-- content/legacy.html --
---
title: Legacy
---
<div class="old">
    <p>Kept as it was.</p>

        <p>Even indented.</p>
</div>
-- content/plain.html --
<p>No front matter: a file, copied as it is.</p>
-- content/notes.adoc --
---
title: Notes
---
== AsciiDoc
`,
			files: map[string][]string{
				"content/legacy.md":               {"title: Legacy", "{{< rawhtml >}}", "        <p>Even indented.</p>", "{{< /rawhtml >}}"},
				"layouts/shortcodes/rawhtml.html": {".Inner"},
				"site.toml":                       {`theme = "default"`},
				"content/plain.html":              {"No front matter"},
				"!content/notes.adoc":             nil,
				"!content/legacy.html":            nil,
			},
			pages:     map[string][]string{"legacy/index.html": {`<div class="old">`, "<p>Even indented.</p>"}, "plain.html": {"No front matter"}},
			converted: []string{"content/legacy.html: an HTML page → content/legacy.md"},
			lost:      []string{"content/notes.adoc: left out: Agora renders Markdown only"},
		},
		{
			name: "a theme that is not in the site: the built-in theme, and how to bring it",
			site: `-- hugo.toml --
title = "Site"
theme = ["ananke", "shortcodes"]
[module]
[[module.imports]]
path = "github.com/theNewDynamic/gohugo-theme-ananke"
-- content/a.md --
+++
title = "A"
+++
Text of A.
`,
			files: map[string][]string{"site.toml": {"absent:theme", "absent:module"}},
			pages: map[string][]string{"a/index.html": {"Text of A."}},
			lost: []string{`theme "ananke" is not in themes/ananke/`, "module: Agora has no Hugo modules",
				`theme: Agora uses one theme, "ananke"; the theme components shortcodes are left out`},
		},
		{
			name: "a theme in themes/ comes along",
			site: `-- hugo.toml --
title = "Site"
theme = "mini"
-- themes/mini/layouts/_default/baseof.html --
<!doctype html><title>{{ .Title }}</title><main class="mini">{{ block "main" . }}{{ end }}</main>
-- themes/mini/layouts/_default/single.html --
{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}
-- themes/mini/layouts/_default/list.html --
{{ define "main" }}{{ range .Pages }}{{ .Title }}{{ end }}{{ end }}
-- content/a.md --
+++
title = "A"
+++
Text of A.
`,
			same:  []string{"themes/mini/layouts/_default/baseof.html"},
			files: map[string][]string{"site.toml": {`theme = "mini"`}},
			pages: map[string][]string{"a/index.html": {`<main class="mini"><h1>A</h1>`}},
		},
		{
			name: "layouts that use what Agora lacks: the site is written, the build's errors name them",
			site: `-- hugo.toml --
title = "Site"
-- layouts/_default/single.html --
<h1>{{ .Title }}</h1>
{{ nosuchfunction .Content }}
-- layouts/_default/list.html --
{{ range .Pages }}{{ .Title }}{{ end }}
-- layouts/_default/_markup/render-image.html --
<img src="{{ .Destination }}" alt="{{ .Text }}" loading="lazy">
-- content/a.md --
+++
title = "A"
+++
`,
			same:     []string{"layouts/_default/single.html", "content/a.md"},
			lost:     []string{"layouts/_default/_markup/render-image.html: a render hook"},
			problems: []string{`layouts/_default/single.html:2: function "nosuchfunction" not defined`},
			fails:    true,
		},
		{
			name: "other languages' pages are listed",
			site: `-- hugo.toml --
title = "Site"
defaultContentLanguage = "en"
[languages.en]
title = "Site in English"
[languages.fr]
title = "Site en français"
-- content/about.md --
+++
title = "About"
+++
-- content/about.fr.md --
+++
title = "À propos"
+++
`,
			same:     []string{"content/about.fr.md"},
			files:    map[string][]string{"site.toml": {`title = "Site in English"`, "[languages.fr]"}},
			pages:    map[string][]string{"about/index.html": {"About"}, "!about.fr/index.html": nil},
			lost:     []string{"languages: Agora builds one language; the pages in fr are left out"},
			problems: []string{"files in other languages left out"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := testsite.New(t, tc.site)
			im := importSite(t, Hugo, tc.site)
			report := im.report()
			if im.r.BuildFailed != tc.fails {
				t.Fatalf("BuildFailed = %v, want %v:\n%s", im.r.BuildFailed, tc.fails, report)
			}
			for _, rel := range tc.same {
				if got, want := testsite.Read(t, im.site, rel), testsite.Read(t, src, rel); got != want {
					t.Errorf("%s changed:\n%s\nwant\n%s", rel, got, want)
				}
			}
			checkFiles(t, im.site, tc.files)
			if !tc.fails {
				checkFiles(t, im.public, tc.pages)
			}
			checkNotes(t, "converted", im.r.Converted, tc.converted, report)
			checkNotes(t, "skipped", im.r.Skipped, tc.skipped, report)
			checkNotes(t, "lost", im.r.Lost, tc.lost, report)
			for _, p := range tc.problems {
				if !strings.Contains(strings.Join(im.r.BuildProblems, "\n"), p) {
					t.Errorf("no build problem holds %q:\n%s", p, report)
				}
			}
			lossless := len(tc.lost) == 0 && len(tc.problems) == 0 && !tc.fails
			if im.r.Lossless() != lossless {
				t.Errorf("Lossless() = %v, want %v:\n%s", im.r.Lossless(), lossless, report)
			}
		})
	}
}

// TestImportRefuses checks what an import refuses, for both kinds: a
// link out of the source, a target that is not empty or is inside the
// source, and a folder that is not a site. Nothing is written, not even a
// staging folder.
func TestImportRefuses(t *testing.T) {
	const hugoSite = "-- hugo.toml --\ntitle = \"S\"\n-- content/a.md --\n+++\ntitle = \"A\"\n+++\n"
	const jekyllSite = "-- _config.yml --\ntitle: S\n-- _posts/2024-01-01-a.md --\n---\ntitle: A\n---\n"
	for _, tc := range []struct {
		name  string
		fn    importer
		site  string
		setup func(t *testing.T, src, dst string) string // returns the target to use
		want  string
	}{
		{"hugo: a content file linked out of the site", Hugo, hugoSite, linkOut("content/leak.md"), "content/leak.md: symbolic link to /"},
		{"hugo: a static folder linked out of the site", Hugo, hugoSite, linkOut("static"), "static: symbolic link to /"},
		{"hugo: the configuration linked out", Hugo, "-- content/a.md --\n", linkOut("hugo.toml"), "hugo.toml: symbolic link to /"},
		{"jekyll: a post linked out of the site", Jekyll, jekyllSite, linkOut("_posts/2024-01-02-leak.md"), "_posts/2024-01-02-leak.md: symbolic link to /"},
		{"jekyll: an asset linked out of the site", Jekyll, jekyllSite, linkOut("assets/leak.css"), "assets/leak.css: symbolic link to /"},
		{"hugo: a target that is not empty", Hugo, hugoSite, func(t *testing.T, src, dst string) string {
			testsite.Write(t, dst, "-- keep.txt --\nmine\n")
			return dst
		}, "is not empty"},
		{"jekyll: a target that is not empty", Jekyll, jekyllSite, func(t *testing.T, src, dst string) string {
			testsite.Write(t, dst, "-- keep.txt --\nmine\n")
			return dst
		}, "is not empty"},
		{"a target inside the source", Hugo, hugoSite, func(t *testing.T, src, dst string) string {
			return filepath.Join(src, "new")
		}, "must not be inside one another"},
		{"hugo: not a Hugo site", Hugo, "-- content/a.md --\n", nil, "is not a Hugo site"},
		{"jekyll: not a Jekyll site", Jekyll, "-- index.md --\n", nil, "is not a Jekyll site"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := testsite.New(t, tc.site)
			parent := t.TempDir()
			dst := filepath.Join(parent, "new")
			if tc.setup != nil {
				dst = tc.setup(t, src, dst)
			}
			before := testsite.Hashes(t, dst)
			_, err := tc.fn(t.Context(), src, dst, Options{Now: testNow})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one holding %q", err, tc.want)
			}
			after := testsite.Hashes(t, dst)
			if len(after) != len(before) {
				t.Errorf("the target changed: %v, was %v", after, before)
			}
			for _, dir := range []string{parent, src} {
				entries, _ := os.ReadDir(dir)
				for _, e := range entries {
					if strings.Contains(e.Name(), ".tmp-") {
						t.Errorf("a staging folder was left: %s", filepath.Join(dir, e.Name()))
					}
				}
			}
		})
	}
}

// linkOut replaces rel in the source with a symbolic link to a file or
// folder outside it.
func linkOut(rel string) func(t *testing.T, src, dst string) string {
	return func(t *testing.T, src, dst string) string {
		outside := testsite.New(t, "-- secret.txt --\nSECRET\n")
		target := filepath.Join(outside, "secret.txt")
		if !strings.HasSuffix(rel, ".md") && !strings.HasSuffix(rel, ".css") && !strings.HasSuffix(rel, ".toml") {
			target = outside
		}
		full := filepath.Join(src, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		os.RemoveAll(full)
		if err := os.Symlink(target, full); err != nil {
			t.Fatal(err)
		}
		return dst
	}
}

// TestImportIntoEmptyFolder checks that an existing empty folder is a
// target like a new one, and that no staging folder is left beside it.
func TestImportIntoEmptyFolder(t *testing.T) {
	src := testsite.New(t, "-- hugo.toml --\ntitle = \"S\"\n-- content/a.md --\n+++\ntitle = \"A\"\n+++\n")
	parent := t.TempDir()
	dst := filepath.Join(parent, "empty")
	if err := os.Mkdir(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	r, err := Hugo(t.Context(), src, dst, Options{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Lossless() {
		var b strings.Builder
		r.Print(&b)
		t.Errorf("not lossless:\n%s", b.String())
	}
	if got := testsite.Read(t, dst, "content/a.md"); !strings.Contains(got, `title = "A"`) {
		t.Errorf("content/a.md = %q", got)
	}
	entries, _ := os.ReadDir(parent)
	if len(entries) != 1 {
		t.Errorf("the target's folder holds %d entries, want only the new site", len(entries))
	}
}
