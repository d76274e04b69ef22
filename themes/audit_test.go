package themes_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/agora-hub/agora/internal/audit"
	"github.com/agora-hub/agora/internal/testsite"
)

// hubPageTypes are the example hub's pages of every kind the default theme
// renders, below the base path.
var hubPageTypes = []struct{ name, path string }{
	{"home", ""},
	{"section", "tips/"},
	{"pager page", "tips/page/2/"},
	{"tip with an image", "tips/metrics-that-matter/"},
	{"tip with code", "tips/newsletter-people-open/"},
	{"post with a table", "posts/twelve-months-of-meetups/"},
	{"post with a TOC", "posts/autumn-questions/"},
	{"taxonomy", "tags/"},
	{"term", "tags/onboarding/"},
	{"transparency log", "transparency/"},
	{"transparency kind", "transparency/kind/farewell/"},
	{"superseded decision", "transparency/digest-moves-to-fridays/"},
	{"events", "events/"},
	{"hybrid event", "events/metrics-review-clinic/"},
	{"cancelled event", "events/newsletter-writers-lunch-vienna/"},
	{"newsletter", "newsletter/"},
	{"404", "tips/no-such-tip/"},
}

// auditWidths are a phone's and a laptop's.
var auditWidths = []int64{375, 1280}

// TestAxe runs axe-core on every page type of the example hub at both
// widths, in the light and the dark scheme, and allows no violation. Set
// AGORA_SCREENSHOTS=DIR to keep a screenshot of each page and size too.
func TestAxe(t *testing.T) {
	tools := audit.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	_, base, _ := serveHub(t, ctx)
	browser := testsite.Browser(t, ctx)
	shots := os.Getenv("AGORA_SCREENSHOTS")

	total := 0
	for _, scheme := range []audit.Scheme{audit.Light, audit.Dark} {
		for _, w := range auditWidths {
			if err := chromedp.Do(browser, audit.Emulate(w, scheme)); err != nil {
				t.Fatal(err)
			}
			for _, pg := range hubPageTypes {
				name := fmt.Sprintf("%s/%dpx/%s", pg.name, w, scheme)
				if err := chromedp.Do(browser, chromedp.Navigate(base+pg.path)); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				vs, err := tools.Axe(browser)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				for _, v := range vs {
					t.Errorf("%s (%s): %s", name, pg.path, v)
					total += len(v.Nodes)
				}
				if shots != "" {
					png, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
					if err != nil {
						t.Fatal(err)
					}
					file := filepath.Join(shots, strings.NewReplacer("/", "-", " ", "-").Replace(name)+".png")
					if err := os.MkdirAll(shots, 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(file, png, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}
	t.Logf("%d page types × %d widths × 2 schemes: %d violating nodes", len(hubPageTypes), len(auditWidths), total)
}

// TestHTMLValidate checks every HTML file of the example hub with
// html-validate under the rules in .htmlvalidate.json.
func TestHTMLValidate(t *testing.T) {
	tools := audit.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	_, _, out := serveHub(t, ctx)
	var files []string
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".html") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := tools.HTMLValidate(ctx, files...)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		rel, _ := filepath.Rel(out, m.File)
		t.Errorf("%s:%d: %s: %s (%s)", rel, m.Line, m.Rule, m.Text, m.Snippet)
	}
	t.Logf("%d files, %d errors", len(files), len(msgs))
}
