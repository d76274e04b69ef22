package config

import (
	"reflect"
	"slices"
	"strings"

	"github.com/agora-hub/agora/generator/metadecode"
)

// Permalinks are Hugo's [permalinks]: URL patterns by page kind and
// section (or taxonomy) name, such as posts = "/:year/:month/:slug/".
type Permalinks struct {
	Page, Section, Taxonomy, Term map[string]string
}

// Outputs are Hugo's [outputs] as far as Agora goes: whether a kind of
// page is written as HTML, and whether it has an RSS feed.
type Outputs struct {
	set map[string][]string // kind → lower-case format names, when configured
}

// defaultOutputs are Agora's: Hugo's, less the taxonomy pages' feeds,
// which list terms rather than content.
var defaultOutputs = map[string][]string{
	"home": {"html", "rss"}, "section": {"html", "rss"}, "taxonomy": {"html"},
	"term": {"html", "rss"}, "page": {"html"},
}

// Has reports whether pages of kind (home, section, taxonomy, term,
// page) are written in format (html, rss).
func (o Outputs) Has(kind, format string) bool {
	formats, ok := o.set[kind]
	if !ok {
		formats = defaultOutputs[kind]
	}
	return slices.Contains(formats, format)
}

// UglyURLs is Hugo's uglyURLs: true for every section, or per section.
type UglyURLs struct {
	All      bool
	Sections map[string]bool
}

// For reports whether pages of section are written as section/name.html.
func (u UglyURLs) For(section string) bool {
	if v, ok := u.Sections[section]; ok {
		return v
	}
	return u.All
}

// The page kinds Hugo's disableKinds names, lower-case.
var kinds = []string{"home", "page", "section", "taxonomy", "term", "rss", "sitemap", "robotstxt", "404"}

// Disabled reports whether disableKinds names kind, without regard to case.
func (c *Config) Disabled(kind string) bool {
	return slices.ContainsFunc(c.DisableKinds, func(k string) bool { return strings.EqualFold(k, kind) })
}

// derive turns the raw values Hugo lets take several shapes into typed
// ones.
func (c *Config) derive(d *decoder) {
	switch v := c.ThemeRaw.(type) {
	case nil:
	case string:
		c.Themes = []string{v}
	default:
		list, ok := stringList(v)
		if !ok {
			d.fail([]string{"theme"}, "want a theme's folder name, or a list of them, got %s", metadecode.TypeName(v))
		}
		c.Themes = list
	}
	if len(c.Themes) > 0 {
		c.Theme = c.Themes[0]
		if len(c.Themes) > 1 {
			d.warn([]string{"theme"}, "theme: only %q is used; Agora does not combine theme components (%s ignored)", c.Theme, strings.Join(c.Themes[1:], ", "))
		}
	}

	switch v := c.ParamsRaw.(type) {
	case nil:
	case map[string]any:
		c.Params = lowerKeys(v).(map[string]any)
	default:
		d.fail([]string{"params"}, "want a table, got %s", metadecode.TypeName(v))
	}
	if len(c.MainSections) == 0 {
		if v, ok := c.Params["mainsections"]; ok {
			if list, ok := stringList(v); ok {
				c.MainSections = list
			}
		}
	}

	c.Menu = map[string][]MenuEntry{}
	c.decodeMenus(d, "menus", c.MenusRaw)
	c.decodeMenus(d, "menu", c.MenuRaw)

	c.decodePermalinks(d)
	c.decodeOutputs(d)

	switch v := c.UglyURLsRaw.(type) {
	case nil:
	case bool:
		c.UglyURLs.All = v
	case map[string]any:
		c.UglyURLs.Sections = map[string]bool{}
		for k, e := range v {
			b, ok := e.(bool)
			if !ok {
				d.fail([]string{"uglyURLs", k}, "want true or false, got %s", metadecode.TypeName(e))
			}
			c.UglyURLs.Sections[k] = b
		}
	default:
		d.fail([]string{"uglyURLs"}, "want true or false, or a table of sections, got %s", metadecode.TypeName(v))
	}

	for _, k := range c.DisableKinds {
		if !slices.Contains(kinds, strings.ToLower(k)) {
			d.fail([]string{"disableKinds"}, "%q is not a page kind; Hugo's are %s", k, strings.Join(kinds, ", "))
		}
	}

	// markup.goldmark.renderer.unsafe is Hugo's name for [markup] unsafe.
	c.Markup.Unsafe = c.Markup.Unsafe || c.Markup.Goldmark.Renderer.Unsafe
	if c.Pagination.PagerSize != 0 {
		c.Paginate = c.Pagination.PagerSize
	}
	if c.Pagination.Path != "" {
		c.PaginatePath = c.Pagination.Path
	}
	if c.RSSLimit == 0 && c.Services.RSS.Limit != 0 {
		c.RSSLimit = c.Services.RSS.Limit
	}
	if c.PaginatePath != "" && strings.Trim(c.PaginatePath, "/") != c.PaginatePath {
		c.PaginatePath = strings.Trim(c.PaginatePath, "/")
	}
}

// decodeMenus reads [[menus.NAME]] entries (Hugo also accepts [[menu.NAME]]).
func (c *Config) decodeMenus(d *decoder, key string, raw any) {
	if raw == nil {
		return
	}
	menus, ok := raw.(map[string]any)
	if !ok {
		d.fail([]string{key}, "want a table of menus such as [[%s.main]], got %s", key, metadecode.TypeName(raw))
		return
	}
	for _, name := range sortedKeys(menus) {
		var list []any
		switch v := menus[name].(type) {
		case []any:
			list = v
		case map[string]any:
			list = []any{v}
		default:
			d.fail([]string{key, name}, "want a list of entries such as [[%s.%s]] name = \"Home\", got %s", key, name, metadecode.TypeName(v))
			continue
		}
		for i, e := range list {
			m, ok := e.(map[string]any)
			if !ok {
				d.fail([]string{key, name}, "entry %d: want a table with name and url, got %s", i+1, metadecode.TypeName(e))
				continue
			}
			var entry MenuEntry
			d.decodeStruct([]string{key, name}, m, reflect.ValueOf(&entry).Elem())
			if p, ok := entry.ParamsRaw.(map[string]any); ok {
				entry.Params = lowerKeys(p).(map[string]any)
			}
			if entry.Name == "" && entry.PageRef == "" && entry.Identifier == "" {
				d.fail([]string{key, name}, "menu %q entry %d has no name", name, i+1)
				continue
			}
			c.Menu[name] = append(c.Menu[name], entry)
		}
	}
}

func (c *Config) decodePermalinks(d *decoder) {
	c.Permalinks = Permalinks{Page: map[string]string{}, Section: map[string]string{}, Taxonomy: map[string]string{}, Term: map[string]string{}}
	if c.PermalinksRaw == nil {
		return
	}
	m, ok := c.PermalinksRaw.(map[string]any)
	if !ok {
		d.fail([]string{"permalinks"}, "want a table such as posts = \"/:year/:slug/\", got %s", metadecode.TypeName(c.PermalinksRaw))
		return
	}
	byKind := map[string]map[string]string{"page": c.Permalinks.Page, "section": c.Permalinks.Section, "taxonomy": c.Permalinks.Taxonomy, "term": c.Permalinks.Term}
	for _, k := range sortedKeys(m) {
		switch v := m[k].(type) {
		case string:
			// The older form: a section's pages, or a taxonomy's terms.
			if c.isTaxonomy(k) {
				c.Permalinks.Term[k] = v
			} else {
				c.Permalinks.Page[k] = v
			}
		case map[string]any:
			target, ok := byKind[strings.ToLower(k)]
			if !ok {
				d.fail([]string{"permalinks", k}, "want a pattern such as \"/:year/:slug/\", or one of page, section, taxonomy, term holding them")
				continue
			}
			for _, name := range sortedKeys(v) {
				s, ok := v[name].(string)
				if !ok {
					d.fail([]string{"permalinks", k, name}, "want a pattern such as \"/:year/:slug/\", got %s", metadecode.TypeName(v[name]))
					continue
				}
				target[name] = s
			}
		default:
			d.fail([]string{"permalinks", k}, "want a pattern such as \"/:year/:slug/\", got %s", metadecode.TypeName(v))
		}
	}
}

func (c *Config) isTaxonomy(plural string) bool {
	if c.Taxonomies == nil {
		return plural == "tags" || plural == "categories"
	}
	for _, p := range c.Taxonomies {
		if p == plural {
			return true
		}
	}
	return false
}

func (c *Config) decodeOutputs(d *decoder) {
	if c.OutputsRaw == nil {
		return
	}
	m, ok := c.OutputsRaw.(map[string]any)
	if !ok {
		d.fail([]string{"outputs"}, "want a table such as home = [\"HTML\", \"RSS\"], got %s", metadecode.TypeName(c.OutputsRaw))
		return
	}
	c.Outputs.set = map[string][]string{}
	for _, k := range sortedKeys(m) {
		kind := strings.ToLower(k)
		if _, ok := defaultOutputs[kind]; !ok {
			d.unknown([]string{"outputs", k}, []string{"home", "page", "section", "taxonomy", "term"})
			continue
		}
		list, ok := stringList(m[k])
		if !ok {
			d.fail([]string{"outputs", k}, "want a list of formats such as [\"HTML\", \"RSS\"], got %s", metadecode.TypeName(m[k]))
			continue
		}
		formats := []string{}
		for _, f := range list {
			switch lf := strings.ToLower(f); lf {
			case "html", "rss":
				formats = append(formats, lf)
			default:
				d.warn([]string{"outputs", k}, "outputs.%s: %s ignored: Agora writes HTML pages and RSS feeds only", k, f)
			}
		}
		c.Outputs.set[kind] = formats
	}
}

// lowerKeys lower-cases table keys recursively, as Hugo does for params.
func lowerKeys(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[strings.ToLower(k)] = lowerKeys(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = lowerKeys(e)
		}
		return out
	}
	return v
}
