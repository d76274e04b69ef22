package storetest

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

const step = "welcome/a.md"

// claimWelcome claims step for ids, exclusively (as under SQLite's
// welcome lock) when sender is 0.
func claimWelcome(t testing.TB, db store.DB, sender int64, ids ...int64) []bool {
	t.Helper()
	var cs []store.WelcomeClaim
	for _, id := range ids {
		cs = append(cs, store.WelcomeClaim{Step: step, SubscriberID: id, MessageID: "<w@example.org>"})
	}
	got, err := db.ClaimWelcome(ctx, store.WelcomeClaimRequest{Claims: cs, Sender: sender, Lease: lease, Exclusive: sender == 0})
	if err != nil {
		t.Fatal(err)
	}
	return got.Claimed
}

// testWelcomeJournal walks one step's rows through the journal: due by
// consent time, claimed once, resumed when left at sending, finished for
// good, counted with the unsubscribes that followed, scrubbed on erasure.
func testWelcomeJournal(t *testing.T, e Engine) {
	st, c, raw := freshClock(t, e)
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
	start := c.Now().Add(-30 * 24 * time.Hour)
	add("old@example.org", start.Add(-time.Hour)) // before the series
	ada := add("ada@example.org", start.Add(24*time.Hour))
	bob := add("bob@example.org", start.Add(48*time.Hour))
	add("late@example.org", start.Add(30*24*time.Hour)) // not due yet

	emails := func(ds []store.WelcomeDue) string {
		var out []string
		for _, d := range ds {
			out = append(out, d.Subscriber.Email+":"+string(d.State))
		}
		return strings.Join(out, " ")
	}
	by := start.Add(10 * 24 * time.Hour)
	due, err := st.WelcomeDue(ctx, step, start, by, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if got := emails(due); got != "ada@example.org: bob@example.org:" {
		t.Fatalf("due %q: want ada and bob, not old (before the series) nor late (not yet)", got)
	}
	if due[0].Subscriber.Link != ada.Link {
		t.Errorf("due without its link: %+v", due[0].Subscriber.Link)
	}
	if claimed := claimWelcome(t, st, 0, ada.ID, bob.ID); !claimed[0] || !claimed[1] {
		t.Fatalf("claim: %v", claimed)
	}
	// Ada's was sent; Bob's run died at sending: due again, as sending.
	if err := st.RecordWelcome(ctx, []store.WelcomeUpdate{{Step: step, SubscriberID: ada.ID, State: store.Sent, Attempts: 1}}); err != nil {
		t.Fatal(err)
	}
	due, _ = st.WelcomeDue(ctx, step, start, by, 0, 10)
	if got := emails(due); got != "bob@example.org:sending" {
		t.Fatalf("due after a crash %q: want bob's row in flight", got)
	}
	// A sent row is never claimed again, nor moved.
	if claimWelcome(t, st, 0, ada.ID)[0] {
		t.Error("a sent row was claimed again")
	}
	_ = st.RecordWelcome(ctx, []store.WelcomeUpdate{{Step: step, SubscriberID: ada.ID, State: store.Failed, Failure: store.Bounce}})
	// Bob unsubscribes: no more due, and his claim is refused.
	c.Advance(time.Hour)
	if _, err := st.SetStatus(ctx, "bob@example.org", subscriber.Unsubscribed, "test"); err != nil {
		t.Fatal(err)
	}
	due, _ = st.WelcomeDue(ctx, step, start, by, 0, 10)
	if len(due) != 0 || claimWelcome(t, st, 0, bob.ID)[0] {
		t.Errorf("after bob unsubscribed: due %q, or claimed", emails(due))
	}
	// Ada unsubscribes 2 days after her step: counted within 7 days.
	c.Advance(48 * time.Hour)
	if _, err := st.SetStatus(ctx, "ada@example.org", subscriber.Unsubscribed, "test"); err != nil {
		t.Fatal(err)
	}
	stats, err := st.WelcomeStats(ctx, 7*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats) != 1 || stats[0] != (store.WelcomeStats{Step: step, Sent: 1, Queued: 1, Unsubscribed: 1}) {
		t.Errorf("stats %+v", stats)
	}
	if s, _ := st.WelcomeStats(ctx, 24*time.Hour); s[0].Unsubscribed != 0 {
		t.Errorf("an unsubscribe 2 days later counted in a 1-day window")
	}
	// An erasure keeps the counts and drops the person.
	_ = st.RecordWelcome(ctx, []store.WelcomeUpdate{{Step: step, SubscriberID: bob.ID, State: store.Failed, Failure: store.Bounce, Error: "550 <bob@example.org> unknown"}})
	if _, err := st.Remove(ctx, "bob@example.org", "test"); err != nil {
		t.Fatal(err)
	}
	if s, _ := st.WelcomeStats(ctx, 7*24*time.Hour); s[0].Sent != 1 || s[0].Failed != 1 {
		t.Errorf("after the erasure: %+v", s)
	}
	if n := count(t, raw, `SELECT COUNT(*) FROM welcome_deliveries WHERE last_error <> '' OR subscriber_id IS NOT NULL AND subscriber_id = ?`, bob.ID); n != 0 {
		t.Errorf("%d welcome rows still name or quote the erased subscriber", n)
	}
}

// testWelcomeClaimsShared: senders on one database claim welcome rows as
// they claim deliveries. Claiming at once, each row goes to one of them;
// a live sender's rows stay its own, a dead one's are taken back after
// the lease, at once by the holder of the welcome lock; an outcome from a
// sender that lost the row does not move it, except to sent.
func testWelcomeClaimsShared(t *testing.T, e Engine) {
	open, _ := e.New(t)
	c := NewClock(false)
	a, b := open(t, c.Now), open(t, c.Now)
	withIssueless(t, a, 40)
	ids := make([]int64, 40)
	for i := range ids {
		ids[i] = int64(i + 1)
	}
	sa, sb := register(t, a, false), register(t, b, false)
	// Both claim the first 30 at once, in pages of 5.
	race := ids[:30]
	var wg sync.WaitGroup
	var got [2][]bool
	for i, w := range []struct {
		db     store.DB
		sender int64
	}{{a, sa}, {b, sb}} {
		wg.Go(func() {
			for k := 0; k < len(race); k += 5 {
				got[i] = append(got[i], claimWelcome(t, w.db, w.sender, race[k:k+5]...)...)
			}
		})
	}
	wg.Wait()
	for k := range race {
		if got[0][k] == got[1][k] {
			t.Errorf("subscriber %d: claimed by a %v, by b %v; want exactly one", race[k], got[0][k], got[1][k])
		}
	}
	// a holds the last ten.
	heldByA := ids[30:]
	for k, ok := range claimWelcome(t, a, sa, heldByA...) {
		if !ok {
			t.Fatalf("a could not claim subscriber %d, which nobody held", heldByA[k])
		}
	}
	// a lives: its rows are not b's, whatever b's claim.
	c.Advance(lease / 2)
	if err := a.Heartbeat(ctx, sa); err != nil {
		t.Fatal(err)
	}
	for _, ok := range claimWelcome(t, b, sb, heldByA...) {
		if ok {
			t.Fatal("b took a row of a live sender")
		}
	}
	// a dies (no heartbeat past the lease): b takes its rows back.
	c.Advance(lease + time.Second)
	if err := b.Heartbeat(ctx, sb); err != nil {
		t.Fatal(err)
	}
	back := claimWelcome(t, b, sb, heldByA[0])
	if !back[0] {
		t.Fatal("b did not take back a dead sender's row")
	}
	// a's late outcome does not move the row b holds now; sent sticks.
	if err := a.RecordWelcome(ctx, []store.WelcomeUpdate{{Step: step, SubscriberID: heldByA[0], Sender: sa, State: store.Queued}}); err != nil {
		t.Fatal(err)
	}
	due, _ := b.WelcomeDue(ctx, step, time.Time{}, c.Now(), heldByA[0]-1, 1)
	if len(due) != 1 || due[0].State != store.Sending {
		t.Errorf("after a's late deferral: %+v, want b's row at sending", due)
	}
	if err := a.RecordWelcome(ctx, []store.WelcomeUpdate{{Step: step, SubscriberID: heldByA[0], Sender: sa, State: store.Sent, Attempts: 1}}); err != nil {
		t.Fatal(err)
	}
	if due, _ := b.WelcomeDue(ctx, step, time.Time{}, c.Now(), heldByA[0]-1, 1); len(due) == 1 && due[0].Subscriber.ID == heldByA[0] {
		t.Errorf("a message a sent is due again: %+v", due)
	}
	// The holder of the welcome lock takes a live sender's rows at once.
	if len(heldByA) > 1 {
		if err := b.Heartbeat(ctx, sb); err != nil {
			t.Fatal(err)
		}
		if !claimWelcome(t, b, sb, heldByA[1])[0] || !claimWelcome(t, a, 0, heldByA[1])[0] {
			t.Error("an exclusive claim left a row at sending")
		}
	}
}
