package siteimport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/metadecode"
)

// Jekyll imports the Jekyll site in from into a new Agora site in to.
func Jekyll(ctx context.Context, from, to string, opt Options) (*Report, error) {
	j, err := begin("Jekyll", from, to, opt)
	if err != nil {
		return nil, err
	}
	if err := j.jekyll(); err != nil {
		j.abort()
		return nil, err
	}
	return j.finish(ctx)
}

type docKind int

const (
	kindPage docKind = iota
	kindPost
	kindDraft
	kindDoc // a collection's document
)

// jdoc is one page of the Jekyll site on its way to Agora.
type jdoc struct {
	src   string // path in the source
	kind  docKind
	coll  string // the collection, for a document
	out   string // path in the new site: "content/posts/x.md"
	html  bool   // the body is HTML
	data  []byte
	parts content.Parts
	// From the file name.
	date   time.Time // a post's, zero when it has none
	slug   string
	rename bool // the slug is not the new file's name: front matter says it

	fm        *yamlDoc // the front matter as edited
	generated bool     // an _index.md the import made for a cascade
}

// ref is the path a relref to the page names: "/posts/x.md".
func (d *jdoc) ref() string { return strings.TrimPrefix(d.out, content.Dir) }

// postName matches a post's file name: YYYY-MM-DD-slug.ext.
var postName = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})-(.+)\.([^.]+)$`)

// markdownExts are the extensions Jekyll renders as Markdown (its default
// markdown_ext).
var markdownExts = []string{".md", ".markdown", ".mkdown", ".mkdn", ".mkd", ".mdown"}

// ghPagesNoFrontMatter are the Markdown files GitHub Pages does not
// render when they have no front matter (jekyll-optional-front-matter).
var ghPagesNoFrontMatter = []string{"README", "LICENSE", "LICENCE", "COPYING", "CODE_OF_CONDUCT", "CONTRIBUTING", "ISSUE_TEMPLATE", "PULL_REQUEST_TEMPLATE", "CHANGELOG"}

// jekyllFolders are the underscore folders Jekyll gives a meaning, and
// what the import does with them when it does not convert them.
var jekyllFolders = map[string]string{
	"_includes": "Liquid snippets for layouts; an {% include %} in a page becomes a shortcode when the snippet is plain HTML",
	"_layouts":  "Liquid templates are not Go templates; the new site uses Agora's built-in theme",
	"_sass":     "Agora does not compile Sass; the built-in theme has its own stylesheet",
	"_plugins":  "Jekyll plugins (Ruby) do not run in Agora",
	"_site":     "",
}

type jekyllJob struct {
	*job
	js           *jekyllSite
	docs         []*jdoc
	byOut        map[string]*jdoc
	static       []string // source paths copied to static/
	left         []string // root entries left behind, for one note
	cname        string
	shorts       map[string]string // include file → shortcode name, "" when not convertible
	whyNot       map[string]string // include file → why it is not convertible
	cascade      map[string]map[string]any
	cascadeOrder []string
	anyHTML      []Note // pages whose Markdown holds raw HTML
	tallies      map[string]*tally
	tallyOrder   []string
	contentOpts  content.Options
}

func (j *job) jekyll() error {
	js, err := j.readJekyllConfig()
	if err != nil {
		return err
	}
	if js.file == "" {
		if st, err := j.exists("_posts"); err != nil || st == nil {
			if err == nil {
				err = fmt.Errorf("%s is not a Jekyll site: it has no _config.yml and no _posts/", j.r.From)
			}
			return err
		}
	}
	jj := &jekyllJob{job: j, js: js, byOut: map[string]*jdoc{}, shorts: map[string]string{}, whyNot: map[string]string{},
		cascade: map[string]map[string]any{}, tallies: map[string]*tally{}}
	if err := jj.scan(""); err != nil {
		return err
	}
	jj.placePosts()
	settings := j.siteSettings(js)
	jj.permalinks(settings)
	if jj.contentOpts, err = contentOptions(settings); err != nil {
		return err
	}
	jj.readmeIndex()
	// Every page's front matter and place first, so that links between
	// pages name where each one ends up.
	for _, d := range slices.Clone(jj.docs) {
		if d.out == "" {
			continue
		}
		if err := jj.plan(d); err != nil {
			return err
		}
	}
	jj.defaults()
	if err := jj.applyCascades(); err != nil {
		return err
	}
	for _, d := range jj.docs {
		if err := jj.writeDoc(d); err != nil {
			return err
		}
	}
	jj.flushTallies()
	for _, s := range jj.static {
		if err := j.copyFile("static/"+s, s); err != nil {
			return err
		}
	}
	if jj.cname != "" {
		settings["cname"] = jj.cname
		j.convert("CNAME", 0, "→ cname = %q in site.toml (Agora writes the CNAME file)", jj.cname)
	}
	if len(jj.anyHTML) > 0 {
		settings["markup"] = map[string]any{"unsafe": true}
		n := jj.anyHTML[0]
		j.convert(n.File, n.Line, "raw HTML in Markdown (%d %s): [markup] unsafe = true keeps it, as Jekyll did", len(jj.anyHTML), pluralWord(len(jj.anyHTML), "page", "pages"))
	}
	if len(jj.left) > 0 {
		j.skip("", "not copied (excluded in %s, Jekyll's tooling, or names Jekyll skips): %s", cmpOr(js.file, "_config.yml"), listNames(jj.left, 10))
	}
	header := []string{"Imported by agora import from a Jekyll site."}
	if js.file != "" {
		header[0] = "Imported by agora import from " + js.file + "."
	}
	header = append(header, "Every key is checked; Agora's README lists them.")
	return j.writeSiteTOML(header, settings)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// scan walks the source and sorts every entry: pages, posts, drafts,
// collection documents, data, static files and what is left behind.
func (jj *jekyllJob) scan(dir string) error {
	entries, err := fs.ReadDir(jj.src, cmpOr(dir, "."))
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		p := path.Join(dir, name)
		js := jj.js
		special := strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "#") || strings.HasSuffix(name, "~")
		if js.excluded(p) && !js.included(p) {
			if dir == "" && !strings.HasPrefix(name, ".") {
				jj.left = append(jj.left, displayName(name, e))
			}
			continue
		}
		if e.Type()&fs.ModeSymlink != 0 {
			// Listed as a link only when sitefs refuses it: say why.
			f, err := jj.src.Open(p)
			if err == nil {
				f.Close()
			}
			return err
		}
		if special && !js.included(p) {
			if err := jj.scanSpecial(dir, name, p, e); err != nil {
				return err
			}
			continue
		}
		if e.IsDir() {
			if err := jj.scan(p); err != nil {
				return err
			}
			continue
		}
		if dir == "" && name == "CNAME" {
			data, err := readLimited(jj.src, p, 1<<10)
			if err != nil {
				return err
			}
			jj.cname = strings.TrimSpace(string(data))
			continue
		}
		if err := jj.file(p, kindPage, ""); err != nil {
			return err
		}
	}
	return nil
}

func displayName(name string, e fs.DirEntry) string {
	if e.IsDir() {
		return name + "/"
	}
	return name
}

// scanSpecial handles a name starting with "_" or ".".
func (jj *jekyllJob) scanSpecial(dir, name, p string, e fs.DirEntry) error {
	collRoot := jj.js.collDir
	switch {
	case !e.IsDir():
		if dir == "" && strings.HasPrefix(name, "_config") {
			return nil
		}
	case name == "_posts" || name == "_drafts":
		kind := kindPost
		if name == "_drafts" {
			kind = kindDraft
		}
		return jj.walk(p, func(f string) error { return jj.file(f, kind, "") })
	case name == "_data" && dir == collRoot:
		_, err := jj.copyTree(p, "data")
		if err == nil {
			jj.convert(p, 0, "→ data/, where Hugo keeps data files")
		}
		return err
	case dir == collRoot && jj.js.collections[strings.TrimPrefix(name, "_")] != nil:
		coll := strings.TrimPrefix(name, "_")
		return jj.walk(p, func(f string) error { return jj.file(f, kindDoc, coll) })
	case dir == "":
		if why, ok := jekyllFolders[name]; ok {
			if why != "" {
				n, err := countFiles(jj.job, p)
				if err != nil {
					return err
				}
				jj.skip(p+"/", "%d %s: %s", n, pluralWord(n, "file", "files"), why)
			}
			return nil
		}
	}
	if dir == "" && !strings.HasPrefix(name, ".") {
		jj.left = append(jj.left, displayName(name, e))
	}
	return nil
}

func countFiles(j *job, dir string) (int, error) {
	n := 0
	err := j.walk(dir, func(string) error { n++; return nil })
	return n, err
}

// file sorts one file: a page or document when it has front matter (or is
// Markdown, which GitHub Pages renders without), else a static file.
func (jj *jekyllJob) file(p string, kind docKind, coll string) error {
	ext := strings.ToLower(path.Ext(p))
	isMarkdown := slices.Contains(markdownExts, ext)
	isHTML := ext == ".html" || ext == ".htm"
	head, err := readHead(jj.src, p, 5)
	if err != nil {
		return err
	}
	hasFM := bytes.HasPrefix(bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")), []byte("---"))
	base := strings.TrimSuffix(path.Base(p), path.Ext(p))
	switch {
	case kind == kindPost || kind == kindDraft:
		if !isMarkdown && !isHTML {
			if ext == ".textile" {
				jj.lose(p, 0, "left out: Agora does not render Textile")
				return nil
			}
			// Jekyll copies other files in _posts as they are.
			jj.static = append(jj.static, p)
			return nil
		}
	case kind == kindDoc:
		if !hasFM && !isMarkdown {
			jj.static = append(jj.static, p)
			return nil
		}
	case !hasFM:
		if isMarkdown && !slices.Contains(ghPagesNoFrontMatter, strings.ToUpper(base)) {
			break // GitHub Pages renders Markdown without front matter
		}
		if isMarkdown && strings.EqualFold(base, "README") {
			break // may be the folder's index (jekyll-readme-index)
		}
		jj.static = append(jj.static, p)
		return nil
	case !isMarkdown && !isHTML:
		return jj.generatedFile(p, ext)
	}
	data, err := readLimited(jj.src, p, content.MaxPageBytes)
	if err != nil {
		return err
	}
	parts, err := content.Split(data)
	if err != nil || (parts.Format != "" && parts.Format != metadecode.YAML) {
		if err == nil {
			err = errors.New("front matter that is not YAML")
		}
		jj.lose(p, 1, "left out: %v", err)
		return nil
	}
	d := &jdoc{src: p, kind: kind, coll: coll, html: isHTML, data: data, parts: parts, slug: base}
	if kind == kindPost || kind == kindDraft {
		if m := postName.FindStringSubmatch(path.Base(p)); m != nil {
			t, err := time.ParseInLocation("2006-1-2", m[1]+"-"+m[2]+"-"+m[3], jj.js.loc)
			if err == nil {
				d.date, d.slug = t, m[4]
			}
		} else if kind == kindPost {
			jj.skip(p, "not a post: Jekyll reads only names such as 2024-05-01-title.md in _posts/")
			return nil
		}
	}
	if !hasFM && strings.EqualFold(base, "README") {
		d.kind = kindPage
		d.out = "" // placed by readmeIndex
	}
	jj.docs = append(jj.docs, d)
	return nil
}

// generatedFile handles a non-page file with front matter: Jekyll ran it
// through Liquid (a feed, a sitemap, a stylesheet). Without Liquid in it,
// it is a static file; otherwise Agora writes its own or it is lost.
func (jj *jekyllJob) generatedFile(p, ext string) error {
	data, err := readLimited(jj.src, p, content.MaxPageBytes)
	if err != nil {
		return err
	}
	parts, err := content.Split(data)
	if err == nil && !bytes.Contains(parts.Body, []byte("{{")) && !bytes.Contains(parts.Body, []byte("{%")) {
		jj.convert(p, 0, "→ static/%s, without its front matter", p)
		return jj.write("static/"+p, parts.Body)
	}
	switch base := path.Base(p); {
	case ext == ".scss" || ext == ".sass":
		jj.skip(p, "a Sass stylesheet: Agora does not compile Sass; the built-in theme has its own stylesheet")
	case base == "feed.xml" || base == "atom.xml" || base == "rss.xml" || base == "feed.atom":
		jj.lose(p, 0, "a Liquid feed: Agora writes the site's feed at /index.xml instead, not at /%s", p)
	case base == "sitemap.xml" || base == "robots.txt":
		jj.convert(p, 0, "left out: Agora writes %s itself", base)
	default:
		jj.lose(p, 0, "left out: a file made with Liquid, which Agora does not run")
	}
	return nil
}

// placePosts gives every page its path in the new site. Posts and drafts
// go to content/posts/SLUG.md; when two share a slug, the later keeps its
// full file name and says its slug in front matter.
func (jj *jekyllJob) placePosts() {
	sort.SliceStable(jj.docs, func(a, b int) bool {
		da, db := jj.docs[a], jj.docs[b]
		if da.kind != db.kind {
			return da.kind < db.kind
		}
		return da.src < db.src
	})
	for _, d := range jj.docs {
		switch d.kind {
		case kindPost, kindDraft:
			d.out = "content/posts/" + d.slug + ".md"
			if jj.byOut[d.out] != nil {
				d.out = "content/posts/" + strings.TrimSuffix(path.Base(d.src), path.Ext(d.src)) + ".md"
				d.rename = true
			}
		case kindDoc:
			rel := strings.TrimPrefix(d.src, path.Join(jj.js.collDir, "_"+d.coll)+"/")
			d.out = "content/" + d.coll + "/" + strings.TrimSuffix(rel, path.Ext(rel)) + ".md"
		case kindPage:
			if d.out == "" && strings.EqualFold(strings.TrimSuffix(path.Base(d.src), path.Ext(d.src)), "README") && d.parts.Format == "" {
				continue // readmeIndex decides
			}
			d.out = pageOut(d.src)
		}
		if jj.byOut[d.out] != nil {
			jj.lose(d.src, 0, "left out: %s already comes from %s", d.out, jj.byOut[d.out].src)
			d.out = ""
			continue
		}
		jj.byOut[d.out] = d
	}
}

// pageOut is where a page goes: index files become their folder's
// _index.md, the home page's at the top.
func pageOut(src string) string {
	dir, base := path.Split(src)
	stem := strings.TrimSuffix(base, path.Ext(base))
	if stem == "index" {
		return "content/" + dir + "_index.md"
	}
	return "content/" + dir + stem + ".md"
}

// readmeIndex makes a README.md without front matter its folder's index
// when the folder has none, as GitHub Pages does; otherwise it is left.
func (jj *jekyllJob) readmeIndex() {
	for _, d := range jj.docs {
		if d.kind != kindPage || d.out != "" || !strings.EqualFold(strings.TrimSuffix(path.Base(d.src), path.Ext(d.src)), "README") {
			continue
		}
		out := "content/" + path.Join(path.Dir(d.src), "_index.md")
		if path.Dir(d.src) == "." {
			out = "content/_index.md"
		}
		if jj.byOut[out] != nil {
			jj.left = append(jj.left, d.src)
			continue
		}
		d.out = out
		jj.byOut[out] = d
		jj.convert(d.src, 0, "→ %s: the folder's index, as GitHub Pages shows a README", out)
	}
}

// permalinks sets the posts' pattern in site.toml when Hugo can say it.
func (jj *jekyllJob) permalinks(settings map[string]any) {
	line := metadecode.KeyLine(metadecode.YAML, jj.js.data, "permalink")
	hp, ok := hugoPermalink(expandStyle(jj.js.permalink))
	if !ok {
		jj.convert(jj.js.file, line, "permalink %q has placeholders Hugo's permalinks lack: each post keeps its URL in front matter (url)", jj.js.permalink)
		return
	}
	settings["permalinks"] = map[string]any{"posts": hp}
	jj.convert(jj.js.file, line, "permalink %q → [permalinks] posts = %q", jj.js.permalink, hp)
}

func readHead(fsys fs.FS, name string, n int) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, n)
	k, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:k], nil
}

// readLimited reads a file that the import parses, refusing one larger
// than max before reading it.
func readLimited(fsys fs.FS, name string, max int64) ([]byte, error) {
	st, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if st.Size() > max {
		return nil, fmt.Errorf("%s: %d bytes, more than the %d a page may have", name, st.Size(), max)
	}
	return fs.ReadFile(fsys, name)
}

func asMeta(err error, target **metadecode.Error) bool { return errors.As(err, target) }
