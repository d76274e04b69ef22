package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/agora-hub/agora/internal/pgtest"
	"github.com/agora-hub/agora/newsletter/database"
	"github.com/agora-hub/agora/newsletter/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestDBCopyBothWays moves a database with a little of everything from
// SQLite to PostgreSQL and back: every table comes back row for row, and
// the exports of all three are the same bytes.
func TestDBCopyBothWays(t *testing.T) {
	ctx := context.Background()
	site := hub(t)
	lite := filepath.Join(site, "private", "agora.db")
	db, _, err := database.OpenAt(ctx, lite, database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	storetest.Fill(t, db)
	want := storetest.Dump(t, db)
	db.Close()
	code, exported, stderr := run(t, "subscribers", "export", "-s", site)
	if code != 0 {
		t.Fatal(stderr)
	}

	pg := pgtest.URL(t)
	if code, out, stderr := run(t, "db", "copy", "--from", lite, "--to", pg); code != 0 || !strings.Contains(out, "32 subscribers") {
		t.Fatalf("copy to PostgreSQL: exit %d\n%s%s", code, out, stderr)
	}
	if code, _, stderr := run(t, "db", "copy", "--from", lite, "--to", pg); code != 1 || !strings.Contains(stderr, "--replace") {
		t.Errorf("a copy into a full database: exit %d, %s", code, stderr)
	}
	t.Setenv("AGORA_DB", pg)
	code, fromPG, stderr := run(t, "subscribers", "export", "-s", site)
	if code != 0 || fromPG != exported {
		t.Errorf("the PostgreSQL export differs (exit %d, %s):\n%s\n-----\n%s", code, stderr, exported, fromPG)
	}
	code, status, stderr := run(t, "db", "status", "-s", site)
	for _, want := range []string{"Engine:        postgres", "Send queue:    issue 1: 9 queued, 2 sending, 3 sent, 1 failed", "holding 3", "Welcome:       1 sending, 1 sent", "Confirmations: 1 queued"} {
		if code != 0 || !strings.Contains(status, want) {
			t.Errorf("db status lacks %q (exit %d, %s):\n%s", want, code, stderr, status)
		}
	}

	back := filepath.Join(t.TempDir(), "back.db")
	if code, out, stderr := run(t, "db", "copy", "--from", pg, "--to", back); code != 0 {
		t.Fatalf("copy back to SQLite: exit %d\n%s%s", code, out, stderr)
	}
	t.Setenv("AGORA_DB", back)
	if code, again, _ := run(t, "subscribers", "export", "-s", site); code != 0 || again != exported {
		t.Errorf("the export after the round trip differs:\n%s", again)
	}
	for _, where := range []string{pg, back} {
		other, _, err := database.OpenAt(ctx, where, database.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := storetest.Dump(t, other); !reflect.DeepEqual(got, want) {
			t.Errorf("%s differs from the original:\n%v\n%v", other.Engine(), got, want)
		}
		other.Close()
	}
}

// TestExportImportAcrossEngines: agora subscribers export | import from
// SQLite into PostgreSQL keeps every byte of the export.
func TestExportImportAcrossEngines(t *testing.T) {
	site := hub(t)
	for _, args := range [][]string{
		{"add", "ada@example.org", "--name", "Ada, Countess of Lovelace", "--topics", "go,meetups"},
		{"add", "bo@example.org", "--pending"},
		{"add", "cy@bücher.de", "--name", "Cy \"the Third\""},
	} {
		if code, _, stderr := run(t, append(append([]string{"subscribers"}, args...), "-s", site)...); code != 0 {
			t.Fatalf("%q: %s", args, stderr)
		}
	}
	code, exported, _ := run(t, "subscribers", "export", "-s", site)
	file := filepath.Join(t.TempDir(), "all.csv")
	if err := os.WriteFile(file, []byte(exported), 0o600); err != nil || code != 0 {
		t.Fatal(err)
	}
	t.Setenv("AGORA_DB", pgtest.URL(t))
	if code, out, stderr := run(t, "subscribers", "import", file, "-s", site); code != 0 {
		t.Fatalf("import into PostgreSQL: %s%s", out, stderr)
	}
	if code, again, _ := run(t, "subscribers", "export", "-s", site); code != 0 || again != exported {
		t.Errorf("export from PostgreSQL:\n%s\nwant\n%s", again, exported)
	}
}
