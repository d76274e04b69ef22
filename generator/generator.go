// Package generator builds a site. The pipeline reads top to bottom:
//
//	load   site.toml and content/ (front matter split and decoded)
//	model  pages, sections, terms: sorted, linked, given URLs
//	render Markdown, then templates, concurrently
//	write  into a staging folder, swapped in only if all of it succeeded
package generator

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/agora-hub/agora/generator/assets"
	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/generator/highlight"
	"github.com/agora-hub/agora/generator/internal/workers"
	"github.com/agora-hub/agora/generator/markup"
	"github.com/agora-hub/agora/generator/output"
	"github.com/agora-hub/agora/generator/page"
	"github.com/agora-hub/agora/generator/shortcode"
	"github.com/agora-hub/agora/generator/sitefs"
	"github.com/agora-hub/agora/generator/tpl"
	"github.com/agora-hub/agora/themes"
)

// Options are a build's inputs besides the files.
type Options struct {
	Source       string    // site root, holding site.toml
	Destination  string    // default: Source/public
	BaseURL      string    // overrides site.toml's baseURL when set
	BuildDrafts  bool      // -D
	BuildFuture  bool      // -F
	BuildExpired bool      // -E
	Now          time.Time // the build clock; zero means time.Now()
	// Environment picks config/ENV/ (Hugo's): "" is production, serve's
	// is development.
	Environment string
}

// Result describes a successful build.
type Result struct {
	Destination string
	Pages       int // HTML pages rendered from templates
	Redirects   int // alias and pager redirect pages
	Files       int // static files and page resources copied
	Images      int // images decoded and encoded: 0 when all came from resources/_gen
	Skipped     page.Skipped
	Duration    time.Duration
	// Warnings are configuration keys Agora ignores, notes on which
	// files were read and the templates' warnings (warnf, missing
	// translations), each once.
	Warnings []string
	// RobotsTxt is the URL of robots.txt when the site is served below a
	// path (a GitHub Pages project site): crawlers read robots.txt only at
	// the root of a host, so that one is never read.
	RobotsTxt string
}

// String is the one-line build summary.
func (r *Result) String() string {
	s := fmt.Sprintf("Built %s, %s and %s into %s in %s", plural(r.Pages, "page"), plural(r.Redirects, "redirect"), plural(r.Files, "file"), r.Destination, r.Duration.Round(time.Millisecond))
	var out []string
	for _, c := range []struct {
		n    int
		what string
	}{{r.Skipped.Drafts, "draft"}, {r.Skipped.Future, "future"}, {r.Skipped.Expired, "expired"}} {
		if c.n > 0 {
			if c.what == "draft" {
				out = append(out, plural(c.n, "draft"))
			} else {
				out = append(out, fmt.Sprintf("%d %s", c.n, c.what))
			}
		}
	}
	if len(out) > 0 {
		s += "; left out " + strings.Join(out, ", ") + " (-D, -F, -E build them)"
	}
	return s
}

// RobotsNote is the line agora build adds to its summary when RobotsTxt
// is set, "" otherwise.
func (r *Result) RobotsNote() string {
	if r.RobotsTxt == "" {
		return ""
	}
	return "Note: crawlers read robots.txt only at the root of a host, never at " + r.RobotsTxt +
		"; the home page links the sitemap instead (see the README on project sites)."
}

// robotsNote is Result.RobotsTxt.
func (b *build) robotsNote() string {
	if b.cfg.Base.Host() == "" || strings.Trim(b.cfg.Base.Path(), "/") == "" {
		return ""
	}
	if _, written := b.out.Owner("robots.txt"); !written {
		return ""
	}
	return b.cfg.Base.Abs("robots.txt")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// Build runs the whole pipeline. On error the destination is untouched.
func Build(ctx context.Context, opt Options) (*Result, error) {
	_, res, err := buildSite(ctx, opt, nil)
	return res, err
}

// buildSite builds and commits the site. With a tracker it renders
// serially and records which unit of work read which page's body, for
// serve's incremental rebuilds (see session.go).
func buildSite(ctx context.Context, opt Options, tracker *page.Tracker) (_ *build, _ *Result, err error) {
	start := time.Now()
	b, err := newBuild(opt)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		// serve keeps a good build, whose pages read their bodies later.
		if tracker == nil || err != nil {
			b.src.Close()
		}
	}()
	stage, err := output.NewStage(b.dest)
	if err != nil {
		return nil, nil, err
	}
	b.stage, b.out = stage, stage
	if tracker != nil {
		b.tracker, b.units = tracker, map[string]func(){}
		b.out = &trackedSink{sink: stage, b: b}
	}
	if err := b.run(ctx); err != nil {
		_ = stage.Abort()
		return nil, nil, err
	}
	if err := stage.Commit(); err != nil {
		_ = stage.Abort()
		return nil, nil, err
	}
	return b, &Result{
		Destination: b.dest, Pages: b.pages, Redirects: b.redirects, Files: stage.Files(),
		Skipped: b.site.Skipped, Duration: time.Since(start), Warnings: b.warnings(), RobotsTxt: b.robotsNote(),
		Images: int(b.assets.ImageWork()),
	}, nil
}

// sink is where a build writes: the staging folder, or for an incremental
// rebuild the served folder itself.
type sink interface {
	Write(rel, owner string, data []byte) error
	Copy(rel, owner string, fsys fs.FS, name string) error
	Owner(rel string) (string, bool)
}

type build struct {
	opt       Options
	root      string
	src       *sitefs.Site // every read of the site goes through it
	dest      string
	cfg       *config.Config
	site      *page.Site
	tpls      *tpl.Set
	theme     fs.FS
	themeName string
	stage     *output.Stage
	out       sink
	// tracker and units are set for serve's tracked builds: every unit
	// of work that can read a page body is kept, by name, to be run again.
	tracker   *page.Tracker
	units     map[string]func()
	files     unitFiles // which unit wrote which file, when tracked
	tree      *content.Tree
	body      page.BodyRenderer
	assets    *assets.Pipeline
	tplWarns  []string // from templates (warnf, missing translations)
	errs      diag.List
	mu        sync.Mutex
	pages     int
	redirects int
}

func newBuild(opt Options) (*build, error) {
	if opt.Source == "" {
		opt.Source = "."
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	root, err := filepath.Abs(opt.Source)
	if err != nil {
		return nil, err
	}
	env := opt.Environment
	if env == "" {
		env = config.Production
	}
	cfg, err := config.LoadEnv(root, env)
	if err != nil {
		return nil, err
	}
	// Hugo's buildDrafts, buildFuture and buildExpired settings do what
	// -D, -F and -E do.
	opt.BuildDrafts = opt.BuildDrafts || cfg.BuildDrafts
	opt.BuildFuture = opt.BuildFuture || cfg.BuildFuture
	opt.BuildExpired = opt.BuildExpired || cfg.BuildExpired
	if opt.BaseURL != "" {
		cfg.BaseURL = opt.BaseURL
		if cfg, err = reparseBase(cfg); err != nil {
			return nil, err
		}
	}
	dest := opt.Destination
	if dest == "" {
		dest = filepath.Join(root, filepath.FromSlash(cmp.Or(cfg.PublishDir, "public")))
	}
	if dest, err = filepath.Abs(dest); err != nil {
		return nil, err
	}
	if err := checkDestination(root, dest, contentDir(cfg)); err != nil {
		return nil, err
	}
	src, err := sitefs.Open(root)
	if err != nil {
		return nil, err
	}
	return &build{opt: opt, root: root, src: src, dest: dest, cfg: cfg}, nil
}

func reparseBase(cfg *config.Config) (*config.Config, error) {
	c, err := config.WithBaseURL(cfg, cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("--baseURL: %w", err)
	}
	return c, nil
}

// checkDestination refuses a destination that would replace the site or
// its sources: the swap removes whatever was there before.
func checkDestination(root, dest, contentDir string) error {
	within := func(child, parent string) bool {
		rel, err := filepath.Rel(parent, child)
		return err == nil && (rel == "." || filepath.IsLocal(rel))
	}
	if within(root, dest) {
		return fmt.Errorf("destination %s contains the site itself; choose a folder such as %s", dest, filepath.Join(root, "public"))
	}
	for _, d := range []string{contentDir, "layouts", "static", "themes", "archetypes", "data", config.ConfigDir} {
		if within(dest, filepath.Join(root, d)) {
			return fmt.Errorf("destination %s is inside the site's %s/ folder", dest, d)
		}
	}
	// A public/ committed as a link (to /var/www, or anywhere a pull
	// request chose) would be replaced by the swap, not written through:
	// say so rather than silently break a deploy or follow the link.
	if fi, err := os.Lstat(dest); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		target, _ := os.Readlink(dest)
		return fmt.Errorf("destination %s is a symbolic link to %s; a build replaces its destination whole, so it would replace the link: remove it, or build there with -d %s", dest, target, target)
	}
	// The swap replaces the whole folder, so only a folder an earlier
	// build wrote (every build writes .nojekyll) or an empty one may be
	// the destination: -d ~/Documents must not delete anything.
	entries, err := os.ReadDir(dest)
	if err == nil && len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(dest, ".nojekyll")); err != nil {
			return fmt.Errorf("destination %s holds files that agora build did not write (no .nojekyll); the build replaces the whole folder, so empty it or choose another", dest)
		}
	}
	return nil
}

func (b *build) run(ctx context.Context) error {
	if err := b.load(); err != nil {
		return err
	}
	b.copyStatic()
	if err := b.errs.Err(); err != nil {
		return err
	}
	b.renderPages(ctx)
	b.renderLists(ctx)
	b.unit("extras", b.renderExtras)
	b.unit("calendars", b.writeCalendars) // events.go
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.errs.Err()
}

// load reads the content and templates and builds the model.
func (b *build) load() error {
	tree, err := content.Load(b.src, contentOptions(b.cfg))
	if err != nil {
		return err
	}
	b.tree = tree
	b.theme, err = b.findTheme()
	if err != nil {
		return err
	}
	hlOpts, err := highlightOptions(b.cfg.Markup.Highlight, b.builtinTheme())
	if err != nil {
		return err
	}
	hl := highlight.New(hlOpts)
	md := markup.New(markup.Options{Unsafe: b.cfg.Markup.Unsafe, BasePath: b.cfg.Base.Path(), SummaryLength: b.cfg.SummaryLength, Code: codeFences(hl)})
	b.tpls = tpl.New()
	b.body = bodies{sc: shortcode.New(shortcode.Options{Markdown: md, Templates: b.tpls, Highlight: hl})}
	b.site, err = page.New(b.cfg, tree, b.modelOptions(md))
	if err != nil {
		return err
	}
	layouts, err := b.folder("layouts")
	if err != nil {
		return err
	}
	layers := []tpl.Layer{{FS: layouts, Display: "layouts"}}
	if b.theme != nil {
		if sub, err := fs.Sub(b.theme, "layouts"); err == nil {
			layers = append(layers, tpl.Layer{FS: sub, Display: "themes/" + b.themeName + "/layouts"})
		}
	}
	fm, err := b.funcs(hl)
	if err != nil {
		return err
	}
	return b.tpls.Load(fm, layers...)
}

// builtinTheme reports whether the site uses the built-in theme, embedded
// or as a copy in themes/default/ to edit.
func (b *build) builtinTheme() bool { return b.theme != nil && b.themeName == config.DefaultTheme }

// warnings are the configuration's, the content's, the model's and the
// templates'.
func (b *build) warnings() []string {
	w := slices.Clone(b.cfg.Warnings)
	w = append(w, b.tree.Warnings...)
	w = append(w, b.site.Warnings...)
	b.mu.Lock()
	defer b.mu.Unlock()
	return append(w, b.tplWarns...)
}

// modelOptions are the page model's options for this build.
func (b *build) modelOptions(md *markup.Renderer) page.Options {
	return page.Options{
		Now: b.opt.Now, BuildDrafts: b.opt.BuildDrafts, BuildFuture: b.opt.BuildFuture,
		BuildExpired: b.opt.BuildExpired, Markdown: md, Body: b.body, Tracker: b.tracker,
		Images: newImageSizes(b),
	}
}

// findTheme prefers themes/NAME in the site (editable), then the embedded
// theme of that name. With no theme in site.toml, a site that has its own
// layouts/ gets none, as in Hugo, so that its _default/list.html renders
// the home page rather than the built-in theme's index.html; a site with
// no layouts at all gets the built-in theme so that it builds at once.
func (b *build) findTheme() (fs.FS, error) {
	name := b.cfg.Theme
	if name == "" {
		layouts, err := b.folder("layouts")
		if err != nil || hasLayouts(layouts) {
			return nil, err
		}
		name = config.DefaultTheme
	}
	b.themeName = name
	onDisk, err := b.folder("themes/" + name)
	if err != nil || onDisk != nil {
		return onDisk, err
	}
	if t, ok := themes.Get(name); ok {
		return t, nil
	}
	file := config.FileName
	if len(b.cfg.Files) > 0 {
		file = b.cfg.Files[0]
	}
	return nil, fmt.Errorf("%s: theme %q not found in themes/%s/ or built in (built in: %q; leave theme out to use it)", file, name, name, config.DefaultTheme)
}

// contentDir is the site's content folder: Hugo's contentDir, else
// content/.
func contentDir(cfg *config.Config) string {
	return content.OptionsFor(cfg).Folder()
}

// contentOptions are how this site's content is read.
func contentOptions(cfg *config.Config) content.Options {
	return content.OptionsFor(cfg)
}

// hasLayouts reports whether a layouts folder holds a template: a folder
// with only a .gitkeep (as Hugo's example sites have) is no layouts.
func hasLayouts(fsys fs.FS) bool {
	if fsys == nil {
		return false
	}
	found := false
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), ".") && strings.HasSuffix(d.Name(), ".html") {
			found = true
			return fs.SkipAll
		}
		return nil
	})
	return found
}

// folder is the site's folder dir (a slash path), or nil when there is
// none. A link to a folder outside the site is an error, not a folder
// that is not there.
func (b *build) folder(dir string) (fs.FS, error) {
	return sitefs.Folder(b.src, dir)
}

// copyStatic copies static/ (the site's over the theme's), content files
// outside bundles, and each leaf bundle's resources.
func (b *build) copyStatic() {
	type file struct {
		fsys  fs.FS
		owner string
	}
	files := map[string]file{}
	collect := func(fsys fs.FS, display string) {
		if fsys == nil {
			return
		}
		err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == "." && errors.Is(err, fs.ErrNotExist) {
					return nil // a theme without static/
				}
				return err
			}
			if d.IsDir() || strings.HasPrefix(d.Name(), ".") {
				return nil
			}
			files[p] = file{fsys: fsys, owner: display + "/" + p}
			return nil
		})
		b.errs.Add(err)
	}
	if b.theme != nil {
		if static, err := fs.Sub(b.theme, "static"); err == nil {
			collect(static, "themes/"+b.themeName+"/static")
		}
	}
	static, err := b.folder("static")
	b.errs.Add(err)
	collect(static, "static")
	for rel, f := range files {
		b.errs.Add(b.out.Copy(rel, f.owner, f.fsys, rel))
	}
	dir := contentDir(b.cfg)
	contentFS, _ := b.src.Sub(dir)
	for _, sf := range b.site.ContentFiles() {
		b.errs.Add(b.out.Copy(sf.Out, dir+"/"+sf.Rel, contentFS, sf.Rel))
	}
	for _, p := range b.site.LeafBundles() {
		src := p.Source()
		if !src.Meta.Build.PublishResources {
			continue
		}
		outDir := strings.TrimSuffix(p.OutputFile(), "index.html")
		for _, r := range src.Resources {
			b.errs.Add(b.out.Copy(outDir+r, src.Path, contentFS, src.Dir()+"/"+r))
		}
	}
}

// parallel runs fn over items on every core and stops early when ctx ends.
// A tracked build runs them one after another, since its tracker knows one
// current unit at a time.
func parallel[T any](ctx context.Context, b *build, items []T, fn func(T)) {
	if b.tracker != nil {
		for _, it := range items {
			if ctx.Err() != nil {
				return
			}
			fn(it)
		}
		return
	}
	workers.Each(ctx, len(items), func(i int) { fn(items[i]) })
}

// unit runs fn as a named unit of work. In a tracked build, the page
// bodies fn reads are charged to name, and fn is kept so that an edit to
// one of those bodies runs it again.
func (b *build) unit(name string, fn func()) {
	if b.tracker == nil {
		fn()
		return
	}
	b.units[name] = fn
	b.files.reset(name)
	leave := b.tracker.Enter(name)
	defer leave()
	fn()
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// renderPages renders regular pages. Each page's Markdown is rendered in
// the same worker, written, and its HTML dropped unless a feed needs it.
func (b *build) renderPages(ctx context.Context) {
	for _, l := range b.site.All() {
		if l.HasFeed() {
			for _, it := range l.FeedItems() {
				it.KeepContent()
			}
		}
	}
	var regular []*page.Page
	for _, p := range b.site.All() {
		if p.Kind() == page.KindPage {
			regular = append(regular, p)
		}
	}
	parallel(ctx, b, regular, func(p *page.Page) { b.unit("page "+p.Path(), b.pageUnit(p)) })
}

// pageUnit renders regular page p and drops its HTML unless a feed needs it.
func (b *build) pageUnit(p *page.Page) func() {
	return func() {
		b.renderPage(p, p.Path())
		b.errs.Add(p.RenderErr())
		p.ReleaseContent()
	}
}

// renderLists renders home, sections, taxonomies and terms, each with all
// its pager pages and its feed.
func (b *build) renderLists(ctx context.Context) {
	var lists []*page.Page
	for _, p := range b.site.All() {
		if p.Kind() != page.KindPage {
			lists = append(lists, p)
		}
	}
	parallel(ctx, b, lists, func(p *page.Page) { b.renderList(p) })
}

// renderList renders list page p with all its pager pages and its feed.
// Each pager page is a unit of its own, so that an edit to one member's
// body renders again only the pager page that shows it.
func (b *build) renderList(p *page.Page) {
	ok := true
	b.unit("list "+p.Path(), b.listUnit(p, 1, &ok))
	if pager := p.PagerUsed(); ok && pager != nil {
		for n := 2; ok && n <= pager.TotalPages(); n++ {
			b.unit(fmt.Sprintf("list %s %d", p.Path(), n), b.listUnit(p, n, &ok))
		}
	}
	if ok && p.HasFeed() {
		b.unit("feed "+p.Path(), func() { b.writeFeed(p) })
	}
	b.errs.Add(p.RenderErr())
}

// listUnit renders pager page n of list p; page 1 also writes the
// redirect from page/1/. A failure clears *ok, so that a broken layout is
// reported once, not once per pager page.
func (b *build) listUnit(p *page.Page, n int, ok *bool) func() {
	return func() {
		p.SetPager(n)
		if n > 1 {
			*ok = b.renderPage(p, b.site.PagePath(p.Path(), n))
			return
		}
		if *ok = b.renderPage(p, p.Path()); *ok && p.PagerUsed() != nil {
			b.redirect(p.Path()+b.cfg.PaginatePath+"/1/", p.Permalink(), p.Path()+" (pager)")
		}
	}
}

// unitFunc makes the unit called name for the current model, for serve:
// after an edit builds a new model, every kept unit must render its pages.
func (b *build) unitFunc(name string) (func(), bool) {
	switch name {
	case "extras":
		return b.renderExtras, true
	case "calendars":
		return b.writeCalendars, true
	}
	kind, rest, _ := strings.Cut(name, " ")
	at, n := rest, 1
	if i := strings.LastIndexByte(rest, ' '); i >= 0 && kind == "list" {
		num, err := strconv.Atoi(rest[i+1:])
		if err != nil {
			return nil, false
		}
		at, n = rest[:i], num
	}
	p := b.site.PageAt(at)
	if p == nil {
		return nil, false
	}
	ok := true
	switch {
	case kind == "page" && p.Kind() == page.KindPage:
		return b.pageUnit(p), true
	case kind == "list" && p.Kind() != page.KindPage:
		return b.listUnit(p, n, &ok), true
	case kind == "feed" && p.HasFeed():
		return func() { b.writeFeed(p) }, true
	}
	return nil, false
}

func (b *build) layoutFor(p *page.Page) (*template.Template, error) {
	singular := ""
	for s, pl := range b.cfg.Taxonomies {
		if pl == p.Section() {
			singular = s
		}
	}
	cands := tpl.Candidates(p.Kind(), p.Type(), p.Section(), p.Layout(), singular)
	t, err := b.tpls.Lookup(p.Type(), cands...)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, fmt.Errorf("no layout for this %s page; looked for layouts/%s", p.Kind(), strings.Join(cands, ", layouts/"))
	}
	return t, nil
}

// renderPage executes p's layout and writes it to sitePath's file.
func (b *build) renderPage(p *page.Page, sitePath string) bool {
	b.site.MarkReached(p)
	who := p.Path()
	if src := p.Source(); src != nil {
		who = src.Path
	}
	t, err := b.layoutFor(p)
	if err != nil {
		b.errs.Add(fmt.Errorf("%s: %w", who, err))
		return false
	}
	buf := bufPool.Get().(*bytes.Buffer)
	defer bufPool.Put(buf)
	buf.Reset()
	if err := tpl.Execute(buf, t, p); err != nil {
		b.errs.Add(fmt.Errorf("%w (rendering %s)", err, who))
		return false
	}
	file, data := page.OutputFile(sitePath), buf.Bytes()
	if b.cfg.RelativeURLs {
		data = relativeURLs(data, strings.Count(file, "/"))
	}
	if err := b.out.Write(file, who, data); err != nil {
		b.errs.Add(err)
		return false
	}
	b.mu.Lock()
	b.pages++
	b.mu.Unlock()
	return true
}
