package sqlite_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/store/sqlite"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// journalWith makes a store with n active subscribers (topic "even" for
// even IDs) and an issue that queues those for whom wants is true.
func journalWith(t testing.TB, n int, wants func(subscriber.Subscriber) bool) (*sqlite.Store, store.Issue, int) {
	t.Helper()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "agora.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	var subs []subscriber.Subscriber
	for i := 1; i <= n; i++ {
		var topics []string
		if i%2 == 0 {
			topics = []string{"even"}
		}
		s, err := subscriber.New(fmt.Sprintf("r%05d@example.org", i), "", topics, subscriber.Active, subscriber.Consent{How: "import"})
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, s)
	}
	if _, err := st.Import(ctx, subs, false); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	is, queued, err := st.CreateIssue(ctx, store.NewIssue{Created: now, Cutoff: now, Subject: "x", ArchivePath: "/n/{n}/",
		Items: []store.Item{{ID: "tips/a.md", Title: "A", Published: now}}}, wants)
	if err != nil {
		t.Fatal(err)
	}
	return st, is, queued
}

func TestCreateIssueQueuesAndCounts(t *testing.T) {
	const n = 2500 // pages of the queueing query, and a part page
	st, is, queued := journalWith(t, n, func(s subscriber.Subscriber) bool { return len(s.Topics) > 0 })
	if queued != n/2 {
		t.Fatalf("queued %d, want %d", queued, n/2)
	}
	if got, err := st.CountPending(ctx, is.ID); err != nil || got != n/2 {
		t.Fatalf("CountPending %d, %v: want %d", got, err, n/2)
	}
	ds, err := st.Pending(ctx, is.ID, 0, n)
	if err != nil || len(ds) != n/2 {
		t.Fatalf("Pending: %d, %v", len(ds), err)
	}
	for _, d := range ds {
		if d.State != store.Queued || len(d.Subscriber.Topics) == 0 {
			t.Fatalf("pending %+v: want queued, with topics", d)
		}
	}
	// Claimed, sent, put back: only what is queued or sending counts.
	var us []store.Update
	for i, d := range ds[:10] {
		u := store.Update{IssueID: is.ID, SubscriberID: d.Subscriber.ID, State: store.Sending, MessageID: "<m>"}
		if i < 5 {
			u.State = store.Sent
		}
		us = append(us, u)
	}
	if err := st.Record(ctx, us); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.CountPending(ctx, is.ID); got != n/2-5 {
		t.Errorf("after 5 sent: CountPending %d, want %d", got, n/2-5)
	}
	// A sent row never moves again.
	if err := st.Record(ctx, []store.Update{{IssueID: is.ID, SubscriberID: ds[0].Subscriber.ID, State: store.Queued}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.CountPending(ctx, is.ID); got != n/2-5 {
		t.Errorf("a sent row was queued again: CountPending %d", got)
	}
}

// BenchmarkRecord is the journal's work per message: a claim (sending)
// in batches of 8 and an outcome (sent), group-committed.
func BenchmarkRecord(b *testing.B) {
	st, is, _ := journalWith(b, 4096, func(subscriber.Subscriber) bool { return true })
	ds, err := st.Pending(ctx, is.ID, 0, 4096)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i += 8 {
		var us []store.Update
		for k := range 8 {
			id := ds[(i+k)%len(ds)].Subscriber.ID
			us = append(us, store.Update{IssueID: is.ID, SubscriberID: id, State: store.Sending, MessageID: "<issue-1.sub-1.0123456789ab@example.org>"})
		}
		if err := st.Record(ctx, us); err != nil {
			b.Fatal(err)
		}
		for k := range us {
			us[k].State, us[k].MessageID, us[k].Attempts = store.Queued, "", 1 // as "sent", without finishing the rows
		}
		if err := st.Record(ctx, us); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCreateIssueWithNoRecipient is issue 10 item 6: with nobody to mail
// no issue is made, and its items are not used up.
func TestCreateIssueWithNoRecipient(t *testing.T) {
	for _, n := range []int{0, 1500} { // nobody at all; nobody who wants the items
		t.Run(fmt.Sprint(n, " subscribers"), func(t *testing.T) {
			st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "agora.db"), sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			var subs []subscriber.Subscriber
			for i := range n {
				s, _ := subscriber.New(fmt.Sprintf("r%05d@example.org", i), "", []string{"cooking"}, subscriber.Active, subscriber.Consent{How: "import"})
				subs = append(subs, s)
			}
			if _, err := st.Import(ctx, subs, false); err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
			_, _, err = st.CreateIssue(ctx, store.NewIssue{Created: now, Cutoff: now, Subject: "x", ArchivePath: "/n/{n}/",
				Items: []store.Item{{ID: "tips/a.md", Title: "A", Published: now}}}, func(subscriber.Subscriber) bool { return false })
			if !errors.Is(err, store.ErrNoRecipients) {
				t.Fatalf("CreateIssue: %v, want ErrNoRecipients", err)
			}
			if _, ok, err := st.LastIssue(ctx); ok || err != nil {
				t.Errorf("an issue was made: %v", err)
			}
			if sent, err := st.SentItems(ctx, []string{"tips/a.md"}); err != nil || len(sent) != 0 {
				t.Errorf("the item was used up: %v, %v", sent, err)
			}
		})
	}
}
