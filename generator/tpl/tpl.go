// Package tpl loads a site's layouts with Hugo's lookup order — the site's
// layouts/ over the theme's — and composes each layout with its baseof.
// Themes are data: any fs.FS, embedded or on disk.
package tpl

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
	texttemplate "text/template"

	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/generator/tplfuncs"
)

// Layer is one folder of layouts: the site's or a theme's.
type Layer struct {
	FS      fs.FS  // rooted at the layouts folder
	Display string // how errors name it: "layouts" or "themes/default/layouts"
}

type source struct {
	name  string // display path, used as the template name so errors point at the file
	text  string
	layer int // 0 for the site's layouts, then the themes' in order
}

// Set is a site's templates. Safe for concurrent use.
type Set struct {
	funcs    template.FuncMap
	layouts  map[string]source // "_default/single.html" → winning layer's file
	mu       sync.Mutex
	composed map[string]*template.Template
	partials map[string]*template.Template
	// shortcodes holds layouts/_shortcodes/ and layouts/shortcodes/,
	// by path below layouts/.
	shortcodes map[string]*template.Template
}

// New makes an empty set; call Load before use. It is separate so that
// template functions such as partial can close over the set.
func New() *Set { return &Set{} }

// Load reads every layout, earlier layers winning, and parses each one so
// that every syntax error in every file is reported at once.
func (s *Set) Load(funcs template.FuncMap, layers ...Layer) error {
	s.funcs = funcs
	s.layouts = map[string]source{}
	s.composed = map[string]*template.Template{}
	s.partials = map[string]*template.Template{}
	s.shortcodes = map[string]*template.Template{}
	for i := len(layers) - 1; i >= 0; i-- {
		l := layers[i]
		if l.FS == nil {
			continue
		}
		err := fs.WalkDir(l.FS, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || strings.HasPrefix(d.Name(), ".") || !isTemplate(p) {
				return nil
			}
			b, err := fs.ReadFile(l.FS, p)
			if err != nil {
				return err
			}
			s.layouts[p] = source{name: l.Display + "/" + p, text: string(b), layer: i}
			return nil
		})
		if err != nil {
			return fmt.Errorf("reading %s: %w", l.Display, err)
		}
	}
	var errs diag.List
	names := make([]string, 0, len(s.layouts))
	for k := range s.layouts {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		src := s.layouts[k]
		t, err := parseLayout(template.New(src.name).Funcs(funcs), src.text)
		if err != nil {
			errs.Add(Error(err))
			continue
		}
		if strings.HasPrefix(k, "partials/") {
			s.partials[strings.TrimPrefix(k, "partials/")] = lowerParams(t)
		}
		if strings.HasPrefix(k, "shortcodes/") || strings.HasPrefix(k, "_shortcodes/") {
			s.shortcodes[k] = t
		}
	}
	return errs.Err()
}

func isTemplate(p string) bool {
	switch path.Ext(p) {
	case ".html", ".xml", ".txt", ".json":
		return true
	}
	return false
}

// Shortcode returns the template of the shortcode called name, or nil,
// in Hugo's order: the site's layouts/_shortcodes/ (Hugo 0.146's folder)
// and layouts/shortcodes/, then the theme's; in each, the HTML output
// format's NAME.html.html before NAME.html.
func (s *Set) Shortcode(name string) *template.Template {
	var best *template.Template
	bestLayer := -1
	for _, dir := range []string{"_shortcodes/", "shortcodes/"} {
		for _, file := range []string{name + ".html.html", name + ".html"} {
			t, ok := s.shortcodes[dir+file]
			if !ok {
				continue
			}
			if layer := s.layouts[dir+file].layer; best == nil || layer < bestLayer {
				best, bestLayer = t, layer
			}
		}
	}
	return best
}

// Has reports whether a layout exists, e.g. "_default/single.html".
func (s *Set) Has(name string) bool {
	_, ok := s.layouts[name]
	return ok
}

// Lookup returns the first candidate layout that exists, composed with its
// baseof when it defines blocks, or nil when none exists.
func (s *Set) Lookup(typ string, candidates ...string) (*template.Template, error) {
	for _, c := range candidates {
		src, ok := s.layouts[c]
		if !ok {
			continue
		}
		base, hasBase := s.baseFor(c, typ)
		key := c + "|" + base.name
		s.mu.Lock()
		defer s.mu.Unlock()
		if t, ok := s.composed[key]; ok {
			return t, nil
		}
		t, err := s.compose(src, base, hasBase)
		if err != nil {
			return nil, err
		}
		s.composed[key] = t
		return t, nil
	}
	return nil, nil
}

func (s *Set) baseFor(layout, typ string) (source, bool) {
	var cands []string
	if d := path.Dir(layout); d != "." {
		cands = append(cands, d+"/baseof.html")
	}
	if typ != "" {
		cands = append(cands, typ+"/baseof.html")
	}
	cands = append(cands, "_default/baseof.html", "baseof.html")
	for _, c := range cands {
		if src, ok := s.layouts[c]; ok {
			return src, true
		}
	}
	return source{}, false
}

// compose parses the layout into a copy of its baseof, Hugo's mechanism:
// the layout's {{ define "main" }} fills the base's {{ block "main" }}. A
// layout that defines nothing stands alone.
func (s *Set) compose(layout, base source, hasBase bool) (*template.Template, error) {
	alone, err := parseLayout(template.New(layout.name).Funcs(s.funcs), layout.text)
	if err != nil {
		return nil, Error(err)
	}
	if !hasBase || len(alone.Templates()) <= 1 {
		return lowerParams(alone), nil
	}
	t, err := parseLayout(template.New(base.name).Funcs(s.funcs), base.text)
	if err != nil {
		return nil, Error(err)
	}
	if _, err := parseLayout(t.New(layout.name), layout.text); err != nil {
		return nil, Error(err)
	}
	return lowerParams(t), nil
}

// parseLayout parses text into t and prepares every template it defines for
// Hugo's keywords html/template lacks (see tplfuncs.Rewrite).
func parseLayout(t *template.Template, text string) (*template.Template, error) {
	t, err := t.Parse(text)
	if err != nil {
		return nil, err
	}
	for _, d := range t.Templates() {
		if err := tplfuncs.Rewrite(d.Tree); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// Include executes partials/NAME (".html" may be left off, and a
// "partials/" prefix is tolerated, as in Hugo) with data: the value of its
// return statement when it runs one, else its output as template.HTML.
func (s *Set) Include(name string, data any) (any, error) {
	name = strings.TrimPrefix(name, "partials/")
	t, ok := s.partials[name]
	if !ok {
		t, ok = s.partials[name+".html"]
	}
	if !ok {
		return "", fmt.Errorf("partial %q not found in layouts/partials/ or the theme's", name)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		var ret *tplfuncs.ReturnSignal
		if errors.As(err, &ret) {
			return ret.Value, nil
		}
		return "", Error(err)
	}
	return template.HTML(b.String()), nil
}

// Exists reports whether a layout exists, by its path below layouts/
// ("partials/x.html"), as Hugo's templates.Exists.
func (s *Set) Exists(name string) bool { return s.Has(name) }

// ExecuteText runs text as a text/template (no HTML escaping: the text is
// CSS or JavaScript, as in Hugo) with the set's functions, for
// resources.ExecuteAsTemplate; name is used in errors.
func (s *Set) ExecuteText(name, text string, data any) (string, error) {
	t, err := texttemplate.New(name).Funcs(texttemplate.FuncMap(s.funcs)).Parse(text)
	if err != nil {
		return "", Error(err)
	}
	for _, d := range t.Templates() {
		if err := tplfuncs.Rewrite(d.Tree); err != nil {
			return "", Error(err)
		}
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return "", Error(err)
	}
	return b.String(), nil
}

// Execute runs t and turns its error into file:line form.
func Execute(w io.Writer, t *template.Template, data any) error {
	if err := t.Execute(w, data); err != nil {
		return Error(err)
	}
	return nil
}

// Error strips the "template: " prefix so that messages start with the
// template's file and line, as every other build error does.
func Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, p := range []string{"html/template:", "template: "} {
		msg = strings.TrimPrefix(msg, p)
	}
	// Nested partial errors repeat the prefix; keep the innermost position.
	if i := strings.LastIndex(msg, "template: "); i > 0 {
		msg = msg[i+len("template: "):]
	}
	return &tplError{msg: msg, err: err}
}

type tplError struct {
	msg string
	err error
}

func (e *tplError) Error() string { return e.msg }
func (e *tplError) Unwrap() error { return e.err }

// Candidates is Hugo's lookup order for a page, most specific first.
func Candidates(kind, typ, section, layout, singular string) []string {
	var c []string
	switch kind {
	case "page":
		if layout != "" {
			c = append(c, typ+"/"+layout+".html", "_default/"+layout+".html")
		}
		c = append(c, typ+"/single.html", "_default/single.html")
	case "home":
		c = append(c, "index.html", "home.html", "_default/home.html", "_default/list.html")
	case "section":
		c = append(c, section+"/section.html", section+"/list.html", "section/"+section+".html", "_default/section.html", "_default/list.html")
	case "taxonomy":
		c = append(c, section+"/taxonomy.html", "taxonomy/"+singular+".terms.html", "_default/taxonomy.html", "_default/terms.html", "_default/list.html")
	case "term":
		c = append(c, section+"/term.html", "taxonomy/"+singular+".html", "_default/term.html", "_default/taxonomy.html", "_default/list.html")
	case "404":
		c = append(c, "404.html", "_default/404.html")
	}
	return c
}
