package page

import (
	"maps"
	"reflect"
	"slices"
	"sync"

	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/markup"
)

// Tracker records, for each unit of work of a build (a page's output, one
// pager page of a list, a feed, the calendars, the extras), which pages it
// reached and whose rendered Markdown it read, so that serve can run again
// only the units an edit can change.
//
//   - Body reads: everything a template or a feed can learn from a body
//     (Content, Summary, WordCount, TableOfContents…) goes through one
//     method, render, so one hook sees every such read.
//   - Reaches: a template can only learn about another page through an
//     accessor that returns it (.Parent, .Prev, .Pages, .Site.RegularPages,
//     .GetTerms, .Site.GetPage…), so those accessors record the pages they
//     hand out. A unit that never reached a page cannot show its title.
//
// The tracker knows one current unit at a time, so a tracked build renders
// serially.
type Tracker struct {
	mu    sync.Mutex
	stack []string
	body  relation
	reach relation
	// Lists are recorded by what they are (whose .Pages, the site's
	// .RegularPages…), not member by member: a pager page of a 2,500-page
	// section would otherwise record 2,500 reaches.
	lists     map[listKey][]*Page
	listUnits map[listKey]map[string]struct{}
	unitLists map[string][]listKey
}

// listKey names a list a template was handed: the accessor and the page
// it was called on (nil for the site's own lists).
type listKey struct {
	owner *Page
	name  string
}

// relation is a many-to-many record of units and pages.
type relation struct {
	units map[*Page]map[string]struct{}
	pages map[string][]*Page
}

func (r *relation) add(p *Page, unit string) {
	if r.units == nil {
		r.units, r.pages = map[*Page]map[string]struct{}{}, map[string][]*Page{}
	}
	set := r.units[p]
	if set == nil {
		set = map[string]struct{}{}
		r.units[p] = set
	}
	if _, ok := set[unit]; !ok {
		set[unit] = struct{}{}
		r.pages[unit] = append(r.pages[unit], p)
	}
}

func (r *relation) forget(unit string) {
	for _, p := range r.pages[unit] {
		delete(r.units[p], unit)
	}
	delete(r.pages, unit)
}

func (r *relation) of(p *Page) []string {
	var units []string
	for u := range r.units[p] {
		units = append(units, u)
	}
	slices.Sort(units)
	return units
}

// NewTracker returns an empty tracker.
func NewTracker() *Tracker { return &Tracker{} }

// Enter makes unit the current one until the returned func is called.
// Units nest; a record goes to the innermost one. Entering a unit forgets
// what it recorded before, since it is about to do it all again.
func (t *Tracker) Enter(unit string) (leave func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.body.forget(unit)
	t.reach.forget(unit)
	for _, k := range t.unitLists[unit] {
		delete(t.listUnits[k], unit)
	}
	delete(t.unitLists, unit)
	t.stack = append(t.stack, unit)
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.stack = t.stack[:len(t.stack)-1]
	}
}

func (t *Tracker) current() string {
	if len(t.stack) == 0 {
		return ""
	}
	return t.stack[len(t.stack)-1]
}

// read records a body read. One outside any unit is kept under "", which
// tells the caller that something it cannot re-run depends on the body.
func (t *Tracker) read(p *Page) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.body.add(p, t.current())
}

// reached records that the current unit was handed ps. Reaches outside
// any unit (the generator walking its own model) are not kept: what the
// model itself derives from a page is covered by Site.Refresh's rules.
func (t *Tracker) reached(ps ...*Page) {
	t.mu.Lock()
	defer t.mu.Unlock()
	unit := t.current()
	if unit == "" {
		return
	}
	for _, p := range ps {
		if p != nil {
			t.reach.add(p, unit)
		}
	}
}

// Readers returns the units that read p's body, sorted; "" among them
// means a read outside any unit.
func (t *Tracker) Readers(p *Page) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.body.of(p)
}

// reachedList records that the current unit was handed the list named k.
func (t *Tracker) reachedList(k listKey, ps []*Page) {
	t.mu.Lock()
	defer t.mu.Unlock()
	unit := t.current()
	if unit == "" {
		return
	}
	if t.lists == nil {
		t.lists, t.listUnits, t.unitLists = map[listKey][]*Page{}, map[listKey]map[string]struct{}{}, map[string][]listKey{}
	}
	if _, ok := t.lists[k]; !ok {
		// A list's members do not change while the model stands (an
		// edit that would change them is a full build), so the first
		// look is kept.
		t.lists[k] = slices.Clone(ps)
	}
	set := t.listUnits[k]
	if set == nil {
		set = map[string]struct{}{}
		t.listUnits[k] = set
	}
	if _, ok := set[unit]; !ok {
		set[unit] = struct{}{}
		t.unitLists[unit] = append(t.unitLists[unit], k)
	}
}

// Reachers returns the units that were handed p, alone or in a list,
// sorted.
func (t *Tracker) Reachers(p *Page) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	units := map[string]struct{}{}
	for u := range t.reach.units[p] {
		units[u] = struct{}{}
	}
	for k, members := range t.lists {
		if slices.Contains(members, p) {
			for u := range t.listUnits[k] {
				units[u] = struct{}{}
			}
		}
	}
	return slices.Sorted(maps.Keys(units))
}

// reachList records that the current unit of a tracked build got the
// list ps, named by owner and accessor; a no-op in an ordinary build.
// Every accessor that hands out a list of pages calls it.
func (s *Site) reachList(owner *Page, name string, ps []*Page) []*Page {
	if s.tracker != nil {
		s.tracker.reachedList(listKey{owner, name}, ps)
	}
	return ps
}

// reach1 records that the current unit got page p.
func (s *Site) reach1(p *Page) *Page {
	if s.tracker != nil && p != nil {
		s.tracker.reached(p)
	}
	return p
}

// PageFor returns the page made from the Markdown file at rel (a slash
// path below content/), or nil.
func (s *Site) PageFor(rel string) *Page {
	if p := s.byPath[rel]; p != nil && p.src != nil && p.src.Rel == rel {
		return p
	}
	return nil
}

// ResetBody forgets the rendered Markdown, so that the next read renders
// the file again. Only for a page whose front matter is unchanged: the
// model built from it stays valid.
func (p *Page) ResetBody() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.renderOnce = sync.Once{}
	p.rendered = markup.Result{}
	p.released = false
	p.renderErr = nil
}

// MarkReached records that the current unit renders p itself: an edit
// to p's front matter changes that output even if it shows no body.
func (s *Site) MarkReached(p *Page) { s.reach1(p) }

// Refresh applies a new decoding of p's file to the model in place, when
// the edit changes only what pages show, not what pages exist, where they
// are or in which order: a new title, description, summary, body or other
// parameters. It reports false for anything else (dates, draft, terms,
// weight, slug, url, aliases, type, layout, id, the [event] and [decision]
// tables, pinned), and then the model may be half updated: the caller
// must build it again.
func (s *Site) Refresh(p *Page, src *content.Source) bool {
	old := p.src
	if old == nil || src == nil || old.Kind != src.Kind || old.Rel != src.Rel || !sameStructure(old, src) {
		return false
	}
	titled := old.Meta.Title != src.Meta.Title
	if titled && (p.kind != KindPage || old.Meta.Title == "" || src.Meta.Title == "" ||
		src.Params["event"] != nil || src.Params["decision"] != nil) {
		// Derived titles, and the events' and decisions' own indexes,
		// are worked out when the model is built.
		return false
	}
	src.Resources = old.Resources
	p.src, p.params, p.title = src, src.Params, src.Meta.Title
	if p.params == nil {
		p.params = map[string]any{}
	}
	p.ResetBody()
	// A title breaks ties in the default order; a list whose order
	// moved would change pages that never reached p.
	return !titled || !s.resort()
}

// sameStructure reports whether two decodings of one file agree on
// everything the model is built from.
func sameStructure(a, b *content.Source) bool {
	ma, mb := a.Meta, b.Meta
	ma.Title, ma.Description, ma.Summary = "", "", ""
	mb.Title, mb.Description, mb.Summary = "", "", ""
	if !reflect.DeepEqual(ma, mb) {
		return false
	}
	for _, k := range []string{"event", "decision", "pinned"} {
		if !reflect.DeepEqual(a.Params[k], b.Params[k]) {
			return false
		}
	}
	return true
}

// resort sorts the lists the model sorts by title again and reports
// whether any order changed.
func (s *Site) resort() (changed bool) {
	lists := [][]*Page{s.regular}
	for _, l := range append([]*Page{s.home}, s.allSections()...) {
		lists = append(lists, l.children)
	}
	for _, t := range s.taxonomyPages() {
		for _, term := range t.children {
			lists = append(lists, term.children)
		}
	}
	for _, l := range lists {
		before := slices.Clone(l)
		SortDefault(l)
		if !slices.Equal(before, l) {
			changed = true
		}
	}
	return changed
}
