package markup

import (
	"bytes"
	stdhtml "html"
	"net/url"
	"strings"

	nethtml "golang.org/x/net/html"
)

// text is what URL checks accept: link destinations arrive as []byte from
// the parser and as strings elsewhere, and the common case must not copy.
type text interface{ ~string | ~[]byte }

// destAllowed reports whether a Markdown link (or, with image set, image)
// destination may be written. It is an allow-list: a destination with any
// scheme other than http, https, mailto or tel is refused, as is data:
// except for raster images. Destinations without a scheme (relative,
// root-relative, protocol-relative, fragments) are allowed, unless a
// script URL appears anywhere in them: "?next=javascript:…" is harmless
// here but becomes live wherever another page echoes it into a link, so no
// page of ours hands one out.
func destAllowed[T text](dest T, image bool) bool {
	if needsNormalizing(dest) {
		return normalDestAllowed(normalizeURL(dest), image)
	}
	return normalDestAllowed(dest, image)
}

// normalDestAllowed is destAllowed for a destination normalizeURL has
// nothing left to do on.
func normalDestAllowed[T text](dest T, image bool) bool {
	if containsScriptURL(dest) {
		return false
	}
	s, rest, ok := cutScheme(dest)
	if !ok {
		return true
	}
	switch {
	case equalFold(s, "http"), equalFold(s, "https"),
		equalFold(s, "mailto"), equalFold(s, "tel"):
		return true
	case image && equalFold(s, "data"):
		return isRasterData(rest)
	}
	return false
}

// containsScriptURL reports whether "javascript:" or "vbscript:", in any
// case, occurs in s.
func containsScriptURL[T text](s T) bool {
	const tail = "script:"
	for i := 0; i+len(tail) <= len(s); i++ {
		if s[i]|0x20 != 's' || !equalFold(s[i:i+len(tail)], tail) {
			continue
		}
		if i >= 4 && equalFold(s[i-4:i], "java") || i >= 2 && equalFold(s[i-2:i], "vb") {
			return true
		}
	}
	return false
}

// scriptURL reports whether v, an attribute value in raw HTML, is a
// javascript: or vbscript: URL. Raw HTML is trusted in unsafe mode, so
// other schemes are left alone.
func scriptURL[T text](v T) bool {
	s, _, ok := splitScheme(v)
	return ok && (equalFold(s, "javascript") || equalFold(s, "vbscript"))
}

// splitScheme returns the scheme of a URL as a browser would read it and
// what follows the colon, with ok false when the URL has no scheme. Before
// looking, it undoes what can hide a scheme: character references
// ("java&#x09;script:"), percent-encoding, and white space or control
// characters anywhere. That finds more schemes than a browser would, which
// only makes the callers stricter.
func splitScheme[T text](dest T) (scheme, rest T, ok bool) {
	if needsNormalizing(dest) {
		// Rare; the conversion back to T costs a copy only here.
		dest = T(normalizeURL(dest))
	}
	return cutScheme(dest)
}

// cutScheme is splitScheme for a normalised URL.
func cutScheme[T text](dest T) (scheme, rest T, ok bool) {
	for i := 0; i < len(dest); i++ {
		switch dest[i] {
		case ':':
			return dest[:i], dest[i+1:], true
		case '/', '?', '#':
			return dest[:0], dest, false
		}
	}
	return dest[:0], dest, false
}

func needsNormalizing[T text](s T) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c == 0x7f || c == '&' || c == '%' {
			return true
		}
	}
	return false
}

// normalizeURL decodes references and percent-escapes until nothing
// changes (bounded, since each round can reveal another layer) and drops
// white space and control characters.
func normalizeURL[T text](dest T) string {
	s := string(dest)
	for range 8 {
		prev := s
		s = stripControl(percentDecode(stdhtml.UnescapeString(s)))
		if s == prev {
			break
		}
	}
	return s
}

func stripControl(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isControl(r) {
			return -1
		}
		return r
	}, s)
}

func isControl(r rune) bool { return r <= ' ' || r == 0x7f }

// percentDecode decodes valid %XX escapes and leaves anything else as it is,
// unlike url.PathUnescape, which gives up on the first bad escape.
func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// isRasterData reports whether rest, a data: URL after its scheme, holds a
// PNG, GIF, JPEG or WebP image, which browsers never run script from (SVG
// can hold script, so it is not on the list).
func isRasterData[T text](rest T) bool {
	for _, mime := range [...]string{"image/png", "image/gif", "image/jpeg", "image/webp"} {
		if len(rest) > len(mime) && equalFold(rest[:len(mime)], mime) {
			if c := rest[len(mime)]; c == ';' || c == ',' {
				return true
			}
		}
	}
	return false
}

// equalFold is strings.EqualFold for an ASCII word, without converting a
// []byte.
func equalFold[T text](s T, word string) bool {
	if len(s) != len(word) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != word[i] {
			return false
		}
	}
	return true
}

// withBase prefixes a root-relative destination with the site's base path.
// Protocol-relative destinations ("//cdn…", and "/\\…", which browsers read
// the same way) point at other hosts, and a destination already under the
// base path was written with the project site in mind, so both are left.
func (r *Renderer) withBase(dest []byte) []byte {
	if r.basePrefix == "" || len(dest) == 0 || dest[0] != '/' {
		return dest
	}
	if len(dest) > 1 && (dest[1] == '/' || dest[1] == '\\') {
		return dest
	}
	if hasBase(dest, r.basePrefix) {
		return dest
	}
	out := make([]byte, 0, len(r.basePrefix)+len(dest))
	return append(append(out, r.basePrefix...), dest...)
}

// hasBase reports whether dest is base ("/hub") or a path below it.
func hasBase(dest []byte, base string) bool {
	if len(dest) < len(base) || string(dest[:len(base)]) != base {
		return false
	}
	rest := dest[len(base):]
	return len(rest) == 0 || rest[0] == '/' || rest[0] == '?' || rest[0] == '#'
}

// AbsURLs rewrites the href and src attributes in html, as Render produced
// it, into absolute URLs resolved against pageURL, the absolute URL of the
// page the HTML belongs to. Feed readers show item content away from the
// site, where relative links and footnote fragments would break. URLs that
// already have a scheme are left as they are. If pageURL is not absolute,
// html is returned unchanged.
func AbsURLs(html string, pageURL string) string {
	base, err := url.Parse(pageURL)
	if err != nil || !base.IsAbs() || base.Host == "" {
		return html
	}
	if !strings.Contains(html, "=") {
		// No attribute has a value to rewrite.
		return html
	}
	// Fragments are appended to the page URL as it is, rather than
	// through ResolveReference, so ids such as "fn:1" stay byte for byte
	// what the page's own anchors say.
	page := pageURL
	if i := strings.IndexByte(page, '#'); i >= 0 {
		page = page[:i]
	}

	var out strings.Builder
	out.Grow(len(html) + len(html)/8)
	z := nethtml.NewTokenizer(strings.NewReader(html))
	pos, copied := 0, 0
	for {
		tt := z.Next()
		if tt == nethtml.ErrorToken {
			break
		}
		n := len(z.Raw())
		if (tt == nethtml.StartTagToken || tt == nethtml.SelfClosingTagToken) && tagNeedsAbs(z) {
			// Rebuilding the tag normalises its spelling, so it is only
			// done for tags that change.
			t := tokenAt(html[pos : pos+n])
			for i, a := range t.Attr {
				if isLinkAttr(a.Key) {
					t.Attr[i].Val = absURL(base, page, a.Val)
				}
			}
			out.WriteString(html[copied:pos])
			out.WriteString(t.String())
			copied = pos + n
		}
		pos += n
	}
	out.WriteString(html[copied:])
	return out.String()
}

// tagNeedsAbs reports whether the current tag has an href or src that is
// not absolute yet.
func tagNeedsAbs(z *nethtml.Tokenizer) bool {
	_, more := z.TagName()
	for more {
		var k, v []byte
		k, v, more = z.TagAttr()
		if isLinkAttr(string(k)) && !isAbsURL(v) {
			return true
		}
	}
	return false
}

func isLinkAttr(key string) bool { return key == "href" || key == "src" }

// isAbsURL reports whether v has a scheme (http:, mailto:, data: …) and so
// needs no base.
func isAbsURL[T text](v T) bool {
	_, _, ok := splitScheme(v)
	return ok
}

// absURL resolves v against the page. Values that don't parse are left as
// they are rather than guessed at.
func absURL(base *url.URL, page, v string) string {
	if isAbsURL(v) {
		return v
	}
	if strings.HasPrefix(v, "#") {
		return page + v
	}
	ref, err := url.Parse(v)
	if err != nil {
		return v
	}
	return base.ResolveReference(ref).String()
}

// tokenAt tokenises a single tag.
func tokenAt(tag string) nethtml.Token {
	z := nethtml.NewTokenizer(strings.NewReader(tag))
	z.Next()
	return z.Token()
}

// sanitizeRawHTML defangs raw HTML in unsafe mode: every URL attribute
// holding a javascript: or vbscript: URL becomes "#". Tags that need no
// change are copied byte for byte. A tag left unfinished at the end of lit
// is dropped, because the browser would complete it with whatever the page
// says next, out of this function's sight.
func sanitizeRawHTML(lit []byte) []byte {
	if bytes.IndexByte(lit, '=') < 0 && bytes.HasSuffix(bytes.TrimRight(lit, " \t\n"), []byte(">")) {
		// No attribute has a value, and with no quoted values the last
		// '>' closes every tag.
		return lit
	}
	z := nethtml.NewTokenizer(bytes.NewReader(lit))
	var out []byte
	pos, copied := 0, 0
	for {
		tt := z.Next()
		if tt == nethtml.ErrorToken {
			break
		}
		n := len(z.Raw())
		if (tt == nethtml.StartTagToken || tt == nethtml.SelfClosingTagToken) && tagHasScriptURL(z) {
			t := tokenAt(string(lit[pos : pos+n]))
			for i, a := range t.Attr {
				if isURLAttr(a.Key) && scriptURL(a.Val) {
					t.Attr[i].Val = "#"
				}
			}
			out = append(out, lit[copied:pos]...)
			out = append(out, t.String()...)
			copied = pos + n
		}
		pos += n
	}
	if out == nil && pos == len(lit) {
		return lit
	}
	return append(out, lit[copied:pos]...)
}

func tagHasScriptURL(z *nethtml.Tokenizer) bool {
	_, more := z.TagName()
	for more {
		var k, v []byte
		k, v, more = z.TagAttr()
		if isURLAttr(string(k)) && scriptURL(v) {
			return true
		}
	}
	return false
}

// isURLAttr lists the attributes whose URL a browser may navigate to or
// load. The tokenizer has lower-cased the key.
func isURLAttr(key string) bool {
	switch key {
	case "href", "src", "action", "formaction", "xlink:href", "poster",
		"background", "cite", "data", "codebase", "dynsrc", "lowsrc":
		return true
	}
	return false
}
