package shortcode

import (
	"fmt"
	"strings"

	"github.com/agora-hub/agora/generator/shortcode/lex"
)

// node is page text or a call.
type node struct {
	text string
	call *call
}

// call is one shortcode call with its nested content.
type call struct {
	name    string
	markup  bool // {{% %}}: the output is Markdown
	inline  bool // name.inline
	params  any  // nil, []any or map[string]any, as Hugo's .Params
	inner   []node
	paired  bool // closed by {{< /name >}}
	pos     int  // byte offset of {{< in the body
	indent  string
	ordinal int
}

// takesInner tells whether the shortcode called name takes inner content
// (its template reads .Inner or .InnerDeindent), and whether it exists.
type takesInner func(name string) (inner, found bool)

type parser struct {
	toks  []lex.Token
	i     int
	inner takesInner
}

// posError is a problem at a byte offset of the body.
type posError struct {
	pos int
	err error
}

func (e *posError) Error() string { return e.err.Error() }

func errAt(pos int, format string, args ...any) error {
	return &posError{pos: pos, err: fmt.Errorf(format, args...)}
}

// parse builds the call tree from the lexer's tokens. Like Hugo, it asks
// the templates whether a call takes inner content: one that does reads
// text and nested calls up to its closing tag, one that does not ends at
// its >}}.
func parseCalls(toks []lex.Token, inner takesInner) ([]node, error) {
	p := &parser{toks: toks, inner: inner}
	nodes, err := p.nodes(nil)
	return nodes, err
}

func (p *parser) peek(k int) *lex.Token {
	if p.i+k < len(p.toks) {
		return &p.toks[p.i+k]
	}
	return nil
}

// nodes reads up to the end of input, or for parent up to its closing tag.
func (p *parser) nodes(parent *call) ([]node, error) {
	var out []node
	ordinal := 0
	for p.i < len(p.toks) {
		t := p.toks[p.i]
		if t.Kind == lex.Text {
			out = append(out, node{text: t.Val})
			p.i++
			continue
		}
		// A left delimiter.
		if next := p.peek(1); next != nil && next.Kind == lex.Close {
			name := p.peek(2)
			if err := p.closing(parent, t.Pos, name); err != nil {
				return nil, err
			}
			p.i += 4 // {{< / name >}}
			return out, nil
		}
		c, err := p.call(ordinal)
		if err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && out[n-1].call == nil {
			c.indent = indentation(out[n-1].text, n == 1 && parent == nil)
		}
		ordinal++
		out = append(out, node{call: c})
	}
	if parent != nil {
		return nil, errAt(parent.pos, "shortcode %q is not closed: add {{< /%s >}}, or write {{< %s />}} if it has no inner content", parent.name, parent.name, parent.name)
	}
	return out, nil
}

// closing checks a closing tag at pos against the call it closes.
func (p *parser) closing(parent *call, pos int, name *lex.Token) error {
	if name == nil || name.Kind != lex.Name {
		return errAt(pos, "closing tag without a shortcode name")
	}
	switch {
	case parent != nil && parent.name == name.Val:
		parent.paired = true
		return nil
	case parent != nil:
		return errAt(pos, "{{< /%s >}} does not match the open shortcode %q", name.Val, parent.name)
	}
	if takes, found := p.inner(name.Val); found && !takes {
		return errAt(pos, "shortcode %q takes no inner content (its template uses neither .Inner nor .InnerDeindent), yet {{< /%s >}} closes it", name.Val, name.Val)
	}
	return errAt(pos, "{{< /%s >}} closes a shortcode that is not open", name.Val)
}

// call reads one call from its left delimiter.
func (p *parser) call(ordinal int) (*call, error) {
	open := p.toks[p.i]
	c := &call{markup: open.Markup, pos: open.Pos, ordinal: ordinal}
	p.i++
	for p.i < len(p.toks) {
		t := p.toks[p.i]
		p.i++
		switch t.Kind {
		case lex.Name:
			c.name, c.inline = t.Val, t.Inline
		case lex.Param:
			if next := p.peek(0); next != nil && next.Kind == lex.Value {
				m, _ := c.params.(map[string]any)
				if m == nil {
					m = map[string]any{}
					c.params = m
				}
				m[t.Val] = next.Typed()
				p.i++
				continue
			}
			list, _ := c.params.([]any)
			c.params = append(list, t.Typed())
		case lex.Close:
			// Self-closing: the lexer guarantees >}} follows.
			p.i++
			return c, nil
		case lex.RightDelim:
			if c.name == "" {
				return nil, errAt(open.Pos, "shortcode without a name")
			}
			takes := c.inline
			if !c.inline {
				var found bool
				if takes, found = p.inner(c.name); !found {
					return nil, errAt(open.Pos, "unknown shortcode %q", c.name)
				}
			}
			if !takes {
				return c, nil
			}
			inner, err := p.nodes(c)
			if err != nil {
				return nil, err
			}
			c.inner = inner
			return c, nil
		}
	}
	return nil, errAt(open.Pos, "shortcode %q is not closed", c.name)
}

// indentation is the blank run that starts the line a call is on, which
// Hugo keeps: .InnerDeindent removes it from inner lines, and output lines
// after the first get it, so that a call inside a list item stays there.
func indentation(before string, atStart bool) string {
	i := strings.LastIndexByte(before, '\n')
	if i < 0 && !atStart {
		return ""
	}
	tail := before[i+1:]
	if strings.Trim(tail, " \t") != "" {
		return ""
	}
	return tail
}
