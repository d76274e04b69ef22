// Package assets is Agora's Hugo Pipes: resources from assets/ (the
// site's over the theme's) and from strings, transformed (concatenated,
// minified, fingerprinted, compiled from Sass, executed as templates,
// images resized), and published only when a template asks for their URL,
// as in Hugo.
//
// Each distinct resource and transformation is made once per build,
// whatever the number of pages asking for it; processed images are kept
// on disk between builds (resources/_gen/images in the site, Hugo's
// folder), so that a second build decodes and encodes none.
package assets

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os/exec"
	"path"
	"sort"
	"strings"
	"sync"
)

// Layer is one assets/ folder.
type Layer struct {
	FS      fs.FS  // rooted at the assets folder
	Dir     string // its folder on disk, for the Sass compiler's load path; "" when embedded
	Display string // how errors name it: "assets" or "themes/x/assets"
}

// Options are a pipeline's inputs.
type Options struct {
	Layers []Layer
	// RelURL and AbsURL turn a published path ("css/main.css") into the
	// site's URLs, base path included.
	RelURL, AbsURL func(string) string
	// CacheDir holds processed images between builds; "" keeps them in
	// memory only.
	CacheDir string
	Imaging  Imaging
	// ExecuteTemplate runs text as a template named name with data, for
	// resources.ExecuteAsTemplate.
	ExecuteTemplate func(name, text string, data any) (string, error)
	// LookPath finds the Sass compiler; nil means exec.LookPath.
	LookPath func(string) (string, error)
}

// Pipeline makes a build's resources. Safe for concurrent use.
type Pipeline struct {
	opt Options

	mu        sync.Mutex
	resources map[string]*entry // by key: one resource per source and transformation
	published map[string]*Resource

	imageWork counter // images decoded and encoded, for tests and figures
}

type entry struct {
	once sync.Once
	r    *Resource
	err  error
}

// New returns a pipeline.
func New(opt Options) *Pipeline {
	if opt.LookPath == nil {
		opt.LookPath = exec.LookPath
	}
	opt.Imaging = opt.Imaging.withDefaults()
	return &Pipeline{opt: opt, resources: map[string]*entry{}, published: map[string]*Resource{}}
}

// once returns the resource under key, making it with make the first
// time: every page asking for the same transformation shares it.
func (p *Pipeline) once(key string, make func() (*Resource, error)) (*Resource, error) {
	p.mu.Lock()
	e, ok := p.resources[key]
	if !ok {
		e = &entry{}
		p.resources[key] = e
	}
	p.mu.Unlock()
	e.once.Do(func() {
		e.r, e.err = make()
		if e.r != nil {
			e.r.key = key
		}
	})
	return e.r, e.err
}

// ErrNotFound is Get's answer for a path no assets/ folder holds; Hugo's
// resources.Get returns nil then, which `with` skips.
var ErrNotFound = errors.New("not found in assets/")

// Get is Hugo's resources.Get PATH: the file at PATH in assets/, the
// site's over the theme's; nil, nil when there is none.
func (p *Pipeline) Get(name string) (*Resource, error) {
	name = cleanName(name)
	if name == "" {
		return nil, nil
	}
	r, err := p.once("get:"+name, func() (*Resource, error) {
		for _, l := range p.opt.Layers {
			if l.FS == nil {
				continue
			}
			if fi, err := fs.Stat(l.FS, name); err == nil && !fi.IsDir() {
				return p.fileResource(l, name), nil
			}
		}
		return nil, ErrNotFound
	})
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return r, err
}

func (p *Pipeline) fileResource(l Layer, name string) *Resource {
	fsys := l.FS
	return &Resource{
		p: p, name: name, target: name, mediaType: mediaTypeOf(name),
		source: l.Display + "/" + name,
		load:   func() ([]byte, error) { return fs.ReadFile(fsys, name) },
		layer:  &l,
	}
}

func cleanName(name string) string {
	name = strings.TrimPrefix(path.Clean("/"+strings.ReplaceAll(name, `\`, "/")), "/")
	if name == "." {
		return ""
	}
	return name
}

// Match is Hugo's resources.Match PATTERN: every file in assets/ whose
// path matches the glob (with ** for any folders), sorted by path.
func (p *Pipeline) Match(pattern string) ([]*Resource, error) {
	re, err := globRegexp(pattern)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var names []string
	for _, l := range p.opt.Layers {
		if l.FS == nil {
			continue
		}
		err := fs.WalkDir(l.FS, ".", func(n string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				return err
			}
			if d.IsDir() || seen[n] || !re.MatchString(strings.ToLower(n)) {
				return nil
			}
			seen[n] = true
			names = append(names, n)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", l.Display, err)
		}
	}
	sort.Strings(names)
	out := make([]*Resource, 0, len(names))
	for _, n := range names {
		r, err := p.Get(n)
		if err != nil {
			return nil, err
		}
		if r != nil {
			out = append(out, r)
		}
	}
	return out, nil
}

// GetMatch is Hugo's resources.GetMatch PATTERN: the first of Match, or
// nil.
func (p *Pipeline) GetMatch(pattern string) (*Resource, error) {
	rs, err := p.Match(pattern)
	if err != nil || len(rs) == 0 {
		return nil, err
	}
	return rs[0], nil
}

// FromString is Hugo's resources.FromString TARGET CONTENT.
func (p *Pipeline) FromString(target, content string) (*Resource, error) {
	target = cleanName(target)
	if target == "" {
		return nil, errors.New("resources.FromString: the target path is empty")
	}
	sum := sha256.Sum256([]byte(content))
	return p.once("string:"+target+":"+hex.EncodeToString(sum[:]), func() (*Resource, error) {
		return p.bytesResource(target, []byte(content), "resources.FromString "+target), nil
	})
}

func (p *Pipeline) bytesResource(target string, b []byte, source string) *Resource {
	return &Resource{
		p: p, name: target, target: target, mediaType: mediaTypeOf(target), source: source,
		load: func() ([]byte, error) { return b, nil }, content: b, loaded: true,
	}
}

// Concat is Hugo's resources.Concat TARGET RESOURCES: the contents joined
// in order. All must have one media type, as in Hugo, and JavaScript files
// are joined with "\n;\n" between them, Hugo's barrier that stops the end
// of one file from changing how the next one parses.
func (p *Pipeline) Concat(target string, rs []*Resource) (*Resource, error) {
	target = cleanName(target)
	if target == "" {
		return nil, errors.New("resources.Concat: the target path is empty")
	}
	var keys []string
	for _, r := range rs {
		if r == nil {
			return nil, errors.New("resources.Concat: a resource in the list is nil")
		}
		if r.mediaType.Type != rs[0].mediaType.Type {
			return nil, fmt.Errorf("resources.Concat: resources must be of the same media type, got %q and %q", rs[0].mediaType.Type, r.mediaType.Type)
		}
		keys = append(keys, r.key)
	}
	return p.once("concat:"+target+":"+strings.Join(keys, "|"), func() (*Resource, error) {
		var out []byte
		for i, r := range rs {
			b, err := r.bytes()
			if err != nil {
				return nil, err
			}
			if i > 0 && r.mediaType.SubType == "javascript" {
				out = append(out, "\n;\n"...)
			}
			out = append(out, b...)
		}
		return p.bytesResource(target, out, "resources.Concat "+target), nil
	})
}

// ExecuteAsTemplate is Hugo's resources.ExecuteAsTemplate TARGET CONTEXT
// RESOURCE: the resource's content run as a template with CONTEXT. It is
// made once per target and resource, as Hugo caches it.
func (p *Pipeline) ExecuteAsTemplate(target string, data any, r *Resource) (*Resource, error) {
	target = cleanName(target)
	if target == "" || r == nil {
		return nil, errors.New("resources.ExecuteAsTemplate: want TARGET CONTEXT RESOURCE")
	}
	if p.opt.ExecuteTemplate == nil {
		return nil, errors.New("resources.ExecuteAsTemplate: no template engine")
	}
	return p.once("exec:"+target+":"+r.key, func() (*Resource, error) {
		b, err := r.bytes()
		if err != nil {
			return nil, err
		}
		out, err := p.opt.ExecuteTemplate(r.source, string(b), data)
		if err != nil {
			return nil, err
		}
		return p.bytesResource(target, []byte(out), "resources.ExecuteAsTemplate "+target), nil
	})
}

// Published returns the resources whose URL a template asked for, by
// output path; the build writes them.
func (p *Pipeline) Published() map[string]*Resource {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]*Resource, len(p.published))
	for k, v := range p.published {
		out[k] = v
	}
	return out
}

func (p *Pipeline) publish(r *Resource) {
	p.mu.Lock()
	p.published[r.target] = r
	p.mu.Unlock()
}

// ImageWork reports how many images this pipeline has decoded and
// encoded: zero on a build whose images all came from the disk cache.
func (p *Pipeline) ImageWork() int64 { return p.imageWork.load() }

type counter struct {
	mu sync.Mutex
	n  int64
}

func (c *counter) add() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

func (c *counter) load() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}
