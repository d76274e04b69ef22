// Package imagesize reads the intrinsic size of an image file from its
// first bytes, so that pages can give images width and height attributes
// and not shift while they load: SVG from the root element's width and
// height or its viewBox, PNG, JPEG, GIF and WebP from their headers.
package imagesize

import (
	"encoding/xml"
	"image"
	_ "image/gif"  // registers the GIF header reader
	_ "image/jpeg" // registers the JPEG header reader
	_ "image/png"  // registers the PNG header reader
	"io"
	"math"
	"path"
	"strconv"
	"strings"

	_ "golang.org/x/image/webp" // registers the WebP header reader
)

// svgHeadLimit bounds what is read of an SVG file before its root element:
// a comment or a doctype may come first, but a file whose <svg> starts
// further in than this is not worth reading to the end.
const svgHeadLimit = 64 << 10

// maxSide is the largest width or height reported: a bigger number is a
// mistake or an attack, not an image a page shows.
const maxSide = 1 << 16

// Of reads the size of the image in r, whose file name tells its format
// (".svg", else the raster formats by their magic numbers). ok is false
// for a format it does not read, a damaged file, or an SVG that states no
// usable size.
func Of(r io.Reader, name string) (width, height int, ok bool) {
	if strings.EqualFold(path.Ext(name), ".svg") {
		width, height, ok = svg(io.LimitReader(r, svgHeadLimit))
	} else {
		cfg, _, err := image.DecodeConfig(r)
		width, height, ok = cfg.Width, cfg.Height, err == nil
	}
	if !ok || width < 1 || height < 1 || width > maxSide || height > maxSide {
		return 0, 0, false
	}
	return width, height, true
}

// svg reads the root element's width and height in CSS pixels (plain
// numbers or px); a missing or relative one (50%, 10em) comes from the
// viewBox, keeping its aspect ratio, as a browser sizes the image.
func svg(r io.Reader) (int, int, bool) {
	d := xml.NewDecoder(r)
	d.Strict = false
	for {
		tok, err := d.Token()
		if err != nil {
			return 0, 0, false
		}
		el, isStart := tok.(xml.StartElement)
		if !isStart {
			continue
		}
		if el.Name.Local != "svg" {
			return 0, 0, false
		}
		var w, h, vw, vh float64
		for _, a := range el.Attr {
			switch a.Name.Local {
			case "width":
				w = pixels(a.Value)
			case "height":
				h = pixels(a.Value)
			case "viewBox":
				vw, vh = viewBox(a.Value)
			}
		}
		switch {
		case w > 0 && h > 0:
		case vw > 0 && vh > 0 && w > 0:
			h = w * vh / vw
		case vw > 0 && vh > 0 && h > 0:
			w = h * vw / vh
		case vw > 0 && vh > 0:
			w, h = vw, vh
		default:
			return 0, 0, false
		}
		return int(math.Round(w)), int(math.Round(h)), true
	}
}

// pixels is a length in CSS pixels, 0 for units that depend on the page.
func pixels(s string) float64 {
	s = strings.TrimSuffix(strings.TrimSpace(s), "px")
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 || math.IsInf(v, 0) {
		return 0
	}
	return v
}

// viewBox returns the width and height of "min-x min-y width height",
// separated by spaces or commas.
func viewBox(s string) (float64, float64) {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
	if len(f) != 4 {
		return 0, 0
	}
	w, err1 := strconv.ParseFloat(f[2], 64)
	h, err2 := strconv.ParseFloat(f[3], 64)
	if err1 != nil || err2 != nil || w <= 0 || h <= 0 || math.IsInf(w, 0) || math.IsInf(h, 0) {
		return 0, 0
	}
	return w, h
}
