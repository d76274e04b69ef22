package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// Fill puts a little of everything in db: subscribers of every status,
// history, an issue half sent with a sender holding rows, welcome rows
// sent and held, sign-ups with a confirmation sent and one queued, a
// request in the inbox, and rate rows. Copy tests compare such databases.
func Fill(t testing.TB, db store.DB) {
	t.Helper()
	withIssue(t, db, 30, func(s subscriber.Subscriber) bool { return len(s.Topics) > 0 })
	is, _, err := db.OpenIssue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	me := register(t, db, false)
	got, err := db.Claim(ctx, store.ClaimRequest{IssueID: is.ID, Sender: me, Limit: 6, Lease: lease, Interval: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	var us []store.Update
	for i, d := range got.Deliveries[:4] {
		u := store.Update{IssueID: is.ID, SubscriberID: d.Subscriber.ID, Sender: me, State: store.Sent, Attempts: 1, MessageID: fmt.Sprintf("<m%d@example.org>", i)}
		if i == 3 {
			u.State, u.Failure, u.Error = store.Failed, store.Bounce, "550 5.1.1 <"+d.Subscriber.Email+">: no such user"
		}
		us = append(us, u)
	}
	if err := db.Record(ctx, us); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"r00003@example.org", "r00005@example.org"} {
		if _, err := db.SetStatus(ctx, a, subscriber.Unsubscribed, "link"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Remove(ctx, "r00007@example.org", "cli"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Add(ctx, newSub(t, "Zoe@Bücher.example", "Zoë \"Z\", Ünïcode", []string{"go", "events"}, subscriber.Bounced, "import:old.csv"), false); err != nil {
		t.Fatal(err)
	}
	welcome, err := db.ClaimWelcome(ctx, store.WelcomeClaimRequest{Sender: me, Lease: lease, Claims: []store.WelcomeClaim{
		{Step: "welcome/hello.md", SubscriberID: 2, MessageID: "<w2@example.org>"},
		{Step: "welcome/hello.md", SubscriberID: 4, MessageID: "<w4@example.org>"},
	}})
	if err != nil || !welcome.Claimed[0] || !welcome.Claimed[1] {
		t.Fatalf("welcome claims %+v, %v", welcome, err)
	}
	if err := db.RecordWelcome(ctx, []store.WelcomeUpdate{{Step: "welcome/hello.md", SubscriberID: 2, Sender: me, State: store.Sent, Attempts: 1}}); err != nil {
		t.Fatal(err)
	}
	request(t, db, "sent@example.org", "")
	sendAll(t, db)
	request(t, db, "new@example.org", "New One", "go")
	receive(t, db, "inbox@example.org", "")
	if err := one(db, func(w store.SignupTx) error { _, _, err := w.TakeToken("net:192.0.2.0/32", time.Minute, 5); return err }); err != nil {
		t.Fatal(err)
	}
}

// Dump is every table's rows as text, in CopyOrder.
func Dump(t testing.TB, db store.DB) map[string][][]string {
	t.Helper()
	out := map[string][][]string{}
	for _, table := range store.CopyOrder {
		cols, rows := db.ReadTable(ctx, table)
		if len(cols) == 0 {
			t.Fatalf("table %s: no columns", table)
		}
		out[table] = [][]string{cols}
		for row, err := range rows {
			if err != nil {
				t.Fatal(err)
			}
			var texts []string
			for _, v := range row {
				texts = append(texts, text(v))
			}
			out[table] = append(out[table], texts)
		}
	}
	return out
}

// text is a column's value as text, the same for both engines' types.
func text(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(v)
	case int32:
		return fmt.Sprint(int64(v))
	default:
		return fmt.Sprint(v)
	}
}

// Copy copies every table of from into to, as agora db copy does.
func Copy(t testing.TB, from, to store.DB, replace bool) error {
	t.Helper()
	_, err := store.Copy(ctx, from, to, replace)
	return err
}

func testCopyRoundTrip(t *testing.T, e Engine) {
	from, _ := fresh(t, e)
	Fill(t, from)
	// The highest ID erased: the copy must not hand it out again.
	top, err := from.Add(ctx, newSub(t, "top@example.org", "", nil, subscriber.Active, "cli"), false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := from.Remove(ctx, "top@example.org", "cli"); err != nil {
		t.Fatal(err)
	}
	to, _ := fresh(t, e)
	if err := Copy(t, from, to, false); err != nil {
		t.Fatal(err)
	}
	if a, b := Dump(t, from), Dump(t, to); !reflect.DeepEqual(a, b) {
		t.Errorf("the copy differs:\n%v\n%v", a, b)
	}
	if err := Copy(t, from, to, false); !errors.Is(err, store.ErrNotEmpty) {
		t.Errorf("a copy into a full database: %v; want ErrNotEmpty", err)
	}
	if err := Copy(t, from, to, true); err != nil {
		t.Fatalf("a copy that replaces: %v", err)
	}
	// IDs go on after the copied ones.
	res, err := to.Add(ctx, newSub(t, "after@example.org", "", nil, subscriber.Active, "cli"), false)
	if err != nil || res.Subscriber.ID <= top.Subscriber.ID {
		t.Errorf("a subscriber added after the copy: %+v, %v", res.Subscriber, err)
	}
	if id, err := to.RegisterSender(ctx, "h", 1, false); err != nil || id <= 1 {
		t.Errorf("a sender after the copy: %d, %v", id, err)
	}
}

func testStatus(t *testing.T, e Engine) {
	db, _ := fresh(t, e)
	Fill(t, db)
	st, err := db.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := db.SchemaVersion(ctx)
	if st.Engine != db.Engine() || st.Version != v || st.Rows["subscribers"] != 32 || st.Subscribers["unsubscribed"] != 2 || st.Subscribers["pending"] != 2 ||
		st.Rows["signup_inbox"] != 1 || st.Rows["confirmation_sends"] != 1 || st.Welcome[store.Sent] != 1 || st.Welcome[store.Sending] != 1 {
		t.Errorf("status %+v", st)
	}
	if st.Open == nil || st.Deliveries[store.Sent] != 3 || st.Deliveries[store.Sending] != 2 || st.Confirmations != 1 {
		t.Errorf("queue in status %+v", st)
	}
	if len(st.Senders) != 1 || st.Senders[0].Holding != 3 {
		t.Errorf("senders %+v", st.Senders)
	}
}
