package digest_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/newsletter/digest"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// writeSite writes files (slash paths → contents) into a new site folder.
func writeSite(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const siteTOML = `baseURL = "https://example.github.io/hub/"
title = "Hub"
timezone = "Europe/Berlin"
[newsletter]
from = "Hub <news@example.org>"
max_items = 2
`

func tip(title, date, tags, id, body string) string {
	s := "+++\ntitle = \"" + title + "\"\ndate = " + date + "\ntags = [" + tags + "]\n"
	if id != "" {
		s += "id = \"" + id + "\"\n"
	}
	return s + "+++\n\n" + body + "\n"
}

func baseSite() map[string]string {
	return map[string]string{
		"site.toml":              siteTOML,
		"content/tips/a.md":      tip("Alpha", "2026-05-01T09:00:00", `"go", "Meetups"`, "", "Alpha body with a [link](/tips/b/).\n\n<!--more-->\n\nThe rest."),
		"content/tips/b.md":      tip("Beta", "2026-05-02T09:00:00", `"moderation"`, "tip-b", "Beta body."),
		"content/tips/c.md":      tip("Gamma", "2026-05-03T09:00:00", `"go"`, "", "Gamma body."),
		"content/tips/draft.md":  "+++\ntitle = \"Draft\"\ndate = 2026-05-02T09:00:00\ndraft = true\n+++\nx\n",
		"content/tips/future.md": tip("Future", "2026-06-01T09:00:00", `"go"`, "", "Later."),
		"content/posts/p.md":     tip("A post", "2026-05-02T09:00:00", `"go"`, "", "Not a tip."),
	}
}

var now = time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)

func titles(items []store.Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Title)
	}
	return out
}

func TestGatherWindowSectionsAndURLs(t *testing.T) {
	site, err := digest.Open(writeSite(t, baseSite()))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		since time.Time
		want  []string
	}{
		{"first issue: everything published up to the clock", time.Time{}, []string{"Gamma", "Beta", "Alpha"}},
		// 09:00 Berlin is 07:00 UTC: the timezone decides what is new.
		{"since a cutoff between two tips", time.Date(2026, 5, 2, 7, 0, 0, 0, time.UTC), []string{"Gamma"}},
		{"since a cutoff just before", time.Date(2026, 5, 2, 6, 59, 0, 0, time.UTC), []string{"Gamma", "Beta"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, err := site.Gather(tt.since, now)
			if err != nil {
				t.Fatal(err)
			}
			if got := titles(items); !slices.Equal(got, tt.want) {
				t.Errorf("items %q, want %q", got, tt.want)
			}
		})
	}
	items, _ := site.Gather(time.Time{}, now)
	a := items[2]
	if a.URL != "https://example.github.io/hub/tips/a/" {
		t.Errorf("URL %q: want the absolute permalink under the sub-path", a.URL)
	}
	if !strings.Contains(a.SummaryHTML, `href="https://example.github.io/hub/tips/b/"`) {
		t.Errorf("summary links must be absolute for mail: %s", a.SummaryHTML)
	}
	if !slices.Equal(a.Tags, []string{"go", "meetups"}) || a.ID != "tips/a.md" || items[1].ID != "id:tip-b" {
		t.Errorf("tags %q id %q / %q", a.Tags, a.ID, items[1].ID)
	}
}

func TestSelectByTopics(t *testing.T) {
	items := []store.Item{
		{ID: "1", Title: "Go 1", Tags: []string{"go"}},
		{ID: "2", Title: "Mod", Tags: []string{"moderation"}},
		{ID: "3", Title: "Go 2", Tags: []string{"go", "meetups"}},
		{ID: "4", Title: "Go 3", Tags: []string{"go"}},
	}
	tests := []struct {
		topics []string
		want   []string
		more   int
	}{
		{nil, []string{"Go 1", "Mod"}, 2},                          // no topics: everything, capped at 2
		{[]string{"moderation"}, []string{"Mod"}, 0},               // one message however many match
		{[]string{"go", "moderation"}, []string{"Go 1", "Mod"}, 2}, // several topics: one digest
		{[]string{"meetups"}, []string{"Go 2"}, 0},                 // any tag meets a topic
		{[]string{"cooking"}, nil, 0},                              // nothing new: no mail
	}
	for _, tt := range tests {
		got, more := digest.Select(items, tt.topics, 2)
		if !slices.Equal(titles(got), tt.want) || more != tt.more {
			t.Errorf("topics %q: %q (+%d), want %q (+%d)", tt.topics, titles(got), more, tt.want, tt.more)
		}
	}
}

// TestIdentityNotTitle: a tip already sent is not news again when its
// title is fixed, nor when a tip with an id moves to another file.
func TestIdentityNotTitle(t *testing.T) {
	files := baseSite()
	site, err := digest.Open(writeSite(t, files))
	if err != nil {
		t.Fatal(err)
	}
	first, _ := site.Gather(time.Time{}, now)
	sent := map[string]bool{}
	for _, id := range digest.IDs(first) {
		sent[id] = true
	}

	files["content/tips/a.md"] = strings.Replace(files["content/tips/a.md"], "Alpha", "Alpha, retitled", 1)
	files["content/tips/moved-b.md"] = files["content/tips/b.md"]
	delete(files, "content/tips/b.md")
	files["content/tips/new.md"] = tip("New", "2026-05-04T09:00:00", `"go"`, "", "New body.")
	site, err = digest.Open(writeSite(t, files))
	if err != nil {
		t.Fatal(err)
	}
	again, err := site.Gather(time.Time{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if got := titles(digest.Fresh(again, sent)); !slices.Equal(got, []string{"New"}) {
		t.Errorf("fresh after a retitle and a move: %q, want only the new tip", got)
	}
}

func TestRenderAndArchive(t *testing.T) {
	files := baseSite()
	files["layouts/email/digest.txt"] = "Custom {{ .Subscriber.Name }}: {{ range .Items }}{{ .Title }};{{ end }} {{ .UnsubscribeURL }}\n"
	dir := writeSite(t, files)
	site, err := digest.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(site.Templates().TextFrom, "layouts/") || !strings.Contains(site.Templates().HTMLFrom, "themes/default") {
		t.Errorf("templates from %q and %q: want the site's text over the theme's", site.Templates().TextFrom, site.Templates().HTMLFrom)
	}
	items, _ := site.Gather(time.Time{}, now)
	is := store.Issue{Number: 3, Cutoff: now, Created: now, ArchivePath: "/newsletter/2026-05-10-issue-3/"}
	sub := subscriber.Subscriber{ID: 7, Email: "ada@example.org", Name: "Ada <b>", Topics: []string{"go"}}
	r, err := site.Templates().Render(digest.Message{Issue: is, ArchiveURL: site.ArchiveURL(is.ArchivePath), Subscriber: sub, Items: items[:2], More: 1, UnsubscribeURL: "https://x.example/u?t=1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Hello Ada &lt;b&gt;", "https://example.github.io/hub/newsletter/2026-05-10-issue-3/", "https://x.example/u?t=1", "max-width:600px", "display:none"} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	for _, bad := range []string{"<script", "<link", "src=\"/", "href=\"/"} {
		if strings.Contains(r.HTML, bad) {
			t.Errorf("HTML has %q: mail needs inline styles and absolute URLs", bad)
		}
	}
	// One stylesheet, in the head, for dark mode only: the layout and the
	// light colours are inline, for the clients that drop <style>.
	head, _, _ := strings.Cut(r.HTML, "</head>")
	if strings.Count(r.HTML, "<style") != 1 || !strings.Contains(head, "<style>\n@media (prefers-color-scheme: dark) {") {
		t.Errorf("want one <style>, in the head, holding the dark-mode rules only")
	}
	if r.Text != "Custom Ada <b>: Gamma;Beta; https://x.example/u?t=1\n" {
		t.Errorf("text %q", r.Text)
	}

	rel, err := site.WriteArchive(is, items)
	if err != nil {
		t.Fatal(err)
	}
	if rel != filepath.Join("content", "newsletter", "2026-05-10-issue-3.md") {
		t.Errorf("archive at %s", rel)
	}
	data, _ := os.ReadFile(filepath.Join(dir, rel))
	for _, want := range []string{`title = "Issue 3"`, `id = "newsletter-issue-3"`, "## [Gamma](https://example.github.io/hub/tips/c/)"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("archive lacks %q:\n%s", want, data)
		}
	}
	if strings.Contains(string(data), "ada@") {
		t.Error("the archive holds an address")
	}
}
