package generator_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/generator"
	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/internal/nesting"
	"github.com/agora-hub/agora/internal/testsite"
)

// buildWithin builds dir and fails the test if the build takes longer
// than budget: before the limits, these inputs took minutes and
// gigabytes, and the test must say so rather than hang.
func buildWithin(t *testing.T, dir string, budget time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := generator.Build(context.Background(), generator.Options{Source: dir, Now: testNow})
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(budget):
		t.Fatalf("the build still runs after %v", budget)
		return nil
	}
}

func limitPage(frontMatter, body string) string {
	return "+++\ntitle = \"Hostile\"\ndate = 2026-01-05T10:00:00Z\n" + frontMatter + "+++\n" + body
}

// TestHostilePagesAreRefusedCheaply sends the inputs of the attack
// review (40 KB of nested TOML, 10,000 tags, 50 MB of nested Markdown)
// and their variants: each is refused at its file and line, in far less
// time than it used to take, and nothing is published.
func TestHostilePagesAreRefusedCheaply(t *testing.T) {
	deep := nesting.MaxDepth * 600 // 10,000 levels, as in the review
	tags := make([]string, 10000)
	for i := range tags {
		tags[i] = fmt.Sprintf("%q", fmt.Sprintf("tag%d", i))
	}
	for _, tc := range []struct {
		name, page, want string
	}{
		{"40 KB of nested inline tables", limitPage("x = "+strings.Repeat("{a=", deep)+"1"+strings.Repeat("}", deep)+"\n", "x"),
			"content/tips/a.md:4: front matter nests tables and arrays more than 16 deep"},
		{"nested arrays of tables", limitPage("x = "+strings.Repeat("[{a=", deep)+"1"+strings.Repeat("}]", deep)+"\n", "x"),
			"content/tips/a.md:4: front matter nests"},
		{"a dotted key 10,000 parts long", limitPage("x"+strings.Repeat(".a", deep)+" = 1\n", "x"),
			"content/tips/a.md:4: front matter nests"},
		{"a table header 10,000 parts long", limitPage("[params]\nok = 1\n[x"+strings.Repeat(".a", deep)+"]\nb = 1\n", "x"),
			"content/tips/a.md:6: front matter nests"},
		{"10,000 tags", limitPage("tags = ["+strings.Join(tags, ", ")+"]\n", "x"),
			"content/tips/a.md:4: tags: 10000 terms, more than the 500"},
		{"front matter of 1 MB", limitPage(bigFrontMatter(1<<20), "x"),
			"front matter is longer than 256 KiB"},
		{"50 MB of nested Markdown", limitPage("", strings.Repeat("> ", 25<<20)+"x\n"),
			"content/tips/a.md:1: 50.0 MiB of Markdown, more than the 4 MiB a page may have"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testsite.New(t, linkSite)
			if err := os.WriteFile(filepath.Join(dir, "content/tips/a.md"), []byte(tc.page), 0o644); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err := buildWithin(t, dir, 20*time.Second)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			t.Logf("refused in %v", time.Since(start))
			if _, err := os.Stat(filepath.Join(dir, "public")); err == nil {
				t.Error("public/ was written")
			}
		})
	}
}

// bigFrontMatter is n bytes of plain keys, the front matter of no page
// but one generated to cross the size limit.
func bigFrontMatter(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		fmt.Fprintf(&b, "key%d = \"a plain value\"\n", i)
	}
	return b.String()
}

// TestPagesAtTheLimitsBuild: the limits must never fail a real page, so
// a page just inside each of them builds.
func TestPagesAtTheLimitsBuild(t *testing.T) {
	tags := make([]string, content.MaxTermsPerPage)
	for i := range tags {
		tags[i] = fmt.Sprintf("%q", fmt.Sprintf("tag%d", i))
	}
	d := nesting.MaxDepth
	deep := "[params]\ndeep = " + strings.Repeat("[", d-1) + strings.Repeat("]", d-1) + "\n" +
		"[[resources]]\nsrc = \"a.jpg\"\n[resources.params]\ncredits = [\"x\"]\n"
	for _, tc := range []struct{ name, page string }{
		{"as many tags as allowed", limitPage("tags = ["+strings.Join(tags, ", ")+"]\n", "x")},
		{"front matter as long and deep as allowed", limitPage(deep+bigFrontMatter(content.MaxFrontMatterBytes-len(deep)-100), "x")},
		{"Markdown as long as allowed", limitPage("", strings.Repeat("Some prose with *emphasis* and a [link](https://example.org/).\n\n", (content.MaxPageBytes-200)/64))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testsite.New(t, linkSite)
			if err := os.WriteFile(filepath.Join(dir, "content/tips/a.md"), []byte(tc.page), 0o644); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			if err := buildWithin(t, dir, 2*time.Minute); err != nil {
				t.Fatal(err)
			}
			t.Logf("built in %v", time.Since(start))
			assertFile(t, filepath.Join(dir, "public"), "tips/a/index.html", "Hostile")
		})
	}
}

// TestSiteTOMLNestingIsRefused: site.toml comes from the repository too.
func TestSiteTOMLNestingIsRefused(t *testing.T) {
	deep := 10000
	dir := testsite.New(t, linkSite)
	cfg := "baseURL = \"https://example.org/\"\ntitle = \"Hub\"\n[params]\nx = " + strings.Repeat("{a=", deep) + "1" + strings.Repeat("}", deep) + "\n"
	if err := os.WriteFile(filepath.Join(dir, "site.toml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	err := buildWithin(t, dir, 20*time.Second)
	if err == nil || !strings.Contains(err.Error(), "site.toml:4: tables and arrays nest more than 16 deep") {
		t.Fatalf("err = %v", err)
	}
}
