package listen

import (
	"context"
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agora-hub/agora/internal/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestTwoServicesShareLimitsAndQueue runs two sign-up services on one
// PostgreSQL database, as behind a load balancer. A client network gets
// its burst of sign-ups once between them, not once each; and the
// confirmation queue, worked by both at once, mails each address once.
func TestTwoServicesShareLimitsAndQueue(t *testing.T) {
	url := pgtest.URL(t)
	c := &clock{t: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)}
	a, b := harnessOn(t, url, c), harnessOn(t, url, c)
	burst := a.svc.opt.Limits.SignupBurst

	// One network, alternating between the services.
	accepted := 0
	for i := range 2 * burst {
		h := []*harness{a, b}[i%2]
		form := map[string][]string{"email": {fmt.Sprintf("n%02d@example.org", i)}, "form_token": {h.formToken()}}
		switch w := h.post("/subscribe", form); w.Code {
		case http.StatusSeeOther:
			accepted++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("sign-up %d: %d %s", i, w.Code, w.Body)
		}
	}
	if accepted != burst {
		t.Errorf("%d sign-ups accepted from one network across two services, want the burst of %d", accepted, burst)
	}

	// Other networks: many sign-ups, then both mail workers at once.
	for i := range 60 {
		h := []*harness{a, b}[i%2]
		form := map[string][]string{"email": {fmt.Sprintf("q%02d@example.org", i)}, "form_token": {h.formToken()}}
		w := h.do(req{method: "POST", target: "/subscribe", ctype: formType, body: encode(form), origin: testSite,
			ip: fmt.Sprintf("198.51.100.%d:4000", i+1)})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("sign-up q%02d: %d", i, w.Code)
		}
	}
	var wg sync.WaitGroup
	for _, h := range []*harness{a, b} {
		wg.Go(func() { h.svc.sendDue(context.Background()) })
	}
	wg.Wait()
	seen := map[string]int{}
	for _, h := range []*harness{a, b} {
		for _, msg := range h.sender.sent() {
			seen[recipient(t, msg)]++
		}
	}
	if len(seen) != 60+burst {
		t.Errorf("%d addresses got a confirmation, want %d", len(seen), 60+burst)
	}
	for to, n := range seen {
		if n != 1 {
			t.Errorf("%s got %d confirmations", to, n)
		}
	}
	if len(a.sender.sent()) == 0 || len(b.sender.sent()) == 0 {
		t.Logf("one service sent them all (%d/%d): fine, but the race was not exercised", len(a.sender.sent()), len(b.sender.sent()))
	}
}

func encode(form map[string][]string) string { return url.Values(form).Encode() }

// recipient is the address in a raw message's To header.
func recipient(t *testing.T, msg string) string {
	t.Helper()
	m, err := mail.ReadMessage(strings.NewReader(msg))
	if err != nil {
		t.Fatal(err)
	}
	return m.Header.Get("To")
}

// TestTwoServicesShareTheHourlyCap: confirm_per_hour is one cap for every
// service on the database, not one each; the mails beyond it wait in the
// shared queue for the next hour.
func TestTwoServicesShareTheHourlyCap(t *testing.T) {
	url := pgtest.URL(t)
	c := &clock{t: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)}
	capTen := func(o *Options) { o.Limits.ConfirmPerHour = 10 }
	a, b := harnessOn(t, url, c, capTen), harnessOn(t, url, c, capTen)
	for i := range 30 {
		h := []*harness{a, b}[i%2]
		form := map[string][]string{"email": {fmt.Sprintf("c%02d@example.org", i)}, "form_token": {h.formToken()}}
		w := h.do(req{method: "POST", target: "/subscribe", ctype: formType, body: encode(form), origin: testSite,
			ip: fmt.Sprintf("198.51.100.%d:4000", i+1)})
		if w.Code != http.StatusSeeOther {
			t.Fatalf("sign-up c%02d: %d", i, w.Code)
		}
	}
	sendBoth := func() int {
		var wg sync.WaitGroup
		for _, h := range []*harness{a, b} {
			wg.Go(func() { h.svc.sendDue(context.Background()) })
		}
		wg.Wait()
		return len(a.sender.sent()) + len(b.sender.sent())
	}
	if n := sendBoth(); n != 10 {
		t.Errorf("%d confirmations in the hour from two services, want the cap of 10", n)
	}
	c.advance(time.Hour)
	if n := sendBoth(); n != 20 {
		t.Errorf("%d after an hour, want 20", n)
	}
}
