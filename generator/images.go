package generator

import (
	"io/fs"
	"path"
	"strings"
	"sync"

	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/imagesize"
)

// imageSizes reads the size of the images the site publishes, each file
// once per build, for the width and height of Markdown images. It looks
// where copyStatic copies from: static/ of the site over that of the
// theme, and content/.
type imageSizes struct {
	b *build

	once         sync.Once
	contentFiles map[string]string // site path → path below content/

	mu    sync.Mutex
	sizes map[string][3]int // source → width, height, 1 if known
}

func newImageSizes(b *build) *imageSizes {
	return &imageSizes{b: b, sizes: map[string][3]int{}}
}

// Published implements page.ImageSizes.
func (s *imageSizes) Published(sitePath string) (int, int, bool) {
	rel := strings.TrimPrefix(sitePath, "/")
	if rel == "" || !fs.ValidPath(rel) {
		return 0, 0, false
	}
	if site, _ := s.b.folder("static"); site != nil {
		if w, h, ok := s.size(site, "static/"+rel, rel); ok || exists(site, rel) {
			return w, h, ok
		}
	}
	if s.b.theme != nil {
		if w, h, ok := s.size(s.b.theme, "theme:static/"+rel, "static/"+rel); ok || exists(s.b.theme, "static/"+rel) {
			return w, h, ok
		}
	}
	s.once.Do(func() {
		s.contentFiles = map[string]string{}
		for _, f := range s.b.site.ContentFiles() {
			s.contentFiles[f.Out] = f.Rel
		}
	})
	if src, ok := s.contentFiles[rel]; ok {
		return s.Resource(src)
	}
	return 0, 0, false
}

// Resource implements page.ImageSizes.
func (s *imageSizes) Resource(contentRel string) (int, int, bool) {
	contentFS, _ := s.b.folder(content.Dir)
	if contentFS == nil || !fs.ValidPath(contentRel) {
		return 0, 0, false
	}
	return s.size(contentFS, content.Dir+"/"+contentRel, contentRel)
}

// size reads name in fsys once, remembered under key.
func (s *imageSizes) size(fsys fs.FS, key, name string) (int, int, bool) {
	s.mu.Lock()
	got, seen := s.sizes[key]
	s.mu.Unlock()
	if seen {
		return got[0], got[1], got[2] == 1
	}
	var w, h int
	var ok bool
	switch strings.ToLower(path.Ext(name)) {
	case ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp":
		if f, err := fsys.Open(name); err == nil {
			w, h, ok = imagesize.Of(f, name)
			f.Close()
		}
	}
	known := 0
	if ok {
		known = 1
	}
	s.mu.Lock()
	s.sizes[key] = [3]int{w, h, known}
	s.mu.Unlock()
	return w, h, ok
}

func exists(fsys fs.FS, name string) bool {
	_, err := fs.Stat(fsys, name)
	return err == nil
}
