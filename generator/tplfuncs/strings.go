package tplfuncs

import (
	"html"
	"html/template"
	"reflect"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// str converts a string argument for function fn.
func str(fn string, v any) (string, error) {
	s, err := toString(v)
	if err != nil {
		return "", fail(fn, "%w", err)
	}
	return s, nil
}

func lower(v any) (string, error) {
	s, err := str("lower", v)
	return strings.ToLower(s), err
}

func upper(v any) (string, error) {
	s, err := str("upper", v)
	return strings.ToUpper(s), err
}

// title capitalizes the first letter of every word and leaves the rest
// alone ("the lord of the rings" → "The Lord Of The Rings"). Hugo's
// default is AP style, which keeps short words such as "of" lower-case;
// Agora does the simpler thing that never surprises.
func title(v any) (string, error) {
	s, err := str("title", v)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(len(s))
	inWord := false
	for _, r := range s {
		if !inWord && unicode.IsLetter(r) {
			r = unicode.ToTitle(r)
		}
		// Apostrophes stay inside a word so "don't" does not become "Don'T".
		inWord = unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '\'' || r == '’'
		b.WriteRune(r)
	}
	return b.String(), nil
}

// defaultEllipsis is Hugo's: the cut is made at a word end, so the space
// belongs to the ellipsis ("Keep my …").
const defaultEllipsis = " …"

// truncate is Hugo's truncate SIZE [ELLIPSIS] TEXT: TEXT cut to at most
// SIZE characters (runes) at the end of a word, plus ELLIPSIS (" …" by
// default, not counted in SIZE). A single word longer than SIZE is cut
// inside the word. CJK characters are words of their own.
//
// As in Hugo the result is template.HTML: plain text is HTML-escaped
// first, while template.HTML input (safeHTML, .Summary) is truncated
// without counting its tags and gets its open tags closed. Unlike Hugo an
// entity such as &amp; counts as one character.
func truncate(size any, args ...any) (template.HTML, error) {
	n, err := toInt(size)
	if err != nil {
		return "", fail("truncate", "size: %w", err)
	}
	if n < 0 {
		return "", fail("truncate", "size must not be negative, got %d", n)
	}
	var (
		textArg  any
		ellipsis = defaultEllipsis
	)
	switch len(args) {
	case 1:
		textArg = args[0]
	case 2:
		textArg = args[1]
		if ellipsis, err = toString(args[0]); err != nil {
			return "", fail("truncate", "ellipsis: %w", err)
		}
		if _, ok := args[0].(template.HTML); !ok {
			ellipsis = html.EscapeString(ellipsis)
		}
	default:
		return "", fail("truncate", "want SIZE [ELLIPSIS] TEXT, got %d arguments", len(args)+1)
	}
	text, err := toString(textArg)
	if err != nil {
		return "", fail("truncate", "text: %w", err)
	}
	if _, isHTML := textArg.(template.HTML); isHTML {
		return template.HTML(truncateHTML(text, clampInt(n), ellipsis)), nil
	}
	if utf8.RuneCountInString(text) <= clampInt(n) {
		return template.HTML(html.EscapeString(text)), nil
	}
	cut := cutPoint(text, clampInt(n), nil)
	return template.HTML(html.EscapeString(text[:cut]) + ellipsis), nil
}

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hangul, unicode.Hiragana, unicode.Katakana)
}

// markup tells cutPoint where tags and entities are in an HTML string.
// For the tag starting at byte i it returns its end (just past '>'), for
// an entity its end, and for text 0.
type markup func(s string, i int) (tagEnd, entityEnd int)

// cutPoint returns the byte offset to cut text at so that at most n
// characters remain, ending at a word boundary when there is one.
func cutPoint(text string, n int, mk markup) int {
	count, wordEnd, lastNonSpace := 0, 0, 0
	for i := 0; i < len(text); {
		if mk != nil {
			tagEnd, entityEnd := mk(text, i)
			if tagEnd > 0 {
				wordEnd = lastNonSpace
				i = tagEnd
				continue
			}
			if entityEnd > 0 {
				count++
				if count > n {
					return cutAt(wordEnd, i)
				}
				lastNonSpace = entityEnd
				i = entityEnd
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		switch {
		case unicode.IsSpace(r):
			wordEnd = lastNonSpace
		case isCJK(r):
			wordEnd = i
		}
		count++
		if count > n {
			return cutAt(wordEnd, i)
		}
		if !unicode.IsSpace(r) {
			lastNonSpace = i + size
		}
		i += size
	}
	return len(text)
}

// cutAt prefers the last word end; with none, the text is one long word
// and is cut where the budget ran out.
func cutAt(wordEnd, here int) int {
	if wordEnd > 0 {
		return wordEnd
	}
	return here
}

type htmlTag struct {
	name  string
	start int
	open  bool
}

func truncateHTML(text string, n int, ellipsis string) string {
	var tags []htmlTag
	mk := func(s string, i int) (int, int) {
		switch s[i] {
		case '<':
			t, end, ok := parseTag(s, i)
			if !ok {
				return 0, 0
			}
			if t.name != "" {
				tags = append(tags, t)
			}
			return end, 0
		case '&':
			if end := entityEnd(s, i); end > 0 {
				return 0, end
			}
		}
		return 0, 0
	}
	cut := cutPoint(text, n, mk)
	if cut == len(text) {
		return text
	}
	// Replay the tags before the cut to know which are still open there.
	var open []string
	for _, t := range tags {
		if t.start >= cut {
			break
		}
		if t.open {
			open = append(open, t.name)
			continue
		}
		for j := len(open) - 1; j >= 0; j-- {
			if open[j] == t.name {
				open = open[:j]
				break
			}
		}
	}
	var b strings.Builder
	b.WriteString(text[:cut])
	b.WriteString(ellipsis)
	for j := len(open) - 1; j >= 0; j-- {
		b.WriteString("</" + open[j] + ">")
	}
	return b.String()
}

// parseTag reads the tag at s[i] ('<'). Comments, doctypes, void and
// self-closing elements come back with an empty name: they never need
// closing. ok is false when '<' does not start a tag, e.g. "a < b".
func parseTag(s string, i int) (t htmlTag, end int, ok bool) {
	if strings.HasPrefix(s[i:], "<!--") {
		e := strings.Index(s[i+4:], "-->")
		if e < 0 {
			return t, 0, false
		}
		return t, i + 4 + e + 3, true
	}
	gt := strings.IndexByte(s[i:], '>')
	if gt < 0 {
		return t, 0, false
	}
	end = i + gt + 1
	body := s[i+1 : end-1]
	closing := strings.HasPrefix(body, "/")
	body = strings.TrimPrefix(body, "/")
	j := 0
	for j < len(body) && (isASCIILetter(body[j]) || (j > 0 && (body[j] == '-' || (body[j] >= '0' && body[j] <= '9')))) {
		j++
	}
	if j == 0 {
		if strings.HasPrefix(body, "!") || strings.HasPrefix(body, "?") {
			return t, end, true
		}
		return t, 0, false
	}
	name := strings.ToLower(body[:j])
	if isVoidElement(name) || (!closing && strings.HasSuffix(body, "/")) {
		return t, end, true
	}
	return htmlTag{name: name, start: i, open: !closing}, end, true
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isVoidElement(name string) bool {
	switch name {
	case "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr":
		return true
	}
	return false
}

// entityEnd returns the end of a character reference at s[i] ('&'), or 0.
func entityEnd(s string, i int) int {
	for j := i + 1; j < len(s) && j < i+33; j++ {
		c := s[j]
		switch {
		case c == ';':
			if j > i+1 {
				return j + 1
			}
			return 0
		case c == '#' && j == i+1, isASCIILetter(c), c >= '0' && c <= '9':
		default:
			return 0
		}
	}
	return 0
}

// humanize is Hugo's humanize: an integer (or a string holding one) gets
// its English ordinal ("52nd"); anything else becomes a sentence-case
// phrase with hyphens, underscores and camelCase turned into spaces
// ("my-first-post" and "myFirstPost" → "My first post").
func humanize(v any) (string, error) {
	s, err := str("humanize", v)
	if err != nil || s == "" {
		return "", err
	}
	if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
		return strings.TrimSpace(s) + ordinalSuffix(n), nil
	}
	var words []string
	var cur []rune
	runes := []rune(s)
	flush := func() {
		if len(cur) > 0 {
			words = append(words, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	for i, r := range runes {
		switch {
		case r == '-' || r == '_' || unicode.IsSpace(r):
			flush()
			continue
		case unicode.IsUpper(r) && i > 0:
			prev := runes[i-1]
			nextLower := i+1 < len(runes) && unicode.IsLower(runes[i+1])
			// A boundary before "Camel" in "myCamel" and before "Parser"
			// in "HTMLParser", but not inside "HTML".
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	out := strings.Join(words, " ")
	if r, size := utf8.DecodeRuneInString(out); size > 0 {
		out = string(unicode.ToTitle(r)) + out[size:]
	}
	return out, nil
}

func ordinalSuffix(n int) string {
	if n < 0 {
		n = -n
	}
	switch n % 100 {
	case 11, 12, 13:
		return "th"
	}
	switch n % 10 {
	case 1:
		return "st"
	case 2:
		return "nd"
	case 3:
		return "rd"
	}
	return "th"
}

// limitArg reads the optional LIMIT of replace, replaceRE and findRE;
// absent or negative means no limit.
func limitArg(fn string, limit []any) (int, error) {
	switch len(limit) {
	case 0:
		return -1, nil
	case 1:
		n, err := toInt(limit[0])
		if err != nil {
			return 0, fail(fn, "limit: %w", err)
		}
		if n < 0 {
			return -1, nil
		}
		return clampInt(n), nil
	}
	return 0, fail(fn, "too many arguments")
}

// replace is Hugo's replace INPUT OLD NEW [LIMIT].
func replace(input, old, new any, limit ...any) (string, error) {
	s, err := str("replace", input)
	if err != nil {
		return "", err
	}
	o, err := str("replace", old)
	if err != nil {
		return "", err
	}
	nw, err := str("replace", new)
	if err != nil {
		return "", err
	}
	n, err := limitArg("replace", limit)
	if err != nil {
		return "", err
	}
	return strings.Replace(s, o, nw, n), nil
}

// replaceRE is Hugo's replaceRE PATTERN REPLACEMENT INPUT [LIMIT]: Go
// regexp syntax, $1 or ${name} in REPLACEMENT.
func (rc *regexpCache) replaceRE(pattern, repl, input any, limit ...any) (string, error) {
	re, err := rc.get("replaceRE", pattern)
	if err != nil {
		return "", err
	}
	rs, err := str("replaceRE", repl)
	if err != nil {
		return "", err
	}
	s, err := str("replaceRE", input)
	if err != nil {
		return "", err
	}
	n, err := limitArg("replaceRE", limit)
	if err != nil {
		return "", err
	}
	if n < 0 {
		return re.ReplaceAllString(s, rs), nil
	}
	var b []byte
	prev := 0
	for _, m := range re.FindAllStringSubmatchIndex(s, n) {
		b = append(b, s[prev:m[0]]...)
		b = re.ExpandString(b, rs, s, m)
		prev = m[1]
	}
	return string(append(b, s[prev:]...)), nil
}

// findRE is Hugo's findRE PATTERN INPUT [LIMIT]: the matches, never nil so
// that len and range work on no match.
func (rc *regexpCache) findRE(pattern, input any, limit ...any) ([]string, error) {
	re, err := rc.get("findRE", pattern)
	if err != nil {
		return nil, err
	}
	s, err := str("findRE", input)
	if err != nil {
		return nil, err
	}
	n, err := limitArg("findRE", limit)
	if err != nil {
		return nil, err
	}
	m := re.FindAllString(s, n)
	if m == nil {
		m = []string{}
	}
	return m, nil
}

// split is Hugo's split INPUT DELIMITER.
func split(input, sep any) ([]string, error) {
	s, err := str("split", input)
	if err != nil {
		return nil, err
	}
	d, err := str("split", sep)
	if err != nil {
		return nil, err
	}
	return strings.Split(s, d), nil
}

// trim is Hugo's trim INPUT CUTSET.
func trim(input, cutset any) (string, error) {
	s, err := str("trim", input)
	if err != nil {
		return "", err
	}
	c, err := str("trim", cutset)
	if err != nil {
		return "", err
	}
	return strings.Trim(s, c), nil
}

func hasPrefix(input, prefix any) (bool, error) {
	s, err := str("hasPrefix", input)
	if err != nil {
		return false, err
	}
	p, err := str("hasPrefix", prefix)
	return strings.HasPrefix(s, p), err
}

func hasSuffix(input, suffix any) (bool, error) {
	s, err := str("hasSuffix", input)
	if err != nil {
		return false, err
	}
	p, err := str("hasSuffix", suffix)
	return strings.HasSuffix(s, p), err
}

// countwords is Hugo's countwords: the words of the text with HTML tags
// removed, each CJK character counting as a word.
func countwords(v any) (int, error) {
	s, err := str("countwords", v)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, w := range strings.Fields(stripTags(s)) {
		inRun := false
		for _, r := range w {
			switch {
			case isCJK(r):
				n++
				inRun = false
			case !inRun:
				n++
				inRun = true
			}
		}
	}
	return n, nil
}

// stripTags removes tags, leaving a space for those that separate words
// (paragraphs, line breaks, cells) and nothing for inline ones, so
// "<em>wo</em>rd" stays one word and "<p>a</p><p>b</p>" is two.
func stripTags(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if s[i] == '<' {
			if t, end, ok := parseTag(s, i); ok {
				name := t.name
				if name == "" {
					name = tagName(s[i:end])
				}
				if separatesWords(name) {
					b.WriteByte(' ')
				}
				i = end
				continue
			}
		}
		b.WriteByte(s[i])
		i++
	}
	return b.String()
}

func tagName(tag string) string {
	tag = strings.TrimLeft(strings.TrimPrefix(tag, "<"), "/")
	j := 0
	for j < len(tag) && (isASCIILetter(tag[j]) || (j > 0 && tag[j] >= '0' && tag[j] <= '9')) {
		j++
	}
	return strings.ToLower(tag[:j])
}

func separatesWords(name string) bool {
	switch name {
	case "", // comments and doctypes
		"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "i", "ins",
		"kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var":
		return false
	}
	return true
}

// stringsNS is Hugo's strings namespace.
type stringsNS struct{ e *env }

func (*stringsNS) ToLower(v any) (string, error)          { return lower(v) }
func (*stringsNS) ToUpper(v any) (string, error)          { return upper(v) }
func (*stringsNS) Title(v any) (string, error)            { return title(v) }
func (*stringsNS) Split(input, sep any) ([]string, error) { return split(input, sep) }
func (*stringsNS) Trim(input, cutset any) (string, error) { return trim(input, cutset) }
func (*stringsNS) HasPrefix(s, prefix any) (bool, error)  { return hasPrefix(s, prefix) }
func (*stringsNS) HasSuffix(s, suffix any) (bool, error)  { return hasSuffix(s, suffix) }
func (*stringsNS) CountWords(v any) (int, error)          { return countwords(v) }
func (*stringsNS) Truncate(size any, args ...any) (template.HTML, error) {
	return truncate(size, args...)
}
func (*stringsNS) Replace(input, old, new any, limit ...any) (string, error) {
	return replace(input, old, new, limit...)
}
func (ns *stringsNS) ReplaceRE(pattern, repl, input any, limit ...any) (string, error) {
	return ns.e.re.replaceRE(pattern, repl, input, limit...)
}
func (ns *stringsNS) FindRE(pattern, input any, limit ...any) ([]string, error) {
	return ns.e.re.findRE(pattern, input, limit...)
}

// FindRESubmatch is Hugo's findRESubmatch PATTERN INPUT [LIMIT]: each
// match with its groups.
func (ns *stringsNS) FindRESubmatch(pattern, input any, limit ...any) ([][]string, error) {
	re, err := ns.e.re.get("findRESubmatch", pattern)
	if err != nil {
		return nil, err
	}
	s, err := str("findRESubmatch", input)
	if err != nil {
		return nil, err
	}
	n, err := limitArg("findRESubmatch", limit)
	if err != nil {
		return nil, err
	}
	m := re.FindAllStringSubmatch(s, n)
	if m == nil {
		m = [][]string{}
	}
	return m, nil
}

// Chomp is Hugo's chomp: trailing newlines removed; template.HTML stays
// template.HTML.
func (*stringsNS) Chomp(v any) (any, error) {
	s, err := str("chomp", v)
	if err != nil {
		return "", err
	}
	s = strings.TrimRight(s, "\r\n")
	if _, ok := v.(template.HTML); ok {
		return template.HTML(s), nil
	}
	return s, nil
}

// two converts the two string arguments of fn.
func two(fn string, a, b any) (string, string, error) {
	x, err := str(fn, a)
	if err != nil {
		return "", "", err
	}
	y, err := str(fn, b)
	return x, y, err
}

func (*stringsNS) Contains(s, sub any) (bool, error) {
	a, b, err := two("strings.Contains", s, sub)
	return strings.Contains(a, b), err
}

func (*stringsNS) ContainsAny(s, chars any) (bool, error) {
	a, b, err := two("strings.ContainsAny", s, chars)
	return strings.ContainsAny(a, b), err
}

func (*stringsNS) ContainsNonSpace(v any) (bool, error) {
	s, err := str("strings.ContainsNonSpace", v)
	return strings.TrimSpace(s) != "", err
}

// Count is Hugo's strings.Count SUBSTR STRING.
func (*stringsNS) Count(sub, s any) (int, error) {
	a, b, err := two("strings.Count", sub, s)
	return strings.Count(b, a), err
}

// CountRunes is Hugo's countrunes: the characters, tags and white space
// left out.
func (*stringsNS) CountRunes(v any) (int, error) {
	s, err := str("countrunes", v)
	n := 0
	for _, r := range stripTags(s) {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n, err
}

// RuneCount is Hugo's strings.RuneCount: every character.
func (*stringsNS) RuneCount(v any) (int, error) {
	s, err := str("strings.RuneCount", v)
	return utf8.RuneCountInString(s), err
}

// FirstUpper is Hugo's strings.FirstUpper.
func (*stringsNS) FirstUpper(v any) (string, error) {
	s, err := str("strings.FirstUpper", v)
	r, size := utf8.DecodeRuneInString(s)
	if size == 0 {
		return s, err
	}
	return string(unicode.ToUpper(r)) + s[size:], err
}

// Repeat is Hugo's strings.Repeat COUNT STRING.
func (*stringsNS) Repeat(n, v any) (string, error) {
	s, err := str("strings.Repeat", v)
	if err != nil {
		return "", err
	}
	k, err := toInt(n)
	if err != nil {
		return "", fail("strings.Repeat", "count: %w", err)
	}
	if k < 0 {
		return "", fail("strings.Repeat", "negative Repeat count")
	}
	if int64(len(s))*k > maxRepeat {
		return "", fail("strings.Repeat", "the result would be over %d bytes", maxRepeat)
	}
	return strings.Repeat(s, int(k)), nil
}

// maxRepeat bounds strings.Repeat's result: a typo must fail, not fill
// memory.
const maxRepeat = 64 << 20

// ReplacePairs is Hugo's strings.ReplacePairs OLD NEW… STRING (or one
// list of pairs, then STRING).
func (*stringsNS) ReplacePairs(args ...any) (string, error) {
	const fn = "strings.ReplacePairs"
	if len(args) < 2 {
		return "", fail(fn, "requires at least 2 arguments")
	}
	s, err := str(fn, args[len(args)-1])
	if err != nil {
		return "", err
	}
	var pairs []string
	list := args[:len(args)-1]
	if len(args) == 2 {
		lv := deref(reflect.ValueOf(args[0]))
		if !lv.IsValid() || lv.Kind() != reflect.Slice {
			return "", fail(fn, "with 2 arguments, the first must be a slice of replacement pairs, got %T", args[0])
		}
		list = toAnySlice(lv)
	}
	for _, p := range list {
		ps, err := str(fn, p)
		if err != nil {
			return "", err
		}
		pairs = append(pairs, ps)
	}
	if len(pairs)%2 != 0 {
		return "", fail(fn, "uneven number of replacement pairs")
	}
	if len(pairs) == 0 || s == "" {
		return s, nil
	}
	return strings.NewReplacer(pairs...).Replace(s), nil
}

// SliceString is Hugo's slicestr STRING [START [END]], in characters.
func (*stringsNS) SliceString(v any, startEnd ...any) (string, error) {
	const fn = "slicestr"
	s, err := str(fn, v)
	if err != nil {
		return "", err
	}
	if len(startEnd) > 2 {
		return "", fail(fn, "too many arguments")
	}
	r := []rune(s)
	bounds := []int{0, len(r)}
	for i, a := range startEnd {
		n, err := toInt(a)
		if err != nil {
			return "", fail(fn, "start and end must be integers")
		}
		bounds[i] = clampInt(n)
	}
	if len(startEnd) > 0 && (bounds[0] < 0 || bounds[0] >= len(r)) {
		return "", fail(fn, "slice bounds out of range")
	}
	if len(startEnd) == 2 && (bounds[1] < 0 || bounds[1] > len(r) || bounds[1] < bounds[0]) {
		return "", fail(fn, "slice bounds out of range")
	}
	return string(r[bounds[0]:bounds[1]]), nil
}

// Substr is Hugo's substr STRING START [LENGTH], in characters (runes):
// a negative START counts from the end, a negative LENGTH leaves that many
// characters off the end, and out-of-range values clip rather than fail.
func (*stringsNS) Substr(v any, nums ...any) (string, error) {
	const fn = "substr"
	s, err := str(fn, v)
	if err != nil {
		return "", err
	}
	if len(nums) == 0 {
		return "", fail(fn, "too few arguments")
	}
	if len(nums) > 2 {
		return "", fail(fn, "too many arguments")
	}
	r := []rune(s)
	n := len(r)
	start64, err := toInt(nums[0])
	if err != nil {
		return "", fail(fn, "start argument must be an integer")
	}
	length64 := int64(n)
	if len(nums) == 2 {
		if length64, err = toInt(nums[1]); err != nil {
			return "", fail(fn, "length argument must be an integer")
		}
	}
	if n == 0 {
		return "", nil
	}
	start, length := clampInt(start64), clampInt(max(length64, -int64(maxInt)))
	if start < 0 {
		start = max(start+n, 0)
	}
	if start > n-1 {
		return "", nil
	}
	end := n
	switch {
	case length == 0:
		return "", nil
	case length < 0:
		end += length
	default:
		end = min(start+min(length, n), n)
	}
	if start >= end || end < 0 {
		return "", nil
	}
	return string(r[start:end]), nil
}

func (*stringsNS) TrimSpace(v any) (string, error) {
	s, err := str("strings.TrimSpace", v)
	return strings.TrimSpace(s), err
}

// TrimLeft is Hugo's strings.TrimLeft CUTSET STRING.
func (*stringsNS) TrimLeft(cutset, v any) (string, error) {
	c, s, err := two("strings.TrimLeft", cutset, v)
	return strings.TrimLeft(s, c), err
}

// TrimRight is Hugo's strings.TrimRight CUTSET STRING.
func (*stringsNS) TrimRight(cutset, v any) (string, error) {
	c, s, err := two("strings.TrimRight", cutset, v)
	return strings.TrimRight(s, c), err
}

// TrimPrefix is Hugo's strings.TrimPrefix PREFIX STRING.
func (*stringsNS) TrimPrefix(prefix, v any) (string, error) {
	p, s, err := two("strings.TrimPrefix", prefix, v)
	return strings.TrimPrefix(s, p), err
}

// TrimSuffix is Hugo's strings.TrimSuffix SUFFIX STRING.
func (*stringsNS) TrimSuffix(suffix, v any) (string, error) {
	p, s, err := two("strings.TrimSuffix", suffix, v)
	return strings.TrimSuffix(s, p), err
}

// Diff is Hugo's strings.Diff OLDNAME OLD NEWNAME NEW.
func (*stringsNS) Diff(oldName string, old any, newName string, new any) (string, error) {
	return "", notImplemented("strings.Diff", "")
}

// stringsExamples document the strings namespace; TestExamples runs them.
func stringsExamples() []Example {
	return []Example{
		{"lower", `{{ lower "HeLLo" }}`, nil, "hello"},
		{"upper", `{{ upper "go" }}`, nil, "GO"},
		{"title", `{{ title "the lord of the rings" }} {{ title "don't panic" }}`, nil, "The Lord Of The Rings Don&#39;t Panic"},
		{"truncate", `{{ truncate 10 "Keep my HTML please" }}`, nil, "Keep my …"},
		{"truncate", `{{ "<em>Keep my HTML</em>" | safeHTML | truncate 10 }}`, nil, "<em>Keep my …</em>"},
		{"truncate", `{{ truncate 5 "..." "Hello world" }} {{ truncate 4 "Supercalifragilistic" }} {{ truncate 20 "a < b" }}`, nil, "Hello... Supe … a &lt; b"},
		{"replace", `{{ replace "Batman and Robin" "Robin" "Catwoman" }} {{ replace "aaa" "a" "b" 2 }}`, nil, "Batman and Catwoman bba"},
		{"replaceRE", `{{ replaceRE "^https?://([^/]+).*" "$1" "https://gohugo.io/docs/" }} {{ replaceRE "a" "x" "banana" 2 }}`, nil, "gohugo.io bxnxna"},
		{"findRE", `{{ findRE "[a-z]+[0-9]" "a1 bb22 c3" }} {{ findRE "[0-9]" "a1b2c3" 2 }}`, nil, "[a1 bb2 c3] [1 2]"},
		{"split", `{{ split "a,b,c" "," }}`, nil, "[a b c]"},
		{"trim", `{{ trim "--go--" "-" }}`, nil, "go"},
		{"hasPrefix", `{{ hasPrefix "agora" "ago" }}`, nil, "true"},
		{"hasSuffix", `{{ hasSuffix "agora" "ago" }}`, nil, "false"},
		{"countwords", `{{ countwords "<p>Hello <em>big</em> world</p><p>again</p>" }} {{ countwords "Go 言語" }}`, nil, "4 3"},
		{"substr", `{{ substr "BatMan" 0 -3 }} {{ substr "BatMan" 3 }} {{ substr "BatMan" -3 2 }} {{ substr "日本語です" 1 2 }} {{ substr "abc" 10 }}`, nil, "Bat Man Ma 本語 "},
		{"chomp", `{{ chomp "line\n\n" | printf "%q" }}`, nil, `&#34;line&#34;`},
		{"countrunes", `{{ countrunes "<p>a b c</p>" }} {{ strings.RuneCount "a b" }}`, nil, "3 3"},
		{"findRESubmatch", `{{ findRESubmatch "(\\w)=(\\d)" "a=1 b=2" }}`, nil, "[[a=1 a 1] [b=2 b 2]]"},
		{"slicestr", `{{ slicestr "BatMan" 3 }} {{ slicestr "BatMan" 0 3 }}`, nil, "Man Bat"},
		{"strings.Contains", `{{ strings.Contains "abc" "b" }} {{ strings.ContainsAny "abc" "xyz" }} {{ strings.ContainsNonSpace "  " }}`, nil, "true false false"},
		{"strings.Count", `{{ "aabab" | strings.Count "a" }}`, nil, "3"},
		{"strings.FirstUpper", `{{ strings.FirstUpper "élan" }}`, nil, "Élan"},
		{"strings.Repeat", `{{ strings.Repeat 3 "ab" }}`, nil, "ababab"},
		{"strings.ReplacePairs", `{{ strings.ReplacePairs "a" "1" "b" "2" "abc" }} {{ strings.ReplacePairs (slice "c" "3") "abc" }}`, nil, "12c ab3"},
		{"strings.TrimPrefix", `{{ strings.TrimPrefix "a" "aab" }} {{ strings.TrimSuffix "b" "aab" }} {{ strings.TrimLeft "a" "aab" }} {{ strings.TrimRight "b" "abb" }} [{{ strings.TrimSpace "  x " }}]`, nil, "ab aa b a [x]"},
		{"strings.ReplaceRE", `{{ strings.ReplaceRE "[aeiou]" "_" "hugo" }}`, nil, "h_g_"},
	}
}
