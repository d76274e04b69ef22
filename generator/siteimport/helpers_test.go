package siteimport

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/generator"
	"github.com/agora-hub/agora/internal/testsite"
)

// testNow is the clock of the trial builds and of the builds tests run.
var testNow = time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)

type importer func(context.Context, string, string, Options) (*Report, error)

// imported is a site imported and built in a test.
type imported struct {
	r      *Report
	site   string // the new site
	public string // its build
}

// importSite writes archive as a source site, imports it with fn into a
// new folder and builds the result with agora build.
func importSite(t *testing.T, fn importer, archive string) imported {
	t.Helper()
	src := testsite.New(t, archive)
	dst := filepath.Join(t.TempDir(), "new")
	r, err := fn(context.Background(), src, dst, Options{Version: "v1.2.3", Pinnable: true, Now: testNow})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	public := filepath.Join(t.TempDir(), "public")
	if _, err := generator.Build(context.Background(), generator.Options{Source: dst, Destination: public, Now: testNow}); err != nil && !r.BuildFailed {
		t.Fatalf("the trial build passed but agora build fails: %v", err)
	}
	return imported{r: r, site: dst, public: public}
}

// report is the printed report.
func (im imported) report() string {
	var b strings.Builder
	im.r.Print(&b)
	return b.String()
}

// checkFiles asserts that each file of the new site (or its build) holds
// every wanted text; a want starting with "absent:" must not be there, and
// a path starting with "!" must not exist.
func checkFiles(t *testing.T, root string, want map[string][]string) {
	t.Helper()
	for rel, texts := range want {
		if missing, ok := strings.CutPrefix(rel, "!"); ok {
			if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(missing))); err == nil {
				t.Errorf("%s exists; want it absent", missing)
			}
			continue
		}
		b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		for _, w := range texts {
			if absent, ok := strings.CutPrefix(w, "absent:"); ok {
				if strings.Contains(string(b), absent) {
					t.Errorf("%s holds %q; want it absent:\n%s", rel, absent, b)
				}
				continue
			}
			if !strings.Contains(string(b), w) {
				t.Errorf("%s lacks %q:\n%s", rel, w, b)
			}
		}
	}
}

// checkNotes asserts that each wanted text is in one of the notes.
func checkNotes(t *testing.T, what string, notes []Note, want []string, report string) {
	t.Helper()
	for _, w := range want {
		found := false
		for _, n := range notes {
			if strings.Contains(n.String(), w) {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no note holds %q; report:\n%s", what, w, report)
		}
	}
}
