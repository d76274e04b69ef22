package siteimport

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/generator/metadecode"
)

// jekyllSite is a Jekyll site's _config.yml, read.
type jekyllSite struct {
	file   string // "_config.yml"
	data   []byte
	config map[string]any
	// url is site.url without a trailing slash; baseurl is "" or a path
	// such as "/blog", without a trailing slash.
	url, baseurl string
	permalink    string // the site's permalink style or pattern, "date" by default
	collections  map[string]*collection
	collDir      string // collections_dir, "" for the root
	exclude      []string
	include      []string
	excerptSep   string
	loc          *time.Location
	plugins      []string
	headerPages  []string
	defaults     []jekyllDefault
}

type collection struct {
	name      string
	output    bool
	permalink string
}

// jekyllDefault is one entry of _config.yml's defaults.
type jekyllDefault struct {
	path, typ string
	values    map[string]any
	line      int
}

// jekyllDefaultExcludes are what Jekyll never reads (Configuration::DEFAULTS).
var jekyllDefaultExcludes = []string{".sass-cache", ".jekyll-cache", "gemfiles", "Gemfile", "Gemfile.lock",
	"node_modules", "vendor/bundle", "vendor/cache", "vendor/gems", "vendor/ruby"}

// jekyllKeysDropped are _config.yml's keys that drive Jekyll's own build.
// They shape how Jekyll works, not what the site says, so leaving them out
// loses no content; the reason is shown in the report.
var jekyllKeysDropped = map[string]string{
	"markdown": "Agora renders Markdown itself", "kramdown": "Agora renders Markdown itself",
	"highlighter": "Agora highlights code with chroma", "markdown_ext": "Agora reads .md, .markdown and .mdown",
	"incremental": "", "profile": "", "safe": "", "strict_front_matter": "", "liquid": "Agora does not run Liquid",
	"encoding": "", "source": "", "destination": "", "plugins_dir": "", "layouts_dir": "", "data_dir": "",
	"includes_dir": "", "sass": "Agora does not compile Sass", "livereload": "", "port": "", "host": "",
	"webrick": "", "quiet": "", "verbose": "", "detach": "", "lsi": "", "limit_posts": "",
	"gems": "", "plugins": "", "whitelist": "", "keep_files": "", "show_drafts": "", "unpublished": "",
	"show_dir_listing": "", "serving": "", "watch": "", "future": "", "baseurl": "", "url": "",
	"permalink": "", "collections": "", "collections_dir": "", "defaults": "", "exclude": "", "include": "",
	"excerpt_separator": "", "timezone": "", "title": "", "description": "", "lang": "", "locale": "",
	"paginate": "", "paginate_path": "", "author": "", "header_pages": "", "repository": "",
	"github":        "jekyll-github-metadata fills site.github in at build time",
	"compress_html": "Agora does not minify",
}

// readJekyllConfig reads _config.yml (or _config.yaml), and the site's
// settings that the conversion needs.
func (j *job) readJekyllConfig() (*jekyllSite, error) {
	js := &jekyllSite{config: map[string]any{}, permalink: "date", loc: time.UTC, collections: map[string]*collection{}}
	for _, name := range []string{"_config.yml", "_config.yaml"} {
		st, err := j.exists(name)
		if err != nil {
			return nil, err
		}
		if st == nil {
			continue
		}
		data, err := readLimited(j.src, name, config.MaxFileBytes)
		if err != nil {
			return nil, err
		}
		m, err := metadecode.Unmarshal(metadecode.YAML, data)
		if err != nil {
			var e *metadecode.Error
			if asMeta(err, &e) {
				return nil, fmt.Errorf("%s:%d: %s", name, e.Line, e.Msg)
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		js.file, js.data, js.config = name, data, m
		break
	}
	c := js.config
	str := func(k string) string {
		s, _ := c[k].(string)
		return strings.TrimSpace(s)
	}
	js.url = strings.TrimSuffix(str("url"), "/")
	js.baseurl = strings.TrimSuffix(str("baseurl"), "/")
	if js.baseurl != "" && !strings.HasPrefix(js.baseurl, "/") {
		js.baseurl = "/" + js.baseurl
	}
	if p := str("permalink"); p != "" {
		js.permalink = p
	}
	js.excerptSep = str("excerpt_separator")
	if tz := str("timezone"); tz != "" {
		if loc, err := time.LoadLocation(tz); err == nil {
			js.loc = loc
		}
	}
	js.collDir = strings.Trim(str("collections_dir"), "/")
	js.exclude = append(stringsOf(c["exclude"]), jekyllDefaultExcludes...)
	js.include = stringsOf(c["include"])
	js.plugins = append(stringsOf(c["plugins"]), stringsOf(c["gems"])...)
	js.headerPages = stringsOf(c["header_pages"])
	switch cs := c["collections"].(type) {
	case []any:
		for _, n := range stringsOf(cs) {
			js.collections[n] = &collection{name: n}
		}
	case map[string]any:
		for n, v := range cs {
			col := &collection{name: n}
			if m, ok := v.(map[string]any); ok {
				col.output, _ = m["output"].(bool)
				col.permalink, _ = m["permalink"].(string)
			}
			js.collections[n] = col
		}
	}
	if posts, ok := js.collections["posts"]; ok && posts.permalink != "" {
		js.permalink = posts.permalink
	}
	delete(js.collections, "posts")
	if ds, ok := c["defaults"].([]any); ok {
		for i, d := range ds {
			m, _ := d.(map[string]any)
			scope, _ := m["scope"].(map[string]any)
			values, _ := m["values"].(map[string]any)
			p, _ := scope["path"].(string)
			t, _ := scope["type"].(string)
			line := metadecode.KeyLine(metadecode.YAML, js.data, "defaults")
			js.defaults = append(js.defaults, jekyllDefault{path: strings.Trim(p, "/"), typ: t, values: values, line: line + i})
		}
	}
	return js, nil
}

func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// excluded reports whether Jekyll leaves the path p (from the site root)
// out: it is named in exclude, or below a folder that is.
func (js *jekyllSite) excluded(p string) bool {
	for _, e := range js.exclude {
		e = strings.Trim(e, "/")
		if e == "" {
			continue
		}
		if p == e || strings.HasPrefix(p, e+"/") {
			return true
		}
		if ok, _ := path.Match(e, p); ok {
			return true
		}
		if ok, _ := path.Match(e, path.Base(p)); ok && !strings.Contains(e, "/") {
			return true
		}
	}
	return false
}

// included reports whether include names p, which Jekyll then reads even
// though its name starts with "." or "_".
func (js *jekyllSite) included(p string) bool {
	for _, e := range js.include {
		e = strings.Trim(e, "/")
		if p == e || strings.HasPrefix(p, e+"/") {
			return true
		}
	}
	return false
}

// siteSettings is site.toml from _config.yml: what Agora has a key for is
// moved there, any other key of the site's own goes to [params], where
// templates find it as .Site.Params, and Jekyll's build settings are left
// out with a note.
func (j *job) siteSettings(js *jekyllSite) map[string]any {
	c := js.config
	s := map[string]any{}
	params := map[string]any{}
	line := func(k string) int { return metadecode.KeyLine(metadecode.YAML, js.data, k) }
	if t, ok := c["title"].(string); ok {
		s["title"] = t
	}
	base := js.url + js.baseurl + "/"
	if js.url == "" {
		base = js.baseurl + "/"
	}
	s["baseURL"] = base
	if d, ok := c["description"].(string); ok && d != "" {
		params["description"] = d
	}
	if tz, ok := c["timezone"].(string); ok && tz != "" {
		s["timeZone"] = tz
	}
	for _, k := range []string{"lang", "locale"} {
		if l, ok := c[k].(string); ok && l != "" {
			s["languageCode"] = l
			break
		}
	}
	if a, ok := c["author"]; ok && a != nil {
		s["author"] = a
	}
	if n, ok := c["paginate"].(int64); ok && n > 0 {
		s["paginate"] = n
	}
	if p, ok := c["paginate_path"].(string); ok && p != "" && p != "/page:num/" {
		j.lose(js.file, line("paginate_path"), "paginate_path %q: Agora's pager pages are /page/2/, /page/3/ …", p)
	}
	if f, ok := c["future"].(bool); ok && f {
		s["buildFuture"] = true
	}
	if js.excerptSep != "" && js.excerptSep != "<!--more-->" {
		j.convert(js.file, line("excerpt_separator"), "excerpt_separator %q → <!--more--> in the posts, Hugo's and Agora's summary divider", js.excerptSep)
	}
	for _, t := range []string{"theme", "remote_theme"} {
		if v, ok := c[t].(string); ok && v != "" {
			j.skip(js.file, "%s %s: a Jekyll theme is Liquid templates; the new site uses Agora's built-in theme", t, v)
		}
	}
	var dropped []string
	for _, k := range sortedKeys(c) {
		v := c[k]
		if v == nil {
			continue
		}
		if why, ok := jekyllKeysDropped[k]; ok {
			if why != "" {
				dropped = append(dropped, k+" ("+why+")")
			}
			continue
		}
		if k == "theme" || k == "remote_theme" {
			continue
		}
		params[k] = v
	}
	if len(dropped) > 0 {
		j.skip(js.file, "left out of site.toml: %s", strings.Join(dropped, ", "))
	}
	if len(params) > 0 {
		s["params"] = params
	}
	if len(js.headerPages) > 0 {
		var menu []any
		for i, p := range js.headerPages {
			menu = append(menu, map[string]any{"pageRef": "/" + strings.TrimSuffix(p, path.Ext(p)), "weight": int64(i + 1)})
		}
		s["menus"] = map[string]any{"main": menu}
		j.convert(js.file, line("header_pages"), "header_pages → [menus.main], in the same order")
	}
	j.jekyllPlugins(js)
	// Agora's built-in theme, named: the import writes shortcodes into
	// layouts/, and a site with layouts of its own and no theme would
	// get none.
	s["theme"] = config.DefaultTheme
	return s
}

// jekyllPlugins says what becomes of each plugin.
func (j *job) jekyllPlugins(js *jekyllSite) {
	line := metadecode.KeyLine(metadecode.YAML, js.data, "plugins")
	if line == 0 {
		line = metadecode.KeyLine(metadecode.YAML, js.data, "gems")
	}
	plugins := slices.Clone(js.plugins)
	sort.Strings(plugins)
	for _, p := range slices.Compact(plugins) {
		switch p {
		case "jekyll-feed":
			feed := "/feed.xml"
			if f, ok := js.config["feed"].(map[string]any); ok {
				if p, ok := f["path"].(string); ok && p != "" {
					feed = "/" + strings.TrimPrefix(p, "/")
				}
			}
			j.lose(js.file, line, "jekyll-feed: Agora writes the feed at /index.xml (and one per section and tag), not at %s: readers subscribed to %s need the new address", feed, feed)
		case "jekyll-seo-tag":
			j.convert(js.file, line, "jekyll-seo-tag: Agora's theme writes the title, description, canonical and Open Graph tags itself")
		case "jekyll-sitemap":
			j.convert(js.file, line, "jekyll-sitemap: Agora writes sitemap.xml itself")
		case "jekyll-paginate", "jekyll-paginate-v2":
			j.convert(js.file, line, "%s: Agora paginates lists itself (paginate)", p)
		case "jekyll-gist":
			j.convert(js.file, line, "jekyll-gist: {%% gist %%} → {{< gist >}}, a plain link to the gist")
		case "jekyll-redirect-from":
			j.convert(js.file, line, "jekyll-redirect-from: redirect_from → aliases")
		case "jekyll-relative-links", "jekyll-optional-front-matter", "jekyll-readme-index",
			"jekyll-titles-from-headings", "jekyll-default-layout", "jekyll-include-cache":
			// What GitHub Pages does with them, the import does.
		case "jemoji":
			j.lose(js.file, line, "jemoji: Agora does not turn :emoji: codes into pictures")
		default:
			j.skip(js.file, "plugin %s: Jekyll plugins do not run in Agora", p)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
