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
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/generator/internal/workers"
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
	frontMatter []byte
	fmOffset    int
	// Resources are the files of a leaf bundle, slash paths relative to
	// the bundle folder.
	Resources []string
}

// Line is the file line where a front-matter key is set, or 0. It is
// looked up only when an error needs it, not for every page.
func (s *Source) Line(key ...string) int {
	if l := diag.KeyLine(s.frontMatter, key); l > 0 {
		return l + s.fmOffset
	}
	return 0
}

// FrontMatter is the TOML as written, for readers that need what .Params
// loses: key spelling, and whether a datetime had an offset.
func (s *Source) FrontMatter() []byte { return s.frontMatter }

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
	Title, Slug, URL, Summary, Description, ID, Type, Layout string
	Date, PublishDate, ExpiryDate, Lastmod                   time.Time
	Draft                                                    bool
	Aliases                                                  []string
	Weight                                                   int
	Terms                                                    map[string][]string // taxonomy plural name → terms
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
}

// Options tell the loader how to read values.
type Options struct {
	// Location is the zone of dates written without an offset, site.toml's
	// timezone: a CI runner in UTC must not move a 09:00 Berlin post.
	Location   *time.Location
	Taxonomies []string // plural names whose front-matter keys are term lists
}

// Load reads the content/ folder of site, a site folder (see sitefs).
// Every problem in every file is reported.
func Load(site fs.FS, opt Options) (*Tree, error) {
	var mds, others []string
	leafDirs := map[string]bool{}
	err := fs.WalkDir(site, Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if p != Dir && ignored(name) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel := strings.TrimPrefix(p, Dir+"/")
		if strings.EqualFold(path.Ext(name), ".md") {
			mds = append(mds, rel)
			if name == "index.md" {
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
		return nil, fmt.Errorf("reading %s: %w", Dir, err)
	}

	tree := &Tree{}
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
		if b, ok := bundleOf(rel); ok && rel != b+"/index.md" {
			resources[b] = append(resources[b], strings.TrimPrefix(rel, b+"/"))
			continue
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
		src, err := loadFile(site, pages[i], opt)
		errs.Add(err)
		tree.Sources[i] = src
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

func loadFile(site fs.FS, rel string, opt Options) (*Source, error) {
	display := Dir + "/" + rel
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
	s, err := Parse(display, rel, data, opt)
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
// errors and rel the path below content/.
func Parse(display, rel string, data []byte, opt Options) (*Source, error) {
	s := &Source{Path: display, Rel: rel}
	switch path.Base(rel) {
	case "_index.md":
		s.Kind = Branch
	case "index.md":
		s.Kind = Leaf
	}
	fm, fmLine, body, bodyLine, err := Split(data)
	if err != nil {
		return nil, &diag.Error{File: display, Line: 1, Err: err}
	}
	s.Body, s.BodyLine = body, bodyLine
	s.frontMatter, s.fmOffset = append([]byte(nil), fm...), fmLine-1
	if err := checkFrontMatter(display, fm, fmLine); err != nil {
		return nil, err
	}
	raw := map[string]any{}
	if _, err := toml.Decode(string(fm), &raw); err != nil {
		line := diag.TOMLLine(err)
		if line > 0 {
			line += fmLine - 1
		}
		return nil, &diag.Error{File: display, Line: line, Err: fmt.Errorf("front matter: %s", diag.TOMLMessage(err))}
	}
	d := decoder{file: display, src: fm, offset: fmLine - 1, loc: opt.Location}
	checkDecodedDepth(&d, raw)
	s.Params = lowerKeys(raw, opt.Location).(map[string]any)
	s.Meta = d.meta(s.Params, opt.Taxonomies)
	if p, ok := s.Params["params"].(map[string]any); ok {
		// Hugo merges a [params] table into .Params; keys at the top level win.
		for k, v := range p {
			if _, taken := s.Params[k]; !taken {
				s.Params[k] = v
			}
		}
	}
	if err := d.errs.Err(); err != nil {
		return nil, err
	}
	return s, nil
}

type decoder struct {
	file   string
	src    []byte
	offset int
	loc    *time.Location
	errs   diag.List
}

func (d *decoder) line(key string) int {
	if l := diag.KeyLine(d.src, []string{key}); l > 0 {
		return l + d.offset
	}
	// Keys are lower-cased for .Params; the source may say "publishDate".
	for _, k := range []string{"publishDate", "expiryDate"} {
		if strings.ToLower(k) == key {
			if l := diag.KeyLine(d.src, []string{k}); l > 0 {
				return l + d.offset
			}
		}
	}
	return 0
}

func (d *decoder) fail(key, format string, args ...any) {
	d.errs.Add(diag.At(d.file, d.line(key), "%s: "+format, append([]any{key}, args...)...))
}

func (d *decoder) meta(p map[string]any, taxonomies []string) Meta {
	m := Meta{
		Title:       d.str(p, "title"),
		Slug:        d.str(p, "slug"),
		URL:         d.str(p, "url"),
		Summary:     d.str(p, "summary"),
		Description: d.str(p, "description"),
		Type:        d.str(p, "type"),
		Layout:      d.str(p, "layout"),
		Date:        d.time(p, "date"),
		PublishDate: d.time(p, "publishdate"),
		ExpiryDate:  d.time(p, "expirydate"),
		Lastmod:     d.time(p, "lastmod"),
		Draft:       d.bool(p, "draft"),
		Aliases:     d.strings(p, "aliases"),
		Weight:      d.int(p, "weight"),
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

var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02"}

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
