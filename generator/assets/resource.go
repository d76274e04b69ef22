package assets

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"mime"
	"path"
	"regexp"
	"strings"
	"sync"

	"github.com/tdewolff/minify/v2"
	mincss "github.com/tdewolff/minify/v2/css"
	minhtml "github.com/tdewolff/minify/v2/html"
	minjs "github.com/tdewolff/minify/v2/js"
	minjson "github.com/tdewolff/minify/v2/json"
	minsvg "github.com/tdewolff/minify/v2/svg"
	minxml "github.com/tdewolff/minify/v2/xml"
)

// Resource is one of Hugo Pipes' resources. Templates see Hugo's methods:
// .RelPermalink, .Permalink, .Content, .Data.Integrity, .MediaType, .Name,
// .ResourceType and, for images, .Width, .Height, .Resize and the rest.
type Resource struct {
	p         *Pipeline
	key       string
	name      string // Hugo's .Name: the path in assets/, or the target
	target    string // where it is published, relative to the site root
	mediaType MediaType
	source    string // for errors: the file or the call that made it
	layer     *Layer // the assets folder of a file resource
	data      map[string]any

	mu      sync.Mutex
	load    func() ([]byte, error)
	content []byte
	loaded  bool

	img *imageState // images only
}

func (r *Resource) bytes() ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.loaded {
		return r.content, nil
	}
	b, err := r.load()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.source, err)
	}
	r.content, r.loaded = b, true
	return b, nil
}

// Name is the resource's name: its path in assets/.
func (r *Resource) Name() string { return r.name }

// Title is Hugo's .Title of a resource: its name.
func (r *Resource) Title() string { return r.name }

// Key is Hugo's .Key: an identity for caching.
func (r *Resource) Key() string { return r.key }

// MediaType is the resource's media type.
func (r *Resource) MediaType() MediaType { return r.mediaType }

// ResourceType is Hugo's .ResourceType: the main media type ("image",
// "text", "application").
func (r *Resource) ResourceType() string { return r.mediaType.MainType }

// Data holds what transformations record: Integrity after fingerprint.
func (r *Resource) Data() map[string]any {
	if r.data == nil {
		return map[string]any{}
	}
	return r.data
}

// Params is Hugo's .Params of a resource: none for assets.
func (r *Resource) Params() map[string]any { return map[string]any{} }

// Content is the resource's content as a string, as in Hugo.
func (r *Resource) Content() (string, error) { return r.ContentString() }

// ContentString is the content as a string.
func (r *Resource) ContentString() (string, error) {
	b, err := r.bytes()
	return string(b), err
}

// RelPermalink publishes the resource and returns its URL path. A
// resource is written to the site only once a template asks for one of
// its URLs (Hugo's rule), so that `resources.Get` alone publishes nothing.
func (r *Resource) RelPermalink() string {
	r.p.publish(r)
	return r.p.opt.RelURL(r.target)
}

// Permalink publishes the resource and returns its absolute URL.
func (r *Resource) Permalink() string {
	r.p.publish(r)
	return r.p.opt.AbsURL(r.target)
}

// Publish publishes the resource without asking for its URL.
func (r *Resource) Publish() string {
	r.p.publish(r)
	return ""
}

// Target is where the resource is published, relative to the site root.
func (r *Resource) Target() string { return r.target }

// Bytes is the content to publish.
func (r *Resource) Bytes() ([]byte, error) { return r.bytes() }

// derive makes a resource from r by a transformation named op (the cache
// key) that maps r's content and target to new ones.
func (r *Resource) derive(op string, fn func(b []byte, target string) ([]byte, string, map[string]any, error)) (*Resource, error) {
	return r.p.once(op+":"+r.key, func() (*Resource, error) {
		b, err := r.bytes()
		if err != nil {
			return nil, err
		}
		out, target, data, err := fn(b, r.target)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r.source, err)
		}
		d := r.p.bytesResource(target, out, r.source)
		d.name = r.name
		if target != r.target {
			d.name = target
		}
		d.layer = r.layer
		d.data = data
		return d, nil
	})
}

// MediaType is Hugo's media type: .Type "text/css", .MainType "text",
// .SubType "css", .Suffixes.
type MediaType struct {
	Type     string
	MainType string
	SubType  string
	Suffixes []string
}

func (m MediaType) String() string { return m.Type }

// FirstSuffix is Hugo's .MediaType.FirstSuffix.Suffix.
func (m MediaType) FirstSuffix() struct{ Suffix string } {
	if len(m.Suffixes) == 0 {
		return struct{ Suffix string }{}
	}
	return struct{ Suffix string }{m.Suffixes[0]}
}

// mediaTypes are Hugo's names for the usual suffixes; mime's table (which
// differs between systems) only fills in the rest.
var mediaTypes = map[string]string{
	"css": "text/css", "scss": "text/x-scss", "sass": "text/x-sass", "js": "text/javascript",
	"mjs": "text/javascript", "ts": "text/typescript", "json": "application/json", "xml": "application/xml",
	"svg": "image/svg+xml", "html": "text/html", "htm": "text/html", "txt": "text/plain",
	"csv": "text/csv", "toml": "application/toml", "yaml": "application/yaml", "yml": "application/yaml",
	"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif",
	"webp": "image/webp", "bmp": "image/bmp", "tif": "image/tiff", "tiff": "image/tiff",
	"ico": "image/x-icon", "woff": "font/woff", "woff2": "font/woff2", "ttf": "font/ttf",
	"otf": "font/otf", "pdf": "application/pdf", "md": "text/markdown", "wasm": "application/wasm",
}

func mediaTypeOf(name string) MediaType {
	ext := strings.ToLower(strings.TrimPrefix(path.Ext(name), "."))
	t, ok := mediaTypes[ext]
	if !ok {
		t = mime.TypeByExtension("." + ext)
		if i := strings.IndexByte(t, ';'); i >= 0 {
			t = t[:i]
		}
		if t == "" {
			t = "application/octet-stream"
		}
	}
	main, sub, _ := strings.Cut(t, "/")
	// Hugo's subtype of image/svg+xml is "svg", of javascript "javascript".
	sub = strings.TrimSuffix(sub, "+xml")
	var suffixes []string
	if ext != "" {
		suffixes = []string{ext}
	}
	return MediaType{Type: t, MainType: main, SubType: sub, Suffixes: suffixes}
}

// minifier is tdewolff/minify with Hugo's default settings.
var minifier = sync.OnceValue(func() *minify.M {
	m := minify.New()
	m.Add("text/css", &mincss.Minifier{})
	m.Add("text/html", &minhtml.Minifier{KeepDocumentTags: true, KeepSpecialComments: true, KeepEndTags: true, KeepDefaultAttrVals: true})
	js := &minjs.Minifier{Version: 2022}
	m.AddRegexp(regexp.MustCompile(`^(application|text)/(x-)?(java|ecma)script$`), js)
	m.AddRegexp(regexp.MustCompile(`[/+]json$`), &minjson.Minifier{})
	m.Add("image/svg+xml", &minsvg.Minifier{KeepNamespaces: []string{"", "x-bind"}})
	m.AddRegexp(regexp.MustCompile(`[/+]xml$`), &minxml.Minifier{})
	return m
})

// Minify is Hugo's minify: CSS, JavaScript, HTML, JSON, SVG and XML with
// tdewolff/minify and Hugo's settings; "x.css" becomes "x.min.css".
func (r *Resource) Minify() (*Resource, error) {
	return r.derive("minify", func(b []byte, target string) ([]byte, string, map[string]any, error) {
		var out bytes.Buffer
		if err := minifier().Minify(r.mediaType.Type, &out, bytes.NewReader(b)); err != nil {
			return nil, "", nil, fmt.Errorf("minify: %w", err)
		}
		ext := path.Ext(target)
		return out.Bytes(), strings.TrimSuffix(target, ext) + ".min" + ext, r.data, nil
	})
}

// Fingerprint is Hugo's fingerprint [ALGORITHM]: the content's hash
// (sha256 by default; md5, sha384, sha512) in the file name, and the
// Subresource Integrity value in .Data.Integrity.
func (r *Resource) Fingerprint(algo string) (*Resource, error) {
	if algo == "" {
		algo = "sha256"
	}
	var h hash.Hash
	switch algo {
	case "md5":
		h = md5.New()
	case "sha256":
		h = sha256.New()
	case "sha384":
		h = sha512.New384()
	case "sha512":
		h = sha512.New()
	default:
		return nil, fmt.Errorf("fingerprint: unsupported hash algorithm %q (md5, sha256, sha384 or sha512)", algo)
	}
	return r.derive("fingerprint-"+algo, func(b []byte, target string) ([]byte, string, map[string]any, error) {
		h.Write(b)
		sum := h.Sum(nil)
		ext := path.Ext(target)
		data := map[string]any{}
		for k, v := range r.data {
			data[k] = v
		}
		data["Integrity"] = algo + "-" + base64.StdEncoding.EncodeToString(sum)
		return b, strings.TrimSuffix(target, ext) + "." + hex.EncodeToString(sum) + ext, data, nil
	})
}
