// Package page is Agora's content model: the site, its pages, sections and
// taxonomy terms, sorted and linked, with the Hugo vocabulary that layouts
// use (.Title, .Pages, .Paginate, .Site.Menus …). It is built once per
// build from the loaded content and is read-only afterwards, except for
// each page's lazily rendered Markdown and its pager.
package page

import (
	"cmp"
	"fmt"
	"html/template"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/generator/markup"
	"github.com/agora-hub/agora/generator/urls"
	"github.com/agora-hub/agora/generator/welcome"
)

// Kinds of page, Hugo's names.
const (
	KindHome     = "home"
	KindPage     = "page"
	KindSection  = "section"
	KindTaxonomy = "taxonomy"
	KindTerm     = "term"
	Kind404      = "404"
)

// Options are the build's choices that decide which pages exist.
type Options struct {
	Now          time.Time
	BuildDrafts  bool
	BuildFuture  bool
	BuildExpired bool
	Markdown     *markup.Renderer
	// Body renders a page's body with its shortcodes; nil renders the
	// Markdown alone.
	Body BodyRenderer
	// Tracker, when set, records which unit of work reads which page's
	// body, from the start: a read while the model is built is charged
	// to no unit, which tells serve that a body edit needs a full build.
	Tracker *Tracker
	// Images, when set, tells the size of images the pages show, so that
	// Markdown images get width and height attributes.
	Images ImageSizes
}

// BodyRenderer renders a page's body: shortcodes, then Markdown.
type BodyRenderer interface {
	RenderBody(p *Page, body []byte) (markup.Result, error)
}

// Skipped counts pages left out of the build, by reason.
type Skipped struct{ Drafts, Future, Expired int }

// Site is the whole model.
type Site struct {
	cfg        *config.Config
	md         *markup.Renderer
	body       BodyRenderer
	now        time.Time
	home       *Page
	notFound   *Page
	all        []*Page // every page with an output, in a stable order
	regular    []*Page // regular pages listed site-wide, default sort
	pages      []*Page // every regular page, listed or not (build options)
	sections   []*Page // top-level sections, by weight then title
	taxonomies map[string]*Page
	terms      map[string]map[string]*Page // plural → term key → term page
	// taxonomySources are the _index.md files of taxonomy and term pages,
	// by folder: "tags", "tags/go".
	taxonomySources map[string]*content.Source
	menus           map[string][]*MenuEntry
	params          map[string]any // the site's params with Hugo's mainSections
	// mainSections are Hugo's: configured, else the biggest section.
	mainSections []string
	aliases      []Alias
	byPath       map[string]*Page // content path ("tips/x.md", "tips", "") → page
	files        []content.StaticFile
	bodies       sync.Pool  // *[]byte read buffers for Markdown bodies
	tracker      *Tracker   // set by serve's tracked builds; see track.go
	images       ImageSizes // see images.go
	validUntil   time.Time  // see ValidUntil
	moments      []Moment   // see Schedule
	Skipped      Skipped
	// Warnings are problems Hugo would build through, to print once.
	Warnings []string
	events   eventIndex // see event.go
	// [decision] tables, supersedes links and kind pages: see decision.go
	decisions transparency
}

// Alias is a Hugo alias: an old URL that redirects to a page.
type Alias struct {
	From string // clean site path
	To   *Page
	File string // where it was declared
	Line int
}

// New builds the model. All problems are reported together.
func New(cfg *config.Config, tree *content.Tree, opt Options) (*Site, error) {
	s := &Site{
		cfg:             cfg,
		md:              opt.Markdown,
		images:          opt.Images,
		body:            opt.Body,
		now:             opt.Now,
		taxonomies:      map[string]*Page{},
		terms:           map[string]map[string]*Page{},
		taxonomySources: map[string]*content.Source{},
		byPath:          map[string]*Page{},
		files:           tree.Files,
		tracker:         opt.Tracker,
	}
	var errs diag.List
	var sources []*content.Source
	for _, src := range tree.Sources {
		// The welcome series is mail, never a page of the site: it is
		// checked here, so a bad step fails the build, and left out.
		if welcome.In(cfg.Newsletter.Welcome, src) {
			if welcome.IsStep(src) {
				_, err := welcome.Parse(src)
				errs.Add(err)
			}
			continue
		}
		if s.excluded(src, opt) {
			continue
		}
		if src.Kind != content.Branch && cfg.Disabled(KindPage) {
			continue // disableKinds = ["page"]: no regular pages at all
		}
		sources = append(sources, src)
	}

	// Sections first, so that pages can find the one they belong to.
	sectionAt := map[string]*Page{}
	for _, src := range sources {
		if src.Kind != content.Branch {
			continue
		}
		dir := src.Dir()
		if dir == "" {
			s.home = s.newPage(KindHome, src)
			continue
		}
		if top, rest, _ := strings.Cut(dir, "/"); slices.Contains(cfg.TaxonomyNames(), top) && !strings.Contains(rest, "/") {
			// content/tags/_index.md is the taxonomy page's front matter
			// and text, content/tags/go/_index.md the term page's.
			s.taxonomySources[dir] = src
			continue
		}
		sectionAt[dir] = s.newPage(KindSection, src)
	}
	if s.home == nil {
		s.home = s.newPage(KindHome, nil)
	}
	if s.home.title == "" {
		s.home.title = cfg.Title
	}
	for _, src := range sources {
		if src.Kind == content.Branch {
			continue
		}
		if top, _, _ := strings.Cut(containerDir(src), "/"); top != "" && sectionAt[top] == nil {
			sec := s.newPage(KindSection, nil)
			sec.dir = top
			sec.title = content.TitleFromName(top)
			sectionAt[top] = sec
		}
	}
	dirs := make([]string, 0, len(sectionAt))
	for d := range sectionAt {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	for _, d := range dirs {
		sec := sectionAt[d]
		sec.parent = s.home
		for p := path.Dir(d); p != "."; p = path.Dir(p) {
			if anc := sectionAt[p]; anc != nil {
				sec.parent = anc
				break
			}
		}
		top, _, _ := strings.Cut(d, "/")
		sec.section = top
		sec.parent.sections = append(sec.parent.sections, sec)
		if sec.src != nil && sec.src.Meta.Build.List == content.Never {
			continue // rendered, but in no list
		}
		sec.parent.children = append(sec.parent.children, sec)
		if sec.parent == s.home {
			s.sections = append(s.sections, sec)
		}
	}

	for _, src := range sources {
		if src.Kind == content.Branch {
			continue
		}
		p := s.newPage(KindPage, src)
		p.parent = s.home
		for d := containerDir(src); d != "" && d != "."; d = path.Dir(d) {
			if sec := sectionAt[d]; sec != nil {
				p.parent = sec
				break
			}
		}
		p.section, _, _ = strings.Cut(containerDir(src), "/")
		s.pages = append(s.pages, p)
		// Hugo's build options: list = "never" keeps a page (a headless
		// bundle's) out of every list, "local" out of the site-wide ones.
		switch src.Meta.Build.List {
		case content.Never:
		case content.Local:
			p.parent.children = append(p.parent.children, p)
		default:
			p.parent.children = append(p.parent.children, p)
			s.regular = append(s.regular, p)
		}
	}

	for _, pat := range []map[string]string{cfg.Permalinks.Page, cfg.Permalinks.Section, cfg.Permalinks.Taxonomy, cfg.Permalinks.Term} {
		for name, pattern := range pat {
			if err := checkPermalink(pattern); err != nil {
				errs.Add(fmt.Errorf("%s: permalinks.%s: %w", strings.Join(cfg.Files, ", "), name, err))
			}
		}
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	s.assignURLs(&errs)
	s.buildTaxonomies()
	s.link()
	s.buildMenus(&errs)
	s.findMainSections()
	s.buildEvents(&errs)
	s.buildTransparency(tree, &errs)
	s.checkOutputs(&errs)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

// excluded applies drafts, future and expiry, counting what it leaves out.
func (s *Site) excluded(src *content.Source, opt Options) bool {
	m := src.Meta
	switch {
	case m.Draft && !opt.BuildDrafts:
		s.Skipped.Drafts++
	case !opt.BuildFuture && publishDate(m).After(opt.Now):
		s.Skipped.Future++
	case !opt.BuildExpired && !m.ExpiryDate.IsZero() && !m.ExpiryDate.After(opt.Now):
		s.Skipped.Expired++
	default:
		if !opt.BuildExpired {
			s.changesAt(m.ExpiryDate, src, "expires")
		}
		return false
	}
	if !m.Draft || opt.BuildDrafts {
		s.changesAt(publishDate(m), src, "is published") // a future page appears then
	}
	return true
}

func publishDate(m content.Meta) time.Time {
	if !m.PublishDate.IsZero() {
		return m.PublishDate
	}
	return m.Date
}

func (s *Site) newPage(kind string, src *content.Source) *Page {
	p := &Page{site: s, kind: kind, src: src, pagerSize: s.cfg.Paginate}
	if src != nil {
		m := src.Meta
		p.title = m.Title
		p.dir = src.Dir()
		p.params = src.Params
		p.weight = m.Weight
		// Hugo's date fallbacks (pagemeta's defaults): date ← publishDate
		// ← lastmod; publishDate ← date; lastmod ← date. A date written
		// with an offset keeps it, as in Hugo: a guest author's "+05:30"
		// prints the day and hour they wrote; lists that group by day or
		// month place it on the site's clock themselves.
		p.date = cmp.Or(m.Date, m.PublishDate, m.Lastmod)
		p.publishDate = cmp.Or(m.PublishDate, m.Date)
		p.lastmod = cmp.Or(m.Lastmod, p.date)
		p.expiryDate = m.ExpiryDate
		s.byPath[strings.TrimSuffix(src.Rel, path.Ext(src.Rel))] = p
		s.byPath[src.Rel] = p
		if src.Kind == content.Leaf {
			s.byPath[src.Dir()] = p // GetPage "/about" finds about/index.md
		}
	}
	if p.params == nil {
		p.params = map[string]any{}
	}
	return p
}

// assignURLs gives every page its site path, Hugo's defaults with URLs
// lower-cased and no segment starting with '_' or '.'.
func (s *Site) assignURLs(errs *diag.List) {
	s.home.path = "/"
	s.byPath[""] = s.home
	for _, sec := range s.allSections() {
		sec.path = dirPath(sec.dir)
		if pattern := s.cfg.Permalinks.Section[sec.section]; pattern != "" {
			sec.path = s.expandPermalink(sec, pattern)
		}
		sec.path = s.ugly(sec.path, sec.section)
		s.byPath[sec.dir] = sec
		s.custom(sec, errs)
	}
	for _, p := range s.pages {
		m := p.src.Meta
		name := p.src.Name()
		if m.Slug != "" {
			name = m.Slug
			if strings.Contains(name, "/") || strings.Contains(name, "..") || urls.Segment(name) == "" {
				errs.Add(diag.At(p.src.Path, p.src.Line("slug"), "slug %q must be one URL segment such as \"my-tip\"", m.Slug))
				continue
			}
		}
		dir := p.src.Dir()
		if p.src.Kind == content.Leaf {
			dir = path.Dir(dir)
			if dir == "." {
				dir = ""
			}
		}
		p.path = dirPath(dir) + urls.Segment(name) + "/"
		if pattern := s.cfg.Permalinks.Page[p.section]; pattern != "" && p.section != "" {
			p.path = s.expandPermalink(p, pattern)
		}
		p.path = s.ugly(p.path, p.section)
		s.custom(p, errs)
	}
	for _, p := range slices.Concat(s.pages, s.allSections(), []*Page{s.home}) {
		if p.src == nil || !s.writes(p) || s.cfg.DisableAliases {
			continue
		}
		for _, a := range p.src.Meta.Aliases {
			if a != "" && !strings.HasPrefix(a, "/") && !strings.Contains(a, "://") {
				// Hugo resolves a relative alias from the folder above the
				// page's URL: "old" on /posts/new/ is /posts/old/.
				trailing := strings.HasSuffix(a, "/")
				a = path.Join(path.Dir(strings.TrimSuffix(p.path, "/")), a)
				if trailing {
					a += "/"
				}
			}
			if s.cfg.UglyURLs.For(p.section) && path.Ext(a) == "" && strings.Trim(a, "/") != "" {
				a = strings.TrimSuffix(a, "/") + ".html"
			}
			from, err := urls.CleanPath(a)
			if err != nil {
				errs.Add(diag.At(p.src.Path, p.src.Line("aliases"), "aliases: %v", err))
				continue
			}
			s.aliases = append(s.aliases, Alias{From: from, To: p, File: p.src.Path, Line: p.src.Line("aliases")})
		}
	}
}

// custom applies a front-matter url, which replaces the whole path.
func (s *Site) custom(p *Page, errs *diag.List) {
	if p.src == nil || p.src.Meta.URL == "" {
		return
	}
	u, err := urls.CleanPath(p.src.Meta.URL)
	if err != nil {
		errs.Add(diag.At(p.src.Path, p.src.Line("url"), "url: %v", err))
		return
	}
	segs := strings.Split(strings.Trim(u, "/"), "/")
	for i, seg := range segs {
		if i == len(segs)-1 && strings.HasSuffix(seg, ".html") {
			segs[i] = urls.Segment(strings.TrimSuffix(seg, ".html")) + ".html"
			continue
		}
		segs[i] = urls.Segment(seg)
	}
	p.path = "/" + strings.Join(segs, "/")
	if !strings.HasSuffix(p.path, ".html") && p.path != "/" {
		p.path += "/"
	}
}

// containerDir is the folder a page is in: a leaf bundle's is the one
// holding the bundle, so content/about/index.md is a page at the top, not a
// section "about".
func containerDir(src *content.Source) string {
	d := src.Dir()
	if src.Kind == content.Leaf {
		if d = path.Dir(d); d == "." {
			d = ""
		}
	}
	return d
}

// writes reports whether the page is written: Hugo's build option render
// = "never" (a headless bundle) or "link" writes nothing, and neither does
// a kind in disableKinds or one whose outputs leave HTML out.
func (s *Site) writes(p *Page) bool {
	if p.src != nil && p.src.Meta.Build.Render != content.Always && p.src.Meta.Build.Render != "" {
		return false
	}
	return !s.cfg.Disabled(p.kind) && s.cfg.Outputs.Has(p.kind, "html")
}

// ugly is sitePath as Hugo's uglyURLs writes it for section: "/a/b/"
// becomes "/a/b.html".
func (s *Site) ugly(sitePath, section string) string {
	if !s.cfg.UglyURLs.For(section) || sitePath == "/" || !strings.HasSuffix(sitePath, "/") {
		return sitePath
	}
	return strings.TrimSuffix(sitePath, "/") + ".html"
}

func dirPath(dir string) string {
	if dir == "" {
		return "/"
	}
	segs := strings.Split(dir, "/")
	for i, seg := range segs {
		segs[i] = urls.Segment(seg)
	}
	return "/" + strings.Join(segs, "/") + "/"
}

func (s *Site) allSections() []*Page {
	var out []*Page
	var walk func(*Page)
	walk = func(p *Page) {
		for _, c := range p.sections {
			out = append(out, c)
			walk(c)
		}
	}
	walk(s.home)
	return out
}

func (s *Site) buildTaxonomies() {
	for _, plural := range s.cfg.TaxonomyNames() {
		tax := s.newPage(KindTaxonomy, s.taxonomySources[plural])
		tax.title = cmp.Or(tax.title, content.TitleFromName(plural))
		tax.taxonomy = plural
		tax.section = plural
		tax.path = "/" + plural + "/"
		if pattern := s.cfg.Permalinks.Taxonomy[plural]; pattern != "" {
			tax.path = s.expandPermalink(tax, pattern)
		}
		tax.parent = s.home
		s.taxonomies[plural] = tax
		terms := map[string]*Page{}
		s.terms[plural] = terms
		// Sections are tagged too (a term page lists them, as Hugo's does).
		tagged := slices.Concat(s.regular, s.allSections())
		for _, p := range tagged {
			if p.src == nil {
				continue
			}
			for _, term := range p.src.Meta.Terms[plural] {
				key := urls.Segment(term)
				if key == "" {
					continue
				}
				t := terms[key]
				if t == nil {
					t = s.newPage(KindTerm, s.taxonomySources[plural+"/"+key])
					t.title = cmp.Or(t.title, term)
					t.term = key
					t.taxonomy = plural
					t.section = plural
					t.path = "/" + plural + "/" + key + "/"
					t.parent = tax
					if pattern := s.cfg.Permalinks.Term[plural]; pattern != "" {
						t.path = s.expandPermalink(t, pattern)
					}
					t.path = s.ugly(t.path, plural)
					terms[key] = t
					tax.children = append(tax.children, t)
				}
				if !slices.Contains(t.children, p) {
					t.children = append(t.children, p)
				}
				if p.terms == nil {
					p.terms = map[string][]*Page{}
				}
				if !slices.Contains(p.terms[plural], t) {
					p.terms[plural] = append(p.terms[plural], t)
				}
			}
		}
		slices.SortFunc(tax.children, func(a, b *Page) int { return cmp.Compare(a.term, b.term) })
		tax.path = s.ugly(tax.path, plural)
	}
}

// link sorts every list, dates list pages by their newest member and sets
// Prev/Next within each top-level section.
func (s *Site) link() {
	SortDefault(s.regular)
	SortDefault(s.pages)
	var lists []*Page
	lists = append(lists, s.home)
	lists = append(lists, s.allSections()...)
	for _, t := range s.taxonomyPages() {
		lists = append(lists, t)
		lists = append(lists, t.children...)
	}
	// Deepest lists first so a section's date reflects its subsections.
	for i := len(lists) - 1; i >= 0; i-- {
		l := lists[i]
		if l.kind != KindTaxonomy {
			SortDefault(l.children)
		}
		for _, c := range l.children {
			if c.date.After(l.date) && (l.src == nil || l.src.Meta.Date.IsZero()) {
				l.date = c.date
			}
			if c.lastmod.After(l.lastmod) {
				l.lastmod = c.lastmod
			}
		}
	}
	bySection := map[string][]*Page{}
	for _, p := range s.regular {
		bySection[p.section] = append(bySection[p.section], p)
	}
	for _, ps := range bySection {
		// Lists run newest first; Next is the newer page, Prev the older.
		for i, p := range ps {
			if i > 0 {
				p.next = ps[i-1]
			}
			if i+1 < len(ps) {
				p.prev = ps[i+1]
			}
		}
	}
	slices.SortStableFunc(s.sections, func(a, b *Page) int {
		return cmp.Or(cmpWeight(a.weight, b.weight), cmp.Compare(a.title, b.title))
	})
	s.notFound = s.newPage(Kind404, nil)
	s.notFound.title = "Page not found"
	s.notFound.path = "/404.html"
	s.notFound.parent = s.home

	var all []*Page
	all = append(all, s.home)
	all = append(all, s.allSections()...)
	all = append(all, s.pages...)
	for _, t := range s.taxonomyPages() {
		all = append(all, t)
		all = append(all, t.children...)
	}
	for _, p := range all {
		// render = "link" gives a URL but no file; "never" neither.
		if p.src == nil || p.src.Meta.Build.Render != content.Never {
			p.permalink = s.cfg.Base.Abs(p.path)
			p.relPermalink = s.cfg.Base.Rel(p.path)
		}
		if s.writes(p) {
			s.all = append(s.all, p)
		}
	}
	s.notFound.permalink = s.cfg.Base.Abs(s.notFound.path)
	s.notFound.relPermalink = s.cfg.Base.Rel(s.notFound.path)
}

func (s *Site) taxonomyPages() []*Page {
	out := make([]*Page, 0, len(s.taxonomies))
	for _, name := range s.cfg.TaxonomyNames() {
		out = append(out, s.taxonomies[name])
	}
	return out
}

// checkOutputs refuses two pages, or a page and an alias, that would write
// the same file: one would silently overwrite the other.
func (s *Site) checkOutputs(errs *diag.List) {
	owner := map[string]string{}
	claim := func(sitePath, who string, file string, line func() int) {
		out := OutputFile(sitePath)
		if prev, ok := owner[out]; ok {
			errs.Add(diag.At(file, line(), "URL %s is also produced by %s", sitePath, prev))
			return
		}
		owner[out] = who
	}
	for _, p := range s.all {
		if p.path == "" {
			continue // its bad slug or url is already reported
		}
		who, file, line := p.path, "", func() int { return 0 }
		if p.src != nil {
			who, file, line = p.src.Path, p.src.Path, func() int { return p.src.Line("url") }
		}
		claim(p.path, who, file, line)
	}
	// An alias that would replace a page or an earlier alias is left out
	// with a warning: Hugo builds such a site (the last write wins), and a
	// stale redirect is no reason to fail a build.
	kept := s.aliases[:0]
	for _, a := range s.aliases {
		out := OutputFile(a.From)
		if prev, ok := owner[out]; ok {
			s.Warnings = append(s.Warnings, fmt.Sprintf("%s:%d: alias %s left out: %s already writes it", a.File, a.Line, a.From, prev))
			continue
		}
		owner[out] = a.File + " (alias)"
		kept = append(kept, a)
	}
	s.aliases = kept
}

// OutputFile maps a site path to the file that serves it: "/a/" →
// "a/index.html", "/a.html" → "a.html".
func OutputFile(sitePath string) string {
	p := strings.TrimPrefix(sitePath, "/")
	if p == "" || strings.HasSuffix(p, "/") {
		return p + "index.html"
	}
	return p
}

// SortDefault is Hugo's default order: weight (0 last), date newest first,
// title, then path for a stable result.
func SortDefault(ps []*Page) {
	slices.SortStableFunc(ps, func(a, b *Page) int {
		return cmp.Or(
			cmpWeight(a.weight, b.weight),
			b.date.Compare(a.date),
			cmp.Compare(a.title, b.title),
			cmp.Compare(a.path, b.path),
		)
	})
}

func cmpWeight(a, b int) int {
	switch {
	case a == b:
		return 0
	case a == 0:
		return 1
	case b == 0:
		return -1
	}
	return cmp.Compare(a, b)
}

// Accessors for the build.

// Home is the home page.
func (s *Site) Home() *Page { return s.reach1(nil, "Home", s.home) }

// NotFound is the 404 page.
func (s *Site) NotFound() *Page { return s.notFound }

// All returns every page that has an output.
func (s *Site) All() []*Page { return s.all }

// LeafBundles returns every leaf bundle's page, headless ones included:
// Hugo publishes a bundle's files whether or not its page is rendered.
func (s *Site) LeafBundles() []*Page {
	var out []*Page
	for _, p := range s.pages {
		if p.src.Kind == content.Leaf && p.path != "" {
			out = append(out, p)
		}
	}
	return out
}

// Aliases are the redirects to write.
func (s *Site) AliasList() []Alias { return s.aliases }

// Config is the site configuration.
func (s *Site) Config() *config.Config { return s.cfg }

// Now is the build clock.
func (s *Site) Now() time.Time { return s.now }

// Markdown is the site's Markdown renderer.
func (s *Site) Markdown() *markup.Renderer { return s.md }

// Template vocabulary.

func (s *Site) Title() string                             { return s.cfg.Title }
func (s *Site) BaseURL() string                           { return s.cfg.Base.String() }
func (s *Site) Params() map[string]any                    { return s.params }
func (s *Site) Copyright() string                         { return s.cfg.Copyright }
func (s *Site) Author() any                               { return s.cfg.Author }
func (s *Site) LanguageCode() string                      { return s.cfg.LanguageCode }
func (s *Site) Menus() map[string][]*MenuEntry            { return s.menus }
func (s *Site) Pages() []*Page                            { return s.reachList(nil, "Pages", s.all) }
func (s *Site) RegularPages() []*Page                     { return s.reachList(nil, "RegularPages", s.regular) }
func (s *Site) Sections() []*Page                         { return s.reachList(nil, "Sections", s.sections) }
func (s *Site) Lastmod() time.Time                        { return s.home.lastmod }
func (s *Site) LastChange() time.Time                     { return s.home.lastmod }
func (s *Site) Taxonomies() map[string]map[string][]*Page { return s.taxonomyMap() }
func (s *Site) IsServer() bool                            { return false }

func (s *Site) taxonomyMap() map[string]map[string][]*Page {
	out := make(map[string]map[string][]*Page, len(s.terms))
	// The set of terms is itself something a template can show.
	s.reachList(nil, "Taxonomies", s.termPages())
	for plural, terms := range s.terms {
		m := make(map[string][]*Page, len(terms))
		for key, t := range terms {
			m[key] = s.reachList(t, "Pages", t.children)
		}
		out[plural] = m
	}
	return out
}

// GetPage finds a page by its content path, Hugo style: "/tips",
// "tips/x.md", "tips/x", "/" for home, "/tags/go" for a term.
func (s *Site) GetPage(ref string) *Page {
	ref = strings.Trim(ref, "/")
	if p, ok := s.byPath[ref]; ok {
		return s.reach1(nil, "GetPage "+ref, p)
	}
	if plural, key, ok := strings.Cut(ref, "/"); ok {
		if t := s.terms[plural][urls.Segment(key)]; t != nil {
			return s.reach1(nil, "GetPage "+ref, t)
		}
	} else if t := s.taxonomies[ref]; t != nil {
		return s.reach1(nil, "GetPage "+ref, t)
	}
	return s.reach1(nil, "GetPage "+ref, nil)
}

var _ = template.HTML("")

// ContentFile is a non-Markdown file under content/ outside any bundle,
// published beside the pages of its folder.
type ContentFile struct {
	Rel string // below content/
	Out string // output path: folders as URLs (lower case), file name kept
}

// ContentFiles lists them. File names keep their case because Markdown
// links to them by name.
func (s *Site) ContentFiles() []ContentFile {
	out := make([]ContentFile, 0, len(s.files))
	for _, f := range s.files {
		dir := path.Dir(f.Rel)
		if dir == "." {
			dir = ""
		}
		out = append(out, ContentFile{Rel: f.Rel, Out: strings.TrimPrefix(dirPath(dir), "/") + path.Base(f.Rel)})
	}
	return out
}
