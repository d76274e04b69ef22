package generator

import (
	"fmt"
	"html/template"
	"runtime/debug"
	"time"

	"github.com/agora-hub/agora/generator/highlight"
	"github.com/agora-hub/agora/generator/markup"
	"github.com/agora-hub/agora/generator/page"
	"github.com/agora-hub/agora/generator/tpl"
	"github.com/agora-hub/agora/generator/tplfuncs"
)

// hugoInfo answers the `hugo` function many Hugo layouts call.
type hugoInfo struct {
	Generator    template.HTML
	Version      string
	Environment  string
	IsProduction bool
}

// funcs is the template function map: the generic functions plus those
// bound to this build's site, clock and templates.
func funcs(site *page.Site, current func() *page.Site, set *tpl.Set, hl *highlight.Highlighter) template.FuncMap {
	base := site.Config().Base
	str := func(v any) string {
		if s, ok := v.(string); ok {
			return s
		}
		return fmt.Sprint(v)
	}
	version := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		version = bi.Main.Version
	}
	info := hugoInfo{
		Generator: template.HTML(`<meta name="generator" content="Agora">`), Version: version,
		Environment: "production", IsProduction: true,
	}
	f := tplfuncs.Generic()
	bound := template.FuncMap{
		"relURL":        func(v any) string { return base.Rel(str(v)) },
		"absURL":        func(v any) string { return base.Abs(str(v)) },
		"relLangURL":    func(v any) string { return base.Rel(str(v)) },
		"absLangURL":    func(v any) string { return base.Abs(str(v)) },
		"markdownify":   func(v any) template.HTML { return template.HTML(site.Markdown().RenderInline(str(v))) },
		"plainify":      func(v any) string { return markup.Plainify(str(v)) },
		"partial":       set.Partial,
		"partialCached": func(name string, data any, _ ...any) (template.HTML, error) { return set.Partial(name, data) },
		"site":          current,
		"now":           func() time.Time { return current().Now() },
		"hugo":          func() hugoInfo { return info },
		"highlight":     tplfuncs.HighlightFunc(hl),
	}
	for name, fn := range bound {
		f[name] = fn
	}
	return f
}
