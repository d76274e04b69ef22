package siteimport

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// jekyllStyles are Jekyll's named permalink styles (Jekyll's
// Utils#permalink_style_template).
var jekyllStyles = map[string]string{
	"date":     "/:categories/:year/:month/:day/:title:output_ext",
	"pretty":   "/:categories/:year/:month/:day/:title/",
	"ordinal":  "/:categories/:year/:y_day/:title:output_ext",
	"weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
	"none":     "/:categories/:title:output_ext",
}

// jekyllToken matches a Jekyll permalink placeholder.
var jekyllToken = regexp.MustCompile(`:(output_ext|categories|collection|short_year|short_month|long_month|short_day|long_day|i_month|i_day|y_day|w_year|week_day|week|year|month|day|hour|minute|second|title|slug|path|name|basename)`)

// hugoTokens are Jekyll's placeholders that Hugo's permalinks say the
// same way: named tokens, or Go date layouts.
var hugoTokens = map[string]string{
	"year": ":year", "month": ":month", "day": ":day",
	"title": ":slugorfilename", "slug": ":slugorfilename",
	"short_year": ":06", "i_month": ":1", "i_day": ":2", "y_day": ":002",
	"short_month": ":Jan", "long_month": ":January", "short_day": ":Mon", "long_day": ":Monday",
	"hour": ":15", "minute": ":04", "second": ":05",
	"output_ext": ".html",
}

// expandStyle turns a style name into its pattern; a pattern is returned
// as it is.
func expandStyle(p string) string {
	if s, ok := jekyllStyles[p]; ok {
		return s
	}
	return p
}

// hugoPermalink translates a Jekyll pattern for posts into Hugo's, with
// :categories left out (pages that have categories get their URL in front
// matter instead). ok is false when a placeholder has no Hugo form.
func hugoPermalink(pattern string) (string, bool) {
	ok := true
	out := jekyllToken.ReplaceAllStringFunc(pattern, func(tok string) string {
		name := tok[1:]
		if name == "categories" {
			return ""
		}
		h, found := hugoTokens[name]
		if !found {
			ok = false
		}
		return h
	})
	out = collapseSlashes(out)
	return out, ok
}

func collapseSlashes(s string) string {
	for strings.Contains(s, "//") {
		s = strings.ReplaceAll(s, "//", "/")
	}
	if !strings.HasPrefix(s, "/") {
		s = "/" + s
	}
	return s
}

// jekyllDoc is what Jekyll's URL placeholders are filled in from.
type jekyllDoc struct {
	date       time.Time
	slug       string // the name without date and extension, or front matter slug
	categories []string
	collection string
	path       string // a collection document's path below its folder, without extension
	dir        string // a page's folder from the site root, "" at the root
	basename   string // a page's file name without extension
	html       bool   // written as HTML (every page and document Agora writes is)
}

// jekyllURL fills a Jekyll pattern in for d, as Jekyll's URL class does:
// placeholders replaced, repeated slashes collapsed.
func jekyllURL(pattern string, d jekyllDoc) string {
	out := jekyllToken.ReplaceAllStringFunc(pattern, func(tok string) string {
		t := d.date
		switch tok[1:] {
		case "year":
			return strconv.Itoa(t.Year())
		case "month":
			return fmt.Sprintf("%02d", int(t.Month()))
		case "day":
			return fmt.Sprintf("%02d", t.Day())
		case "i_month":
			return strconv.Itoa(int(t.Month()))
		case "i_day":
			return strconv.Itoa(t.Day())
		case "short_year":
			return t.Format("06")
		case "short_month":
			return t.Format("Jan")
		case "long_month":
			return t.Format("January")
		case "short_day":
			return t.Format("Mon")
		case "long_day":
			return t.Format("Monday")
		case "y_day":
			return fmt.Sprintf("%03d", t.YearDay())
		case "week":
			_, w := t.ISOWeek()
			return fmt.Sprintf("%02d", w)
		case "w_year":
			y, _ := t.ISOWeek()
			return strconv.Itoa(y)
		case "week_day":
			wd := int(t.Weekday())
			if wd == 0 {
				wd = 7
			}
			return strconv.Itoa(wd)
		case "hour":
			return t.Format("15")
		case "minute":
			return t.Format("04")
		case "second":
			return t.Format("05")
		case "title", "slug", "name":
			return d.slug
		case "categories":
			var cats []string
			seen := map[string]bool{}
			for _, c := range d.categories {
				c = strings.ToLower(c)
				if c != "" && !seen[c] {
					seen[c] = true
					cats = append(cats, c)
				}
			}
			return strings.Join(cats, "/")
		case "collection":
			return d.collection
		case "path":
			if d.collection != "" {
				return d.path
			}
			return d.dir
		case "basename":
			return d.basename
		case "output_ext":
			if d.html {
				return ".html"
			}
			return ""
		}
		return tok
	})
	return collapseSlashes(out)
}

// pageTemplate is Jekyll's URL pattern for a page (Page#template): an
// index keeps its folder's URL; other pages end like the site's style.
func pageTemplate(sitePermalink string, index bool) string {
	if index {
		return "/:path/"
	}
	if sitePermalink == "pretty" || strings.HasSuffix(expandStyle(sitePermalink), "/") {
		return "/:path/:basename/"
	}
	return "/:path/:basename:output_ext"
}

// collectionTemplate is a collection's URL pattern: its permalink (a style
// or a pattern), else Jekyll's default.
func collectionTemplate(permalink string) string {
	switch permalink {
	case "":
		return "/:collection/:path:output_ext"
	case "pretty":
		return "/:collection/:path/"
	}
	return expandStyle(permalink)
}

// agoraURL is the URL Agora gives a page at content path rel (below
// content/), with no url, slug or permalinks: Hugo's default.
func agoraURL(rel string) string {
	rel = strings.TrimSuffix(rel, path.Ext(rel))
	switch base := path.Base(rel); base {
	case "_index", "index":
		d := path.Dir(rel)
		if d == "." {
			return "/"
		}
		return "/" + d + "/"
	}
	return "/" + rel + "/"
}

// jekyllDateLayouts are the dates Jekyll sites write in front matter
// (Ruby's Time.parse reads all of them).
var jekyllDateLayouts = []string{
	time.RFC3339, "2006-01-02T15:04:05", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05 -07:00",
	"2006-01-02 15:04:05", "2006-01-02 15:04 -0700", "2006-01-02 15:04", "2006-01-02",
	"2006-01-02T15:04:05.999999999Z07:00", "2006-01-02 15:04:05 Z07:00",
}

// parseJekyllDate reads a front-matter date, in loc when it has no offset.
func parseJekyllDate(v any, loc *time.Location) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, true
	case string:
		s := strings.TrimSpace(x)
		for _, l := range jekyllDateLayouts {
			if t, err := time.ParseInLocation(l, s, loc); err == nil {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// titleize is Jekyll's title for a post without one: the slug's words,
// each capitalised (Utils.titleize_slug).
func titleize(slug string) string {
	words := strings.Split(slug, "-")
	for i, w := range words {
		if w != "" {
			words[i] = strings.ToUpper(w[:1]) + w[1:]
		}
	}
	return strings.Join(words, " ")
}
