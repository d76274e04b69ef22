// Package markup turns Markdown page content into HTML with
// github.com/gomarkdown/markdown, and derives from that HTML what the page
// templates need besides it: a summary, a word count and a table of contents.
//
// Everything a document can inject is constrained here, in one place: raw
// HTML is dropped unless the site opts in (and defanged when it does), and
// link and image destinations with script-capable schemes are never written.
//
// The summary marker <!--more--> is recognised in safe and unsafe mode alike,
// on a line of its own or inside a paragraph, and is never written to the
// Content: the cut is recorded while rendering, not searched for afterwards,
// so a marker shown in a code sample can't be mistaken for one. Only the
// first marker cuts. Markers in footnotes or image alt text, or that share an
// HTML block with other markup, are not markers; the latter are ordinary raw
// HTML comments.
package markup

import (
	"bytes"
	stdhtml "html"
	"io"
	"net/url"
	"strings"

	"github.com/gomarkdown/markdown/ast"
	mdhtml "github.com/gomarkdown/markdown/html"
	"github.com/gomarkdown/markdown/parser"
)

// extensions is close to what Hugo users expect from Goldmark. MathJax (part
// of parser.CommonExtensions) is left out because it turns prices such as
// "$5 and $10" into math spans.
const extensions = parser.NoIntraEmphasis | parser.Tables | parser.FencedCode |
	parser.Autolink | parser.Strikethrough | parser.SpaceHeadings |
	parser.HeadingIDs | parser.AutoHeadingIDs | parser.Footnotes |
	parser.DefinitionLists | parser.BackslashLineBreak |
	parser.OrderedListStart | parser.NoEmptyLineBeforeBlock

// htmlFlags leaves out SmartypantsFractions, which would rewrite "1/2" in
// prose and in version numbers into <sup>/<sub> markup.
const htmlFlags = mdhtml.Smartypants | mdhtml.SmartypantsDashes |
	mdhtml.SmartypantsLatexDashes | mdhtml.FootnoteReturnLinks

// footnoteReturn is the back-link Goldmark (and so Hugo) uses; the text
// variation selector stops phones from drawing it as an emoji.
const footnoteReturn = "&#8617;&#xfe0e;"

// moreMarker separates a page's hand-written summary from the rest.
const moreMarker = "<!--more-->"

// summaryWords is the length of an automatic summary, Hugo's default
// summaryLength.
const summaryWords = 70

// Options configures a Renderer.
type Options struct {
	// Unsafe passes raw HTML in the Markdown through (site.toml [markup]
	// unsafe). When false, raw HTML is dropped.
	Unsafe bool
	// BasePath is the path the site is served under, "/" or for example
	// "/hub/" for a GitHub Pages project site. Root-relative link and image
	// destinations are prefixed with it.
	BasePath string
	// SummaryLength is the length of an automatic summary in words
	// (Hugo's summaryLength); 0 means Hugo's default, 70.
	SummaryLength int
	// Code highlights fenced code blocks; nil leaves them plain.
	Code CodeHighlighter
}

// CodeHighlighter writes a fenced code block: info is the text after the
// fence ("go {linenos=table}"), ordinal the block's index in the document.
type CodeHighlighter interface {
	CodeBlock(b *strings.Builder, code, info string, ordinal int) error
}

// Renderer renders Markdown to HTML. It holds only configuration, so one
// Renderer serves any number of goroutines.
type Renderer struct {
	unsafe bool
	code   CodeHighlighter
	flags  mdhtml.Flags
	// basePrefix is BasePath without its trailing slash, "" for a site at
	// the root, so that prefixing is a plain concatenation.
	basePrefix   string
	summaryWords int
	sizer        ImageSizer // see WithImageSizer
}

// New returns a Renderer for o.
func New(o Options) *Renderer {
	flags := htmlFlags
	if !o.Unsafe {
		// The hook drops raw HTML before the renderer sees it; the flag
		// also keeps the renderer from writing any attribute that could
		// run script, should a future extension let documents set them.
		flags |= mdhtml.SkipHTML
	}
	words := o.SummaryLength
	if words <= 0 {
		words = summaryWords
	}
	return &Renderer{unsafe: o.Unsafe, code: o.Code, flags: flags, basePrefix: basePrefix(o.BasePath), summaryWords: words}
}

// basePrefix normalises a configured base path to "/hub" form. A full URL
// is accepted too, since baseURL-like values tend to end up here.
func basePrefix(p string) string {
	p = strings.TrimSpace(p)
	if strings.Contains(p, "://") {
		if u, err := url.Parse(p); err == nil {
			p = u.Path
		}
	}
	p = strings.Trim(p, "/")
	if p == "" {
		return ""
	}
	return "/" + p
}

// Result is a rendered page.
type Result struct {
	// Content is the full HTML. A <!--more--> marker is never part of it.
	Content string
	// Summary is the HTML before the <!--more--> marker, with the elements
	// still open at the marker closed; without a marker it is the first 70
	// words of the plain text, HTML-escaped.
	Summary string
	// HasMore reports that the document had a <!--more--> marker.
	HasMore bool
	// Truncated reports that Summary leaves out part of Content.
	Truncated bool
	// TOC lists the h2 and h3 headings in Hugo's markup, or is "" when there
	// are none.
	TOC string
	// Err is the first code block that could not be highlighted (bad
	// attributes); the block is written plain.
	Err error
}

// Render renders a Markdown document.
func (r *Renderer) Render(src []byte) Result { return r.RenderWith(src, nil) }

// RenderWith renders a Markdown document and passes the HTML through
// post, which replaces shortcode placeholders, before the summary and
// word counts are taken from it. post sees the parts before and after a
// <!--more--> marker separately, so the cut stays where it was.
func (r *Renderer) RenderWith(src []byte, post func(string) string) Result {
	st := r.render(src, true)
	content := st.buf.String()
	toc := buildTOC(st.toc)
	if post != nil {
		if st.moreAt >= 0 {
			before, after := post(content[:st.moreAt]), post(content[st.moreAt:])
			content, st.moreAt = before+after, len(before)
		} else {
			content = post(content)
		}
		toc = post(toc)
	}
	res := Result{Content: content, TOC: toc, Err: st.codeErr}

	if st.moreAt >= 0 {
		res.HasMore = true
		res.Summary = strings.TrimRight(content[:st.moreAt], " \t\n") + st.moreClose
		// Only whether anything follows the marker matters here.
		var rest anyText
		startTag := scanText(content[st.moreAt:], &rest)
		res.Truncated = rest.seen || startTag
		return res
	}

	// The scan stops one word past the summary: a page's word count is
	// worked out only if a template asks for it (WordCount).
	ws := wordStats{limit: r.summaryWords}
	scanText(content, &ws)
	res.Summary = stdhtml.EscapeString(string(ws.summary))
	res.Truncated = ws.count > r.summaryWords
	return res
}

// RenderInline renders a short Markdown string, such as a front-matter
// field passed to the markdownify template function. A lone paragraph is
// unwrapped so the result can sit inside other inline markup.
func (r *Renderer) RenderInline(src string) string {
	st := r.render([]byte(src), false)
	return unwrapParagraph(st.buf.String())
}

// RenderBlock renders a Markdown fragment, such as a shortcode's inner
// content, without a summary or table of contents.
func (r *Renderer) RenderBlock(src string) string {
	return r.render([]byte(src), false).buf.String()
}

// Link returns a link or image destination as the Markdown renderer
// writes it (root-relative ones under the base path), and false for one
// that could run script.
func (r *Renderer) Link(dest string, image bool) (string, bool) {
	if !destAllowed([]byte(dest), image) {
		return "", false
	}
	return string(r.withBase([]byte(dest))), true
}

// unwrapParagraph strips the <p>…</p> around s when s is exactly one
// paragraph.
func unwrapParagraph(s string) string {
	inner, ok := strings.CutPrefix(strings.TrimRight(s, "\n"), "<p>")
	if !ok {
		return s
	}
	inner, ok = strings.CutSuffix(inner, "</p>")
	if !ok || strings.Contains(inner, "<p>") || strings.Contains(inner, "</p>") {
		return s
	}
	return inner
}

// renderState is what one Render call learns while the HTML renderer walks
// the document. It lives for a single call, which keeps Renderer immutable.
type renderState struct {
	r    *Renderer
	meta bool // collect the table of contents
	// buf is a strings.Builder, not a bytes.Buffer, so that the finished
	// HTML becomes the Result without a copy: one copy of every page's
	// HTML was 6% of a large build's allocation.
	buf strings.Builder

	// moreAt is the length of buf when the first <!--more--> marker was
	// met, -1 without one; moreClose closes the elements open there.
	moreAt    int
	moreClose string

	headingStart int // length of buf when the current heading began
	toc          []tocEntry

	codeBlocks int // fenced blocks so far, which name their line anchors
	codeErr    error
}

func (r *Renderer) render(src []byte, meta bool) *renderState {
	// gomarkdown's parser keeps per-document state, so every call needs
	// its own parser and HTML renderer.
	doc := parser.NewWithExtensions(extensions).Parse(src)
	st := &renderState{r: r, meta: meta, moreAt: -1}
	// HTML is typically 1.2–1.5 times its Markdown source.
	st.buf.Grow(len(src) + len(src)/2)
	hr := mdhtml.NewRenderer(mdhtml.RendererOptions{
		Flags:                      r.flags,
		FootnoteReturnLinkContents: footnoteReturn,
		RenderNodeHook:             st.hook,
	})
	// Walking the tree here rather than through markdown.Render lets the
	// hook measure positions in the very buffer being written.
	hr.RenderHeader(&st.buf, doc)
	ast.WalkFunc(doc, func(n ast.Node, entering bool) ast.WalkStatus {
		return hr.RenderNode(&st.buf, n, entering)
	})
	hr.RenderFooter(&st.buf, doc)
	return st
}

// hook is the RenderNodeHook. It returns true when it has rendered node
// itself, or decided it renders as nothing.
func (st *renderState) hook(w io.Writer, node ast.Node, entering bool) (ast.WalkStatus, bool) {
	switch n := node.(type) {
	case *ast.CodeBlock:
		if !(n.IsFenced && st.r.code != nil && st.highlightBlock(n)) {
			st.codeBlock(w, n)
		}
		return ast.GoToNext, true
	case *ast.Table:
		st.table(w, n, entering)
		return ast.GoToNext, true
	case *ast.TableCell:
		st.tableCell(w, n, entering)
		return ast.GoToNext, true
	case *ast.Link:
		return ast.GoToNext, st.link(n, entering)
	case *ast.Image:
		return ast.GoToNext, st.image(n, entering)
	case *ast.HTMLBlock:
		return ast.GoToNext, st.rawHTML(n, n.Literal, &n.Literal)
	case *ast.HTMLSpan:
		if insideImage(n) {
			// The renderer writes alt text inside an attribute, where
			// raw HTML means nothing, and a <!--more--> there can't
			// cut the page in a sensible place.
			return ast.GoToNext, true
		}
		return ast.GoToNext, st.rawHTML(n, n.Literal, &n.Literal)
	case *ast.Paragraph:
		// A marker alone on its line after an indent parses as a
		// paragraph holding just the marker; rendering that as an empty
		// <p></p> would leave a gap in the page.
		if isMarkerParagraph(n) {
			if entering {
				st.markMore(n)
			}
			return ast.SkipChildren, true
		}
	case *ast.Heading:
		if st.meta && n.Level >= tocMinLevel && n.Level <= tocMaxLevel {
			st.heading(n, entering)
		}
	}
	return ast.GoToNext, false
}

// highlightBlock highlights a fenced block. On a bad attribute it records
// the error and reports false, so that the block is written plain.
func (st *renderState) highlightBlock(n *ast.CodeBlock) bool {
	ordinal := st.codeBlocks
	st.codeBlocks++
	var b strings.Builder
	if err := st.r.code.CodeBlock(&b, string(n.Literal), string(n.Info), ordinal); err != nil {
		if st.codeErr == nil {
			st.codeErr = err
		}
		return false
	}
	st.buf.WriteString(b.String())
	return true
}

// link drops the <a> of a link whose destination could run script, leaving
// its text, and gives root-relative destinations the site's base path.
func (st *renderState) link(n *ast.Link, entering bool) bool {
	if n.NoteID != 0 {
		// A footnote reference: the renderer builds a same-page
		// fragment from a slug of the label.
		return false
	}
	if !destAllowed(n.Destination, false) {
		return true
	}
	if entering {
		n.Destination = st.r.withBase(n.Destination)
	}
	return false
}

// image is link for images, which may also be inline raster data.
func (st *renderState) image(n *ast.Image, entering bool) bool {
	if !destAllowed(n.Destination, true) {
		return true
	}
	if entering {
		st.imageSize(n)
		n.Destination = st.r.withBase(n.Destination)
	}
	return false
}

// rawHTML handles an HTML block or span: markers split the summary, other
// raw HTML is dropped in safe mode and defanged in unsafe mode. The literal
// is rewritten in place so the renderer keeps its own line spacing.
func (st *renderState) rawHTML(n ast.Node, lit []byte, dst *[]byte) bool {
	if isMarker(lit) {
		st.markMore(n)
		return true
	}
	if !st.r.unsafe {
		return true
	}
	*dst = sanitizeRawHTML(lit)
	return false
}

// heading records an h2 or h3 for the table of contents. Its text is taken
// from the rendered HTML so it carries the same smart punctuation as the
// page.
func (st *renderState) heading(n *ast.Heading, entering bool) {
	if entering {
		st.headingStart = st.buf.Len()
		return
	}
	if n.HeadingID == "" {
		return
	}
	// The renderer has written the opening tag (whose attribute values
	// are escaped, so hold no '>') and the heading's content by now.
	inner := st.buf.String()[st.headingStart:]
	if i := strings.IndexByte(inner, '>'); i >= 0 {
		inner = inner[i+1:]
	}
	st.toc = append(st.toc, tocEntry{
		level: n.Level,
		id:    n.HeadingID,
		text:  strings.TrimSpace(Plainify(inner)),
	})
}

// markMore records where the first <!--more--> marker fell. Markers in
// footnotes are ignored: footnotes render at the end of the page, so the cut
// would come after all of the content.
func (st *renderState) markMore(n ast.Node) {
	if st.moreAt >= 0 {
		return
	}
	for p := n.GetParent(); p != nil; p = p.GetParent() {
		switch p := p.(type) {
		case *ast.Footnotes:
			return
		case *ast.List:
			if p.IsFootnotesList {
				return
			}
		case *ast.ListItem:
			if p.RefLink != nil {
				return
			}
		}
	}
	st.moreAt = st.buf.Len()
	st.moreClose = closingTags(n)
}

// closingTags returns the end tags of the elements the renderer has opened
// around n, innermost first, so a summary cut at n is well-formed HTML.
func closingTags(n ast.Node) string {
	var b strings.Builder
	for p := n.GetParent(); p != nil; p = p.GetParent() {
		switch p := p.(type) {
		case *ast.Paragraph:
			if !mdhtml.SkipParagraphTags(p) {
				b.WriteString("</p>")
			}
		case *ast.Heading:
			b.WriteString(mdhtml.HeadingCloseTagFromLevel(p.Level))
		case *ast.Emph:
			b.WriteString("</em>")
		case *ast.Strong:
			b.WriteString("</strong>")
		case *ast.Del:
			b.WriteString("</del>")
		case *ast.Link:
			if p.NoteID == 0 && destAllowed(p.Destination, false) {
				b.WriteString("</a>")
			}
		case *ast.BlockQuote:
			b.WriteString("</blockquote>")
		case *ast.Aside:
			b.WriteString("</aside>")
		case *ast.ListItem:
			switch {
			case p.ListFlags&ast.ListTypeTerm != 0:
				b.WriteString("</dt>")
			case p.ListFlags&ast.ListTypeDefinition != 0:
				b.WriteString("</dd>")
			default:
				b.WriteString("</li>")
			}
		case *ast.List:
			switch {
			case p.ListFlags&ast.ListTypeDefinition != 0:
				b.WriteString("</dl>")
			case p.ListFlags&ast.ListTypeOrdered != 0:
				b.WriteString("</ol>")
			default:
				b.WriteString("</ul>")
			}
		case *ast.TableCell:
			if p.IsHeader && !emptyCell(p) {
				b.WriteString("</th>")
			} else {
				b.WriteString("</td>")
			}
		case *ast.TableRow:
			b.WriteString("</tr>")
		case *ast.TableHeader:
			b.WriteString("</thead>")
		case *ast.TableBody:
			b.WriteString("</tbody>")
		case *ast.TableFooter:
			b.WriteString("</tfoot>")
		case *ast.Table:
			b.WriteString("</table></div>")
		case *ast.Caption:
			b.WriteString("</figcaption>")
		case *ast.CaptionFigure:
			b.WriteString("</figure>")
		}
	}
	return b.String()
}

// isMarker reports whether raw HTML is a <!--more--> marker, allowing the
// white space the parser leaves around an HTML block.
func isMarker(lit []byte) bool {
	return string(bytes.TrimSpace(lit)) == moreMarker
}

// isMarkerParagraph reports whether p holds only a marker and white space.
func isMarkerParagraph(p *ast.Paragraph) bool {
	children := p.Children
	if len(children) == 0 || len(children) > 3 {
		return false
	}
	markers := 0
	for _, c := range children {
		switch c := c.(type) {
		case *ast.Text:
			if len(bytes.TrimSpace(c.Literal)) != 0 {
				return false
			}
		case *ast.HTMLSpan:
			if !isMarker(c.Literal) {
				return false
			}
			markers++
		default:
			return false
		}
	}
	return markers == 1
}

func insideImage(n ast.Node) bool {
	for p := n.GetParent(); p != nil; p = p.GetParent() {
		if _, ok := p.(*ast.Image); ok {
			return true
		}
	}
	return false
}
