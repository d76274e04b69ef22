package scaffold_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin must not depend on the machine's zoneinfo

	"github.com/agora-hub/agora/generator"
	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/scaffold"
	"github.com/agora-hub/agora/internal/testsite"
)

// now is half an hour after Berlin moved its clocks to summer time, so a
// date computed with the wrong offset shows.
var now = time.Date(2026, 3, 29, 1, 30, 0, 0, time.UTC)

const berlinNow = "2026-03-29T03:30:00+02:00"

// arch is an archetype that says where it came from in its front matter.
func arch(name string) string {
	return "+++\ntitle = \"{{ .Name }}\"\ndate = {{ .Date }}\ndraft = true\nfrom = \"" + name + "\"\n+++\n"
}

// TestArchetypeLookup drops one archetype after another, in Hugo's order:
// the site's SECTION.md, the theme's SECTION.md, the site's default.md, the
// theme's default.md, and the built-in default last.
func TestArchetypeLookup(t *testing.T) {
	const theme = "-- site.toml --\ntitle = \"Hub\"\ntimezone = \"Europe/Berlin\"\ntheme = \"mine\"\n-- themes/mine/layouts/_default/single.html --\nx\n"
	siteTips := "-- archetypes/tips.md --\n" + arch("site tips")
	themeTips := "-- themes/mine/archetypes/tips.md --\n" + arch("theme tips")
	siteDefault := "-- archetypes/default.md --\n" + arch("site default")
	themeDefault := "-- themes/mine/archetypes/default.md --\n" + arch("theme default")
	all := siteTips + themeTips + siteDefault + themeDefault

	for _, tc := range []struct {
		name, files, page  string
		wantFrom, wantArch string
	}{
		{"site section first", theme + all, "tips/x.md", "site tips", "archetypes/tips.md"},
		{"then the theme's section", theme + themeTips + siteDefault + themeDefault, "tips/x.md", "theme tips", "themes/mine/archetypes/tips.md"},
		{"then the site's default", theme + siteDefault + themeDefault, "tips/x.md", "site default", "archetypes/default.md"},
		{"then the theme's default", theme + themeDefault, "tips/x.md", "theme default", "themes/mine/archetypes/default.md"},
		{"then the built-in one", theme, "tips/x.md", "", "the built-in default archetype"},
		{"another section's archetype is not used", theme + siteTips + themeDefault, "events/x.md", "theme default", "themes/mine/archetypes/default.md"},
		{"a page outside sections uses default.md", theme + all, "about.md", "site default", "archetypes/default.md"},
		{"a bundle takes its section's archetype", theme + all, "tips/x/index.md", "site tips", "archetypes/tips.md"},
		{"no theme named: the built-in theme's", "-- site.toml --\ntitle = \"Hub\"\n" + siteDefault, "tips/x.md", "", "themes/default/archetypes/tips.md"},
		{"no theme named and own layouts: no theme, as in Hugo", "-- site.toml --\ntitle = \"Hub\"\n-- layouts/_default/single.html --\nx\n", "tips/x.md", "", "the built-in default archetype"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testsite.New(t, tc.files)
			page, err := scaffold.Content(dir, tc.page, now)
			if err != nil {
				t.Fatal(err)
			}
			if page.Archetype != tc.wantArch {
				t.Errorf("archetype %q, want %q", page.Archetype, tc.wantArch)
			}
			if want := filepath.ToSlash(filepath.Join("content", tc.page)); page.Path != want {
				t.Errorf("path %q, want %q", page.Path, want)
			}
			src := parse(t, dir, tc.page)
			if got, _ := src.Params["from"].(string); got != tc.wantFrom {
				t.Errorf("from = %q, want %q", got, tc.wantFrom)
			}
			if !src.Meta.Draft || !src.Meta.Date.Equal(now) {
				t.Errorf("draft %v, date %v; want a draft dated %v", src.Meta.Draft, src.Meta.Date, now)
			}
		})
	}
}

func parse(t *testing.T, dir, rel string) *content.Source {
	t.Helper()
	data := testsite.Read(t, dir, "content/"+rel)
	src, err := content.Parse("content/"+rel, rel, []byte(data), content.Options{Location: time.UTC})
	if err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	return src
}

// TestNewPagesBuild creates a page in each of the scaffold's sections
// from the default theme's archetypes and builds the site with drafts:
// an archetype that breaks the build would meet every new editor first.
func TestNewPagesBuild(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hub")
	if _, err := scaffold.Site(dir, "v0.4.0", true); err != nil {
		t.Fatal(err)
	}
	testsite.Write(t, dir, "-- site.toml --\ntitle = \"Hub\"\ntimezone = \"Europe/Berlin\"\n")
	for _, tc := range []struct {
		page, title string
		want        []string // lines the archetype must fill in
	}{
		{"tips/reply-within-a-day.md", "Reply Within A Day", []string{"categories = []"}},
		{"events/repair-cafe.md", "Repair Cafe", []string{
			"[event]", "start = 2026-03-29T03:00:00 ", "end = 2026-03-29T03:00:00 ", `timezone = "Europe/Berlin"`,
			`venue = "To be announced"`, `address = ""`, `online = ""`, `rsvp = ""`, "# capacity = ", "# cancelled = "}},
		{"transparency/moderation-rules_2026.md", "Moderation Rules 2026", []string{
			"[decision]", `kind = "decision"`, `status = "proposed"`, "decided = 2026-03-29", "consulted = []", "# supersedes = "}},
		{"posts/hello/index.md", "Hello", nil},
	} {
		t.Run(tc.page, func(t *testing.T) {
			page, err := scaffold.Content(dir, tc.page, now)
			if err != nil {
				t.Fatal(err)
			}
			section, _, _ := strings.Cut(tc.page, "/")
			if want := "themes/default/archetypes/" + section + ".md"; page.Archetype != want {
				t.Errorf("archetype %q, want %q", page.Archetype, want)
			}
			text := testsite.Read(t, dir, "content/"+tc.page)
			for _, w := range append([]string{`title = "` + tc.title + `"`, "date = " + berlinNow, "draft = true"}, tc.want...) {
				if !strings.Contains(text, "\n"+w) {
					t.Errorf("page lacks a line starting %q:\n%s", w, text)
				}
			}
		})
	}
	res, err := generator.Build(context.Background(), generator.Options{Source: dir, BuildDrafts: true, Now: now})
	if err != nil {
		t.Fatalf("building the new pages: %v", err)
	}
	for _, p := range []string{"tips/reply-within-a-day", "events/repair-cafe", "transparency/moderation-rules_2026", "posts/hello"} {
		html := testsite.Read(t, res.Destination, p+"/index.html")
		if !strings.Contains(html, "<h1") {
			t.Errorf("%s has no heading", p)
		}
	}
	// Without -D the drafts stay out, as draft = true promises.
	res, err = generator.Build(context.Background(), generator.Options{Source: dir, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Skipped.Drafts != 4 {
		t.Errorf("left out %d drafts, want 4", res.Skipped.Drafts)
	}
}

// TestHugoArchetype checks that an archetype written for Hugo works: its
// functions and .File.ContentBaseName, with the date as a string.
func TestHugoArchetype(t *testing.T) {
	dir := testsite.New(t, `-- site.toml --
title = "Hub"
timezone = "Europe/Berlin"
-- archetypes/default.md --
+++
title = '{{ replace .File.ContentBaseName "-" " " | title }}'
date = '{{ .Date }}'
draft = true
section = "{{ .Section }}/{{ .Type }}"
year = {{ now.Year }}
+++
`)
	if _, err := scaffold.Content(dir, "content/notes/reply-within-a-day.md", now); err != nil {
		t.Fatal(err)
	}
	src := parse(t, dir, "notes/reply-within-a-day.md")
	if src.Meta.Title != "Reply Within A Day" || !src.Meta.Date.Equal(now) || src.Params["section"] != "notes/notes" || src.Params["year"] != int64(2026) {
		t.Errorf("title %q, date %v, params %v", src.Meta.Title, src.Meta.Date, src.Params)
	}
}

func TestRefusals(t *testing.T) {
	const site = "-- site.toml --\ntitle = \"Hub\"\n-- content/tips/taken.md --\n+++\ntitle = \"Mine\"\n+++\nDo not touch.\n"
	for _, tc := range []struct {
		name, files, page, want string
		badPath                 bool
	}{
		{"an existing page", "", "tips/taken.md", "content/tips/taken.md already exists", false},
		{"the same page with content/", "", "content/tips/taken.md", "already exists", false},
		{"a parent folder", "", "../x.md", "goes outside content/", true},
		{"a parent folder after content/", "", "content/../x.md", "goes outside content/", true},
		{"a parent folder inside", "", "tips/../../x.md", "goes outside content/", true},
		{"an absolute path", "", "/tmp/x.md", "an absolute path", true},
		{"not Markdown", "", "tips/x.txt", "ending in .md", true},
		{"no name", "", "", "empty path", true},
		{"a name the build ignores", "", "tips/.x.md", `the build ignores names such as ".x.md"`, true},
		{"a folder the build ignores", "", "tips/#old/x.md", "the build ignores", true},
		{"a broken archetype template", "-- archetypes/tips.md --\n{{ .Nope }}\n", "tips/x.md", "archetype archetypes/tips.md", false},
		{"an archetype making bad TOML", "-- archetypes/tips.md --\n+++\ntitle = {{ .Name }}\n+++\n", "tips/x.md", "archetype archetypes/tips.md made a page with broken front matter", false},
		{"a missing theme", "-- site.toml --\ntitle = \"Hub\"\ntheme = \"nope\"\n", "tips/x.md", `theme "nope" not found`, false},
		{"no site", "-- site.toml --\n", "tips/x.md", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testsite.New(t, site+tc.files)
			if tc.name == "no site" {
				if err := os.Remove(filepath.Join(dir, "site.toml")); err != nil {
					t.Fatal(err)
				}
				tc.want = "site.toml: not found"
			}
			before := testsite.Hashes(t, dir)
			_, err := scaffold.Content(dir, tc.page, now)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			var pe *scaffold.PathError
			if errors.As(err, &pe) != tc.badPath {
				t.Errorf("PathError %v, want %v", pe != nil, tc.badPath)
			}
			after := testsite.Hashes(t, dir)
			if len(after) != len(before) {
				t.Errorf("files changed: %v → %v", before, after)
			}
			for f, h := range before {
				if after[f] != h {
					t.Errorf("%s changed", f)
				}
			}
		})
	}
}

// TestSymlinkEscape: a link inside content/ must not lead agora new to
// write elsewhere on the machine.
func TestSymlinkEscape(t *testing.T) {
	dir := testsite.New(t, "-- site.toml --\ntitle = \"Hub\"\n-- content/tips/_index.md --\n")
	outside := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "content", "away")); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if _, err := scaffold.Content(dir, "away/x.md", now); err == nil {
		t.Error("wrote through a link leading out of content/")
	}
	if entries, _ := os.ReadDir(outside); len(entries) > 0 {
		t.Errorf("files written outside the site: %v", entries)
	}
}
