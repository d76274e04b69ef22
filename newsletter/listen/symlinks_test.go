package listen_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agora-hub/agora/newsletter/listen"
)

// TestServedStylesheetRefusesLinksOut: agora listen serves the site's
// css/main.css to anyone at /style.css, and reads the pages for the
// topics. A link out of the site in either would serve or read a file of
// the machine; the service must refuse to start, naming the link.
func TestServedStylesheetRefusesLinksOut(t *testing.T) {
	out := t.TempDir()
	secret := filepath.Join(out, "passwd")
	if err := os.WriteFile(secret, []byte("root:x:0:0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, link := range []string{"static/css/main.css", "content/tips/leak.md"} {
		t.Run(link, func(t *testing.T) {
			dir := exampleHub(t, "https://hub.example.org/", "https://news.example.org")
			p := filepath.Join(dir, filepath.FromSlash(link))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(secret, p); err != nil {
				t.Fatal(err)
			}
			site, _, err := listen.LoadSite(dir)
			if err == nil || !strings.Contains(err.Error(), link+": symbolic link to "+secret) {
				t.Errorf("err = %v, want it to name %s and %s", err, link, secret)
			}
			if strings.Contains(string(site.CSS), "root:x") {
				t.Error("the stylesheet served is the file outside")
			}
		})
	}
}
