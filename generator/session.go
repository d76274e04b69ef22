package generator

import (
	"context"
	"fmt"
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
// the pages it reached and the bodies it read. An edit to existing pages
// that leaves the site's structure as it was (a body, a title, a
// description, other parameters; see page.Site.Refresh) updates the model
// in place and runs again only the units that reached or read those
// pages, writing just the files whose bytes changed. Anything else (dates,
// draft, terms, URLs, a new or deleted file, a template, site.toml, static
// files) is a full build, as is a body read that no unit owns. Either way
// the output is what agora build would write.
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
	Changed  []string // output files rewritten, when not Full
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
	s.b, s.patch = nil, nil
	b, res, err := buildSite(ctx, s.opt, page.NewTracker())
	if err != nil {
		return nil, err
	}
	s.b, s.patch = b, b.stage.Patch()
	return res, nil
}

// Update brings the destination up to date after changes to the files at
// changed (slash paths relative to the site root). On error the
// destination keeps the last good build.
func (s *Session) Update(ctx context.Context, changed []string) (*Update, error) {
	start := time.Now()
	if edits := s.pageEdits(changed); edits != nil {
		if u, ok, err := s.incremental(ctx, edits); ok {
			if u != nil {
				u.Duration = time.Since(start)
			}
			return u, err
		}
	}
	res, err := s.full(ctx)
	if err != nil {
		return nil, err
	}
	return &Update{Full: true, Result: res, Duration: time.Since(start)}, nil
}

// pageEdit is an edited page, and whether more than its body changed.
type pageEdit struct {
	p           *page.Page
	frontMatter bool
}

// pageEdits applies edits of existing pages' files to the model and
// returns those pages, or nil when any change needs a full build.
func (s *Session) pageEdits(changed []string) []pageEdit {
	if s.b == nil || len(changed) == 0 {
		return nil
	}
	b := s.b
	var edits []pageEdit
	for _, c := range changed {
		rel, ok := strings.CutPrefix(c, content.Dir+"/")
		if !ok || path.Ext(rel) != ".md" {
			return nil
		}
		p := b.site.PageFor(rel)
		if p == nil {
			return nil
		}
		data, err := os.ReadFile(filepath.Join(b.root, filepath.FromSlash(c)))
		if err != nil {
			return nil
		}
		edit := pageEdit{p: p}
		if p.Source().SameFrontMatter(data) {
			p.ResetBody()
		} else {
			edit.frontMatter = true
			src, err := content.LoadFile(b.root, rel, content.Options{Location: b.cfg.Location, Taxonomies: b.cfg.TaxonomyNames()})
			if err != nil || !b.site.Refresh(p, src) {
				return nil
			}
		}
		edits = append(edits, edit)
	}
	return edits
}

// incremental runs again the units that read the edited pages' bodies
// and, for a front-matter edit, the units that were handed the page. ok
// is false when it cannot tell which those are.
func (s *Session) incremental(ctx context.Context, edits []pageEdit) (u *Update, ok bool, err error) {
	b := s.b
	var units []string
	for _, e := range edits {
		deps := b.tracker.Readers(e.p)
		if e.frontMatter {
			deps = append(deps, b.tracker.Reachers(e.p)...)
		}
		for _, name := range deps {
			if _, known := b.units[name]; !known {
				return nil, false, nil
			}
			units = append(units, name)
		}
	}
	slices.Sort(units)
	units = slices.Compact(units)

	// Everything is rendered into memory first, so a unit that fails
	// leaves every served file as it was.
	mem := &memSink{base: s.patch, files: map[string]memFile{}}
	b.out, b.errs = mem, diag.List{}
	defer func() { b.out = s.patch }()
	for _, name := range units {
		if ctx.Err() != nil {
			s.b = nil
			return nil, true, ctx.Err()
		}
		b.unit(name, b.units[name])
	}
	if err := b.errs.Err(); err != nil {
		// The model now holds an edit no served file shows; only a full
		// build is sure to put them back in step.
		s.b = nil
		return nil, true, err
	}
	for _, rel := range slices.Sorted(maps.Keys(mem.files)) {
		f := mem.files[rel]
		if err := s.patch.Write(rel, f.owner, f.data); err != nil {
			s.b = nil
			return nil, true, err
		}
	}
	return &Update{Units: len(units), Changed: s.patch.Changed()}, true, nil
}

type memFile struct {
	owner string
	data  []byte
}

// memSink holds an incremental rebuild's files until all of it succeeded.
type memSink struct {
	base  *output.Patch
	mu    sync.Mutex
	files map[string]memFile
}

func (m *memSink) Write(rel, owner string, data []byte) error {
	if prev, ok := m.base.Owner(rel); ok && prev != owner {
		return fmt.Errorf("%s: written by both %s and %s", rel, prev, owner)
	}
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

func (m *memSink) Owner(rel string) (string, bool) { return m.base.Owner(rel) }
