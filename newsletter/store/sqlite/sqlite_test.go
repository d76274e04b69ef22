package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/store/sqlite"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

var ctx = context.Background()

// clock ticks one second per call, so every write has its own time.
func clock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

func open(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(ctx, path, sqlite.Options{Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func newSub(t *testing.T, email, name string, topics []string, st subscriber.Status, how string) subscriber.Subscriber {
	t.Helper()
	s, err := subscriber.New(email, name, topics, st, subscriber.Consent{How: how})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// raw opens the file with the bare driver, to look at what the store wrote.
func raw(t *testing.T, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrationsFreshAndReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agora.db")
	s := open(t, path)
	if _, err := s.Add(ctx, newSub(t, "ada@example.org", "Ada", nil, subscriber.Active, "cli"), false); err != nil {
		t.Fatal(err)
	}
	s.Close()

	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("database mode %v, %v; want 0600: it holds addresses", fi.Mode(), err)
	}

	s = open(t, path)
	if got, err := s.Get(ctx, "ADA@example.org"); err != nil || got.Name != "Ada" {
		t.Errorf("after re-open: %+v, %v", got, err)
	}
	db := raw(t, path)
	var n, version int
	latest := migrationCount(t)
	if err := db.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &version); err != nil || n != latest || version != latest {
		t.Errorf("schema_migrations: %d rows, version %d, %v; want %d rows up to version %d (each applied once)", n, version, err, latest, latest)
	}
	for _, table := range []string{"subscribers", "subscriber_events", "issues", "issue_items", "deliveries"} {
		if err := db.QueryRow(`SELECT COUNT(*) FROM ` + table).Scan(&n); err != nil {
			t.Errorf("table %s: %v", table, err)
		}
	}
}

func TestDatabaseNewerThanBinary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agora.db")
	open(t, path).Close()
	if _, err := raw(t, path).Exec(`INSERT INTO schema_migrations (version, name, applied) VALUES (99, '0099_future.sql', 'x')`); err != nil {
		t.Fatal(err)
	}
	_, err := sqlite.Open(ctx, path, sqlite.Options{})
	var tooNew *sqlite.TooNewError
	if !errors.As(err, &tooNew) || tooNew.Have != 99 || tooNew.Support != migrationCount(t) {
		t.Fatalf("Open of a version-99 database: %v; want a TooNewError", err)
	}
}

func TestNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "subscribers.csv")
	if err := os.WriteFile(path, []byte("email,name\nada@example.org,Ada\n"+string(make([]byte, 200))), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := sqlite.Open(ctx, path, sqlite.Options{}); err == nil {
		s.Close()
		t.Fatal("opened a CSV file as a database")
	}
}

func TestPragmas(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "agora.db"))
	for pragma, want := range map[string]string{"journal_mode": "wal", "busy_timeout": "5000", "foreign_keys": "1"} {
		got, err := s.Pragma(ctx, pragma)
		if err != nil || got != want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
}

// TestConcurrentWriters runs two stores on one file, as two agora
// processes would be, each adding from several goroutines at once. Without
// WAL, busy_timeout and BEGIN IMMEDIATE some of these fail with "database
// is locked".
func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agora.db")
	stores := []*sqlite.Store{open(t, path), open(t, path)}
	const perWorker = 25
	var wg sync.WaitGroup
	errs := make(chan error, 2*4*perWorker)
	for si, s := range stores {
		for w := range 4 {
			wg.Go(func() {
				for i := range perWorker {
					sub, err := subscriber.New(fmt.Sprintf("p%d-w%d-%d@example.org", si, w, i), "", []string{"go"}, subscriber.Active, subscriber.Consent{How: "cli"})
					if err == nil {
						_, err = s.Add(ctx, sub, false)
					}
					if err == nil && i%5 == 0 {
						_, err = s.SetStatus(ctx, sub.Email, subscriber.Unsubscribed, "test")
					}
					if err == nil {
						_, err = s.Count(ctx)
					}
					if err != nil {
						errs <- err
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	counts, err := stores[0].Count(ctx)
	if err != nil || counts[subscriber.Active]+counts[subscriber.Unsubscribed] != 2*4*perWorker || counts[subscriber.Unsubscribed] != 2*4*perWorker/5 {
		t.Errorf("counts %v, %v", counts, err)
	}
}

func TestAdd(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "agora.db"))
	ada := newSub(t, "Ada@Example.org", "Ada", []string{"go"}, subscriber.Active, "cli")
	res, err := s.Add(ctx, ada, false)
	if err != nil || res.Result != store.Created || res.Subscriber.ID == 0 || res.Subscriber.Consent.At.IsZero() {
		t.Fatalf("first add: %+v, %v", res, err)
	}

	// The same details again, under another case: nothing to do.
	same := newSub(t, "ada@example.org", "Ada", []string{"Go"}, subscriber.Active, "cli")
	if res, err := s.Add(ctx, same, false); err != nil || res.Result != store.Unchanged || res.Subscriber.Email != "Ada@example.org" {
		t.Errorf("identical add: %+v, %v", res, err)
	}

	other := newSub(t, "ada@example.org", "Ada L.", []string{"go", "meetups"}, subscriber.Active, "cli")
	_, err = s.Add(ctx, other, false)
	var conflict *store.ConflictError
	if !errors.As(err, &conflict) || !slices.Equal(conflict.Fields, []string{"name", "topics"}) {
		t.Fatalf("different add: %v; want a ConflictError on name and topics", err)
	}
	if got, _ := s.Get(ctx, "ada@example.org"); got.Name != "Ada" {
		t.Errorf("a refused add changed the row: %+v", got)
	}

	if res, err := s.Add(ctx, other, true); err != nil || res.Result != store.Replaced || res.Subscriber.Name != "Ada L." {
		t.Errorf("replace: %+v, %v", res, err)
	}
	got, _ := s.Get(ctx, "ada@example.org")
	if got.Name != "Ada L." || !slices.Equal(got.Topics, []string{"go", "meetups"}) || !got.Consent.At.Equal(res.Subscriber.Consent.At) {
		t.Errorf("after replace: %+v", got)
	}
}

func TestResubscribeNeedsReplace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agora.db")
	s := open(t, path)
	if _, err := s.Add(ctx, newSub(t, "bo@example.org", "", nil, subscriber.Active, "cli"), false); err != nil {
		t.Fatal(err)
	}
	if changed, err := s.SetStatus(ctx, "bo@example.org", subscriber.Unsubscribed, "link"); !changed || err != nil {
		t.Fatalf("unsubscribe: %v, %v", changed, err)
	}
	if changed, err := s.SetStatus(ctx, "bo@example.org", subscriber.Unsubscribed, "link"); changed || err != nil {
		t.Errorf("second unsubscribe: %v, %v; want no change", changed, err)
	}
	again := newSub(t, "bo@example.org", "", nil, subscriber.Active, "cli")
	var conflict *store.ConflictError
	if _, err := s.Add(ctx, again, false); !errors.As(err, &conflict) || conflict.Existing.Status != subscriber.Unsubscribed {
		t.Fatalf("re-adding an unsubscribed address: %v; want a ConflictError", err)
	}
	res, err := s.Add(ctx, again, true)
	if err != nil || res.Previous != subscriber.Unsubscribed || res.Subscriber.Status != subscriber.Active {
		t.Fatalf("replace: %+v, %v", res, err)
	}
	if want := []string{"-> active (cli)", "active -> unsubscribed (link)", "unsubscribed -> active (cli)"}; !slices.Equal(events(t, path), want) {
		t.Errorf("events %q, want %q", events(t, path), want)
	}
}

func events(t *testing.T, path string) []string {
	t.Helper()
	rows, err := raw(t, path).Query(`SELECT COALESCE(from_status, ''), to_status, how FROM subscriber_events ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var from, to, how string
		if err := rows.Scan(&from, &to, &how); err != nil {
			t.Fatal(err)
		}
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s -> %s (%s)", from, to, how)))
	}
	return out
}

func TestRemoveErasesPersonalData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agora.db")
	s := open(t, path)
	res, err := s.Add(ctx, newSub(t, "cy@example.org", "Cy", []string{"go"}, subscriber.Active, "cli"), false)
	if err != nil {
		t.Fatal(err)
	}
	db := raw(t, path)
	if _, err := db.Exec(`INSERT INTO issues (id, number, created, cutoff, status) VALUES (1, 1, 'x', 'x', 'sent');
		INSERT INTO deliveries (issue_id, subscriber_id, state, last_error, updated) VALUES (1, ?, 'failed', '550 <cy@example.org>: no such user', 'x')`, res.Subscriber.ID); err != nil {
		t.Fatal(err)
	}
	removed, err := s.Remove(ctx, " CY@Example.ORG ", "cli")
	if err != nil || removed.Email != "cy@example.org" {
		t.Fatalf("Remove: %+v, %v", removed, err)
	}
	if _, err := s.Get(ctx, "cy@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get after Remove: %v", err)
	}
	if _, err := s.Remove(ctx, "cy@example.org", "cli"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second Remove: %v; want ErrNotFound", err)
	}
	var leftovers int
	if err := db.QueryRow(`SELECT
		(SELECT COUNT(*) FROM subscriber_events WHERE subscriber_id IS NOT NULL) +
		(SELECT COUNT(*) FROM deliveries WHERE subscriber_id IS NOT NULL OR last_error != '')`).Scan(&leftovers); err != nil || leftovers != 0 {
		t.Errorf("%d rows still point at the erased subscriber, %v", leftovers, err)
	}
	if want := []string{"-> active (cli)", "active -> removed (cli)"}; !slices.Equal(events(t, path), want) {
		t.Errorf("anonymous history %q, want %q", events(t, path), want)
	}
}

func TestImportIdempotent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agora.db")
	s := open(t, path)
	if _, err := s.Add(ctx, newSub(t, "gone@example.org", "", nil, subscriber.Unsubscribed, "cli"), false); err != nil {
		t.Fatal(err)
	}
	subs := []subscriber.Subscriber{
		newSub(t, "a@example.org", "A", []string{"go"}, subscriber.Active, "import:list.csv"),
		newSub(t, "b@example.org", "", nil, subscriber.Active, "import:list.csv"),
		newSub(t, "gone@example.org", "", nil, subscriber.Active, "import:list.csv"),
	}
	added := map[subscriber.Status]int{subscriber.Active: 2}
	if res, err := s.Import(ctx, subs, true); err != nil || !reflect.DeepEqual(res, store.Imported{Added: 2, ByStatus: added, Existing: 1, Differ: 1, Suppressed: 1}) {
		t.Errorf("dry run: %+v, %v", res, err)
	}
	if counts, _ := s.Count(ctx); counts[subscriber.Active] != 0 {
		t.Errorf("a dry run wrote: %v", counts)
	}
	if res, err := s.Import(ctx, subs, false); err != nil || !reflect.DeepEqual(res, store.Imported{Added: 2, ByStatus: added, Existing: 1, Differ: 1, Suppressed: 1}) {
		t.Errorf("import: %+v, %v", res, err)
	}
	before := events(t, path)
	if res, err := s.Import(ctx, subs, false); err != nil || !reflect.DeepEqual(res, store.Imported{Existing: 3, Differ: 1, Suppressed: 1}) {
		t.Errorf("second import: %+v, %v", res, err)
	}
	if after := events(t, path); !slices.Equal(before, after) {
		t.Errorf("a repeated import wrote events: %q", after[len(before):])
	}
	if got, _ := s.Get(ctx, "gone@example.org"); got.Status != subscriber.Unsubscribed {
		t.Errorf("import re-subscribed %+v", got)
	}
	if got, _ := s.Get(ctx, "a@example.org"); got.Consent.How != "import:list.csv" || got.Status != subscriber.Active {
		t.Errorf("imported row %+v", got)
	}
}

func TestListAndActiveCursor(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "agora.db"))
	const n = 1234 // more than two of List's pages
	var subs []subscriber.Subscriber
	for i := range n {
		st := subscriber.Active
		if i%3 == 0 {
			st = subscriber.Pending
		}
		subs = append(subs, newSub(t, fmt.Sprintf("u%04d@example.org", n-i), "", nil, st, "import:x"))
	}
	if _, err := s.Import(ctx, subs, false); err != nil {
		t.Fatal(err)
	}

	var all []string
	for sub, err := range s.List(ctx, store.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, sub.Email)
	}
	if len(all) != n || !slices.IsSorted(all) {
		t.Errorf("List: %d subscribers, sorted %v", len(all), slices.IsSorted(all))
	}
	pending := 0
	for sub, err := range s.List(ctx, store.Filter{Status: subscriber.Pending}) {
		if err != nil || sub.Status != subscriber.Pending {
			t.Fatalf("%+v, %v", sub, err)
		}
		pending++
	}

	var active []int64
	after := int64(0)
	for {
		page, err := s.ActiveSubscribers(ctx, after, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, sub := range page {
			if sub.Status != subscriber.Active {
				t.Fatalf("ActiveSubscribers returned %+v", sub)
			}
			active = append(active, sub.ID)
		}
		after = page[len(page)-1].ID
	}
	if len(active)+pending != n || !slices.IsSorted(active) || slices.Compact(slices.Clone(active)) == nil {
		t.Errorf("cursor walk: %d active + %d pending, want %d in all", len(active), pending, n)
	}
}

// migrationCount is how many migrations the source tree has.
func migrationCount(t *testing.T) int {
	t.Helper()
	files, err := filepath.Glob("migrations/*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("migrations: %v, %v", files, err)
	}
	return len(files)
}

// TestImportKeepsHistory: a subscriber given with its consent record and
// its created and updated times (an import of Agora's own export) is
// stored with them; one without gets the store's clock. Added is counted
// by the status stored.
func TestImportKeepsHistory(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "agora.db"))
	day := func(d int) time.Time { return time.Date(2025, 3, d, 10, 30, 0, 0, time.UTC) }
	tests := []struct {
		email   string
		status  subscriber.Status
		consent subscriber.Consent
		created time.Time
		updated time.Time
		// want: zero times mean the store's clock (the test clock's 2026).
		wantConsent          subscriber.Consent
		wantCreated, wantUpd time.Time
	}{
		{"kept@example.org", subscriber.Active, subscriber.Consent{At: day(2), How: "form"}, day(1), day(3),
			subscriber.Consent{At: day(2), How: "form"}, day(1), day(3)},
		{"gone@example.org", subscriber.Unsubscribed, subscriber.Consent{At: day(4), How: "cli"}, day(4), day(9),
			subscriber.Consent{At: day(4), How: "cli"}, day(4), day(9)},
		{"created-only@example.org", subscriber.Bounced, subscriber.Consent{How: "import:x.csv"}, day(5), time.Time{},
			subscriber.Consent{How: "import:x.csv"}, day(5), time.Time{}},
		{"new@example.org", subscriber.Active, subscriber.Consent{How: "import:x.csv"}, time.Time{}, time.Time{},
			subscriber.Consent{How: "import:x.csv"}, time.Time{}, time.Time{}},
	}
	var subs []subscriber.Subscriber
	for _, tt := range tests {
		sub := newSub(t, tt.email, "", nil, tt.status, tt.consent.How)
		sub.Consent.At, sub.Created, sub.Updated = tt.consent.At, tt.created, tt.updated
		subs = append(subs, sub)
	}
	before := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	res, err := s.Import(ctx, subs, false)
	want := store.Imported{Added: 4, ByStatus: map[subscriber.Status]int{subscriber.Active: 2, subscriber.Unsubscribed: 1, subscriber.Bounced: 1}}
	if err != nil || !reflect.DeepEqual(res, want) {
		t.Fatalf("Import: %+v, %v; want %+v", res, err, want)
	}
	fresh := func(got, want time.Time) bool {
		if want.IsZero() {
			return got.After(before)
		}
		return got.Equal(want)
	}
	for _, tt := range tests {
		got, err := s.Get(ctx, tt.email)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != tt.status || got.Consent.How != tt.wantConsent.How || !fresh(got.Consent.At, tt.wantConsent.At) ||
			!fresh(got.Created, tt.wantCreated) || !fresh(got.Updated, tt.wantUpd) {
			t.Errorf("%s stored as %+v", tt.email, got)
		}
	}
}
