package page

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/urls"
)

// permalinkToken matches one of Hugo's permalink tokens, such as :year or
// :sections[1:].
var permalinkToken = regexp.MustCompile(`:\w+(\[.+?\])?`)

// permalinkTokens are Hugo's named tokens (resources/page/permalinks.go).
// Any other token that changes when formatted as a Go time layout is a
// date layout (":2006", ":01"), as in Hugo.
var permalinkTokens = map[string]bool{
	"year": true, "month": true, "monthname": true, "day": true, "weekday": true, "weekdayname": true,
	"yearday": true, "section": true, "sectionslug": true, "sections": true, "sectionslugs": true,
	"title": true, "slug": true, "slugorfilename": true, "filename": true, "contentbasename": true,
	"slugorcontentbasename": true,
}

var layoutReference = time.Date(2019, time.November, 9, 23, 1, 42, 1, time.UTC)

// checkPermalink reports the first token of pattern Hugo does not know.
func checkPermalink(pattern string) error {
	for _, m := range permalinkToken.FindAllStringSubmatch(pattern, -1) {
		attr := m[0][1:]
		name := strings.ToLower(strings.TrimSuffix(attr, m[1]))
		switch {
		case m[1] != "" && (name == "sections" || name == "sectionslugs"):
		case m[1] == "" && permalinkTokens[name]:
		case m[1] == "" && layoutReference.Format(attr) != attr:
		default:
			return fmt.Errorf("%q: unknown token :%s (Hugo's are :year, :month, :day, :title, :slug, :filename, :section, :sections …)", pattern, attr)
		}
	}
	return nil
}

// expandPermalink fills pattern in for p, as Hugo does, and returns a
// clean site path.
func (s *Site) expandPermalink(p *Page, pattern string) string {
	out := permalinkToken.ReplaceAllStringFunc(pattern, func(tok string) string {
		attr := tok[1:]
		name, slice, _ := strings.Cut(attr, "[")
		switch strings.ToLower(name) {
		case "year":
			return strconv.Itoa(p.date.Year())
		case "month":
			return fmt.Sprintf("%02d", int(p.date.Month()))
		case "monthname":
			return p.date.Month().String()
		case "day":
			return fmt.Sprintf("%02d", p.date.Day())
		case "weekday":
			return strconv.Itoa(int(p.date.Weekday()))
		case "weekdayname":
			return p.date.Weekday().String()
		case "yearday":
			return strconv.Itoa(p.date.YearDay())
		case "section":
			return p.section
		case "sectionslug":
			if first := p.firstSection(); first != nil {
				return slugElseTitle(first)
			}
			return ""
		case "sections", "sectionslugs":
			var names []string
			for _, sec := range p.sectionChain() {
				if strings.EqualFold(name, "sections") {
					names = append(names, path.Base(sec.dir))
				} else {
					names = append(names, slugElseTitle(sec))
				}
			}
			if slice != "" {
				names = sliceOf(names, "["+slice)
			}
			return path.Join(names...)
		case "title":
			return urls.Urlize(p.title)
		case "slug":
			return slugElseTitle(p)
		case "slugorfilename":
			if p.Slug() != "" {
				return urls.Urlize(p.Slug())
			}
			return filename(p)
		case "filename":
			return filename(p)
		case "contentbasename":
			return contentBaseName(p)
		case "slugorcontentbasename":
			if p.Slug() != "" {
				return urls.Urlize(p.Slug())
			}
			return contentBaseName(p)
		}
		return p.date.Format(attr)
	})
	segs := strings.Split(strings.Trim(path.Clean("/"+out), "/"), "/")
	for i, seg := range segs {
		if i == len(segs)-1 && strings.HasSuffix(seg, ".html") {
			segs[i] = urls.Segment(strings.TrimSuffix(seg, ".html")) + ".html"
			continue
		}
		segs[i] = urls.Segment(seg)
	}
	sp := "/" + strings.Join(segs, "/")
	if !strings.HasSuffix(sp, ".html") && sp != "/" {
		sp += "/"
	}
	return strings.ReplaceAll(sp, "//", "/")
}

func slugElseTitle(p *Page) string {
	if p.Slug() != "" {
		return urls.Urlize(p.Slug())
	}
	return urls.Urlize(p.title)
}

// filename is Hugo's :filename: the file's name, a leaf bundle's folder.
func filename(p *Page) string {
	if p.src == nil {
		return urls.Urlize(p.term)
	}
	if p.src.Kind == content.Branch {
		return ""
	}
	return urls.Urlize(p.src.Name())
}

func contentBaseName(p *Page) string {
	if p.src == nil {
		return urls.Urlize(p.term)
	}
	return urls.Urlize(p.src.Name())
}

// firstSection is the top-level section above p, or nil.
func (p *Page) firstSection() *Page {
	s := p
	if s.kind == KindPage {
		s = s.parent
	}
	for s != nil && s.parent != nil && s.parent.kind != KindHome {
		s = s.parent
	}
	if s == nil || s.kind == KindHome {
		return nil
	}
	return s
}

// sectionChain lists the sections from the top down to p's own (p itself
// when it is a section).
func (p *Page) sectionChain() []*Page {
	s := p
	if s.kind != KindSection {
		s = s.parent
	}
	var chain []*Page
	for ; s != nil && s.kind == KindSection; s = s.parent {
		chain = append([]*Page{s}, chain...)
	}
	return chain
}

// sliceOf applies Hugo's [n], [n:m], [:m], [last] to names.
func sliceOf(names []string, spec string) []string {
	spec = strings.ToLower(strings.TrimSpace(spec))
	if len(spec) < 3 || spec[0] != '[' || spec[len(spec)-1] != ']' {
		return nil
	}
	ops := spec[1 : len(spec)-1]
	index := func(s string, low bool) int {
		switch {
		case s == "" && low:
			return 0
		case s == "":
			return len(names)
		case s == "last":
			return len(names) - 1
		}
		n, _ := strconv.Atoi(s)
		n = max(n, 0)
		if n >= len(names) {
			if low {
				return -1
			}
			return len(names)
		}
		return n
	}
	if len(names) == 0 {
		return nil
	}
	lo, hi, ranged := strings.Cut(ops, ":")
	if !ranged {
		n := index(lo, true)
		if n < 0 {
			return nil
		}
		return []string{names[n]}
	}
	a, b := index(lo, true), index(hi, false)
	if a < 0 || b < a {
		return nil
	}
	return names[a:b]
}
