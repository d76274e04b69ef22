package page

import (
	"fmt"
	"html/template"
	"path"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/markup"
)

// Page is a page of any kind. Its exported methods are the template API.
type Page struct {
	site      *Site
	kind      string
	src       *content.Source // nil for pages Agora makes (taxonomies, terms, missing _index)
	title     string
	dir       string
	section   string
	taxonomy  string // plural, for taxonomy and term pages
	term      string // urlized term, for term pages
	weight    int
	params    map[string]any
	parent    *Page
	children  []*Page // a list page's members: regular pages and subsections
	sections  []*Page
	terms     map[string][]*Page
	prev      *Page
	next      *Page
	path      string // site path without base: "/tips/x/"
	pagerSize int

	date, publishDate, lastmod, expiryDate time.Time
	permalink, relPermalink                string

	// Markdown is rendered on first use and the full HTML may be dropped
	// after the page is written, so 10,000 pages are never all held.
	renderOnce  sync.Once
	rendered    markup.Result
	mu          sync.Mutex
	keepContent bool
	released    bool
	renderErr   error
	words       int // WordCount, once wordsKnown
	wordsKnown  bool

	pager    *Pager
	pagerNum int
}

// Source is the Markdown file behind the page, or nil.
func (p *Page) Source() *content.Source { return p.src }

// Path is the page's site path without the base path ("/tips/x/").
func (p *Page) Path() string { return p.path }

// OutputFile is where the page is written below the destination.
func (p *Page) OutputFile() string { return OutputFile(p.path) }

// Members returns a list page's pages.
func (p *Page) Members() []*Page { return p.children }

// KeepContent marks the page's HTML as needed after its own page is
// written (it is in a feed).
func (p *Page) KeepContent() { p.keepContent = true }

// render renders the Markdown once and returns the result, whose Content
// may have been released. Safe for concurrent use.
func (p *Page) render() markup.Result {
	if t := p.site.tracker; t != nil {
		t.read(p)
	}
	p.renderOnce.Do(func() {
		if p.src == nil {
			return
		}
		buf, _ := p.site.bodies.Get().(*[]byte)
		if buf == nil {
			buf = new([]byte)
		}
		defer p.site.bodies.Put(buf)
		body, grown, err := p.src.ReadBody(*buf)
		*buf = grown
		if err != nil {
			p.mu.Lock()
			p.renderErr = err
			p.mu.Unlock()
			return
		}
		r, err := p.renderBody(body)
		p.mu.Lock()
		p.rendered, p.renderErr = r, err
		p.mu.Unlock()
	})
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rendered
}

// renderBody renders the page's body with its shortcodes. A code block
// that could not be highlighted is an error of the page, at its file.
func (p *Page) renderBody(body []byte) (markup.Result, error) {
	if p.site.body == nil {
		return p.Markdown().Render(body), nil
	}
	r, err := p.site.body.RenderBody(p, body)
	if err == nil && r.Err != nil {
		err = fmt.Errorf("%s: %w", p.src.Path, r.Err)
	}
	return r, err
}

// RenderErr reports a failure to read or render the page's Markdown.
func (p *Page) RenderErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.renderErr
}

// ReleaseContent drops the full HTML once the page's own output is written
// and no feed needs it; summaries and counts stay.
func (p *Page) ReleaseContent() {
	if p.keepContent {
		return
	}
	p.mu.Lock()
	p.rendered.Content = ""
	p.released = true
	p.mu.Unlock()
}

// SetPager selects which pager page the next render is for (1-based).
func (p *Page) SetPager(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pagerNum = n
	if n == 1 {
		p.pager = nil
	}
}

// Pager returns the pager the last render created, or nil.
func (p *Page) PagerUsed() *Pager {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.pager
}

// Template vocabulary (Hugo's names).

func (p *Page) Title() string { return p.title }
func (p *Page) LinkTitle() string {
	if p.src != nil && p.src.Meta.LinkTitle != "" {
		return p.src.Meta.LinkTitle
	}
	return p.title
}
func (p *Page) Kind() string    { return p.kind }
func (p *Page) Section() string { return p.section }
func (p *Page) Site() *Site     { return p.site }
func (p *Page) Params() map[string]any {
	return p.params
}
func (p *Page) Weight() int            { return p.weight }
func (p *Page) Date() time.Time        { return p.date }
func (p *Page) PublishDate() time.Time { return p.publishDate }
func (p *Page) Lastmod() time.Time     { return p.lastmod }
func (p *Page) ExpiryDate() time.Time  { return p.expiryDate }
func (p *Page) Permalink() string      { return p.permalink }

// PagerPermalink is the permalink of the pager page being rendered: a list's
// own for its first page, .../page/N/ for the others, Permalink on any other
// page. Each pager page is its own canonical URL; Hugo's .Permalink stays
// the list's on all of them (gohugoio/hugo#4507), and asking .Paginator in
// <head> would fix the list the page paginates before its body chose one.
func (p *Page) PagerPermalink() string {
	p.mu.Lock()
	n := p.pagerNum
	p.mu.Unlock()
	if n <= 1 || !p.IsNode() {
		return p.permalink
	}
	return p.site.cfg.Base.Abs(p.site.PagePath(p.path, n))
}
func (p *Page) RelPermalink() string { return p.relPermalink }
func (p *Page) IsHome() bool         { return p.kind == KindHome }
func (p *Page) IsPage() bool         { return p.kind == KindPage }
func (p *Page) IsSection() bool      { return p.kind == KindSection }
func (p *Page) IsNode() bool         { return p.kind != KindPage && p.kind != Kind404 }
func (p *Page) Parent() *Page        { return p.site.reach1(p, "Parent", p.parent) }
func (p *Page) Sections() []*Page    { return p.site.reachList(p, "Sections", p.sectionsOrSite()) }
func (p *Page) Prev() *Page          { return p.site.reach1(p, "Prev", p.prev) }
func (p *Page) Next() *Page          { return p.site.reach1(p, "Next", p.next) }
func (p *Page) PrevInSection() *Page { return p.site.reach1(p, "Prev", p.prev) }
func (p *Page) NextInSection() *Page { return p.site.reach1(p, "Next", p.next) }
func (p *Page) Eq(other any) bool    { o, ok := other.(*Page); return ok && o == p }
func (p *Page) GetTerms(tax string) []*Page {
	return p.site.reachList(p, "GetTerms "+tax, p.terms[tax])
}

func (p *Page) sectionsOrSite() []*Page {
	if p.kind == KindHome {
		return p.site.sections
	}
	var out []*Page
	for _, s := range p.sections {
		if s.src == nil || s.src.Meta.Build.List != content.Never {
			out = append(out, s)
		}
	}
	return out
}

// Draft reports whether the page is a draft (built only with -D).
func (p *Page) Draft() bool { return p.src != nil && p.src.Meta.Draft }

// Slug is the front-matter slug.
func (p *Page) Slug() string {
	if p.src == nil {
		return ""
	}
	return p.src.Meta.Slug
}

// Description is the front-matter description.
func (p *Page) Description() string {
	if p.src == nil {
		return ""
	}
	return p.src.Meta.Description
}

// ID is the stable identity used for feed GUIDs: front-matter id, else "".
func (p *Page) ID() string {
	if p.src == nil {
		return ""
	}
	return p.src.Meta.ID
}

// Type is the layout type: front-matter type, else the section.
func (p *Page) Type() string {
	if p.src != nil && p.src.Meta.Type != "" {
		return p.src.Meta.Type
	}
	if p.kind == KindPage && p.section == "" {
		return "page"
	}
	return p.section
}

// Layout is the front-matter layout name.
func (p *Page) Layout() string {
	if p.src == nil {
		return ""
	}
	return p.src.Meta.Layout
}

// Content is the rendered Markdown.
func (p *Page) Content() template.HTML {
	r := p.render()
	p.mu.Lock()
	released := p.released
	p.mu.Unlock()
	if released {
		// A late reader (a list showing full content): render again rather
		// than hold every page's HTML for the whole build.
		body, _, err := p.src.ReadBody(nil)
		if err != nil {
			return ""
		}
		r, err := p.renderBody(body)
		if err != nil {
			return ""
		}
		return template.HTML(r.Content)
	}
	return template.HTML(r.Content)
}

// Summary is the front-matter summary (as Markdown), the part before
// <!--more-->, or the first 70 words.
func (p *Page) Summary() template.HTML {
	if p.src != nil && p.src.Meta.Summary != "" {
		return template.HTML(p.site.md.RenderInline(p.src.Meta.Summary))
	}
	return template.HTML(p.render().Summary)
}

// AutoSummary reports whether the summary is the automatic one (the first
// 70 words as plain text): no summary in the front matter and no
// <!--more--> marker in the body.
func (p *Page) AutoSummary() bool {
	return p.src != nil && p.src.Meta.Summary == "" && !p.render().HasMore
}

// Truncated reports whether the summary leaves something out.
func (p *Page) Truncated() bool {
	if p.src != nil && p.src.Meta.Summary != "" {
		return true
	}
	return p.render().Truncated
}

// WordCount counts the words of the Content, as Hugo does. It is worked
// out the first time a template asks, not for every page of every build.
func (p *Page) WordCount() int {
	p.mu.Lock()
	n, known := p.words, p.wordsKnown
	p.mu.Unlock()
	if known {
		return n
	}
	n = markup.WordCount(string(p.Content()))
	p.mu.Lock()
	p.words, p.wordsKnown = n, true
	p.mu.Unlock()
	return n
}

// ReadingTime is in minutes at 213 words a minute, Hugo's figure.
func (p *Page) ReadingTime() int {
	wc := p.WordCount()
	if wc == 0 {
		return 0
	}
	return (wc + 212) / 213
}

func (p *Page) TableOfContents() template.HTML { return template.HTML(p.render().TOC) }

// Param looks a key up in the page's params, then the site's.
func (p *Page) Param(key string) any {
	k := strings.ToLower(key)
	if v, ok := p.params[k]; ok {
		return v
	}
	return p.site.cfg.Params[k]
}

// Pages is a list page's members; for the home page, Hugo's: top-level
// sections and root pages. Term pages list their tagged pages and the
// taxonomy page its terms.
func (p *Page) Pages() []*Page { return p.site.reachList(p, "Pages", p.children) }

// RegularPages is the regular pages directly in a list.
func (p *Page) RegularPages() []*Page {
	var out []*Page
	for _, c := range p.children {
		if c.kind == KindPage {
			out = append(out, c)
		}
	}
	return p.site.reachList(p, "RegularPages", out)
}

// RegularPagesRecursive includes the regular pages of subsections.
func (p *Page) RegularPagesRecursive() []*Page {
	if p.kind == KindHome {
		return p.site.reachList(nil, "RegularPages", p.site.regular)
	}
	var out []*Page
	for _, c := range p.children {
		if c.kind == KindPage {
			out = append(out, c)
		} else if c.kind == KindSection {
			out = append(out, c.RegularPagesRecursive()...)
		}
	}
	SortDefault(out)
	return p.site.reachList(p, "RegularPagesRecursive", out)
}

// CurrentSection is the page itself for list pages, else its section.
func (p *Page) CurrentSection() *Page {
	if p.IsNode() {
		return p
	}
	return p.site.reach1(p, "CurrentSection", p.parent)
}

// FirstSection is the top-level section the page is in.
func (p *Page) FirstSection() *Page {
	s := p
	for s.parent != nil && s.parent.kind != KindHome {
		s = s.parent
	}
	return p.site.reach1(p, "FirstSection", s)
}

// Data holds Hugo's .Data for list pages: Pages, and for taxonomies
// Singular, Plural and Terms.
func (p *Page) Data() map[string]any {
	d := map[string]any{"Pages": p.site.reachList(p, "Pages", p.children)}
	if p.taxonomy != "" {
		d["Plural"] = p.taxonomy
		for sing, plural := range p.site.cfg.Taxonomies {
			if plural == p.taxonomy {
				d["Singular"] = sing
			}
		}
		d["Terms"] = p.site.taxonomyMap()[p.taxonomy]
		if p.kind == KindTerm {
			d["Term"] = p.title
		}
	}
	return d
}

// File describes the content file, as Hugo's .File.
type File struct {
	Path, Dir, LogicalName, BaseFileName, ContentBaseName, Ext string
}

// File is nil for pages with no content file.
func (p *Page) File() *File {
	if p.src == nil {
		return nil
	}
	rel := p.src.Rel
	d := path.Dir(rel)
	if d == "." {
		d = ""
	} else {
		d += "/"
	}
	base := path.Base(rel)
	return &File{
		Path: rel, Dir: d, LogicalName: base, Ext: strings.TrimPrefix(path.Ext(base), "."),
		BaseFileName: strings.TrimSuffix(base, path.Ext(base)), ContentBaseName: p.src.Name(),
	}
}

// OutputFormat is an alternative representation of a page (its feed).
type OutputFormat struct {
	Name, Rel, Permalink, RelPermalink, MediaType string
}

// OutputFormats lists the page's formats: html always, rss for lists.
type OutputFormats []OutputFormat

// Get returns the named format, or nil.
func (o OutputFormats) Get(name string) *OutputFormat {
	for i := range o {
		if strings.EqualFold(o[i].Name, name) {
			return &o[i]
		}
	}
	return nil
}

func (p *Page) OutputFormats() OutputFormats {
	f := OutputFormats{{Name: "html", Rel: "canonical", Permalink: p.permalink, RelPermalink: p.relPermalink, MediaType: "text/html"}}
	if p.HasFeed() {
		f = append(f, OutputFormat{Name: "rss", Rel: "alternate", Permalink: p.permalink + "index.xml", RelPermalink: p.relPermalink + "index.xml", MediaType: "application/rss+xml"})
	}
	return f
}

func (p *Page) AlternativeOutputFormats() OutputFormats { return p.OutputFormats()[1:] }

// HasFeed reports whether the page gets an index.xml.
func (p *Page) HasFeed() bool {
	cfg := p.site.cfg
	return p.kind != KindPage && p.kind != Kind404 && cfg.Outputs.Has(p.kind, "rss") && !cfg.Disabled("rss") &&
		p.site.writes(p)
}

// FeedItems are the pages a list's feed carries, newest first.
func (p *Page) FeedItems() []*Page {
	var items []*Page
	switch p.kind {
	case KindHome:
		items = p.site.regular
	case KindTerm:
		items = p.children
	default:
		items = p.RegularPagesRecursive()
	}
	items = sortedByDate(items)
	if lim := p.site.cfg.RSSLimit; lim > 0 && len(items) > lim {
		items = items[:lim]
	}
	return p.site.reachList(p, "FeedItems", items)
}

func sortedByDate(ps []*Page) []*Page {
	out := append([]*Page(nil), ps...)
	sortStable(out, func(a, b *Page) bool { return a.date.After(b.date) })
	return out
}

// Paginate splits pages (a []*Page) into pager pages of the site's
// paginate size, or n. Only list pages paginate.
func (p *Page) Paginate(pages any, n ...int) (*Pager, error) {
	if !p.IsNode() {
		return nil, fmt.Errorf(".Paginate on %s: only list pages (home, sections, taxonomies, terms) paginate", p.kind)
	}
	list, err := toPages(pages)
	if err != nil {
		return nil, fmt.Errorf(".Paginate: %w", err)
	}
	size := p.pagerSize
	if len(n) > 0 && n[0] > 0 {
		size = n[0]
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pager == nil || p.pager.number != max(p.pagerNum, 1) {
		p.pager = newPager(p, list, size, max(p.pagerNum, 1))
	}
	return p.pager, nil
}

// Paginator paginates the page's own .Pages.
func (p *Page) Paginator() (*Pager, error) { return p.Paginate(p.Pages()) }

func toPages(v any) ([]*Page, error) {
	switch x := v.(type) {
	case []*Page:
		return x, nil
	case nil:
		return nil, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return nil, fmt.Errorf("want a list of pages, got %T", v)
	}
	out := make([]*Page, 0, rv.Len())
	for i := 0; i < rv.Len(); i++ {
		pg, ok := rv.Index(i).Interface().(*Page)
		if !ok {
			return nil, fmt.Errorf("want a list of pages, found %T in it", rv.Index(i).Interface())
		}
		out = append(out, pg)
	}
	return out, nil
}
