// Package content loads a site's content/ folder: it walks the tree once,
// reads each file once, splits the TOML front matter from the Markdown and
// decodes it into typed fields. It knows nothing about URLs or templates.
package content

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/generator/internal/workers"
	"github.com/agora-hub/agora/generator/metadecode"
	"github.com/agora-hub/agora/generator/sitefs"
)

// Dir is the content folder's name under the site root.
const Dir = "content"

// Kind says what a Markdown file is in Hugo's content model.
type Kind int

const (
	// Regular is a page: content/tips/x.md.
	Regular Kind = iota
	// Branch is a section's or the home page's _index.md.
	Branch
	// Leaf is a leaf bundle's index.md; the files beside it are its resources.
	Leaf
)

// Source is one Markdown file.
type Source struct {
	Path   string // slash path from the site root, e.g. "content/tips/x.md"
	Rel    string // slash path from content/, e.g. "tips/x.md"
	Kind   Kind
	Meta   Meta
	Params map[string]any // all front matter, keys lower-cased, as Hugo's .Params
	// Body is the Markdown. Load does not keep it: holding 56 MB of
	// Markdown for a 10,000-page site from load to render would double
	// the build's memory, so ReadBody reads it again when the page renders
	// (from the page cache: the file was just read).
	Body        []byte
	BodyLine    int
	fsys        fs.FS // the site folder, set by Load; Path is the file's name in it
	bodyOffset  int
	format      metadecode.Format
	frontMatter []byte
	fmOffset    int
	// Resources are the files of a leaf bundle, slash paths relative to
	// the bundle folder.
	Resources []string
}

// Line is the file line where a front-matter key is set, or 0. It is
// looked up only when an error needs it, not for every page.
func (s *Source) Line(key ...string) int {
	if l := metadecode.KeyLine(s.format, s.frontMatter, key...); l > 0 {
		return l + s.fmOffset
	}
	return 0
}

// FrontMatter is the front matter as written, for readers that need what
// .Params loses: key spelling, and whether a datetime had an offset.
func (s *Source) FrontMatter() []byte { return s.frontMatter }

// Format is the front matter's format, "" when the file has none.
func (s *Source) Format() metadecode.Format { return s.format }

// RawFrontMatter decodes the front matter again with keys as written and
// TOML's local dates not yet placed in a zone.
func (s *Source) RawFrontMatter() (map[string]any, error) {
	if s.format == "" {
		return map[string]any{}, nil
	}
	return metadecode.Unmarshal(s.format, s.frontMatter)
}

// Dir is the folder the source describes: its own folder for bundles
// ("tips/x" for tips/x/index.md, "tips" for tips/_index.md, "" for the home
// page), otherwise the folder it is in.
func (s *Source) Dir() string {
	d := path.Dir(s.Rel)
	if d == "." {
		return ""
	}
	return d
}

// Name is the file name without extension ("x" for tips/x.md); for a leaf
// bundle the folder name.
func (s *Source) Name() string {
	if s.Kind == Leaf {
		return path.Base(s.Dir())
	}
	return strings.TrimSuffix(path.Base(s.Rel), path.Ext(s.Rel))
}

// Meta is the front matter Agora itself interprets.
type Meta struct {
	Title, LinkTitle, Slug, URL, Summary, Description, ID, Type, Layout string
	Date, PublishDate, ExpiryDate, Lastmod                              time.Time
	Draft, Headless                                                     bool
	Aliases, Keywords                                                   []string
	Weight                                                              int
	Terms                                                               map[string][]string // taxonomy plural name → terms
	Build                                                               Build
	Outputs                                                             []string // lower-case format names, when set
	// Menus is the front matter's menu (or menus) as written: a menu name,
	// a list of names, or a table of entries; the model reads it.
	Menus any
}

// StaticFile is a non-Markdown file under content/ outside any leaf bundle;
// it is published at its own path.
type StaticFile struct {
	Rel string // slash path from content/
}

// Tree is everything under content/.
type Tree struct {
	Sources []*Source
	Files   []StaticFile
	// Cascades reports whether a page cascades front matter to others:
	// then one page's edit can change many, and serve builds afresh.
	Cascades bool
	// Warnings are what was left out, to print once.
	Warnings []string
}

// Options tell the loader how to read values.
type Options struct {
	// Location is the zone of dates written without an offset, site.toml's
	// timezone: a CI runner in UTC must not move a 09:00 Berlin post.
	Location   *time.Location
	Taxonomies []string // plural names whose front-matter keys are term lists
	// Dir is the content folder below the site root, Hugo's contentDir;
	// "" means "content".
	Dir string
	// OtherLanguages are the language codes of Hugo's [languages] besides
	// the one Agora builds: their translations (about.fr.md) are left out.
	OtherLanguages []string
}

// translation reports whether a file name carries one of langs as Hugo's
// language suffix: "about.pt-br.md".
func translation(name string, langs []string) bool {
	base := strings.TrimSuffix(name, path.Ext(name))
	i := strings.LastIndexByte(base, '.')
	return i > 0 && slices.ContainsFunc(langs, func(l string) bool { return strings.EqualFold(l, base[i+1:]) })
}

func (o Options) dir() string {
	if d := strings.Trim(path.Clean("/"+o.Dir), "/"); d != "" {
		return d
	}
	return Dir
}

// IsMarkdown reports whether a file name has one of the extensions Hugo
// reads as Markdown content: .md, .markdown and .mdown.
func IsMarkdown(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".md", ".markdown", ".mdown":
		return true
	}
	return false
}

// bundleIndex reports whether name is a leaf bundle's index ("index.md")
// or a branch's ("_index.markdown").
func bundleIndex(name string) (leaf, branch bool) {
	if !IsMarkdown(name) {
		return false, false
	}
	base := strings.TrimSuffix(name, path.Ext(name))
	return base == "index", base == "_index"
}

// Load reads the content folder of site, a site folder (see sitefs).
// Every problem in every file is reported.
func Load(site fs.FS, opt Options) (*Tree, error) {
	dir := opt.dir()
	var mds, others, translations []string
	leafDirs := map[string]bool{}
	err := fs.WalkDir(site, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if p != dir && ignored(name) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel := strings.TrimPrefix(p, dir+"/")
		if translation(name, opt.OtherLanguages) {
			translations = append(translations, rel)
			return nil
		}
		if IsMarkdown(name) {
			mds = append(mds, rel)
			if leaf, _ := bundleIndex(name); leaf {
				leafDirs[path.Dir(rel)] = true
			}
		} else {
			others = append(others, rel)
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return &Tree{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", opt.dir(), err)
	}

	tree := &Tree{}
	if n := len(translations); n > 0 {
		tree.Warnings = append(tree.Warnings, fmt.Sprintf("%s: %d files in other languages left out (%s …): Agora builds one language",
			opt.dir(), n, translations[0]))
	}
	bundleOf := func(rel string) (string, bool) {
		for d := path.Dir(rel); d != "."; d = path.Dir(d) {
			if leafDirs[d] {
				return d, true
			}
		}
		return "", false
	}
	resources := map[string][]string{}
	var pages []string
	for _, rel := range mds {
		if b, ok := bundleOf(rel); ok {
			if leaf, _ := bundleIndex(path.Base(rel)); !leaf || path.Dir(rel) != b {
				// A bundle's other Markdown files are its resources, which
				// Hugo never publishes as files: they are not listed.
				continue
			}
		}
		pages = append(pages, rel)
	}
	for _, rel := range others {
		if b, ok := bundleOf(rel); ok {
			resources[b] = append(resources[b], strings.TrimPrefix(rel, b+"/"))
			continue
		}
		tree.Files = append(tree.Files, StaticFile{Rel: rel})
	}

	tree.Sources = make([]*Source, len(pages))
	var errs diag.List
	workers.Each(context.Background(), len(pages), func(i int) {
		src, err := loadFile(site, dir, pages[i], opt)
		errs.Add(err)
		tree.Sources[i] = src
	})
	if err := errs.Err(); err != nil {
		return nil, err
	}
	tree.Cascades = applyCascades(tree.Sources, &errs)
	workers.Each(context.Background(), len(pages), func(i int) {
		errs.Add(tree.Sources[i].decodeMeta(opt))
	})
	if err := errs.Err(); err != nil {
		return nil, err
	}
	for _, s := range tree.Sources {
		if s.Kind == Leaf {
			s.Resources = resources[s.Dir()]
			sort.Strings(s.Resources)
		}
	}
	return tree, nil
}

// ignored skips what editors and systems leave behind: dot-files, backups,
// swap and lock files, which must never be published.
func ignored(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") ||
		strings.HasPrefix(name, "#") || strings.HasSuffix(name, ".swp") ||
		strings.HasSuffix(name, ".tmp")
}

// readBufs recycles the buffers files are read into: the loader needs a
// file's bytes only until its front matter is copied out, and a fresh
// buffer per file was 5% of a 10,000-page build's allocation.
var readBufs = sync.Pool{New: func() any { return new([]byte) }}

func loadFile(site fs.FS, dir, rel string, opt Options) (*Source, error) {
	display := dir + "/" + rel
	buf := readBufs.Get().(*[]byte)
	defer readBufs.Put(buf)
	data, err := readFile(site, display, *buf)
	*buf = data
	var link *sitefs.LinkError
	var db *sitefs.DatabaseError
	if errors.As(err, &link) || errors.As(err, &db) {
		return nil, err // they name the file
	}
	if err != nil {
		return nil, &diag.Error{File: display, Line: lineOf(err), Err: err}
	}
	s, err := parseRaw(display, rel, data, opt)
	if err != nil {
		return nil, err
	}
	s.fsys, s.bodyOffset, s.Body = site, len(data)-len(s.Body), nil
	return s, nil
}

// readFile reads the whole file into buf, growing it when it is too small.
// A file larger than MaxPageBytes is refused before it is read.
func readFile(site fs.FS, name string, buf []byte) ([]byte, error) {
	f, err := site.Open(name)
	if err != nil {
		return buf, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return buf, err
	}
	if err := checkPageSize(st.Size()); err != nil {
		return buf, err
	}
	size := int(st.Size())
	if cap(buf) < size {
		buf = make([]byte, size)
	}
	buf = buf[:size]
	if _, err := io.ReadFull(f, buf); err != nil {
		return buf, fmt.Errorf("the file changed while it was read; build again: %w", err)
	}
	return buf, nil
}

// ReadBody returns the Markdown body, reading it from the file when Load
// did not keep it. buf is reused when it is large enough, so a caller
// rendering thousands of pages can recycle one buffer per worker; the
// returned buffer is the one to recycle.
func (s *Source) ReadBody(buf []byte) (body, newBuf []byte, err error) {
	if s.Body != nil || s.fsys == nil {
		return s.Body, buf, nil
	}
	buf, err = readFile(s.fsys, s.Path, buf)
	if err != nil {
		return nil, buf, &diag.Error{File: s.Path, Err: err}
	}
	if s.bodyOffset > len(buf) {
		return nil, buf, &diag.Error{File: s.Path, Err: errors.New("the file changed during the build; build again")}
	}
	return buf[s.bodyOffset:], buf, nil
}

// Parse builds a Source from a file's bytes. display is the path used in
// errors and rel the path below content/. Cascades from the folders above
// are not applied: Load does that.
func Parse(display, rel string, data []byte, opt Options) (*Source, error) {
	s, err := parseRaw(display, rel, data, opt)
	if err != nil {
		return nil, err
	}
	if err := s.decodeMeta(opt); err != nil {
		return nil, err
	}
	return s, nil
}

// parseRaw splits and decodes the front matter into Params.
func parseRaw(display, rel string, data []byte, opt Options) (*Source, error) {
	s := &Source{Path: display, Rel: rel}
	switch base := path.Base(rel); strings.TrimSuffix(base, path.Ext(base)) {
	case "_index":
		s.Kind = Branch
	case "index":
		s.Kind = Leaf
	}
	parts, err := Split(data)
	if err != nil {
		return nil, &diag.Error{File: display, Line: 1, Err: err}
	}
	s.Body, s.BodyLine = parts.Body, parts.BodyLine
	s.format = parts.Format
	s.frontMatter, s.fmOffset = append([]byte(nil), parts.FrontMatter...), parts.FMLine-1
	if err := checkFrontMatter(display, parts.Format, parts.FrontMatter, parts.FMLine); err != nil {
		return nil, err
	}
	raw := map[string]any{}
	if parts.Format != "" {
		raw, err = metadecode.Unmarshal(parts.Format, parts.FrontMatter)
		if err != nil {
			var e *metadecode.Error
			line := 0
			msg := err.Error()
			if errors.As(err, &e) {
				msg = e.Msg
				if e.Line > 0 {
					line = e.Line + s.fmOffset
				}
			}
			if line == 0 {
				line = parts.FMLine
			}
			return nil, &diag.Error{File: display, Line: line, Err: fmt.Errorf("front matter: %s", msg)}
		}
	}
	if err := checkDecodedDepth(s, raw); err != nil {
		return nil, err
	}
	s.Params = lowerKeys(raw, opt.Location).(map[string]any)
	if p, ok := s.Params["params"].(map[string]any); ok {
		// Hugo merges a [params] table into .Params; keys at the top level win.
		for k, v := range p {
			if _, taken := s.Params[k]; !taken {
				s.Params[k] = v
			}
		}
	}
	return s, nil
}

// decodeMeta reads the keys Agora interprets from Params.
func (s *Source) decodeMeta(opt Options) error {
	d := decoder{src: s, loc: opt.Location}
	s.Meta = d.meta(s.Params, opt.Taxonomies)
	// As in Hugo, .Params holds the dates as dates whatever the format
	// wrote them as: YAML and JSON have no date type.
	for key, t := range map[string]time.Time{"date": s.Meta.Date, "publishdate": s.Meta.PublishDate, "lastmod": s.Meta.Lastmod, "expirydate": s.Meta.ExpiryDate} {
		if !t.IsZero() {
			s.Params[key] = t
		}
	}
	return d.errs.Err()
}

type decoder struct {
	src  *Source
	loc  *time.Location
	errs diag.List
}

func (d *decoder) fail(key, format string, args ...any) {
	d.errs.Add(diag.At(d.src.Path, d.src.Line(key), "%s: "+format, append([]any{key}, args...)...))
}

// Hugo's date keys and their aliases, first found wins
// (resources/page/pagemeta: pubdate and published for publishDate,
// modified for lastmod, unpublishdate for expiryDate).
var (
	publishDateKeys = []string{"publishdate", "pubdate", "published"}
	lastmodKeys     = []string{"lastmod", "modified"}
	expiryDateKeys  = []string{"expirydate", "unpublishdate"}
)

func (d *decoder) meta(p map[string]any, taxonomies []string) Meta {
	m := Meta{
		Title:       d.str(p, "title"),
		LinkTitle:   d.str(p, "linktitle"),
		Slug:        strings.Trim(d.str(p, "slug"), "-"),
		URL:         d.str(p, "url"),
		Summary:     d.str(p, "summary"),
		Description: d.str(p, "description"),
		Type:        d.str(p, "type"),
		Layout:      d.str(p, "layout"),
		Date:        d.time(p, "date"),
		PublishDate: d.firstTime(p, publishDateKeys),
		ExpiryDate:  d.firstTime(p, expiryDateKeys),
		Lastmod:     d.firstTime(p, lastmodKeys),
		Draft:       d.bool(p, "draft"),
		Aliases:     d.strings(p, "aliases"),
		Keywords:    d.strings(p, "keywords"),
		Weight:      d.int(p, "weight"),
		Menus:       p["menus"],
		Build:       d.build(p),
	}
	if m.Menus == nil {
		m.Menus = p["menu"]
	}
	if _, set := p["draft"]; !set {
		// Hugo's "published = false" is "draft = true".
		if pub, ok := p["published"].(bool); ok {
			m.Draft = !pub
		}
	}
	if d.bool(p, "headless") {
		m.Headless = true
		m.Build.List, m.Build.Render = Never, Never
	}
	if o, ok := p["outputs"]; ok {
		for _, f := range d.strings(map[string]any{"outputs": o}, "outputs") {
			m.Outputs = append(m.Outputs, strings.ToLower(f))
		}
	}
	switch v := p["id"].(type) {
	case nil:
	case string:
		m.ID = v
	case int64:
		m.ID = fmt.Sprint(v)
	default:
		d.fail("id", "want a string, got %s", TypeName(v))
	}
	for _, t := range taxonomies {
		terms := d.strings(p, t)
		if len(terms) > MaxTermsPerPage {
			d.fail(t, "%d terms, more than the %d a page may have in one taxonomy", len(terms), MaxTermsPerPage)
			continue
		}
		if len(terms) > 0 {
			if m.Terms == nil {
				m.Terms = map[string][]string{}
			}
			m.Terms[t] = terms
		}
	}
	return m
}

// The values of Hugo's build options.
const (
	Always = "always"
	Never  = "never"
	Local  = "local" // list: only in the page's own section
	Link   = "link"  // render: a URL but no file
)

// Build is Hugo's [build] front-matter table.
type Build struct {
	List             string // always, never, local
	Render           string // always, never, link
	PublishResources bool
}

// build decodes [build] (or Hugo's older [_build]), accepting the booleans
// Hugo took before 0.76.
func (d *decoder) build(p map[string]any) Build {
	b := Build{List: Always, Render: Always, PublishResources: true}
	key := "build"
	raw, ok := p[key]
	if !ok {
		key = "_build"
		if raw, ok = p[key]; !ok {
			return b
		}
	}
	t, ok := raw.(map[string]any)
	if !ok {
		d.fail(key, "want a table such as [build] with render = \"never\", got %s", TypeName(raw))
		return b
	}
	enum := func(name string, allowed ...string) string {
		switch v := t[name].(type) {
		case nil:
			return Always
		case bool:
			if v {
				return Always
			}
			return Never
		case string:
			v = strings.ToLower(v)
			if slices.Contains(allowed, v) {
				return v
			}
		}
		d.fail(key, "%s: want %s, got %v", name, strings.Join(allowed, ", "), t[name])
		return Always
	}
	for k := range t {
		if k != "list" && k != "render" && k != "publishresources" {
			d.fail(key, "unknown key %q; build takes list, render and publishResources", k)
		}
	}
	b.List = enum("list", Always, Never, Local)
	b.Render = enum("render", Always, Never, Link)
	switch v := t["publishresources"].(type) {
	case nil:
	case bool:
		b.PublishResources = v
	default:
		d.fail(key, "publishResources: want true or false, got %s", TypeName(v))
	}
	return b
}

func (d *decoder) firstTime(p map[string]any, keys []string) time.Time {
	for _, k := range keys {
		if _, isBool := p[k].(bool); isBool && k == "published" {
			continue
		}
		if t := d.time(p, k); !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func (d *decoder) str(p map[string]any, key string) string {
	switch v := p[key].(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		d.fail(key, "want a string, got %s", TypeName(v))
		return ""
	}
}

func (d *decoder) bool(p map[string]any, key string) bool {
	switch v := p[key].(type) {
	case nil:
		return false
	case bool:
		return v
	default:
		d.fail(key, "want true or false, got %s", TypeName(v))
		return false
	}
}

func (d *decoder) int(p map[string]any, key string) int {
	switch v := p[key].(type) {
	case nil:
		return 0
	case int64:
		return int(v)
	default:
		d.fail(key, "want a whole number, got %s", TypeName(v))
		return 0
	}
}

func (d *decoder) strings(p map[string]any, key string) []string {
	switch v := p[key].(type) {
	case nil:
		return nil
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				d.fail(key, "want a list of strings, found %s in it", TypeName(e))
				return nil
			}
			out = append(out, s)
		}
		return out
	default:
		d.fail(key, "want a list of strings such as [\"a\", \"b\"], got %s", TypeName(v))
		return nil
	}
}

// dateLayouts are the date formats Hugo reads in front matter (its htime
// package), most common first. YAML and JSON dates are strings, so these
// are how most Hugo sites' dates are read.
var dateLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04",
	"2006-01-02T15:04:05-0700", "2006-01-02 15:04:05Z07:00", "2006-01-02 15:04:05 -07:00", "2006-01-02 15:04:05 -0700",
	"2006-01-02 15:04:05.999999999 -0700 MST", "2006-01-02 15:04:05 MST",
	time.RFC1123Z, time.RFC1123, time.RFC822Z, time.RFC822, time.RFC850, time.ANSIC, time.UnixDate, time.RubyDate,
	"02 Jan 2006", "January 2, 2006", "Jan 2, 2006",
}

func (d *decoder) time(p map[string]any, key string) time.Time {
	switch v := p[key].(type) {
	case nil:
		return time.Time{}
	case time.Time:
		return v
	case string:
		for _, l := range dateLayouts {
			if t, err := time.ParseInLocation(l, v, d.loc); err == nil {
				return t
			}
		}
		d.fail(key, "%q is not a date; write 2026-05-01 or 2026-05-01T18:00:00+02:00", v)
	default:
		d.fail(key, "want a date such as 2026-05-01T18:00:00+02:00, got %s", TypeName(v))
	}
	return time.Time{}
}

// lowerKeys lower-cases map keys recursively, as Hugo does for .Params, and
// places TOML's offset-less dates in the site's zone.
func lowerKeys(v any, loc *time.Location) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[strings.ToLower(k)] = lowerKeys(e, loc)
		}
		return out
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = lowerKeys(e, loc)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = lowerKeys(e, loc)
		}
		return x
	case time.Time:
		return InZone(x, loc)
	}
	return v
}

// InZone reinterprets a TOML local date or datetime (no offset) as wall
// time in loc; times with an offset are kept.
func InZone(t time.Time, loc *time.Location) time.Time {
	switch t.Location().String() {
	case "datetime-local", "date-local", "time-local":
		if loc == nil {
			loc = time.UTC
		}
		return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
	}
	return t
}

// TypeName names the TOML type of a decoded front-matter value for error
// messages: "a string", "a number", "a date", "a list", "a table"….
func TypeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "a number"
	case float64:
		return "a decimal number"
	case bool:
		return "a boolean"
	case time.Time:
		return "a date"
	case []any, []map[string]any:
		return "a list"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}

// TitleFromName makes a title of a file or folder name: "first-meetup" →
// "First Meetup". Hugo does the same for sections without _index.md.
func TitleFromName(s string) string {
	words := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '_' || r == ' ' })
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}
