package page

import (
	"fmt"
	"path"
	"strings"
)

// Ref finds the page a ref or relref shortcode names, as Hugo does: a path
// from content/ when it starts with "/", else relative to the page's own
// folder, else from content/, else the one page whose file has that name.
// "#anchor" alone is the page itself; an anchor after a path is kept.
// It returns the page's permalink (abs) or relative permalink.
func (s *Site) Ref(from *Page, ref string, abs bool) (string, error) {
	target, anchor, _ := strings.Cut(ref, "#")
	if anchor != "" {
		anchor = "#" + anchor
	}
	p := from
	if target != "" {
		var err error
		if p, err = s.refPage(from, target); err != nil {
			return "", err
		}
	}
	if abs {
		return p.permalink + anchor, nil
	}
	return p.relPermalink + anchor, nil
}

func (s *Site) refPage(from *Page, target string) (*Page, error) {
	clean := strings.TrimSuffix(path.Clean("/"+target), "/")
	var tries []string
	if !strings.HasPrefix(target, "/") && from != nil && from.src != nil {
		tries = append(tries, path.Join(from.src.Dir(), target))
	}
	tries = append(tries, strings.TrimPrefix(clean, "/"))
	for _, t := range tries {
		for _, k := range []string{t, strings.TrimSuffix(t, ".md"), strings.TrimSuffix(t, ".md") + "/index", strings.TrimSuffix(t, "/_index.md")} {
			if p, ok := s.byPath[k]; ok {
				return s.reach1(from, "Ref "+target, p), nil
			}
		}
	}
	if !strings.Contains(target, "/") {
		var found []*Page
		name := strings.TrimSuffix(target, ".md")
		for _, p := range s.all {
			if p.src != nil && p.src.Name() == name {
				found = append(found, p)
			}
		}
		switch len(found) {
		case 1:
			return s.reach1(from, "Ref "+target, found[0]), nil
		case 0:
		default:
			return nil, fmt.Errorf("ref %q is ambiguous: %s and %s both match; give the path from content/", target, found[0].src.Rel, found[1].src.Rel)
		}
	}
	return nil, fmt.Errorf("ref %q: no page at content/%s (or beside this page)", target, strings.TrimPrefix(clean, "/"))
}

// Resource returns the URL of a file of the page's leaf bundle.
func (p *Page) Resource(name string) (string, bool) {
	if p.src == nil {
		return "", false
	}
	name = strings.TrimPrefix(path.Clean(name), "./")
	for _, r := range p.src.Resources {
		if r == name {
			return p.relPermalink + r, true
		}
	}
	return "", false
}
