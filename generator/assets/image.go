package assets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/disintegration/gift"
	"github.com/muesli/smartcrop"
	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
	_ "golang.org/x/image/webp" // decoding WebP sources
)

// Imaging is Hugo's [imaging] configuration: the defaults of every
// processing spec.
type Imaging struct {
	Quality        int    // JPEG quality, 1–100; default 75
	ResampleFilter string // default "box"
	Anchor         string // default "smart"
	BgColor        string // default "#ffffff"
}

func (c Imaging) withDefaults() Imaging {
	if c.Quality == 0 {
		c.Quality = 75
	}
	if c.ResampleFilter == "" {
		c.ResampleFilter = "box"
	}
	if c.Anchor == "" {
		c.Anchor = "smart"
	}
	if c.BgColor == "" {
		c.BgColor = "#ffffff"
	}
	return c
}

// Check reports a bad [imaging] setting.
func (c Imaging) Check() error {
	c = c.withDefaults()
	if c.Quality < 1 || c.Quality > 100 {
		return fmt.Errorf("imaging.quality must be from 1 to 100, got %d", c.Quality)
	}
	if _, ok := resamplers[strings.ToLower(c.ResampleFilter)]; !ok {
		return fmt.Errorf("imaging.resampleFilter %q is not one of Hugo's filters (box, lanczos, catmullrom …)", c.ResampleFilter)
	}
	if a := strings.ToLower(c.Anchor); a != "smart" {
		if _, ok := anchors[a]; !ok {
			return fmt.Errorf("imaging.anchor %q is not one of smart, center, topleft, top, …", c.Anchor)
		}
	}
	if _, err := hexColor(strings.TrimPrefix(c.BgColor, "#")); err != nil {
		return fmt.Errorf("imaging.bgColor: %w", err)
	}
	return nil
}

// maxImagePixels bounds the images Agora decodes: a 100-megapixel photo
// is 400 MB as RGBA, and a crafted header can claim far more.
const maxImagePixels = 100_000_000

type format int

const (
	fmtNone format = iota
	fmtJPEG
	fmtPNG
	fmtGIF
	fmtTIFF
	fmtBMP
	fmtWEBP
)

var formatsByExt = map[string]format{
	"jpg": fmtJPEG, "jpeg": fmtJPEG, "jpe": fmtJPEG, "jif": fmtJPEG, "jfif": fmtJPEG,
	"png": fmtPNG, "gif": fmtGIF, "tif": fmtTIFF, "tiff": fmtTIFF, "bmp": fmtBMP, "webp": fmtWEBP,
}

var extOfFormat = map[format]string{fmtJPEG: "jpg", fmtPNG: "png", fmtGIF: "gif", fmtTIFF: "tif", fmtBMP: "bmp", fmtWEBP: "webp"}

// imageState is what a resource that is an image knows about itself.
type imageState struct {
	once   sync.Once
	width  int
	height int
	err    error
}

func (r *Resource) imageFormat() format {
	return formatsByExt[strings.ToLower(strings.TrimPrefix(path.Ext(r.target), "."))]
}

func (r *Resource) config() (int, int, error) {
	if r.imageFormat() == fmtNone {
		return 0, 0, fmt.Errorf("%s is not an image Agora can process (jpg, png, gif, tif, bmp, webp)", r.name)
	}
	r.mu.Lock()
	if r.img == nil {
		r.img = &imageState{}
	}
	st := r.img
	r.mu.Unlock()
	st.once.Do(func() {
		b, err := r.bytes()
		if err != nil {
			st.err = err
			return
		}
		c, _, err := image.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			st.err = fmt.Errorf("%s: %w", r.source, err)
			return
		}
		st.width, st.height = c.Width, c.Height
	})
	return st.width, st.height, st.err
}

// Width is the image's width in pixels.
func (r *Resource) Width() (int, error) {
	w, _, err := r.config()
	return w, err
}

// Height is the image's height in pixels.
func (r *Resource) Height() (int, error) {
	_, h, err := r.config()
	return h, err
}

// Exif is Hugo's .Exif; Agora reads none.
func (r *Resource) Exif() any { return nil }

// spec is a parsed processing spec such as "300x200 q80 Center webp".
type spec struct {
	action        string
	width, height int
	quality       int
	rotate        int
	filter        string
	anchor        string
	bg            color.Color
	bgStr         string
	target        format
}

var anchors = map[string]gift.Anchor{
	"center": gift.CenterAnchor, "topleft": gift.TopLeftAnchor, "top": gift.TopAnchor,
	"topright": gift.TopRightAnchor, "left": gift.LeftAnchor, "right": gift.RightAnchor,
	"bottomleft": gift.BottomLeftAnchor, "bottom": gift.BottomAnchor, "bottomright": gift.BottomRightAnchor,
}

// parseSpec reads a spec as Hugo's DecodeImageConfig does: words in any
// order, case-insensitive.
func (p *Pipeline) parseSpec(action, s string, src format) (spec, error) {
	d := p.opt.Imaging
	sp := spec{action: action, target: src}
	if strings.TrimSpace(s) == "" {
		return sp, errors.New("image config cannot be empty")
	}
	for _, part := range strings.Fields(strings.ToLower(s)) {
		if part == "smart" {
			sp.anchor = part
		} else if _, ok := anchors[part]; ok {
			sp.anchor = part
		} else if _, ok := resamplers[part]; ok {
			sp.filter = part
		} else if _, ok := webpHints[part]; ok {
			// WebP encoding hints; Agora writes no WebP.
		} else if part[0] == '#' {
			c, err := hexColor(part[1:])
			if err != nil {
				return sp, err
			}
			sp.bg, sp.bgStr = c, part
		} else if part[0] == 'q' && isDigits(part[1:]) {
			q, _ := strconv.Atoi(part[1:])
			if q < 1 || q > 100 {
				return sp, errors.New("quality ranges from 1 to 100 inclusive")
			}
			sp.quality = q
		} else if part[0] == 'r' && isDigits(strings.TrimPrefix(part[1:], "-")) {
			sp.rotate, _ = strconv.Atoi(part[1:])
		} else if strings.Contains(part, "x") {
			wh := strings.Split(part, "x")
			if len(wh) != 2 {
				return sp, errors.New("invalid image dimensions")
			}
			var err error
			if wh[0] != "" {
				if sp.width, err = strconv.Atoi(wh[0]); err != nil {
					return sp, fmt.Errorf("invalid image dimensions %q", part)
				}
			}
			if wh[1] != "" {
				if sp.height, err = strconv.Atoi(wh[1]); err != nil {
					return sp, fmt.Errorf("invalid image dimensions %q", part)
				}
			}
		} else if f, ok := formatsByExt[part]; ok {
			sp.target = f
		}
	}
	switch action {
	case "crop", "fill", "fit":
		if sp.width == 0 || sp.height == 0 {
			return sp, errors.New("must provide Width and Height")
		}
	case "resize":
		if sp.width == 0 && sp.height == 0 {
			return sp, errors.New("must provide Width or Height")
		}
	default:
		return sp, fmt.Errorf("unknown action %q (resize, fill, fit, crop)", action)
	}
	if sp.width < 0 || sp.height < 0 || int64(sp.width)*int64(max(sp.height, 1)) > maxImagePixels {
		return sp, fmt.Errorf("dimensions %dx%d out of range", sp.width, sp.height)
	}
	if sp.filter == "" {
		sp.filter = strings.ToLower(d.ResampleFilter)
	}
	if sp.anchor == "" {
		sp.anchor = strings.ToLower(d.Anchor)
	}
	if sp.quality == 0 && sp.target == fmtJPEG {
		sp.quality = d.Quality
	}
	if sp.target == fmtWEBP {
		// Writing WebP takes libwebp, which Agora does not link: the
		// image keeps its own format rather than failing a site Hugo
		// builds.
		sp.target = src
		if sp.target == fmtJPEG && sp.quality == 0 {
			sp.quality = d.Quality
		}
	}
	if sp.bg == nil && sp.target != src && (src == fmtPNG || src == fmtGIF || src == fmtWEBP) && sp.target == fmtJPEG {
		c, _ := hexColor(strings.TrimPrefix(d.BgColor, "#"))
		sp.bg, sp.bgStr = c, d.BgColor
	}
	return sp, nil
}

var webpHints = map[string]bool{"picture": true, "photo": true, "drawing": true, "icon": true, "text": true}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func hexColor(s string) (color.Color, error) {
	if len(s) == 3 {
		s = string([]byte{s[0], s[0], s[1], s[1], s[2], s[2]})
	}
	if len(s) != 6 && len(s) != 8 {
		return nil, fmt.Errorf("invalid color %q: want #rgb, #rrggbb or #rrggbbaa", s)
	}
	v, err := strconv.ParseUint(s, 16, 32)
	if err != nil {
		return nil, fmt.Errorf("invalid color %q", s)
	}
	if len(s) == 6 {
		return color.NRGBA{uint8(v >> 16), uint8(v >> 8), uint8(v), 255}, nil
	}
	return color.NRGBA{uint8(v >> 24), uint8(v >> 16), uint8(v >> 8), uint8(v)}, nil
}

// key is the spec's part of a processed image's cache key and name.
func (sp spec) key() string {
	return fmt.Sprintf("%s_%dx%d_q%d_r%d_%s_%s_%s_%s", sp.action, sp.width, sp.height, sp.quality, sp.rotate, sp.filter, sp.anchor, sp.bgStr, extOfFormat[sp.target])
}

// Resize is Hugo's .Resize SPEC ("300x", "x200", "300x200 q90 lanczos").
func (r *Resource) Resize(s string) (*Resource, error) { return r.process("resize", s, nil) }

// Fill is Hugo's .Fill SPEC: crop to the aspect ratio, then resize.
func (r *Resource) Fill(s string) (*Resource, error) { return r.process("fill", s, nil) }

// Fit is Hugo's .Fit SPEC: shrink to fit inside the box, keeping the
// aspect ratio.
func (r *Resource) Fit(s string) (*Resource, error) { return r.process("fit", s, nil) }

// Crop is Hugo's .Crop SPEC: cut to the size without resizing.
func (r *Resource) Crop(s string) (*Resource, error) { return r.process("crop", s, nil) }

// Process is Hugo's .Process SPEC, the action first ("fill 300x200").
func (r *Resource) Process(s string) (*Resource, error) {
	action, rest, _ := strings.Cut(strings.TrimSpace(s), " ")
	action = strings.ToLower(action)
	if _, err := strconv.Atoi(strings.Split(action, "x")[0]); err == nil || strings.HasPrefix(action, "x") {
		// No action: Hugo then only converts ("webp", "q50").
		action, rest = "resize", s
	}
	return r.process(action, rest, nil)
}

// Filter is Hugo's .Filter FILTER…: the filters applied in order.
func (r *Resource) Filter(filters ...*ImageFilter) (*Resource, error) {
	return r.process("filter", "", filters)
}

// ImageFilter is one of Hugo's images.* filters.
type ImageFilter struct {
	Name string
	Args []float64
	g    gift.Filter
	// proc, for images.Process, is a spec applied as a filter.
	proc string
}

// NewFilter makes the filter called name (Hugo's names, lower-case) with
// its numeric arguments.
func NewFilter(name string, args ...float64) (*ImageFilter, error) {
	a := func(i int) float32 {
		if i < len(args) {
			return float32(args[i])
		}
		return 0
	}
	want := map[string]int{
		"brightness": 1, "colorbalance": 3, "colorize": 3, "contrast": 1, "gamma": 1,
		"gaussianblur": 1, "grayscale": 0, "hue": 1, "invert": 0, "pixelate": 1,
		"saturation": 1, "sepia": 1, "sigmoid": 2, "unsharpmask": 3,
	}
	n, ok := want[name]
	if !ok {
		return nil, fmt.Errorf("unknown image filter %q", name)
	}
	if len(args) != n {
		return nil, fmt.Errorf("images.%s wants %d arguments, got %d", name, n, len(args))
	}
	var g gift.Filter
	switch name {
	case "brightness":
		g = gift.Brightness(a(0))
	case "colorbalance":
		g = gift.ColorBalance(a(0), a(1), a(2))
	case "colorize":
		g = gift.Colorize(a(0), a(1), a(2))
	case "contrast":
		g = gift.Contrast(a(0))
	case "gamma":
		g = gift.Gamma(a(0))
	case "gaussianblur":
		g = gift.GaussianBlur(a(0))
	case "grayscale":
		g = gift.Grayscale()
	case "hue":
		g = gift.Hue(a(0))
	case "invert":
		g = gift.Invert()
	case "pixelate":
		g = gift.Pixelate(int(a(0)))
	case "saturation":
		g = gift.Saturation(a(0))
	case "sepia":
		g = gift.Sepia(a(0))
	case "sigmoid":
		g = gift.Sigmoid(a(0), a(1))
	case "unsharpmask":
		g = gift.UnsharpMask(a(0), a(1), a(2))
	}
	return &ImageFilter{Name: name, Args: args, g: g}, nil
}

// ProcessFilter is Hugo's images.Process SPEC as a filter.
func ProcessFilter(s string) *ImageFilter { return &ImageFilter{Name: "process", proc: s} }

func (f *ImageFilter) key() string {
	if f.proc != "" {
		return "process(" + f.proc + ")"
	}
	return fmt.Sprintf("%s%v", f.Name, f.Args)
}

// process makes the processed image, from the disk cache when an earlier
// build made it.
func (r *Resource) process(action, s string, filters []*ImageFilter) (*Resource, error) {
	src := r.imageFormat()
	if src == fmtNone {
		return nil, fmt.Errorf("%s: %s is not an image Agora can process", action, r.name)
	}
	var (
		sp  spec
		err error
	)
	if action == "filter" {
		// images.Process among the filters may set the format and quality.
		sp = spec{action: "filter", target: src}
		for _, f := range filters {
			if f == nil || f.proc == "" {
				continue
			}
			for _, w := range strings.Fields(strings.ToLower(f.proc)) {
				if ft, ok := formatsByExt[w]; ok && ft != fmtWEBP {
					sp.target = ft
				} else if w[0] == 'q' && isDigits(w[1:]) {
					sp.quality, _ = strconv.Atoi(w[1:])
				}
			}
		}
		if sp.target == fmtJPEG && sp.quality == 0 {
			sp.quality = r.p.opt.Imaging.Quality
		}
	} else if sp, err = r.p.parseSpec(action, s, src); err != nil {
		return nil, fmt.Errorf("%s %q on %s: %w", action, s, r.name, err)
	}
	var fkeys []string
	for _, f := range filters {
		if f == nil {
			return nil, errors.New("filter: nil filter")
		}
		fkeys = append(fkeys, f.key())
	}
	opKey := sp.key() + "|" + strings.Join(fkeys, ",")
	return r.p.once("image:"+opKey+":"+r.key, func() (*Resource, error) {
		orig, err := r.bytes()
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(append(append([]byte(nil), orig...), opKey...))
		hash := hex.EncodeToString(sum[:8])
		base := strings.TrimSuffix(path.Base(r.target), path.Ext(r.target))
		target := path.Join(path.Dir(r.target), base+"_hu"+hash+"."+extOfFormat[sp.target])
		out, err := r.p.cached(hash, extOfFormat[sp.target], func() ([]byte, error) {
			return r.p.render(orig, sp, filters)
		})
		if err != nil {
			return nil, fmt.Errorf("%s %q on %s: %w", action, s, r.source, err)
		}
		d := r.p.bytesResource(target, out, r.source)
		d.name = r.name
		return d, nil
	})
}

// cached returns the processed image named hash.ext from the cache
// folder, making and storing it when missing.
func (p *Pipeline) cached(hash, ext string, make func() ([]byte, error)) ([]byte, error) {
	file := ""
	if p.opt.CacheDir != "" {
		file = filepath.Join(p.opt.CacheDir, hash[:2], hash+"."+ext)
		if b, err := os.ReadFile(file); err == nil {
			return b, nil
		}
	}
	b, err := make()
	if err != nil || file == "" {
		return b, err
	}
	// Written through a temporary file, so that an interrupted build
	// never leaves half an image for the next one to trust.
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return nil, fmt.Errorf("image cache: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("image cache: %w", err)
	}
	_, werr := tmp.Write(b)
	cerr := tmp.Close()
	if werr == nil && cerr == nil {
		werr = os.Rename(tmp.Name(), file)
	}
	if werr != nil || cerr != nil {
		_ = os.Remove(tmp.Name())
		return nil, fmt.Errorf("image cache: %w", errors.Join(werr, cerr))
	}
	return b, nil
}

// render decodes, processes and encodes one image.
func (p *Pipeline) render(orig []byte, sp spec, filters []*ImageFilter) ([]byte, error) {
	p.imageWork.add()
	cfg, _, err := image.DecodeConfig(bytes.NewReader(orig))
	if err != nil {
		return nil, err
	}
	if int64(cfg.Width)*int64(cfg.Height) > maxImagePixels {
		return nil, fmt.Errorf("%dx%d is over the limit of %d pixels", cfg.Width, cfg.Height, maxImagePixels)
	}
	src, _, err := image.Decode(bytes.NewReader(orig))
	if err != nil {
		return nil, err
	}
	var gf []gift.Filter
	if sp.rotate != 0 {
		gf = append(gf, gift.Rotate(float32(sp.rotate), color.Transparent, gift.NearestNeighborInterpolation))
	}
	rs := resamplers[sp.filter]
	switch sp.action {
	case "resize":
		gf = append(gf, gift.Resize(sp.width, sp.height, rs))
	case "fit":
		gf = append(gf, gift.ResizeToFit(sp.width, sp.height, rs))
	case "fill", "crop":
		if sp.anchor == "smart" {
			rect, err := smartCrop(src, sp.width, sp.height, rs)
			if err != nil {
				return nil, err
			}
			gf = append(gf, gift.Crop(rect))
			if sp.action == "fill" {
				gf = append(gf, gift.Resize(sp.width, sp.height, rs))
			} else {
				gf = append(gf, gift.CropToSize(sp.width, sp.height, gift.CenterAnchor))
			}
		} else if sp.action == "fill" {
			gf = append(gf, gift.ResizeToFill(sp.width, sp.height, rs, anchors[sp.anchor]))
		} else {
			gf = append(gf, gift.CropToSize(sp.width, sp.height, anchors[sp.anchor]))
		}
	}
	img := applyFilters(src, gf...)
	for _, f := range filters {
		if f.proc != "" {
			continue
		}
		img = applyFilters(img, f.g)
	}
	if sp.bg != nil {
		bg := image.NewRGBA(img.Bounds())
		draw.Draw(bg, bg.Bounds(), &image.Uniform{C: sp.bg}, image.Point{}, draw.Src)
		draw.Draw(bg, bg.Bounds(), img, img.Bounds().Min, draw.Over)
		img = bg
	}
	var out bytes.Buffer
	if err := encode(&out, img, sp); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// applyFilters draws src through the filters into an image of src's kind,
// as Hugo does.
func applyFilters(src image.Image, filters ...gift.Filter) image.Image {
	if len(filters) == 0 {
		return src
	}
	g := gift.New(filters...)
	bounds := g.Bounds(src.Bounds())
	var dst draw.Image
	switch src.(type) {
	case *image.RGBA:
		dst = image.NewRGBA(bounds)
	case *image.Gray:
		dst = image.NewGray(bounds)
	default:
		dst = image.NewNRGBA(bounds)
	}
	g.Draw(dst, src)
	return dst
}

func encode(w *bytes.Buffer, img image.Image, sp spec) error {
	switch sp.target {
	case fmtJPEG:
		q := sp.quality
		if n, ok := img.(*image.NRGBA); ok && n.Opaque() {
			img = &image.RGBA{Pix: n.Pix, Stride: n.Stride, Rect: n.Rect}
		}
		return jpeg.Encode(w, img, &jpeg.Options{Quality: q})
	case fmtPNG:
		return (&png.Encoder{CompressionLevel: png.DefaultCompression}).Encode(w, img)
	case fmtGIF:
		return gif.Encode(w, img, &gif.Options{NumColors: 256})
	case fmtTIFF:
		return tiff.Encode(w, img, &tiff.Options{Compression: tiff.Deflate, Predictor: true})
	case fmtBMP:
		return bmp.Encode(w, img)
	}
	return errors.New("writing this image format is not supported")
}

// smartCrop finds the most interesting region with the aspect ratio of
// width×height, with the library and the resizing Hugo uses.
func smartCrop(img image.Image, width, height int, rs gift.Resampling) (image.Rectangle, error) {
	b := img.Bounds()
	if width <= 0 || height <= 0 || b.Dx() <= 0 || b.Dy() <= 0 {
		return image.Rectangle{}, nil
	}
	if b.Dx() == width && b.Dy() == height {
		return b, nil
	}
	rect, err := smartcrop.NewAnalyzer(giftResizer{rs}).FindBestCrop(img, width, height)
	if err != nil {
		return image.Rectangle{}, err
	}
	return b.Intersect(rect), nil
}

type giftResizer struct{ rs gift.Resampling }

func (g giftResizer) Resize(img image.Image, width, height uint) image.Image {
	w, h := float64(img.Bounds().Dx()), float64(img.Bounds().Dy())
	sx, sy := 1.0, 1.0
	switch {
	case width == 0 && height != 0:
		sy = h / float64(height)
		sx = sy
	case width != 0:
		sx = w / float64(width)
		sy = sx
		if height != 0 {
			sy = h / float64(height)
		}
	}
	if width == 0 {
		width = uint(math.Ceil(w / sx))
	}
	if height == 0 {
		height = uint(math.Ceil(h / sy))
	}
	return applyFilters(img, gift.Resize(int(width), int(height), g.rs))
}
