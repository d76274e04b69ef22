package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// rules are agora listen's defaults: one mail an hour, three a month.
var rules = store.MailRules{Every: time.Hour, Window: 30 * 24 * time.Hour, PerWindow: 3}

var nonces atomic.Int64

// one runs op in a transaction of its own.
func one(s store.DB, op func(store.SignupTx) error) error {
	errs, err := s.ApplySignups(ctx, []func(store.SignupTx) error{op})
	if err != nil {
		return err
	}
	return errs[0]
}

// receive posts a request with a fresh form token, as the form does.
func receive(t testing.TB, s store.DB, email, name string, topics ...string) {
	t.Helper()
	sub := newSub(t, email, name, topics, subscriber.Pending, "form")
	if err := one(s, func(w store.SignupTx) error {
		return w.ReceiveSignup(store.SignupRequest{Email: sub.Email, Name: sub.Name, Topics: sub.Topics,
			FormToken: fmt.Sprint("nonce-", nonces.Add(1)), FormExpires: time.Now().Add(time.Hour)})
	}); err != nil {
		t.Fatal(err)
	}
}

// request receives a request and applies the inbox; it returns the
// address's sign-up and whether the request was mailed.
func request(t testing.TB, s store.DB, email, name string, topics ...string) (store.Signup, bool) {
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

func link(t testing.TB, s store.DB, sub subscriber.Subscriber) store.Signup {
	t.Helper()
	g, err := s.Link(ctx, store.LinkRef{Handle: sub.Link.Handle})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func confirm(s store.DB, id int64, req string) (sub subscriber.Subscriber, err error) {
	err = one(s, func(w store.SignupTx) (err error) {
		sub, err = w.ConfirmSignup(id, req, "form")
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

// due claims every due confirmation and returns their addresses.
func due(t testing.TB, s store.DB) []string {
	t.Helper()
	mails, err := s.DueConfirmations(ctx, 100, 0)
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
func sendAll(t testing.TB, s store.DB) {
	t.Helper()
	mails, err := s.DueConfirmations(ctx, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	recordSent(t, s, mails)
}

func recordSent(t testing.TB, s store.DB, mails []store.ConfirmationMail) {
	t.Helper()
	var rs []store.ConfirmationResult
	for _, m := range mails {
		rs = append(rs, store.ConfirmationResult{SubscriberID: m.SubscriberID, Request: m.Request})
	}
	if err := s.RecordConfirmations(ctx, rs); err != nil {
		t.Fatal(err)
	}
}

// testMailboxLimits: at most one confirmation an hour and three in 30
// days to one mailbox, however it is spelt; a request over the limits
// changes nothing, and for an unknown address stores nothing.
func testMailboxLimits(t *testing.T, e Engine) {
	s, c, _ := freshClock(t, e)
	g, mailed := request(t, s, "Ada.Lovelace@gmail.com", "Ada", "go")
	if !mailed || g.Subscriber.Status != subscriber.Pending || g.Subscriber.Consent.How != "form" || g.Name != "Ada" || g.Request == "" {
		t.Fatalf("first request: %+v, mailed %v", g, mailed)
	}
	first := g.Request
	for _, spelling := range []string{"adalovelace+news@gmail.com", "a.d.a.lovelace@googlemail.com", "ADA.LOVELACE+x@GMAIL.COM"} {
		c.Advance(time.Minute)
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
	c.Advance(time.Second)
	for i := range 2 {
		c.Advance(time.Hour)
		if _, mailed := request(t, s, "ada.lovelace+"+fmt.Sprint(i)+"@gmail.com", ""); !mailed {
			t.Errorf("request %d, an hour after the last: not mailed", i+2)
		}
	}
	c.Advance(24 * time.Hour)
	if _, mailed := request(t, s, "ada.lovelace@gmail.com", ""); mailed {
		t.Error("a fourth mail within 30 days")
	}
	c.Advance(30 * 24 * time.Hour)
	if _, mailed := request(t, s, "ada.lovelace@gmail.com", ""); !mailed {
		t.Error("a month later: not mailed")
	}
	if _, mailed := request(t, s, "bob@gmail.com", ""); !mailed {
		t.Error("bob: not mailed")
	}
}

// testMailboxLimitsShared: two services apply their inboxes at once, each
// holding requests for one mailbox in other spellings: one mail between
// them, and the others change nothing.
func testMailboxLimitsShared(t *testing.T, e Engine) {
	open, raw := e.New(t)
	c := NewClock(false)
	a, b := open(t, c.Now), open(t, c.Now)
	for i := range 10 {
		receive(t, []store.DB{a, b}[i%2], fmt.Sprintf("ada.lovelace+%d@gmail.com", i), "")
		receive(t, []store.DB{a, b}[i%2], fmt.Sprintf("other%d@example.org", i), "")
	}
	var wg sync.WaitGroup
	var queued atomic.Int64
	for _, s := range []store.DB{a, b} {
		wg.Go(func() {
			for {
				p, err := s.ProcessSignups(ctx, 3, rules)
				if err != nil {
					t.Error(err)
					return
				}
				queued.Add(int64(p.Queued))
				if p.Taken == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	if n := queued.Load(); n != 11 {
		t.Errorf("%d mails queued, want one to Ada's mailbox and ten to the others", n)
	}
	if n := count(t, raw, `SELECT COUNT(*) FROM signups WHERE mail_state = 'queued'`); n != 11 {
		t.Errorf("%d mails in the queue, want 11", n)
	}
	if n := count(t, raw, `SELECT COUNT(*) FROM signup_inbox`); n != 0 {
		t.Errorf("%d requests left in the inbox", n)
	}
}

func testFormTokenSpentOnce(t *testing.T, e Engine) {
	open, _ := e.New(t)
	c := NewClock(false)
	a, b := open(t, c.Now), open(t, c.Now)
	req := store.SignupRequest{Email: "ada@example.org", FormToken: "n1", FormExpires: time.Now().Add(time.Hour)}
	if err := one(a, func(w store.SignupTx) error { return w.ReceiveSignup(req) }); err != nil {
		t.Fatal(err)
	}
	req.Email = "bob@example.org"
	// On the other service: the token is spent for both.
	if err := one(b, func(w store.SignupTx) error { return w.ReceiveSignup(req) }); !errors.Is(err, store.ErrFormTokenUsed) {
		t.Errorf("the same form token again: %v, want ErrFormTokenUsed", err)
	}
	if p, err := a.ProcessSignups(ctx, 10, rules); err != nil || p.Taken != 1 {
		t.Errorf("processed %+v, %v: want only the first", p, err)
	}
	if _, err := a.Get(ctx, "bob@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the replay was stored: %v", err)
	}
}

// testConfirmSignupBindsRequest: a confirmation names its request; it
// works once, and never for another request of the same address.
func testConfirmSignupBindsRequest(t *testing.T, e Engine) {
	s, c, raw := freshClock(t, e)
	g, _ := request(t, s, "ada@example.org", "Ada", "go", "events")
	id := g.Subscriber.ID
	if _, err := confirm(s, id, "not-the-request"); !errors.Is(err, store.ErrNoRequest) {
		t.Errorf("another nonce: %v; want ErrNoRequest", err)
	}
	c.Advance(time.Hour)
	sub, err := confirm(s, id, g.Request)
	if err != nil || sub.Status != subscriber.Active || !slices.Equal(sub.Topics, []string{"events", "go"}) ||
		sub.Consent.How != "form" || !sub.Consent.At.Equal(c.Now()) || sub.Name != "Ada" {
		t.Fatalf("ConfirmSignup: %+v, %v", sub, err)
	}
	if _, err := confirm(s, id, g.Request); !errors.Is(err, store.ErrNoRequest) {
		t.Errorf("confirming twice: %v; want ErrNoRequest", err)
	}
	if after := link(t, s, sub); after.Confirmed != g.Request || after.Request != "" {
		t.Errorf("after confirming: %+v", after)
	}
	if want := []string{"-> pending (form)", "pending -> active (form)"}; !slices.Equal(events(t, raw), want) {
		t.Errorf("events %q, want %q", events(t, raw), want)
	}
	if _, err := confirm(s, 999, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
}

// testUsedLinkAfterUnsubscribe is the attack of issue 10 item 3: confirm
// with link L, unsubscribe, a new sign-up of the address (with no mail:
// the hourly limit); L must not confirm again, and the new sign-up needs
// a mail and a link of its own.
func testUsedLinkAfterUnsubscribe(t *testing.T, e Engine) {
	s, c, _ := freshClock(t, e)
	g, _ := request(t, s, "ada@example.org", "Ada")
	id, used := g.Subscriber.ID, g.Request
	if _, err := confirm(s, id, used); err != nil {
		t.Fatal(err)
	}
	if _, err := unsubscribe(s, id); err != nil {
		t.Fatal(err)
	}
	c.Advance(10 * time.Minute)
	if _, mailed := request(t, s, "ada@example.org", "Mallory", "spam"); mailed {
		t.Fatal("a second mail within the hour")
	}
	if _, err := confirm(s, id, used); !errors.Is(err, store.ErrNoRequest) {
		t.Errorf("the used link after an unsubscribe and a new sign-up: %v", err)
	}
	c.Advance(time.Hour)
	g, mailed := request(t, s, "ada@example.org", "Mallory", "spam")
	if !mailed || g.Request == "" || g.Request == used {
		t.Fatalf("an hour later: mailed %v, request %q", mailed, g.Request)
	}
	if _, err := confirm(s, id, used); !errors.Is(err, store.ErrNoRequest) {
		t.Errorf("the used link against the new request: %v", err)
	}
	if got, _ := s.Get(ctx, "ada@example.org"); got.Status != subscriber.Unsubscribed || got.Name != "Ada" {
		t.Errorf("%+v: want unsubscribed with the old details until the new link is used", got)
	}
	if sub, err := confirm(s, id, g.Request); err != nil || sub.Status != subscriber.Active || sub.Name != "Mallory" {
		t.Errorf("the new link: %+v, %v", sub, err)
	}
}

func testSignupLeavesKnownSubscribersAlone(t *testing.T, e Engine) {
	for _, st := range []subscriber.Status{subscriber.Active, subscriber.Unsubscribed, subscriber.Bounced} {
		t.Run(string(st), func(t *testing.T) {
			s, _, raw := freshClock(t, e)
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
			sub, err := confirm(s, g.Subscriber.ID, g.Request)
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
	g, _ := request(t, s, "ada@example.org", "")
	id := g.Subscriber.ID
	for i, want := range []bool{true, false} {
		changed, err := unsubscribe(s, id)
		if err != nil || changed != want {
			t.Errorf("unsubscribe %d: %v, %v; want changed=%v", i+1, changed, err, want)
		}
	}
	if got := due(t, s); len(got) != 0 {
		t.Errorf("the confirmation still goes out after an unsubscribe: %q", got)
	}
	if _, err := confirm(s, id, g.Request); !errors.Is(err, store.ErrNoRequest) {
		t.Errorf("confirm after unsubscribe: %v; want ErrNoRequest (a fresh request is needed)", err)
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
	a, _ := request(t, s, "a@example.org", "")
	c.Advance(time.Second)
	b, _ := request(t, s, "b@example.org", "")
	mails, err := s.DueConfirmations(ctx, 10, 0)
	if err != nil || len(mails) != 2 || mails[0].Email != "a@example.org" || mails[0].Request != a.Request || mails[0].Link != a.Subscriber.Link {
		t.Fatalf("due %+v, %v", mails, err)
	}
	retry := c.Now().Add(5 * time.Minute)
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
	c.Advance(5 * time.Minute)
	mails, err = s.DueConfirmations(ctx, 10, 0)
	if err != nil || len(mails) != 1 || mails[0].SubscriberID != a.Subscriber.ID || mails[0].Attempts != 1 {
		t.Errorf("after the retry time: %+v, %v", mails, err)
	}
	recordSent(t, s, mails)
	if _, ok, err := s.NextConfirmationDue(ctx); ok || err != nil {
		t.Errorf("something still queued: %v", err)
	}
	if n, first, err := s.ConfirmationsSent(ctx, c.Now().Add(-time.Hour)); err != nil || n != 1 || !first.Equal(c.Now()) {
		t.Errorf("sent in the last hour: %d from %v, %v; want 1 now", n, first, err)
	}
	if g := link(t, s, a.Subscriber); !g.MailSent.Equal(c.Now()) {
		t.Errorf("mail sent at %v", g.MailSent)
	}
}

// testConfirmationUntried: a claimed mail that was not tried (the relay
// was down) is due again at once, its attempts untouched.
func testConfirmationUntried(t *testing.T, e Engine) {
	s, _, _ := freshClock(t, e)
	g, _ := request(t, s, "a@example.org", "")
	mails, err := s.DueConfirmations(ctx, 10, 0)
	if err != nil || len(mails) != 1 {
		t.Fatalf("due %+v, %v", mails, err)
	}
	if got := due(t, s); len(got) != 0 {
		t.Fatalf("claimed, yet due again: %q", got)
	}
	if err := s.RecordConfirmations(ctx, []store.ConfirmationResult{{SubscriberID: g.Subscriber.ID, Request: g.Request, Untried: true}}); err != nil {
		t.Fatal(err)
	}
	mails, err = s.DueConfirmations(ctx, 10, 0)
	if err != nil || len(mails) != 1 || mails[0].Attempts != 0 {
		t.Errorf("after putting it back: %+v, %v", mails, err)
	}
}

// testSentRecordsItsOwnRequest: a mail sent for a request that a later
// one replaced meanwhile does not count as the later one's.
func testSentRecordsItsOwnRequest(t *testing.T, e Engine) {
	s, c, _ := freshClock(t, e)
	old, _ := request(t, s, "ada@example.org", "")
	mails, _ := s.DueConfirmations(ctx, 10, 0)
	c.Advance(2 * time.Hour)
	neu, mailed := request(t, s, "ada@example.org", "Ada")
	if !mailed || neu.Request == old.Request {
		t.Fatalf("the later request: %+v, mailed %v", neu, mailed)
	}
	recordSent(t, s, mails)
	if got := due(t, s); !slices.Equal(got, []string{"ada@example.org"}) {
		t.Errorf("due %q: the later request's mail must still go", got)
	}
}

// testConfirmationClaims: two services share the queue; a mail one of
// them claimed is the other's only after the claim's lease (the first
// died holding it).
func testConfirmationClaims(t *testing.T, e Engine) {
	open, _ := e.New(t)
	c := NewClock(false)
	a, b := open(t, c.Now), open(t, c.Now)
	for _, em := range []string{"x@example.org", "y@example.org", "z@example.org"} {
		request(t, a, em, "")
	}
	first, err := a.DueConfirmations(ctx, 2, 0)
	if err != nil || len(first) != 2 {
		t.Fatalf("a claimed %+v, %v", first, err)
	}
	rest, err := b.DueConfirmations(ctx, 10, 0)
	if err != nil || len(rest) != 1 || rest[0].Email != "z@example.org" {
		t.Fatalf("b got %+v, %v; want only the mail a did not claim", rest, err)
	}
	recordSent(t, b, rest)
	c.Advance(store.ConfirmationLease - time.Second)
	if got := due(t, b); len(got) != 0 {
		t.Errorf("b got %q within a's lease", got)
	}
	recordSent(t, a, first[:1])
	c.Advance(time.Second)
	if got := due(t, b); !slices.Equal(got, []string{first[1].Email}) {
		t.Errorf("after the lease b got %q, want %q (a died with it)", got, first[1].Email)
	}
}

// testConfirmationQueueShared: two services work one queue at once, as
// fast as they can: every mail is claimed by exactly one of them.
func testConfirmationQueueShared(t *testing.T, e Engine) {
	open, _ := e.New(t)
	c := NewClock(false)
	a, b := open(t, c.Now), open(t, c.Now)
	const n = 60
	for i := range n {
		receive(t, a, fmt.Sprintf("q%02d@example.org", i), "")
	}
	if p, err := a.ProcessSignups(ctx, 100, rules); err != nil || p.Queued != n {
		t.Fatalf("processed %+v, %v", p, err)
	}
	var mu sync.Mutex
	got := map[int64]int{}
	var wg sync.WaitGroup
	for _, s := range []store.DB{a, b} {
		wg.Go(func() {
			for {
				mails, err := s.DueConfirmations(ctx, 4, 0)
				if err != nil {
					t.Error(err)
					return
				}
				if len(mails) == 0 {
					return
				}
				mu.Lock()
				for _, m := range mails {
					got[m.SubscriberID]++
				}
				mu.Unlock()
				recordSent(t, s, mails)
			}
		})
	}
	wg.Wait()
	if len(got) != n {
		t.Errorf("%d mails claimed, want %d", len(got), n)
	}
	for id, k := range got {
		if k != 1 {
			t.Errorf("subscriber %d's mail claimed %d times", id, k)
		}
	}
}

// testConfirmCapShared: the hourly cap holds for two services together,
// counting the mails either has claimed and not yet settled.
func testConfirmCapShared(t *testing.T, e Engine) {
	open, _ := e.New(t)
	c := NewClock(false)
	a, b := open(t, c.Now), open(t, c.Now)
	const perHour = 10
	for i := range 30 {
		receive(t, a, fmt.Sprintf("c%02d@example.org", i), "")
	}
	if _, err := a.ProcessSignups(ctx, 100, rules); err != nil {
		t.Fatal(err)
	}
	claim := func(s store.DB, limit int) []store.ConfirmationMail {
		t.Helper()
		mails, err := s.DueConfirmations(ctx, limit, perHour)
		if err != nil {
			t.Fatal(err)
		}
		return mails
	}
	// a holds 4 unsent; b may take only 6 more, sent or not.
	held := claim(a, 4)
	if got := claim(b, 20); len(got) != perHour-len(held) {
		t.Fatalf("b claimed %d with 4 held by a, want %d", len(got), perHour-len(held))
	} else {
		recordSent(t, b, got)
	}
	if got := claim(b, 20); len(got) != 0 {
		t.Errorf("b claimed %d more within the hour", len(got))
	}
	// a's four go back untried: room for four again, for anyone.
	var back []store.ConfirmationResult
	for _, m := range held {
		back = append(back, store.ConfirmationResult{SubscriberID: m.SubscriberID, Request: m.Request, Untried: true})
	}
	if err := a.RecordConfirmations(ctx, back); err != nil {
		t.Fatal(err)
	}
	// Both at once for the four left in the hour.
	var wg sync.WaitGroup
	var total atomic.Int64
	for _, s := range []store.DB{a, b} {
		wg.Go(func() {
			for range 5 {
				mails, err := s.DueConfirmations(ctx, 1, perHour)
				if err != nil {
					t.Error(err)
					return
				}
				total.Add(int64(len(mails)))
				recordSent(t, s, mails)
			}
		})
	}
	wg.Wait()
	if n := total.Load(); n != 4 {
		t.Errorf("%d claimed by the two together, want the 4 left in the hour", n)
	}
	if n, _, _ := a.ConfirmationsSent(ctx, c.Now().Add(-time.Hour)); n != perHour {
		t.Errorf("%d sent in the hour, want %d", n, perHour)
	}
	c.Advance(time.Hour)
	if got := claim(b, 20); len(got) != perHour {
		t.Errorf("an hour later: %d, want %d", len(got), perHour)
	}
}

func testPurgeUnconfirmed(t *testing.T, e Engine) {
	s, c, raw := freshClock(t, e)
	old, _ := request(t, s, "old@example.org", "")
	yes, _ := request(t, s, "yes@example.org", "")
	if _, err := confirm(s, yes.Subscriber.ID, yes.Request); err != nil {
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
	c.Advance(8 * 24 * time.Hour)
	request(t, s, "new@example.org", "")
	n, err := s.PurgeUnconfirmed(ctx, c.Now().Add(-7*24*time.Hour))
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
	if rows := count(t, raw, `SELECT COUNT(*) FROM signups WHERE subscriber_id = ?`, old.Subscriber.ID); rows != 0 {
		t.Errorf("%d sign-up rows left for the erased subscriber", rows)
	}
	if evs := events(t, raw); !slices.Contains(evs, "pending -> removed (listen:unconfirmed)") {
		t.Errorf("no anonymous record of the erasure: %q", evs)
	}
}

func testRemoveErasesSignup(t *testing.T, e Engine) {
	s, _, raw := freshClock(t, e)
	g, _ := request(t, s, "ada+news@gmail.com", "Ada")
	if err := s.RecordConfirmations(ctx, []store.ConfirmationResult{{SubscriberID: g.Subscriber.ID, Request: g.Request, Err: errors.New("550 <ada@example.org> unknown")}}); err != nil {
		t.Fatal(err)
	}
	receive(t, s, "ada+news@gmail.com", "Ada again") // waiting in the inbox
	if _, err := s.Remove(ctx, "ada+news@gmail.com", "cli"); err != nil {
		t.Fatal(err)
	}
	if rows := count(t, raw, `SELECT (SELECT COUNT(*) FROM signups) + (SELECT COUNT(*) FROM signup_inbox) +
		(SELECT COUNT(*) FROM confirmation_mailboxes)`); rows != 0 {
		t.Errorf("%d sign-up, inbox or mailbox rows after an erasure", rows)
	}
}

func testPruneLimits(t *testing.T, e Engine) {
	s, c, raw := freshClock(t, e)
	request(t, s, "ada@example.org", "")
	sendAll(t, s)
	n := func() int {
		return count(t, raw, `SELECT (SELECT COUNT(*) FROM confirmation_mailboxes) + (SELECT COUNT(*) FROM confirmation_sends) +
			(SELECT COUNT(*) FROM form_tokens_used)`)
	}
	if got := n(); got != 3 {
		t.Fatalf("%d rows, want a mailbox, a send and a form token", got)
	}
	now := c.Now()
	if err := s.PruneLimits(ctx, now.Add(-time.Minute), now.Add(-time.Minute), now); err != nil || n() != 3 {
		t.Errorf("pruned what is still needed: %d, %v", n(), err)
	}
	if err := s.PruneLimits(ctx, now.Add(time.Minute), now.Add(time.Minute), time.Now().Add(2*time.Hour)); err != nil || n() != 0 {
		t.Errorf("left %d rows, %v", n(), err)
	}
}

// testApplySignupsIsolatesOps: one op failing halfway is undone alone,
// the others of the group commit are kept.
func testApplySignupsIsolatesOps(t *testing.T, e Engine) {
	s, _, _ := freshClock(t, e)
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
	if err := one(s, func(w store.SignupTx) error {
		return w.ReceiveSignup(store.SignupRequest{Email: "b@example.org", FormToken: "b@example.org", FormExpires: time.Now().Add(time.Hour)})
	}); err != nil {
		t.Errorf("b's form token after its op failed: %v", err)
	}
}

// testIDsNeverReused is issue 10 item 2: erasing the highest row (an
// operator's remove, the purge of unconfirmed sign-ups) must not give its
// ID to the next person, and the handles and secrets are new too.
func testIDsNeverReused(t *testing.T, e Engine) {
	s, c, _ := freshClock(t, e)
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
	c.Advance(8 * 24 * time.Hour)
	if n, err := s.PurgeUnconfirmed(ctx, c.Now().Add(-7*24*time.Hour)); err != nil || n != 1 {
		t.Fatalf("purge: %d, %v", n, err)
	}
	ee, _ := request(t, s, "e@example.org", "")
	if ee.Subscriber.ID <= g.Subscriber.ID {
		t.Errorf("e got ID %d after the purged %d", ee.Subscriber.ID, g.Subscriber.ID)
	}
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
	// Imported rows get links of their own too.
	imp := newSub(t, "imported@example.org", "", nil, subscriber.Active, "import")
	if _, err := s.Import(ctx, store.Each([]subscriber.Subscriber{imp}), false); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx, "imported@example.org"); len(got.Link.Handle) != 32 || len(got.Link.Secret) != 64 || seen[got.Link.Handle] {
		t.Errorf("imported: link %+v", got.Link)
	}
}

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
	now := c.Now()
	if err := a.PruneLimits(ctx, now.Add(-30*24*time.Hour), now.Add(-time.Hour), now); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		if ok, _ := take(b, "net:192.0.2.1/32"); !ok {
			t.Fatal("a full bucket again was not a full burst")
		}
	}
}
