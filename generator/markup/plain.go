package markup

import (
	stdhtml "html"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Plainify returns the text of html: tags and comments removed, character
// references decoded, white space left exactly as it was. It makes a single
// pass, as it runs over every page of a build.
func Plainify(html string) string {
	var b plainBuilder
	b.Grow(len(html))
	scanText(html, &b)
	return b.String()
}

// textSink receives the text of an HTML document in order: runs of source
// text, and decoded character references one rune at a time.
type textSink interface {
	text(s string)
	char(r rune)
	// full reports that the sink has all it needs: scanning stops.
	full() bool
}

type plainBuilder struct{ strings.Builder }

func (b *plainBuilder) text(s string) { b.WriteString(s) }
func (b *plainBuilder) char(r rune)   { b.WriteRune(r) }
func (b *plainBuilder) full() bool    { return false }

// scanText feeds the text of html to sink and reports whether html holds
// a start tag. A '<' that can't begin a tag is text, as in a browser.
func scanText(html string, sink textSink) (startTag bool) {
	start := 0 // beginning of the text not yet handed to sink
	// The next '<' and '&' at or after i, found with IndexByte, which is
	// vectorised, and looked for again only once passed; -1 when there
	// are no more.
	lt, amp := nextByte(html, 0, '<'), nextByte(html, 0, '&')
	for i := 0; ; {
		if lt >= 0 && lt < i {
			lt = nextByte(html, i, '<')
		}
		if amp >= 0 && amp < i {
			amp = nextByte(html, i, '&')
		}
		switch {
		case lt >= 0 && (amp < 0 || lt < amp):
			i = lt
			end, isStart := tagEnd(html, i)
			if end < 0 {
				i++
				continue
			}
			if start < i {
				sink.text(html[start:i])
			}
			startTag = startTag || isStart
			i, start = end, end
			if sink.full() {
				return startTag
			}
		case amp >= 0:
			i = amp
			n := decodeRef(html[i:], sink, html[start:i])
			if n == 0 {
				i++
				continue
			}
			i += n
			start = i
			if sink.full() {
				return startTag
			}
		default:
			if start < len(html) {
				sink.text(html[start:])
			}
			return startTag
		}
	}
}

// nextByte is strings.IndexByte from i, as an index into s.
func nextByte(s string, i int, c byte) int {
	if i >= len(s) {
		return -1
	}
	j := strings.IndexByte(s[i:], c)
	if j < 0 {
		return -1
	}
	return i + j
}

// tagEnd returns the index just past the tag, comment or declaration that
// starts at html[i] == '<', or -1 if none starts there. An unterminated tag
// runs to the end, which is also how a browser reads it.
func tagEnd(html string, i int) (end int, isStart bool) {
	if i+1 >= len(html) {
		return -1, false
	}
	c := html[i+1]
	switch {
	case strings.HasPrefix(html[i+1:], "!--"):
		if j := strings.Index(html[i+4:], "-->"); j >= 0 {
			return i + 4 + j + 3, false
		}
		return len(html), false
	case isASCIILetter(c):
		isStart = true
	case c == '/' || c == '!' || c == '?':
	default:
		return -1, false
	}
	// Quoted attribute values may hold '>'.
	var quote byte
	afterEq := false
	for j := i + 2; j < len(html); j++ {
		c := html[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '>':
			return j + 1, isStart
		case c == '=':
			afterEq = true
		case (c == '"' || c == '\'') && afterEq:
			quote, afterEq = c, false
		case c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f':
			afterEq = false
		}
	}
	return len(html), isStart
}

// decodeRef decodes the character reference at the start of s (s[0] is
// '&') and returns its length, or 0 if there is none. Before writing the
// decoded text it flushes pending, the source text that precedes it.
func decodeRef(s string, sink textSink, pending string) int {
	if len(s) < 3 {
		return 0
	}
	if s[1] == '#' {
		r, n := numericRef(s)
		if n == 0 {
			return 0
		}
		if pending != "" {
			sink.text(pending)
		}
		sink.char(r)
		return n
	}
	j := 1
	for j < len(s) && j <= maxRefName && isASCIIAlnum(s[j]) {
		j++
	}
	if j == 1 || j > maxRefName {
		return 0
	}
	n := j
	if j < len(s) && s[j] == ';' {
		n++
	}
	if r := commonRef(s[1:j]); r != 0 && n > j {
		if pending != "" {
			sink.text(pending)
		}
		sink.char(r)
		return n
	}
	// Rare names, and names without ';', get the full HTML5 table and its
	// rules for legacy references.
	dec := stdhtml.UnescapeString(s[:n])
	if dec == s[:n] {
		return 0
	}
	if pending != "" {
		sink.text(pending)
	}
	sink.text(dec)
	return n
}

// maxRefName bounds the scan for a reference name; the longest HTML5 name
// has 31 characters.
const maxRefName = 40

// numericRef decodes "&#123;" or "&#x7b;" (the ';' is optional, as in
// browsers) following the HTML5 rules for invalid code points, and returns
// the rune and the reference's length, 0 if s doesn't start with one.
func numericRef(s string) (rune, int) {
	i, hex := 2, false
	if i < len(s) && (s[i] == 'x' || s[i] == 'X') {
		i, hex = 3, true
	}
	digits := i
	var v rune
	for ; i < len(s); i++ {
		c := s[i]
		var d rune
		switch {
		case '0' <= c && c <= '9':
			d = rune(c - '0')
		case hex && 'a' <= c && c <= 'f':
			d = rune(c-'a') + 10
		case hex && 'A' <= c && c <= 'F':
			d = rune(c-'A') + 10
		default:
			goto done
		}
		if v <= unicode.MaxRune {
			if hex {
				v = v*16 + d
			} else {
				v = v*10 + d
			}
		}
	}
done:
	if i == digits {
		return 0, 0
	}
	n := i
	if i < len(s) && s[i] == ';' {
		n++
	}
	switch {
	case 0x80 <= v && v <= 0x9f:
		// Windows-1252 remapping; let the standard library apply it.
		r, _ := utf8.DecodeRuneInString(stdhtml.UnescapeString(s[:n]))
		return r, n
	case v == 0 || v > unicode.MaxRune || (0xd800 <= v && v <= 0xdfff):
		return utf8.RuneError, n
	}
	return v, n
}

// commonRef decodes the named references the renderer writes itself
// (smart punctuation and escapes) without going through the standard
// library's map and its allocation.
func commonRef(name string) rune {
	switch name {
	case "amp":
		return '&'
	case "lt":
		return '<'
	case "gt":
		return '>'
	case "quot":
		return '"'
	case "apos":
		return '\''
	case "nbsp":
		return '\u00a0'
	case "lsquo":
		return '‘'
	case "rsquo":
		return '’'
	case "ldquo":
		return '“'
	case "rdquo":
		return '”'
	case "laquo":
		return '«'
	case "raquo":
		return '»'
	case "ndash":
		return '–'
	case "mdash":
		return '—'
	case "hellip":
		return '…'
	case "frasl":
		return '⁄'
	}
	return 0
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isASCIIAlnum(c byte) bool { return isASCIILetter(c) || '0' <= c && c <= '9' }

// isASCIISpace is true for the ASCII characters unicode.IsSpace accepts:
// ' ' and '\t' through '\r'.
func isASCIISpace(c byte) bool { return c == ' ' || c-'\t' <= '\r'-'\t' }

// wordStats counts words as strings.Fields splits them, across however many
// pieces the text arrives in, and keeps the first limit words, joined by
// single spaces, for an automatic summary.
type wordStats struct {
	count   int
	inWord  bool
	seen    bool // a non-space character was seen
	limit   int
	summary []byte
}

func (w *wordStats) text(s string) {
	i := 0
	for ; i < len(s) && w.count <= w.limit; i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			if w.step(isASCIISpace(c)) {
				w.summary = append(w.summary, c)
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if w.step(unicode.IsSpace(r)) {
			w.summary = append(w.summary, s[i:i+n]...)
		}
		i += n - 1
	}
	if i < len(s) {
		w.count1(s[i:])
	}
}

// count1 is text once the summary is complete: it only counts, which is
// most of the work on a long page, so it keeps its state in locals.
func (w *wordStats) count1(s string) {
	count, inWord, seen := w.count, w.inWord, w.seen
	for i := 0; i < len(s); i++ {
		c := s[i]
		var space bool
		if c < utf8.RuneSelf {
			space = isASCIISpace(c)
		} else {
			r, n := utf8.DecodeRuneInString(s[i:])
			space = unicode.IsSpace(r)
			i += n - 1
		}
		if !space && !inWord {
			count++
		}
		inWord = !space
		seen = seen || inWord
	}
	w.count, w.inWord, w.seen = count, inWord, seen
}

// full is true once a summary-limited count has gone past the summary:
// whether there is more is then known, and the rest is not read.
func (w *wordStats) full() bool { return w.limit > 0 && w.count > w.limit }

// anyText records whether an HTML fragment holds any text.
type anyText struct{ seen bool }

func (a *anyText) text(s string) {
	a.seen = a.seen || strings.TrimFunc(s, unicode.IsSpace) != ""
}
func (a *anyText) char(r rune) { a.seen = a.seen || !unicode.IsSpace(r) }
func (a *anyText) full() bool  { return a.seen }

// WordCount counts the words of html's text, as strings.Fields would
// split Plainify(html).
func WordCount(html string) int {
	var w wordStats
	scanText(html, &w)
	return w.count
}

func (w *wordStats) char(r rune) {
	if w.step(unicode.IsSpace(r)) {
		w.summary = utf8.AppendRune(w.summary, r)
	}
}

// step counts one character and reports whether it belongs in the summary.
func (w *wordStats) step(space bool) bool {
	if space {
		w.inWord = false
		return false
	}
	w.seen = true
	if !w.inWord {
		w.inWord = true
		w.count++
		if w.count > 1 && w.count <= w.limit {
			w.summary = append(w.summary, ' ')
		}
	}
	return w.count <= w.limit
}
