package tplfuncs

import (
	"bytes"
	"image"
	_ "image/gif" // imageConfig reads GIF, JPEG and PNG headers
	_ "image/jpeg"
	_ "image/png"
	"io/fs"

	"github.com/agora-hub/agora/generator/assets"
)

// imagesNS is Hugo's images namespace: image filters for .Filter and
// images.Filter, and imageConfig.
type imagesNS struct{ e *env }

func filter(name string, args ...any) (*assets.ImageFilter, error) {
	fs := make([]float64, len(args))
	for i, a := range args {
		f, err := toFloat(a)
		if err != nil {
			return nil, fail("images."+name, "argument %d: %w", i+1, err)
		}
		fs[i] = f
	}
	var lower []byte
	for _, c := range []byte(name) {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		lower = append(lower, c)
	}
	f, err := assets.NewFilter(string(lower), fs...)
	return f, wrap("images."+name, err)
}

func (*imagesNS) Brightness(p any) (*assets.ImageFilter, error) { return filter("Brightness", p) }
func (*imagesNS) ColorBalance(r, g, b any) (*assets.ImageFilter, error) {
	return filter("ColorBalance", r, g, b)
}
func (*imagesNS) Colorize(h, s, p any) (*assets.ImageFilter, error) {
	return filter("Colorize", h, s, p)
}
func (*imagesNS) Contrast(p any) (*assets.ImageFilter, error)     { return filter("Contrast", p) }
func (*imagesNS) Gamma(g any) (*assets.ImageFilter, error)        { return filter("Gamma", g) }
func (*imagesNS) GaussianBlur(s any) (*assets.ImageFilter, error) { return filter("GaussianBlur", s) }
func (*imagesNS) Grayscale() (*assets.ImageFilter, error)         { return filter("Grayscale") }
func (*imagesNS) Hue(s any) (*assets.ImageFilter, error)          { return filter("Hue", s) }
func (*imagesNS) Invert() (*assets.ImageFilter, error)            { return filter("Invert") }
func (*imagesNS) Pixelate(s any) (*assets.ImageFilter, error)     { return filter("Pixelate", s) }
func (*imagesNS) Saturation(p any) (*assets.ImageFilter, error)   { return filter("Saturation", p) }
func (*imagesNS) Sepia(p any) (*assets.ImageFilter, error)        { return filter("Sepia", p) }
func (*imagesNS) Sigmoid(m, f any) (*assets.ImageFilter, error)   { return filter("Sigmoid", m, f) }
func (*imagesNS) UnsharpMask(s, a, t any) (*assets.ImageFilter, error) {
	return filter("UnsharpMask", s, a, t)
}

// Process is Hugo's images.Process SPEC as a filter: it sets the format
// and quality of .Filter's output.
func (*imagesNS) Process(spec any) (*assets.ImageFilter, error) {
	s, err := str("images.Process", spec)
	return assets.ProcessFilter(s), err
}

// Filter is Hugo's images.Filter FILTER… IMAGE.
func (*imagesNS) Filter(args ...any) (*assets.Resource, error) {
	const fn = "images.Filter"
	if len(args) < 2 {
		return nil, fail(fn, "want FILTER… IMAGE")
	}
	r, err := resourceArg(fn, args[len(args)-1])
	if err != nil {
		return nil, err
	}
	var fl []*assets.ImageFilter
	for _, a := range args[:len(args)-1] {
		switch f := a.(type) {
		case *assets.ImageFilter:
			fl = append(fl, f)
		case []*assets.ImageFilter:
			fl = append(fl, f...)
		case []any:
			for _, x := range f {
				xf, ok := x.(*assets.ImageFilter)
				if !ok {
					return nil, fail(fn, "want image filters, got %T", x)
				}
				fl = append(fl, xf)
			}
		default:
			return nil, fail(fn, "want image filters, got %T", a)
		}
	}
	out, err := r.Filter(fl...)
	return out, wrap(fn, err)
}

// Config is Hugo's imageConfig PATH: the image's Width and Height (and
// ColorModel), read from its header; PATH is inside the site.
func (ns *imagesNS) Config(path any) (image.Config, error) {
	p, err := (&osNS{ns.e}).sitePath("imageConfig", path)
	if err != nil {
		return image.Config{}, err
	}
	b, err := fs.ReadFile(ns.e.deps.Files, p)
	if err != nil {
		return image.Config{}, wrap("imageConfig", err)
	}
	c, _, err := image.DecodeConfig(bytes.NewReader(b))
	return c, wrap("imageConfig", err)
}

func (*imagesNS) Overlay(args ...any) (any, error) {
	return nil, notImplemented("images.Overlay", "")
}
func (*imagesNS) Text(args ...any) (any, error) { return nil, notImplemented("images.Text", "") }
func (*imagesNS) Padding(args ...any) (any, error) {
	return nil, notImplemented("images.Padding", "")
}
func (*imagesNS) Opacity(args ...any) (any, error) {
	return nil, notImplemented("images.Opacity", "")
}
func (*imagesNS) Dither(args ...any) (any, error) { return nil, notImplemented("images.Dither", "") }
func (*imagesNS) Mask(args ...any) (any, error)   { return nil, notImplemented("images.Mask", "") }
func (*imagesNS) AutoOrient(args ...any) (any, error) {
	return nil, notImplemented("images.AutoOrient", "")
}
func (*imagesNS) QR(args ...any) (any, error) { return nil, notImplemented("images.QR", "") }

// imagesExamples document the images namespace; TestExamples runs them.
func imagesExamples() []Example {
	return []Example{
		{"images.GaussianBlur", `{{ with images.GaussianBlur 6 }}{{ .Name }} {{ .Args }}{{ end }}`, nil, "gaussianblur [6]"},
		{"imageConfig", `{{ imageConfig "data/notes.txt" }}`, nil, "error: imageConfig"},
	}
}
