package generator_test

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/agora-hub/agora/internal/testsite"
)

// Markdown images get the width and height their file states, found where
// the browser will: a bundle's resource, a file beside the page, static/
// of the site over the built-in theme's. Others get none.
func TestImageSizes(t *testing.T) {
	dir := testsite.New(t, `
-- site.toml --
baseURL = "https://example.org/hub/"
title = "Hub"
-- content/tips/bundle/index.md --
+++
title = "Bundle"
+++
![Funnel](funnel.svg)

![Logo](/images/logo.png)

![Favicon](/favicon.svg)

![Missing](/images/none.png)

![Remote](https://example.org/remote.png)

![Not an image](notes.txt)

![Beside the section](../wide.svg)
-- content/tips/bundle/funnel.svg --
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 480 260"></svg>
-- content/tips/bundle/notes.txt --
just text
-- content/tips/wide.svg --
<svg width="900" height="100"></svg>
`)
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, 64, 32))); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "static", "images"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "static", "images", "logo.png"), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	_, out := build(t, dir)
	html, err := os.ReadFile(filepath.Join(out, "tips", "bundle", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	imgs := map[string]string{}
	for _, m := range regexp.MustCompile(`<img ([^>]*)alt="([^"]*)"`).FindAllStringSubmatch(string(html), -1) {
		imgs[m[2]] = m[1]
	}
	for alt, want := range map[string]string{
		"Funnel":             `height="260" width="480" src="funnel.svg" `,
		"Logo":               `height="32" width="64" src="/hub/images/logo.png" `,
		"Favicon":            `height="32" width="32" src="/hub/favicon.svg" `, // the built-in theme's static/
		"Missing":            `src="/hub/images/none.png" `,
		"Remote":             `src="https://example.org/remote.png" `,
		"Not an image":       `src="notes.txt" `,
		"Beside the section": `height="100" width="900" src="../wide.svg" `,
	} {
		if got, ok := imgs[alt]; !ok || got != want {
			t.Errorf("image %q: attributes %q, want %q", alt, got, want)
		}
	}

	// static/ of the site replaces the theme's file of the same name.
	testsite.Write(t, dir, "-- static/favicon.svg --\n<svg width=\"48\" height=\"48\"/>\n")
	_, out = build(t, dir)
	html, err = os.ReadFile(filepath.Join(out, "tips", "bundle", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(html, []byte(`height="48" width="48" src="/hub/favicon.svg"`)) {
		t.Errorf("the site's favicon.svg did not replace the theme's:\n%s", html)
	}
}
