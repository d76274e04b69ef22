package generator

import (
	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/generator/highlight"
	"github.com/agora-hub/agora/generator/markup"
	"github.com/agora-hub/agora/generator/page"
	"github.com/agora-hub/agora/generator/shortcode"
)

// highlightOptions are site.toml's [markup.highlight] over Hugo's
// defaults. The built-in theme colours code itself, light and dark, with
// classes (its css/chroma.css): so a site on it that chose neither a style
// nor noClasses gets classes rather than Hugo's inline monokai.
func highlightOptions(h config.Highlight, builtinTheme bool) (highlight.Options, error) {
	o := highlight.Defaults()
	if builtinTheme && h.Style == "" && h.NoClasses == nil {
		o.NoClasses = false
	}
	if h.Style != "" {
		o.Style = h.Style
	}
	if h.NoClasses != nil {
		o.NoClasses = *h.NoClasses
	}
	if h.LineNumbersInTable != nil {
		o.LineNumbersInTable = *h.LineNumbersInTable
	}
	if h.CodeFences != nil {
		o.CodeFences = *h.CodeFences
	}
	o.AnchorLineNos, o.GuessSyntax, o.LineAnchors = h.AnchorLineNos, h.GuessSyntax, h.LineAnchors
	if h.LineNoStart != 0 {
		o.LineNoStart = h.LineNoStart
	}
	if h.TabWidth != 0 {
		o.TabWidth = h.TabWidth
	}
	if h.WrapperClass != "" {
		o.WrapperClass = h.WrapperClass
	}
	opts := map[string]any{}
	if h.LineNos != nil {
		opts["linenos"] = h.LineNos
	}
	if h.HlLines != "" {
		opts["hl_lines"] = h.HlLines
	}
	var lang, code string
	if err := highlight.Apply(&o, opts, &lang, &code); err != nil {
		return o, diag.At(config.FileName, 0, "markup.highlight: %v", err)
	}
	return o, nil
}

// codeFences is the Markdown renderer's code block highlighter, or nil
// when markup.highlight.codeFences is off.
func codeFences(h *highlight.Highlighter) markup.CodeHighlighter {
	if !h.Base().CodeFences {
		return nil
	}
	return h
}

// bodies renders pages' bodies: shortcodes, Markdown, then the shortcodes'
// HTML, with what the shortcodes see of the page.
type bodies struct {
	sc *shortcode.Renderer
}

func (b bodies) RenderBody(p *page.Page, body []byte) (markup.Result, error) {
	src := p.Source()
	site := p.Site()
	doc := &shortcode.Doc{
		File: src.Path, Line: src.BodyLine, Page: p, Site: site,
		Param:    p.Param,
		Ref:      func(ref string, abs bool) (string, error) { return site.Ref(p, ref, abs) },
		Resource: p.Resource,
		Markdown: p.Markdown(),
	}
	return b.sc.Render(doc, body)
}
