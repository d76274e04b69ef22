package cli_test

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/internal/testsite"
)

const newsletterSite = `
-- site.toml --
title = "Hub"
[newsletter]
database = "private/agora.db"
`

// hub is a site whose database AGORA_DB does not override.
func hub(t *testing.T) string {
	t.Helper()
	t.Setenv("AGORA_DB", "")
	return testsite.New(t, newsletterSite)
}

type listed struct {
	Email   string   `json:"email"`
	Name    string   `json:"name"`
	Topics  []string `json:"topics"`
	Status  string   `json:"status"`
	Created string   `json:"created"`
}

func listJSON(t *testing.T, dir string, extra ...string) []listed {
	t.Helper()
	code, out, stderr := run(t, append([]string{"subscribers", "list", "--format", "json", "-s", dir}, extra...)...)
	if code != 0 {
		t.Fatalf("list: exit %d: %s", code, stderr)
	}
	var got []listed
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("list --format json: %v in\n%s", err, out)
	}
	return got
}

func TestSubscribersAddListRemove(t *testing.T) {
	dir := hub(t)
	steps := []struct {
		args       []string
		code       int
		out, err   string
		notCreated bool
	}{
		{args: []string{"add", "Ada@Example.org", "--name", "Ada Lovelace", "--topics", "Go, meetups"}, out: "Added Ada@example.org (active, topics go, meetups)."},
		// Flags before the address work too.
		{args: []string{"add", "--pending", "bo@example.org"}, out: "Added bo@example.org (pending, every topic)."},
		{args: []string{"add", "ada@example.org", "--name", "Ada Lovelace", "--topics", "meetups,go"}, out: "already a subscriber with these details (active); nothing changed"},
		{args: []string{"add", "ada@example.org", "--name", "Ada L."}, code: 1,
			err: "Ada@example.org is already a subscriber (active) with a different name and topics; nothing changed.\nTo replace the name, topics and status, run the command again with --force"},
		{args: []string{"add", "ada@example.org", "--name", "Ada L.", "--topics", "go", "--force"}, out: "Updated Ada@example.org (active, topics go)."},
		{args: []string{"add", "Eve <eve@example.org>"}, code: 2, err: "want a bare address"},
		{args: []string{"add", "eve@example.org\r\nBcc: all@example.org"}, code: 2, err: "line break"},
		{args: []string{"add"}, code: 2, err: "want one address"},
		{args: []string{"add", "x@example.org", "--colour", "red"}, code: 2, err: "flag provided but not defined: -colour"},
		{args: []string{"list", "--format", "xml"}, code: 2, err: `--format "xml": want table, csv or json`},
		{args: []string{"list", "--status", "gone"}, code: 2, err: `--status "gone": want one of pending, active, unsubscribed, bounced`},
		{args: []string{"frobnicate"}, code: 2, err: `unknown subcommand "frobnicate"`},
		{args: []string{"remove", "nobody@example.org"}, code: 1, err: "nobody@example.org: not a subscriber"},
	}
	for _, st := range steps {
		code, out, stderr := run(t, append([]string{"subscribers"}, append(st.args, "-s", dir)...)...)
		if code != st.code || !strings.Contains(out, st.out) || !strings.Contains(stderr, st.err) {
			t.Errorf("agora subscribers %q: exit %d\nstdout %q\nstderr %q\nwant exit %d, stdout with %q, stderr with %q", st.args, code, out, stderr, st.code, st.out, st.err)
		}
	}

	got := listJSON(t, dir)
	if len(got) != 2 || got[0].Email != "Ada@example.org" || got[0].Name != "Ada L." || !slices.Equal(got[0].Topics, []string{"go"}) ||
		got[0].Status != "active" || got[1].Email != "bo@example.org" || got[1].Status != "pending" || got[1].Topics == nil || !strings.HasSuffix(got[0].Created, "Z") {
		t.Errorf("list JSON: %+v", got)
	}
	if got := listJSON(t, dir, "--status", "pending"); len(got) != 1 || got[0].Email != "bo@example.org" {
		t.Errorf("--status pending: %+v", got)
	}

	code, out, _ := run(t, "subscribers", "list", "-s", dir)
	if code != 0 || !strings.Contains(out, "EMAIL") || !strings.Contains(out, "2 subscribers: 1 active, 1 pending") {
		t.Errorf("table: exit %d\n%s", code, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if len([]rune(line)) > 80 {
			t.Errorf("table line wider than 80 columns: %q", line)
		}
	}

	code, out, stderr := run(t, "subscribers", "remove", "-s", dir, "ADA@example.org")
	if code != 0 || !strings.Contains(out, "Removed Ada@example.org and their personal data.") {
		t.Errorf("remove: exit %d %q %q", code, out, stderr)
	}
	if got := listJSON(t, dir); len(got) != 1 {
		t.Errorf("after remove: %+v", got)
	}

	if _, err := os.Stat(filepath.Join(dir, "private", "agora.db")); err != nil {
		t.Errorf("database not at site.toml's path: %v", err)
	}
}

func TestSubscribersNeverResubscribedSilently(t *testing.T) {
	dir := hub(t)
	csvFile := filepath.Join(t.TempDir(), "unsubscribed_members.csv")
	if err := os.WriteFile(csvFile, []byte("Email Address,First Name,UNSUB_TIME\ngone@example.org,Gone,2025-05-01 08:00:00\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "subscribers", "import", csvFile, "-s", dir); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	code, _, stderr := run(t, "subscribers", "add", "gone@example.org", "--name", "Gone", "-s", dir)
	if code != 1 || !strings.Contains(stderr, "They are unsubscribed: add them again only if they asked you to, with --force") {
		t.Errorf("re-adding an unsubscribed address: exit %d %q", code, stderr)
	}
	code, out, _ := run(t, "subscribers", "add", "gone@example.org", "--name", "Gone", "--force", "-s", dir)
	if code != 0 || !strings.Contains(out, "was unsubscribed before: keep a record of their new consent") {
		t.Errorf("--force: exit %d %q", code, out)
	}
}

func TestSubscribersImport(t *testing.T) {
	dir := hub(t)
	file := filepath.Join(t.TempDir(), "mailchimp.csv")
	src := "\ufeffEmail Address,First Name,Last Name,TAGS\r\n" + // 1
		"ada@example.org,Ada,Lovelace,\"\"\"go\"\",\"\"meetups\"\"\"\r\n" + // 2
		"bo@example.org,\"Bo, Jr.\",,\r\n" + // 3
		"not-an-address,X,,\r\n" + // 4
		"cy@example.org,\"Cy\r\nthe second\",,\r\n" + // 5-6
		"ADA@example.org,,,social\r\n" // 7
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}

	code, out, stderr := run(t, "subscribers", "import", file, "--dry-run", "-s", dir)
	if code != 1 || !strings.Contains(out, "Dry run of "+file+", nothing written: 2 new subscribers (2 active) would be added") || len(listJSON(t, dir)) != 0 {
		t.Errorf("--dry-run: exit %d, %q, %q", code, out, stderr)
	}

	code, out, stderr = run(t, "subscribers", "import", file, "-s", dir)
	if code != 1 {
		t.Errorf("import with bad rows: exit %d, want 1", code)
	}
	for _, want := range []string{"2 bad rows were not imported", file + `:4: address "not-an-address": has no @`, file + `:5: name "Cy\nthe second" contains a line break`} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	for _, want := range []string{"Imported " + file + ": 2 new subscribers (2 active) added; 0 addresses already on the list, left as they are.", "Merged 1 row that repeats an address: line 7 (ada@example.org, first on line 2)"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	got := listJSON(t, dir)
	if len(got) != 2 || got[0].Name != "Ada Lovelace" || !slices.Equal(got[0].Topics, []string{"go", "meetups", "social"}) || got[1].Name != "Bo, Jr." {
		t.Errorf("imported %+v", got)
	}

	// Again: nothing new, nothing changed.
	code, out, _ = run(t, "subscribers", "import", file, "-s", dir)
	if code != 1 || !strings.Contains(out, "0 new subscribers added; 2 addresses already on the list, left as they are.") {
		t.Errorf("second import: exit %d\n%s", code, out)
	}
	if again := listJSON(t, dir); !slices.EqualFunc(got, again, func(a, b listed) bool { return a.Email == b.Email && a.Status == b.Status && a.Created == b.Created }) {
		t.Errorf("a second import changed the list:\n%+v\n%+v", got, again)
	}

	code, _, stderr = run(t, "subscribers", "import", filepath.Join(dir, "missing.csv"), "-s", dir)
	if code != 1 || !strings.Contains(stderr, "missing.csv") {
		t.Errorf("missing file: exit %d %q", code, stderr)
	}
}

// TestSubscribersExportImportRoundTrip moves a list from one hub to
// another through `export` and `import` and checks nothing is lost:
// statuses (suppressions above all), consent records, created and updated
// times. Exporting the new hub gives the very same bytes.
func TestSubscribersExportImportRoundTrip(t *testing.T) {
	from, to := hub(t), hub(t)
	for _, args := range [][]string{
		{"add", "ada@example.org", "--name", "Ada, Countess of Lovelace", "--topics", "go,meetups"},
		{"add", "bo@example.org", "--pending"},
		{"add", "cy@bücher.de", "--name", "Cy \"the Third\""},
		{"add", "di@example.org", "--topics", "go"},
	} {
		if code, _, stderr := run(t, append(append([]string{"subscribers"}, args...), "-s", from)...); code != 0 {
			t.Fatalf("%q: %s", args, stderr)
		}
	}
	// Someone who said no, and someone whose mail bounced: an import
	// that brought them back would mail them.
	old := filepath.Join(t.TempDir(), "old.csv")
	if err := os.WriteFile(old, []byte("email,status\ngus@example.org,unsubscribed\nhal@example.org,cleaned\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "subscribers", "import", old, "-s", from); code != 0 {
		t.Fatalf("import: %s", stderr)
	}
	// The times have a second's precision in the export: a second later,
	// an import that set them to its own clock could not give them back.
	time.Sleep(1100 * time.Millisecond)

	code, exported, stderr := run(t, "subscribers", "export", "-s", from)
	if code != 0 {
		t.Fatalf("export: %s", stderr)
	}
	records, err := csv.NewReader(strings.NewReader(exported)).ReadAll()
	if err != nil || len(records) != 7 || !slices.Equal(records[0], []string{"email", "name", "topics", "status", "consent_at", "consent_how", "created", "updated"}) {
		t.Fatalf("export CSV: %v\n%s", err, exported)
	}
	csvFile := filepath.Join(t.TempDir(), "exp.csv")
	if err := os.WriteFile(csvFile, []byte(exported), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := run(t, "subscribers", "import", csvFile, "-s", to)
	if code != 0 || !strings.Contains(out, "6 new subscribers (3 active, 1 pending, 1 unsubscribed, 1 bounced) added") {
		t.Fatalf("import of an export: exit %d\n%s%s", code, out, stderr)
	}
	code, again, stderr := run(t, "subscribers", "export", "-s", to)
	if code != 0 {
		t.Fatalf("export: %s", stderr)
	}
	if again != exported {
		t.Errorf("the round trip changed the export:\n%s\n----- after import and export:\n%s", exported, again)
	}
	if strings.Contains(again, "import:exp.csv") {
		t.Errorf("consent records replaced by the import's:\n%s", again)
	}

	code, out, _ = run(t, "subscribers", "export", "--format", "json", "-s", to)
	var full []map[string]any
	if err := json.Unmarshal([]byte(out), &full); code != 0 || err != nil || len(full) != 6 {
		t.Fatalf("export json: %v\n%s", err, out)
	}
	consent, _ := full[0]["consent"].(map[string]any)
	if consent["how"] != "cli" || consent["at"] != records[1][4] || full[0]["created"] != records[1][6] || full[0]["updated"] != records[1][7] {
		t.Errorf("export json object %v, want the consent and times of %q", full[0], records[1])
	}
}

// TestSubscribersImportStatusCounts: the summary counts the new rows by
// the status they were stored with, not by the one asked for.
func TestSubscribersImportStatusCounts(t *testing.T) {
	for _, tc := range []struct {
		name, csv string
		args      []string
		want      []string
		active    int
	}{
		{"unsubscribed and cleaned rows", "email;name;status\ngus@example.org;Gus;unsubscribed\nhal@example.org;Hal;cleaned\nivy@example.org;Ivy;subscribed\n", nil,
			[]string{"3 new subscribers (1 active, 1 unsubscribed, 1 bounced) added;", "2 new addresses were marked unsubscribed or bounced (cleaned) in the file, and kept so"}, 1},
		{"--pending", "email,status\na@example.org,\nb@example.org,unsubscribed\n", []string{"--pending"},
			[]string{"2 new subscribers (1 pending, 1 unsubscribed) added;", "1 new address was marked unsubscribed"}, 0},
		{"--dry-run", "email,status\na@example.org,active\nb@example.org,bounced\n", []string{"--dry-run"},
			[]string{"2 new subscribers (1 active, 1 bounced) would be added;"}, 0},
		{"everyone subscribed", "email\na@example.org\nb@example.org\n", nil,
			[]string{"2 new subscribers (2 active) added;"}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := hub(t)
			file := filepath.Join(t.TempDir(), "s.csv")
			if err := os.WriteFile(file, []byte(tc.csv), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, stderr := run(t, append([]string{"subscribers", "import", file, "-s", dir}, tc.args...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, "(active)") {
				t.Errorf("stdout still says every new row is active:\n%s", out)
			}
			if got := len(listJSON(t, dir, "--status", "active")); got != tc.active {
				t.Errorf("%d active, want %d", got, tc.active)
			}
		})
	}
}

// TestSubscribersImportBadHistory: the consent and time columns of
// Agora's export are checked, and a bad value is a bad row at its line.
func TestSubscribersImportBadHistory(t *testing.T) {
	const header = "email,name,topics,status,consent_at,consent_how,created,updated\n"
	for _, tc := range []struct {
		name, row, want string
	}{
		{"consent time not a time", "a@example.org,,,active,yesterday,cli,2025-01-01T00:00:00Z,2025-01-01T00:00:00Z", `consent_at "yesterday": want a time such as`},
		{"created not a time", "a@example.org,,,active,2025-01-01T00:00:00Z,cli,2025-13-01,2025-01-01T00:00:00Z", `created "2025-13-01": want a time`},
		{"updated in the future", "a@example.org,,,active,2025-01-01T00:00:00Z,cli,2025-01-01T00:00:00Z,2999-01-01T00:00:00Z", `updated "2999-01-01T00:00:00Z" is in the future`},
		{"updated before created", "a@example.org,,,active,2025-01-01T00:00:00Z,cli,2025-02-01T00:00:00Z,2025-01-01T00:00:00Z", "updated 2025-01-01T00:00:00Z is before created 2025-02-01T00:00:00Z"},
		{"time without how", "a@example.org,,,active,2025-01-01T00:00:00Z,,2025-01-01T00:00:00Z,2025-01-01T00:00:00Z", "consent_at without consent_how"},
		{"how without time", "a@example.org,,,active,,form,2025-01-01T00:00:00Z,2025-01-01T00:00:00Z", `consent_how "form" without consent_at`},
		{"how with a control character", "a@example.org,,,active,2025-01-01T00:00:00Z,\"cl\ti\",2025-01-01T00:00:00Z,2025-01-01T00:00:00Z", "consent"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := hub(t)
			file := filepath.Join(t.TempDir(), "exp.csv")
			good := "ok@example.org,,,active,2025-01-01T00:00:00Z,form,2025-01-01T00:00:00Z,2025-01-02T00:00:00Z\n"
			if err := os.WriteFile(file, []byte(header+good+tc.row+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, stderr := run(t, "subscribers", "import", file, "-s", dir)
			if code != 1 || !strings.Contains(stderr, file+":3: ") || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, want 1 and %s:3: …%s\n%s", code, file, tc.want, stderr)
			}
			if !strings.Contains(out, "1 new subscriber (1 active) added") {
				t.Errorf("the good row was not imported:\n%s", out)
			}
		})
	}
}

func TestSubscribersDatabaseLocation(t *testing.T) {
	dir := testsite.New(t, "-- site.toml --\ntitle = \"Hub\"\n")
	t.Setenv("AGORA_DB", "")
	if code, _, stderr := run(t, "subscribers", "add", "ada@example.org", "-s", dir); code != 0 {
		t.Fatalf("add: %s", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "data", "agora.db")); err != nil {
		t.Errorf("default database: %v", err)
	}

	elsewhere := filepath.Join(t.TempDir(), "hub.db")
	t.Setenv("AGORA_DB", elsewhere)
	if code, _, stderr := run(t, "subscribers", "add", "bo@example.org", "-s", dir); code != 0 {
		t.Fatalf("add with AGORA_DB: %s", stderr)
	}
	if _, err := os.Stat(elsewhere); err != nil {
		t.Errorf("AGORA_DB ignored: %v", err)
	}

	t.Setenv("AGORA_DB", "")
	testsite.Write(t, dir, "-- site.toml --\ntitle = \"Hub\"\n[newsletter]\ndatabase = \"public/subscribers.db\"\n")
	code, _, stderr := run(t, "subscribers", "list", "-s", dir)
	if code != 1 || !strings.Contains(stderr, "is inside public/") {
		t.Errorf("database in public/: exit %d %q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "public")); err == nil {
		t.Error("a refused database path still created public/")
	}

	testsite.Write(t, dir, "-- site.toml --\ntitle = \"Hub\"\n[newsletter.smtp]\npassword = \"hunter2\"\n")
	code, _, stderr = run(t, "subscribers", "list", "-s", dir)
	if code != 1 || !strings.Contains(stderr, "site.toml:3: newsletter.smtp.password: secrets never go in site.toml") {
		t.Errorf("password in site.toml: exit %d %q", code, stderr)
	}
}

func TestSubscribersHelp(t *testing.T) {
	code, out, _ := run(t, "help", "subscribers")
	if code != 0 || !strings.Contains(out, "remove") || !strings.Contains(out, "GDPR") || !strings.Contains(out, "AGORA_DB") {
		t.Errorf("help subscribers: exit %d\n%s", code, out)
	}
	code, out, _ = run(t, "subscribers", "remove", "-h")
	if code != 0 || !strings.Contains(out, "Usage: agora subscribers remove EMAIL...") || !strings.Contains(out, "unsubscribes with the link") {
		t.Errorf("subscribers remove -h: exit %d\n%s", code, out)
	}
	code, _, stderr := run(t, "subscribers")
	if code != 2 || !strings.Contains(stderr, "want a subcommand") {
		t.Errorf("no subcommand: exit %d %q", code, stderr)
	}
	code, out, _ = run(t, "help")
	if code != 0 || !strings.Contains(out, "  subscribers  manage the newsletter's subscribers") {
		t.Errorf("help lacks subscribers:\n%s", out)
	}
}
