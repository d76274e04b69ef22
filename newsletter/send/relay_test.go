package send_test

import (
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/agora-hub/agora/newsletter/send"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// TestRelayDown is issue 10 item 5: a relay that cannot be reached is
// not a slow message. Whatever the fault (nothing listening, a server
// that accepts and hangs up, TLS or the login failing), a run with 20 or
// 10,000 queued stops within a minute with "cannot reach SMTP server
// HOST:PORT: cause", sends nothing, and leaves every row queued with no
// attempt counted, the issue open for the next run.
func TestRelayDown(t *testing.T) {
	faults := []struct {
		name  string
		start func(t *testing.T) (port int, tweak func(*send.Options))
		cause string
	}{
		{"nothing listens", func(t *testing.T) (int, func(*send.Options)) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			port := l.Addr().(*net.TCPAddr).Port
			l.Close()
			return port, nil
		}, "refused"},
		{"accepts, then hangs up", func(t *testing.T) (int, func(*send.Options)) {
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
			go func() {
				for {
					c, err := l.Accept()
					if err != nil {
						return
					}
					c.Close()
				}
			}()
			return l.Addr().(*net.TCPAddr).Port, nil
		}, "EOF"},
		{"TLS fails", func(t *testing.T) (int, func(*send.Options)) {
			srv := newServer(t, faults{})
			return srv.port, func(o *send.Options) {
				o.SMTP.TLSConfig = &tls.Config{ServerName: "127.0.0.1"} // the system's roots: not the test's
			}
		}, "certificate"},
		{"login refused", func(t *testing.T) (int, func(*send.Options)) {
			srv := newServer(t, faults{login: func(string, string) error {
				return &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: "authentication failed"}
			}})
			return srv.port, func(o *send.Options) {
				o.SMTP.TLSConfig = srv.tlsConfig()
				o.SMTP.Username, o.SMTP.Password = "hub", "wrong"
			}
		}, "535"},
	}
	// All at once, whatever -parallel says: each takes the 10 s or so a
	// relay is given to come back.
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, fault := range faults {
		for _, n := range []int{20, 10_000} {
			wg.Go(func() {
				t.Run(fmt.Sprintf("%s, %d queued", fault.name, n), func(t *testing.T) {
					f := newFixture(t, nil)
					subs := make([]subscriber.Subscriber, n)
					for i := range subs {
						subs[i] = newSubscriber(t, fmt.Sprintf("r%05d@example.org", i))
					}
					if _, err := f.st.Import(ctx, store.Each(subs), false); err != nil {
						t.Fatal(err)
					}
					// Queued before the clock starts: under the race detector on
					// a busy machine, making the issue for 10,000 can take
					// longer than the stop itself.
					p, err := send.NewPlan(ctx, f.site, f.st, clock)
					if err != nil {
						t.Fatal(err)
					}
					if _, queued, err := f.st.CreateIssue(ctx, store.NewIssue{Created: p.Issue.Created, Since: p.Issue.Since, Cutoff: p.Issue.Cutoff,
						Subject: p.Issue.Subject, ArchivePath: p.Issue.ArchivePath, Items: p.Items}, func(subscriber.Subscriber) bool { return true }); err != nil || queued != n {
						t.Fatalf("queued %d, %v", queued, err)
					}
					port, tweak := fault.start(t)
					opt := f.options(t, &server{port: port}, nil, 4)
					if tweak != nil {
						tweak(&opt)
					}
					start := time.Now()
					res, err := f.send(t, opt, clock)
					took := time.Since(start)

					var down *send.UnreachableError
					want := fmt.Sprintf("cannot reach SMTP server 127.0.0.1:%d: ", port)
					if !errors.As(err, &down) || !strings.HasPrefix(err.Error(), want) || !strings.Contains(err.Error(), fault.cause) {
						t.Fatalf("after %v: %v\nwant %s… naming %q", took, err, want, fault.cause)
					}
					if took > time.Minute {
						t.Errorf("took %v: want under a minute", took)
					}
					if res.Sent != 0 || res.Deferred != 0 || res.Bounced != 0 {
						t.Errorf("result %+v: want nothing sent, deferred or bounced", res)
					}
					if res.Created {
						t.Error("a second issue was made")
					}
					if is, open, err := f.st.OpenIssue(ctx); err != nil || !open || is.ID != res.Issue.ID {
						t.Errorf("the issue is not left open for the next run: %+v %v %v", is, open, err)
					}
					ds, err := f.st.Pending(ctx, res.Issue.ID, 0, n+1)
					if err != nil || len(ds) != n {
						t.Fatalf("%d rows pending, %v; want all %d", len(ds), err, n)
					}
					for _, d := range ds {
						if d.State != store.Queued || d.Attempts != 0 {
							t.Fatalf("%s: %s after %d attempts; want queued with none counted", d.Subscriber.Email, d.State, d.Attempts)
						}
					}
				})
			})
		}
	}
}

func newSubscriber(t *testing.T, email string) subscriber.Subscriber {
	t.Helper()
	s, err := subscriber.New(email, "", nil, subscriber.Active, subscriber.Consent{How: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
