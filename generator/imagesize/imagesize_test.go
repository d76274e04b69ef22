package imagesize

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"strings"
	"testing"
)

func encoded(t *testing.T, enc func(*bytes.Buffer, image.Image) error, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := enc(&b, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// webpLossless is the header of a lossless WebP of w×h: RIFF, the VP8L
// chunk, its signature byte and the 14-bit sizes less one.
func webpLossless(w, h int) []byte {
	bits := uint32(w-1) | uint32(h-1)<<14
	chunk := append([]byte{0x2f}, binary.LittleEndian.AppendUint32(nil, bits)...)
	chunk = append(chunk, 0) // padding to an even length
	var b bytes.Buffer
	b.WriteString("RIFF")
	b.Write(binary.LittleEndian.AppendUint32(nil, uint32(4+8+len(chunk))))
	b.WriteString("WEBPVP8L")
	b.Write(binary.LittleEndian.AppendUint32(nil, 5))
	b.Write(chunk)
	return b.Bytes()
}

func TestOf(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		w, h int
		ok   bool
	}{
		{"a.png", encoded(t, func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) }, 640, 360), 640, 360, true},
		{"a.jpg", encoded(t, func(b *bytes.Buffer, m image.Image) error { return jpeg.Encode(b, m, nil) }, 33, 17), 33, 17, true},
		{"a.gif", encoded(t, func(b *bytes.Buffer, m image.Image) error { return gif.Encode(b, m, nil) }, 12, 34), 12, 34, true},
		{"a.webp", webpLossless(300, 200), 300, 200, true},
		// The name decides SVG; raster formats are told by their bytes.
		{"photo.JPEG", encoded(t, func(b *bytes.Buffer, m image.Image) error { return png.Encode(b, m) }, 5, 6), 5, 6, true},
		{"a.svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 480 260" width="480" height="260"></svg>`), 480, 260, true},
		{"prolog.svg", []byte("<?xml version=\"1.0\"?>\n<!-- made by hand -->\n<!DOCTYPE svg>\n<svg width=\"10px\" height=\"20.4\"/>"), 10, 20, true},
		{"viewbox-only.svg", []byte(`<svg viewBox="0,0,120.5,60"/>`), 121, 60, true},
		{"width-and-viewbox.svg", []byte(`<svg width="240" viewBox="0 0 120 60"/>`), 240, 120, true},
		{"height-and-viewbox.svg", []byte(`<svg height="30" viewBox="0 0 120 60"/>`), 60, 30, true},
		{"percent.svg", []byte(`<svg width="100%" height="100%" viewBox="0 0 16 9"/>`), 16, 9, true},
		{"em-no-viewbox.svg", []byte(`<svg width="10em" height="5em"/>`), 0, 0, false},
		{"no-size.svg", []byte(`<svg/>`), 0, 0, false},
		{"not-svg.svg", []byte(`<html><svg width="1" height="1"/></html>`), 0, 0, false},
		{"broken-viewbox.svg", []byte(`<svg viewBox="0 0 -1 5"/>`), 0, 0, false},
		{"huge.svg", []byte(`<svg width="1e9" height="10"/>`), 0, 0, false},
		{"late.svg", []byte("<!--" + strings.Repeat("x", svgHeadLimit) + "--><svg width=\"1\" height=\"1\"/>"), 0, 0, false},
		{"a.png", []byte("not an image"), 0, 0, false},
		{"a.bmp", []byte("BM...."), 0, 0, false},
		{"empty.svg", nil, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, h, ok := Of(bytes.NewReader(tt.data), tt.name)
			if w != tt.w || h != tt.h || ok != tt.ok {
				t.Errorf("Of = %d×%d %v, want %d×%d %v", w, h, ok, tt.w, tt.h, tt.ok)
			}
		})
	}
}
