package postgres_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/agora-hub/agora/internal/pgtest"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/store/postgres"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// oldDatabase writes a database at schema version 3, the last before the
// engines' versions were aligned (0004 links and limits, 0005 welcome,
// 0006 senders): the first three migrations as the files say, then rows
// written with that schema's columns only, as a store of that version
// wrote them, one issue finished and one half sent.
func oldDatabase(t *testing.T) (url string, db *pgxpool.Pool) {
	t.Helper()
	url = pgtest.URL(t)
	db, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	exec := func(sql string, args ...any) {
		t.Helper()
		if _, err := db.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%.60s: %v", sql, err)
		}
	}
	exec(`CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied TEXT NOT NULL)`)
	for i, name := range []string{"0001_init.sql", "0002_send.sql", "0003_signup.sql"} {
		src, err := os.ReadFile(filepath.Join("migrations", name))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(ctx, string(src), pgx.QueryExecModeSimpleProtocol); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		exec(`INSERT INTO schema_migrations VALUES ($1, $2, 'x')`, i+1, name)
	}
	const at = "2026-01-01T09:00:00.000Z"
	for _, email := range []string{"ada@example.org", "bob@example.org", "cy@example.org"} {
		exec(`WITH s AS (INSERT INTO subscribers (email, email_key, topics, status, consent_at, consent_how, created, updated)
			VALUES ($1, $1, 'events', 'active', $2, 'cli', $2, $2) RETURNING id)
			INSERT INTO subscriber_events (subscriber_id, at, to_status, how) SELECT id, $2, 'active', 'cli' FROM s`, email, at)
	}
	exec(`INSERT INTO issues (id, number, created, cutoff, sent_at, status, subject) VALUES (1, 1, $1, $1, $1, 'sent', 'One')`, at)
	exec(`INSERT INTO issues (id, number, created, cutoff, status, subject) VALUES (2, 2, $1, $1, 'sending', 'Two')`, at)
	exec(`INSERT INTO issue_items (issue_id, position, item_id, title, published) VALUES (2, 0, 'tips/a', 'A tip', $1)`, at)
	exec(`INSERT INTO deliveries (issue_id, subscriber_id, state, message_id, updated) VALUES
		(1, 1, 'sent', '<issue-1.sub-1@example.org>', $1), (1, 2, 'sent', '<issue-1.sub-2@example.org>', $1),
		(2, 1, 'sent', '<issue-2.sub-1@example.org>', $1), (2, 2, 'sending', '', $1), (2, 3, 'queued', '', $1)`, at)
	exec(`INSERT INTO signups (subscriber_id, requested, name, mail_queued, mail_state) VALUES (2, $1, 'Bob', $1, 'sent')`, at)
	return url, db
}

// TestMigrateInPlace: a database of schema version 3 opens at the current
// version with every subscriber, event, issue, delivery and sign-up kept,
// and the half-sent issue goes on where it stopped.
func TestMigrateInPlace(t *testing.T) {
	url, db := oldDatabase(t)
	s, err := postgres.Open(ctx, url, postgres.Options{Now: func() time.Time { return time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	var version, latest int
	if err := db.QueryRow(ctx, `SELECT MAX(version), COUNT(*) FROM schema_migrations`).Scan(&version, &latest); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir("migrations")
	if version != len(entries) || latest != len(entries) {
		t.Errorf("schema version %d (%d rows), want %d", version, latest, len(entries))
	}
	seen := map[string]bool{}
	var emails []string
	for sub, err := range s.List(ctx, store.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		emails = append(emails, sub.Email)
		if l := sub.Link; len(l.Handle) != 32 || len(l.Secret) != 64 || seen[l.Handle] || seen[l.Secret] {
			t.Errorf("%s: link %+v, want its own random handle and secret", sub.Email, l)
		}
		seen[sub.Link.Handle], seen[sub.Link.Secret] = true, true
		if sub.Status != subscriber.Active || sub.Consent.How != "cli" || len(sub.Topics) != 1 {
			t.Errorf("%s: %+v, want active by cli on events as written", sub.Email, sub)
		}
	}
	if len(emails) != 3 {
		t.Errorf("subscribers %v, want the three written", emails)
	}
	var events int
	if err := s.Events(ctx, func(store.Event) error { events++; return nil }); err != nil || events != 3 {
		t.Errorf("%d events, %v; want 3", events, err)
	}
	stats, err := s.Issues(ctx)
	if err != nil || len(stats) != 2 {
		t.Fatalf("issues %+v, %v", stats, err)
	}
	if one := stats[0]; one.Status != store.IssueSent || one.Sent != 2 || one.Subject != "One" {
		t.Errorf("issue 1: %+v", one)
	}
	if two := stats[1]; two.Status != store.IssueSending || two.Sent != 1 || two.Pending != 2 || two.Items != 1 {
		t.Errorf("issue 2: %+v", two)
	}
	// The half-sent issue goes on: the row left at sending by a sender of
	// the old version (no sender ID) is taken back, then the queued one.
	sender, err := s.RegisterSender(ctx, "host", 1, false)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Claim(ctx, store.ClaimRequest{IssueID: 2, Sender: sender, Limit: 10, Lease: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, d := range c.Deliveries {
		got = append(got, d.Subscriber.Email+":"+string(d.State))
	}
	if len(got) != 2 || got[0] != "bob@example.org:sending" || got[1] != "cy@example.org:queued" {
		t.Errorf("claimed %v, want Bob's row left at sending, then Cy's", got)
	}
	// Bob's sign-up was mailed with an old link: it stays a legacy request.
	bob, err := s.Link(ctx, store.LinkRef{LegacyID: 2})
	if err != nil || bob.Request != store.LegacyRequest || bob.Name != "Bob" {
		t.Errorf("Bob's request: %+v, %v", bob, err)
	}
	// IDs go on after the old ones.
	added, err := s.Add(ctx, mustSub(t, "dee@example.org"), false)
	if err != nil || added.Subscriber.ID != 4 {
		t.Errorf("the next subscriber: ID %d, %v; want 4", added.Subscriber.ID, err)
	}
	if _, err := s.Link(ctx, store.LinkRef{LegacyID: 99}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("an old link to an ID never issued: %v, want not found", err)
	}
}

func mustSub(t *testing.T, email string) subscriber.Subscriber {
	t.Helper()
	sub, err := subscriber.New(email, "", nil, subscriber.Active, subscriber.Consent{At: time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC), How: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	return sub
}
