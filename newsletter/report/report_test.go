package report_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/newsletter/report"
	"github.com/agora-hub/agora/newsletter/store"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// journal is a store.Journal with a fixed history; the report reads
// only Issues and Events.
type journal struct {
	store.Journal
	issues []store.IssueStats
	events []store.Event
}

func (j journal) Issues(context.Context) ([]store.IssueStats, error) { return j.issues, nil }
func (j journal) Events(_ context.Context, yield func(store.Event) error) error {
	for _, e := range j.events {
		if err := yield(e); err != nil {
			return err
		}
	}
	return nil
}

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func site(t *testing.T) (string, *config.Config) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"site.toml":              "baseURL = \"https://example.org/hub/\"\ntitle = \"Hub\"\ntimezone = \"Europe/Berlin\"\n",
		"content/tips/a.md":      "+++\ntitle = \"A\"\ndate = 2026-03-31T23:30:00\n+++\n",
		"content/tips/b.md":      "+++\ntitle = \"B\"\ndate = 2026-04-10T09:00:00\n+++\n",
		"content/tips/draft.md":  "+++\ntitle = \"D\"\ndate = 2026-04-11T09:00:00\ndraft = true\n+++\n",
		"content/tips/future.md": "+++\ntitle = \"F\"\ndate = 2026-07-01T09:00:00\n+++\n",
		"content/events/e.md":    "+++\ntitle = \"E\"\ndate = 2026-05-02T09:00:00\n+++\n",
		"content/tips/_index.md": "+++\ntitle = \"Tips\"\n+++\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg, err := config.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return dir, cfg
}

func TestReportGolden(t *testing.T) {
	dir, cfg := site(t)
	j := journal{
		issues: []store.IssueStats{
			{Issue: store.Issue{Number: 1, Status: store.IssueSent, Created: day("2026-04-06 07:00"), SentAt: day("2026-04-06 07:03")},
				Items: 2, Recipients: 3, Sent: 2, Failed: 1, Bounces: 1, Unsubscribes: 1},
			{Issue: store.Issue{Number: 2, Status: store.IssueSending, Created: day("2026-05-04 07:00")},
				Items: 1, Recipients: 2, Sent: 1, Pending: 1},
		},
		events: []store.Event{
			{At: day("2026-03-01 10:00"), To: "active", How: "cli"},
			{At: day("2026-03-02 10:00"), To: "active", How: "import:a.csv"},
			{At: day("2026-03-02 10:00"), To: "unsubscribed", How: "import:a.csv"},
			{At: day("2026-04-01 10:00"), To: "active", How: "cli"},
			{At: day("2026-04-07 10:00"), From: "active", To: "unsubscribed", How: "form"},
			{At: day("2026-05-05 10:00"), From: "active", To: "removed", How: "cli"},
		},
	}
	r, err := report.Build(context.Background(), dir, cfg, j, day("2026-05-20 12:00"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"report.txt", func(b *bytes.Buffer) error { return r.WriteTable(b) }},
		{"report.json", func(b *bytes.Buffer) error { return r.WriteJSON(b) }},
		{"report.html", func(b *bytes.Buffer) error { return r.WriteHTML(b) }},
	} {
		var b bytes.Buffer
		if err := f.write(&b); err != nil {
			t.Fatal(err)
		}
		golden := filepath.Join("testdata", f.name)
		if *update {
			if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b.Bytes(), want) {
			t.Errorf("%s differs from the golden file (go test -update to accept):\n%s", f.name, b.String())
		}
		if f.name == "report.html" {
			for _, bad := range []string{"<script", "src=", "href=\"http", "@import"} {
				if strings.Contains(b.String(), bad) {
					t.Errorf("the HTML report has %q: it must be self-contained", bad)
				}
			}
		}
	}
}
