package tplfuncs

import (
	"errors"
	"html/template"
	"io/fs"
	"testing/fstest"
	"time"

	"github.com/agora-hub/agora/generator/assets"
)

// Example documents one function by a template, the data it runs on and
// the exact html/template output, or "error: " and a part of the error.
// Examples run in the package's tests with ExampleDeps, so this
// documentation can't drift from the behaviour.
type Example struct {
	Name     string // the function being shown: short or namespaced name
	Template string
	Data     any
	Want     string
}

// ExampleDeps is the small site the examples run against: base URL
// https://example.org/hub/, a site folder with data/team.json and
// assets/, a partial or two, English translations, HUGO_ENV=production.
func ExampleDeps(warn func(string)) Deps {
	files := fstest.MapFS{
		"data/team.json":        {Data: []byte(`{"name":"Ada"}`)},
		"data/notes.txt":        {Data: []byte("hello\n")},
		"assets/css/main.css":   {Data: []byte("body {\n  color: red;\n}\n")},
		"assets/js/a.js":        {Data: []byte("var a = 1")},
		"assets/js/b.js":        {Data: []byte("var b = 2;\n")},
		"assets/data/list.json": {Data: []byte(`{"items": [1, 2]}`)},
	}
	assetsFS, _ := fs.Sub(files, "assets")
	site := &exampleSite{pages: map[string]*examplePage{}}
	for _, p := range examplePages() {
		site.pages[p.section+"/"+urlsSlug(p.title)] = p
	}
	return Deps{
		Site:        func() any { return site },
		Hugo:        func() any { return map[string]any{"Version": "0.111.3", "Environment": "production"} },
		Now:         func() time.Time { return time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC) },
		Location:    time.UTC,
		RelURL:      func(s string) string { return exampleBase.rel(s) },
		AbsURL:      func(s string) string { return exampleBase.abs(s) },
		Markdownify: func(s string) string { return "<em>" + template.HTMLEscapeString(s) + "</em>" },
		Partials:    examplePartials{},
		Files:       files,
		Warn:        warn,
		IgnoreLogs:  []string{"old-shortcode"},
		I18n:        exampleTranslations{},
		Lang:        "en",
		Assets:      exampleAssets(assetsFS),
	}
}

type exampleSite struct{ pages map[string]*examplePage }

// GetPage finds a page by "section/slug".
func (s *exampleSite) GetPage(ref string) *examplePage { return s.pages[trimSlashes(ref)] }

func trimSlashes(s string) string {
	for len(s) > 0 && s[0] == '/' {
		s = s[1:]
	}
	for len(s) > 0 && s[len(s)-1] == '/' {
		s = s[:len(s)-1]
	}
	return s
}

func urlsSlug(s string) string {
	u, _ := (&urlsNS{}).URLize(s)
	return u
}

// examplePartials are two partials: "greet.html" renders, "double.html"
// returns a value.
type examplePartials struct{}

func (examplePartials) Include(name string, data any) (any, error) {
	switch name {
	case "greet.html", "greet":
		s, _ := toString(data)
		return template.HTML("<b>Hello " + template.HTMLEscapeString(s) + "</b>"), nil
	case "double.html", "double":
		n, err := toInt(data)
		return n * 2, err
	}
	return nil, errors.New("partial: " + name + " not found")
}

func (examplePartials) Exists(name string) bool {
	return name == "partials/greet.html" || name == "partials/double.html"
}

// exampleTranslations are English strings with plural forms.
type exampleTranslations struct{}

func (exampleTranslations) Translate(id string, data any) (string, bool, error) {
	switch id {
	case "home":
		return "Home", true, nil
	case "minutes":
		n, _ := toInt(data)
		if n == 1 {
			return "One minute", true, nil
		}
		s, _ := toString(data)
		return s + " minutes", true, nil
	}
	return "", false, nil
}

// examplePage stands in for a page: exported methods on an unexported
// type, some with pointer receivers, the shape where and sort resolve.
type examplePage struct {
	title, section string
	date           time.Time
	params         map[string]any
}

func (p *examplePage) Title() string          { return p.title }
func (p *examplePage) Section() string        { return p.section }
func (p *examplePage) Date() time.Time        { return p.date }
func (p *examplePage) Params() map[string]any { return p.params }
func (p *examplePage) RelPermalink() string {
	return exampleBase.rel(p.section + "/" + urlsSlug(p.title) + "/")
}
func (p *examplePage) Permalink() string {
	return exampleBase.abs(p.section + "/" + urlsSlug(p.title) + "/")
}

// exampleBase is the examples' site URL.
var exampleBase = baseURL{"https://example.org", "/hub/"}

type baseURL struct{ host, path string }

func (b baseURL) rel(s string) string {
	for len(s) > 0 && s[0] == '/' {
		s = s[1:]
	}
	return b.path + s
}
func (b baseURL) abs(s string) string { return b.host + b.rel(s) }

func examplePages() []*examplePage {
	day := func(s string) time.Time {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			panic(err) // the literals below are valid dates
		}
		return t
	}
	return []*examplePage{
		{title: "Go tips", section: "tips", date: day("2024-03-01"),
			params: map[string]any{"tags": []any{"go", "tools"}, "weight": 2}},
		{title: "Hello", section: "blog", date: day("2024-01-15"),
			params: map[string]any{"tags": []any{"intro"}, "pinned": true, "weight": 1}},
		{title: "Rust notes", section: "tips", date: day("2024-02-10"),
			params: map[string]any{"tags": []any{"rust"}}},
	}
}

// Examples returns at least one example per function of Generic, built
// afresh on every call.
func Examples() []Example {
	var all []Example
	for _, f := range []func() []Example{
		castExamples, collectionsExamples, compareExamples, cryptoExamples, encodingExamples,
		fmtExamples, hashExamples, inflectExamples, langExamples, mathExamples, osExamples,
		partialsExamples, pathExamples, reflectExamples, resourcesExamples, safeExamples,
		stringsExamples, templatesExamples, timeExamples, transformExamples, urlsExamples,
		debugExamples, imagesExamples,
	} {
		all = append(all, f()...)
	}
	return all
}

func exampleAssets(fsys fs.FS) *assets.Pipeline {
	return assets.New(assets.Options{
		Layers: []assets.Layer{{FS: fsys, Display: "assets"}},
		RelURL: exampleBase.rel,
		AbsURL: exampleBase.abs,
	})
}
