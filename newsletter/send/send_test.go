package send_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-smtp"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/newsletter/database"
	"github.com/agora-hub/agora/newsletter/digest"
	"github.com/agora-hub/agora/newsletter/mailer"
	"github.com/agora-hub/agora/newsletter/send"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
	"github.com/agora-hub/agora/newsletter/token"
)

var ctx = context.Background()

const secret = "0123456789abcdef0123456789abcdef-test"

var clock = time.Date(2026, 5, 10, 12, 0, 0, 0, time.UTC)

func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func tipFile(title, date, tags string) string {
	return fmt.Sprintf("+++\ntitle = %q\ndate = %s\ntags = [%s]\n+++\n\nBody of %s.\n", title, date, tags, title)
}

// fixture is a site, its database and the subscribers on it.
type fixture struct {
	dir, db string // db: a SQLite path or a postgres:// URL
	st      store.DB
	site    *digest.Site
}

func newFixture(t testing.TB, extra map[string]string) *fixture {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"site.toml": `baseURL = "https://example.github.io/hub/"
title = "Hub"
timezone = "Europe/Berlin"
[newsletter]
from = "Hub <news@example.org>"
reply_to = "editors@example.org"
endpoint = "https://hub.example.org/newsletter"
`,
		"content/tips/go.md":         tipFile("Go tip", "2026-05-01T09:00:00", `"go"`),
		"content/tips/moderation.md": tipFile("Moderation tip", "2026-05-02T09:00:00", `"moderation"`),
	}
	for k, v := range extra {
		files[k] = v
	}
	writeFiles(t, dir, files)
	f := &fixture{dir: dir, db: filepath.Join(dir, "agora.db")}
	f.open(t)
	return f
}

func (f *fixture) open(t testing.TB) {
	t.Helper()
	st, _, err := database.OpenAt(ctx, f.db, database.Options{Conns: 8})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	site, err := digest.Open(f.dir)
	if err != nil {
		t.Fatal(err)
	}
	f.st, f.site = st, site
}

func (f *fixture) add(t testing.TB, email, name string, topics ...string) {
	t.Helper()
	s, err := subscriber.New(email, name, topics, subscriber.Active, subscriber.Consent{How: "cli"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.Add(ctx, s, false); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) options(t testing.TB, srv *server, dk *send.DKIM, concurrency int) send.Options {
	t.Helper()
	signer, err := token.New([]byte(secret), nil)
	if err != nil {
		t.Fatal(err)
	}
	settings, err := mailer.Resolve(f.site.Config.Newsletter, func(k string) string {
		switch k {
		case mailer.EnvHost:
			return "127.0.0.1"
		case mailer.EnvPort:
			return fmt.Sprint(srv.port)
		}
		return ""
	})
	if err != nil {
		t.Fatal(err)
	}
	settings.TLSConfig = srv.tlsConfig()
	settings.Timeout = 5 * time.Second
	c, err := send.NewComposer(f.site, settings.From, settings.ReplyTo, signer, dk)
	if err != nil {
		t.Fatal(err)
	}
	return send.Options{
		Store: f.st, Journal: f.st, Composer: c, SMTP: settings, Concurrency: concurrency,
		Exclusive: f.st.Engine() == "sqlite", // as agora send, which holds the lock file there
		Retry:     send.Retry{Attempts: 4, Base: 5 * time.Millisecond, Max: 20 * time.Millisecond},
		Now:       func() time.Time { return clock },
	}
}

func (f *fixture) send(t testing.TB, opt send.Options, now time.Time) (send.Result, error) {
	t.Helper()
	p, err := send.NewPlan(ctx, f.site, f.st, now)
	if err != nil {
		t.Fatal(err)
	}
	return send.Run(ctx, p, opt)
}

func TestSendMessagesAndHeaders(t *testing.T) {
	f := newFixture(t, nil)
	f.add(t, "ada@example.org", "Ada", "go")
	f.add(t, "bob@example.org", "", "go", "moderation")
	f.add(t, "cy@example.org", "Cy", "cooking") // nothing new for Cy: no mail
	f.add(t, "dee@example.org", "Dee")          // no topics: everything

	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dk := &send.DKIM{Domain: "example.org", Selector: "agora", Key: priv}
	srv := newServer(t, faults{})
	res, err := f.send(t, f.options(t, srv, dk, 2), clock)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Finished || res.Sent != 3 || res.Queued != 3 || !res.Created {
		t.Fatalf("result %+v: want 3 sent, finished", res)
	}
	got := srv.byRecipient()
	if len(got) != 3 || got["cy@example.org"] != nil {
		t.Fatalf("recipients %v: want ada, bob and dee once each", got)
	}

	signer, _ := token.New([]byte(secret), nil)
	for _, m := range srv.messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.data))
		if err != nil {
			t.Fatal(err)
		}
		h := msg.Header
		sub, _ := f.st.Get(ctx, m.to)
		// No subscriber ID in clear: it would tell readers the list's length.
		if id := h.Get("Message-Id"); !strings.HasPrefix(id, "<issue-1.") || !strings.HasSuffix(id, "@example.org>") ||
			strings.Contains(id, fmt.Sprintf(".%d.", sub.ID)) || strings.Contains(id, "sub-") {
			t.Errorf("%s: Message-ID %q, want <issue-1.HASH@example.org>", m.to, id)
		}
		if from, _ := h.AddressList("From"); len(from) != 1 || from[0].Address != "news@example.org" || from[0].Name != "Hub" {
			t.Errorf("From %q", h.Get("From"))
		}
		if to, _ := h.AddressList("To"); len(to) != 1 || to[0].Address != m.to {
			t.Errorf("To %q", h.Get("To"))
		}
		if h.Get("Reply-To") != "<editors@example.org>" || h.Get("Date") == "" || h.Get("List-Id") != `"Hub" <newsletter.example.org>` {
			t.Errorf("Reply-To %q, Date %q, List-Id %q", h.Get("Reply-To"), h.Get("Date"), h.Get("List-Id"))
		}
		if h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
			t.Errorf("List-Unsubscribe-Post %q", h.Get("List-Unsubscribe-Post"))
		}
		lu := h.Get("List-Unsubscribe")
		https, mailto, _ := strings.Cut(lu, ", ")
		u, err := url.Parse(strings.Trim(https, "<>"))
		if err != nil || u.Scheme != "https" || u.Host != "hub.example.org" || u.Path != "/newsletter/unsubscribe" || !strings.HasPrefix(mailto, "<mailto:editors@example.org?") {
			t.Fatalf("List-Unsubscribe %q", lu)
		}
		if c, err := signer.Parse(u.Query().Get("t")); err != nil || c.Handle != sub.Link.Handle || signer.Check(c, token.Unsubscribe, sub.Link.Secret) != nil {
			t.Errorf("unsubscribe token for %s: %+v, %v", sub.Email, c, err)
		}

		mt, params, err := mime.ParseMediaType(h.Get("Content-Type"))
		if err != nil || mt != "multipart/alternative" {
			t.Fatalf("Content-Type %q", h.Get("Content-Type"))
		}
		mr := multipart.NewReader(msg.Body, params["boundary"])
		var types []string
		var html string
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
			types = append(types, ct)
			body, _ := io.ReadAll(p) // multipart decodes quoted-printable
			if ct == "text/html" {
				html = string(body)
			}
		}
		if !slices.Equal(types, []string{"text/plain", "text/html"}) {
			t.Errorf("parts %q: want text/plain then text/html", types)
		}
		if !strings.Contains(html, u.String()) || !strings.Contains(html, "https://example.github.io/hub/newsletter/2026-05-10-issue-1/") {
			t.Errorf("%s: the HTML lacks the unsubscribe or view-in-browser link", m.to)
		}
		if m.to == "ada@example.org" && (strings.Contains(html, "Moderation tip") || !strings.Contains(html, "Go tip")) {
			t.Errorf("ada chose go only")
		}

		// DKIM: the signature verifies and covers the unsubscribe headers.
		verifs, err := dkim.VerifyWithOptions(bytes.NewReader(m.data), &dkim.VerifyOptions{LookupTXT: func(domain string) ([]string, error) {
			if domain != "agora._domainkey.example.org" {
				return nil, fmt.Errorf("no record for %s", domain)
			}
			return []string{"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)}, nil
		}})
		if err != nil || len(verifs) != 1 || verifs[0].Err != nil {
			t.Fatalf("DKIM: %v %+v", err, verifs)
		}
		signed := strings.ToLower(strings.Join(verifs[0].HeaderKeys, ":"))
		for _, k := range []string{"list-unsubscribe", "list-unsubscribe-post", "from", "subject", "message-id"} {
			if !slices.Contains(strings.Split(signed, ":"), k) {
				t.Errorf("DKIM signs %s, not %s", signed, k)
			}
		}
	}

	if _, err := os.Stat(filepath.Join(f.dir, "content", "newsletter", "2026-05-10-issue-1.md")); err != nil {
		t.Errorf("no archive page: %v", err)
	}
	// Nothing new: a second send makes no issue.
	if _, err := f.send(t, f.options(t, srv, nil, 2), clock.Add(time.Hour)); !errors.Is(err, send.ErrNothingNew) {
		t.Errorf("second send: %v, want ErrNothingNew", err)
	}
	if len(srv.messages()) != 3 {
		t.Errorf("the second send mailed someone")
	}
}

func TestSendFaults(t *testing.T) {
	tests := []struct {
		name   string
		faults faults
		check  func(t *testing.T, res send.Result, f *fixture, srv *server)
	}{
		{
			name: "4xx on RCPT is retried, then delivered once",
			faults: faults{rcpt: func(to string, n int) error {
				if to == "ada@example.org" && n <= 2 {
					return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "try again later"}
				}
				return nil
			}},
			check: func(t *testing.T, res send.Result, f *fixture, srv *server) {
				if res.Sent != 3 || res.Retried != 2 || !res.Finished {
					t.Errorf("result %+v: want 3 sent after 2 retries", res)
				}
			},
		},
		{
			name: "5xx fails the row with the server's text and counts a bounce",
			faults: faults{rcpt: func(to string, n int) error {
				if to == "bob@example.org" {
					return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
				}
				return nil
			}},
			check: func(t *testing.T, res send.Result, f *fixture, srv *server) {
				if res.Sent != 2 || res.Bounced != 1 || !res.Finished {
					t.Errorf("result %+v: want 2 sent, 1 bounced", res)
				}
				if srv.byRecipient()["bob@example.org"] != nil {
					t.Error("bob got mail")
				}
				var unsent []store.Unsent
				_ = f.st.Unsent(ctx, res.Issue.ID, func(u store.Unsent) error { unsent = append(unsent, u); return nil })
				if len(unsent) != 1 || unsent[0].Email != "bob@example.org" || unsent[0].Failure != store.Bounce || !strings.Contains(unsent[0].Error, "550 5.1.1 no such user") {
					t.Errorf("unsent %+v", unsent)
				}
				bob, _ := f.st.Get(ctx, "bob@example.org")
				if n, _ := f.st.HardBounces(ctx, bob.ID); n != 1 {
					t.Errorf("hard bounces %d", n)
				}
			},
		},
		{
			name: "a connection dropped mid-DATA is retried and delivered once",
			faults: faults{data: func(to string, n int) (bool, error) {
				return to == "dee@example.org" && n == 1, nil
			}},
			check: func(t *testing.T, res send.Result, f *fixture, srv *server) {
				if res.Sent != 3 || res.Retried != 1 || !res.Finished {
					t.Errorf("result %+v", res)
				}
			},
		},
		{
			name: "a deferral that outlasts the retries leaves the row queued for the next run",
			faults: faults{rcpt: func(to string, n int) error {
				if to == "ada@example.org" && n <= 4 {
					return &smtp.SMTPError{Code: 454, EnhancedCode: smtp.EnhancedCode{4, 7, 0}, Message: "throttled"}
				}
				return nil
			}},
			check: func(t *testing.T, res send.Result, f *fixture, srv *server) {
				if res.Sent != 2 || res.Deferred != 1 || res.Finished {
					t.Errorf("result %+v: want ada deferred, the issue open", res)
				}
				opt := f.options(t, srv, nil, 1)
				again, err := f.send(t, opt, clock.Add(time.Hour))
				if err != nil || again.Created || again.Sent != 1 || !again.Finished {
					t.Errorf("resume: %+v, %v: want issue 1 resumed and ada sent", again, err)
				}
			},
		},
	}
	for _, tt := range tests {
		for _, pipelined := range []bool{true, false} {
			name := tt.name
			if !pipelined {
				name += ", no pipelining"
			}
			t.Run(name, func(t *testing.T) {
				if !pipelined {
					send.StepByStep(t)
				}
				f := newFixture(t, nil)
				f.add(t, "ada@example.org", "Ada", "go")
				f.add(t, "bob@example.org", "Bob")
				f.add(t, "dee@example.org", "Dee")
				srv := newServer(t, tt.faults)
				var progress bytes.Buffer
				opt := f.options(t, srv, nil, 2)
				opt.Progress = &syncWriter{w: &progress}
				res, err := f.send(t, opt, clock)
				if err != nil {
					t.Fatal(err)
				}
				tt.check(t, res, f, srv)
				assertOnce(t, srv, nil)
				if tt.faults.rcpt != nil && res.Retried+res.Deferred > 0 && !strings.Contains(progress.String(), "throttled by the server") {
					t.Errorf("a 4.7.x deferral is not shown to the operator:\n%s", progress.String())
				}
			})
		}
	}
}

// TestRefusedSenderStops: a 5xx to MAIL FROM is the settings' fault, not
// a subscriber's: the send stops with the reason and every row is left
// queued for the next run, pipelined or not.
func TestRefusedSenderStops(t *testing.T) {
	for _, pipelined := range []bool{true, false} {
		t.Run(fmt.Sprint("pipelined ", pipelined), func(t *testing.T) {
			if !pipelined {
				send.StepByStep(t)
			}
			f := newFixture(t, nil)
			for i := range 20 {
				f.add(t, fmt.Sprintf("r%02d@example.org", i), "")
			}
			srv := newServer(t, faults{mail: func(string) error {
				return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "sender not allowed"}
			}})
			res, err := f.send(t, f.options(t, srv, nil, 2), clock)
			if err == nil || !strings.Contains(err.Error(), "refuses the sender") || res.Sent != 0 || res.Bounced != 0 {
				t.Fatalf("%+v, %v: want the send stopped by the refusal", res, err)
			}
			if n, err := f.st.CountPending(ctx, res.Issue.ID); err != nil || n != 20 {
				t.Errorf("%d rows pending after the stop (%v), want all 20", n, err)
			}
			ds, _ := f.st.Pending(ctx, res.Issue.ID, 0, 100)
			for _, d := range ds {
				if d.State != store.Queued {
					t.Errorf("%s is %s, want queued", d.Subscriber.Email, d.State)
				}
			}
			if len(srv.messages()) != 0 {
				t.Error("the server took a message")
			}
		})
	}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

// assertOnce checks that nobody got two messages, except the addresses in
// twice, who may have got one message twice with the same Message-ID.
func assertOnce(t *testing.T, srv *server, twice map[string]bool) {
	t.Helper()
	for to, ids := range srv.byRecipient() {
		switch {
		case len(ids) == 1:
		case len(ids) == 2 && twice[to] && ids[0] == ids[1]:
		default:
			t.Errorf("%s received %d messages %q", to, len(ids), ids)
		}
	}
}

func TestThreeHardBouncesMakeBounced(t *testing.T) {
	f := newFixture(t, nil)
	f.add(t, "ada@example.org", "Ada")
	f.add(t, "bob@example.org", "Bob")
	srv := newServer(t, faults{rcpt: func(to string, _ int) error {
		if to == "bob@example.org" {
			return &smtp.SMTPError{Code: 550, Message: "mailbox unavailable"}
		}
		return nil
	}})
	for i := range 3 {
		day := clock.AddDate(0, 0, i)
		writeFiles(t, f.dir, map[string]string{fmt.Sprintf("content/tips/new-%d.md", i): tipFile(fmt.Sprintf("New %d", i), day.Add(-time.Hour).Format(time.RFC3339), `"go"`)})
		res, err := f.send(t, f.options(t, srv, nil, 1), day)
		if err != nil {
			t.Fatal(err)
		}
		wantBounced := i == 2
		if got := len(res.NewlyBounced) == 1; got != wantBounced {
			t.Errorf("issue %d: newly bounced %q", i+1, res.NewlyBounced)
		}
	}
	bob, _ := f.st.Get(ctx, "bob@example.org")
	if bob.Status != subscriber.Bounced {
		t.Errorf("bob is %s after three hard bounces, want bounced", bob.Status)
	}
	var last store.Event
	_ = f.st.Events(ctx, func(e store.Event) error { last = e; return nil })
	if last.From != "active" || last.To != "bounced" || last.How != "bounce:issue-3" {
		t.Errorf("last event %+v: want the change recorded", last)
	}
	if got := len(srv.byRecipient()["ada@example.org"]); got != 3 {
		t.Errorf("ada got %d issues, want 3", got)
	}
}

func TestCancelFinishesInFlightAndResumes(t *testing.T) {
	f := newFixture(t, nil)
	for i := range 40 {
		f.add(t, fmt.Sprintf("s%02d@example.org", i), "")
	}
	cctx, cancel := context.WithCancel(ctx)
	srv := newServer(t, faults{accepted: func(n int) {
		if n == 10 {
			cancel() // Ctrl-C while messages are in flight
		}
	}})
	opt := f.options(t, srv, nil, 4)
	p, err := send.NewPlan(ctx, f.site, f.st, clock)
	if err != nil {
		t.Fatal(err)
	}
	res, err := send.Run(cctx, p, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Interrupted || res.Finished || res.Sent >= 40 || res.Sent < 10 {
		t.Fatalf("result %+v: want stopped after the in-flight messages", res)
	}
	if got := len(srv.messages()); got != res.Sent {
		t.Errorf("server has %d, journal says %d sent: an in-flight message was abandoned", got, res.Sent)
	}
	again, err := f.send(t, opt, clock.Add(time.Minute))
	if err != nil || again.Created || !again.Finished || res.Sent+again.Sent != 40 {
		t.Fatalf("resume: %+v, %v", again, err)
	}
	assertOnce(t, srv, nil)
	if len(srv.byRecipient()) != 40 {
		t.Errorf("%d of 40 got the issue", len(srv.byRecipient()))
	}
}

// TestHeaderInjection: a name or a title with line breaks cannot add a
// header. The subscriber model refuses such names already; this checks
// the encoding itself, with a subscriber built around the model.
func TestHeaderInjection(t *testing.T) {
	f := newFixture(t, map[string]string{
		"content/tips/evil.md": "+++\ntitle = \"Evil\\r\\nBcc: victim@example.net\"\ndate = 2026-05-03T09:00:00\n+++\nx\n",
	})
	signer, _ := token.New([]byte(secret), nil)
	c, err := send.NewComposer(f.site, "Hub <news@example.org>", "", signer, nil)
	if err != nil {
		t.Fatal(err)
	}
	items, err := f.site.Gather(time.Time{}, clock)
	if err != nil {
		t.Fatal(err)
	}
	sub := subscriber.Subscriber{ID: 1, Email: "ada@example.org", Name: "Ada\r\nBcc: victim@example.net", Status: subscriber.Active}
	m, err := c.Compose(store.Issue{Number: 1, Cutoff: clock, Created: clock}, sub, items, 0, clock)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%q", m.Data[:400])
	head, _, _ := bytes.Cut(m.Data, []byte("\r\n\r\n"))
	if _, ok := msg.Header["Bcc"]; ok || bytes.Contains(head, []byte("\r\nBcc:")) {
		t.Fatalf("a Bcc header got in:\n%s", m.Data[:min(len(m.Data), 800)])
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != "ada@example.org" || to[0].Name != "Ada  Bcc: victim@example.net" {
		t.Errorf("To %q: %v", msg.Header.Get("To"), err)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || !strings.Contains(subj, "Evil Bcc: victim@example.net") {
		t.Errorf("Subject %q: %v", subj, err)
	}
}

func TestLoadDKIM(t *testing.T) {
	if d, err := send.LoadDKIM(config.DKIM{}, func(string) string { return "" }); d != nil || err != nil {
		t.Errorf("no [newsletter.dkim]: %v, %v", d, err)
	}
	if _, err := send.LoadDKIM(config.DKIM{Domain: "example.org", Selector: "s"}, func(string) string { return "" }); err == nil || !strings.Contains(err.Error(), send.EnvDKIMKey) {
		t.Errorf("no key file: %v", err)
	}
}
