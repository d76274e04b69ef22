package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// Lease is the suite's sender lease.
const lease = 30 * time.Second

// withIssue fills db with n active subscribers (topic "even" for even
// numbers) and creates an issue queueing those for whom wants is true.
func withIssue(t testing.TB, db store.DB, n int, wants func(subscriber.Subscriber) bool) (store.Issue, int) {
	t.Helper()
	var subs []subscriber.Subscriber
	for i := 1; i <= n; i++ {
		var topics []string
		if i%2 == 0 {
			topics = []string{"even"}
		}
		subs = append(subs, newSub(t, fmt.Sprintf("r%05d@example.org", i), "", topics, subscriber.Active, "import"))
	}
	if _, err := db.Import(ctx, store.Each(subs), false); err != nil {
		t.Fatal(err)
	}
	is, queued, err := db.CreateIssue(ctx, newIssue(), wants)
	if err != nil {
		t.Fatal(err)
	}
	return is, queued
}

func newIssue() store.NewIssue {
	now := time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)
	return store.NewIssue{Created: now, Cutoff: now, Subject: "x", ArchivePath: "/n/{n}/",
		Items: []store.Item{{ID: "tips/a.md", Title: "A", Tags: []string{"go"}, Published: now}}}
}

func all(subscriber.Subscriber) bool { return true }

func testCreateIssueQueuesAndCounts(t *testing.T, e Engine) {
	st, _ := fresh(t, e)
	const n = 2500
	is, queued := withIssue(t, st, n, func(s subscriber.Subscriber) bool { return len(s.Topics) > 0 })
	if queued != n/2 || is.Number != 1 || is.ArchivePath != "/n/1/" {
		t.Fatalf("queued %d, issue %+v", queued, is)
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
	// A sent row never moves again, even later in the same group.
	if err := st.Record(ctx, []store.Update{
		{IssueID: is.ID, SubscriberID: ds[0].Subscriber.ID, State: store.Queued},
		{IssueID: is.ID, SubscriberID: ds[5].Subscriber.ID, State: store.Sent},
		{IssueID: is.ID, SubscriberID: ds[5].Subscriber.ID, State: store.Queued},
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.CountPending(ctx, is.ID); got != n/2-6 {
		t.Errorf("a sent row was queued again: CountPending %d, want %d", got, n/2-6)
	}
	if items, err := st.Items(ctx, is.ID); err != nil || len(items) != 1 || items[0].ID != "tips/a.md" || !slices.Equal(items[0].Tags, []string{"go"}) {
		t.Errorf("Items: %+v, %v", items, err)
	}
	if sent, err := st.SentItems(ctx, []string{"tips/a.md", "tips/b.md"}); err != nil || !sent["tips/a.md"] || sent["tips/b.md"] {
		t.Errorf("SentItems: %v, %v", sent, err)
	}
	if _, _, err := st.CreateIssue(ctx, newIssue(), all); !errors.Is(err, store.ErrIssueOpen) {
		t.Errorf("a second issue while one is open: %v", err)
	}
}

// testCreateIssueOneWinner: senders creating the issue at the same moment
// make one issue; the others are told one is open, and join it.
func testCreateIssueOneWinner(t *testing.T, e Engine) {
	open, _ := e.New(t)
	first := open(t, time.Now)
	withIssueless(t, first, 50)
	const senders = 4
	var wg sync.WaitGroup
	results := make([]error, senders)
	for i := range senders {
		db := open(t, time.Now)
		wg.Go(func() {
			_, _, results[i] = db.CreateIssue(ctx, newIssue(), all)
		})
	}
	wg.Wait()
	won := 0
	for _, err := range results {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrIssueOpen):
			t.Errorf("CreateIssue: %v", err)
		}
	}
	is, ok, err := first.OpenIssue(ctx)
	if won != 1 || !ok || err != nil || is.Number != 1 {
		t.Fatalf("%d winners, open issue %+v %v %v", won, is, ok, err)
	}
	if n, _ := first.CountPending(ctx, is.ID); n != 50 {
		t.Errorf("%d queued, want 50 (each once)", n)
	}
}

func withIssueless(t testing.TB, db store.DB, n int) {
	t.Helper()
	var subs []subscriber.Subscriber
	for i := 1; i <= n; i++ {
		subs = append(subs, newSub(t, fmt.Sprintf("r%05d@example.org", i), "", nil, subscriber.Active, "import"))
	}
	if _, err := db.Import(ctx, store.Each(subs), false); err != nil {
		t.Fatal(err)
	}
}

func testIssues(t *testing.T, e Engine) {
	st, _ := fresh(t, e)
	is, _ := withIssue(t, st, 4, all)
	ds, _ := st.Pending(ctx, is.ID, 0, 10)
	if err := st.Record(ctx, []store.Update{
		{IssueID: is.ID, SubscriberID: ds[0].Subscriber.ID, State: store.Sent, Attempts: 1},
		{IssueID: is.ID, SubscriberID: ds[1].Subscriber.ID, State: store.Failed, Failure: store.Bounce, Error: "550 no"},
		{IssueID: is.ID, SubscriberID: ds[2].Subscriber.ID, State: store.Failed, Failure: store.Skipped},
	}); err != nil {
		t.Fatal(err)
	}
	if n, err := st.HardBounces(ctx, ds[1].Subscriber.ID); err != nil || n != 1 {
		t.Errorf("HardBounces %d, %v", n, err)
	}
	if done, err := st.FinishIssue(ctx, is.ID, time.Now()); done || err != nil {
		t.Errorf("finished with a row queued: %v %v", done, err)
	}
	var unsent []string
	if err := st.Unsent(ctx, is.ID, func(u store.Unsent) error {
		unsent = append(unsent, fmt.Sprint(u.Email, " ", u.State, " ", u.Failure))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"r00002@example.org failed bounce", "r00003@example.org failed skipped", "r00004@example.org queued "}; !slices.Equal(unsent, want) {
		t.Errorf("Unsent %q, want %q", unsent, want)
	}
	if _, err := st.SetStatus(ctx, "r00001@example.org", subscriber.Unsubscribed, "link"); err != nil {
		t.Fatal(err)
	}
	stats, err := st.Issues(ctx)
	if err != nil || len(stats) != 1 {
		t.Fatalf("Issues: %+v, %v", stats, err)
	}
	got := stats[0]
	if got.Recipients != 4 || got.Sent != 1 || got.Failed != 1 || got.Skipped != 1 || got.Pending != 1 || got.Bounces != 1 || got.Items != 1 {
		t.Errorf("stats %+v", got)
	}
	if err := st.Record(ctx, []store.Update{{IssueID: is.ID, SubscriberID: ds[3].Subscriber.ID, State: store.Sent}}); err != nil {
		t.Fatal(err)
	}
	if done, err := st.FinishIssue(ctx, is.ID, time.Now()); !done || err != nil {
		t.Errorf("FinishIssue: %v %v", done, err)
	}
	var evs int
	if err := st.Events(ctx, func(store.Event) error { evs++; return nil }); err != nil || evs != 5 {
		t.Errorf("Events: %d, %v", evs, err)
	}
}

func register(t testing.TB, db store.DB, exclusive bool) int64 {
	t.Helper()
	id, err := db.RegisterSender(ctx, "host", 1, exclusive)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func claim(t testing.TB, db store.DB, c store.ClaimRequest) []int64 {
	t.Helper()
	if c.Lease == 0 {
		c.Lease = lease
	}
	got, err := db.Claim(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, d := range got.Deliveries {
		ids = append(ids, d.Subscriber.ID)
	}
	return ids
}

// testClaimsAreDisjoint: senders claiming at once, from several stores,
// get every row exactly once.
func testClaimsAreDisjoint(t *testing.T, e Engine) {
	open, _ := e.New(t)
	first := open(t, time.Now)
	const n = 600
	is, _ := withIssue(t, first, n, all)
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	for range 3 {
		db := open(t, time.Now)
		me := register(t, db, false)
		wg.Go(func() {
			var after int64
			for {
				ids := claim(t, db, store.ClaimRequest{IssueID: is.ID, Sender: me, After: after, Limit: 7})
				if len(ids) == 0 {
					return
				}
				mu.Lock()
				for _, id := range ids {
					seen[id]++
				}
				mu.Unlock()
				after = slices.Max(ids)
			}
		})
	}
	wg.Wait()
	twice := 0
	for _, c := range seen {
		if c > 1 {
			twice++
		}
	}
	if len(seen) != n || twice > 0 {
		t.Errorf("claimed %d distinct rows of %d, %d more than once", len(seen), n, twice)
	}
	if got, _ := first.CountPending(ctx, is.ID); got != n {
		t.Errorf("CountPending %d: claimed rows are still to be sent", got)
	}
}

// testClaimTakesBackAfterLease: a sender that stops heartbeating loses
// its rows once the lease is over, and only then; its late updates do not
// move them.
func testClaimTakesBackAfterLease(t *testing.T, e Engine) {
	open, _ := e.New(t)
	c := NewClock(false)
	a, b := open(t, c.Now), open(t, c.Now)
	is, _ := withIssue(t, a, 20, all)
	ma, mb := register(t, a, false), register(t, b, false)
	held := claim(t, a, store.ClaimRequest{IssueID: is.ID, Sender: ma, Limit: 5})
	if len(held) != 5 {
		t.Fatalf("claimed %v", held)
	}
	if n, err := b.InFlight(ctx, is.ID, mb, lease); err != nil || n != 5 {
		t.Errorf("InFlight for b: %d, %v; want a's 5", n, err)
	}
	c.Advance(lease - time.Second)
	if err := b.Heartbeat(ctx, mb); err != nil {
		t.Fatal(err)
	}
	after := slices.Max(held)
	if got := claim(t, b, store.ClaimRequest{IssueID: is.ID, Sender: mb, After: after, Limit: 3}); slices.ContainsFunc(got, func(id int64) bool { return id <= after }) {
		t.Errorf("b took %v within a's lease", got)
	}
	c.Advance(2 * time.Second)
	got, err := b.Claim(ctx, store.ClaimRequest{IssueID: is.ID, Sender: mb, After: 1 << 40, Limit: 10, Lease: lease})
	if err != nil || len(got.Deliveries) != 5 {
		t.Fatalf("after a's lease: %+v, %v; want a's 5 rows", got, err)
	}
	for _, d := range got.Deliveries {
		if d.State != store.Sending {
			t.Errorf("a taken-back row says %s, want sending (it was in flight)", d.State)
		}
	}
	// a wakes up and puts a row back: that row is b's now.
	if err := a.Record(ctx, []store.Update{{IssueID: is.ID, SubscriberID: held[0], Sender: ma, State: store.Queued}}); err != nil {
		t.Fatal(err)
	}
	if n, _ := a.InFlight(ctx, is.ID, ma, lease); n != 8 {
		t.Errorf("b holds %d rows, want 8 (a's late update must not move one)", n)
	}
	// …but a "sent" always sticks.
	if err := a.Record(ctx, []store.Update{{IssueID: is.ID, SubscriberID: held[1], Sender: ma, State: store.Sent}}); err != nil {
		t.Fatal(err)
	}
	if n, _ := a.InFlight(ctx, is.ID, ma, lease); n != 7 {
		t.Errorf("b holds %d rows, want 7", n)
	}
	if err := a.RetireSender(ctx, ma); err != nil {
		t.Fatal(err)
	}
	if err := a.Heartbeat(ctx, ma); !errors.Is(err, store.ErrSenderGone) {
		t.Errorf("heartbeat of a retired sender: %v", err)
	}
}

// afterDeadSender opens a store whose issue has four rows held by a
// sender that is gone: me registered holding the send lock, which forgets
// every other sender, so the rows it held are stale at once.
func afterDeadSender(t *testing.T, e Engine) (db store.DB, is store.Issue, held []int64, me int64) {
	open, _ := e.New(t)
	db = open(t, time.Now)
	is, _ = withIssue(t, db, 10, all)
	dead := register(t, db, false)
	held = claim(t, db, store.ClaimRequest{IssueID: is.ID, Sender: dead, Limit: 4})
	return db, is, held, register(t, db, true)
}

// testExclusiveSender: the holder of the send lock takes back a dead
// sender's rows at once.
func testExclusiveSender(t *testing.T, e Engine) {
	db, is, held, me := afterDeadSender(t, e)
	got := claim(t, db, store.ClaimRequest{IssueID: is.ID, Sender: me, After: 1 << 40, Limit: 10})
	if !slices.Equal(got, held) {
		t.Errorf("took back %v, want %v", got, held)
	}
}

func testRecordRespectsHolder(t *testing.T, e Engine) {
	db, _ := fresh(t, e)
	is, _ := withIssue(t, db, 3, all)
	me := register(t, db, false)
	ids := claim(t, db, store.ClaimRequest{IssueID: is.ID, Sender: me, Limit: 3})
	other := me + 1000
	if err := db.Record(ctx, []store.Update{
		{IssueID: is.ID, SubscriberID: ids[0], Sender: other, State: store.Queued},
		{IssueID: is.ID, SubscriberID: ids[1], Sender: me, State: store.Failed, Failure: store.Bounce},
		{IssueID: is.ID, SubscriberID: ids[2], Sender: other, State: store.Sent, MessageID: "<x@y>"},
	}); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.InFlight(ctx, is.ID, other, lease); n != 1 {
		t.Errorf("%d rows held by me, want 1 (another sender's update must not move it)", n)
	}
	if n, _ := db.CountPending(ctx, is.ID); n != 1 {
		t.Errorf("CountPending %d, want 1", n)
	}
}

// testClaimRecordsDone: a claim's Done outcomes are recorded with it,
// moving the rows one sender held, one of them twice, before it claims more.
func testClaimRecordsDone(t *testing.T, e Engine) {
	db, _ := fresh(t, e)
	is, _ := withIssue(t, db, 6, all)
	me := register(t, db, false)
	first := claim(t, db, store.ClaimRequest{IssueID: is.ID, Sender: me, Limit: 3})
	done := []store.Update{
		{IssueID: is.ID, SubscriberID: first[0], Sender: me, State: store.Sent, Attempts: 1, MessageID: "<a@x>"},
		{IssueID: is.ID, SubscriberID: first[1], Sender: me, State: store.Failed, Failure: store.Bounce, Attempts: 1},
		{IssueID: is.ID, SubscriberID: first[2], Sender: me, State: store.Queued, Attempts: 1},
		{IssueID: is.ID, SubscriberID: first[2], Sender: me, State: store.Sent, Attempts: 1, MessageID: "<c@x>"},
	}
	next := claim(t, db, store.ClaimRequest{IssueID: is.ID, Sender: me, After: first[2], Limit: 10, Done: done})
	if len(next) != 3 || next[0] <= first[2] {
		t.Errorf("claimed %v after %v, want the other three", next, first)
	}
	stats, err := db.Issues(ctx)
	if err != nil || len(stats) != 1 {
		t.Fatalf("%+v, %v", stats, err)
	}
	if st := stats[0]; st.Sent != 2 || st.Failed != 1 || st.Pending != 3 {
		t.Errorf("after the claim: sent %d failed %d pending %d, want 2, 1, 3", st.Sent, st.Failed, st.Pending)
	}
}

// testClaimSkipStale: a claim with SkipStale leaves a gone sender's rows
// alone; the next one without takes them back.
func testClaimSkipStale(t *testing.T, e Engine) {
	db, is, held, me := afterDeadSender(t, e)
	if got := claim(t, db, store.ClaimRequest{IssueID: is.ID, Sender: me, After: 1 << 40, Limit: 10, SkipStale: true}); len(got) != 0 {
		t.Errorf("SkipStale took %v, want nothing", got)
	}
	if got := claim(t, db, store.ClaimRequest{IssueID: is.ID, Sender: me, After: 1 << 40, Limit: 10}); !slices.Equal(got, held) {
		t.Errorf("took back %v, want %v", got, held)
	}
}

// testSharedRateSlots: claims from two stores reserve slots that never
// overlap, spaced by the interval.
func testSharedRateSlots(t *testing.T, e Engine) {
	open, _ := e.New(t)
	c := NewClock(false)
	a, b := open(t, c.Now), open(t, c.Now)
	is, _ := withIssue(t, a, 20, all)
	ma, mb := register(t, a, false), register(t, b, false)
	const every = 100 * time.Millisecond
	ca, err := a.Claim(ctx, store.ClaimRequest{IssueID: is.ID, Sender: ma, Limit: 4, Lease: lease, Interval: every})
	if err != nil {
		t.Fatal(err)
	}
	cb, err := b.Claim(ctx, store.ClaimRequest{IssueID: is.ID, Sender: mb, After: 1 << 40, Limit: 4, Lease: lease, Interval: every})
	if err != nil || len(cb.Deliveries) != 0 || !cb.SlotStart.IsZero() {
		t.Fatalf("an empty claim: %+v, %v; want no slots", cb, err)
	}
	cb, err = b.Claim(ctx, store.ClaimRequest{IssueID: is.ID, Sender: mb, Limit: 3, Lease: lease, Interval: every})
	if err != nil {
		t.Fatal(err)
	}
	if !ca.SlotStart.Equal(c.Now()) || !cb.SlotStart.Equal(c.Now().Add(4*every)) {
		t.Errorf("slots start %v and %v; want now and now+%v", ca.SlotStart, cb.SlotStart, 4*every)
	}
	c.Advance(time.Hour)
	cc, err := a.Claim(ctx, store.ClaimRequest{IssueID: is.ID, Sender: ma, After: 1 << 40, Limit: 1, Lease: time.Hour * 2, Interval: every})
	if err != nil {
		t.Fatal(err)
	}
	if len(cc.Deliveries) != 0 {
		t.Errorf("claimed %d rows held by live senders", len(cc.Deliveries))
	}
	cd, err := a.Claim(ctx, store.ClaimRequest{IssueID: is.ID, Sender: ma, Limit: 1, Lease: 2 * time.Hour, Interval: every})
	if err != nil || !cd.SlotStart.Equal(c.Now()) {
		t.Errorf("after an idle hour the slots start at %v, %v; want now (no burst saved up)", cd.SlotStart, err)
	}
}

// testCreateIssueWithNoRecipient is issue 10 item 6: with nobody to mail
// no issue is made, and its items are not used up.
func testCreateIssueWithNoRecipient(t *testing.T, e Engine) {
	for _, n := range []int{0, 1500} { // nobody at all; nobody who wants the items
		t.Run(fmt.Sprint(n, " subscribers"), func(t *testing.T) {
			st, _ := fresh(t, e)
			withIssueless(t, st, n)
			_, _, err := st.CreateIssue(ctx, newIssue(), func(subscriber.Subscriber) bool { return false })
			if !errors.Is(err, store.ErrNoRecipients) {
				t.Fatalf("CreateIssue: %v, want ErrNoRecipients", err)
			}
			if _, ok, err := st.LastIssue(ctx); ok || err != nil {
				t.Errorf("an issue was made: %v", err)
			}
			ids := []string{}
			for _, it := range newIssue().Items {
				ids = append(ids, it.ID)
			}
			if sent, err := st.SentItems(ctx, ids); err != nil || len(sent) != 0 {
				t.Errorf("the items were used up: %v, %v", sent, err)
			}
		})
	}
}
