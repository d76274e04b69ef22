package page

import (
	"cmp"
	"fmt"
	"html/template"
	"slices"
	"sort"
	"strings"

	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/generator/metadecode"
)

// MenuEntry is one item of a site menu, Hugo's menu entry.
type MenuEntry struct {
	Name, Identifier, Title string
	URL                     string // ready to use in href: base path included
	Weight                  int
	Pre, Post               template.HTML
	Parent                  string // the parent entry's identifier
	Children                []*MenuEntry
	Page                    *Page // the page the entry links to, or nil
	Params                  map[string]any
	Menu                    string // the menu's name
}

// HasChildren reports whether entries have this one as their parent.
func (e *MenuEntry) HasChildren() bool { return len(e.Children) > 0 }

// KeyName is the identifier, else the name.
func (e *MenuEntry) KeyName() string { return cmp.Or(e.Identifier, e.Name) }

// IsCurrent reports whether entry links to page p.
func (e *MenuEntry) IsCurrent(p *Page) bool { return p != nil && e.URL == p.relPermalink }

// IsEqual reports whether two entries are the same entry.
func (e *MenuEntry) IsEqual(o *MenuEntry) bool {
	return o != nil && e.KeyName() == o.KeyName() && e.Menu == o.Menu && e.URL == o.URL
}

// IsMenuCurrent reports whether entry of menu links to p (Hugo's page method).
func (p *Page) IsMenuCurrent(menu string, e *MenuEntry) bool {
	return e != nil && e.Menu == menu && e.IsCurrent(p)
}

// HasMenuCurrent reports whether one of entry's descendants links to p.
func (p *Page) HasMenuCurrent(menu string, e *MenuEntry) bool {
	if e == nil {
		return false
	}
	for _, c := range e.Children {
		if p.IsMenuCurrent(menu, c) || p.HasMenuCurrent(menu, c) {
			return true
		}
	}
	return false
}

// buildMenus makes the menus of [menus] and of pages' front-matter menu,
// nested by parent and sorted by weight then name, as in Hugo.
func (s *Site) buildMenus(errs *diag.List) {
	flat := map[string][]*MenuEntry{}
	for name, entries := range s.cfg.Menu {
		for _, e := range entries {
			me := &MenuEntry{
				Name: e.Name, Identifier: cmp.Or(e.Identifier, e.Name), Title: e.Title, Weight: e.Weight,
				Pre: template.HTML(e.Pre), Post: template.HTML(e.Post), Parent: e.Parent,
				Params: e.Params, Menu: name,
			}
			switch {
			case e.PageRef != "":
				if p := s.byPath[strings.Trim(e.PageRef, "/")]; p != nil {
					me.Page, me.URL = p, p.relPermalink
					me.Name = cmp.Or(me.Name, p.LinkTitle())
				} else {
					me.URL = s.cfg.Base.Rel(e.PageRef)
				}
			default:
				me.URL = s.cfg.Base.Rel(e.URL)
				if p := s.pageAtURL(e.URL); p != nil {
					me.Page = p
				}
			}
			flat[name] = append(flat[name], me)
		}
	}
	for _, p := range s.pages {
		s.pageMenus(p, flat, errs)
	}
	for _, sec := range s.allSections() {
		s.pageMenus(sec, flat, errs)
	}
	if s.home.src != nil {
		s.pageMenus(s.home, flat, errs)
	}
	s.menus = map[string][]*MenuEntry{}
	for name, entries := range flat {
		byID := map[string]*MenuEntry{}
		for _, e := range entries {
			byID[e.KeyName()] = e
		}
		var top []*MenuEntry
		for _, e := range entries {
			if parent := byID[e.Parent]; e.Parent != "" && parent != nil && parent != e {
				parent.Children = append(parent.Children, e)
				continue
			}
			top = append(top, e)
		}
		for _, e := range entries {
			sortMenu(e.Children)
		}
		sortMenu(top)
		s.menus[name] = top
	}
}

func sortMenu(es []*MenuEntry) {
	slices.SortStableFunc(es, func(a, b *MenuEntry) int {
		return cmp.Or(cmpWeight(a.Weight, b.Weight), cmp.Compare(a.Name, b.Name))
	})
}

// pageAtURL finds the page a menu URL points to, for .Page and the
// current-page checks.
func (s *Site) pageAtURL(u string) *Page {
	for _, p := range s.all {
		if p.path == u || p.path == u+"/" {
			return p
		}
	}
	return nil
}

// pageMenus adds the entries of a page's front-matter menu: a menu name,
// a list of names, or a table of menus each with its entry's settings.
func (s *Site) pageMenus(p *Page, flat map[string][]*MenuEntry, errs *diag.List) {
	if p.src == nil || p.src.Meta.Menus == nil || p.relPermalink == "" {
		return
	}
	entry := func(menu string) *MenuEntry {
		return &MenuEntry{Name: p.LinkTitle(), Identifier: p.LinkTitle(), URL: p.relPermalink, Weight: p.weight, Page: p, Menu: menu}
	}
	bad := func(format string, args ...any) {
		key := "menus"
		if _, ok := p.src.Params["menus"]; !ok {
			key = "menu"
		}
		errs.Add(diag.At(p.src.Path, p.src.Line(key), "%s: %s", key, fmt.Sprintf(format, args...)))
	}
	switch v := p.src.Meta.Menus.(type) {
	case string:
		flat[v] = append(flat[v], entry(v))
	case []any:
		for _, n := range v {
			name, ok := n.(string)
			if !ok {
				bad("want menu names such as [\"main\"], found %s", metadecode.TypeName(n))
				return
			}
			flat[name] = append(flat[name], entry(name))
		}
	case map[string]any:
		names := make([]string, 0, len(v))
		for n := range v {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			e := entry(name)
			switch settings := v[name].(type) {
			case nil:
			case map[string]any:
				for k, val := range settings {
					str, _ := val.(string)
					switch strings.ToLower(k) {
					case "name":
						e.Name = str
					case "identifier":
						e.Identifier = str
					case "parent":
						e.Parent = str
					case "pre":
						e.Pre = template.HTML(str)
					case "post":
						e.Post = template.HTML(str)
					case "title":
						e.Title = str
					case "weight":
						n, ok := val.(int64)
						if !ok {
							bad("%s.weight: want a whole number, got %s", name, metadecode.TypeName(val))
						}
						e.Weight = int(n)
					case "params":
						e.Params, _ = val.(map[string]any)
					default:
						bad("%s: unknown key %q; an entry takes name, identifier, parent, weight, pre, post, title, params", name, k)
					}
				}
			default:
				bad("%s: want a table such as weight = 10, got %s", name, metadecode.TypeName(settings))
			}
			flat[name] = append(flat[name], e)
		}
	default:
		bad("want a menu name, a list of them, or a table such as [menus.main] weight = 10; got %s", metadecode.TypeName(v))
	}
}

// findMainSections is Hugo's mainSections: the configured list, else the
// top-level section with the most regular pages.
func (s *Site) findMainSections() {
	s.mainSections = s.cfg.MainSections
	if len(s.mainSections) == 0 {
		count := map[string]int{}
		for _, p := range s.regular {
			if p.section != "" {
				count[p.section]++
			}
		}
		best := ""
		for sec, n := range count {
			if n > count[best] || (n == count[best] && sec < best) {
				best = sec
			}
		}
		if best != "" {
			s.mainSections = []string{best}
		}
	}
	s.params = s.cfg.Params
	if _, set := s.params["mainsections"]; !set {
		s.params = make(map[string]any, len(s.cfg.Params)+1)
		for k, v := range s.cfg.Params {
			s.params[k] = v
		}
		s.params["mainsections"] = s.mainSections
	}
}

// MainSections are the sections a theme's home page lists.
func (s *Site) MainSections() []string { return s.mainSections }
