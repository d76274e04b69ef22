package cli_test

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agora-hub/agora/internal/cli"
	"github.com/agora-hub/agora/internal/testsite"
)

const baseSite = `
-- site.toml --
baseURL = "https://example.org/hub/"
title = "Hub"
-- layouts/_default/baseof.html --
<!doctype html><title>{{ .Title }}</title><main>{{ block "main" . }}{{ end }}</main>
-- layouts/_default/single.html --
{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}
-- layouts/_default/list.html --
{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ end }}
-- content/tips/a.md --
+++
title = "A"
date = 2026-01-05T10:00:00Z
tags = ["go"]
+++
Body of A.
`

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

// TestBadInputLeavesPublicUntouched builds a good site, breaks it one way,
// and checks the message names file and line, the exit code is 1, and the
// previous public/ is byte-for-byte unchanged with no staging left behind.
func TestBadInputLeavesPublicUntouched(t *testing.T) {
	cases := []struct {
		name  string
		files string
		want  []string
	}{
		{"broken TOML", "-- content/tips/bad.md --\n+++\ntitle = \"ok\"\nbroken =\n+++\n", []string{"content/tips/bad.md:3: front matter:"}},
		{"YAML front matter", "-- content/tips/yaml.md --\n---\ntitle: x\nweight: heavy\n---\n", []string{"content/tips/yaml.md:3: weight: want a whole number"}},
		{"unknown site.toml key", "-- site.toml --\nbaseURL = \"https://example.org/hub/\"\ntitle = \"Hub\"\npaginat = 5\n", []string{"site.toml:3: unknown key \"paginat\""}},
		{"unknown nested key", "-- site.toml --\ntitle = \"Hub\"\n[markup]\nunsafe = true\nunsfe = false\n", []string{"site.toml:4: unknown key \"markup.unsfe\""}},
		{"slug traversal", "-- content/tips/s.md --\n+++\ntitle = \"S\"\nslug = \"../../x\"\n+++\n", []string{"content/tips/s.md:3: slug"}},
		{"url traversal", "-- content/tips/u.md --\n+++\ntitle = \"U\"\n\nurl = \"/../etc\"\n+++\n", []string{"content/tips/u.md:4: url:", "leave the output folder"}},
		{"alias traversal", "-- content/tips/al.md --\n+++\naliases = [\"/../../x/\"]\n+++\n", []string{"content/tips/al.md:2: aliases:"}},
		{"template exec error", "-- layouts/_default/single.html --\n{{ define \"main\" }}\n<h1>{{ .Nope }}</h1>{{ end }}\n", []string{"layouts/_default/single.html:2:", "Nope", "rendering content/tips/a.md"}},
		{"template parse error", "-- layouts/_default/list.html --\n{{ define \"main\" }}\n{{ if }}{{ end }}\n", []string{"layouts/_default/list.html:2:", "missing value for if"}},
		{"baseURL without a scheme", "-- site.toml --\ntitle = \"Hub\"\nbaseURL = \"example.org/hub\"\n", []string{"site.toml:2: baseURL \"example.org/hub\": want a full address"}},
		{"wrong type", "-- content/tips/d.md --\n+++\ntitle = \"D\"\ndate = 5\n+++\n", []string{"content/tips/d.md:3: date: want a date"}},
		{"bad timezone", "-- site.toml --\ntitle = \"Hub\"\ntimezone = \"Mars/Olympus\"\n", []string{"site.toml:2: timezone \"Mars/Olympus\""}},
		{"duplicate URL", "-- content/tips/b.md --\n+++\ntitle = \"B\"\nslug = \"a\"\n+++\n", []string{"URL /tips/a/ is also produced by"}},
		{"unclosed front matter", "-- content/tips/u.md --\n+++\ntitle = \"U\"\n", []string{"content/tips/u.md:1:", "never closed"}},
		{"two bad files at once", "-- content/tips/x.md --\n+++\ntitle = 1\n+++\n-- content/posts/y.md --\n+++\ndraft = \"yes\"\n+++\n", []string{"content/posts/y.md:2: draft:", "content/tips/x.md:2: title:"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := testsite.New(t, baseSite)
			if code, _, stderr := run(t, "build", "-s", dir, "--quiet"); code != 0 {
				t.Fatalf("good build failed: %s", stderr)
			}
			public := filepath.Join(dir, "public")
			before := testsite.Hashes(t, public)
			testsite.Write(t, dir, tc.files)

			code, stdout, stderr := run(t, "build", "-s", dir)
			if code != 1 {
				t.Fatalf("exit code = %d, want 1; stderr:\n%s", code, stderr)
			}
			if stdout != "" {
				t.Errorf("a failed build printed a summary: %q", stdout)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if tc.name != "duplicate URL" && strings.Contains(stderr, "is also produced by") {
				t.Errorf("a second, spurious error:\n%s", stderr)
			}
			if after := testsite.Hashes(t, public); !maps.Equal(before, after) {
				t.Errorf("public/ changed after a failed build")
			}
			leftovers, _ := filepath.Glob(filepath.Join(dir, ".public.tmp-*"))
			if len(leftovers) > 0 {
				t.Errorf("staging folders left behind: %v", leftovers)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"build", "--nope"}, "flag provided but not defined: -nope"},
		{[]string{"build", "--now", "yesterday"}, "want RFC 3339"},
		{[]string{"build", "-b", "example.org/sub"}, "want a full address"},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"new"}, "agora new site DIR"},
		{[]string{"new", "content/../notes.md"}, "goes outside content/"},
		{[]string{"new", "/tmp/x.md"}, "an absolute path"},
		{[]string{"new", "tips/x"}, "ending in .md"},
		{[]string{}, "Usage: agora COMMAND"},
	}
	for _, tc := range cases {
		code, _, stderr := run(t, tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("agora %v: exit %d, stderr %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
}

func TestHelpListsCommands(t *testing.T) {
	code, out, _ := run(t, "help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, c := range []string{"build", "new", "plan", "version"} {
		if !strings.Contains(out, "  "+c) {
			t.Errorf("help lacks %q:\n%s", c, out)
		}
	}
	code, out, _ = run(t, "help", "build")
	if code != 0 || !strings.Contains(out, "-D, --buildDrafts") || !strings.Contains(out, "-s, --source") {
		t.Errorf("help build: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "help", "plan")
	for _, w := range []string{"--weeks", "--now", "--format", "-s, --source"} {
		if code != 0 || !strings.Contains(out, w) {
			t.Errorf("help plan lacks %q: exit %d\n%s", w, code, out)
		}
	}
}

// TestFlagsAnywhere checks that flags work before and after positional
// arguments, as the "agora new tips/x.md -s DIR" requires.
func TestFlagsAnywhere(t *testing.T) {
	for _, args := range [][]string{
		{"new", "-s", "DIR", "tips/x.md", "--now", "2026-03-01T10:00:00Z"},
		{"new", "tips/x.md", "-s", "DIR", "--now=2026-03-01T10:00:00Z"},
	} {
		dir := testsite.New(t, baseSite)
		for i := range args {
			if args[i] == "DIR" {
				args[i] = dir
			}
		}
		code, out, stderr := run(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		got := testsite.Read(t, dir, "content/tips/x.md")
		if !strings.Contains(got, `title = "X"`) || !strings.Contains(got, "2026-03-01T10:00:00Z") {
			t.Errorf("%v: page:\n%s", args, got)
		}
		if !strings.Contains(out, "content/tips/x.md") {
			t.Errorf("output %q", out)
		}
		if code, _, stderr := run(t, args...); code != 1 || !strings.Contains(stderr, "already exists") {
			t.Errorf("second new: exit %d %s", code, stderr)
		}
	}
}

func TestNewSiteBuilds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "hub")
	if code, _, stderr := run(t, "new", "site", dir); code != 0 {
		t.Fatalf("new site: %s", stderr)
	}
	for _, f := range []string{"site.toml", ".gitignore", ".github/workflows/pages.yml", "content/tips/_index.md", "content/events/_index.md", "content/transparency/_index.md", "content/posts/_index.md", "static/.gitkeep"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("scaffold lacks %s", f)
		}
	}
	wf := testsite.Read(t, dir, ".github/workflows/pages.yml")
	for _, w := range []string{"actions/deploy-pages", "upload-pages-artifact", "path: public"} {
		if !strings.Contains(wf, w) {
			t.Errorf("pages.yml lacks %q", w)
		}
	}
	if code, _, stderr := run(t, "new", "tips/first-tip.md", "-s", dir); code != 0 {
		t.Fatalf("new tip: %s", stderr)
	}
	if code, out, stderr := run(t, "build", "-s", dir, "-D"); code != 0 || !strings.HasPrefix(out, "Built ") {
		t.Fatalf("building the new site: exit %d\n%s%s", code, out, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "public", "tips", "first-tip", "index.html")); err != nil {
		t.Error("the new tip was not built")
	}
	if code, _, stderr := run(t, "new", "site", dir); code != 1 || !strings.Contains(stderr, "not empty") {
		t.Errorf("new site over an existing one: exit %d %s", code, stderr)
	}
}

// TestDestinationGuard: the build replaces its destination wholesale, so a
// folder it did not write, or one holding the site, is refused untouched.
func TestDestinationGuard(t *testing.T) {
	dir := testsite.New(t, baseSite)
	foreign := filepath.Join(t.TempDir(), "documents")
	testsite.Write(t, foreign, "-- thesis.txt --\nprecious\n")
	for _, tc := range []struct{ dest, want string }{
		{foreign, "did not write"},
		{dir, "contains the site itself"},
		{filepath.Join(dir, "content", "out"), "inside the site's content/ folder"},
	} {
		code, _, stderr := run(t, "build", "-s", dir, "-d", tc.dest)
		if code != 1 || !strings.Contains(stderr, tc.want) {
			t.Errorf("-d %s: exit %d, %s", tc.dest, code, stderr)
		}
	}
	if got := testsite.Read(t, foreign, "thesis.txt"); got != "precious\n" {
		t.Errorf("foreign folder changed: %q", got)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	if code, _, stderr := run(t, "build", "-s", dir, "-d", empty, "-q"); code != 0 {
		t.Errorf("empty destination refused: %s", stderr)
	}
}
