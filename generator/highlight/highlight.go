// Package highlight colours code with github.com/alecthomas/chroma/v2, the
// highlighter Hugo uses, and writes Hugo's markup around it:
//
//	<div class="highlight"><pre tabindex="0" class="chroma"><code class="language-go" data-lang="go">…
//
// tabindex makes the scrollable <pre> reachable from the keyboard (WCAG
// 2.1.1). Options are Hugo's markup.highlight keys, which a fenced block's
// {linenos=table,hl_lines=[2,3]} and the highlight shortcode and function
// override per call.
//
// Chroma is slow when used naively: finding a lexer by name walks every
// lexer when the name is unknown, and each new HTML formatter works out its
// style's CSS again. A Highlighter keeps the lexers and formatters it has
// made, so a site with thousands of Go blocks pays for that once.
package highlight

import (
	"fmt"
	stdhtml "html"
	"strings"
	"sync"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/lexers"
	"github.com/alecthomas/chroma/v2/styles"
)

// Options are Hugo's markup.highlight settings.
type Options struct {
	Style              string
	NoClasses          bool // inline style attributes instead of classes
	LineNos            bool
	LineNumbersInTable bool
	AnchorLineNos      bool   // line numbers link to themselves
	LineAnchors        string // prefix of those anchors' ids
	LineNoStart        int
	// HlLines are the lines to highlight, 1-based and counted from the
	// block's first line whatever LineNoStart says, as Hugo counts them.
	HlLines     [][2]int
	TabWidth    int
	GuessSyntax bool
	// CodeFences highlights fenced code blocks; off, they are plain
	// <pre><code>.
	CodeFences   bool
	WrapperClass string
}

// Defaults are Hugo's.
func Defaults() Options {
	return Options{
		Style: "monokai", NoClasses: true, LineNumbersInTable: true, LineNoStart: 1,
		TabWidth: 4, CodeFences: true, WrapperClass: "highlight",
	}
}

// A block's HTML is kept for the next page that shows the same code with
// the same options (an install command on every page of a guide). Only
// small blocks are kept, up to memoBytes of HTML in all, so memory stays
// bounded whatever the site.
const (
	memoMaxCode = 4 << 10
	memoBytes   = 32 << 20
)

// maxFormatters bounds the formatter cache: option sets are few in a real
// site (hl_lines is what varies), but a page generating many distinct ones
// must not grow memory without limit.
const maxFormatters = 512

// Highlighter highlights code with base options. Safe for concurrent use.
type Highlighter struct {
	base Options

	lexers sync.Map // language name → chroma.Lexer (coalesced), or noLexer

	mu         sync.Mutex
	formatters map[formatterKey]*html.Formatter

	memoMu   sync.Mutex
	memo     map[string]string
	memoSize int
}

type noLexerT struct{}

var noLexer = noLexerT{}

// New returns a Highlighter with base options.
func New(base Options) *Highlighter {
	if base.WrapperClass == "" {
		base.WrapperClass = "highlight"
	}
	if base.LineNoStart == 0 {
		base.LineNoStart = 1
	}
	return &Highlighter{base: base, formatters: map[formatterKey]*html.Formatter{}, memo: map[string]string{}}
}

// Base returns the options every call starts from.
func (h *Highlighter) Base() Options { return h.base }

// Highlight is Hugo's highlight function and shortcode: code in lang, with
// opts ("linenos=table,hl_lines=2 4-5", or a map) over the base options.
func (h *Highlighter) Highlight(code, lang string, opts any) (string, error) {
	o := h.base
	if err := Apply(&o, opts, &lang, &code); err != nil {
		return "", err
	}
	var b strings.Builder
	if err := h.write(&b, code, lang, nil, o); err != nil {
		return "", err
	}
	return b.String(), nil
}

// CodeBlock writes a fenced code block: info is the text after the fence
// ("go {linenos=table}"), ordinal the block's number in the page, which
// names its line anchors (hl-0-1) as in Hugo.
func (h *Highlighter) CodeBlock(b *strings.Builder, code, info string, ordinal int) error {
	lang, attrs, err := ParseInfo(info)
	if err != nil {
		return err
	}
	o := h.base
	var rest []Attr
	opts := map[string]any{}
	for _, a := range attrs {
		if isOption(a.Name) {
			opts[a.Name] = a.Value
		} else {
			rest = append(rest, a)
		}
	}
	if err := Apply(&o, opts, &lang, &code); err != nil {
		return err
	}
	if o.LineAnchors == "" {
		o.LineAnchors = fmt.Sprintf("hl-%d", ordinal)
	}
	if !strings.HasSuffix(code, "\n") {
		code += "\n"
	}
	return h.write(b, code, lang, rest, o)
}

// CanHighlight reports whether lang names a language it colours, as
// Hugo's transform.CanHighlight.
func (h *Highlighter) CanHighlight(lang string) bool { return lang != "" && h.lexer(lang) != nil }

// lexer returns the coalesced lexer for lang, or nil, remembering both:
// an unknown name is the slow case in chroma.
func (h *Highlighter) lexer(lang string) chroma.Lexer {
	if v, ok := h.lexers.Load(lang); ok {
		if l, ok := v.(chroma.Lexer); ok {
			return l
		}
		return nil
	}
	l := lexers.Get(lang)
	if l == nil {
		h.lexers.Store(lang, noLexer)
		return nil
	}
	l = chroma.Coalesce(l)
	h.lexers.Store(lang, l)
	return l
}

type formatterKey struct {
	lang                             string
	classes, lineNos, table, anchors bool
	anchorPrefix                     string
	start, tabWidth                  int
	hl                               string
}

// formatter returns a formatter for o writing lang's <pre> wrapper. Each
// formatter keeps its style's CSS, which is why they are kept.
func (h *Highlighter) formatter(lang string, o Options) *html.Formatter {
	key := formatterKey{
		lang: lang, classes: !o.NoClasses, lineNos: o.LineNos, table: o.LineNumbersInTable,
		anchors: o.AnchorLineNos, start: o.LineNoStart, tabWidth: o.TabWidth,
		hl: fmt.Sprint(o.HlLines),
	}
	if o.AnchorLineNos {
		key.anchorPrefix = o.LineAnchors
	}
	h.mu.Lock()
	f, ok := h.formatters[key]
	h.mu.Unlock()
	if ok {
		return f
	}
	var anchors string
	if o.LineAnchors != "" {
		anchors = o.LineAnchors + "-"
	}
	fopts := []html.Option{
		html.TabWidth(o.TabWidth),
		html.WithLineNumbers(o.LineNos),
		html.BaseLineNumber(o.LineNoStart),
		html.LineNumbersInTable(o.LineNumbersInTable),
		html.WithClasses(!o.NoClasses),
		html.WithLinkableLineNumbers(o.AnchorLineNos, anchors),
		html.WithPreWrapper(preWrapper{lang: lang}),
	}
	if len(o.HlLines) > 0 {
		ranges := make([][2]int, len(o.HlLines))
		for i, r := range o.HlLines {
			// Hugo counts hl_lines from the block's first line.
			ranges[i] = [2]int{r[0] + o.LineNoStart - 1, r[1] + o.LineNoStart - 1}
		}
		fopts = append(fopts, html.HighlightLines(ranges))
	}
	f = html.New(fopts...)
	h.mu.Lock()
	if len(h.formatters) < maxFormatters {
		h.formatters[key] = f
	}
	h.mu.Unlock()
	return f
}

func (h *Highlighter) write(b *strings.Builder, code, lang string, attrs []Attr, o Options) error {
	if len(code) > memoMaxCode {
		_, err := h.highlight(b, code, lang, attrs, o)
		return err
	}
	if !o.AnchorLineNos {
		// Anchors are the only per-block part of the output.
		o.LineAnchors = ""
	}
	key := fmt.Sprintf("%s\x00%v\x00%v\x00%s", lang, attrs, o, code)
	h.memoMu.Lock()
	out, ok := h.memo[key]
	h.memoMu.Unlock()
	if ok {
		b.WriteString(out)
		return nil
	}
	var nb strings.Builder
	clean, err := h.highlight(&nb, code, lang, attrs, o)
	if err != nil {
		return err
	}
	out = nb.String()
	b.WriteString(out)
	if !clean {
		// Perhaps a time-out (see tokenise): not to be repeated.
		return nil
	}
	h.memoMu.Lock()
	if h.memoSize+len(out)+len(key) <= memoBytes {
		h.memo[key] = out
		h.memoSize += len(out) + len(key)
	}
	h.memoMu.Unlock()
	return nil
}

// highlight writes code's HTML and reports whether chroma lexed all of it
// without Error tokens.
func (h *Highlighter) highlight(b *strings.Builder, code, lang string, attrs []Attr, o Options) (bool, error) {
	var lexer chroma.Lexer
	if lang != "" {
		lexer = h.lexer(lang)
	}
	if lexer == nil && o.GuessSyntax {
		lexer = lexers.Analyse(code)
		if lexer == nil {
			lexer = lexers.Fallback
		}
		lang = strings.ToLower(lexer.Config().Name)
		lexer = chroma.Coalesce(lexer)
	}
	if lexer == nil {
		// Hugo writes an unknown language without the highlight <div>.
		b.WriteString(preWrapper{lang: lang}.Start(true, ""))
		b.WriteString(stdhtml.EscapeString(code))
		b.WriteString(preEnd)
		return true, nil
	}
	tokens, err := tokenise(lexer, code)
	if err != nil {
		return false, fmt.Errorf("highlighting %s: %w", lang, err)
	}
	writeDivStart(b, o.WrapperClass, attrs)
	if err := h.formatter(lang, o).Format(b, styles.Get(o.Style), chroma.Literator(tokens...)); err != nil {
		return false, fmt.Errorf("highlighting %s: %w", lang, err)
	}
	b.WriteString("</div>")
	return !hasError(tokens), nil
}

// tokenise lexes code. Chroma gives each of its regular expressions 250 ms
// of wall time; on a machine busy enough, a match times out and its text
// comes out as an Error token, so the same page would highlight
// differently from one build to the next. Code with Error tokens is lexed
// again, up to retries times: invalid code keeps its Error tokens, a time
// out does not come back.
func tokenise(lexer chroma.Lexer, code string) ([]chroma.Token, error) {
	const retries = 3
	var tokens []chroma.Token
	for try := 0; try < retries; try++ {
		it, err := lexer.Tokenise(nil, code)
		if err != nil {
			return nil, err
		}
		tokens = it.Tokens()
		if !hasError(tokens) {
			break
		}
	}
	return tokens, nil
}

func hasError(tokens []chroma.Token) bool {
	for _, t := range tokens {
		if t.Type == chroma.Error {
			return true
		}
	}
	return false
}

func writeDivStart(b *strings.Builder, wrapperClass string, attrs []Attr) {
	b.WriteString(`<div class="`)
	b.WriteString(stdhtml.EscapeString(wrapperClass))
	for _, a := range attrs {
		if a.Name == "class" {
			b.WriteString(" " + stdhtml.EscapeString(fmt.Sprint(a.Value)))
			break
		}
	}
	b.WriteByte('"')
	for _, a := range attrs {
		if a.Name == "class" {
			continue
		}
		fmt.Fprintf(b, ` %s="%s"`, a.Name, stdhtml.EscapeString(fmt.Sprint(a.Value)))
	}
	b.WriteByte('>')
}

// preWrapper writes Hugo's <pre tabindex="0"><code class="language-go"
// data-lang="go">.
type preWrapper struct{ lang string }

const preEnd = "</code></pre>"

func (p preWrapper) Start(code bool, styleAttr string) string {
	var b strings.Builder
	b.WriteString(`<pre tabindex="0"`)
	b.WriteString(styleAttr)
	b.WriteString("><code")
	if code && p.lang != "" {
		l := stdhtml.EscapeString(p.lang)
		b.WriteString(` class="language-` + l + `" data-lang="` + l + `"`)
	}
	b.WriteByte('>')
	return b.String()
}

func (p preWrapper) End(bool) string { return preEnd }
