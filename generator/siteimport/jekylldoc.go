package siteimport

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/diag"
)

// agoraOnlyKeys are front-matter keys Agora gives a meaning Hugo and
// Jekyll do not: a Jekyll page's "event" was never an Agora event.
var agoraOnlyKeys = []string{"event", "decision"}

// maxKeyRenames bounds how many front-matter keys of one page are moved
// aside because Agora gives them a meaning the page did not intend.
const maxKeyRenames = 8

// tally aggregates a conversion that happens on many pages into one note
// naming the first place and how many more.
type tally struct {
	first Note
	more  int
}

func (jj *jekyllJob) count(what, file string, line int) {
	if t, ok := jj.tallies[what]; ok {
		t.more++
		return
	}
	jj.tallies[what] = &tally{first: Note{file, line, what}}
	jj.tallyOrder = append(jj.tallyOrder, what)
}

func (jj *jekyllJob) flushTallies() {
	for _, what := range jj.tallyOrder {
		t := jj.tallies[what]
		n := t.first
		if t.more > 0 {
			n.Msg += fmt.Sprintf(" (and %d more)", t.more)
		}
		jj.r.Converted = append(jj.r.Converted, n)
	}
}

// plan edits a page's front matter as Agora reads it and decides its URL.
func (jj *jekyllJob) plan(d *jdoc) error {
	var fm *yamlDoc
	if d.parts.Format != "" {
		var err error
		if fm, err = parseYAMLDoc(d.parts.FrontMatter); err != nil {
			line := d.parts.FMLine
			var e *diag.Error
			if errors.As(err, &e) {
				line += e.Line - 1
			}
			jj.lose(d.src, line, "left out: its front matter is not valid YAML: %v", err)
			delete(jj.byOut, d.out)
			d.out = ""
			return nil
		}
	} else {
		fm = &yamlDoc{want: map[string]any{}}
		fm.orig = &yamlDoc{}
	}
	d.fm = fm
	fmLine := func(key string) int {
		if l := fm.line(key); l > 0 {
			return d.parts.FMLine + l - 1
		}
		return 0
	}
	for _, k := range agoraOnlyKeys {
		if fm.has(k) {
			jj.count(k+" → jekyll_"+k+": Agora's "+k+" is a checked table of its own; the value stays in .Params", d.src, fmLine(k))
			fm.rename(k, "jekyll_"+k)
		}
	}
	if fm.has("layout") {
		fm.remove("layout")
		jj.count("layout: Jekyll layouts are not converted; left out, the theme lays pages out", d.src, fmLine("layout"))
	}
	if fm.has("excerpt") {
		fm.rename("excerpt", "summary")
		jj.count("excerpt → summary", d.src, fmLine("excerpt"))
	}
	if fm.has("last_modified_at") {
		fm.rename("last_modified_at", "lastmod")
		jj.count("last_modified_at → lastmod", d.src, fmLine("last_modified_at"))
	}
	if p, ok := fm.get("published").(bool); ok {
		fm.remove("published")
		if !p {
			if err := fm.set("draft", true); err != nil {
				return err
			}
			jj.count("published: false → draft: true", d.src, fmLine("published"))
		}
	}
	if d.kind == kindDraft {
		if err := fm.set("draft", true); err != nil {
			return err
		}
		jj.count("_drafts/ → content/posts/ with draft: true", d.src, 0)
	}
	if err := jj.terms(d, fm, fmLine); err != nil {
		return err
	}
	if v := fm.get("redirect_from"); v != nil {
		if err := fm.set("aliases", stringList(v)); err != nil {
			return err
		}
		line := fmLine("redirect_from")
		fm.remove("redirect_from")
		jj.count("redirect_from → aliases", d.src, line)
	}
	if fm.has("redirect_to") {
		jj.lose(d.src, fmLine("redirect_to"), "redirect_to: Agora has no redirect to another site; the page is written as a page")
		fm.rename("redirect_to", "jekyll_redirect_to")
	}
	// The date: a post's file name gives it, front matter may override.
	date := d.date
	if v := fm.get("date"); v != nil {
		if t, ok := parseJekyllDate(v, jj.js.loc); ok {
			date = t
		} else {
			jj.lose(d.src, fmLine("date"), "date %v is not a date Agora reads; replaced by the file name's", v)
			fm.remove("date")
			if !d.date.IsZero() {
				if err := fm.set("date", d.date.Format("2006-01-02")); err != nil {
					return err
				}
			}
		}
	} else if !d.date.IsZero() {
		if err := fm.set("date", d.date.Format("2006-01-02")); err != nil {
			return err
		}
		jj.count("the date in a post's file name → date in its front matter", d.src, 0)
	}
	if !fm.has("title") {
		switch {
		case d.kind == kindPost || d.kind == kindDraft:
			if err := fm.set("title", titleize(d.slug)); err != nil {
				return err
			}
			jj.count("a post without a title → the title Jekyll made from its file name", d.src, 0)
		case d.kind == kindPage && d.parts.Format == "":
			if t := firstHeading(d.parts.Body); t != "" {
				if err := fm.set("title", t); err != nil {
					return err
				}
				jj.count("a page without front matter → its first heading as title, as GitHub Pages does", d.src, 0)
			}
		}
	}
	if d.rename && !fm.has("slug") {
		if err := fm.set("slug", d.slug); err != nil {
			return err
		}
		jj.convert(d.src, 0, "→ %s with slug %q: another post has the same name", d.out, d.slug)
	}
	return jj.placeURL(d, fm, date, fmLine)
}

// terms makes categories and tags lists of strings, as Agora reads them;
// Jekyll splits a string on spaces and adds a post's folders above
// _posts as categories.
func (jj *jekyllJob) terms(d *jdoc, fm *yamlDoc, fmLine func(string) int) error {
	var cats []string
	touched := false
	if v := fm.get("category"); v != nil {
		cats = append(cats, termList(v)...)
		fm.remove("category")
		touched = true
	}
	if v := fm.get("categories"); v != nil {
		if _, isList := v.([]any); !isList || !allStrings(v) {
			touched = true
		}
		cats = append(termList(v), cats...)
	}
	if d.kind == kindPost || d.kind == kindDraft {
		if dir := path.Dir(d.src); dir != "." {
			for _, el := range strings.Split(dir, "/") {
				if el != "_posts" && el != "_drafts" && !slices.Contains(cats, el) {
					cats = append(cats, el)
					touched = true
				}
			}
		}
	}
	if touched {
		if err := fm.set("categories", anyList(cats)); err != nil {
			return err
		}
		jj.count("categories as Jekyll reads them (words of a string, folders above _posts/) → a list", d.src, fmLine("categories"))
	}
	if v := fm.get("tags"); v != nil {
		if _, isList := v.([]any); !isList || !allStrings(v) {
			if err := fm.set("tags", anyList(termList(v))); err != nil {
				return err
			}
			jj.count("tags as a string → a list", d.src, fmLine("tags"))
		}
	}
	return nil
}

// termList is Jekyll's reading of categories or tags: a string is split
// on white space, a list's items made strings.
func termList(v any) []string {
	switch x := v.(type) {
	case string:
		return strings.Fields(x)
	case []any:
		var out []string
		for _, e := range x {
			if e != nil {
				out = append(out, fmt.Sprint(e))
			}
		}
		return out
	case nil:
		return nil
	}
	return []string{fmt.Sprint(v)}
}

func allStrings(v any) bool {
	list, _ := v.([]any)
	for _, e := range list {
		if _, ok := e.(string); !ok {
			return false
		}
	}
	return true
}

func anyList(s []string) []any {
	out := make([]any, len(s))
	for i, e := range s {
		out[i] = e
	}
	return out
}

func stringList(v any) []any {
	switch x := v.(type) {
	case string:
		return []any{x}
	case []any:
		return x
	}
	return []any{fmt.Sprint(v)}
}

// firstHeading is a Markdown page's first "# Heading", the title GitHub
// Pages gives a page without one.
func firstHeading(body []byte) string {
	for _, l := range strings.Split(string(body), "\n") {
		if t, ok := strings.CutPrefix(strings.TrimSpace(l), "# "); ok {
			return strings.TrimSpace(strings.TrimRight(t, "#"))
		}
	}
	return ""
}

// placeURL keeps every page at the URL Jekyll gave it: a permalink becomes
// url; a page whose URL the posts' permalinks or Agora's defaults would
// not give gets it in url; and a page at a URL Agora writes a list at (the
// home page, /posts/, /tags/ …) becomes that list's _index.md.
func (jj *jekyllJob) placeURL(d *jdoc, fm *yamlDoc, date time.Time, fmLine func(string) int) error {
	if d.kind == kindDraft {
		fm.remove("permalink")
		return nil
	}
	base := strings.TrimSuffix(path.Base(d.src), path.Ext(d.src))
	jd := jekyllDoc{date: date, slug: d.slug, html: true, basename: base}
	if s, ok := fm.get("slug").(string); ok && s != "" {
		jd.slug = s
	}
	if dir := path.Dir(d.src); dir != "." {
		jd.dir = dir
	}
	if cats, ok := fm.get("categories").([]any); ok {
		for _, c := range cats {
			jd.categories = append(jd.categories, fmt.Sprint(c))
		}
	}
	var want, agora string
	explicit := false
	if p, ok := fm.get("permalink").(string); ok && p != "" {
		want, explicit = p, true
		if strings.Contains(p, ":") {
			want = jekyllURL(p, jd)
		}
	}
	rel := strings.TrimPrefix(d.out, "content/")
	switch d.kind {
	case kindPost:
		pattern := expandStyle(jj.js.permalink)
		if want == "" {
			want = jekyllURL(pattern, jd)
		}
		if _, ok := hugoPermalink(pattern); ok {
			noCats := jd
			noCats.categories = nil
			agora = jekyllURL(pattern, noCats)
		}
	case kindDoc:
		c := jj.js.collections[d.coll]
		if !c.output {
			fm.remove("permalink")
			return nil
		}
		jd.collection = d.coll
		jd.path = strings.TrimSuffix(strings.TrimPrefix(d.src, path.Join(jj.js.collDir, "_"+d.coll)+"/"), path.Ext(d.src))
		if want == "" {
			want = jekyllURL(collectionTemplate(c.permalink), jd)
		}
		agora = agoraURL(rel)
	default:
		index := base == "index" || (d.parts.Format == "" && strings.EqualFold(base, "README"))
		if want == "" {
			want = jekyllURL(pageTemplate(jj.js.permalink, index), jd)
		}
		agora = agoraURL(rel)
	}
	if explicit {
		fm.remove("permalink")
	}
	if list := jj.listPage(want); list != "" && list != d.out && d.kind == kindPage {
		if jj.byOut[list] == nil {
			delete(jj.byOut, d.out)
			jj.convert(d.src, fmLine("permalink"), "→ %s: its URL %s is where Agora writes that list", list, want)
			d.out = list
			jj.byOut[list] = d
			return nil
		}
	}
	if want == agora {
		if explicit {
			jj.count("permalink → the same URL without it", d.src, fmLine("permalink"))
		}
		return nil
	}
	if err := fm.set("url", want); err != nil {
		return err
	}
	if explicit {
		jj.count("permalink → url", d.src, fmLine("permalink"))
	} else {
		jj.count("a URL Agora would not give the page → url, so links to it keep working", d.src, 0)
	}
	return nil
}

// listPage is the _index.md of the list Agora writes at url, if any.
func (jj *jekyllJob) listPage(url string) string {
	u := strings.Trim(url, "/")
	switch {
	case u == "" || u == "index.html":
		return "content/_index.md"
	case u == "posts" || u == "tags" || u == "categories" || jj.js.collections[u] != nil:
		return "content/" + u + "/_index.md"
	}
	// A page of its own at a term's URL, such as /tags/go/, gives the
	// term page its title and text.
	if tax, term, ok := strings.Cut(u, "/"); ok && (tax == "tags" || tax == "categories") && !strings.Contains(term, "/") && !strings.Contains(term, ".") {
		return "content/" + tax + "/" + term + "/_index.md"
	}
	return ""
}

// defaults turns _config.yml's front-matter defaults into cascades on the
// matching sections' _index.md.
func (jj *jekyllJob) defaults() {
	for _, df := range jj.js.defaults {
		values := map[string]any{}
		for k, v := range df.values {
			switch k {
			case "layout":
			case "excerpt":
				values["summary"] = v
			case "permalink":
				jj.lose(jj.js.file, df.line, "defaults: permalink %v: set [permalinks] in site.toml for that section instead", v)
			default:
				values[k] = v
			}
		}
		if len(values) == 0 {
			continue
		}
		target := ""
		switch {
		case strings.ContainsAny(df.path, "*?["):
		case df.typ == "posts" && (df.path == "" || df.path == "_posts"):
			target = "content/posts/_index.md"
		case df.typ != "" && df.typ != "pages" && df.typ != "posts" && jj.js.collections[df.typ] != nil:
			target = "content/" + df.typ + "/_index.md"
		case df.typ == "" && df.path == "":
			target = "content/_index.md"
		case df.typ == "" && df.path == "_posts":
			target = "content/posts/_index.md"
		case df.typ == "" && strings.HasPrefix(df.path, "_") && jj.js.collections[strings.TrimPrefix(df.path, "_")] != nil:
			target = "content/" + strings.TrimPrefix(df.path, "_") + "/_index.md"
		case df.typ == "" && !strings.HasPrefix(df.path, "_"):
			target = "content/" + df.path + "/_index.md"
		}
		if target == "" {
			jj.lose(jj.js.file, df.line, "defaults for %s: Agora's cascade cannot select those pages; set %s in their front matter", describeScope(df), strings.Join(sortedKeys(values), ", "))
			continue
		}
		c := jj.cascade[target]
		if c == nil {
			c = map[string]any{}
			jj.cascade[target] = c
			jj.cascadeOrder = append(jj.cascadeOrder, target)
		}
		for k, v := range values {
			c[k] = v
		}
		jj.convert(jj.js.file, df.line, "defaults for %s → cascade in %s", describeScope(df), target)
	}
	for name, c := range jj.js.collections {
		if c.output {
			continue
		}
		target := "content/" + name + "/_index.md"
		cc := jj.cascade[target]
		if cc == nil {
			cc = map[string]any{}
			jj.cascade[target] = cc
			jj.cascadeOrder = append(jj.cascadeOrder, target)
		}
		cc["build"] = map[string]any{"render": "never", "list": "never"}
		jj.convert("_"+name+"/", 0, "a collection Jekyll does not write (output: false) → content/%s/ with build render = \"never\"", name)
	}
	sort.Strings(jj.cascadeOrder)
}

func describeScope(df jekyllDefault) string {
	switch {
	case df.typ != "" && df.path != "":
		return fmt.Sprintf("type %q in %q", df.typ, df.path)
	case df.typ != "":
		return fmt.Sprintf("type %q", df.typ)
	case df.path != "":
		return fmt.Sprintf("path %q", df.path)
	}
	return "every page"
}

// applyCascades puts each cascade in its _index.md: the page that is
// there, or a new one.
func (jj *jekyllJob) applyCascades() error {
	for _, target := range jj.cascadeOrder {
		c := jj.cascade[target]
		if d := jj.byOut[target]; d != nil && d.fm != nil {
			if err := d.fm.set("cascade", c); err != nil {
				return err
			}
			continue
		}
		fm := &yamlDoc{want: map[string]any{}}
		fm.orig = &yamlDoc{}
		dir := path.Base(path.Dir(target))
		if dir != "content" {
			if err := fm.set("title", titleize(dir)); err != nil {
				return err
			}
		}
		if build, ok := c["build"]; ok {
			if err := fm.set("build", build); err != nil {
				return err
			}
		}
		if err := fm.set("cascade", c); err != nil {
			return err
		}
		d := &jdoc{src: target, out: target, kind: kindPage, fm: fm, generated: true}
		jj.byOut[target] = d
		jj.docs = append(jj.docs, d)
	}
	return nil
}

// write converts a page's body and writes it with its front matter.
func (jj *jekyllJob) writeDoc(d *jdoc) error {
	if d.out == "" {
		return nil
	}
	body := string(d.parts.Body)
	if !d.generated {
		body = jj.convertBody(d, body)
	}
	fmText, err := d.fm.bytes()
	if err != nil {
		return err
	}
	for range maxKeyRenames {
		data := assemble(fmText, body)
		key, line, err := jj.check(d, data)
		if err == nil {
			return jj.write(d.out, data)
		}
		if key == "" {
			jj.lose(d.src, line, "Agora cannot read it: %v", err)
			return jj.write(d.out, data)
		}
		// A key Agora gives a meaning the page did not mean (an "event"
		// of its own, an "author" table): keep it under another name.
		jj.lose(d.src, line, "front matter %s; kept as jekyll_%s (in .Params)", err, key)
		d.fm.rename(key, "jekyll_"+key)
		if fmText, err = d.fm.bytes(); err != nil {
			return err
		}
	}
	return fmt.Errorf("%s: front matter Agora cannot read", d.src)
}

// assemble writes front matter and body as a page. The fences are written
// even around nothing, so that a body starting with "{" is never read as
// JSON front matter.
func assemble(fm []byte, body string) []byte {
	var b bytes.Buffer
	b.WriteString("---\n")
	b.Write(fm)
	b.WriteString("---\n")
	b.WriteString(body)
	return b.Bytes()
}

// check reads the page as the build will. On an error in front matter it
// returns the top-level key at the error's line.
func (jj *jekyllJob) check(d *jdoc, data []byte) (key string, line int, err error) {
	rel := strings.TrimPrefix(d.out, "content/")
	_, err = content.Parse(d.out, rel, data, jj.contentOpts)
	if err == nil {
		return "", 0, nil
	}
	var e *diag.Error
	if !errors.As(err, &e) || e.Line < 2 {
		return "", 0, err
	}
	lines := strings.Split(string(data), "\n")
	for i := e.Line - 1; i >= 1 && i < len(lines); i-- {
		if lines[i] == "---" {
			break
		}
		if k, ok := keyAt(lines[i]); ok {
			return k, d.parts.FMLine + d.fm.line(k) - 1, e.Err
		}
	}
	return "", 0, err
}

// contentOptions are the new site's options for reading content, from the
// settings it will have.
func contentOptions(settings map[string]any) (content.Options, error) {
	var b bytes.Buffer
	if err := tomlEncode(&b, settings); err != nil {
		return content.Options{}, err
	}
	cfg, err := config.Parse(config.FileName, b.Bytes())
	if err != nil {
		return content.Options{}, fmt.Errorf("the new site.toml: %w", err)
	}
	return content.OptionsFor(cfg), nil
}

// convertBody converts the Liquid, the kramdown syntax Agora lacks and
// GitHub Pages' relative links of a page's body.
func (jj *jekyllJob) convertBody(d *jdoc, body string) string {
	lq := &liquid{file: d.src, line: d.parts.BodyLine, html: d.html, site: jj.js, page: d.fm.want,
		resolve: jj.resolve, include: jj.include}
	body = lq.convert(body)
	if d.html && lq.template > 0 {
		// An HTML page built by Liquid loops (a home page listing posts,
		// an archive) is a template, not text: written as it is, it would
		// show its code. Agora's theme lists the posts itself.
		jj.lose(d.src, lq.template, "the page's HTML is a Liquid template (%d Liquid tags left): its body is left out; Agora's theme lists the pages itself", len(lq.lost))
		return ""
	}
	for _, what := range sortedLines(lq.converted) {
		jj.count(what.Msg, d.src, what.Line)
	}
	jj.r.Lost = append(jj.r.Lost, lq.lost...)
	if d.html {
		sc, err := jj.rawHTML()
		if err == nil {
			jj.count("an HTML page → Markdown whose body is kept as HTML in {{< "+sc+" >}}", d.src, 0)
			return wrapRawHTML(body, sc)
		}
	}
	body = jj.kramdown(d, body)
	body = jj.relativeLinks(d, body)
	if d.kind == kindPost && jj.js.excerptSep != "" && jj.js.excerptSep != "<!--more-->" {
		body = strings.Replace(body, jj.js.excerptSep, "<!--more-->", 1)
	}
	if line := rawHTMLLine(body); line > 0 {
		jj.anyHTML = append(jj.anyHTML, Note{d.src, d.parts.BodyLine + line - 1, ""})
	}
	return body
}

func sortedLines(m map[string]int) []Note {
	var out []Note
	for what, line := range m {
		out = append(out, Note{Line: line, Msg: what})
	}
	sort.Slice(out, func(a, b int) bool {
		return out[a].Line < out[b].Line || out[a].Line == out[b].Line && out[a].Msg < out[b].Msg
	})
	return out
}

var (
	fenceLine = regexp.MustCompile("^\\s{0,3}(```|~~~)")
	// kramdown's attribute lists, on a line of their own or after a
	// span: {: .class}, {:#id}, {:target="_blank"}; and {::options /}.
	ialLine   = regexp.MustCompile(`^\s*\{:{1,2}[^}]*\}\s*$`)
	ialInline = regexp.MustCompile(`\{:[^}\n]*\}`)
	tocMarker = regexp.MustCompile(`^\s*[*-]\s+TOC\s*$`)
	htmlTag   = regexp.MustCompile(`</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>`)
	codeSpan  = regexp.MustCompile("`+[^`]*`+")
)

// kramdown removes kramdown's own syntax, which Agora's Markdown would
// print as text, and reports it: attribute lists, {:toc}, comments.
func (jj *jekyllJob) kramdown(d *jdoc, body string) string {
	lines := strings.Split(body, "\n")
	out := lines[:0]
	inFence := false
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		line := d.parts.BodyLine + i
		if fenceLine.MatchString(l) {
			inFence = !inFence
		}
		if inFence {
			out = append(out, l)
			continue
		}
		switch {
		case strings.TrimSpace(l) == "{:toc}" && len(out) > 0 && tocMarker.MatchString(out[len(out)-1]):
			out = out[:len(out)-1]
			jj.lose(d.src, line-1, "kramdown's table of contents (* TOC {:toc}) is left out; Agora's theme can show .TableOfContents")
		case ialLine.MatchString(l):
			jj.lose(d.src, line, "kramdown attribute list %s left out: Agora's Markdown has none", strings.TrimSpace(l))
		case ialInline.MatchString(l) && !strings.Contains(codeSpan.ReplaceAllString(l, ""), "{{"):
			stripped := codeSpan.ReplaceAllStringFunc(l, func(s string) string { return strings.Repeat("\x00", len(s)) })
			locs := ialInline.FindAllStringIndex(stripped, -1)
			if len(locs) == 0 {
				out = append(out, l)
				continue
			}
			var b strings.Builder
			prev := 0
			for _, loc := range locs {
				b.WriteString(l[prev:loc[0]])
				prev = loc[1]
			}
			b.WriteString(l[prev:])
			jj.lose(d.src, line, "kramdown attribute list %s left out: Agora's Markdown has none", l[locs[0][0]:locs[0][1]])
			out = append(out, b.String())
		default:
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// rawHTMLLine is the first line (1-based) of a Markdown body holding a
// raw HTML tag outside code, 0 when there is none.
func rawHTMLLine(body string) int {
	inFence := false
	for i, l := range strings.Split(body, "\n") {
		if fenceLine.MatchString(l) {
			inFence = !inFence
			continue
		}
		if inFence || strings.HasPrefix(l, "    ") || strings.HasPrefix(l, "\t") {
			continue
		}
		l = codeSpan.ReplaceAllString(l, "")
		l = shortcodeCall.ReplaceAllString(l, "")
		if htmlTag.MatchString(l) {
			return i + 1
		}
	}
	return 0
}

var shortcodeCall = regexp.MustCompile(`\{\{[<%].*?[>%]\}\}`)

// mdLink matches a Markdown link to a Markdown file of the site:
// [text](other.md) or (../dir/page.md#part).
var mdLink = regexp.MustCompile(`\]\(([^()\s:]+\.(?:md|markdown))(#[^()\s]*)?\)`)

// relativeLinks turns links to the site's Markdown files into relref
// shortcodes, as GitHub Pages' jekyll-relative-links turns them into
// links to the pages.
func (jj *jekyllJob) relativeLinks(d *jdoc, body string) string {
	return mdLink.ReplaceAllStringFunc(body, func(m string) string {
		sub := mdLink.FindStringSubmatch(m)
		target := sub[1]
		if !strings.HasPrefix(target, "/") {
			target = path.Join(path.Dir(d.src), target)
		}
		target = strings.TrimPrefix(path.Clean(target), "/")
		for _, o := range jj.docs {
			if o.src == target && o.out != "" {
				jj.count("a link to a Markdown file → {{< relref >}} to its page, as GitHub Pages links it", d.src, 0)
				return `]({{< relref "` + o.ref() + sub[2] + `" >}})`
			}
		}
		return m
	})
}

// resolve finds the page or file a {% link %} or {% post_url %} names.
func (jj *jekyllJob) resolve(tag, target string) (string, bool, bool) {
	target = strings.TrimPrefix(strings.Trim(target, `"'`), "/")
	if tag == "post_url" {
		dir, name := path.Split(target)
		for _, d := range jj.docs {
			if d.kind != kindPost || d.out == "" {
				continue
			}
			stem := strings.TrimSuffix(path.Base(d.src), path.Ext(d.src))
			if (stem == name || path.Base(d.src) == name) && (dir == "" || strings.Contains(d.src, "/"+strings.TrimSuffix(dir, "/")+"/") || strings.HasPrefix(d.src, dir)) {
				return d.ref(), false, true
			}
		}
		return "", false, false
	}
	for _, d := range jj.docs {
		if d.src == target && d.out != "" {
			return d.ref(), false, true
		}
	}
	if slices.Contains(jj.static, target) {
		return "/" + target, true, true
	}
	return "", false, false
}

// includeArg matches one argument of {% include %}: key="value",
// key='value' or key=variable.
var includeArg = regexp.MustCompile(`^([\w-]+)=(?:"([^"]*)"|'([^']*)'|(\S+))$`)

// includeValue is Liquid's output of an include parameter.
var includeValue = regexp.MustCompile(`\{\{-?\s*include\.([\w-]+)\s*-?\}\}`)

// include turns {% include NAME args %} into a call of a shortcode made
// from _includes/NAME, when that file is plain HTML whose only Liquid is
// {{ include.param }} (which becomes {{ .Get "param" }}).
func (jj *jekyllJob) include(name string, args []string, line int) (string, string) {
	if strings.ContainsAny(name, "{}") {
		return "", "the file is chosen by a Liquid variable"
	}
	file := "_includes/" + strings.TrimPrefix(path.Clean(name), "/")
	sc, err := jj.includeShortcode(file)
	if err != "" {
		return "", err
	}
	call := "{{< " + sc
	joined := strings.Join(args, " ")
	for _, a := range splitArgs(joined) {
		m := includeArg.FindStringSubmatch(a)
		if m == nil || m[4] != "" {
			return "", fmt.Sprintf("it passes %s, a Liquid value", a)
		}
		call += " " + m[1] + "=" + strconv.Quote(m[2]+m[3])
	}
	return call + " >}}", ""
}

// splitArgs splits include arguments on spaces outside quotes.
func splitArgs(s string) []string {
	var out []string
	var cur strings.Builder
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			cur.WriteByte(c)
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
			cur.WriteByte(c)
		case c == ' ' || c == '\t' || c == '\n':
			if cur.Len() > 0 {
				out = append(out, cur.String())
				cur.Reset()
			}
		default:
			cur.WriteByte(c)
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// includeShortcode writes the shortcode for an include file once and
// returns its name, or why it cannot.
func (jj *jekyllJob) includeShortcode(file string) (string, string) {
	if sc, ok := jj.shorts[file]; ok {
		return sc, jj.whyNot[file]
	}
	sc, why := jj.makeIncludeShortcode(file)
	jj.shorts[file], jj.whyNot[file] = sc, why
	return sc, why
}

func (jj *jekyllJob) makeIncludeShortcode(file string) (string, string) {
	data, err := readLimited(jj.src, file, content.MaxPageBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return "", "there is no " + file
	}
	if err != nil {
		return "", err.Error()
	}
	text := includeValue.ReplaceAllString(string(data), `{{ .Get "$1" }}`)
	if strings.Contains(strings.ReplaceAll(text, `{{ .Get "`, ""), "{{") || strings.Contains(text, "{%") {
		return "", file + " is a Liquid template, which Agora does not run"
	}
	stem := strings.TrimSuffix(strings.TrimPrefix(file, "_includes/"), path.Ext(file))
	name := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_', r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, stem)
	for i := 2; jj.written["layouts/shortcodes/"+name+".html"]; i++ {
		name = fmt.Sprintf("%s-%d", name, i)
	}
	if err := jj.write("layouts/shortcodes/"+name+".html", []byte(text)); err != nil {
		return "", err.Error()
	}
	jj.convert(file, 0, "→ layouts/shortcodes/%s.html: plain HTML, its {{ include.x }} as {{ .Get \"x\" }}", name)
	return name, ""
}
