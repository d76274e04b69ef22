package page

import (
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/markup"
)

// ImageSizes tells the size of the images a site publishes.
type ImageSizes interface {
	// Published is the size of the file published at sitePath
	// ("/images/logo.png", below the base path) from static/ or from
	// content/ outside leaf bundles.
	Published(sitePath string) (width, height int, ok bool)
	// Resource is the size of a leaf bundle's file, by its path below
	// content/ ("tips/metrics/funnel.svg").
	Resource(contentRel string) (width, height int, ok bool)
}

// markdown is the site's renderer, giving the page's images their size.
// Markdown is the renderer of the page's body: the site's, told the size
// of the images the page shows.
func (p *Page) Markdown() *markup.Renderer {
	if p.site.images == nil {
		return p.site.md
	}
	return p.site.md.WithImageSizer(p.imageSize)
}

// imageSize finds the image a Markdown destination names, as the browser
// will resolve it from the page's URL: a relative one is the page's bundle
// resource or a file beside the page, a root-relative one a site path.
// Images on other sites are never fetched.
func (p *Page) imageSize(dest string) (int, int, bool) {
	u, err := url.Parse(dest)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Path == "" {
		return 0, 0, false
	}
	if path.IsAbs(u.Path) {
		return p.site.images.Published(path.Clean(u.Path))
	}
	if p.src != nil && p.src.Kind == content.Leaf {
		if rel := path.Clean(u.Path); slices.Contains(p.src.Resources, rel) {
			return p.site.images.Resource(p.src.Dir() + "/" + rel)
		}
	}
	dir := p.path
	if !strings.HasSuffix(dir, "/") {
		dir = path.Dir(dir) // a page whose url ends in .html
	}
	return p.site.images.Published(path.Join(dir, u.Path))
}
