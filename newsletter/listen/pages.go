package listen

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
)

// The pages repeat the default theme's frame (header, main, footer, class
// names), so that the site's stylesheet, served at /style.css, styles them
// like the site's own pages.
//
//go:embed pages/*.html
var pageFiles embed.FS

type pages struct {
	byName map[string]*template.Template
}

func loadPages() (*pages, error) {
	layout, err := template.ParseFS(pageFiles, "pages/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(pageFiles, "pages/*.html")
	if err != nil {
		return nil, err
	}
	p := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "pages/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(pageFiles, n)
		if err != nil {
			return nil, err
		}
		p.byName[name] = t
	}
	return p, nil
}

// view is what every page sees: the site and the page's own data.
type view struct {
	Site siteView
	P    any
}

type siteView struct {
	Title, Language, Copyright, BaseURL, Newsletter, CSS string
}

type link struct{ URL, Text string }

type choice struct {
	Key, Title string
	Checked    bool
}

type subscribePage struct {
	Action, Notice, Email, Name, FormToken string
	Topics                                 []choice
	Errors                                 map[string]string
}

type confirmPage struct {
	Action, Email, Name string
	Topics              []string
	Days                int
}

type preferencesPage struct {
	Action, Email, Name, UnsubscribeURL string
	Topics                              []choice
	Errors                              map[string]string
	Saved, Unsubscribed, Pending        bool
}

type unsubscribePage struct{ Action, Email string }

type messagePage struct {
	Heading string
	Lines   []string
	Links   []link
}

// render writes a page whole or not at all: a template error after the
// status line would leave half a page and no way to say so.
func (s *Service) render(w http.ResponseWriter, _ *http.Request, status int, name string, data any) {
	t := s.pages.byName[name]
	lang := s.opt.Site.Language
	if lang == "" {
		lang = "en"
	}
	var buf bytes.Buffer
	err := error(nil)
	if t == nil {
		err = fmt.Errorf("no page %q", name)
	} else {
		err = t.ExecuteTemplate(&buf, "layout", view{
			Site: siteView{
				Title: s.opt.Site.Title, Language: lang, Copyright: s.opt.Site.Copyright,
				BaseURL: s.opt.Site.BaseURL.String(), Newsletter: s.siteURL("newsletter/"), CSS: s.cssPath,
			},
			P: data,
		})
	}
	if err != nil {
		s.log.Printf("page %s: %v", name, err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
