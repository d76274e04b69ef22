package markup

import (
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gomarkdown/markdown/ast"
	mdhtml "github.com/gomarkdown/markdown/html"
)

// Blocks that may be wider than the page scroll sideways on their own, and
// what scrolls must be reachable by keyboard (WCAG 2.1.1; axe-core's
// scrollable-region-focusable). Plain code blocks get tabindex="0" on the
// <pre>, as Hugo writes them; tables get a focusable wrapper that is a named
// region, so that a screen reader says what the focus landed on. The table
// itself keeps display: table, since some screen readers stop announcing a
// table whose display is changed.

// tableLabelRunes bounds a table's region name: the header cells are a
// good name, a whole paragraph of them is not.
const tableLabelRunes = 80

// codeBlock writes a code block as <pre tabindex="0"><code>.
func (st *renderState) codeBlock(w io.Writer, n *ast.CodeBlock) {
	st.newline()
	io.WriteString(w, `<pre tabindex="0"><code`)
	if lang, _, _ := strings.Cut(strings.TrimSpace(string(n.Info)), " "); lang != "" {
		io.WriteString(w, ` class="language-`)
		mdhtml.EscapeHTML(w, []byte(lang))
		io.WriteString(w, `"`)
	}
	io.WriteString(w, ">")
	mdhtml.EscapeHTML(w, n.Literal)
	io.WriteString(w, "</code></pre>")
	if !mdhtml.IsListItem(n.Parent) {
		st.newline()
	}
}

// newline is the renderer's CR, which starts a new line after any output:
// blocks are separated by a blank line.
func (st *renderState) newline() {
	if st.buf.Len() > 0 {
		st.buf.WriteByte('\n')
	}
}

// table wraps a table in its scrolling region.
func (st *renderState) table(w io.Writer, n *ast.Table, entering bool) {
	if !entering {
		io.WriteString(w, "</table>\n</div>\n")
		return
	}
	st.newline()
	io.WriteString(w, `<div class="table-scroll" tabindex="0" role="region" aria-label="`)
	mdhtml.EscapeHTML(w, []byte(tableLabel(n)))
	io.WriteString(w, "\">\n<table>")
}

// tableLabel names a table after its header cells: "Table: Format, Events".
func tableLabel(n *ast.Table) string {
	var cells []string
	ast.WalkFunc(n, func(node ast.Node, entering bool) ast.WalkStatus {
		switch c := node.(type) {
		case *ast.TableBody, *ast.TableFooter:
			return ast.SkipChildren
		case *ast.TableCell:
			if entering {
				if s := strings.Join(strings.Fields(plainText(c)), " "); s != "" {
					cells = append(cells, s)
				}
			}
			return ast.SkipChildren
		}
		return ast.GoToNext
	})
	label := "Table"
	if len(cells) > 0 {
		label += ": " + strings.Join(cells, ", ")
	}
	if utf8.RuneCountInString(label) > tableLabelRunes {
		cut := string([]rune(label)[:tableLabelRunes-1])
		if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
			cut = cut[:i] // at a word's end
		}
		label = strings.TrimRight(cut, " ,") + "…"
	}
	return label
}

// plainText is the text of n's inline content, without markup.
func plainText(n ast.Node) string {
	var b strings.Builder
	ast.WalkFunc(n, func(node ast.Node, entering bool) ast.WalkStatus {
		if !entering {
			return ast.GoToNext
		}
		switch c := node.(type) {
		case *ast.Text:
			b.Write(c.Literal)
		case *ast.Code:
			b.Write(c.Literal)
		case *ast.HTMLSpan:
			return ast.SkipChildren
		}
		return ast.GoToNext
	})
	return b.String()
}

// tableCell writes a cell's tags. Alignment is a style, as Goldmark (and so
// Hugo) writes it in HTML5, since the align attribute is obsolete; an empty
// header cell (the corner above a column of row names) is a <td>, since a
// header that names nothing is an error for assistive technology.
func (st *renderState) tableCell(w io.Writer, n *ast.TableCell, entering bool) {
	tag := "td"
	if n.IsHeader && !emptyCell(n) {
		tag = "th"
	}
	if !entering {
		io.WriteString(w, "</"+tag+">\n")
		return
	}
	if ast.GetPrevNode(n) == nil {
		st.newline()
	}
	io.WriteString(w, "<"+tag)
	if tag == "th" {
		// Each header names its column; said outright, since a table
		// with an empty corner is no longer simple to a screen reader.
		io.WriteString(w, ` scope="col"`)
	}
	if a := n.Align.String(); a != "" {
		io.WriteString(w, ` style="text-align:`+a+`"`)
	}
	if n.ColSpan > 0 {
		io.WriteString(w, ` colspan="`+strconv.Itoa(n.ColSpan)+`"`)
	}
	io.WriteString(w, ">")
}

func emptyCell(n *ast.TableCell) bool {
	if len(n.Children) == 0 {
		return true
	}
	for _, c := range n.Children {
		t, ok := c.(*ast.Text)
		if !ok || strings.TrimSpace(string(t.Literal)) != "" {
			return false
		}
	}
	return true
}

// ImageSizer tells the intrinsic size of an image from its destination as
// written in the page ("chart.svg", "/images/x.png"), ok false when it
// cannot: another site's image, a missing file, a format it does not read.
type ImageSizer func(dest string) (width, height int, ok bool)

// WithImageSizer returns a Renderer that gives images whose size sizer
// knows width and height attributes, so the page does not shift as they
// load. The size is per page, since destinations are relative to it.
func (r *Renderer) WithImageSizer(sizer ImageSizer) *Renderer {
	c := *r
	c.sizer = sizer
	return &c
}

// imageSize sets width and height on an image whose size the sizer knows,
// unless the document set either.
func (st *renderState) imageSize(n *ast.Image) {
	if st.r.sizer == nil {
		return
	}
	if a := n.Attribute; a != nil && (a.Attrs["width"] != nil || a.Attrs["height"] != nil) {
		return
	}
	w, h, ok := st.r.sizer(string(n.Destination))
	if !ok || w <= 0 || h <= 0 {
		return
	}
	if n.Attribute == nil {
		n.Attribute = &ast.Attribute{}
	}
	if n.Attribute.Attrs == nil {
		n.Attribute.Attrs = map[string][]byte{}
	}
	n.Attribute.Attrs["width"] = []byte(strconv.Itoa(w))
	n.Attribute.Attrs["height"] = []byte(strconv.Itoa(h))
}
