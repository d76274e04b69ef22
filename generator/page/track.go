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
	// Lists are recorded by what they are (whose .Pages, the site's
	// .RegularPages, a page's .Prev…), not member by member: a pager page
	// of a 2,500-page section would otherwise record 2,500 reaches. The
	// members are kept once per list, as the site's paths, so that after a
	// new model is built the old answer can be compared with the new one.
	lists     map[ListKey][]string
	listUnits map[ListKey]map[string]struct{}
	unitLists map[string][]ListKey
}

// ListKey names what a template was handed: an accessor ("Pages",
// "Prev", "GetTerms tags", "GetPage /tips"…) and the site path of the
// page it was called on ("" for the site's own).
type ListKey struct {
	Owner, Name string
}

// relation is a many-to-many record of units and page paths.
type relation struct {
	units map[string]map[string]struct{} // page path → units
	pages map[string][]string            // unit → page paths
}

func (r *relation) add(path, unit string) {
	if r.units == nil {
		r.units, r.pages = map[string]map[string]struct{}{}, map[string][]string{}
	}
	set := r.units[path]
	if set == nil {
		set = map[string]struct{}{}
		r.units[path] = set
	}
	if _, ok := set[unit]; !ok {
		set[unit] = struct{}{}
		r.pages[unit] = append(r.pages[unit], path)
	}
}

func (r *relation) forget(unit string) {
	for _, p := range r.pages[unit] {
		delete(r.units[p], unit)
	}
	delete(r.pages, unit)
}

// NewTracker returns an empty tracker.
func NewTracker() *Tracker { return &Tracker{} }

// Enter makes unit the current one until the returned func is called.
// Units nest; a record goes to the innermost one. Entering a unit forgets
// what it recorded before, since it is about to do it all again.
func (t *Tracker) Enter(unit string) (leave func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.forget(unit)
	t.stack = append(t.stack, unit)
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.stack = t.stack[:len(t.stack)-1]
	}
}

// Forget drops what unit recorded, for a unit that no longer exists.
func (t *Tracker) Forget(unit string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.forget(unit)
}

func (t *Tracker) forget(unit string) {
	t.body.forget(unit)
	for _, k := range t.unitLists[unit] {
		delete(t.listUnits[k], unit)
	}
	delete(t.unitLists, unit)
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
	t.body.add(p.path, t.current())
}

// reachedList records that the current unit was handed what k names.
// Records outside any unit (the generator walking its own model, or
// Site.Eval) are not kept.
func (t *Tracker) reachedList(k ListKey, ps []*Page) {
	t.mu.Lock()
	defer t.mu.Unlock()
	unit := t.current()
	if unit == "" {
		return
	}
	if t.lists == nil {
		t.lists, t.listUnits, t.unitLists = map[ListKey][]string{}, map[ListKey]map[string]struct{}{}, map[string][]ListKey{}
	}
	if _, ok := t.lists[k]; !ok {
		// Within one model an accessor's answer does not change, so the
		// first look is kept.
		t.lists[k] = paths(ps)
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

func paths(ps []*Page) []string {
	out := make([]string, 0, len(ps))
	for _, p := range ps {
		if p != nil {
			out = append(out, p.path)
		}
	}
	return out
}

// Readers returns the units that read the body of the page at path,
// sorted; "" among them means a read outside any unit.
func (t *Tracker) Readers(path string) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Sorted(maps.Keys(t.body.units[path]))
}

// Reachers returns the units that were handed the page at path, alone or
// in a list, sorted.
func (t *Tracker) Reachers(path string) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	units := map[string]struct{}{}
	for k, members := range t.lists {
		if slices.Contains(members, path) {
			for u := range t.listUnits[k] {
				units[u] = struct{}{}
			}
		}
	}
	return slices.Sorted(maps.Keys(units))
}

// Lists returns every recorded key with its members and the units that
// used it.
func (t *Tracker) Lists() map[ListKey]ListUse {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[ListKey]ListUse, len(t.lists))
	for k, members := range t.lists {
		if len(t.listUnits[k]) == 0 {
			continue
		}
		out[k] = ListUse{Members: members, Units: slices.Sorted(maps.Keys(t.listUnits[k]))}
	}
	return out
}

// ListUse is what Lists reports of one key.
type ListUse struct {
	Members []string // site paths, as first handed out
	Units   []string
}

// Renew drops the recorded members of k, for a key whose answer changed:
// the units that use it run again and record the new one.
func (t *Tracker) Renew(k ListKey) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.lists, k)
}

// reachList records that the current unit of a tracked build got the
// list ps from the accessor name called on owner (nil: the site); a no-op
// in an ordinary build. Every accessor that hands out pages calls it.
func (s *Site) reachList(owner *Page, name string, ps []*Page) []*Page {
	if s.tracker != nil {
		s.tracker.reachedList(listKey(owner, name), ps)
	}
	return ps
}

// reach1 is reachList for accessors that hand out one page (or nil).
func (s *Site) reach1(owner *Page, name string, p *Page) *Page {
	if s.tracker != nil {
		var ps []*Page
		if p != nil {
			ps = []*Page{p}
		}
		s.tracker.reachedList(listKey(owner, name), ps)
	}
	return p
}

func listKey(owner *Page, name string) ListKey {
	if owner == nil {
		return ListKey{Name: name}
	}
	return ListKey{Owner: owner.path, Name: name}
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
	p.wordsKnown = false
}

// MarkReached records that the current unit renders p itself: an edit
// to p's front matter changes that output even if it shows no body.
func (s *Site) MarkReached(p *Page) { s.reach1(p, "self", p) }

// CanRefresh reports whether Refresh may apply src, a new decoding of
// p's file: when the edit changes only what pages show, not what pages
// exist, where they are or in which order (a new title, description,
// summary, body or other parameters; not dates, draft, terms, weight,
// slug, url, aliases, type, layout, id, the [event] and [decision] tables
// or pinned). It leaves the model as it found it.
func (s *Site) CanRefresh(p *Page, src *content.Source) bool {
	old := p.src
	if old == nil || src == nil || old.Kind != src.Kind || old.Rel != src.Rel || !sameStructure(old, src) {
		return false
	}
	if old.Meta.Title == src.Meta.Title {
		return true
	}
	if p.kind != KindPage || old.Meta.Title == "" || src.Meta.Title == "" ||
		src.Params["event"] != nil || src.Params["decision"] != nil {
		// Derived titles, and the events' and decisions' own indexes,
		// are worked out when the model is built.
		return false
	}
	// A title breaks ties in the default order: try it, and put every
	// list back (the order is total, so sorting again restores it).
	title := p.title
	p.title = src.Meta.Title
	moved := s.resort()
	p.title = title
	if moved {
		s.resort()
	}
	return !moved
}

// Refresh applies src to p in place; CanRefresh must have said yes.
func (s *Site) Refresh(p *Page, src *content.Source) {
	src.Resources = p.src.Resources
	p.src, p.params, p.title = src, src.Params, src.Meta.Title
	if p.params == nil {
		p.params = map[string]any{}
	}
	p.ResetBody()
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
