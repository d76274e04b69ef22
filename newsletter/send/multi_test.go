package send_test

import (
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/agora-hub/agora/internal/pgtest"
	"github.com/agora-hub/agora/newsletter/send"
)

// pgFixture is newFixture on a fresh PostgreSQL database.
func pgFixture(t *testing.T, n int) *fixture {
	t.Helper()
	url := pgtest.URL(t)
	f := newFixture(t, nil)
	f.db = url
	f.open(t)
	for i := range n {
		f.add(t, fmt.Sprintf("m%04d@example.org", i), "")
	}
	return f
}

// TestTwoSendersOneIssue: two agora sends started together on one
// PostgreSQL database, each with its own store (as on two machines), make
// one issue and mail every subscriber exactly once between them.
func TestTwoSendersOneIssue(t *testing.T) {
	const n = 400
	f := pgFixture(t, n)
	// Both must take part however the scheduler runs them (the race
	// detector slows one start a lot): the server holds every reply until
	// more messages wait than one sender's 3 connections can have open,
	// so that one of them is the other sender's. A timeout keeps a broken
	// sender from hanging the test; the assertions then fail.
	var mu sync.Mutex
	waiting, open := 0, make(chan struct{})
	srv := newServer(t, faults{accepted: func(int) {
		mu.Lock()
		if waiting++; waiting > 3 {
			select {
			case <-open:
			default:
				close(open)
			}
		}
		mu.Unlock()
		select {
		case <-open:
		case <-time.After(20 * time.Second):
		}
	}})
	var wg sync.WaitGroup
	results := make([]send.Result, 2)
	errs := make([]error, 2)
	for i := range 2 {
		g := *f
		g.open(t) // a store, and a pool, of its own
		wg.Go(func() { results[i], errs[i] = g.send(t, g.options(t, srv, nil, 3), clock) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("sender %d: %v", i, err)
		}
	}
	a, b := results[0], results[1]
	// The other joined it: either it lost the race to create it, or it
	// found it open when it planned.
	if a.Created == b.Created || a.Issue.Number != 1 || b.Issue.Number != 1 || a.Joined && b.Joined {
		t.Errorf("want one sender to create issue 1 and the other to join it: %+v / %+v", a, b)
	}
	if !a.Finished || !b.Finished {
		t.Errorf("finished: %v and %v; want both to report the issue done", a.Finished, b.Finished)
	}
	if a.Sent+b.Sent != n || a.Sent == 0 || b.Sent == 0 {
		t.Errorf("sent %d + %d, want %d between them, both taking part", a.Sent, b.Sent, n)
	}
	if got := len(srv.byRecipient()); got != n {
		t.Errorf("%d of %d got the issue", got, n)
	}
	assertOnce(t, srv, nil)
	if is, open, _ := f.st.OpenIssue(ctx); open {
		t.Errorf("issue %d still open", is.Number)
	}
}

// TestKillOneOfTwoSenders kills one of two senders with SIGKILL while a
// message of it is in flight. The other goes on, takes the dead one's rows
// back when its lease lapses, and finishes the issue: everyone gets it,
// and the only messages that can go twice are those in flight at the kill
// (at most send.MaxInFlight of the dead sender's), with the same
// Message-ID.
func TestKillOneOfTwoSenders(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	const n = 300
	f := pgFixture(t, n)
	const lease = 2 * time.Second
	inFlight := make(chan struct{})
	release := make(chan struct{})
	var once sync.Once
	srv := newServer(t, faults{accepted: func(count int) {
		if count == 40 {
			once.Do(func() { close(inFlight) })
			<-release // no 250 for this one: the sender never learns
		}
	}})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillOneOfTwoSenders$")
	cmd.Env = append(os.Environ(), envChild+"=1", envDir+"="+f.dir, envDB+"="+f.db, envLease+"="+lease.String(),
		envPort+"="+strconv.Itoa(srv.port), envCert+"="+base64.StdEncoding.EncodeToString(srv.certDER))
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-inFlight:
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("the child sent nothing in 30s")
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	close(release)
	held, err := f.st.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dead := 0
	for _, s := range held.Senders {
		dead += s.Holding
	}
	t.Logf("after the kill: %+v, server has %d", held.Deliveries, len(srv.messages()))
	if dead == 0 || dead > send.MaxInFlight(3) {
		t.Errorf("the killed sender held %d rows, want 1 to %d", dead, send.MaxInFlight(3))
	}

	opt := f.options(t, srv, nil, 3)
	opt.Lease = lease
	start := time.Now()
	res, err := f.send(t, opt, clock.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if res.Created || !res.Finished || res.Issue.Number != 1 {
		t.Fatalf("the survivor: %+v: want issue 1 resumed and finished", res)
	}
	if took := time.Since(start); took < lease/2 {
		t.Errorf("finished in %v: the dead sender's rows must wait for its lease (%v)", took, lease)
	}
	if got := len(srv.byRecipient()); got != n {
		t.Errorf("%d of %d got the issue", got, n)
	}
	twice := map[string]bool{}
	for to, ids := range srv.byRecipient() {
		if len(ids) > 1 {
			twice[to] = true
		}
	}
	assertOnce(t, srv, twice)
	if dups := len(srv.messages()) - n; dups > dead {
		t.Errorf("%d duplicates, more than the %d rows in flight at the kill", dups, dead)
	}
	t.Logf("killed with %d rows in flight; %d messages went twice, each with the same Message-ID", dead, len(srv.messages())-n)
}
