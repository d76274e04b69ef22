package content

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/generator/diag"
)

// The same page written in each of Hugo's three front-matter formats
// decodes to the same Meta and .Params.
func TestFrontMatterFormatsDecodeAlike(t *testing.T) {
	pages := map[string]string{
		"toml": `+++
title = "Kick-off"
linkTitle = "Kick"
date = 2026-04-01T10:00:00+05:30
pubdate = "2026-04-02"
modified = 2026-04-03
unpublishdate = 2027-01-01
tags = ["a", "b"]
weight = 4
keywords = ["k"]
draft = false
[params]
Author = "Ann"
[build]
list = "local"
+++
body
`,
		"yaml": `
---
title: Kick-off
linkTitle: Kick
date: 2026-04-01T10:00:00+05:30
pubdate: 2026-04-02
modified: 2026-04-03
unpublishdate: 2027-01-01
tags: [a, b]
weight: 4
keywords: [k]
draft: false
params:
  Author: Ann
build:
  list: local
---
body
`,
		"json": `{
  "title": "Kick-off",
  "linkTitle": "Kick",
  "date": "2026-04-01T10:00:00+05:30",
  "pubdate": "2026-04-02",
  "modified": "2026-04-03",
  "unpublishdate": "2027-01-01",
  "tags": ["a", "b"],
  "weight": 4,
  "keywords": ["k"],
  "draft": false,
  "params": {"Author": "Ann"},
  "build": {"list": "local"}
}
body
`,
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	opt := Options{Location: berlin, Taxonomies: []string{"tags"}}
	var metas []Meta
	for _, f := range []string{"toml", "yaml", "json"} {
		s, err := Parse("content/x.md", "x.md", []byte(pages[f]), opt)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if string(s.Body) != "body\n" {
			t.Errorf("%s: body %q", f, s.Body)
		}
		if s.Params["author"] != "Ann" {
			t.Errorf("%s: params %v", f, s.Params)
		}
		metas = append(metas, s.Meta)
	}
	m := metas[0]
	if m.Title != "Kick-off" || m.LinkTitle != "Kick" || m.Weight != 4 || m.Build.List != Local || m.Build.Render != Always ||
		!reflect.DeepEqual(m.Terms["tags"], []string{"a", "b"}) || !reflect.DeepEqual(m.Keywords, []string{"k"}) {
		t.Errorf("toml meta: %+v", m)
	}
	if got := m.Date.Format(time.RFC3339); got != "2026-04-01T10:00:00+05:30" {
		t.Errorf("date keeps its offset: %s", got)
	}
	for name, got := range map[string]time.Time{"pubdate": m.PublishDate, "modified": m.Lastmod, "unpublishdate": m.ExpiryDate} {
		if got.IsZero() || got.Location() != berlin {
			t.Errorf("%s: %v, want a date in the site's zone", name, got)
		}
	}
	for i, f := range []string{"yaml", "json"} {
		if !reflect.DeepEqual(metas[i+1], m) {
			t.Errorf("%s meta differs from toml:\n%+v\n%+v", f, metas[i+1], m)
		}
	}
}

// An error names the line of the offending key in the file, whichever
// the format, blank lines before the fence included.
func TestFrontMatterErrorLines(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"toml type", "+++\ntitle = \"x\"\nweight = \"heavy\"\n+++\n", "content/x.md:3: weight: want a whole number, got a string"},
		{"yaml type", "\n\n---\ntitle: x\nweight: heavy\n---\n", "content/x.md:5: weight: want a whole number, got a string"},
		{"json type", "{\n  \"title\": \"x\",\n  \"weight\": \"heavy\"\n}\n", "content/x.md:3: weight: want a whole number, got a string"},
		{"yaml date", "---\ntitle: x\ndate: yesterday\n---\n", `content/x.md:3: date: "yesterday" is not a date`},
		{"json date", "{\"title\": \"x\",\n\"expiryDate\": \"soon\"}\n", `content/x.md:2: expirydate: "soon" is not a date`},
		{"yaml syntax", "---\ntitle: x\ntags: [a\n---\n", "content/x.md:"},
		{"yaml duplicate", "---\ntitle: x\ntitle: y\n---\n", `content/x.md:3: front matter: mapping key "title" already defined`},
		{"json syntax", "{\n\"title\": \"x\",,\n}\n", "content/x.md:2: front matter: invalid character ','"},
		{"toml syntax", "\n+++\ntitle = \"x\"\ndate = \n+++\n", "content/x.md:4: front matter: expected value"},
		{"build", "---\nbuild:\n  render: sometimes\n---\n", "content/x.md:2: build: render: want always, never, link, got sometimes"},
		{"yaml list at top", "---\n- a\n---\n", "content/x.md:2: front matter: want a table"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("content/x.md", "x.md", []byte(tc.src), Options{Location: time.UTC})
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("err = %v\nwant prefix %s", err, tc.want)
			}
		})
	}
}

func TestBuildOptions(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want Build
	}{
		{"+++\n+++\n", Build{Always, Always, true}},
		{"+++\nheadless = true\n+++\n", Build{Never, Never, true}},
		{"---\nbuild:\n  render: never\n  list: local\n  publishResources: false\n---\n", Build{Local, Never, false}},
		{"---\n_build:\n  render: false\n  list: true\n---\n", Build{Always, Never, true}},
		{"---\nbuild:\n  render: link\n---\n", Build{Always, Link, true}},
	} {
		s, err := Parse("content/x/index.md", "x/index.md", []byte(tc.src), Options{Location: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		if s.Meta.Build != tc.want {
			t.Errorf("%q: %+v, want %+v", tc.src, s.Meta.Build, tc.want)
		}
	}
}

func TestPublishedIsNotDraft(t *testing.T) {
	s, err := Parse("content/x.md", "x.md", []byte("---\npublished: false\n---\n"), Options{Location: time.UTC})
	if err != nil || !s.Meta.Draft {
		t.Errorf("published: false → draft; got %v, %v", s.Meta.Draft, err)
	}
}

func TestCascade(t *testing.T) {
	srcs := []*Source{}
	for rel, fm := range map[string]string{
		"blog/_index.md":       "---\ncascade:\n  banner: blue\n  type: article\n---\n",
		"blog/a.md":            "---\ntitle: A\n---\n",
		"blog/b.md":            "---\ntitle: B\nbanner: red\n---\n",
		"blog/deep/c/index.md": "---\ntitle: C\n---\n",
		"docs/_index.markdown": "---\ncascade:\n  - _target: {path: \"/docs/api/**\"}\n    params: {api: true}\n---\n",
		"docs/api/x.md":        "+++\n+++\n",
		"docs/guide.md":        "+++\n+++\n",
		"other.md":             "+++\n+++\n",
		"_index.md":            "---\ncascade:\n  banner: grey\n---\n",
	} {
		s, err := parseRaw("content/"+rel, rel, []byte(fm), Options{Location: time.UTC})
		if err != nil {
			t.Fatal(err)
		}
		srcs = append(srcs, s)
	}
	var errs diag.List
	if !applyCascades(srcs, &errs) {
		t.Fatal("no cascade found")
	}
	by := map[string]*Source{}
	for _, s := range srcs {
		if err := s.decodeMeta(Options{Location: time.UTC}); err != nil {
			t.Fatal(err)
		}
		by[s.Rel] = s
	}
	for rel, want := range map[string]any{"blog/a.md": "blue", "blog/b.md": "red", "blog/deep/c/index.md": "blue", "other.md": "grey", "blog/_index.md": "grey"} {
		if got := by[rel].Params["banner"]; got != want {
			t.Errorf("%s: banner %v, want %v", rel, got, want)
		}
	}
	if by["blog/a.md"].Meta.Type != "article" {
		t.Errorf("cascaded type not in Meta: %+v", by["blog/a.md"].Meta)
	}
	if by["docs/api/x.md"].Params["api"] != true || by["docs/guide.md"].Params["api"] != nil {
		t.Errorf("target path: api=%v guide=%v", by["docs/api/x.md"].Params["api"], by["docs/guide.md"].Params["api"])
	}
}
