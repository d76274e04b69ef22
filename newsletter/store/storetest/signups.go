package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

func request(t testing.TB, s store.DB, email, name string, topics ...string) store.SignupResult {
	t.Helper()
	var res store.SignupResult
	errs, err := s.ApplySignups(ctx, []func(store.SignupTx) error{func(w store.SignupTx) (err error) {
		res, err = w.RequestSignup(newSub(t, email, name, topics, subscriber.Pending, "form"), time.Hour)
		return err
	}})
	if err == nil {
		err = errs[0]
	}
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// one runs op in a transaction of its own.
func one(s store.DB, op func(store.SignupTx) error) error {
	errs, err := s.ApplySignups(ctx, []func(store.SignupTx) error{op})
	if err != nil {
		return err
	}
	return errs[0]
}

func confirm(s store.DB, id int64, maxAge time.Duration) (sub subscriber.Subscriber, err error) {
	err = one(s, func(w store.SignupTx) (err error) {
		sub, err = w.ConfirmSignup(id, maxAge, "form")
		return err
	})
	return sub, err
}

func unsubscribe(s store.DB, id int64) (changed bool, err error) {
	err = one(s, func(w store.SignupTx) (err error) {
		changed, err = w.Unsubscribe(id, "one-click")
		return err
	})
	return changed, err
}

func due(t testing.TB, s store.DB) []string {
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

func sent(t testing.TB, s store.DB, ids ...int64) {
	t.Helper()
	var rs []store.ConfirmationResult
	for _, id := range ids {
		rs = append(rs, store.ConfirmationResult{SubscriberID: id})
	}
	if err := s.RecordConfirmations(ctx, rs); err != nil {
		t.Fatal(err)
	}
}

func testRequestSignupQueuesOneMailAnHour(t *testing.T, e Engine) {
	s, c, _ := freshClock(t, e)
	first := request(t, s, "Ada@Example.org", "Ada", "go")
	if !first.Created || !first.Queued || first.Subscriber.Status != subscriber.Pending || first.Subscriber.Consent.How != "form" {
		t.Fatalf("first request: %+v", first)
	}
	c.Advance(time.Minute)
	if again := request(t, s, "ada@example.org", "Mallory", "spam"); again.Created || again.Queued {
		t.Errorf("second request while a mail waits: %+v", again)
	}
	sent(t, s, first.Subscriber.ID)
	c.Advance(58 * time.Minute)
	if again := request(t, s, "ada@example.org", "Ada L."); again.Queued {
		t.Errorf("a request 59 minutes after the last mail queued another")
	}
	if got := due(t, s); len(got) != 0 {
		t.Errorf("due after sending: %q", got)
	}
	c.Advance(time.Minute)
	if again := request(t, s, "ada@example.org", "Ada L."); !again.Queued {
		t.Errorf("a request an hour after the last mail was not queued")
	}
	g, err := s.Signup(ctx, first.Subscriber.ID)
	if err != nil || g.Name != "Ada L." || len(g.Topics) != 0 || !g.Requested.Equal(c.Now()) {
		t.Errorf("open request: %+v, %v", g, err)
	}
	if g.Subscriber.Name != "Ada" {
		t.Errorf("a later request changed the pending subscriber's name to %q", g.Subscriber.Name)
	}
}

func testConfirmSignup(t *testing.T, e Engine) {
	s, c, raw := freshClock(t, e)
	id := request(t, s, "ada@example.org", "Ada", "go", "events").Subscriber.ID
	c.Advance(time.Hour)
	sub, err := confirm(s, id, 7*24*time.Hour)
	if err != nil || sub.Status != subscriber.Active || !slices.Equal(sub.Topics, []string{"events", "go"}) ||
		sub.Consent.How != "form" || !sub.Consent.At.Equal(c.Now()) {
		t.Fatalf("ConfirmSignup: %+v, %v", sub, err)
	}
	if got, _ := s.Get(ctx, "ada@example.org"); got.Status != subscriber.Active {
		t.Errorf("stored status %s", got.Status)
	}
	if _, err := confirm(s, id, 7*24*time.Hour); !errors.Is(err, store.ErrNoRequest) {
		t.Errorf("confirming twice: %v; want ErrNoRequest", err)
	}
	if want := []string{"-> pending (form)", "pending -> active (form)"}; !slices.Equal(events(t, raw), want) {
		t.Errorf("events %q, want %q", events(t, raw), want)
	}
	if _, err := confirm(s, 999, time.Hour); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

func testConfirmSignupExpires(t *testing.T, e Engine) {
	s, c, _ := freshClock(t, e)
	id := request(t, s, "ada@example.org", "").Subscriber.ID
	c.Advance(7 * 24 * time.Hour)
	if _, err := confirm(s, id, 7*24*time.Hour); !errors.Is(err, store.ErrNoRequest) {
		t.Errorf("a week-old request: %v; want ErrNoRequest", err)
	}
}

func testSignupLeavesKnownSubscribersAlone(t *testing.T, e Engine) {
	for _, st := range []subscriber.Status{subscriber.Active, subscriber.Unsubscribed, subscriber.Bounced} {
		t.Run(string(st), func(t *testing.T) {
			s, _, raw := freshClock(t, e)
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
			sub, err := confirm(s, res.Subscriber.ID, time.Hour)
			if err != nil || sub.Status != subscriber.Active || sub.Name != "Mallory" {
				t.Fatalf("confirm: %+v, %v", sub, err)
			}
			want := []string{"-> " + string(st) + " (cli)"}
			if st != subscriber.Active {
				want = append(want, string(st)+" -> active (form)")
			}
			if !slices.Equal(events(t, raw), want) {
				t.Errorf("events %q, want %q", events(t, raw), want)
			}
		})
	}
}

func testUnsubscribeByID(t *testing.T, e Engine) {
	s, _, raw := freshClock(t, e)
	id := request(t, s, "ada@example.org", "").Subscriber.ID
	for i, want := range []bool{true, false} {
		changed, err := unsubscribe(s, id)
		if err != nil || changed != want {
			t.Errorf("unsubscribe %d: %v, %v; want changed=%v", i+1, changed, err, want)
		}
	}
	if got := due(t, s); len(got) != 0 {
		t.Errorf("the confirmation still goes out after an unsubscribe: %q", got)
	}
	if _, err := confirm(s, id, time.Hour); !errors.Is(err, store.ErrNoRequest) {
		t.Errorf("confirm after unsubscribe: %v; want ErrNoRequest", err)
	}
	if want := []string{"-> pending (form)", "pending -> unsubscribed (one-click)"}; !slices.Equal(events(t, raw), want) {
		t.Errorf("events %q, want %q", events(t, raw), want)
	}
	if _, err := unsubscribe(s, 999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

func testSetPreferences(t *testing.T, e Engine) {
	s, _, _ := freshClock(t, e)
	res, err := s.Add(ctx, newSub(t, "ada@example.org", "Ada", []string{"go"}, subscriber.Active, "cli"), false)
	if err != nil {
		t.Fatal(err)
	}
	var sub subscriber.Subscriber
	err = one(s, func(w store.SignupTx) (err error) {
		sub, err = w.SetPreferences(res.Subscriber.ID, "Ada L.", []string{"events", "metrics"})
		return err
	})
	if err != nil || sub.Status != subscriber.Active {
		t.Fatal(sub, err)
	}
	got, _ := s.Get(ctx, "ada@example.org")
	if got.Name != "Ada L." || !slices.Equal(got.Topics, []string{"events", "metrics"}) || got.Status != subscriber.Active {
		t.Errorf("stored %+v", got)
	}
}

func testConfirmationQueue(t *testing.T, e Engine) {
	s, c, _ := freshClock(t, e)
	a := request(t, s, "a@example.org", "").Subscriber.ID
	c.Advance(time.Second)
	b := request(t, s, "b@example.org", "").Subscriber.ID
	if got := due(t, s); !slices.Equal(got, []string{"a@example.org", "b@example.org"}) {
		t.Fatalf("due %q", got)
	}
	retry := c.Now().Add(5 * time.Minute)
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
	c.Advance(5 * time.Minute)
	mails, err := s.DueConfirmations(ctx, 10)
	if err != nil || len(mails) != 1 || mails[0].SubscriberID != a || mails[0].Attempts != 1 {
		t.Errorf("after the retry time: %+v, %v", mails, err)
	}
	sent(t, s, a)
	if _, ok, err := s.NextConfirmationDue(ctx); ok || err != nil {
		t.Errorf("something still queued: %v", err)
	}
}

// testConfirmationClaims: two services share the queue; a mail claimed
// by one is not due for the other until the claim's lease ends.
func testConfirmationClaims(t *testing.T, e Engine) {
	open, _ := e.New(t)
	c := NewClock(false)
	a, b := open(t, c.Now), open(t, c.Now)
	for _, em := range []string{"x@example.org", "y@example.org", "z@example.org"} {
		request(t, a, em, "")
	}
	first, err := a.DueConfirmations(ctx, 2)
	if err != nil || len(first) != 2 {
		t.Fatalf("a claimed %+v, %v", first, err)
	}
	rest, err := b.DueConfirmations(ctx, 10)
	if err != nil || len(rest) != 1 || rest[0].Email != "z@example.org" {
		t.Fatalf("b got %+v, %v; want only the mail a did not claim", rest, err)
	}
	sent(t, b, rest[0].SubscriberID)
	c.Advance(store.ConfirmationLease - time.Second)
	if got := due(t, b); len(got) != 0 {
		t.Errorf("b got %q within a's lease", got)
	}
	sent(t, a, first[0].SubscriberID)
	c.Advance(time.Second)
	if got := due(t, b); !slices.Equal(got, []string{first[1].Email}) {
		t.Errorf("after the lease b got %q, want %q (a died with it)", got, first[1].Email)
	}
}

func testPurgeUnconfirmed(t *testing.T, e Engine) {
	s, c, raw := freshClock(t, e)
	old := request(t, s, "old@example.org", "").Subscriber.ID
	confirmed := request(t, s, "yes@example.org", "").Subscriber.ID
	if _, err := confirm(s, confirmed, time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(ctx, newSub(t, "cli@example.org", "", nil, subscriber.Pending, "cli"), false); err != nil {
		t.Fatal(err)
	}
	request(t, s, "cli@example.org", "")
	c.Advance(8 * 24 * time.Hour)
	fresh := request(t, s, "new@example.org", "").Subscriber.ID
	n, err := s.PurgeUnconfirmed(ctx, c.Now().Add(-7*24*time.Hour))
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
	if rows := count(t, raw, `SELECT COUNT(*) FROM signups WHERE subscriber_id = ?`, old); rows != 0 {
		t.Errorf("%d sign-up rows left for the erased subscriber", rows)
	}
	if evs := events(t, raw); !slices.Contains(evs, "pending -> removed (listen:unconfirmed)") {
		t.Errorf("no anonymous record of the erasure: %q", evs)
	}
}

func testRemoveErasesSignup(t *testing.T, e Engine) {
	s, _, raw := freshClock(t, e)
	id := request(t, s, "ada@example.org", "Ada").Subscriber.ID
	if err := s.RecordConfirmations(ctx, []store.ConfirmationResult{{SubscriberID: id, Err: errors.New("550 <ada@example.org> unknown")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Remove(ctx, "ada@example.org", "cli"); err != nil {
		t.Fatal(err)
	}
	if rows := count(t, raw, `SELECT COUNT(*) FROM signups`); rows != 0 {
		t.Errorf("%d sign-up rows after an erasure", rows)
	}
}

func testApplySignupsIsolatesOps(t *testing.T, e Engine) {
	s, _, raw := freshClock(t, e)
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
		req("d@example.org", false),
	})
	if err != nil {
		t.Fatal(err)
	}
	if errs[0] != nil || !errors.Is(errs[1], boom) || errs[2] != nil || !errors.Is(errs[3], store.ErrNotFound) || errs[4] != nil {
		t.Errorf("errs %v", errs)
	}
	for email, want := range map[string]bool{"a@example.org": true, "b@example.org": false, "c@example.org": true, "d@example.org": true} {
		if _, err := s.Get(ctx, email); (err == nil) != want {
			t.Errorf("%s stored: %v, want %v", email, err == nil, want)
		}
	}
	if got := due(t, s); !slices.Equal(got, []string{"a@example.org", "c@example.org", "d@example.org"}) {
		t.Errorf("due %q", got)
	}
	if evs := events(t, raw); len(evs) != 3 {
		t.Errorf("events %q: the failed ops' events were kept", evs)
	}
}

// testTakeTokenShared: a client network's bucket is one across services:
// the burst, then one token per interval, whichever service asks.
func testTakeTokenShared(t *testing.T, e Engine) {
	open, _ := e.New(t)
	c := NewClock(false)
	a, b := open(t, c.Now), open(t, c.Now)
	take := func(db store.DB, key string) (ok bool, retry time.Duration) {
		t.Helper()
		err := one(db, func(w store.SignupTx) (err error) {
			ok, retry, err = w.TakeToken(key, 2*time.Minute, 5)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return ok, retry
	}
	for i := range 5 {
		if ok, _ := take([]store.DB{a, b}[i%2], "net:192.0.2.1/32"); !ok {
			t.Fatalf("token %d of the burst refused", i+1)
		}
	}
	if ok, retry := take(b, "net:192.0.2.1/32"); ok || retry != 2*time.Minute {
		t.Errorf("sixth: ok=%v retry=%v; want refused for 2m", ok, retry)
	}
	if ok, _ := take(a, "net:198.51.100.0/32"); !ok {
		t.Errorf("another network was refused")
	}
	c.Advance(2 * time.Minute)
	if ok, _ := take(a, "net:192.0.2.1/32"); !ok {
		t.Errorf("refused after the interval")
	}
	if ok, retry := take(b, "net:192.0.2.1/32"); ok || retry != 2*time.Minute {
		t.Errorf("right after: ok=%v retry=%v", ok, retry)
	}
	c.Advance(time.Hour)
	if _, err := a.PurgeUnconfirmed(ctx, c.Now().Add(-7*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if ok, _ := take(b, "net:192.0.2.1/32"); !ok {
			t.Fatal("a full bucket again was not a full burst")
		}
	}
}
