// Package lex splits a page body into text and shortcode tokens, with the
// syntax of Hugo's page lexer (parser/pageparser): {{< name args >}} and
// {{% name args %}}, closing tags {{< /name >}}, self-closing {{< name />}},
// positional or named arguments, quoted "…" (with \" inside), raw `…` and
// bare values, and {{</* … */>}}, which is text: the call printed as written.
//
// Shortcodes are recognised everywhere in the body, code blocks included,
// as Hugo does; escaping with /* */ is how a page shows one.
//
// The lexer knows nothing about templates, so it cannot tell whether a
// shortcode takes inner content: the parser in package shortcode decides
// that. It does check what the syntax alone can: a closing tag must name a
// shortcode opened before it, and arguments are all positional or all named.
package lex

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Kind is what a token is.
type Kind int

const (
	// Text is page text between calls, or an escaped call printed as
	// written.
	Text Kind = iota
	// LeftDelim opens a call: {{< or {{% (Markup).
	LeftDelim
	// RightDelim ends one: >}} or %}}.
	RightDelim
	// Close is the / of a closing tag ({{< /name >}}) or of a
	// self-closing one ({{< name />}}).
	Close
	// Name is the shortcode's name; Inline marks Hugo's name.inline form.
	Name
	// Param is a positional argument, or the key of a named one when a
	// Value follows.
	Param
	// Value is a named argument's value.
	Value
)

func (k Kind) String() string {
	switch k {
	case Text:
		return "text"
	case LeftDelim:
		return "left-delim"
	case RightDelim:
		return "right-delim"
	case Close:
		return "close"
	case Name:
		return "name"
	case Param:
		return "param"
	case Value:
		return "value"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// Token is one lexeme. Pos is its byte offset in the body.
type Token struct {
	Kind Kind
	Pos  int
	Val  string
	// Quoted is set for arguments written in quotes or backticks, which
	// are strings even when they look like numbers.
	Quoted bool
	// Markup is set on the delimiters of {{% %}} calls.
	Markup bool
	// Inline is set on a name.inline name.
	Inline bool
}

// Typed is an argument's value as Hugo types it: quoted values are
// strings; bare ones are booleans (true, false), integers, floats (1.5,
// .5) or else strings.
func (t Token) Typed() any {
	if t.Quoted {
		return t.Val
	}
	s := t.Val
	switch s {
	case "true":
		return true
	case "false":
		return false
	}
	if isInt(s) {
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
		return s
	}
	if isFloat(s) {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return f
		}
	}
	return s
}

// isInt matches Hugo's ^[-+]?\d+$.
func isInt(s string) bool {
	s = trimSign(s)
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isFloat matches Hugo's ^[-+]?\d*\.\d+$.
func isFloat(s string) bool {
	s = trimSign(s)
	whole, frac, ok := stringsCut(s, '.')
	if !ok || frac == "" {
		return false
	}
	return (whole == "" || isInt(whole)) && isInt(frac)
}

func trimSign(s string) string {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		return s[1:]
	}
	return s
}

func stringsCut(s string, sep byte) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == sep {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// Error is a syntax error at byte offset Pos of the body.
type Error struct {
	Pos int
	Msg string
}

func (e *Error) Error() string { return e.Msg }

var (
	leftDelim     = []byte("{{")
	rightPlain    = []byte(">}}")
	rightMarkup   = []byte("%}}")
	commentOpen   = []byte("/*")
	commentClose  = []byte("*/")
	inlineSuffix  = []byte("inline ")
	escapedQuote  = []byte(`\"`)
	positionalErr = "cannot mix named and positional parameters"
)

// lexer holds the state of one Lex call.
type lexer struct {
	src    []byte
	toks   []Token
	open   map[string]bool // names opened and not yet closed
	opened bool            // any call opened so far

	// Per call.
	right    []byte
	markup   bool
	named    int // 0 no argument yet, 1 positional, 2 named
	haveName bool
	closing  bool
}

// Lex returns the tokens of src, or the first syntax error. Adjacent text
// is returned as one token.
func Lex(src []byte) ([]Token, error) {
	l := &lexer{src: src, open: map[string]bool{}}
	if err := l.run(); err != nil {
		return nil, err
	}
	return l.toks, nil
}

func (l *lexer) text(pos int, s string) {
	if s == "" {
		return
	}
	if n := len(l.toks); n > 0 && l.toks[n-1].Kind == Text {
		l.toks[n-1].Val += s
		return
	}
	l.toks = append(l.toks, Token{Kind: Text, Pos: pos, Val: s})
}

func (l *lexer) emit(t Token) { l.toks = append(l.toks, t) }

func (l *lexer) errorf(pos int, format string, args ...any) error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

func (l *lexer) run() error {
	src := l.src
	textStart, pos := 0, 0
	for {
		i := bytes.Index(src[pos:], leftDelim)
		if i < 0 {
			break
		}
		at := pos + i
		if at+2 >= len(src) || (src[at+2] != '<' && src[at+2] != '%') {
			// "{{{<" holds a call one byte on.
			pos = at + 1
			continue
		}
		l.text(textStart, string(src[textStart:at]))
		l.markup = src[at+2] == '%'
		l.right = rightPlain
		if l.markup {
			l.right = rightMarkup
		}
		p := at + 3
		if bytes.HasPrefix(src[p:], commentOpen) {
			end, err := l.escaped(at, p)
			if err != nil {
				return err
			}
			pos, textStart = end, end
			continue
		}
		l.emit(Token{Kind: LeftDelim, Pos: at, Val: string(src[at:p]), Markup: l.markup})
		end, err := l.inside(at, p)
		if err != nil {
			return err
		}
		pos, textStart = end, end
	}
	l.text(textStart, string(src[textStart:]))
	return nil
}

// escaped handles {{</* … */>}} starting at at, whose comment opens at p:
// the call is text, printed without the comment markers.
func (l *lexer) escaped(at, p int) (int, error) {
	closeSeq := append(append([]byte(nil), commentClose...), l.right...)
	j := bytes.Index(l.src[p+len(commentOpen):], closeSeq)
	if j < 0 {
		return 0, l.errorf(at, "escaped shortcode %s/* is not closed by */%s", l.src[at:p], l.right)
	}
	inner := l.src[p+len(commentOpen) : p+len(commentOpen)+j]
	end := p + len(commentOpen) + j + len(closeSeq)
	l.text(at, string(l.src[at:p])+string(inner)+string(l.right))
	return end, nil
}

// inside lexes a call's name and arguments up to its right delimiter.
func (l *lexer) inside(at, p int) (int, error) {
	l.named, l.haveName, l.closing = 0, false, false
	src := l.src
	for {
		if bytes.HasPrefix(src[p:], l.right) {
			l.emit(Token{Kind: RightDelim, Pos: p, Val: string(l.right), Markup: l.markup})
			return p + len(l.right), nil
		}
		if p >= len(src) {
			return 0, l.errorf(at, "shortcode %s is not closed by %s", src[at:at+3], l.right)
		}
		r, w := utf8.DecodeRune(src[p:])
		switch {
		case isSpace(r):
			p += w
		case r == '=':
			if !l.haveName {
				return 0, l.errorf(p, "unexpected = before the shortcode's name")
			}
			end, err := l.value(p + 1)
			if err != nil {
				return 0, err
			}
			p = end
		case r == '/':
			end, err := l.slash(at, p)
			if err != nil {
				return 0, err
			}
			if end > 0 {
				return end, nil
			}
			p++
		case r == '\\' && p+1 < len(src) && isQuote(src[p+1]):
			end, err := l.param(p, true)
			if err != nil {
				return 0, err
			}
			p = end
		case r == '\\':
			// Hugo drops a stray backslash.
			p++
		case l.haveName && (isAlphaNumericOrHyphen(r) || r == '"' || r == '`'):
			end, err := l.param(p, false)
			if err != nil {
				return 0, err
			}
			p = end
		case !l.haveName && isAlphaNumeric(r):
			end, err := l.name(p)
			if err != nil {
				return 0, err
			}
			p = end
		default:
			return 0, l.errorf(p, "unexpected %q in shortcode; arguments with characters other than letters, digits, - and . must be quoted", r)
		}
	}
}

func isQuote(b byte) bool { return b == '"' || b == '`' }

// slash handles a / inside a call: the start of a closing tag before the
// name, or a self-closing end after it. It returns the end of the call
// when it consumed the right delimiter, else 0.
func (l *lexer) slash(at, p int) (int, error) {
	if !l.haveName {
		if !l.opened {
			return 0, l.errorf(p, "closing tag, but no shortcode is open")
		}
		l.closing = true
		l.emit(Token{Kind: Close, Pos: p, Val: "/"})
		return 0, nil
	}
	l.emit(Token{Kind: Close, Pos: p, Val: "/"})
	q := skipSpace(l.src, p+1)
	if !bytes.HasPrefix(l.src[q:], l.right) {
		return 0, l.errorf(p, "unexpected / in shortcode: a path argument must be quoted (\"/a.jpg\"), and a / after the name must be followed by %s", l.right)
	}
	l.emit(Token{Kind: RightDelim, Pos: q, Val: string(l.right), Markup: l.markup})
	return q + len(l.right), nil
}

// name lexes the shortcode's name at p. Names may hold / for shortcodes
// in folders; a closing tag's name must have been opened.
func (l *lexer) name(p int) (int, error) {
	src := l.src
	start, inline := p, false
	for p < len(src) {
		r, w := utf8.DecodeRune(src[p:])
		if isAlphaNumericOrHyphen(r) || r == '/' {
			p += w
			continue
		}
		if r == '.' && !inline && bytes.HasPrefix(src[p+1:], inlineSuffix) {
			inline = true
			p += w
			continue
		}
		if r == '.' {
			return 0, l.errorf(p, "a . in a shortcode name is only allowed in name.inline")
		}
		break
	}
	name := string(src[start:p])
	l.haveName = true
	l.emit(Token{Kind: Name, Pos: start, Val: name, Inline: inline})
	if !l.closing {
		l.open[name] = true
		l.opened = true
		return p, nil
	}
	if !l.open[name] {
		return 0, l.errorf(start, "closing tag for shortcode %q, which is not open", name)
	}
	l.open[name] = false
	q := skipSpace(src, p)
	if !bytes.HasPrefix(src[q:], l.right) {
		return 0, l.errorf(q, "a closing tag takes no arguments: want %s after /%s", l.right, name)
	}
	return q, nil
}

// param lexes an argument at p: "quoted", `raw`, \"escaped\" or a bare
// word, which is the key of a named argument when = follows.
func (l *lexer) param(p int, escapedQuote bool) (int, error) {
	src := l.src
	c := src[p]
	if escapedQuote {
		c = src[p+1]
	}
	if c == '"' || c == '`' {
		if l.named == 2 {
			return 0, l.errorf(p, "quoted positional argument after named ones: %s", positionalErr)
		}
		l.named = 1
		val, end, err := l.quoted(p)
		if err != nil {
			return 0, err
		}
		l.emit(Token{Kind: Param, Pos: p, Val: val, Quoted: true})
		return end, nil
	}
	start := p
	for p < len(src) {
		r, w := utf8.DecodeRune(src[p:])
		if !isAlphaNumericOrHyphen(r) && r != '.' {
			break
		}
		p += w
	}
	word := string(src[start:p])
	isNamed := bytes.HasPrefix(src[skipSpace(src, p):], []byte("="))
	switch {
	case l.named == 0 && isNamed:
		l.named = 2
	case l.named == 0:
		l.named = 1
	case isNamed && l.named == 1:
		return 0, l.errorf(start, "named argument %q after positional ones: %s", word, positionalErr)
	case !isNamed && l.named == 2:
		return 0, l.errorf(start, "positional argument %q after named ones: %s", word, positionalErr)
	}
	l.emit(Token{Kind: Param, Pos: start, Val: word})
	return p, nil
}

// value lexes a named argument's value after its =.
func (l *lexer) value(p int) (int, error) {
	src := l.src
	p = skipSpace(src, p)
	if bytes.HasPrefix(src[p:], l.right) {
		return 0, l.errorf(p, "a named argument needs a value after =")
	}
	if p < len(src) && (src[p] == '"' || src[p] == '`' || bytes.HasPrefix(src[p:], escapedQuote)) {
		val, end, err := l.quoted(p)
		if err != nil {
			return 0, err
		}
		l.emit(Token{Kind: Value, Pos: p, Val: val, Quoted: true})
		return end, nil
	}
	start := p
	for p < len(src) {
		r, w := utf8.DecodeRune(src[p:])
		if isSpace(r) {
			break
		}
		p += w
	}
	if start == p {
		return 0, l.errorf(start, "a named argument needs a value after =")
	}
	l.emit(Token{Kind: Value, Pos: start, Val: string(src[start:p])})
	return p, nil
}

// quoted lexes "…" (a \" inside is a quote), \"…\" (written inside
// another quoted string) or `…` (raw, may span lines).
func (l *lexer) quoted(p int) (string, int, error) {
	src := l.src
	start := p
	switch {
	case src[p] == '`':
		j := bytes.IndexByte(src[p+1:], '`')
		if j < 0 {
			return "", 0, l.errorf(start, "unterminated raw string in shortcode argument")
		}
		return string(src[p+1 : p+1+j]), p + 2 + j, nil
	case src[p] == '\\':
		j := bytes.Index(src[p+2:], escapedQuote)
		if j < 0 || bytes.IndexByte(src[p+2:p+2+j], '\n') >= 0 {
			return "", 0, l.errorf(start, "unterminated quoted string in shortcode argument")
		}
		return string(src[p+2 : p+2+j]), p + 4 + j, nil
	}
	var b []byte
	for p++; p < len(src); p++ {
		switch c := src[p]; {
		case c == '\\' && p+1 < len(src) && src[p+1] == '"':
			b = append(b, '"')
			p++
		case c == '"':
			return string(b), p + 1, nil
		case c == '\n':
			return "", 0, l.errorf(start, "unterminated quoted string in shortcode argument (a line ends inside the quotes)")
		default:
			b = append(b, c)
		}
	}
	return "", 0, l.errorf(start, "unterminated quoted string in shortcode argument")
}

func skipSpace(src []byte, p int) int {
	for p < len(src) && isSpace(rune(src[p])) {
		p++
	}
	return p
}

func isSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ':
		return true
	}
	return false
}

func isAlphaNumeric(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

// isAlphaNumericOrHyphen lets bare YouTube ids, which hold hyphens, be
// positional arguments without quotes.
func isAlphaNumericOrHyphen(r rune) bool { return isAlphaNumeric(r) || r == '-' }
