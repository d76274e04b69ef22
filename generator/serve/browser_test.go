package serve

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/agora-hub/agora/internal/testsite"
)

// TestLiveReloadInBrowser is the editor's loop in a real Chromium: a page
// is open, its Markdown changes on disk, and the page shows the new text
// with no action in the browser; a broken save shows the error over the
// last good page; the next good save clears it.
func TestLiveReloadInBrowser(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	browser := testsite.Browser(t, ctx)

	root := smallSite(t)
	srv, _, _ := startServer(t, root)
	page := srv.URL() + "tips/hello/"
	file := filepath.Join(root, "content", "tips", "hello.md")

	// waitText polls the page without touching it: no reload, no click.
	waitText := func(js, want, what string) {
		t.Helper()
		var got string
		var err error
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			// Errors are retried: the page may be between two documents.
			got, err = chromedp.Run(browser, chromedp.Evaluate[string](js))
			if err == nil && strings.Contains(got, want) {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("%s: page shows %q (error %v), want it to contain %q", what, got, err, want)
	}
	const mainText = `(() => { const m = document.querySelector("main") || document.body; return m ? m.innerText : ""; })()`
	const overlayText = `(document.getElementById("agora-build-error") || {innerText: "no overlay"}).innerText`

	if err := chromedp.Do(browser, chromedp.Navigate(page)); err != nil {
		t.Fatalf("open %s: %v", page, err)
	}
	waitText(mainText, "The first version.", "first load")
	// The stream must be open before the edit, or the reload is missed.
	waitText(`window.agoraLive || "waiting"`, "connected", "event stream")

	saveLikeAnEditor(t, file, "+++\ntitle = \"Hello\"\ndate = 2026-01-01T09:00:00Z\n+++\nEdited on disk, shown without a click.\n")
	waitText(mainText, "Edited on disk, shown without a click.", "after the edit")

	saveLikeAnEditor(t, file, "+++\ntitle = \"Hello\ndate = 2026-01-01T09:00:00Z\n+++\nBroken.\n")
	waitText(overlayText, "content/tips/hello.md:2", "overlay after breaking the front matter")
	waitText(mainText, "Edited on disk", "last good build under the overlay")

	saveLikeAnEditor(t, file, "+++\ntitle = \"Hello\"\ndate = 2026-01-01T09:00:00Z\n+++\nFixed again.\n")
	waitText(mainText, "Fixed again.", "after fixing")
	waitText(overlayText, "no overlay", "overlay after fixing")
}
