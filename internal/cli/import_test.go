package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agora-hub/agora/internal/testsite"
)

// TestImportExitCodes runs agora import as a user would: 0 when
// everything moved, 1 with the site written when something did not, 1
// with nothing written when the import failed, 2 for a wrong command line.
func TestImportExitCodes(t *testing.T) {
	const lossless = "-- hugo.toml --\ntitle = \"S\"\n-- content/a.md --\n+++\ntitle = \"A\"\n+++\nText.\n"
	const lossy = "-- _config.yml --\ntitle: S\n-- _posts/2024-01-01-a.md --\n---\ntitle: A\n---\n{{ page.date | date: \"%Y\" }}\n"
	for _, tc := range []struct {
		name     string
		site     string
		args     func(src, dst string) []string
		code     int
		written  bool
		stdout   []string
		stderr   []string
		occupied bool
	}{
		{"everything moved", lossless, func(src, dst string) []string { return []string{"import", "hugo", src, "--to", dst} },
			0, true, []string{"Everything moved.", "agora build of the new site: Built"}, nil, false},
		{"the default target is DIR-agora", lossless, func(src, dst string) []string { return []string{"import", "hugo", src} },
			0, true, []string{"-agora"}, nil, false},
		{"something was lost", lossy, func(src, dst string) []string { return []string{"import", "jekyll", "--to", dst, src} },
			1, true, []string{"_posts/2024-01-01-a.md:4: Liquid {{ page.date"}, []string{"the new site is in", "not everything moved exactly"}, false},
		{"the site from -s, run from inside it", lossless, func(src, dst string) []string { return []string{"import", "hugo", "-s", src + "/.", "--to", dst} },
			0, true, []string{"Everything moved."}, nil, false},
		{"a target that is not empty", lossless, func(src, dst string) []string { return []string{"import", "hugo", src, "--to", dst} },
			1, false, nil, []string{"is not empty", "Nothing was written"}, true},
		{"not a site", "-- notes.txt --\n", func(src, dst string) []string { return []string{"import", "jekyll", src, "--to", dst} },
			1, false, nil, []string{"is not a Jekyll site"}, false},
		{"an unknown kind", lossless, func(src, dst string) []string { return []string{"import", "gatsby", src} },
			2, false, nil, []string{"want 'agora import hugo DIR' or 'agora import jekyll DIR'"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := testsite.New(t, tc.site)
			dst := filepath.Join(t.TempDir(), "new")
			if tc.occupied {
				testsite.Write(t, dst, "-- mine.txt --\nkeep\n")
			}
			code, stdout, stderr := run(t, tc.args(src, dst)...)
			if code != tc.code {
				t.Fatalf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			for _, w := range tc.stdout {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			for _, w := range tc.stderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			target := dst
			if strings.Contains(tc.name, "default target") {
				target = filepath.Clean(src) + "-agora"
				t.Cleanup(func() { os.RemoveAll(target) })
			}
			_, err := os.Stat(filepath.Join(target, "site.toml"))
			if written := err == nil; written != tc.written {
				t.Errorf("site.toml written = %v, want %v", written, tc.written)
			}
			if tc.written {
				if code, _, stderr := run(t, "build", "-s", target, "-q"); code != 0 {
					t.Errorf("agora build of the imported site: exit %d\n%s", code, stderr)
				}
			}
		})
	}
}
