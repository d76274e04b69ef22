package listen

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/agora-hub/agora/internal/smtpsink"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/store/postgres"
	"github.com/agora-hub/agora/newsletter/store/sqlite"
	"github.com/agora-hub/agora/newsletter/subscriber"
	"github.com/agora-hub/agora/newsletter/token"
)

const (
	testSite     = "https://hub.example.org"
	testEndpoint = "https://news.example.org"
	testSecret   = "0123456789abcdef0123456789abcdef-test"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fakeSender keeps the messages, or fails with err.
type fakeSender struct {
	mu   sync.Mutex
	msgs []string
	err  error
}

func (f *fakeSender) Send(_ context.Context, msg *gomail.Msg) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	var b bytes.Buffer
	if _, err := msg.WriteTo(&b); err != nil {
		return err
	}
	f.msgs = append(f.msgs, b.String())
	return nil
}

func (f *fakeSender) Idle() {}

func (f *fakeSender) sent() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.msgs...)
}

// harness is a Service on a temporary database, a clock that stands still
// and a sender that keeps the mail.
type harness struct {
	t      *testing.T
	svc    *Service
	h      http.Handler
	st     store.DB
	path   string // a SQLite file or a postgres:// URL
	clock  *clock
	sender *fakeSender
	signer *token.Signer
}

func newHarness(t *testing.T, tweak ...func(*Options)) *harness {
	t.Helper()
	c := &clock{t: time.Date(2026, 5, 4, 9, 0, 0, 0, time.UTC)}
	return harnessOn(t, filepath.Join(t.TempDir(), "agora.db"), c, tweak...)
}

func harnessOn(t *testing.T, path string, c *clock, tweak ...func(*Options)) *harness {
	t.Helper()
	var st store.DB
	var err error
	if postgres.IsURL(path) {
		st, err = postgres.Open(context.Background(), path, postgres.Options{Now: c.now, MaxConns: 8})
	} else {
		st, err = sqlite.Open(context.Background(), path, sqlite.Options{Now: c.now})
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	signer, err := token.New([]byte(testSecret), c.now)
	if err != nil {
		t.Fatal(err)
	}
	base, _ := url.Parse(testSite + "/hub/")
	endpoint, _ := url.Parse(testEndpoint)
	sender := &fakeSender{}
	opt := Options{
		Site: Site{
			Title: "Agora", Language: "en", BaseURL: base, Endpoint: endpoint,
			Topics: []Topic{{"events", "events"}, {"go", "Go"}, {"metrics", "metrics"}},
			CSS:    []byte("body { margin: 0 }"),
		},
		Store: st, Signer: signer, Sender: sender, From: "Agora <news@example.org>",
		Limits: DefaultLimits(), Now: c.now,
	}
	for _, f := range tweak {
		f(&opt)
	}
	svc, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, svc: svc, h: svc.Handler(), st: st, path: path, clock: c, sender: sender, signer: signer}
}

// req is one request; ip defaults to 192.0.2.1 and origin to none.
type req struct {
	method, target, ctype, body, origin, ip string
	header                                  http.Header
}

func (h *harness) do(r req) *httptest.ResponseRecorder {
	h.t.Helper()
	hr := httptest.NewRequest(r.method, r.target, strings.NewReader(r.body))
	if r.ctype != "" {
		hr.Header.Set("Content-Type", r.ctype)
	}
	if r.origin != "" {
		hr.Header.Set("Origin", r.origin)
	}
	for k, v := range r.header {
		hr.Header[k] = v
	}
	hr.RemoteAddr = "192.0.2.1:40000"
	if r.ip != "" {
		hr.RemoteAddr = r.ip
	}
	w := httptest.NewRecorder()
	h.h.ServeHTTP(w, hr)
	return w
}

const formType = "application/x-www-form-urlencoded"

func (h *harness) post(target string, form url.Values) *httptest.ResponseRecorder {
	h.t.Helper()
	return h.do(req{method: "POST", target: target, ctype: formType, body: form.Encode(), origin: testSite})
}

func (h *harness) get(target string) *httptest.ResponseRecorder {
	h.t.Helper()
	return h.do(req{method: "GET", target: target})
}

var tokenField = regexp.MustCompile(`name="form_token" value="([^"]+)"`)

// formToken asks for the service's form, as the site's static form does
// by posting without one, and returns the token in it after MinFill.
func (h *harness) formToken() string {
	h.t.Helper()
	w := h.post("/subscribe", url.Values{"email": {"x@example.org"}})
	m := tokenField.FindStringSubmatch(w.Body.String())
	if w.Code != http.StatusOK || m == nil {
		h.t.Fatalf("POST /subscribe without a form token: %d, no token in\n%s", w.Code, w.Body)
	}
	h.clock.advance(h.svc.opt.Limits.MinFill)
	return m[1]
}

// signup posts a complete sign-up with a fresh, old enough form token,
// then lets the mail worker apply the inbox, as it does at once when the
// service runs.
func (h *harness) signup(email string, extra url.Values) *httptest.ResponseRecorder {
	h.t.Helper()
	form := url.Values{"email": {email}, "form_token": {h.formToken()}}
	for k, v := range extra {
		form[k] = v
	}
	w := h.post("/subscribe", form)
	h.svc.processInbox(context.Background())
	return w
}

// sub is the stored subscriber with email.
func (h *harness) sub(email string) subscriber.Subscriber {
	h.t.Helper()
	sub, err := h.st.Get(context.Background(), email)
	if err != nil {
		h.t.Fatal(err)
	}
	return sub
}

// tok signs a link of purpose p for email's subscriber, as agora send and
// the service do.
func (h *harness) tok(p token.Purpose, email string, ttl time.Duration) string {
	h.t.Helper()
	return h.signer.Sign(p, h.sub(email).Link, "", ttl)
}

// confirmTok signs a confirmation link for email's open request.
func (h *harness) confirmTok(email string, ttl time.Duration) string {
	h.t.Helper()
	sub := h.sub(email)
	g, err := h.st.Link(context.Background(), store.LinkRef{Handle: sub.Link.Handle})
	if err != nil {
		h.t.Fatal(err)
	}
	return h.signer.Sign(token.Confirm, sub.Link, g.Request, ttl)
}

// status is email's status once the inbox is applied.
func (h *harness) status(email string) subscriber.Status {
	h.t.Helper()
	h.svc.processInbox(context.Background())
	sub, err := h.st.Get(context.Background(), email)
	if err != nil {
		return ""
	}
	return sub.Status
}

// sendMail runs the mail worker once.
func (h *harness) sendMail() []string {
	h.t.Helper()
	before := len(h.sender.sent())
	h.svc.sendDue(context.Background())
	return h.sender.sent()[before:]
}

var linkRE = regexp.MustCompile(`https://news\.example\.org/confirm\?t=[A-Za-z0-9_.-]+`)

// confirmLink is the path and query of the confirmation link in msg.
func confirmLink(t *testing.T, msg string) string {
	t.Helper()
	m := linkRE.FindString(mailText(t, msg))
	if m == "" {
		t.Fatalf("no confirmation link in\n%s", msg)
	}
	return strings.TrimPrefix(m, testEndpoint)
}

// mailText is the decoded text of a raw message.
func mailText(t *testing.T, msg string) string {
	t.Helper()
	text, err := smtpsink.TextBody([]byte(msg))
	if err != nil {
		t.Fatalf("%v in\n%s", err, msg)
	}
	return text
}

// dump is every row of every table, to prove a request changed nothing.
func dump(t *testing.T, path string) string {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	var b strings.Builder
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "%s %v\n", table, vals)
		}
		rows.Close()
	}
	return b.String()
}
