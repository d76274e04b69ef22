// Package mailtext writes the plain-text part of a message as people read
// it in a terminal or a text-only client: lines wrapped at Width columns,
// headings, list items and paragraphs on lines of their own, and every
// URL whole on a line of its own, since a URL broken across lines no
// longer opens.
package mailtext

import (
	"strconv"
	"strings"

	"golang.org/x/net/html"

	"github.com/agora-hub/agora/internal/dispwidth"
)

// Width is where lines are wrapped: inside the 72–78 columns that mail
// readers and RFC 5322's advice (78) expect, leaving room for a "> " quote.
const Width = 76

// Wrap wraps each paragraph of s (lines separated by a line break) at
// width display columns, breaking only at spaces. A word longer than the
// width, such as a URL, stands alone on its line, unbroken, and a URL
// always gets a line of its own. Indentation of a line is kept on the
// lines it wraps to.
func Wrap(s string, width int) string {
	var b strings.Builder
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		wrapLine(&b, line, width)
	}
	return b.String()
}

func wrapLine(b *strings.Builder, line string, width int) {
	trimmed := strings.TrimLeft(line, " ")
	indent := line[:len(line)-len(trimmed)]
	words := strings.Fields(trimmed)
	if len(words) == 0 {
		return
	}
	// A list marker ("- ", "1. ") indents the lines that follow it.
	hang := indent
	if len(words) > 1 && isMarker(words[0]) {
		hang = indent + strings.Repeat(" ", dispwidth.String(words[0])+1)
	}
	col := 0
	start := true
	for i, w := range words {
		ww := dispwidth.String(w)
		url := IsURL(w)
		prefix := indent
		if i > 0 {
			prefix = hang
		}
		switch {
		case start:
			b.WriteString(prefix)
			col = dispwidth.String(prefix)
		case url || col+1+ww > width:
			b.WriteByte('\n')
			b.WriteString(hang)
			col = dispwidth.String(hang)
		default:
			b.WriteByte(' ')
			col++
		}
		b.WriteString(w)
		col += ww
		start = false
		if url && i < len(words)-1 {
			b.WriteByte('\n')
			start = true
		}
	}
}

func isMarker(w string) bool {
	if w == "-" || w == "*" || w == "•" {
		return true
	}
	n, ok := strings.CutSuffix(w, ".")
	if !ok {
		return false
	}
	_, err := strconv.Atoi(n)
	return err == nil
}

// IsURL reports whether a word is a link to follow.
func IsURL(w string) bool {
	w = strings.TrimLeft(w, "<(")
	for _, p := range []string{"https://", "http://", "mailto:"} {
		if len(w) > len(p) && strings.EqualFold(w[:len(p)], p) {
			return true
		}
	}
	return false
}

// FromHTML turns a fragment of HTML (a summary, a welcome mail's body)
// into wrapped text: paragraphs and headings are blocks separated by an
// empty line, list items lines starting "- " or "1. ", pre-formatted text
// kept as it is. A link's URL follows its text on a line of its own,
// unless the text is the URL. Images become their alt text in brackets.
func FromHTML(fragment string, width int) string {
	c := &converter{width: width}
	z := html.NewTokenizer(strings.NewReader(fragment))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			c.flush()
			return strings.TrimRight(strings.Join(c.blocks, "\n\n"), "\n ")
		case html.TextToken:
			c.text(string(z.Text()))
		case html.StartTagToken, html.SelfClosingTagToken:
			name, hasAttr := z.TagName()
			attrs := map[string]string{}
			for hasAttr {
				var k, v []byte
				k, v, hasAttr = z.TagAttr()
				attrs[string(k)] = string(v)
			}
			c.start(string(name), attrs, tt == html.SelfClosingTagToken)
		case html.EndTagToken:
			name, _ := z.TagName()
			c.end(string(name))
		}
	}
}

type list struct {
	ordered bool
	n       int
}

type converter struct {
	width  int
	blocks []string
	cur    strings.Builder // the block being written, unwrapped
	lists  []list
	pre    int
	skip   int // inside <script>, <style>, <head>
	hrefs  []string
	anchor strings.Builder // the text of the link being read
	inLink bool
	quote  int
	// lastWasItem: the last block is a list item, which the next item
	// joins as a line rather than a block after an empty line.
	lastWasItem bool
}

func (c *converter) text(s string) {
	if c.skip > 0 {
		return
	}
	if c.pre == 0 {
		lead := s != "" && isSpace(s[0])
		trail := s != "" && isSpace(s[len(s)-1])
		s = strings.Join(strings.Fields(s), " ")
		if lead || s == "" && trail {
			s = " " + s
		}
		if trail && s != " " {
			s += " "
		}
	}
	if c.inLink {
		c.anchor.WriteString(s)
	}
	c.cur.WriteString(s)
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// flush ends the current block: wrapped (or as it is, for <pre>), with the
// list's marker and indentation.
func (c *converter) flush() {
	raw := c.cur.String()
	c.cur.Reset()
	if c.pre > 0 {
		if strings.TrimSpace(raw) != "" {
			c.blocks = append(c.blocks, strings.Trim(raw, "\n"))
		}
		return
	}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return
	}
	indent := ""
	if c.quote > 0 {
		indent = strings.Repeat("> ", c.quote)
	}
	if len(c.lists) > 0 {
		l := &c.lists[len(c.lists)-1]
		indent += strings.Repeat("  ", len(c.lists)-1)
		marker := "- "
		if l.ordered {
			marker = strconv.Itoa(l.n) + ". "
		}
		if !strings.HasPrefix(raw, marker) {
			raw = marker + raw
		}
	}
	block := Wrap(indent+raw, c.width)
	// Items of one list are lines of one block, not blocks of their own.
	if len(c.lists) > 0 && len(c.blocks) > 0 && c.lastWasItem {
		c.blocks[len(c.blocks)-1] += "\n" + block
	} else {
		c.blocks = append(c.blocks, block)
	}
	c.lastWasItem = len(c.lists) > 0
}

func (c *converter) start(name string, attrs map[string]string, selfClosing bool) {
	switch name {
	case "script", "style", "head", "title":
		if !selfClosing {
			c.skip++
		}
	case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "figure", "figcaption", "dl", "dt", "dd", "section", "article":
		c.flush()
		c.lastWasItem = false
	case "blockquote":
		c.flush()
		c.quote++
	case "ul", "ol":
		c.flush()
		c.lists = append(c.lists, list{ordered: name == "ol"})
	case "li":
		c.flush()
		if len(c.lists) == 0 {
			c.lists = append(c.lists, list{})
		}
		c.lists[len(c.lists)-1].n++
		l := c.lists[len(c.lists)-1]
		if l.ordered {
			c.cur.WriteString(strconv.Itoa(l.n) + ". ")
		} else {
			c.cur.WriteString("- ")
		}
	case "pre":
		c.flush()
		c.pre++
	case "br":
		if c.pre > 0 {
			c.cur.WriteByte('\n')
		} else {
			c.flush()
		}
	case "hr":
		c.flush()
		c.blocks = append(c.blocks, strings.Repeat("-", 20))
	case "td", "th":
		c.cur.WriteByte(' ')
	case "img":
		if alt := strings.TrimSpace(attrs["alt"]); alt != "" {
			c.text(" [" + alt + "] ")
		}
	case "a":
		c.inLink = true
		c.anchor.Reset()
		c.hrefs = append(c.hrefs, attrs["href"])
	}
}

func (c *converter) end(name string) {
	switch name {
	case "script", "style", "head", "title":
		if c.skip > 0 {
			c.skip--
		}
	case "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "figure", "figcaption", "dl", "dt", "dd", "section", "article", "li":
		c.flush()
	case "blockquote":
		c.flush()
		if c.quote > 0 {
			c.quote--
		}
	case "ul", "ol":
		c.flush()
		if len(c.lists) > 0 {
			c.lists = c.lists[:len(c.lists)-1]
		}
		if len(c.lists) == 0 {
			c.lastWasItem = false
		}
	case "pre":
		c.flush()
		if c.pre > 0 {
			c.pre--
		}
	case "a":
		if !c.inLink || len(c.hrefs) == 0 {
			return
		}
		c.inLink = false
		href := c.hrefs[len(c.hrefs)-1]
		c.hrefs = c.hrefs[:len(c.hrefs)-1]
		text := strings.TrimSpace(c.anchor.String())
		if IsURL(href) && text != href && strings.TrimPrefix(text, "mailto:") != strings.TrimPrefix(href, "mailto:") {
			// Wrap puts it on a line of its own.
			c.cur.WriteString(" " + href + " ")
		}
	}
}

// voidElements have no end tag.
var voidElements = map[string]bool{"br": true, "hr": true, "img": true, "input": true, "meta": true, "link": true, "wbr": true, "source": true, "col": true, "area": true, "base": true, "embed": true, "track": true}

// CutHTML keeps the first words words of an HTML fragment, cutting at the
// end of a word, closing the elements still open there, and ending the cut
// text with "…", so that a summary never stops mid-sentence without a
// mark. It reports whether anything was cut; an uncut fragment is
// returned as it is.
func CutHTML(fragment string, words int) (string, bool) {
	z := html.NewTokenizer(strings.NewReader(fragment))
	var out strings.Builder
	var open []string
	count := 0
	for {
		tt := z.Next()
		raw := string(z.Raw())
		switch tt {
		case html.ErrorToken:
			return fragment, false
		case html.StartTagToken:
			name, _ := z.TagName()
			if !voidElements[string(name)] {
				open = append(open, string(name))
			}
			out.WriteString(raw)
		case html.EndTagToken:
			name, _ := z.TagName()
			for i := len(open) - 1; i >= 0; i-- {
				if open[i] == string(name) {
					open = open[:i]
					break
				}
			}
			out.WriteString(raw)
		case html.TextToken:
			// Raw text is still escaped; words are counted on it, and cut
			// only at white space, so no character reference is split.
			i, done := wordsEnd(raw, words-count)
			if !done {
				count += countWords(raw)
				out.WriteString(raw)
				continue
			}
			out.WriteString(strings.TrimRight(raw[:i], " \t\r\n,;:–—-"))
			// Anything after the cut but white space and end tags?
			rest := raw[i:]
			more := strings.TrimSpace(rest) != ""
			if !more {
				more = hasTextAfter(z)
			}
			if !more {
				return fragment, false
			}
			out.WriteString("…")
			for j := len(open) - 1; j >= 0; j-- {
				out.WriteString("</" + open[j] + ">")
			}
			return out.String(), true
		default:
			out.WriteString(raw)
		}
	}
}

// hasTextAfter reports whether the tokenizer has any text left, or an
// image, after the current token.
func hasTextAfter(z *html.Tokenizer) bool {
	for {
		switch z.Next() {
		case html.ErrorToken:
			return false
		case html.TextToken:
			if strings.TrimSpace(string(z.Text())) != "" {
				return true
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			if name, _ := z.TagName(); string(name) == "img" {
				return true
			}
		}
	}
}

func countWords(s string) int { return len(strings.Fields(s)) }

// wordsEnd returns the byte offset in s just after its n-th word, and
// whether s has that many.
func wordsEnd(s string, n int) (int, bool) {
	if n <= 0 {
		return 0, true
	}
	inWord := false
	seen := 0
	for i, r := range s {
		space := r == ' ' || r == '\n' || r == '\t' || r == '\r'
		switch {
		case !space && !inWord:
			inWord = true
		case space && inWord:
			inWord = false
			seen++
			if seen == n {
				return i, true
			}
		}
	}
	if inWord && seen+1 == n {
		return len(s), true
	}
	return 0, false
}
