package config_test

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/agora-hub/agora/generator/config"
)

func files(m map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, data := range m {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return fsys
}

// Each layout Hugo reads, merged as Hugo merges: the root file, then
// config/_default/, then config/ENV/; a file named after a key holds that
// key's table.
func TestConfigLayouts(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		env   string
		check func(t *testing.T, c *config.Config)
	}{
		{"hugo.yaml", map[string]string{"hugo.yaml": "baseurl: https://example.org/blog/\ntitle: Blog\nparams:\n  Subtitle: Notes\n"}, config.Production,
			func(t *testing.T, c *config.Config) {
				if c.BaseURL != "https://example.org/blog/" || c.Title != "Blog" || c.Params["subtitle"] != "Notes" {
					t.Errorf("got %q %q %v", c.BaseURL, c.Title, c.Params)
				}
			}},
		{"hugo.json", map[string]string{"hugo.json": `{"baseURL": "https://example.org/", "title": "J", "paginate": 3}`}, config.Production,
			func(t *testing.T, c *config.Config) {
				if c.Title != "J" || c.Paginate != 3 {
					t.Errorf("got %q %d", c.Title, c.Paginate)
				}
			}},
		{"config dir", map[string]string{
			"config.toml":                       "title = \"Root\"\nbaseURL = \"https://root.example/\"\n[params]\na = 1\nb = 1\n",
			"config/_default/hugo.toml":         "title = \"Default\"\n",
			"config/_default/params.toml":       "b = 2\nc = 2\n",
			"config/_default/menus.yaml":        "main:\n  - name: Home\n    url: /\n    weight: 1\n",
			"config/production/hugo.toml":       "baseurl = \"https://prod.example/\"\n",
			"config/production/params.yaml":     "params:\n  c: 3\n",
			"config/development/params.toml":    "c = 99\n",
			"config/_default/languages.fr.toml": "x = 1\n",
		}, config.Production,
			func(t *testing.T, c *config.Config) {
				if c.Title != "Default" || c.BaseURL != "https://prod.example/" {
					t.Errorf("title %q baseURL %q", c.Title, c.BaseURL)
				}
				if want := map[string]any{"a": int64(1), "b": int64(2), "c": int64(3)}; !reflect.DeepEqual(c.Params, want) {
					t.Errorf("params %v, want %v", c.Params, want)
				}
				if len(c.Menu["main"]) != 1 || c.Menu["main"][0].Name != "Home" {
					t.Errorf("menus %v", c.Menu)
				}
				want := []string{"config.toml", "config/_default/hugo.toml", "config/_default/menus.yaml", "config/_default/params.toml", "config/production/hugo.toml", "config/production/params.yaml"}
				if !reflect.DeepEqual(c.Files, want) {
					t.Errorf("files %v\nwant %v", c.Files, want)
				}
				if !hasWarning(c, "config/_default/languages.fr.toml ignored") {
					t.Errorf("warnings %q", c.Warnings)
				}
			}},
		{"development", map[string]string{
			"hugo.toml":                      "title = \"T\"\n[params]\nc = 1\n",
			"config/development/params.toml": "c = 99\n",
		}, config.Development,
			func(t *testing.T, c *config.Config) {
				if c.Params["c"] != int64(99) {
					t.Errorf("params %v", c.Params)
				}
			}},
		{"site.toml first", map[string]string{"site.toml": "title = \"Agora\"\n", "hugo.toml": "title = \"Hugo\"\n", "config.yaml": "title: C\n"}, config.Production,
			func(t *testing.T, c *config.Config) {
				if c.Title != "Agora" || !hasWarning(c, "site.toml is used; hugo.toml, config.yaml ignored") {
					t.Errorf("title %q warnings %q", c.Title, c.Warnings)
				}
			}},
		{"hugo before config", map[string]string{"hugo.yaml": "title: H\n", "config.toml": "title = \"C\"\n"}, config.Production,
			func(t *testing.T, c *config.Config) {
				if c.Title != "H" {
					t.Errorf("title %q", c.Title)
				}
			}},
		{"only a config folder", map[string]string{"config/_default/hugo.yaml": "title: Dir\n"}, config.Production,
			func(t *testing.T, c *config.Config) {
				if c.Title != "Dir" {
					t.Errorf("title %q", c.Title)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := config.LoadFS(files(tc.files), tc.env)
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, c)
		})
	}
}

func hasWarning(c *config.Config, s string) bool {
	for _, w := range c.Warnings {
		if strings.Contains(w, s) {
			return true
		}
	}
	return false
}

// The keys Agora implements, in Hugo's spellings and shapes.
func TestHugoKeys(t *testing.T) {
	c, err := config.Parse("hugo.yaml", []byte(`
baseURL: https://example.org/
title: Blog
theme: [ananke, extra]
contentDir: posts-src
publishDir: out
summaryLength: 30
disableKinds: [taxonomy, RSS]
disableAliases: true
uglyURLs:
  posts: true
relativeURLs: true
author:
  name: Ann
pagination:
  pagerSize: 7
  path: seite
services:
  rss:
    limit: 5
params:
  mainSections: [posts]
  Social: {GitHub: ann}
permalinks:
  posts: /:year/:month/:slug/
  tags: /topic/:slug/
  section:
    posts: /writing/
outputs:
  home: [HTML, RSS, JSON]
  page: [HTML]
  section: [HTML]
markup:
  goldmark:
    renderer:
      unsafe: true
  highlight:
    style: dracula
    lineNos: true
    noClasses: false
    hl_Lines: "2-3"
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Theme != "ananke" || c.ContentDir != "posts-src" || c.PublishDir != "out" || c.SummaryLength != 30 ||
		!c.Disabled("rss") || !c.Disabled("Taxonomy") || c.Disabled("page") || !c.DisableAliases || !c.RelativeURLs {
		t.Errorf("config %+v", c)
	}
	if !c.UglyURLs.For("posts") || c.UglyURLs.For("tips") {
		t.Errorf("uglyURLs %+v", c.UglyURLs)
	}
	if c.Paginate != 7 || c.PaginatePath != "seite" || c.RSSLimit != 5 {
		t.Errorf("paginate %d %q rssLimit %d", c.Paginate, c.PaginatePath, c.RSSLimit)
	}
	if !reflect.DeepEqual(c.MainSections, []string{"posts"}) {
		t.Errorf("mainSections %v", c.MainSections)
	}
	if c.Params["social"].(map[string]any)["github"] != "ann" {
		t.Errorf("params keys are lower-cased all the way down: %v", c.Params)
	}
	if c.Permalinks.Page["posts"] != "/:year/:month/:slug/" || c.Permalinks.Term["tags"] != "/topic/:slug/" || c.Permalinks.Section["posts"] != "/writing/" {
		t.Errorf("permalinks %+v", c.Permalinks)
	}
	if !c.Outputs.Has("home", "rss") || c.Outputs.Has("section", "rss") || !c.Outputs.Has("term", "rss") {
		t.Errorf("outputs %+v", c.Outputs)
	}
	if !c.Markup.Unsafe || c.Markup.Highlight.Style != "dracula" || c.Markup.Highlight.LineNos != true || c.Markup.Highlight.HlLines != "2-3" {
		t.Errorf("markup %+v", c.Markup)
	}
	for _, w := range []string{`hugo.yaml:4: theme: only "ananke" is used`, "hugo.yaml:30: outputs.home: JSON ignored"} {
		if !hasWarning(c, w) {
			t.Errorf("no warning %q in %q", w, c.Warnings)
		}
	}
}

// A key Hugo documents but Agora does not implement is one warning naming
// it, at its line; the build goes on.
func TestIgnoredHugoKeysWarn(t *testing.T) {
	c, err := config.Parse("hugo.toml", []byte(`baseURL = "https://example.org/"
title = "T"
canonifyURLs = true
enableRobotsTXT = true
googleAnalytics = "G-1"
[imaging.exif]
disableDate = true
[markup.goldmark.extensions]
typographer = false
[markup.tableOfContents]
endLevel = 4
[languages.en]
weight = 1
[module]
[[module.imports]]
path = "github.com/x/theme"
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"hugo.toml:12: languages ignored: Agora builds one language",
		"hugo.toml:3: canonifyURLs ignored: Agora does not rewrite links to absolute URLs",
		"hugo.toml:5: googleAnalytics ignored: Agora adds no analytics",
		"hugo.toml:6: imaging.exif ignored: Agora keeps no EXIF data",
		"hugo.toml:8: markup.goldmark.extensions ignored:",
		"hugo.toml:10: markup.tableOfContents ignored:",
		"hugo.toml:14: module ignored: Agora has no Hugo modules",
	}
	for _, w := range want {
		if !hasWarning(c, w) {
			t.Errorf("no warning %q", w)
		}
	}
	if len(c.Warnings) != len(want) {
		t.Errorf("%d warnings, want %d (enableRobotsTXT is what Agora does anyway): %q", len(c.Warnings), len(want), c.Warnings)
	}
}

// A key neither Hugo nor Agora knows is an error at its line, with the
// nearest known key, in every format.
func TestUnknownKeysSuggest(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"site.toml", "title = \"T\"\npaginat = 5\n", `site.toml:2: unknown key "paginat"; did you mean "paginate"?`},
		{"hugo.yaml", "title: T\n\nbaseULR: https://example.org/\n", `hugo.yaml:3: unknown key "baseULR"; did you mean "baseURL"?`},
		{"hugo.json", "{\n  \"title\": \"T\",\n  \"sumaryLength\": 3\n}", `hugo.json:3: unknown key "sumaryLength"; did you mean "summaryLength"?`},
		{"hugo.toml", "[markup.highlight]\nstyel = \"monokai\"\n", `hugo.toml:2: unknown key "markup.highlight.styel"; did you mean "style"?`},
		{"hugo.yaml", "markup:\n  goldmark:\n    renderer:\n      unsafe: yes\n", `hugo.yaml:4: markup.goldmark.renderer.unsafe: want true or false, got a string`},
		{"hugo.yaml", "disableKinds: [tag]\n", `hugo.yaml:1: disableKinds: "tag" is not a page kind`},
		{"hugo.yaml", "title: [\n", `hugo.yaml:1:`},
		{"hugo.toml", "title = \"T\"\nwhatever = 1\n", `hugo.toml:2: unknown key "whatever"`},
	} {
		_, err := config.Parse(tc.name, []byte(tc.src))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s %q:\n got %v\nwant %s", tc.name, tc.src, err, tc.want)
		}
	}
}

// An error in a file of config/_default/ names that file and its line.
func TestConfigDirErrorsNameTheirFile(t *testing.T) {
	_, err := config.LoadFS(files(map[string]string{
		"hugo.toml":                   "title = \"T\"\n",
		"config/_default/params.toml": "a = 1\n",
		"config/_default/menus.toml":  "[[main]]\nname = \"Home\"\nwieght = 1\n",
	}), config.Production)
	if err == nil || !strings.Contains(err.Error(), `config/_default/menus.toml:3: unknown key "menus.main.wieght"; did you mean "weight"?`) {
		t.Errorf("err = %v", err)
	}
}
