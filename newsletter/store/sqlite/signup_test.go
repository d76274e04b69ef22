package sqlite_test

import (
	"errors"
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

func request(t *testing.T, s *sqlite.Store, email, name string, topics ...string) store.SignupResult {
	t.Helper()
	res, err := s.RequestSignup(ctx, newSub(t, email, name, topics, subscriber.Pending, "form"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return res
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

func sent(t *testing.T, s *sqlite.Store, ids ...int64) {
	t.Helper()
	var rs []store.ConfirmationResult
	for _, id := range ids {
		rs = append(rs, store.ConfirmationResult{SubscriberID: id})
	}
	if err := s.RecordConfirmations(ctx, rs); err != nil {
		t.Fatal(err)
	}
}

func TestRequestSignupQueuesOneMailAnHour(t *testing.T) {
	s, c, _ := openClock(t)
	first := request(t, s, "Ada@Example.org", "Ada", "go")
	if !first.Created || !first.Queued || first.Subscriber.Status != subscriber.Pending || first.Subscriber.Consent.How != "form" {
		t.Fatalf("first request: %+v", first)
	}
	// A flood for the same address: the details follow the latest request,
	// the mail is not queued again, sent or not.
	c.advance(time.Minute)
	if again := request(t, s, "ada@example.org", "Mallory", "spam"); again.Created || again.Queued {
		t.Errorf("second request while a mail waits: %+v", again)
	}
	sent(t, s, first.Subscriber.ID)
	c.advance(58 * time.Minute)
	if again := request(t, s, "ada@example.org", "Ada L."); again.Queued {
		t.Errorf("a request 59 minutes after the last mail queued another")
	}
	if got := due(t, s); len(got) != 0 {
		t.Errorf("due after sending: %q", got)
	}
	c.advance(time.Minute)
	if again := request(t, s, "ada@example.org", "Ada L."); !again.Queued {
		t.Errorf("a request an hour after the last mail was not queued")
	}
	g, err := s.Signup(ctx, first.Subscriber.ID)
	if err != nil || g.Name != "Ada L." || len(g.Topics) != 0 || !g.Requested.Equal(c.now()) {
		t.Errorf("open request: %+v, %v", g, err)
	}
	if g.Subscriber.Name != "Ada" {
		t.Errorf("a later request changed the pending subscriber's name to %q", g.Subscriber.Name)
	}
}

func TestConfirmSignup(t *testing.T) {
	s, c, path := openClock(t)
	id := request(t, s, "ada@example.org", "Ada", "go", "events").Subscriber.ID
	c.advance(time.Hour)
	sub, err := s.ConfirmSignup(ctx, id, 7*24*time.Hour, "form")
	if err != nil || sub.Status != subscriber.Active || !slices.Equal(sub.Topics, []string{"events", "go"}) ||
		sub.Consent.How != "form" || !sub.Consent.At.Equal(c.now()) {
		t.Fatalf("ConfirmSignup: %+v, %v", sub, err)
	}
	if got, _ := s.Get(ctx, "ada@example.org"); got.Status != subscriber.Active {
		t.Errorf("stored status %s", got.Status)
	}
	if _, err := s.ConfirmSignup(ctx, id, 7*24*time.Hour, "form"); !errors.Is(err, store.ErrNoRequest) {
		t.Errorf("confirming twice: %v; want ErrNoRequest", err)
	}
	if want := []string{"-> pending (form)", "pending -> active (form)"}; !slices.Equal(events(t, path), want) {
		t.Errorf("events %q, want %q", events(t, path), want)
	}
	if _, err := s.ConfirmSignup(ctx, 999, time.Hour, "form"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

func TestConfirmSignupExpires(t *testing.T) {
	s, c, _ := openClock(t)
	id := request(t, s, "ada@example.org", "").Subscriber.ID
	c.advance(7 * 24 * time.Hour)
	if _, err := s.ConfirmSignup(ctx, id, 7*24*time.Hour, "form"); !errors.Is(err, store.ErrNoRequest) {
		t.Errorf("a week-old request: %v; want ErrNoRequest", err)
	}
}

func TestSignupLeavesKnownSubscribersAlone(t *testing.T) {
	for _, st := range []subscriber.Status{subscriber.Active, subscriber.Unsubscribed, subscriber.Bounced} {
		t.Run(string(st), func(t *testing.T) {
			s, _, path := openClock(t)
			if _, err := s.Add(ctx, newSub(t, "ada@example.org", "Ada", []string{"go"}, st, "cli"), false); err != nil {
				t.Fatal(err)
			}
			res := request(t, s, "ADA@example.org", "Mallory", "spam")
			if res.Created || !res.Queued {
				t.Errorf("request: %+v", res)
			}
			if got, _ := s.Get(ctx, "ada@example.org"); got.Status != st || got.Name != "Ada" || !slices.Equal(got.Topics, []string{"go"}) {
				t.Errorf("an unconfirmed request changed the subscriber: %+v", got)
			}
			sub, err := s.ConfirmSignup(ctx, res.Subscriber.ID, time.Hour, "form")
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
	id := request(t, s, "ada@example.org", "").Subscriber.ID
	for i, want := range []bool{true, false} {
		changed, err := s.Unsubscribe(ctx, id, "one-click")
		if err != nil || changed != want {
			t.Errorf("unsubscribe %d: %v, %v; want changed=%v", i+1, changed, err, want)
		}
	}
	if got := due(t, s); len(got) != 0 {
		t.Errorf("the confirmation still goes out after an unsubscribe: %q", got)
	}
	if _, err := s.ConfirmSignup(ctx, id, time.Hour, "form"); !errors.Is(err, store.ErrNoRequest) {
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
	a := request(t, s, "a@example.org", "").Subscriber.ID
	b := request(t, s, "b@example.org", "").Subscriber.ID
	if got := due(t, s); !slices.Equal(got, []string{"a@example.org", "b@example.org"}) {
		t.Fatalf("due %q", got)
	}
	retry := c.now().Add(5 * time.Minute)
	if err := s.RecordConfirmations(ctx, []store.ConfirmationResult{
		{SubscriberID: a, Err: errors.New("421 try later"), RetryAt: retry},
		{SubscriberID: b, Err: errors.New("550 no such user")},
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
	mails, err := s.DueConfirmations(ctx, 10)
	if err != nil || len(mails) != 1 || mails[0].SubscriberID != a || mails[0].Attempts != 1 {
		t.Errorf("after the retry time: %+v, %v", mails, err)
	}
	sent(t, s, a)
	if _, ok, err := s.NextConfirmationDue(ctx); ok || err != nil {
		t.Errorf("something still queued: %v", err)
	}
}

func TestPurgeUnconfirmed(t *testing.T) {
	s, c, path := openClock(t)
	old := request(t, s, "old@example.org", "").Subscriber.ID
	confirmed := request(t, s, "yes@example.org", "").Subscriber.ID
	if _, err := s.ConfirmSignup(ctx, confirmed, time.Hour, "form"); err != nil {
		t.Fatal(err)
	}
	// Pending because the operator said so: not the form's to forget.
	if _, err := s.Add(ctx, newSub(t, "cli@example.org", "", nil, subscriber.Pending, "cli"), false); err != nil {
		t.Fatal(err)
	}
	request(t, s, "cli@example.org", "")
	c.advance(8 * 24 * time.Hour)
	fresh := request(t, s, "new@example.org", "").Subscriber.ID
	n, err := s.PurgeUnconfirmed(ctx, c.now().Add(-7*24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("purged %d, %v; want 1", n, err)
	}
	if _, err := s.Signup(ctx, old); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the unconfirmed address is still there: %v", err)
	}
	for _, id := range []int64{confirmed, fresh} {
		if _, err := s.Signup(ctx, id); err != nil {
			t.Errorf("subscriber %d: %v", id, err)
		}
	}
	if _, err := s.Get(ctx, "cli@example.org"); err != nil {
		t.Errorf("the operator's pending subscriber: %v", err)
	}
	var rows int
	if err := raw(t, path).QueryRow(`SELECT COUNT(*) FROM signups WHERE subscriber_id = ?`, old).Scan(&rows); err != nil || rows != 0 {
		t.Errorf("%d sign-up rows left for the erased subscriber, %v", rows, err)
	}
	if evs := events(t, path); !slices.Contains(evs, "pending -> removed (listen:unconfirmed)") {
		t.Errorf("no anonymous record of the erasure: %q", evs)
	}
}

func TestRemoveErasesSignup(t *testing.T) {
	s, _, path := openClock(t)
	id := request(t, s, "ada@example.org", "Ada").Subscriber.ID
	if err := s.RecordConfirmations(ctx, []store.ConfirmationResult{{SubscriberID: id, Err: errors.New("550 <ada@example.org> unknown"), RetryAt: time.Time{}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Remove(ctx, "ada@example.org", "cli"); err != nil {
		t.Fatal(err)
	}
	var rows int
	if err := raw(t, path).QueryRow(`SELECT COUNT(*) FROM signups`).Scan(&rows); err != nil || rows != 0 {
		t.Errorf("%d sign-up rows after an erasure, %v", rows, err)
	}
}

// TestApplySignupsIsolatesOps: one op failing halfway is undone alone,
// the others of the group commit are kept.
func TestApplySignupsIsolatesOps(t *testing.T) {
	s, _, path := openClock(t)
	boom := errors.New("boom")
	req := func(email string, fail bool) func(store.SignupTx) error {
		return func(w store.SignupTx) error {
			if _, err := w.RequestSignup(newSub(t, email, "", nil, subscriber.Pending, "form"), time.Hour); err != nil {
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
		func(w store.SignupTx) error { _, err := w.ConfirmSignup(999, time.Hour, "form"); return err },
	})
	if err != nil {
		t.Fatal(err)
	}
	if errs[0] != nil || !errors.Is(errs[1], boom) || errs[2] != nil || !errors.Is(errs[3], store.ErrNotFound) {
		t.Errorf("errs %v", errs)
	}
	for email, want := range map[string]bool{"a@example.org": true, "b@example.org": false, "c@example.org": true} {
		if _, err := s.Get(ctx, email); (err == nil) != want {
			t.Errorf("%s stored: %v, want %v", email, err == nil, want)
		}
	}
	if got := due(t, s); !slices.Equal(got, []string{"a@example.org", "c@example.org"}) {
		t.Errorf("due %q", got)
	}
	if evs := events(t, path); len(evs) != 2 {
		t.Errorf("events %q: the failed op's event was kept", evs)
	}
}
