// Package shortcode renders a page body's shortcodes with Hugo's
// semantics, in two named steps around the Markdown renderer:
//
//	expand      every call is rendered; a {{< >}} call's HTML is set
//	            aside and a placeholder (letters and digits, which
//	            Markdown, smart quotes and highlighters leave alone) takes
//	            its place; a {{% %}} call's output is Markdown and goes
//	            into the text itself
//	substitute  after Markdown, each placeholder is replaced by its HTML
//	            (a placeholder alone in a paragraph takes the <p> with it)
//
// so the Markdown renderer never sees a call's arguments, and typographic
// quotes can't be produced inside one.
//
// Templates come from the site's layouts/_shortcodes/ and
// layouts/shortcodes/, then the theme's, then the built-ins (builtin.go).
// An unknown shortcode is an error at its file:line:col, never raw text.
package shortcode

import (
	"bytes"
	"errors"
	"html/template"
	"strconv"
	"strings"
	"sync"
	"text/template/parse"

	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/generator/highlight"
	"github.com/agora-hub/agora/generator/markup"
	"github.com/agora-hub/agora/generator/shortcode/lex"
)

// Templates finds the site's and theme's shortcode templates.
type Templates interface {
	// Shortcode returns the template for name, or nil.
	Shortcode(name string) *template.Template
}

// Options configure a Renderer.
type Options struct {
	Markdown  *markup.Renderer
	Templates Templates // nil: built-ins only
	Highlight *highlight.Highlighter
}

// Renderer renders page bodies. Safe for concurrent use.
type Renderer struct {
	md       *markup.Renderer
	tpls     Templates
	hl       *highlight.Highlighter
	builtins *template.Template
	inner    sync.Map // *template.Template → bool: reads .Inner
}

// New returns a Renderer.
func New(o Options) *Renderer {
	r := &Renderer{md: o.Markdown, tpls: o.Templates, hl: o.Highlight}
	if r.hl == nil {
		r.hl = highlight.New(highlight.Defaults())
	}
	r.builtins = builtins(r)
	return r
}

// Doc is what the shortcodes of one page see of it.
type Doc struct {
	File string // the content file, for errors: "content/tips/x.md"
	Line int    // the file line the body starts on
	Page any    // .Page
	Site any    // .Site
	// Param is the page's Param (page, then site), for the param
	// shortcode.
	Param func(key string) any
	// Ref finds a page by reference for ref (abs) and relref.
	Ref func(ref string, abs bool) (string, error)
	// Resource returns the URL of a file of the page's bundle, for figure.
	Resource func(name string) (string, bool)
	// Markdown is the page's own renderer (it knows the page's image
	// sizes); nil means the Renderer's.
	Markdown *markup.Renderer

	body []byte
}

// position turns a byte offset of the body into the file's line and
// column; columns count bytes from 1, as Hugo's do.
func (d *Doc) position(pos int) Position {
	before := d.body[:min(pos, len(d.body))]
	line := bytes.Count(before, []byte{'\n'})
	col := pos - (bytes.LastIndexByte(before, '\n') + 1) + 1
	start := d.Line
	if start < 1 {
		start = 1
	}
	return Position{Filename: d.File, LineNumber: start + line, ColumnNumber: col, Offset: pos}
}

func (d *Doc) errorAt(pos int, err error) error {
	p := d.position(pos)
	return &diag.Error{File: d.File, Line: p.LineNumber, Col: p.ColumnNumber, Err: err}
}

// Render renders body: shortcodes, then Markdown, then the shortcodes'
// HTML in place of their placeholders.
func (r *Renderer) Render(doc *Doc, body []byte) (markup.Result, error) {
	md := r.md
	if doc.Markdown != nil {
		md = doc.Markdown
	}
	if !bytes.Contains(body, []byte("{{")) {
		return md.Render(body), nil
	}
	doc.body = body
	toks, err := lex.Lex(body)
	if err != nil {
		var le *lex.Error
		if errors.As(err, &le) {
			return markup.Result{}, doc.errorAt(le.Pos, err)
		}
		return markup.Result{}, err
	}
	nodes, err := parseCalls(toks, r.takesInner)
	if err != nil {
		var pe *posError
		if errors.As(err, &pe) {
			return markup.Result{}, doc.errorAt(pe.pos, pe.err)
		}
		return markup.Result{}, err
	}
	e := &expansion{r: r, doc: doc, prefix: placeholderPrefix(body)}
	src, err := e.expand(nodes)
	if err != nil {
		return markup.Result{}, err
	}
	if len(e.html) == 0 {
		return md.Render(src), nil
	}
	return md.RenderWith(src, e.substitute), nil
}

// takesInner looks name up and tells whether its template reads .Inner.
func (r *Renderer) takesInner(name string) (bool, bool) {
	t := r.lookup(name)
	if t == nil {
		return false, false
	}
	if v, ok := r.inner.Load(t); ok {
		return v.(bool), true
	}
	// A site's template is read whole, with the templates it defines; the
	// built-ins share one set, so each is read alone.
	subs := []*template.Template{t}
	if r.builtins.Lookup(name) != t {
		subs = t.Templates()
	}
	uses := false
	for _, sub := range subs {
		if sub.Tree != nil && readsInner(sub.Tree.Root) {
			uses = true
			break
		}
	}
	r.inner.Store(t, uses)
	return uses, true
}

// lookup is Hugo's order: the site's and theme's templates (the Templates
// value knows their precedence), then the built-ins.
func (r *Renderer) lookup(name string) *template.Template {
	if r.tpls != nil {
		if t := r.tpls.Shortcode(name); t != nil {
			return t
		}
	}
	return r.builtins.Lookup(name)
}

// readsInner reports whether a template tree mentions .Inner or
// .InnerDeindent, which is how Hugo decides that a shortcode is paired.
func readsInner(n parse.Node) bool {
	isInner := func(idents []string) bool {
		for _, id := range idents {
			if id == "Inner" || id == "InnerDeindent" {
				return true
			}
		}
		return false
	}
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return false
		}
		for _, c := range n.Nodes {
			if readsInner(c) {
				return true
			}
		}
	case *parse.ActionNode:
		return readsInner(n.Pipe)
	case *parse.PipeNode:
		if n == nil {
			return false
		}
		for _, c := range n.Cmds {
			if readsInner(c) {
				return true
			}
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			if readsInner(a) {
				return true
			}
		}
	case *parse.FieldNode:
		return isInner(n.Ident)
	case *parse.VariableNode:
		return isInner(n.Ident)
	case *parse.ChainNode:
		return isInner(n.Field) || readsInner(n.Node)
	case *parse.IfNode:
		return readsInner(n.Pipe) || readsInner(n.List) || readsInner(n.ElseList)
	case *parse.RangeNode:
		return readsInner(n.Pipe) || readsInner(n.List) || readsInner(n.ElseList)
	case *parse.WithNode:
		return readsInner(n.Pipe) || readsInner(n.List) || readsInner(n.ElseList)
	case *parse.TemplateNode:
		return readsInner(n.Pipe)
	}
	return false
}

// placeholderPrefix picks a placeholder prefix that the body does not
// already contain, so that no text of the page is mistaken for one.
func placeholderPrefix(body []byte) string {
	p := "AGORASC"
	for bytes.Contains(body, []byte(p)) {
		p += "Q"
	}
	return p
}

// expansion is one page's expand step and the HTML it set aside.
type expansion struct {
	r      *Renderer
	doc    *Doc
	prefix string
	html   []string
}

// expand renders the calls of the page's top level and returns the
// Markdown to render.
func (e *expansion) expand(nodes []node) ([]byte, error) {
	var b bytes.Buffer
	b.Grow(len(e.doc.body) + len(e.doc.body)/8)
	for _, n := range nodes {
		if n.call == nil {
			b.WriteString(n.text)
			continue
		}
		out, err := e.render(n.call, 0, nil)
		if err != nil {
			return nil, err
		}
		if n.call.markup {
			b.WriteString(out)
			continue
		}
		b.WriteString(e.prefix)
		b.WriteString(strconv.Itoa(len(e.html)))
		b.WriteByte('Z')
		e.html = append(e.html, out)
	}
	return b.Bytes(), nil
}

// render renders one call, its nested calls first.
func (e *expansion) render(c *call, level int, parent *Context) (string, error) {
	ctx := &Context{
		Name: c.name, Params: c.params, Ordinal: c.ordinal, Page: e.doc.Page, Parent: parent,
		doc: e.doc, r: e.r, pos: c.pos, indent: c.indent,
	}
	_, ctx.IsNamedParams = c.params.(map[string]any)
	if c.inline {
		// Inline shortcodes (templates written in content) are off, as
		// in Hugo by default: they render nothing.
		return "", nil
	}
	if c.inner != nil {
		var inner strings.Builder
		for _, n := range c.inner {
			if n.call == nil {
				inner.WriteString(n.text)
				continue
			}
			out, err := e.render(n.call, level+1, ctx)
			if err != nil {
				return "", err
			}
			inner.WriteString(out)
		}
		s := inner.String()
		if c.markup && level > 0 {
			// A nested {{% %}} gets its inner content as HTML; one line
			// loses the paragraph around it, as in Hugo.
			html := e.r.md.RenderBlock(s)
			if !strings.Contains(s, "\n") {
				if in, ok := strings.CutPrefix(html, "<p>"); ok {
					if in, ok := strings.CutSuffix(in, "</p>\n"); ok {
						html = in
					}
				}
			}
			s = html
		}
		ctx.Inner = template.HTML(s)
	}
	t := e.r.lookup(c.name)
	if t == nil {
		return "", e.doc.errorAt(c.pos, errors.New("unknown shortcode "+strconv.Quote(c.name)))
	}
	var out strings.Builder
	if err := t.Execute(&out, ctx); err != nil {
		return "", e.doc.errorAt(c.pos, execError(c.name, err))
	}
	s := out.String()
	if c.inner == nil && c.indent != "" && strings.Contains(s, "\n") {
		lines := strings.SplitAfter(s, "\n")
		for i := 1; i < len(lines); i++ {
			if lines[i] != "" {
				lines[i] = c.indent + lines[i]
			}
		}
		s = strings.Join(lines, "")
	}
	return s, nil
}

// execError names the shortcode and drops html/template's prefix.
func execError(name string, err error) error {
	msg := err.Error()
	for _, p := range []string{"html/template:", "template: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	if i := strings.LastIndex(msg, "template: "); i > 0 {
		msg = msg[i+len("template: "):]
	}
	return &shortcodeError{msg: "shortcode " + strconv.Quote(name) + ": " + msg, err: err}
}

type shortcodeError struct {
	msg string
	err error
}

func (e *shortcodeError) Error() string { return e.msg }
func (e *shortcodeError) Unwrap() error { return e.err }

// substitute puts the calls' HTML in place of their placeholders. A
// placeholder that is a whole paragraph takes the <p> and </p> with it,
// since the HTML is usually a block of its own (Hugo's rule).
func (e *expansion) substitute(html string) string {
	if !strings.Contains(html, e.prefix) {
		return html
	}
	var b strings.Builder
	b.Grow(len(html) + len(html)/4)
	for {
		i := strings.Index(html, e.prefix)
		if i < 0 {
			b.WriteString(html)
			return b.String()
		}
		j := i + len(e.prefix)
		k := j
		for k < len(html) && html[k] >= '0' && html[k] <= '9' {
			k++
		}
		n, err := strconv.Atoi(html[j:k])
		if err != nil || k >= len(html) || html[k] != 'Z' || n >= len(e.html) {
			b.WriteString(html[:j])
			html = html[j:]
			continue
		}
		end := k + 1
		start := i
		if strings.HasSuffix(html[:i], "<p>") && strings.HasPrefix(html[end:], "</p>") {
			start, end = i-3, end+4
		}
		b.WriteString(html[:start])
		b.WriteString(e.html[n])
		html = html[end:]
	}
}
