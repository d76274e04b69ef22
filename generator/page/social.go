package page

import (
	"path"
	"slices"
	"strings"
)

// imageExts are the files a featured bundle image may be.
var imageExts = []string{".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif"}

// SocialImages are the page's images for link previews (Open Graph,
// Twitter cards) and structured data, as absolute URLs, found as Hugo's
// internal opengraph and twitter_cards templates find them: front-matter
// images (a name of the page's own bundle resource is that resource),
// else a bundle image named *feature*, else one named *cover* or
// *thumbnail*, else the first of site.toml's [params] images.
func (p *Page) SocialImages() []string {
	var out []string
	for _, img := range textList(p.params["images"]) {
		out = append(out, p.resourceURL(img))
	}
	if len(out) > 0 {
		return out
	}
	if p.src != nil {
		for _, pats := range [][]string{{"*feature*"}, {"*cover*", "*thumbnail*"}} {
			for _, r := range p.src.Resources {
				if !slices.Contains(imageExts, strings.ToLower(path.Ext(r))) {
					continue
				}
				for _, pat := range pats {
					if ok, _ := path.Match(pat, strings.ToLower(r)); ok {
						return []string{p.site.cfg.Base.Abs(p.path + r)}
					}
				}
			}
		}
	}
	if site := textList(p.site.cfg.Params["images"]); len(site) > 0 {
		return []string{p.site.cfg.Base.Abs(site[0])}
	}
	return nil
}

// resourceURL is the absolute URL of an image named in front matter: the
// page's bundle resource of that name, else the name as a site URL.
func (p *Page) resourceURL(name string) string {
	if p.src != nil && slices.Contains(p.src.Resources, strings.TrimPrefix(name, "./")) && !strings.HasSuffix(p.path, ".html") {
		return p.site.cfg.Base.Abs(p.path + strings.TrimPrefix(name, "./"))
	}
	return p.site.cfg.Base.Abs(name)
}

// textList reads a front-matter value that is one string or a list of
// them, as Hugo reads images; other values are left out.
func textList(v any) []string {
	switch x := v.(type) {
	case string:
		if x != "" {
			return []string{x}
		}
	case []string:
		return slices.DeleteFunc(slices.Clone(x), func(s string) bool { return s == "" })
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}
