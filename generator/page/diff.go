package page

import (
	"cmp"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/agora-hub/agora/generator/content"
)

// This file lets serve compare two models of one site, built before and
// after an edit: what each recorded accessor answers now (Eval), and which
// pages now show different data (Fingerprints).

// Current is the unit being run, or "".
func (t *Tracker) Current() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.current()
}

// PageAt returns the page published at site path p ("/tips/x/"), or nil.
func (s *Site) PageAt(p string) *Page {
	if p == s.notFound.path {
		return s.notFound
	}
	return s.pageAt(p)
}

// termPages lists every term page, taxonomy by taxonomy.
func (s *Site) termPages() []*Page {
	var out []*Page
	for _, t := range s.taxonomyPages() {
		out = append(out, t.children...)
	}
	return out
}

// Eval answers k on this site, as the site paths of the pages the
// accessor hands out now. ok is false when k's page is gone or the
// accessor is unknown: the caller must treat k as changed. It records
// nothing, since no unit is running.
func (s *Site) Eval(k ListKey) (members []string, ok bool) {
	name, arg, _ := strings.Cut(k.Name, " ")
	if k.Owner == "" {
		var ps []*Page
		switch name {
		case "Pages":
			ps = s.all
		case "RegularPages":
			ps = s.regular
		case "Sections":
			ps = s.sections
		case "Events":
			ps = s.events.pages
		case "UpcomingEvents":
			ps = s.splitEvents(s.events.pages, true)
		case "PastEvents":
			ps = s.splitEvents(s.events.pages, false)
		case "KindPages":
			ps = s.decisions.kindPages
		case "Taxonomies":
			ps = s.termPages()
		case "Home":
			ps = []*Page{s.home}
		case "GetPage":
			ps = []*Page{s.GetPage(arg)}
		default:
			return nil, false
		}
		return paths(ps), true
	}
	p := s.PageAt(k.Owner)
	if p == nil {
		return nil, false
	}
	var ps []*Page
	switch name {
	case "self":
		ps = []*Page{p}
	case "Pages":
		ps = p.Pages()
	case "RegularPages":
		ps = p.RegularPages()
	case "RegularPagesRecursive":
		ps = p.RegularPagesRecursive()
	case "Sections":
		ps = p.Sections()
	case "GetTerms":
		ps = p.GetTerms(arg)
	case "FeedItems":
		ps = p.FeedItems()
	case "Supersedes":
		ps = p.Supersedes()
	case "SupersededBy":
		ps = p.SupersededBy()
	case "UpcomingEvents":
		ps = p.UpcomingEvents()
	case "PastEvents":
		ps = p.PastEvents()
	case "Parent":
		ps = []*Page{p.Parent()}
	case "Prev":
		ps = []*Page{p.Prev()}
	case "Next":
		ps = []*Page{p.Next()}
	case "CurrentSection":
		ps = []*Page{p.CurrentSection()}
	case "FirstSection":
		ps = []*Page{p.FirstSection()}
	case "KindPage":
		if d := p.Decision(); d != nil {
			ps = []*Page{d.KindPage()}
		}
	default:
		return nil, false
	}
	return paths(ps), true
}

// Fingerprints returns, for every page with an output, a digest of what
// the page itself shows besides its body and its lists: kind, title,
// dates, URL, weight, front matter and the like. Two models of a site
// agree on a page's own data exactly when its fingerprints are equal.
func (s *Site) Fingerprints() map[string]string {
	out := make(map[string]string, len(s.all)+1)
	for _, p := range append(s.all, s.notFound) {
		h := sha256.New()
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%d\x00%d\x00%s\x00%s\x00%s\x00%s\x00%s\x00%d\x00%s\x00",
			p.kind, p.title, p.section, p.permalink, p.weight, p.pagerSize, p.taxonomy, p.term,
			p.date, p.publishDate, p.lastmod, len(p.children), p.expiryDate)
		if p.src != nil {
			fmt.Fprintf(h, "%s\x00%t\x00", p.src.Rel, p.src.Meta.Draft)
			h.Write(p.src.FrontMatter())
		}
		if e := s.events.byPage[p]; e != nil {
			// What the build clock decides about an event shows on it.
			fmt.Fprintf(h, "%t\x00%t\x00", e.Upcoming(), e.InProgress())
		}
		out[p.path] = string(h.Sum(nil))
	}
	return out
}

// changesAt notes a moment at which the model built at the build clock
// would be different: a future page is published, a page expires, an
// event starts or ends.
func (s *Site) changesAt(t time.Time, src *content.Source, what string) {
	if !t.After(s.now) {
		return
	}
	if s.validUntil.IsZero() || t.Before(s.validUntil) {
		s.validUntil = t
	}
	m := Moment{At: t, What: what}
	if src != nil {
		m.File = src.Path
	}
	s.moments = append(s.moments, m)
}

// A Moment is a time after the build clock at which a build would make a
// different site, and why.
type Moment struct {
	At   time.Time
	File string // the page's file, "content/tips/x.md"
	What string // "is published", "expires", "starts", "ends"
}

// Schedule lists the moments after the build clock at which the site
// changes with no edit, soonest first: what a scheduled rebuild must keep
// up with. A page not yet published counts by its publish date only; its
// expiry and event times are known once it is in the site.
func (s *Site) Schedule() []Moment {
	out := slices.Clone(s.moments)
	slices.SortStableFunc(out, func(a, b Moment) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.File, b.File))
	})
	return out
}

// ValidUntil is the first moment after the build clock at which a build
// would make a different model (zero: none is known). serve, whose clock
// runs, builds a new model once it is reached.
func (s *Site) ValidUntil() time.Time { return s.validUntil }
