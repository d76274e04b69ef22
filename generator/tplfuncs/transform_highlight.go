package tplfuncs

import (
	"fmt"
	"html/template"
)

// Highlighter colours code: the site's, configured by markup.highlight.
type Highlighter interface {
	Highlight(code, lang string, opts any) (string, error)
	CanHighlight(lang string) bool
}

// HighlightFunc returns Hugo's highlight (transform.Highlight) bound to h:
//
//	{{ highlight "x := 1" "go" "linenos=table,hl_lines=1" }}
//
// OPTIONS is a "key=value,…" string or a map; leaving it out uses the
// site's markup.highlight as it is.
func HighlightFunc(h Highlighter) func(code, lang any, opts ...any) (template.HTML, error) {
	return func(code, lang any, opts ...any) (template.HTML, error) {
		c, err := toString(code)
		if err != nil {
			return "", fail("highlight", "code: %w", err)
		}
		l, err := toString(lang)
		if err != nil {
			return "", fail("highlight", "language: %w", err)
		}
		var o any
		switch len(opts) {
		case 0:
		case 1:
			o = opts[0]
		default:
			return "", fail("highlight", "want code, language and at most one options argument, got %d arguments", 2+len(opts))
		}
		out, err := h.Highlight(c, l, o)
		if err != nil {
			return "", &funcError{fn: "highlight", err: fmt.Errorf("%w", err)}
		}
		return template.HTML(out), nil
	}
}
