package serve

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWatcherStaysInTheSite: a link from the site to a folder outside
// (static/ itself, or a folder in content/) must not make serve watch
// that folder, which would rebuild on every change there (a home folder,
// /) and spend a watch on each of its subfolders. The build refuses such
// a link anyway; the watcher only keeps to the site.
func TestWatcherStaysInTheSite(t *testing.T) {
	site, out := t.TempDir(), t.TempDir()
	for _, d := range []string{"a/b/c", "d"} {
		if err := os.MkdirAll(filepath.Join(out, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(site, "content/tips"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, link := range []string{"static", "content/tips/elsewhere"} {
		if err := os.Symlink(out, filepath.Join(site, link)); err != nil {
			t.Fatal(err)
		}
	}
	w, err := newWatcher(site, 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	defer w.fs.Close()
	if err := w.resync(); err != nil {
		t.Fatal(err)
	}
	for _, p := range w.fs.WatchList() {
		if strings.HasPrefix(p, out) || strings.HasPrefix(p, filepath.Join(site, "static")) || strings.Contains(p, "elsewhere") {
			t.Errorf("watching %s, outside the site", p)
		}
	}
}
