package listen

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/agora-hub/agora/newsletter/subscriber"
	"github.com/agora-hub/agora/newsletter/token"
)

var bg = context.Background()

func noClientLimits(o *Options) { o.Limits = o.Limits.WithoutClientLimits() }

func TestDoubleOptIn(t *testing.T) {
	h := newHarness(t)
	w := h.signup(" Ada@Example.org ", url.Values{"name": {"Ada"}, "topics": {"Go", "events"}})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != testSite+"/hub/newsletter/#thanks" {
		t.Fatalf("sign-up: %d to %q, want 303 to the site's thank-you notice", w.Code, w.Header().Get("Location"))
	}
	if st := h.status("ada@example.org"); st != subscriber.Pending {
		t.Fatalf("after sign-up: %q, want pending", st)
	}
	msgs := h.sendMail()
	if len(msgs) != 1 {
		t.Fatalf("%d mails, want 1", len(msgs))
	}
	for _, want := range []string{"To: <Ada@example.org>", "Subject: Confirm your subscription to Agora", "Auto-Submitted: auto-generated", "From: \"Agora\" <news@example.org>"} {
		if !strings.Contains(msgs[0], want) {
			t.Errorf("mail lacks %q:\n%s", want, msgs[0])
		}
	}
	link := confirmLink(t, msgs[0])

	// A mail scanner opening the link changes nothing.
	w = h.get(link)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), ">Confirm</button>") || !strings.Contains(w.Body.String(), "events, Go") {
		t.Fatalf("GET %s: %d\n%s", link, w.Code, w.Body)
	}
	if st := h.status("ada@example.org"); st != subscriber.Pending {
		t.Fatalf("after GET of the link: %q, want pending", st)
	}

	h.clock.advance(time.Hour)
	w = h.do(req{method: "POST", target: link, origin: testEndpoint})
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != link {
		t.Fatalf("POST %s: %d to %q, want 303 back to the page", link, w.Code, w.Header().Get("Location"))
	}
	sub, err := h.st.Get(bg, "ada@example.org")
	if err != nil || sub.Status != subscriber.Active || sub.Consent.How != "form" || !sub.Consent.At.Equal(h.clock.now()) ||
		sub.Name != "Ada" || !slices.Equal(sub.Topics, []string{"events", "go"}) {
		t.Fatalf("after Confirm: %+v, %v", sub, err)
	}
	if w = h.get(link); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "You are subscribed") {
		t.Errorf("the page after confirming: %d\n%s", w.Code, w.Body)
	}
	// Pressing Confirm again (a reload, a second tab) is harmless.
	if w = h.do(req{method: "POST", target: link, origin: testEndpoint}); w.Code != http.StatusSeeOther || h.status("ada@example.org") != subscriber.Active {
		t.Errorf("second Confirm: %d, %s", w.Code, h.status("ada@example.org"))
	}
}

func TestConfirmationMailHoldsNothingTyped(t *testing.T) {
	h := newHarness(t)
	name := "Win a prize at http://spam.example"
	h.signup("ada@example.org", url.Values{"name": {name}, "topics": {"free-money-now"}})
	msgs := h.sendMail()
	if len(msgs) != 1 {
		t.Fatalf("%d mails", len(msgs))
	}
	all := strings.ToLower(msgs[0] + mailText(t, msgs[0]))
	for _, typed := range []string{"prize", "spam.example", "free-money", "win a"} {
		if strings.Contains(all, typed) {
			t.Errorf("the confirmation mail holds %q, which the visitor typed:\n%s", typed, msgs[0])
		}
	}
}

func TestResubscribeNeedsFreshConfirmation(t *testing.T) {
	h := newHarness(t)
	old, err := subscriber.New("ada@example.org", "Ada", nil, subscriber.Unsubscribed, subscriber.Consent{How: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.st.Add(bg, old, false); err != nil {
		t.Fatal(err)
	}
	h.signup("ada@example.org", nil)
	if st := h.status("ada@example.org"); st != subscriber.Unsubscribed {
		t.Fatalf("a sign-up alone re-subscribed an unsubscribed address: %s", st)
	}
	link := confirmLink(t, h.sendMail()[0])
	h.do(req{method: "POST", target: link, origin: testEndpoint})
	if st := h.status("ada@example.org"); st != subscriber.Active {
		t.Fatalf("after confirming: %s", st)
	}
	// Unsubscribing closes the request: the old link cannot bring them back.
	unsub := "/unsubscribe?t=" + h.tok(token.Unsubscribe, "ada@example.org", 0)
	h.do(req{method: "POST", target: unsub, ctype: formType, body: "List-Unsubscribe=One-Click"})
	if w := h.do(req{method: "POST", target: link, origin: testEndpoint}); w.Code != http.StatusSeeOther || h.status("ada@example.org") != subscriber.Unsubscribed {
		t.Errorf("an old confirmation link after unsubscribing: %d, %s", w.Code, h.status("ada@example.org"))
	}
	if w := h.get(link); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "cannot be used any more") {
		t.Errorf("the old link's page: %d\n%s", w.Code, w.Body)
	}
}

// TestNoEnumeration: the answer to a sign-up is the same, byte for byte
// apart from Date, whatever the list knows of the address.
func TestNoEnumeration(t *testing.T) {
	h := newHarness(t, noClientLimits)
	for email, st := range map[string]subscriber.Status{
		"active@example.org": subscriber.Active, "pending@example.org": subscriber.Pending,
		"gone@example.org": subscriber.Unsubscribed, "bounced@example.org": subscriber.Bounced,
	} {
		sub, err := subscriber.New(email, "", nil, st, subscriber.Consent{How: "cli"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := h.st.Add(bg, sub, false); err != nil {
			t.Fatal(err)
		}
	}
	h.signup("limited@example.org", nil) // its next mail is held back by the per-address limit
	answer := func(w *httptest.ResponseRecorder) string {
		hdr := w.Header().Clone()
		hdr.Del("Date")
		var b strings.Builder
		_ = hdr.Write(&b)
		return w.Result().Status + "\n" + b.String() + "\n" + w.Body.String()
	}
	for _, asJSON := range []bool{false, true} {
		var first, firstEmail string
		for _, email := range []string{"new@example.org", "active@example.org", "pending@example.org", "gone@example.org", "bounced@example.org", "limited@example.org"} {
			var w *httptest.ResponseRecorder
			if asJSON {
				tok := h.formToken()
				w = h.do(req{method: "POST", target: "/subscribe", ctype: "application/json", origin: testSite,
					body: `{"email":"` + email + `","name":"","topics":["go"],"form_token":"` + tok + `"}`})
			} else {
				w = h.signup(email, url.Values{"topics": {"go"}})
			}
			got := answer(w)
			if first == "" {
				first, firstEmail = got, email
				continue
			}
			if got != first {
				t.Errorf("json=%v: the answer for %s differs from the one for %s:\n%s\n---\n%s", asJSON, email, firstEmail, got, first)
			}
		}
	}
}

func TestLinksThroughHTTP(t *testing.T) {
	h := newHarness(t)
	h.signup("ada@example.org", nil)
	ada := h.sub("ada@example.org")
	good := h.confirmTok("ada@example.org", 7*24*time.Hour)
	tampered := []byte(good)
	tampered[len(tampered)-2] ^= 1
	erased := h.signer.Sign(token.Confirm, token.NewSubject(), "r", time.Hour)
	expired := h.confirmTok("ada@example.org", time.Minute)
	h.clock.advance(2 * time.Minute)
	foreign, _ := token.New([]byte(strings.Repeat("x", 40)), h.clock.now)

	for _, tc := range []struct {
		name, path string
		want       int
		says       string
	}{
		{"tampered", "/confirm?t=" + string(tampered), 400, "not valid"},
		{"truncated", "/confirm?t=" + good[:len(good)-5], 400, "not valid"},
		{"empty", "/confirm?t=", 400, "not valid"},
		{"other secret", "/confirm?t=" + foreign.Sign(token.Confirm, ada.Link, "r", time.Hour), 400, "not valid"},
		{"another subscriber's secret", "/confirm?t=" + h.signer.Sign(token.Confirm, token.Subject{Handle: ada.Link.Handle, Secret: "x"}, "r", time.Hour), 400, "not valid"},
		{"expired", "/confirm?t=" + expired, 400, "expired"},
		{"unsubscribe token at confirm", "/confirm?t=" + h.tok(token.Unsubscribe, "ada@example.org", 0), 400, "not valid"},
		{"form token at confirm", "/confirm?t=" + h.svc.newFormToken(), 400, "not valid"},
		{"confirm token at unsubscribe", "/unsubscribe?t=" + good, 400, "not valid"},
		{"preferences token at unsubscribe", "/unsubscribe?t=" + h.tok(token.Preferences, "ada@example.org", 0), 400, "not valid"},
		{"confirm token at preferences", "/preferences?t=" + good, 400, "not valid"},
		{"erased subscriber", "/confirm?t=" + erased, 400, "cannot be used"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := dump(t, h.path)
			for _, method := range []string{"GET", "POST"} {
				w := h.do(req{method: method, target: tc.path, ctype: formType, body: "List-Unsubscribe=One-Click", origin: testEndpoint})
				want := tc.want
				if method == "POST" && tc.name == "erased subscriber" {
					want = http.StatusSeeOther // to the page that says so
				}
				if w.Code != want || (w.Code == 400 && !strings.Contains(w.Body.String(), tc.says)) {
					t.Errorf("%s: %d, want %d saying %q\n%s", method, w.Code, want, tc.says, w.Body)
				}
			}
			if after := dump(t, h.path); after != before {
				t.Errorf("the database changed:\n%s\n---\n%s", before, after)
			}
		})
	}
	if h.status("ada@example.org") != subscriber.Pending {
		t.Error("a bad link changed the subscriber")
	}
}

func TestGetNeverChangesState(t *testing.T) {
	h := newHarness(t)
	h.signup("ada@example.org", url.Values{"topics": {"go"}})
	h.sendMail()
	before := dump(t, h.path)
	for _, path := range []string{
		"/", "/subscribe", "/form-token", "/style.css", "/healthz",
		"/confirm?t=" + h.confirmTok("ada@example.org", time.Hour),
		"/preferences?t=" + h.tok(token.Preferences, "ada@example.org", time.Hour) + "&name=Mallory&topics=spam",
		"/unsubscribe?t=" + h.tok(token.Unsubscribe, "ada@example.org", 0) + "&List-Unsubscribe=One-Click",
		"/subscribe?email=bob@example.org&form_token=" + h.svc.newFormToken(),
	} {
		for _, method := range []string{"GET", "HEAD"} {
			if w := h.do(req{method: method, target: path}); w.Code >= 300 {
				t.Errorf("%s %s: %d", method, path, w.Code)
			}
		}
	}
	if after := dump(t, h.path); after != before {
		t.Errorf("a GET changed the database:\n%s\n---\n%s", before, after)
	}
}

func TestOneClickUnsubscribe(t *testing.T) {
	h := newHarness(t)
	sub, _ := subscriber.New("ada@example.org", "", nil, subscriber.Active, subscriber.Consent{How: "cli"})
	if _, err := h.st.Add(bg, sub, false); err != nil {
		t.Fatal(err)
	}
	target := "/unsubscribe?t=" + h.tok(token.Unsubscribe, "ada@example.org", 0)

	if w := h.get(target); w.Code != 200 || !strings.Contains(w.Body.String(), ">Unsubscribe</button>") {
		t.Fatalf("GET: %d\n%s", w.Code, w.Body)
	}
	if w := h.do(req{method: "POST", target: target, ctype: formType}); w.Code != 400 || h.status("ada@example.org") != subscriber.Active {
		t.Errorf("POST without List-Unsubscribe=One-Click: %d, %s", w.Code, h.status("ada@example.org"))
	}
	// As a mail provider sends it: no Origin, no cookies; the answer is
	// 200 with no redirect, and a second one changes nothing.
	for i := range 2 {
		w := h.do(req{method: "POST", target: target, ctype: formType, body: "List-Unsubscribe=One-Click"})
		if w.Code != 200 || w.Header().Get("Location") != "" || !strings.Contains(w.Body.String(), "You are unsubscribed") {
			t.Errorf("one-click %d: %d, Location %q", i+1, w.Code, w.Header().Get("Location"))
		}
		if st := h.status("ada@example.org"); st != subscriber.Unsubscribed {
			t.Errorf("one-click %d: %s", i+1, st)
		}
	}
	// RFC 8058 allows multipart/form-data too, and webmail posting from
	// its own origin must not be refused.
	h2 := newHarness(t)
	if _, err := h2.st.Add(bg, sub, false); err != nil {
		t.Fatal(err)
	}
	target = "/unsubscribe?t=" + h2.tok(token.Unsubscribe, "ada@example.org", 0)
	mp := "--XX\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--XX--\r\n"
	w := h2.do(req{method: "POST", target: target, ctype: "multipart/form-data; boundary=XX", body: mp, origin: "https://mail.example.net"})
	if w.Code != 200 || h2.status("ada@example.org") != subscriber.Unsubscribed {
		t.Errorf("multipart one-click: %d, %s\n%s", w.Code, h2.status("ada@example.org"), w.Body)
	}
}

func TestPreferences(t *testing.T) {
	h := newHarness(t)
	sub, _ := subscriber.New("ada@example.org", "Ada", []string{"go"}, subscriber.Active, subscriber.Consent{How: "cli"})
	if _, err := h.st.Add(bg, sub, false); err != nil {
		t.Fatal(err)
	}
	target := "/preferences?t=" + h.tok(token.Preferences, "ada@example.org", 0)
	w := h.get(target)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `value="go" checked`) || !strings.Contains(w.Body.String(), `value="Ada"`) {
		t.Fatalf("GET: %d\n%s", w.Code, w.Body)
	}
	w = h.do(req{method: "POST", target: target, ctype: formType, origin: testEndpoint, body: url.Values{"name": {"Ada L."}, "topics": {"events", "metrics"}}.Encode()})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("POST: %d\n%s", w.Code, w.Body)
	}
	got, _ := h.st.Get(bg, "ada@example.org")
	if got.Name != "Ada L." || !slices.Equal(got.Topics, []string{"events", "metrics"}) || got.Status != subscriber.Active {
		t.Errorf("saved %+v", got)
	}
	if w = h.get(w.Header().Get("Location")); !strings.Contains(w.Body.String(), "Saved.") {
		t.Errorf("no Saved notice:\n%s", w.Body)
	}
	w = h.do(req{method: "POST", target: target, ctype: formType, origin: testEndpoint, body: url.Values{"name": {"two\nlines"}}.Encode()})
	if w.Code != 400 || !strings.Contains(w.Body.String(), `aria-invalid="true"`) {
		t.Errorf("a bad name: %d\n%s", w.Code, w.Body)
	}
	if w = h.do(req{method: "POST", target: target, ctype: formType, origin: "https://evil.example", body: "name=Mallory"}); w.Code != 403 {
		t.Errorf("from another site: %d", w.Code)
	}
}

func TestPerNetworkLimit(t *testing.T) {
	h := newHarness(t)
	signupFrom := func(ip, email string) int {
		tok := h.formToken()
		return h.do(req{method: "POST", target: "/subscribe", ctype: formType, origin: testSite, ip: ip,
			body: url.Values{"email": {email}, "form_token": {tok}}.Encode()}).Code
	}
	burst := h.svc.opt.Limits.SignupBurst
	for i := range burst {
		if code := signupFrom("198.51.100.7:1", "a"+string(rune('0'+i))+"@example.org"); code != http.StatusSeeOther {
			t.Fatalf("sign-up %d: %d", i+1, code)
		}
	}
	tok := h.formToken()
	w := h.do(req{method: "POST", target: "/subscribe", ctype: formType, origin: testSite, ip: "198.51.100.7:2",
		body: url.Values{"email": {"over@example.org"}, "form_token": {tok}}.Encode()})
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Errorf("sign-up %d from one address: %d, Retry-After %q", burst+1, w.Code, w.Header().Get("Retry-After"))
	}
	if h.status("over@example.org") != "" {
		t.Error("the refused sign-up was recorded")
	}
	if code := signupFrom("198.51.100.8:1", "other@example.org"); code != http.StatusSeeOther {
		t.Errorf("another address: %d", code)
	}
	// One IPv6 /64 is one network.
	for i := range burst {
		signupFrom("[2001:db8:1:2::"+string(rune('a'+i))+"]:1", "v6"+string(rune('0'+i))+"@example.org")
	}
	if code := signupFrom("[2001:db8:1:2:ffff::1]:1", "v6x@example.org"); code != http.StatusTooManyRequests {
		t.Errorf("a fresh address in the same /64: %d, want 429", code)
	}
	h.clock.advance(time.Hour)
	if code := signupFrom("198.51.100.7:3", "later@example.org"); code != http.StatusSeeOther {
		t.Errorf("an hour later: %d", code)
	}
}

func TestPerAddressLimitSurvivesRestart(t *testing.T) {
	c := &clock{t: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)}
	path := t.TempDir() + "/agora.db"
	h := harnessOn(t, path, c, noClientLimits)
	for range 20 {
		if w := h.signup("victim@example.org", nil); w.Code != http.StatusSeeOther {
			t.Fatalf("sign-up: %d", w.Code)
		}
	}
	if n := len(h.sendMail()); n != 1 {
		t.Fatalf("a flood of 20 sign-ups sent %d confirmations, want 1", n)
	}
	h.st.Close()

	c.advance(30 * time.Minute)
	h = harnessOn(t, path, c, noClientLimits)
	h.signup("victim@example.org", nil)
	if n := len(h.sendMail()); n != 0 {
		t.Errorf("after a restart, half an hour on: %d confirmations, want 0", n)
	}
	c.advance(30 * time.Minute)
	h.signup("victim@example.org", nil)
	if n := len(h.sendMail()); n != 1 {
		t.Errorf("an hour after the first: %d confirmations, want 1", n)
	}
}

func TestHoneypot(t *testing.T) {
	h := newHarness(t)
	real := h.signup("person@example.org", nil)
	bot := h.signup("bot-target@example.org", url.Values{HoneypotField: {"http://spam.example"}})
	if bot.Code != real.Code || bot.Header().Get("Location") != real.Header().Get("Location") {
		t.Errorf("the honeypot's answer differs: %d %q vs %d %q", bot.Code, bot.Header().Get("Location"), real.Code, real.Header().Get("Location"))
	}
	if h.status("bot-target@example.org") != "" {
		t.Error("a sign-up with the honeypot filled in was recorded")
	}
	// Without a form token too: the bot never gets one.
	first := h.post("/subscribe", url.Values{"email": {"b2@example.org"}, HoneypotField: {"x"}})
	if first.Code != http.StatusSeeOther || h.status("b2@example.org") != "" {
		t.Errorf("honeypot without a form token: %d", first.Code)
	}
	if n := len(h.sendMail()); n != 1 {
		t.Errorf("%d mails, want only the person's", n)
	}
}

func TestMinimumFillTime(t *testing.T) {
	h := newHarness(t)
	minFill := h.svc.opt.Limits.MinFill
	for _, tc := range []struct {
		name     string
		age      time.Duration
		token    func() string
		recorded bool
	}{
		{"no token", 0, func() string { return "" }, false},
		{"forged", minFill, func() string { return "1.2" }, false},
		{"too fast", minFill - time.Millisecond, h.svc.newFormToken, false},
		{"just in time", minFill, h.svc.newFormToken, true},
		{"expired", h.svc.opt.Limits.FormTTL, h.svc.newFormToken, false},
		{"confirm token", minFill, func() string {
			return h.signer.Sign(token.Confirm, token.Subject{Handle: token.Random(16)}, fmt.Sprint(h.clock.now().UnixMilli()), time.Hour)
		}, false},
		{"old format", minFill, func() string { return h.signer.SignLegacy(formPurpose, h.clock.now().UnixMilli(), time.Hour) }, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			email := strings.ReplaceAll(tc.name, " ", "-") + "@example.org"
			tok := tc.token()
			h.clock.advance(tc.age)
			w := h.post("/subscribe", url.Values{"email": {email}, "form_token": {tok}})
			if got := h.status(email) != ""; got != tc.recorded {
				t.Errorf("recorded %v, want %v (answer %d)", got, tc.recorded, w.Code)
			}
			if !tc.recorded {
				m := tokenField.FindStringSubmatch(w.Body.String())
				if w.Code != 200 || m == nil || !strings.Contains(w.Body.String(), `value="`+email+`"`) {
					t.Errorf("want the form again with what was typed and a form token: %d\n%s", w.Code, w.Body)
				}
			}
			j := h.do(req{method: "POST", target: "/subscribe", ctype: "application/json", origin: testSite,
				body: `{"email":"j` + email + `","form_token":"` + tok + `"}`})
			if !tc.recorded && (j.Code != 400 || !strings.Contains(j.Body.String(), `"field":"form_token"`)) {
				t.Errorf("JSON: %d %s", j.Code, j.Body)
			}
		})
	}
}

func TestFormErrorsAreShown(t *testing.T) {
	h := newHarness(t)
	tok := h.formToken()
	w := h.post("/subscribe", url.Values{"email": {"not an address"}, "name": {"Ada"}, "topics": {"go"}, "form_token": {tok}})
	b := w.Body.String()
	if w.Code != 400 || !strings.Contains(b, `aria-describedby="email-error"`) || !strings.Contains(b, `value="Ada"`) || !strings.Contains(b, `value="go" checked`) {
		t.Errorf("a bad address: %d\n%s", w.Code, b)
	}
	j := h.do(req{method: "POST", target: "/subscribe", ctype: "application/json", origin: testSite, body: `{"email":"nope","form_token":"` + tok + `"}`})
	if j.Code != 400 || !strings.Contains(j.Body.String(), `"field":"email"`) {
		t.Errorf("JSON: %d %s", j.Code, j.Body)
	}
	if j := h.do(req{method: "POST", target: "/subscribe", ctype: "application/json", origin: testSite, body: `{"email":"a@example.org","admin":true}`}); j.Code != 400 {
		t.Errorf("unknown JSON field: %d", j.Code)
	}
}

func TestBodyCap(t *testing.T) {
	h := newHarness(t)
	big := "email=a%40example.org&name=" + strings.Repeat("x", int(h.svc.opt.Limits.MaxBody))
	unsub := "/unsubscribe?t=" + h.signer.Sign(token.Unsubscribe, token.NewSubject(), "", 0)
	for _, r := range []req{
		{method: "POST", target: "/subscribe", ctype: formType, body: big, origin: testSite},
		{method: "POST", target: "/subscribe", ctype: "application/json", body: `{"email":"` + strings.Repeat("a", int(h.svc.opt.Limits.MaxBody)) + `"}`, origin: testSite},
		{method: "POST", target: unsub, ctype: formType, body: "List-Unsubscribe=One-Click&x=" + strings.Repeat("x", int(h.svc.opt.Limits.MaxBody))},
	} {
		if w := h.do(r); w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("%s %s (%s, %d bytes): %d, want 413", r.method, r.target[:min(len(r.target), 20)], r.ctype, len(r.body), w.Code)
		}
	}
	if w := h.do(req{method: "POST", target: "/subscribe", ctype: "text/plain", body: "hi", origin: testSite}); w.Code != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain: %d, want 415", w.Code)
	}
}

func TestOriginAndCORS(t *testing.T) {
	h := newHarness(t, noClientLimits)
	for _, tc := range []struct {
		origin string
		ok     bool
	}{
		{"", true},
		{testSite, true},
		{"HTTPS://HUB.example.org", true},
		{testEndpoint, true},
		{"https://hub.example.org:8443", false},
		{"http://hub.example.org", false},
		{"https://evil.example", false},
		{"null", false},
	} {
		t.Run("origin "+tc.origin, func(t *testing.T) {
			tok := h.formToken()
			email := "o" + strings.NewReplacer(":", "", "/", "", ".", "").Replace(strings.ToLower(tc.origin)) + "@example.org"
			w := h.do(req{method: "POST", target: "/subscribe", ctype: "application/json", origin: tc.origin,
				body: `{"email":"` + email + `","form_token":"` + tok + `"}`})
			if ok := w.Code == http.StatusAccepted; ok != tc.ok {
				t.Errorf("sign-up: %d\n%s", w.Code, w.Body)
			}
			if got := h.status(email) != ""; got != tc.ok {
				t.Errorf("recorded: %v", got)
			}
			acao := w.Header().Get("Access-Control-Allow-Origin")
			if tc.ok && tc.origin != "" && acao != tc.origin || !tc.ok && acao != "" {
				t.Errorf("Access-Control-Allow-Origin %q", acao)
			}
			pre := h.do(req{method: "OPTIONS", target: "/subscribe", origin: tc.origin,
				header: http.Header{"Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"content-type"}}})
			if ok := pre.Code == http.StatusNoContent; ok != (tc.ok && tc.origin != "") {
				t.Errorf("preflight: %d", pre.Code)
			}
		})
	}
	if w := h.do(req{method: "POST", target: "/confirm?t=" + h.signer.Sign(token.Confirm, token.NewSubject(), "r", time.Hour), origin: "https://evil.example"}); w.Code != 403 {
		t.Errorf("Confirm from another site: %d", w.Code)
	}
	pre := h.do(req{method: "OPTIONS", target: "/subscribe", origin: testSite,
		header: http.Header{"Access-Control-Request-Method": {"POST"}, "Access-Control-Request-Headers": {"x-admin"}}})
	if pre.Code != 403 {
		t.Errorf("preflight asking for another header: %d", pre.Code)
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := newHarness(t)
	for _, path := range []string{"/", "/subscribe", "/confirm?t=x", "/nowhere"} {
		w := h.get(path)
		for name, want := range map[string]string{
			"X-Content-Type-Options": "nosniff",
			"Referrer-Policy":        "same-origin",
			"X-Frame-Options":        "DENY",
			"Cache-Control":          "no-store",
		} {
			if got := w.Header().Get(name); got != want {
				t.Errorf("%s: %s %q, want %q", path, name, got, want)
			}
		}
		csp := w.Header().Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "frame-ancestors 'none'", "form-action 'self' " + testSite, "style-src 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP %q lacks %q", path, csp, want)
			}
		}
	}
	w := h.get("/subscribe")
	if !strings.Contains(w.Body.String(), `href="/style.css?v=`) || !strings.Contains(w.Body.String(), `<html lang="en">`) {
		t.Errorf("the form page does not use the site's stylesheet:\n%s", w.Body)
	}
	if css := h.get("/style.css"); css.Body.String() != "body { margin: 0 }" || css.Header().Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("style.css: %q %q", css.Body, css.Header().Get("Content-Type"))
	}
	if w := h.do(req{method: "DELETE", target: "/subscribe"}); w.Code != http.StatusMethodNotAllowed {
		t.Errorf("DELETE: %d", w.Code)
	}
}

func TestEndpointPath(t *testing.T) {
	h := newHarness(t, func(o *Options) {
		o.Site.Endpoint, _ = url.Parse("https://hub.example.org/newsletter-service/")
	})
	if w := h.get("/newsletter-service/subscribe"); w.Code != 200 || !strings.Contains(w.Body.String(), `action="/newsletter-service/subscribe"`) {
		t.Errorf("below the endpoint's path: %d\n%s", w.Code, w.Body)
	}
	if w := h.get("/subscribe"); w.Code != 404 {
		t.Errorf("outside it: %d", w.Code)
	}
	if got := Link("https://hub.example.org/newsletter-service/", token.Unsubscribe, "T"); got != "https://hub.example.org/newsletter-service/unsubscribe?t=T" {
		t.Errorf("Link: %s", got)
	}
}

func TestClientIP(t *testing.T) {
	h := newHarness(t, func(o *Options) {
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8")}
	})
	for _, tc := range []struct {
		remote, xff, want string
	}{
		{"192.0.2.1:1", "203.0.113.9", "192.0.2.1"},                           // not a proxy: its header is ignored
		{"127.0.0.1:1", "203.0.113.9", "203.0.113.9"},                         // the proxy's word
		{"127.0.0.1:1", "6.6.6.6, 203.0.113.9", "203.0.113.9"},                // the client typed the first one
		{"127.0.0.1:1", "203.0.113.9, 10.1.2.3", "203.0.113.9"},               // through two proxies
		{"127.0.0.1:1", "", "127.0.0.1"},                                      // no header
		{"127.0.0.1:1", "garbage", "127.0.0.1"},                               // unreadable
		{"[::ffff:127.0.0.1]:1", "2001:db8::1", "2001:db8::1"},                // IPv4-mapped proxy
		{"127.0.0.1:1", "10.0.0.1, 10.0.0.2", "10.0.0.1"},                     // only proxies
		{"[2001:db8::7]:1", "203.0.113.9", "2001:db8::7"},                     // IPv6 client
		{"127.0.0.1:1", "203.0.113.9,198.51.100.1, 10.0.0.5", "198.51.100.1"}, // the last untrusted hop
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := h.svc.clientIP(r).String(); got != tc.want {
			t.Errorf("%s with X-Forwarded-For %q: %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
}

func TestMailRetries(t *testing.T) {
	h := newHarness(t)
	h.signup("ada@example.org", nil)
	h.sender.err = errors.New("dial tcp: connection refused")
	h.sendMail()
	if got := h.sender.sent(); len(got) != 0 {
		t.Fatal("sent despite the error")
	}
	h.sender.err = nil
	if n := len(h.sendMail()); n != 0 {
		t.Errorf("retried before the back-off: %d", n)
	}
	h.clock.advance(retryDelays[0])
	if n := len(h.sendMail()); n != 1 {
		t.Errorf("after the back-off: %d mails, want 1", n)
	}

	h.signup("gone@example.org", nil)
	h.sender.err = replyError(550)
	h.sendMail()
	h.sender.err = nil
	h.clock.advance(24 * time.Hour)
	if n := len(h.sendMail()); n != 0 {
		t.Errorf("a permanent failure was tried again: %d", n)
	}
	if permanent(replyError(451)) || !permanent(fmt.Errorf("wrapped: %w", replyError(554))) {
		t.Error("permanent: want 5xx replies only")
	}
}

// replyError is an SMTP reply as go-mail reports it.
type replyError int

func (e replyError) Error() string  { return fmt.Sprintf("%d refused", int(e)) }
func (e replyError) ErrorCode() int { return int(e) }

func TestLimitsOff(t *testing.T) {
	l := DefaultLimits().WithoutClientLimits()
	if l.SignupsPerIP != rate.Inf || l.RequestsPerIP != rate.Inf || l.MinFill != 0 || l.MailEvery != time.Hour {
		t.Errorf("%+v", l)
	}
}

// TestConcurrentSignups: requests arriving together share group commits,
// and each is still recorded exactly once.
func TestConcurrentSignups(t *testing.T) {
	h := newHarness(t, noClientLimits)
	const n = 100
	var wg sync.WaitGroup
	codes := make([]int, n)
	for i := range n {
		wg.Go(func() {
			email := fmt.Sprintf("p%03d@example.org", i)
			codes[i] = h.do(req{method: "POST", target: "/subscribe", ctype: formType, origin: testSite,
				body: url.Values{"email": {email}, "form_token": {h.svc.newFormToken()}}.Encode()}).Code
		})
	}
	wg.Wait()
	for i, c := range codes {
		if c != http.StatusSeeOther {
			t.Errorf("sign-up %d: %d", i, c)
		}
	}
	h.svc.processInbox(bg)
	counts, err := h.st.Count(bg)
	if err != nil || counts[subscriber.Pending] != n {
		t.Errorf("pending %d, %v; want %d", counts[subscriber.Pending], err, n)
	}
	if got := len(h.sendMail()); got != n {
		t.Errorf("%d mails, want %d", got, n)
	}
}

// TestIPLimiterEvicts: a limiter tracks at most max networks and, full,
// forgets the one seen least recently rather than refuse every new client
// (the old limiter failed closed: a flood from many networks locked
// everyone else out).
func TestIPLimiterEvicts(t *testing.T) {
	l := newIPLimiter(rate.Every(time.Minute), 1, 2)
	now := time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)
	a, b, c := netip.MustParsePrefix("192.0.2.1/32"), netip.MustParsePrefix("192.0.2.2/32"), netip.MustParsePrefix("192.0.2.3/32")
	for _, k := range []netip.Prefix{a, b} {
		if ok, _ := l.allow(k, now); !ok {
			t.Fatalf("%v refused", k)
		}
	}
	if ok, retry := l.allow(a, now); ok || retry != time.Minute {
		t.Errorf("a again at once: ok=%v retry=%v", ok, retry) // and a is now the most recent
	}
	if ok, _ := l.allow(c, now); !ok {
		t.Error("a third network while the table is full: refused")
	}
	if n := l.size(); n != 2 {
		t.Errorf("%d networks tracked, want 2", n)
	}
	// b, the least recently seen, was forgotten; a is still limited.
	if ok, _ := l.allow(a, now); ok {
		t.Error("a, seen most recently, lost its limit")
	}
	if ok, _ := l.allow(b, now); !ok {
		t.Error("b was not the one forgotten")
	}
}

func TestErasedSubscriberLinks(t *testing.T) {
	h := newHarness(t)
	erased := token.NewSubject()
	target := "/preferences?t=" + h.signer.Sign(token.Preferences, erased, "", 0)
	if w := h.get(target); w.Code != 400 || !strings.Contains(w.Body.String(), "not on the list any more") {
		t.Errorf("preferences of an erased subscriber: %d\n%s", w.Code, w.Body)
	}
	if w := h.do(req{method: "POST", target: target, ctype: formType, origin: testEndpoint, body: "name=Ada"}); w.Code != 400 {
		t.Errorf("saving them: %d", w.Code)
	}
	unsub := "/unsubscribe?t=" + h.signer.Sign(token.Unsubscribe, erased, "", 0)
	if w := h.get(unsub); w.Code != 200 || !strings.Contains(w.Body.String(), "You are unsubscribed") {
		t.Errorf("unsubscribe page of an erased subscriber: %d", w.Code)
	}
	if w := h.do(req{method: "POST", target: unsub, ctype: formType, body: "List-Unsubscribe=One-Click"}); w.Code != 200 {
		t.Errorf("one-click for an erased subscriber: %d, want 200 (nothing left to mail)", w.Code)
	}
}

// TestDatabaseDown: a write that fails is a 503 the person may retry,
// the same for every address.
func TestDatabaseDown(t *testing.T) {
	h := newHarness(t)
	tok := h.formToken()
	h.st.Close()
	w := h.post("/subscribe", url.Values{"email": {"ada@example.org"}, "form_token": {tok}})
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("sign-up with the database closed: %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
}
