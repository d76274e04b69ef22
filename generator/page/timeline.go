package page

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/agora-hub/agora/generator/diag"
)

// buildKindPages makes /transparency/kind/<kind>/ for every kind that has
// a published post in the log, so readers can filter the timeline without
// JavaScript. Kind pages are section pages (they use the log's layouts and
// get a feed and pagination like it) whose parent is the log; they are not
// among the log's .Sections, being views of it rather than folders.
func (s *Site) buildKindPages(errs *diag.List) {
	t := &s.decisions
	log, ok := s.byPath[DecisionSection]
	if !ok || log.kind != KindSection {
		return
	}
	t.log = log
	for _, k := range decisionKinds {
		var posts []*Page
		for _, p := range s.regular {
			if d := t.byPage[p]; d != nil && d.kind == k.name && p.section == DecisionSection {
				posts = append(posts, p)
			}
		}
		if len(posts) == 0 {
			continue
		}
		at := log.path + "kind/" + k.name + "/"
		if taken := s.pageAt(at); taken != nil {
			// Said here, because checkOutputs could only name the kind
			// page by its URL, which is the very URL in question.
			file, line := "", 0
			if taken.src != nil {
				file, line = taken.src.Path, taken.src.Line("url")
			}
			errs.Add(diag.At(file, line, "URL %s is the transparency log's page for kind %q; move or rename this page", at, k.name))
			continue
		}
		kp := s.newPage(KindSection, nil)
		kp.title = k.plural
		kp.section = DecisionSection
		kp.parent = log
		kp.path = at
		kp.children = posts // s.regular's order: SortDefault
		for _, c := range posts {
			kp.date = maxTime(kp.date, c.date)
			kp.lastmod = maxTime(kp.lastmod, c.lastmod)
		}
		kp.permalink = s.cfg.Base.Abs(kp.path)
		kp.relPermalink = s.cfg.Base.Rel(kp.path)
		t.kindPages = append(t.kindPages, kp)
		t.kindOf[kp] = k.name
	}
	if len(t.kindPages) == 0 {
		return
	}
	// Right after the log in .Site.Pages, so the sitemap reads in order.
	at := slices.Index(s.all, log) + 1
	s.all = slices.Insert(s.all, at, t.kindPages...)

	// Someone trimming /transparency/kind/incident/ to /transparency/kind/
	// lands on the whole log rather than a 404, unless a page is there.
	folder := log.path + "kind/"
	if s.pageAt(folder) != nil {
		return
	}
	file := "the transparency log"
	if log.src != nil {
		file = log.src.Path
	}
	s.aliases = append(s.aliases, Alias{From: folder, To: log, File: file})
}

func (s *Site) pageAt(sitePath string) *Page {
	for _, p := range s.all {
		if p.path == sitePath {
			return p
		}
	}
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// DecisionKind is the kind a transparency kind page lists ("incident"),
// or "" for every other page.
func (p *Page) DecisionKind() string { return p.site.decisions.kindOf[p] }

// KindPages are the transparency log's kind pages, for the filter
// navigation: on the log and on each kind page, else nil.
func (p *Page) KindPages() []*Page {
	t := &p.site.decisions
	if t.log != nil && (p == t.log || t.kindOf[p] != "") {
		return p.site.reachList(nil, "KindPages", t.kindPages)
	}
	return nil
}

// Timezone is the site's time zone (site.toml timezone). Dates from front
// matter keep the offset they were written with; `.Date.In .Site.Timezone`
// shows one on the site's clock, as GroupByDate groups it.
func (s *Site) Timezone() *time.Location { return s.location() }

// PageGroup is one group of GroupByDate: Key is the formatted date ("" for
// pages without a date), Date the newest page's date in the site's zone.
type PageGroup struct {
	Key   string
	Date  time.Time
	Pages []*Page
}

// GroupByDate is Hugo's .Pages.GroupByDate FORMAT as a page method: pages
// (default: the list's regular pages) newest first, grouped by their date
// formatted with the Go layout FORMAT ("January 2006" for months) on the
// site's clock, so a post at 23:30 UTC on 31 October is November's in
// Berlin. Pages without a date come last, in a group with an empty Key.
func (p *Page) GroupByDate(format string, pages ...any) ([]PageGroup, error) {
	list := p.RegularPages()
	switch len(pages) {
	case 0:
	case 1:
		var err error
		if list, err = toPages(pages[0]); err != nil {
			return nil, fmt.Errorf(".GroupByDate: %w", err)
		}
	default:
		return nil, fmt.Errorf(".GroupByDate: want FORMAT [PAGES], got %d arguments", len(pages)+1)
	}
	if format == "" {
		return nil, fmt.Errorf(".GroupByDate: FORMAT is empty; use a Go date layout such as \"January 2006\"")
	}
	return GroupByDate(list, format, p.site.location()), nil
}

// GroupByDate groups pages as the method of that name does, in loc.
func GroupByDate(pages []*Page, format string, loc *time.Location) []PageGroup {
	sorted := append([]*Page(nil), pages...)
	slices.SortStableFunc(sorted, func(a, b *Page) int {
		if a.date.IsZero() != b.date.IsZero() {
			return cmp.Compare(boolInt(a.date.IsZero()), boolInt(b.date.IsZero()))
		}
		return b.date.Compare(a.date)
	})
	var out []PageGroup
	for _, q := range sorted {
		key, d := "", time.Time{}
		if !q.date.IsZero() {
			d = q.date.In(loc)
			key = d.Format(format)
		}
		if n := len(out); n > 0 && out[n-1].Key == key && out[n-1].Date.IsZero() == d.IsZero() {
			out[n-1].Pages = append(out[n-1].Pages, q)
			continue
		}
		out = append(out, PageGroup{Key: key, Date: d, Pages: []*Page{q}})
	}
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
