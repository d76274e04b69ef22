package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agora-hub/agora/internal/testsite"
)

// TestCommandsRefuseLinksOutOfTheSite runs the commands that read a site
// (build, new, plan) on sites whose links lead outside, and checks each
// exits 1 naming the link, reads nothing and writes nothing out there.
func TestCommandsRefuseLinksOutOfTheSite(t *testing.T) {
	const secret = "SECRET-OUTSIDE-THE-SITE"
	for _, tc := range []struct {
		name string
		link string // in the site, to the outside folder's file
		to   string
		args []string
		want string
	}{
		{"build: a static file", "static/x.txt", "secret.txt", []string{"build"}, "static/x.txt: symbolic link to /"},
		{"new: an archetype", "archetypes/tips.md", "archetype.md", []string{"new", "tips/x.md"}, "archetypes/tips.md: symbolic link to /"},
		{"new: content/ itself", "content", "", []string{"new", "tips/x.md"}, "content: symbolic link to /"},
		{"new: a section folder", "content/tips", "", []string{"new", "tips/x.md"}, "content/tips: symbolic link to /"},
		{"plan: a page", "content/tips/leak.md", "page.md", []string{"plan"}, "content/tips/leak.md: symbolic link to /"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := testsite.New(t, `
-- secret.txt --
`+secret+`
-- archetype.md --
+++
title = "`+secret+`"
+++
-- page.md --
+++
title = "`+secret+`"
date = 2026-01-05T10:00:00Z
+++
`)
			before := testsite.Hashes(t, out)
			site := testsite.New(t, baseSite)
			link := filepath.Join(site, filepath.FromSlash(tc.link))
			if err := os.RemoveAll(link); err != nil {
				t.Fatal(err)
			}
			if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(filepath.Join(out, tc.to), link); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := run(t, append(tc.args, "-s", site, "--now", "2026-03-01T10:00:00Z")...)
			if code != 1 || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr, tc.want)
			}
			if strings.Contains(stdout+stderr, secret) {
				t.Errorf("the secret was shown:\n%s%s", stdout, stderr)
			}
			if after := testsite.Hashes(t, out); len(after) != len(before) {
				t.Errorf("files written outside the site: %v", after)
			}
			if _, err := os.Stat(filepath.Join(site, "public")); err == nil {
				t.Error("public/ was written")
			}
		})
	}
}
