package listen

import (
	"context"
	"net/http"
	"net/mail"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/internal/smtpsink"
	"github.com/agora-hub/agora/newsletter/mailer"
	"github.com/agora-hub/agora/newsletter/subscriber"
	"github.com/agora-hub/agora/newsletter/token"
)

// TestConfirmationMessageID sends confirmation mails through SMTP and
// reads the Message-ID the server got: under the From domain, never the
// machine's host name (go-mail's default), and new for every message.
func TestConfirmationMessageID(t *testing.T) {
	host, _ := os.Hostname()
	for _, tc := range []struct {
		from, domain string
	}{
		{"Agora <news@example.org>", "example.org"},
		{"news@Lists.Example.NET", "lists.example.net"},
		{`"Hub, the" <hub@xn--bcher-kva.de>`, "xn--bcher-kva.de"},
	} {
		t.Run(tc.from, func(t *testing.T) {
			sink, err := smtpsink.Start()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { sink.Close() })
			h := newHarness(t, noClientLimits, func(o *Options) {
				o.From = tc.from
				o.Sender = &SMTPSender{Settings: mailer.Settings{
					Host: sink.Host(), Port: sink.Port(), TLS: config.TLSNone, From: tc.from, Timeout: 10 * time.Second,
				}}
			})
			h.signup("ada@example.org", nil)
			h.signup("bo@example.org", nil)
			h.svc.sendDue(context.Background())
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			msgs, err := sink.Wait(ctx, 2)
			if err != nil {
				t.Fatalf("%d messages: %v", len(msgs), err)
			}
			var ids []string
			for _, m := range msgs {
				hdr, err := m.Header()
				if err != nil {
					t.Fatal(err)
				}
				id := hdr.Get("Message-ID")
				// RFC 5322's msg-id has the form of an address in <>.
				if _, err := mail.ParseAddress(id); err != nil || !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@"+tc.domain+">") || strings.Count(id, "@") != 1 {
					t.Errorf("Message-ID %q: want <…@%s>", id, tc.domain)
				}
				if host != "" && strings.Contains(strings.ToLower(id), "@"+strings.ToLower(host)+">") {
					t.Errorf("Message-ID %q names this machine (%s)", id, host)
				}
				ids = append(ids, id)
			}
			if len(slices.Compact(slices.Sorted(slices.Values(ids)))) != len(ids) {
				t.Errorf("two messages share a Message-ID: %q", ids)
			}
		})
	}
}

// TestNewRefusesFromWithoutDomain: the Message-IDs need the From domain,
// so a From without one is refused when the service starts, not at the
// first mail.
func TestNewRefusesFromWithoutDomain(t *testing.T) {
	h := newHarness(t)
	opt := h.svc.opt
	opt.From = "not an address"
	if _, err := New(opt); err == nil || !strings.Contains(err.Error(), "not an address") {
		t.Errorf("New with From %q: %v", opt.From, err)
	}
}

// TestDigestPreferencesLink: the "Change your topics" link in a digest is
// a preferences token that never expires (agora send signs it with no
// time to live), and works years later, to look and to save; the links
// the confirmation page hands out still expire.
func TestDigestPreferencesLink(t *testing.T) {
	h := newHarness(t)
	sub, _ := subscriber.New("ada@example.org", "Ada", []string{"go"}, subscriber.Active, subscriber.Consent{How: "cli"})
	if _, err := h.st.Add(bg, sub, false); err != nil {
		t.Fatal(err)
	}
	digest := "/preferences?t=" + h.tok(token.Preferences, "ada@example.org", 0)
	page := "/preferences?t=" + h.tok(token.Preferences, "ada@example.org", preferencesTTL)
	h.clock.advance(5 * 365 * 24 * time.Hour)

	for _, tc := range []struct {
		name, target string
		ok           bool
	}{
		{"digest link, years later", digest, true},
		{"confirmation page's link, after a day", page, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := h.get(tc.target)
			if got := w.Code == http.StatusOK && strings.Contains(w.Body.String(), `value="go" checked`); got != tc.ok {
				t.Errorf("GET: %d, works %v, want %v\n%s", w.Code, got, tc.ok, w.Body)
			}
			w = h.do(req{method: "POST", target: tc.target, ctype: formType, origin: testEndpoint,
				body: url.Values{"name": {"Ada"}, "topics": {"events"}}.Encode()})
			if got := w.Code == http.StatusSeeOther; got != tc.ok {
				t.Errorf("POST: %d, saved %v, want %v\n%s", w.Code, got, tc.ok, w.Body)
			}
		})
	}
	if got, _ := h.st.Get(bg, "ada@example.org"); !slices.Equal(got.Topics, []string{"events"}) {
		t.Errorf("topics %v after saving through the digest's link", got.Topics)
	}
}
