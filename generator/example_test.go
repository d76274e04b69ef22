package generator_test

import (
	"context"
	"encoding/xml"
	"flag"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/generator"
	"github.com/agora-hub/agora/internal/testsite"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// buildExample builds the example hub at the repository root, as the
// README's first command does, under a GitHub Pages project sub-path.
func buildExample(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "public")
	_, err := generator.Build(context.Background(), generator.Options{
		Source: "..", Destination: out, BaseURL: "https://example.org/hub/",
		Now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC),
	})
	if err != nil {
		t.Fatalf("building the example hub: %v", err)
	}
	return out
}

func TestExampleHubLinks(t *testing.T) {
	pub := buildExample(t)
	if n := testsite.CheckLinks(t, pub, "https://example.org/hub/"); n < 300 {
		t.Errorf("checked only %d internal links; the example hub has more", n)
	}
}

func TestExampleHubXML(t *testing.T) {
	pub := buildExample(t)
	n := 0
	_ = filepath.WalkDir(pub, func(p string, d os.DirEntry, err error) error {
		if err != nil || !strings.HasSuffix(p, ".xml") {
			return err
		}
		n++
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		dec := xml.NewDecoder(f)
		for {
			if _, err := dec.Token(); err == io.EOF {
				break
			} else if err != nil {
				t.Errorf("%s: %v", p, err)
				break
			}
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), `"/hub/`) || strings.Contains(string(b), "href=\"/") {
			t.Errorf("%s has a root-relative URL; feeds need absolute ones", p)
		}
		return nil
	})
	if n < 10 {
		t.Errorf("only %d XML files", n)
	}
}

// TestExampleHubGolden compares the list of output files and a set of key
// pages with testdata/golden. Run with -update after an intended change.
func TestExampleHubGolden(t *testing.T) {
	pub := buildExample(t)
	var files []string
	_ = filepath.WalkDir(pub, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(pub, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	sort.Strings(files)
	got := map[string]string{"manifest.txt": strings.Join(files, "\n") + "\n"}
	for _, f := range []string{
		"index.html", "index.xml", "sitemap.xml", "robots.txt", "404.html",
		"tips/index.html", "tips/content-plan/index.html", "tips/metrics-that-matter/index.html",
		"tags/index.html", "tags/newsletter/index.html", "tips/old-name/index.html",
		"transparency/farewell-mara/index.html", "tips/page/2/index.html",
		"events/index.html", "events/metrics-review-clinic/index.html", "events/calendar.ics",
		"events/newsletter-writers-lunch-vienna/event.ics",
	} {
		got[f] = testsite.Read(t, pub, f)
	}
	for name, data := range got {
		golden := filepath.Join("testdata", "golden", filepath.FromSlash(name))
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Errorf("%s: %v (run go test ./generator -run Golden -update)", name, err)
			continue
		}
		if string(want) != data {
			t.Errorf("%s differs from %s (run with -update if intended):\n%s", name, golden, firstDiff(string(want), data))
		}
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return "(same lines, different line endings)"
}
