package generator

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/generator/output"
	"github.com/agora-hub/agora/generator/page"
)

// Session is a build kept in memory between rebuilds, for agora serve.
//
// The build is tracked (see page.Tracker): each unit of work (a page, one
// pager page of a list, a feed, the calendars, the extras) is kept with
// what its templates were handed (pages and lists, by accessor) and whose
// bodies it read. After an edit, only the units whose inputs changed run
// again, and only files whose bytes changed are written:
//
//   - A body edit runs again the units that read that body.
//   - An edit that changes what a page shows but not where it is or in
//     which order (title, description, summary, other parameters) updates
//     the page in place and also runs the units that were handed it.
//   - Any other edit of Markdown pages (dates, draft, terms, URLs, weight,
//     a new or deleted page) builds a new model from the loaded files and
//     the changed ones, asks every recorded accessor again, and runs the
//     units whose answers changed or that were handed a page whose own data
//     changed, the page's own units, and the sitemap, aliases and
//     calendars; files no unit writes any more are removed.
//
// A template, a static file, site.toml, a leaf bundle's files, or a body
// read outside any unit is a full build. Either way the output is what
// agora build would write.
type Session struct {
	opt   Options
	b     *build // nil after a failed build: the next update is a full one
	patch *output.Patch
}

// Update says what a rebuild did.
type Update struct {
	Full     bool     // the whole site was built again
	Result   *Result  // the full build's summary, when Full
	Units    int      // units of work run again, when not Full
	Changed  []string // output files rewritten or removed, when not Full
	Duration time.Duration
}

// Open makes the first build of a session into opt.Destination.
func Open(ctx context.Context, opt Options) (*Session, *Result, error) {
	s := &Session{opt: opt}
	res, err := s.full(ctx)
	if err != nil {
		return nil, nil, err
	}
	return s, res, nil
}

func (s *Session) full(ctx context.Context) (*Result, error) {
	if s.b != nil {
		s.b.src.Close() // its pages are not read again
	}
	s.b, s.patch = nil, nil
	b, res, err := buildSite(ctx, s.opt, page.NewTracker())
	if err != nil {
		return nil, err
	}
	s.b, s.patch = b, b.stage.Patch()
	b.out = &trackedSink{sink: s.patch, b: b}
	return res, nil
}

// Update brings the destination up to date after changes to the files at
// changed (slash paths relative to the site root). On error the
// destination keeps the last good build.
func (s *Session) Update(ctx context.Context, changed []string) (*Update, error) {
	start := time.Now()
	var u *Update
	ok, err := false, error(nil)
	if s.clockHolds(start) {
		u, ok, err = s.inPlace(ctx, changed)
	}
	if !ok && s.b != nil && s.b.opt.Now.Year() == s.clockNow(start).Year() {
		// A live clock moves on: the new model is built on it, so a
		// page dated a moment ago (agora new) is published, as in a
		// build made now. A new year changes every page's footer.
		if s.opt.Now.IsZero() {
			s.b.opt.Now = start
		}
		if rels, edits := s.markdownEdits(changed, false); edits {
			u, ok, err = s.newModel(ctx, rels)
		}
	}
	return s.settle(ctx, start, u, ok, err)
}

// settle returns what an incremental update did or, when it could not be
// done (ok false), makes a full build.
func (s *Session) settle(ctx context.Context, start time.Time, u *Update, ok bool, err error) (*Update, error) {
	if ok {
		if u != nil {
			u.Duration = time.Since(start)
		}
		return u, err
	}
	res, err := s.full(ctx)
	if err != nil {
		return nil, err
	}
	return &Update{Full: true, Result: res, Duration: time.Since(start)}, nil
}

// ValidUntil is when, with no edit, the served site next goes out of date
// on a live clock (a future page is due, a page expires, an event starts
// or ends), or zero. serve calls Tick then.
func (s *Session) ValidUntil() time.Time {
	if s.b == nil || !s.opt.Now.IsZero() {
		return time.Time{}
	}
	return s.b.site.ValidUntil()
}

// Tick brings the destination up to date with the clock alone, as a build
// made now would be. It does nothing while the model still holds.
func (s *Session) Tick(ctx context.Context) (*Update, error) {
	start := time.Now()
	if s.clockHolds(start) {
		return &Update{}, nil
	}
	var u *Update
	ok, err := false, error(nil)
	if s.b != nil && s.b.opt.Now.Year() == start.Year() {
		s.b.opt.Now = start
		u, ok, err = s.newModel(ctx, nil)
	}
	return s.settle(ctx, start, u, ok, err)
}

// clockNow is the clock a build started at t would use.
func (s *Session) clockNow(t time.Time) time.Time {
	if s.opt.Now.IsZero() {
		return t
	}
	return s.opt.Now
}

// clockHolds reports whether the model in memory is still the one a
// build at t would make: no page was due to be published or to expire
// and no event to start or end since it was built.
func (s *Session) clockHolds(t time.Time) bool {
	if s.b == nil || !s.opt.Now.IsZero() {
		return s.b != nil
	}
	until := s.b.site.ValidUntil()
	return until.IsZero() || t.Before(until)
}

// markdownEdits maps each changed path to its path below content/, or
// reports false when a change is not to a Markdown page of the tree: a
// template, a static file, site.toml, or, unless bundles, a file of a leaf
// bundle (whose resources are copied outside any unit, next to the page
// wherever its URL is).
func (s *Session) markdownEdits(changed []string, bundles bool) ([]string, bool) {
	if s.b == nil || len(changed) == 0 || s.b.tree.Cascades {
		// A cascade lets one page's edit change others': build afresh.
		return nil, false
	}
	leaves := map[string]bool{}
	for _, src := range s.b.tree.Sources {
		if src.Kind == content.Leaf {
			leaves[src.Dir()] = true
		}
	}
	known := map[string]bool{}
	for _, f := range s.b.tree.Files {
		known[f.Rel] = true
	}
	rels := make([]string, 0, len(changed))
	for _, c := range changed {
		rel, ok := strings.CutPrefix(c, contentDir(s.b.cfg)+"/")
		if ok && !content.IsMarkdown(rel) && !known[rel] && s.gone(c) {
			// A tool's temporary file, written and renamed over a page
			// (sed -i, some editors): it never was part of the site.
			continue
		}
		if !ok || !content.IsMarkdown(rel) {
			return nil, false
		}
		if bundles {
			rels = append(rels, rel)
			continue
		}
		if strings.TrimSuffix(path.Base(rel), path.Ext(rel)) == "index" {
			return nil, false
		}
		for d := path.Dir(rel); d != "."; d = path.Dir(d) {
			if leaves[d] {
				return nil, false
			}
		}
		rels = append(rels, rel)
	}
	return rels, true
}

// gone reports whether the file at site path c no longer exists.
func (s *Session) gone(c string) bool {
	_, err := os.Lstat(filepath.Join(s.b.root, filepath.FromSlash(c)))
	return errors.Is(err, fs.ErrNotExist)
}

func (s *Session) contentOptions() content.Options {
	return contentOptions(s.b.cfg)
}

// inPlace handles edits of existing pages that leave the model's structure
// as it was. ok is false when the edits need a new model.
func (s *Session) inPlace(ctx context.Context, changed []string) (u *Update, ok bool, err error) {
	// A leaf bundle's page keeps its URL here, so its files stay put.
	rels, ok := s.markdownEdits(changed, true)
	if !ok {
		return nil, false, nil
	}
	if len(rels) == 0 {
		return &Update{}, true, nil // only temporary files came and went
	}
	b := s.b
	type edit struct {
		p   *page.Page
		src *content.Source // nil for a body edit
	}
	var edits []edit
	frontMatter := 0
	for _, rel := range rels {
		p := b.site.PageFor(rel)
		if p == nil {
			return nil, false, nil
		}
		data, err := b.src.ReadFile(contentDir(b.cfg) + "/" + rel)
		if err != nil {
			return nil, false, nil
		}
		if p.Source().SameFrontMatter(data) {
			edits = append(edits, edit{p: p})
			continue
		}
		src, err := content.LoadFile(b.src, rel, s.contentOptions())
		// Two title edits at once could reorder a list together that
		// neither reorders alone; a new model settles that.
		if frontMatter++; err != nil || frontMatter > 1 || src.Cascades() || !b.site.CanRefresh(p, src) {
			return nil, false, nil
		}
		edits = append(edits, edit{p: p, src: src})
	}

	var units []string
	for _, e := range edits {
		deps := b.tracker.Readers(e.p.Path())
		if e.src != nil {
			deps = append(deps, b.tracker.Reachers(e.p.Path())...)
		}
		for _, name := range deps {
			if _, known := b.units[name]; !known {
				return nil, false, nil
			}
			units = append(units, name)
		}
	}
	for _, e := range edits {
		if e.src == nil {
			e.p.ResetBody()
			continue
		}
		b.site.Refresh(e.p, e.src)
		b.replaceSource(e.src)
	}
	slices.Sort(units)
	return s.run(ctx, slices.Compact(units), nil, nil)
}

// replaceSource puts src in the loaded tree in place of the file's old
// decoding, so that a later new model starts from it.
func (b *build) replaceSource(src *content.Source) {
	for i, old := range b.tree.Sources {
		if old.Rel == src.Rel {
			b.tree.Sources[i] = src
			return
		}
	}
}

// newModel handles edits of Markdown pages that may move pages: a new
// model is built and compared with the old one. ok is false when the
// edits need a full build (which also reports errors in the usual way).
func (s *Session) newModel(ctx context.Context, rels []string) (u *Update, ok bool, err error) {
	b := s.b
	bodyEdited := map[string]bool{} // site paths whose file changed
	sources := slices.Clone(b.tree.Sources)
	for _, rel := range rels {
		if p := b.site.PageFor(rel); p != nil {
			bodyEdited[p.Path()] = true
		}
		i := slices.IndexFunc(sources, func(src *content.Source) bool { return src.Rel == rel })
		src, err := content.LoadFile(b.src, rel, s.contentOptions())
		switch {
		case err == nil && src.Cascades():
			return nil, false, nil // a new cascade changes other pages
		case err == nil && i >= 0:
			sources[i] = src
		case err == nil:
			sources = append(sources, src)
		case i >= 0 && errors.Is(err, fs.ErrNotExist):
			sources = slices.Delete(sources, i, i+1)
		default:
			return nil, false, nil
		}
	}
	// content.Load's order: a depth-first walk, names sorted per folder.
	slices.SortStableFunc(sources, func(x, y *content.Source) int {
		return slices.Compare(strings.Split(x.Rel, "/"), strings.Split(y.Rel, "/"))
	})
	tree := &content.Tree{Sources: sources, Files: b.tree.Files}
	site, err := page.New(b.cfg, tree, b.modelOptions(b.site.Markdown()))
	if err != nil {
		return nil, false, nil
	}

	// What changed: pages whose own data differs, and every recorded
	// accessor whose answer differs.
	oldPrints, newPrints := b.site.Fingerprints(), site.Fingerprints()
	changedPage := map[string]bool{}
	for p, fp := range oldPrints {
		if newPrints[p] != fp {
			changedPage[p] = true
		}
	}
	for p := range newPrints {
		if _, ok := oldPrints[p]; !ok {
			changedPage[p] = true
		}
	}
	affected := map[string]bool{"extras": true, "calendars": true}
	for k, use := range b.tracker.Lists() {
		members, ok := site.Eval(k)
		hit := !ok || !slices.Equal(members, use.Members)
		if hit {
			b.tracker.Renew(k)
		}
		for _, m := range use.Members {
			hit = hit || changedPage[m]
		}
		if hit {
			for _, u := range use.Units {
				affected[u] = true
			}
		}
	}
	for p := range bodyEdited {
		for _, u := range b.tracker.Readers(p) {
			if u == "" {
				return nil, false, nil
			}
			affected[u] = true
		}
	}

	// The new model goes in place; every kept unit is made again for it,
	// and units whose page is gone are dropped with their files.
	b.site, b.tree = site, tree
	var removed []string
	for name := range b.units {
		if f, ok := b.unitFunc(name); ok {
			b.units[name] = f
		} else {
			removed = append(removed, name)
			delete(b.units, name)
		}
	}
	var units []string
	lists := map[string]bool{}
	for name := range affected {
		kind, rest, _ := strings.Cut(name, " ")
		switch {
		case kind == "list" || kind == "feed":
			if i := strings.LastIndexByte(rest, ' '); kind == "list" && i >= 0 {
				rest = rest[:i]
			}
			if site.PageAt(rest) != nil {
				lists[rest] = true
			}
		case b.units[name] != nil:
			units = append(units, name)
		}
	}
	for _, p := range site.All() {
		if _, old := oldPrints[p.Path()]; old {
			continue
		}
		if p.Kind() == page.KindPage {
			name := "page " + p.Path()
			b.units[name] = b.pageUnit(p)
			units = append(units, name)
		} else {
			lists[p.Path()] = true
		}
	}
	slices.Sort(units)
	return s.run(ctx, units, slices.Sorted(maps.Keys(lists)), removed)
}

// run runs units, and renders the lists at paths lists whole (their pager
// pages and feed), into memory; if all of it succeeded it writes the files
// whose bytes changed and removes those that no unit writes any more
// (units that ran and wrote less, or removed units).
func (s *Session) run(ctx context.Context, units, lists, removed []string) (u *Update, ok bool, err error) {
	b := s.b
	oldFiles := map[string][]string{}
	for _, name := range append(slices.Clone(units), removed...) {
		oldFiles[name] = b.files.of(name)
	}
	for _, at := range lists {
		for name := range b.units {
			if listOf(name) == at {
				oldFiles[name] = b.files.of(name)
				delete(b.units, name) // renderList registers again those that still exist
				b.files.reset(name)
				b.tracker.Forget(name)
			}
		}
	}
	for _, name := range removed {
		b.files.reset(name)
		b.tracker.Forget(name)
	}

	// Everything is rendered into memory first, so a unit that fails
	// leaves every served file as it was.
	mem := &memSink{files: map[string]memFile{}, taken: func(rel string) bool { return b.files.all()[rel] }}
	b.out, b.errs = &trackedSink{sink: mem, b: b}, diag.List{}
	defer func() { b.out = &trackedSink{sink: s.patch, b: b} }()
	for _, name := range units {
		if ctx.Err() != nil {
			s.b = nil
			return nil, true, ctx.Err()
		}
		b.unit(name, b.units[name])
	}
	for _, at := range lists {
		b.renderList(b.site.PageAt(at))
	}
	if err := b.errs.Err(); err != nil {
		// The model now holds an edit no served file shows; only a full
		// build is sure to put them back in step.
		s.b = nil
		return nil, true, err
	}

	written := b.files.all()
	var stale []string
	for _, files := range oldFiles {
		for _, f := range files {
			if !written[f] {
				stale = append(stale, f)
			}
		}
	}
	slices.Sort(stale)
	for _, f := range slices.Compact(stale) {
		if err := s.patch.Remove(f); err != nil {
			s.b = nil
			return nil, true, err
		}
	}
	for _, rel := range slices.Sorted(maps.Keys(mem.files)) {
		f := mem.files[rel]
		if err := s.patch.Write(rel, f.owner, f.data); err != nil {
			// Two pages claim one file: a full build reports it.
			s.b = nil
			return nil, false, nil
		}
	}
	return &Update{Units: len(units) + len(lists), Changed: s.patch.Changed()}, true, nil
}

// listOf returns the list page path of a list's unit ("list /tips/ 3",
// "feed /tips/"), or "".
func listOf(unit string) string {
	kind, rest, _ := strings.Cut(unit, " ")
	switch kind {
	case "feed":
		return rest
	case "list":
		if i := strings.LastIndexByte(rest, ' '); i >= 0 && strings.Trim(rest[i+1:], "0123456789") == "" {
			return rest[:i]
		}
		return rest
	}
	return ""
}

type memFile struct {
	owner string
	data  []byte
}

// memSink holds an incremental rebuild's files until all of it succeeded.
type memSink struct {
	mu    sync.Mutex
	files map[string]memFile
	// taken reports a file some unit of the build writes; a unit running
	// again has forgotten its own.
	taken func(rel string) bool
}

func (m *memSink) Write(rel, owner string, data []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.files[rel] = memFile{owner: owner, data: slices.Clone(data)}
	return nil
}

func (m *memSink) Copy(rel, owner string, fsys fs.FS, name string) error {
	f, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	return m.Write(rel, owner, data)
}

// Owner answers the 404 and robots.txt checks (did a page of the site take
// the name?) from this rebuild's files and the other units' files.
func (m *memSink) Owner(rel string) (string, bool) {
	m.mu.Lock()
	f, ok := m.files[rel]
	m.mu.Unlock()
	if ok {
		return f.owner, true
	}
	return "", m.taken(rel)
}
