package sqlite_test

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/store/sqlite"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// manualClock stands still until advanced, so that a test can put a
// request an hour or a week in the past.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *manualClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func openClock(t *testing.T) (*sqlite.Store, *manualClock, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "agora.db")
	c := &manualClock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	s, err := sqlite.Open(ctx, path, sqlite.Options{Now: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, c, path
}

// rules are agora listen's defaults: one mail an hour, three a month.
var rules = store.MailRules{Every: time.Hour, Window: 30 * 24 * time.Hour, PerWindow: 3}

var nonces int

// receive posts a request with a fresh form token, as the form does.
func receive(t *testing.T, s *sqlite.Store, email, name string, topics ...string) {
	t.Helper()
	sub := newSub(t, email, name, topics, subscriber.Pending, "form")
	nonces++
	if err := s.ReceiveSignup(ctx, store.SignupRequest{Email: sub.Email, Name: sub.Name, Topics: sub.Topics,
		FormToken: fmt.Sprint("nonce-", nonces), FormExpires: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
}

// request receives a request and applies the inbox; it returns the
// address's sign-up and whether the request was mailed.
func request(t *testing.T, s *sqlite.Store, email, name string, topics ...string) (store.Signup, bool) {
	t.Helper()
	receive(t, s, email, name, topics...)
	p, err := s.ProcessSignups(ctx, 100, rules)
	if err != nil || p.Taken != 1 {
		t.Fatalf("ProcessSignups: %+v, %v", p, err)
	}
	sub, err := s.Get(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return store.Signup{}, p.Queued == 1
	}
	if err != nil {
		t.Fatal(err)
	}
	return link(t, s, sub), p.Queued == 1
}

func link(t *testing.T, s *sqlite.Store, sub subscriber.Subscriber) store.Signup {
	t.Helper()
	g, err := s.Link(ctx, store.LinkRef{Handle: sub.Link.Handle})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func due(t *testing.T, s *sqlite.Store) []string {
	t.Helper()
	mails, err := s.DueConfirmations(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range mails {
		out = append(out, m.Email)
	}
	return out
}

// sendAll records every due confirmation as sent.
func sendAll(t *testing.T, s *sqlite.Store) {
	t.Helper()
	mails, err := s.DueConfirmations(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	var rs []store.ConfirmationResult
	for _, m := range mails {
		rs = append(rs, store.ConfirmationResult{SubscriberID: m.SubscriberID, Request: m.Request})
	}
	if err := s.RecordConfirmations(ctx, rs); err != nil {
		t.Fatal(err)
	}
}

// TestMailboxLimits: at most one confirmation an hour and three in 30
// days to one mailbox, however it is spelt; a request over the limits
// changes nothing, and for an unknown address stores nothing.
func TestMailboxLimits(t *testing.T) {
	s, c, _ := openClock(t)
	g, mailed := request(t, s, "Ada.Lovelace@gmail.com", "Ada", "go")
	if !mailed || g.Subscriber.Status != subscriber.Pending || g.Subscriber.Consent.How != "form" || g.Name != "Ada" || g.Request == "" {
		t.Fatalf("first request: %+v, mailed %v", g, mailed)
	}
	first := g.Request
	// Other spellings of the same Gmail mailbox, within the hour.
	for _, spelling := range []string{"adalovelace+news@gmail.com", "a.d.a.lovelace@googlemail.com", "ADA.LOVELACE+x@GMAIL.COM"} {
		c.advance(time.Minute)
		if _, mailed := request(t, s, spelling, "Mallory", "spam"); mailed {
			t.Errorf("%s, minutes after: mailed", spelling)
		}
	}
	if _, err := s.Get(ctx, "adalovelace+news@gmail.com"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a request over the limit stored its address: %v", err)
	}
	if g, _ := s.Link(ctx, store.LinkRef{Handle: g.Subscriber.Link.Handle}); g.Request != first || g.Name != "Ada" {
		t.Errorf("a request over the limit changed the open one: %+v", g)
	}
	if got := due(t, s); !slices.Equal(got, []string{"Ada.Lovelace@gmail.com"}) {
		t.Errorf("due %q", got)
	}
	sendAll(t, s)
	// Two more in the month, an hour apart; the fourth waits for the month.
	for i := range 2 {
		c.advance(time.Hour)
		if _, mailed := request(t, s, "ada.lovelace+"+fmt.Sprint(i)+"@gmail.com", ""); !mailed {
			t.Errorf("request %d, an hour after the last: not mailed", i+2)
		}
	}
	c.advance(24 * time.Hour)
	if _, mailed := request(t, s, "ada.lovelace@gmail.com", ""); mailed {
		t.Error("a fourth mail within 30 days")
	}
	c.advance(30 * 24 * time.Hour)
	if _, mailed := request(t, s, "ada.lovelace@gmail.com", ""); !mailed {
		t.Error("a month later: not mailed")
	}
	// Another mailbox is not held back by Ada's.
	if _, mailed := request(t, s, "bob@gmail.com", ""); !mailed {
		t.Error("bob: not mailed")
	}
}

func TestFormTokenSpentOnce(t *testing.T) {
	s, _, _ := openClock(t)
	req := store.SignupRequest{Email: "ada@example.org", FormToken: "n1", FormExpires: time.Now().Add(time.Hour)}
	if err := s.ReceiveSignup(ctx, req); err != nil {
		t.Fatal(err)
	}
	req.Email = "bob@example.org"
	if err := s.ReceiveSignup(ctx, req); !errors.Is(err, store.ErrFormTokenUsed) {
		t.Errorf("the same form token again: %v, want ErrFormTokenUsed", err)
	}
	if p, err := s.ProcessSignups(ctx, 10, rules); err != nil || p.Taken != 1 {
		t.Errorf("processed %+v, %v: want only the first", p, err)
	}
	if _, err := s.Get(ctx, "bob@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the replay was stored: %v", err)
	}
}

// TestConfirmSignupBindsRequest: a confirmation names its request; it
// works once, and never for another request of the same address.
func TestConfirmSignupBindsRequest(t *testing.T) {
	s, c, path := openClock(t)
	g, _ := request(t, s, "ada@example.org", "Ada", "go", "events")
	id := g.Subscriber.ID
	if _, err := s.ConfirmSignup(ctx, id, "not-the-request", "form"); !errors.Is(err, store.ErrNoRequest) {
		t.Errorf("another nonce: %v; want ErrNoRequest", err)
	}
	c.advance(time.Hour)
	sub, err := s.ConfirmSignup(ctx, id, g.Request, "form")
	if err != nil || sub.Status != subscriber.Active || !slices.Equal(sub.Topics, []string{"events", "go"}) ||
		sub.Consent.How != "form" || !sub.Consent.At.Equal(c.now()) || sub.Name != "Ada" {
		t.Fatalf("ConfirmSignup: %+v, %v", sub, err)
	}
	if _, err := s.ConfirmSignup(ctx, id, g.Request, "form"); !errors.Is(err, store.ErrNoRequest) {
		t.Errorf("confirming twice: %v; want ErrNoRequest", err)
	}
	if after := link(t, s, sub); after.Confirmed != g.Request || after.Request != "" {
		t.Errorf("after confirming: %+v", after)
	}
	if want := []string{"-> pending (form)", "pending -> active (form)"}; !slices.Equal(events(t, path), want) {
		t.Errorf("events %q, want %q", events(t, path), want)
	}
	if _, err := s.ConfirmSignup(ctx, 999, "x", "form"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

// TestUsedLinkAfterUnsubscribe is the attack of issue 10 item 3: confirm
// with link L, unsubscribe, a new sign-up of the address (with no mail:
// the hourly limit); L must not confirm again, and the new sign-up needs
// a mail and a link of its own.
func TestUsedLinkAfterUnsubscribe(t *testing.T) {
	s, c, _ := openClock(t)
	g, _ := request(t, s, "ada@example.org", "Ada")
	id, used := g.Subscriber.ID, g.Request
	if _, err := s.ConfirmSignup(ctx, id, used, "form"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Unsubscribe(ctx, id, "one-click"); err != nil {
		t.Fatal(err)
	}
	c.advance(10 * time.Minute)
	if _, mailed := request(t, s, "ada@example.org", "Mallory", "spam"); mailed {
		t.Fatal("a second mail within the hour")
	}
	if _, err := s.ConfirmSignup(ctx, id, used, "form"); !errors.Is(err, store.ErrNoRequest) {
		t.Errorf("the used link after an unsubscribe and a new sign-up: %v", err)
	}
	c.advance(time.Hour)
	g, mailed := request(t, s, "ada@example.org", "Mallory", "spam")
	if !mailed || g.Request == "" || g.Request == used {
		t.Fatalf("an hour later: mailed %v, request %q", mailed, g.Request)
	}
	if _, err := s.ConfirmSignup(ctx, id, used, "form"); !errors.Is(err, store.ErrNoRequest) {
		t.Errorf("the used link against the new request: %v", err)
	}
	if got, _ := s.Get(ctx, "ada@example.org"); got.Status != subscriber.Unsubscribed || got.Name != "Ada" {
		t.Errorf("%+v: want unsubscribed with the old details until the new link is used", got)
	}
	if sub, err := s.ConfirmSignup(ctx, id, g.Request, "form"); err != nil || sub.Status != subscriber.Active || sub.Name != "Mallory" {
		t.Errorf("the new link: %+v, %v", sub, err)
	}
}

func TestSignupLeavesKnownSubscribersAlone(t *testing.T) {
	for _, st := range []subscriber.Status{subscriber.Active, subscriber.Unsubscribed, subscriber.Bounced} {
		t.Run(string(st), func(t *testing.T) {
			s, _, path := openClock(t)
			if _, err := s.Add(ctx, newSub(t, "ada@example.org", "Ada", []string{"go"}, st, "cli"), false); err != nil {
				t.Fatal(err)
			}
			g, mailed := request(t, s, "ADA@example.org", "Mallory", "spam")
			if !mailed {
				t.Errorf("request not mailed")
			}
			if got, _ := s.Get(ctx, "ada@example.org"); got.Status != st || got.Name != "Ada" || !slices.Equal(got.Topics, []string{"go"}) {
				t.Errorf("an unconfirmed request changed the subscriber: %+v", got)
			}
			sub, err := s.ConfirmSignup(ctx, g.Subscriber.ID, g.Request, "form")
			if err != nil || sub.Status != subscriber.Active || sub.Name != "Mallory" {
				t.Fatalf("confirm: %+v, %v", sub, err)
			}
			want := []string{"-> " + string(st) + " (cli)"}
			if st != subscriber.Active {
				want = append(want, string(st)+" -> active (form)")
			}
			if !slices.Equal(events(t, path), want) {
				t.Errorf("events %q, want %q", events(t, path), want)
			}
		})
	}
}

func TestUnsubscribeByID(t *testing.T) {
	s, _, path := openClock(t)
	g, _ := request(t, s, "ada@example.org", "")
	id := g.Subscriber.ID
	for i, want := range []bool{true, false} {
		changed, err := s.Unsubscribe(ctx, id, "one-click")
		if err != nil || changed != want {
			t.Errorf("unsubscribe %d: %v, %v; want changed=%v", i+1, changed, err, want)
		}
	}
	if got := due(t, s); len(got) != 0 {
		t.Errorf("the confirmation still goes out after an unsubscribe: %q", got)
	}
	if _, err := s.ConfirmSignup(ctx, id, g.Request, "form"); !errors.Is(err, store.ErrNoRequest) {
		t.Errorf("confirm after unsubscribe: %v; want ErrNoRequest (a fresh request is needed)", err)
	}
	if want := []string{"-> pending (form)", "pending -> unsubscribed (one-click)"}; !slices.Equal(events(t, path), want) {
		t.Errorf("events %q, want %q", events(t, path), want)
	}
	if _, err := s.Unsubscribe(ctx, 999, "one-click"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

func TestSetPreferences(t *testing.T) {
	s, _, _ := openClock(t)
	res, err := s.Add(ctx, newSub(t, "ada@example.org", "Ada", []string{"go"}, subscriber.Active, "cli"), false)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := s.SetPreferences(ctx, res.Subscriber.ID, "Ada L.", []string{"events", "metrics"})
	if err != nil || sub.Status != subscriber.Active {
		t.Fatal(sub, err)
	}
	got, _ := s.Get(ctx, "ada@example.org")
	if got.Name != "Ada L." || !slices.Equal(got.Topics, []string{"events", "metrics"}) || got.Status != subscriber.Active {
		t.Errorf("stored %+v", got)
	}
}

func TestConfirmationQueue(t *testing.T) {
	s, c, _ := openClock(t)
	a, _ := request(t, s, "a@example.org", "")
	c.advance(time.Second)
	b, _ := request(t, s, "b@example.org", "")
	mails, err := s.DueConfirmations(ctx, 10)
	if err != nil || len(mails) != 2 || mails[0].Email != "a@example.org" || mails[0].Request != a.Request || mails[0].Link != a.Subscriber.Link {
		t.Fatalf("due %+v, %v", mails, err)
	}
	retry := c.now().Add(5 * time.Minute)
	if err := s.RecordConfirmations(ctx, []store.ConfirmationResult{
		{SubscriberID: a.Subscriber.ID, Request: a.Request, Err: errors.New("421 try later"), RetryAt: retry},
		{SubscriberID: b.Subscriber.ID, Request: b.Request, Err: errors.New("550 no such user")},
	}); err != nil {
		t.Fatal(err)
	}
	if got := due(t, s); len(got) != 0 {
		t.Errorf("due before the retry time: %q", got)
	}
	if next, ok, err := s.NextConfirmationDue(ctx); err != nil || !ok || !next.Equal(retry) {
		t.Errorf("next due %v %v %v, want %v", next, ok, err, retry)
	}
	c.advance(5 * time.Minute)
	mails, err = s.DueConfirmations(ctx, 10)
	if err != nil || len(mails) != 1 || mails[0].SubscriberID != a.Subscriber.ID || mails[0].Attempts != 1 {
		t.Errorf("after the retry time: %+v, %v", mails, err)
	}
	sendAll(t, s)
	if _, ok, err := s.NextConfirmationDue(ctx); ok || err != nil {
		t.Errorf("something still queued: %v", err)
	}
	if n, first, err := s.ConfirmationsSent(ctx, c.now().Add(-time.Hour)); err != nil || n != 1 || !first.Equal(c.now()) {
		t.Errorf("sent in the last hour: %d from %v, %v; want 1 now", n, first, err)
	}
	if g := link(t, s, a.Subscriber); !g.MailSent.Equal(c.now()) {
		t.Errorf("mail sent at %v", g.MailSent)
	}
}

// TestSentRecordsItsOwnRequest: a mail sent for a request that a later
// one replaced meanwhile does not count as the later one's.
func TestSentRecordsItsOwnRequest(t *testing.T) {
	s, c, _ := openClock(t)
	old, _ := request(t, s, "ada@example.org", "")
	mails, _ := s.DueConfirmations(ctx, 10)
	c.advance(2 * time.Hour)
	neu, mailed := request(t, s, "ada@example.org", "Ada")
	if !mailed || neu.Request == old.Request {
		t.Fatalf("the later request: %+v, mailed %v", neu, mailed)
	}
	if err := s.RecordConfirmations(ctx, []store.ConfirmationResult{{SubscriberID: mails[0].SubscriberID, Request: mails[0].Request}}); err != nil {
		t.Fatal(err)
	}
	if got := due(t, s); !slices.Equal(got, []string{"ada@example.org"}) {
		t.Errorf("due %q: the later request's mail must still go", got)
	}
}

func TestPurgeUnconfirmed(t *testing.T) {
	s, c, path := openClock(t)
	old, _ := request(t, s, "old@example.org", "")
	yes, _ := request(t, s, "yes@example.org", "")
	if _, err := s.ConfirmSignup(ctx, yes.Subscriber.ID, yes.Request, "form"); err != nil {
		t.Fatal(err)
	}
	// Pending because the operator said so: not the form's to forget.
	if _, err := s.Add(ctx, newSub(t, "cli@example.org", "", nil, subscriber.Pending, "cli"), false); err != nil {
		t.Fatal(err)
	}
	request(t, s, "cli@example.org", "")
	sendAll(t, s)
	// Still queued after eight days (the hourly cap held it back): kept,
	// since its week starts when its mail goes.
	request(t, s, "waiting@example.org", "")
	c.advance(8 * 24 * time.Hour)
	request(t, s, "new@example.org", "")
	n, err := s.PurgeUnconfirmed(ctx, c.now().Add(-7*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("purged %d, %v; want old", n, err)
	}
	if _, err := s.Link(ctx, store.LinkRef{Handle: old.Subscriber.Link.Handle}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the unconfirmed address is still there: %v", err)
	}
	for _, email := range []string{"yes@example.org", "new@example.org", "cli@example.org", "waiting@example.org"} {
		if _, err := s.Get(ctx, email); err != nil {
			t.Errorf("%s: %v", email, err)
		}
	}
	if cli, _ := s.Get(ctx, "cli@example.org"); link(t, s, cli).Request != "" {
		t.Error("an operator's pending subscriber keeps an unconfirmed request of the form's")
	}
	var rows int
	if err := raw(t, path).QueryRow(`SELECT COUNT(*) FROM signups WHERE subscriber_id = ?`, old.Subscriber.ID).Scan(&rows); err != nil || rows != 0 {
		t.Errorf("%d sign-up rows left for the erased subscriber, %v", rows, err)
	}
	if evs := events(t, path); !slices.Contains(evs, "pending -> removed (listen:unconfirmed)") {
		t.Errorf("no anonymous record of the erasure: %q", evs)
	}
}

func TestRemoveErasesSignup(t *testing.T) {
	s, _, path := openClock(t)
	g, _ := request(t, s, "ada+news@gmail.com", "Ada")
	if err := s.RecordConfirmations(ctx, []store.ConfirmationResult{{SubscriberID: g.Subscriber.ID, Request: g.Request, Err: errors.New("550 <ada@example.org> unknown")}}); err != nil {
		t.Fatal(err)
	}
	receive(t, s, "ada+news@gmail.com", "Ada again") // waiting in the inbox
	if _, err := s.Remove(ctx, "ada+news@gmail.com", "cli"); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := raw(t, path).QueryRow(`SELECT (SELECT COUNT(*) FROM signups) + (SELECT COUNT(*) FROM signup_inbox) +
		(SELECT COUNT(*) FROM confirmation_mailboxes)`).Scan(&rows); err != nil || rows != 0 {
		t.Errorf("%d sign-up, inbox or mailbox rows after an erasure, %v", rows, err)
	}
}

func TestPruneLimits(t *testing.T) {
	s, c, path := openClock(t)
	request(t, s, "ada@example.org", "")
	sendAll(t, s)
	count := func() (n int) {
		if err := raw(t, path).QueryRow(`SELECT (SELECT COUNT(*) FROM confirmation_mailboxes) + (SELECT COUNT(*) FROM confirmation_sends) +
			(SELECT COUNT(*) FROM form_tokens_used)`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 3 {
		t.Fatalf("%d rows, want a mailbox, a send and a form token", n)
	}
	now := c.now()
	if err := s.PruneLimits(ctx, now.Add(-time.Minute), now.Add(-time.Minute), now); err != nil || count() != 3 {
		t.Errorf("pruned what is still needed: %d, %v", count(), err)
	}
	if err := s.PruneLimits(ctx, now.Add(time.Minute), now.Add(time.Minute), time.Now().Add(2*time.Hour)); err != nil || count() != 0 {
		t.Errorf("left %d rows, %v", count(), err)
	}
}

// TestApplySignupsIsolatesOps: one op failing halfway is undone alone,
// the others of the group commit are kept.
func TestApplySignupsIsolatesOps(t *testing.T) {
	s, _, _ := openClock(t)
	boom := errors.New("boom")
	req := func(email string, fail bool) func(store.SignupTx) error {
		return func(w store.SignupTx) error {
			if err := w.ReceiveSignup(store.SignupRequest{Email: email, FormToken: email, FormExpires: time.Now().Add(time.Hour)}); err != nil {
				return err
			}
			if fail {
				return boom
			}
			return nil
		}
	}
	errs, err := s.ApplySignups(ctx, []func(store.SignupTx) error{
		req("a@example.org", false), req("b@example.org", true), req("c@example.org", false),
		func(w store.SignupTx) error { _, err := w.ConfirmSignup(999, "x", "form"); return err },
	})
	if err != nil {
		t.Fatal(err)
	}
	if errs[0] != nil || !errors.Is(errs[1], boom) || errs[2] != nil || !errors.Is(errs[3], store.ErrNotFound) {
		t.Errorf("errs %v", errs)
	}
	if _, err := s.ProcessSignups(ctx, 10, rules); err != nil {
		t.Fatal(err)
	}
	if got := due(t, s); !slices.Equal(got, []string{"a@example.org", "c@example.org"}) {
		t.Errorf("due %q", got)
	}
	// b's token was not spent: its op was undone.
	if err := s.ReceiveSignup(ctx, store.SignupRequest{Email: "b@example.org", FormToken: "b@example.org", FormExpires: time.Now().Add(time.Hour)}); err != nil {
		t.Errorf("b's form token after its op failed: %v", err)
	}
}

// TestIDsNeverReused is issue 10 item 2: erasing the highest row (an
// operator's remove, the purge of unconfirmed sign-ups) must not give its
// ID to the next person, and the handles and secrets are new too.
func TestIDsNeverReused(t *testing.T) {
	s, c, _ := openClock(t)
	a, _ := s.Add(ctx, newSub(t, "a@example.org", "", nil, subscriber.Active, "cli"), false)
	b, _ := s.Add(ctx, newSub(t, "b@example.org", "", nil, subscriber.Active, "cli"), false)
	if _, err := s.Remove(ctx, "b@example.org", "cli"); err != nil {
		t.Fatal(err)
	}
	cc, _ := s.Add(ctx, newSub(t, "c@example.org", "", nil, subscriber.Active, "cli"), false)
	if cc.Subscriber.ID <= b.Subscriber.ID {
		t.Errorf("c got ID %d after b's %d was erased", cc.Subscriber.ID, b.Subscriber.ID)
	}
	g, _ := request(t, s, "d@example.org", "")
	sendAll(t, s)
	c.advance(8 * 24 * time.Hour)
	if n, err := s.PurgeUnconfirmed(ctx, c.now().Add(-7*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("purge: %d, %v", n, err)
	}
	e, _ := request(t, s, "e@example.org", "")
	if e.Subscriber.ID <= g.Subscriber.ID {
		t.Errorf("e got ID %d after the purged %d", e.Subscriber.ID, g.Subscriber.ID)
	}
	// b again is a new row: nothing of the old one's links fits it.
	b2, _ := s.Add(ctx, newSub(t, "b@example.org", "", nil, subscriber.Active, "cli"), false)
	if b2.Subscriber.ID == b.Subscriber.ID || b2.Subscriber.Link.Handle == b.Subscriber.Link.Handle || b2.Subscriber.Link.Secret == b.Subscriber.Link.Secret {
		t.Errorf("b re-added: %+v, erased: %+v", b2.Subscriber, b.Subscriber)
	}
	seen := map[string]bool{}
	for _, sub := range []store.Added{a, b, cc, b2} {
		if l := sub.Subscriber.Link; len(l.Handle) != 32 || len(l.Secret) != 64 || seen[l.Handle] || seen[l.Secret] {
			t.Errorf("%s: link %+v, want fresh random hex", sub.Subscriber.Email, l)
		} else {
			seen[l.Handle], seen[l.Secret] = true, true
		}
	}
}
