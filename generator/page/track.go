package page

import (
	"slices"
	"sync"

	"github.com/agora-hub/agora/generator/markup"
)

// BodyTracker records which unit of work (a page's output, a list with its
// pager pages and feed, the calendars…) read which page's rendered
// Markdown. Everything a template or a feed can learn from a body (Content,
// Summary, WordCount, TableOfContents…) goes through one method, render, so
// this one hook sees every such read. After an edit that changes only a
// page's body, serve re-runs just the units that read it.
//
// The tracker knows one current unit at a time, so a tracked build renders
// serially.
type BodyTracker struct {
	mu      sync.Mutex
	stack   []string
	readers map[*Page]map[string]struct{}
	reads   map[string][]*Page
}

// NewBodyTracker returns an empty tracker.
func NewBodyTracker() *BodyTracker {
	return &BodyTracker{readers: map[*Page]map[string]struct{}{}, reads: map[string][]*Page{}}
}

// Enter makes unit the current reader until the returned func is called.
// Units nest; a read is charged to the innermost one. Entering a unit
// forgets what it read before, since it is about to read it all again.
func (t *BodyTracker) Enter(unit string) (leave func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, p := range t.reads[unit] {
		delete(t.readers[p], unit)
	}
	delete(t.reads, unit)
	t.stack = append(t.stack, unit)
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.stack = t.stack[:len(t.stack)-1]
	}
}

func (t *BodyTracker) read(p *Page) {
	t.mu.Lock()
	defer t.mu.Unlock()
	unit := ""
	if len(t.stack) > 0 {
		unit = t.stack[len(t.stack)-1]
	}
	set := t.readers[p]
	if set == nil {
		set = map[string]struct{}{}
		t.readers[p] = set
	}
	if _, ok := set[unit]; !ok {
		set[unit] = struct{}{}
		t.reads[unit] = append(t.reads[unit], p)
	}
}

// Readers returns the units that read p's body, sorted. "" among them
// means a read outside any unit: the caller cannot tell what depends on it.
func (t *BodyTracker) Readers(p *Page) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var units []string
	for u := range t.readers[p] {
		units = append(units, u)
	}
	slices.Sort(units)
	return units
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
