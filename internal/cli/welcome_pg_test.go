package cli_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/agora-hub/agora/internal/pgtest"
	"github.com/agora-hub/agora/newsletter/database"
	"github.com/agora-hub/agora/newsletter/store"
)

// newPGWelcomeEnv is newWelcomeEnv on a fresh PostgreSQL database.
func newPGWelcomeEnv(t *testing.T) (*welcomeEnv, string) {
	t.Helper()
	w := newWelcomeEnv(t)
	url := pgtest.URL(t)
	t.Setenv("AGORA_DB", url)
	return w, url
}

// perStep counts the messages each address got per subject, failing on a
// Message-ID seen twice for one address (see got).
func perStep(t *testing.T, w *welcomeEnv) map[string]map[string]int {
	t.Helper()
	out := map[string]map[string]int{}
	for to, subjects := range w.got(t) {
		out[to] = map[string]int{}
		for _, s := range subjects {
			out[to][s]++
		}
	}
	return out
}

// TestWelcomeTwoSendersOnPostgres runs two agora send at once on one
// PostgreSQL database, each its own process as far as the database can
// tell (its own pool and registration): every due step reaches every
// person exactly once between them, in order.
func TestWelcomeTwoSendersOnPostgres(t *testing.T) {
	w, _ := newPGWelcomeEnv(t)
	var rows [][3]string
	const n = 60
	for i := range n {
		topics := "rules" // not events: the events step is not theirs
		if i%2 == 0 {
			topics = "events"
		}
		// Consent on 2 March: at the 12th all three steps are due, the
		// events step for half of them.
		rows = append(rows, [3]string{fmt.Sprintf("p%02d@example.org", i), topics, "2026-03-02T10:00:00Z"})
	}
	w.join(t, rows...)
	var wg sync.WaitGroup
	outs := make([]string, 2)
	for i := range 2 {
		wg.Go(func() {
			code, out, stderr := run(t, "send", "-s", w.dir, "--now", "2026-03-12T12:00:00Z", "--yes")
			if code != 0 {
				t.Errorf("send %d: exit %d\n%s%s", i, code, out, stderr)
			}
			outs[i] = out
		})
	}
	wg.Wait()
	got := perStep(t, w)
	if len(got) != n {
		t.Fatalf("%d of %d got the series", len(got), n)
	}
	for i := range n {
		to := fmt.Sprintf("p%02d@example.org", i)
		want := map[string]int{"Welcome to the hub": 1, "Your first week": 1}
		if i%2 == 0 {
			want["Meet us in person"] = 1
		}
		if fmt.Sprint(got[to]) != fmt.Sprint(want) {
			t.Errorf("%s got %v, want each due step once: %v", to, got[to], want)
		}
	}
	// The order of the series holds per person, whichever sender sent
	// which step.
	for to, subjects := range w.got(t) {
		if subjects[0] != "Welcome to the hub" || subjects[len(subjects)-1] != "Your first week" {
			t.Errorf("%s got %q: not in the series' order", to, subjects)
		}
	}
	t.Logf("sender outputs:\n%s\n%s", outs[0], outs[1])
}

// TestWelcomeLeaseOnPostgres: the rows a sender claimed and never
// finished (killed with -9: its registration stays, its heartbeat stops)
// are left alone while its lease runs, and sent by the next agora send
// once it lapsed, with the Message-ID they were claimed with.
func TestWelcomeLeaseOnPostgres(t *testing.T) {
	w, url := newPGWelcomeEnv(t)
	var rows [][3]string
	const n = 20
	for i := range n {
		rows = append(rows, [3]string{fmt.Sprintf("p%02d@example.org", i), "", "2026-03-02T10:00:00Z"})
	}
	w.join(t, rows...)
	ctx := context.Background()
	db, _, err := database.OpenAt(ctx, url, database.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	dead, err := db.RegisterSender(ctx, "elsewhere", 4242, false)
	if err != nil {
		t.Fatal(err)
	}
	due, err := db.WelcomeDue(ctx, "welcome/hello.md", testTime(t, "2026-03-01T00:00:00Z"), testTime(t, "2026-03-02T12:00:00Z"), 0, 5)
	if err != nil || len(due) != 5 {
		t.Fatalf("due %d, %v", len(due), err)
	}
	var claims []store.WelcomeClaim
	held := map[string]bool{}
	for _, d := range due {
		claims = append(claims, store.WelcomeClaim{Step: "welcome/hello.md", SubscriberID: d.Subscriber.ID, MessageID: "<claimed-by-the-dead@example.org>"})
		held[d.Subscriber.Email] = true
	}
	if c, err := db.ClaimWelcome(ctx, store.WelcomeClaimRequest{Claims: claims, Sender: dead, Lease: time.Minute}); err != nil || c.Claimed[4] != true {
		t.Fatalf("the dead sender's claim: %+v, %v", c, err)
	}

	// Its heartbeat is fresh: the next send leaves its rows alone.
	w.send(t, "2026-03-02T12:00:00Z")
	got := perStep(t, w)
	if len(got) != n-len(held) {
		t.Errorf("%d got the first step while 5 were held, want %d", len(got), n-len(held))
	}
	for to := range got {
		if held[to] {
			t.Errorf("%s was mailed while another sender held their row", to)
		}
	}

	// Its lease lapses (the heartbeat is older than send.Lease): the next
	// send takes the rows back, and everyone has had the step once.
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE senders SET heartbeat = '2000-01-01T00:00:00.000Z' WHERE id = $1`, dead); err != nil {
		t.Fatal(err)
	}
	w.send(t, "2026-03-02T12:30:00Z")
	got = perStep(t, w)
	if len(got) != n {
		t.Errorf("%d of %d got the first step after the lease", len(got), n)
	}
	for to, steps := range got {
		if steps["Welcome to the hub"] != 1 {
			t.Errorf("%s got %v", to, steps)
		}
	}
}

func testTime(t *testing.T, v string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}
