package sqlite_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/store/sqlite"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// TestWelcomeJournal walks one step's rows through the journal: due by
// consent time, claimed once, resumed when left at sending, finished for
// good, counted with the unsubscribes that followed, scrubbed on erasure.
func TestWelcomeJournal(t *testing.T) {
	clock := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "agora.db"), sqlite.Options{Now: func() time.Time { return clock }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	add := func(email string, consent time.Time) subscriber.Subscriber {
		s, err := subscriber.New(email, "", nil, subscriber.Active, subscriber.Consent{At: consent, How: "cli"})
		if err != nil {
			t.Fatal(err)
		}
		r, err := st.Add(ctx, s, false)
		if err != nil {
			t.Fatal(err)
		}
		return r.Subscriber
	}
	start := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
	old := add("old@example.org", start.Add(-time.Hour)) // before the series
	ada := add("ada@example.org", start.Add(24*time.Hour))
	bob := add("bob@example.org", start.Add(48*time.Hour))
	late := add("late@example.org", start.Add(30*24*time.Hour)) // not due yet
	_ = old

	emails := func(ds []store.WelcomeDue) string {
		var out []string
		for _, d := range ds {
			out = append(out, d.Subscriber.Email+":"+string(d.State))
		}
		return strings.Join(out, " ")
	}
	by := start.Add(10 * 24 * time.Hour)
	due, err := st.WelcomeDue(ctx, "welcome/a.md", start, by, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := emails(due); got != "ada@example.org: bob@example.org:" {
		t.Fatalf("due %q: want ada and bob, not old (before the series) nor late (not yet)", got)
	}
	claimed, err := st.ClaimWelcome(ctx, []store.WelcomeClaim{{Step: "welcome/a.md", SubscriberID: ada.ID, MessageID: "<a>"}, {Step: "welcome/a.md", SubscriberID: bob.ID, MessageID: "<b>"}})
	if err != nil || !claimed[0] || !claimed[1] {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	// Ada's was sent; Bob's run died at sending: due again, as sending.
	if err := st.RecordWelcome(ctx, []store.WelcomeUpdate{{Step: "welcome/a.md", SubscriberID: ada.ID, State: store.Sent, Attempts: 1}}); err != nil {
		t.Fatal(err)
	}
	due, _ = st.WelcomeDue(ctx, "welcome/a.md", start, by, 0, 10)
	if got := emails(due); got != "bob@example.org:sending" {
		t.Fatalf("due after a crash %q: want bob's row in flight", got)
	}
	// A sent row is never claimed again, nor moved.
	claimed, _ = st.ClaimWelcome(ctx, []store.WelcomeClaim{{Step: "welcome/a.md", SubscriberID: ada.ID, MessageID: "<a>"}})
	if claimed[0] {
		t.Error("a sent row was claimed again")
	}
	_ = st.RecordWelcome(ctx, []store.WelcomeUpdate{{Step: "welcome/a.md", SubscriberID: ada.ID, State: store.Failed, Failure: store.Bounce}})
	// Bob unsubscribes: no more due, and his claim is refused.
	clock = clock.Add(time.Hour)
	if _, err := st.SetStatus(ctx, "bob@example.org", subscriber.Unsubscribed, "test"); err != nil {
		t.Fatal(err)
	}
	due, _ = st.WelcomeDue(ctx, "welcome/a.md", start, by, 0, 10)
	claimed, _ = st.ClaimWelcome(ctx, []store.WelcomeClaim{{Step: "welcome/a.md", SubscriberID: bob.ID, MessageID: "<b>"}})
	if len(due) != 0 || claimed[0] {
		t.Errorf("after bob unsubscribed: due %q, claimed %v", emails(due), claimed)
	}
	// Ada unsubscribes 2 days after her step: counted within 7 days.
	clock = clock.Add(48 * time.Hour)
	if _, err := st.SetStatus(ctx, "ada@example.org", subscriber.Unsubscribed, "test"); err != nil {
		t.Fatal(err)
	}
	stats, err := st.WelcomeStats(ctx, 7*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 1 || stats[0] != (store.WelcomeStats{Step: "welcome/a.md", Sent: 1, Queued: 1, Unsubscribed: 1}) {
		t.Errorf("stats %+v", stats)
	}
	if s, _ := st.WelcomeStats(ctx, 24*time.Hour); s[0].Unsubscribed != 0 {
		t.Errorf("an unsubscribe 2 days later counted in a 1-day window")
	}
	// An erasure keeps the counts and drops the person.
	_ = st.RecordWelcome(ctx, []store.WelcomeUpdate{{Step: "welcome/a.md", SubscriberID: bob.ID, State: store.Failed, Failure: store.Bounce, Error: "550 <bob@example.org> unknown"}})
	if _, err := st.Remove(ctx, "bob@example.org", "test"); err != nil {
		t.Fatal(err)
	}
	if s, _ := st.WelcomeStats(ctx, 7*24*time.Hour); s[0].Sent != 1 || s[0].Failed != 1 {
		t.Errorf("after the erasure: %+v", s)
	}
	_ = late
}
