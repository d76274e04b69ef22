package digest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/newsletter/digest"
)

// TestTemplatesAndPagesRefuseLinksOut: agora send reads the site's email
// templates and the pages of the digest sections; a link out of the site
// in either must stop it, naming the link, before anything is mailed.
func TestTemplatesAndPagesRefuseLinksOut(t *testing.T) {
	out := t.TempDir()
	secret := filepath.Join(out, "passwd")
	if err := os.WriteFile(secret, []byte("root:x:0:0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, link := range []string{"layouts/email/digest.html", "content/tips/leak.md"} {
		t.Run(link, func(t *testing.T) {
			dir := writeSite(t, baseSite())
			p := filepath.Join(dir, filepath.FromSlash(link))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(secret, p); err != nil {
				t.Fatal(err)
			}
			site, err := digest.Open(dir)
			if err == nil {
				_, err = site.Gather(time.Time{}, now)
			}
			if err == nil || !strings.Contains(err.Error(), link+": symbolic link to "+secret) {
				t.Errorf("err = %v, want it to name %s and %s", err, link, secret)
			}
		})
	}
}
