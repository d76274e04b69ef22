package sqlite_test

import (
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// oldDatabase writes a database as agora wrote it before 0004: the first
// three migrations, then rows put in the way the old store did, including
// an ID handed to a second person after the first was erased.
func oldDatabase(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agora.db")
	db, err := sql.Open("sqlite", path+"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	for i, name := range []string{"0001_init.sql", "0002_send.sql", "0003_signup.sql"} {
		src, err := os.ReadFile(filepath.Join("migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(src)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := db.Exec(`INSERT INTO schema_migrations VALUES (?, ?, 'x')`, i+1, name); err != nil {
			t.Fatal(err)
		}
	}
	const at = "2026-01-01T09:00:00.000Z"
	add := func(email string) int64 {
		var id int64
		if err := db.QueryRow(`INSERT INTO subscribers (email, email_key, status, consent_at, consent_how, created, updated)
			VALUES (?1, ?1, 'active', ?2, 'cli', ?2, ?2) RETURNING id`, email, at).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(`INSERT INTO subscriber_events (subscriber_id, at, to_status, how) VALUES (?, ?, 'active', 'cli')`, id, at); err != nil {
			t.Fatal(err)
		}
		return id
	}
	remove := func(id int64) {
		if _, err := db.Exec(`INSERT INTO subscriber_events (subscriber_id, at, from_status, to_status, how) VALUES (?, ?, 'active', 'removed', 'cli');
			DELETE FROM subscribers WHERE id = ?`, id, at, id); err != nil {
			t.Fatal(err)
		}
	}
	for i, email := range []string{"ada@example.org", "bob@example.org", "cy@example.org"} {
		if id := add(email); id != int64(i+1) {
			t.Fatalf("%s got %d", email, id)
		}
	}
	if _, err := db.Exec(`INSERT INTO issues (id, number, created, cutoff, status) VALUES (1, 1, ?1, ?1, 'sent');
		INSERT INTO deliveries (issue_id, subscriber_id, state, message_id, updated) VALUES (1, 1, 'sent', '<issue-1.sub-1.x@example.org>', ?1),
			(1, 3, 'sent', '<issue-1.sub-3.x@example.org>', ?1);
		INSERT INTO signups (subscriber_id, requested, name, mail_queued, mail_state) VALUES (2, ?1, 'Bob', ?1, 'sent')`, at); err != nil {
		t.Fatal(err)
	}
	remove(3) // Cy is erased: the highest ID is free again...
	if id := add("dee@example.org"); id != 3 {
		t.Fatalf("dee got %d, want Cy's 3 (the old store's reuse)", id)
	}
	if id := add("eve@example.org"); id != 4 {
		t.Fatalf("eve got %d", id)
	}
	if _, err := db.Exec(`INSERT INTO signups (subscriber_id, requested, name, mail_queued, mail_due, mail_state) VALUES (4, ?1, 'Eve', ?1, ?1, 'queued')`, at); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestMigrateInPlace: an existing database migrates without losing anyone
// or anything pointing at them; IDs never come back, even those erased
// before the migration; every row gets its own handle and secret; old
// links are honoured only for rows provably the first to hold their ID.
func TestMigrateInPlace(t *testing.T) {
	path := oldDatabase(t)
	s := open(t, path)
	db := raw(t, path)

	ids := map[string]int64{}
	seen := map[string]bool{}
	for sub, err := range s.List(ctx, store.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		ids[sub.Email] = sub.ID
		if l := sub.Link; len(l.Handle) != 32 || len(l.Secret) != 64 || seen[l.Handle] || seen[l.Secret] {
			t.Errorf("%s: link %+v, want its own random handle and secret", sub.Email, l)
		}
		seen[sub.Link.Handle], seen[sub.Link.Secret] = true, true
	}
	want := map[string]int64{"ada@example.org": 1, "bob@example.org": 2, "dee@example.org": 3, "eve@example.org": 4}
	for email, id := range want {
		if ids[email] != id {
			t.Errorf("%s: ID %d, want %d", email, ids[email], id)
		}
	}
	// Nothing that pointed at a subscriber lost it: the four living
	// subscribers' events, Ada's delivery (Cy's lost its subscriber with
	// her erasure), Bob's and Eve's sign-ups.
	var n int
	if err := db.QueryRow(`SELECT (SELECT COUNT(*) FROM subscriber_events WHERE subscriber_id IS NOT NULL) * 100 +
		(SELECT COUNT(*) FROM deliveries WHERE subscriber_id IS NOT NULL) * 10 + (SELECT COUNT(*) FROM signups)`).Scan(&n); err != nil || n != 4*100+1*10+2 {
		t.Errorf("events*100 + deliveries*10 + signups = %d, %v; want 412", n, err)
	}
	// Five rows were ever inserted: the next gets 6, not 5 (Cy's old 3
	// was reused once already; no ID may come back again).
	added, err := s.Add(ctx, newSub(t, "fay@example.org", "", nil, subscriber.Active, "cli"), false)
	if err != nil || added.Subscriber.ID != 6 {
		t.Errorf("the next subscriber: ID %d, %v; want 6", added.Subscriber.ID, err)
	}
	// Old links: Ada, Bob are the first holders of their IDs; Dee holds
	// Cy's, and Eve came after a reuse, which the history cannot rule out.
	for id, ok := range map[int64]bool{1: true, 2: true, 3: false, 4: false, 6: false} {
		g, err := s.Link(ctx, store.LinkRef{LegacyID: id})
		if ok && (err != nil || g.Subscriber.ID != id) {
			t.Errorf("old link to %d: %+v, %v; want honoured", id, g.Subscriber, err)
		}
		if !ok && !errors.Is(err, store.ErrNotFound) {
			t.Errorf("old link to %d: %+v, %v; want refused", id, g.Subscriber, err)
		}
	}
	// Bob's open request was mailed a link in the old format; Eve's mail
	// has not gone yet and will carry a new one.
	bob, _ := s.Link(ctx, store.LinkRef{LegacyID: 2})
	if bob.Request != store.LegacyRequest || bob.Name != "Bob" {
		t.Errorf("Bob's request: %+v", bob)
	}
	mails, err := s.DueConfirmations(ctx, 10, 0)
	if err != nil || len(mails) != 1 || mails[0].Email != "eve@example.org" || len(mails[0].Request) != 32 {
		t.Errorf("due: %+v, %v", mails, err)
	}
	if got, err := s.Pragma(ctx, "foreign_keys"); err != nil || got != "1" {
		t.Errorf("the store's connections after migrating: foreign_keys %q, %v", got, err)
	}
}
