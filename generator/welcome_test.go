package generator_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agora-hub/agora/generator"
	"github.com/agora-hub/agora/internal/testsite"
)

// TestWelcomeStepsAreNotPublished: the welcome series is mail. Its pages
// are in no page, list, feed or sitemap of the build, and a bad step fails
// the build at its line.
func TestWelcomeStepsAreNotPublished(t *testing.T) {
	dir := testsite.New(t, `
-- site.toml --
baseURL = "https://example.org/"
title = "Hub"
-- content/tips/a.md --
+++
title = "A tip"
date = 2026-01-01
+++
Tip.
-- content/welcome/hello.md --
+++
title = "Welcome aboard"
date = 2026-01-01
tags = ["secretstep"]
[welcome]
after = "0"
+++
The first mail.
`)
	_, public := build(t, dir)
	assertNoFile(t, public, "welcome/index.html")
	assertNoFile(t, public, "welcome/hello/index.html")
	assertNoFile(t, public, "tags/secretstep/index.html")
	err := filepath.WalkDir(public, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if strings.Contains(string(b), "Welcome aboard") || strings.Contains(string(b), "/welcome/") {
			t.Errorf("%s mentions the welcome step", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	testsite.Write(t, dir, `
-- content/welcome/bad.md --
+++
title = "Bad"
date = 2026-01-01
[welcome]
after = "soon"
+++
`)
	_, err = generator.Build(context.Background(), generator.Options{Source: dir, Now: testNow})
	if err == nil || !strings.Contains(err.Error(), `content/welcome/bad.md:5: welcome.after: "soon"`) {
		t.Errorf("build with a bad step: %v", err)
	}
}
