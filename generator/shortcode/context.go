package shortcode

import (
	"fmt"
	"html/template"
	"strings"
	"sync"

	"github.com/agora-hub/agora/generator/tplfuncs"
)

// Context is the dot of a shortcode template, with Hugo's names.
type Context struct {
	Name   string
	Params any // []any for positional arguments, map[string]any for named ones
	// IsNamedParams reports named arguments.
	IsNamedParams bool
	// Inner is the content between the tags: for {{< >}} the text as
	// written (nested calls rendered), for a nested {{% %}} that text
	// rendered as Markdown.
	Inner template.HTML
	// Ordinal is the call's zero-based index among its siblings: in the
	// page, or in its parent.
	Ordinal int
	Page    any
	Parent  *Context

	doc    *Doc
	r      *Renderer
	pos    int
	indent string

	scratchOnce sync.Once
	scratch     *tplfuncs.Scratch
}

// Get returns an argument by position (an int) or name (a string). Asking
// a positional call by name, or a named call by position, gives nil, so
// that `.Get "id" | default (.Get 0)` works either way; a position past
// the end or a missing name gives "". This is Hugo's contract.
func (c *Context) Get(key any) any {
	switch p := c.Params.(type) {
	case []any:
		switch k := key.(type) {
		case int:
			if k < 0 || k >= len(p) {
				return ""
			}
			return p[k]
		case int64:
			if k < 0 || int(k) >= len(p) {
				return ""
			}
			return p[k]
		}
		return nil
	case map[string]any:
		if k, ok := key.(string); ok {
			if v, ok := p[k]; ok {
				return v
			}
			return ""
		}
		return nil
	}
	return nil
}

// InnerDeindent is Inner without the indentation of the line the call
// started on, so that an indented {{< highlight >}} keeps its code's own
// indentation only.
func (c *Context) InnerDeindent() template.HTML {
	if c.indent == "" {
		return c.Inner
	}
	lines := strings.SplitAfter(string(c.Inner), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimPrefix(l, c.indent)
	}
	return template.HTML(strings.Join(lines, ""))
}

// Position is where the call starts: file:line:col in the content file.
func (c *Context) Position() Position { return c.doc.position(c.pos) }

// Site is the page's site.
func (c *Context) Site() any { return c.doc.Site }

// Scratch is a scratch pad for this call, shared by nothing else.
func (c *Context) Scratch() *tplfuncs.Scratch {
	c.scratchOnce.Do(func() { c.scratch = tplfuncs.NewScratch() })
	return c.scratch
}

// Store is Scratch's newer name in Hugo.
func (c *Context) Store() *tplfuncs.Scratch { return c.Scratch() }

// Ref is the absolute permalink of the page args names (a path, or a map
// with "path"), for Hugo's ref function.
func (c *Context) Ref(args any) (string, error) { return c.ref(args, true) }

// RelRef is Ref's relative permalink.
func (c *Context) RelRef(args any) (string, error) { return c.ref(args, false) }

func (c *Context) ref(args any, abs bool) (string, error) {
	var target string
	switch a := args.(type) {
	case string:
		target = a
	case []any:
		if len(a) > 0 {
			target = fmt.Sprint(a[0])
		}
	case map[string]any:
		target = fmt.Sprint(a["path"])
	}
	if c.doc.Ref == nil {
		return "", fmt.Errorf("ref %q: this page cannot look pages up", target)
	}
	return c.doc.Ref(target, abs)
}

// Position is a place in a content file, as Hugo's text.Position.
type Position struct {
	Filename     string
	LineNumber   int
	ColumnNumber int
	Offset       int
}

func (p Position) String() string {
	return fmt.Sprintf("%s:%d:%d", p.Filename, p.LineNumber, p.ColumnNumber)
}
