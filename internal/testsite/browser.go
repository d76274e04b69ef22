package testsite

import (
	"context"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
)

// ChromiumPath is where Debian's chromium package (and so CI) puts the
// browser.
const ChromiumPath = "/usr/bin/chromium"

// Browser starts a headless Chromium for the test and returns a chromedp
// context for one tab, ended when ctx ends or the test finishes. Without
// the browser the test is skipped, except under CI, where that is a
// failure: CI installs it, and a skipped check must not pass for a green run.
func Browser(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	if _, err := os.Stat(ChromiumPath); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but the browser is missing: %v", err)
		}
		t.Skipf("no browser: %v", err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(ChromiumPath),
		chromedp.Headless,
		chromedp.DisableGPU,
		// Without a sandbox, because Chromium refuses to run as root with one
		// (containers, CI), and the pages are our own.
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		// Keep the browser off the network: on a closed network its
		// background services only make refused connections.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browser, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	return browser
}
