package cli_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/internal/cli"
	"github.com/agora-hub/agora/internal/smtpsink"
	"github.com/agora-hub/agora/internal/testsite"
	"github.com/agora-hub/agora/newsletter/store/sqlite"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// welcomeSite has a series of three steps, started on 1 March 2026, and
// no tips: agora send has only the series to send.
const welcomeSite = `
-- site.toml --
baseURL = "https://example.org/hub/"
title = "Hub"
timezone = "UTC"
[newsletter]
from = "Hub <news@example.org>"
endpoint = "https://news.example.org"
[newsletter.smtp]
host = "127.0.0.1"
tls = "none"
-- content/welcome/hello.md --
+++
title = "Welcome to the hub"
date = 2026-03-01T00:00:00Z
[welcome]
after = "0"
+++
Glad you are here. Read [the rules](/rules/) first.
-- content/welcome/events.md --
+++
title = "Meet us in person"
date = 2026-03-01T00:00:00Z
[welcome]
after = "3d"
tags = ["events"]
+++
Our meetups are listed on the site.
-- content/welcome/week.md --
+++
title = "Your first week"
date = 2026-03-01T00:00:00Z
[welcome]
after = "7d"
+++
A week in: here is what people read most.
`

// welcomeEnv is a site with the series, its database and a sink.
type welcomeEnv struct {
	dir  string
	sink *smtpsink.Sink
}

func newWelcomeEnv(t *testing.T) *welcomeEnv {
	t.Helper()
	t.Setenv("AGORA_DB", "")
	dir := testsite.New(t, welcomeSite)
	sink, err := smtpsink.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	t.Setenv("AGORA_SECRET", strings.Repeat("s", 32))
	t.Setenv("AGORA_SMTP_PORT", strconv.Itoa(sink.Port()))
	return &welcomeEnv{dir: dir, sink: sink}
}

// join adds subscribers with their consent times (RFC 3339) through an
// import, as an export restores them.
func (w *welcomeEnv) join(t *testing.T, rows ...[3]string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("email,topics,consent_at,consent_how\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%s,%q,%s,form\n", r[0], r[1], r[2])
	}
	f := filepath.Join(t.TempDir(), "join.csv")
	if err := os.WriteFile(f, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := run(t, "subscribers", "import", f, "-s", w.dir); code != 0 {
		t.Fatalf("import: %s%s", out, stderr)
	}
}

func (w *welcomeEnv) send(t *testing.T, now string) string {
	t.Helper()
	code, out, stderr := run(t, "send", "-s", w.dir, "--now", now, "--yes")
	if code != 0 {
		t.Fatalf("send --now %s: exit %d\n%s%s", now, code, out, stderr)
	}
	return out
}

// got maps each address to the subjects it received, in order, and
// fails on a Message-ID seen twice for one address.
func (w *welcomeEnv) got(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	ids := map[string]bool{}
	dec := new(mime.WordDecoder)
	for _, m := range w.sink.Messages() {
		h, err := m.Header()
		if err != nil {
			t.Fatal(err)
		}
		subj, _ := dec.DecodeHeader(h.Get("Subject"))
		to := m.To[0]
		key := to + " " + h.Get("Message-Id")
		if ids[key] {
			t.Errorf("%s got %q twice", to, subj)
		}
		ids[key] = true
		out[to] = append(out[to], subj)
	}
	return out
}

func (w *welcomeEnv) setStatus(t *testing.T, email string, to subscriber.Status) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(w.dir, "data", "agora.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.SetStatus(context.Background(), email, to, "test"); err != nil {
		t.Fatal(err)
	}
}

func (w *welcomeEnv) status(t *testing.T, email string) subscriber.Status {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(w.dir, "data", "agora.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	sub, err := st.Get(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return sub.Status
}

// TestWelcomeSeriesOverWeeks runs agora send on a simulated calendar:
// each step goes to each person once, on their own clock and in order;
// tags limit a step; people who were there before the series, or who
// unsubscribed, get nothing; a step edited before it is due goes out as
// edited, a removed one no more, and one added later only to people who
// join after its date.
func TestWelcomeSeriesOverWeeks(t *testing.T) {
	w := newWelcomeEnv(t)
	w.join(t,
		[3]string{"old@example.org", "", "2026-02-01T00:00:00Z"}, // before the series
		[3]string{"ada@example.org", "", "2026-03-02T10:00:00Z"}, // every topic
		[3]string{"bob@example.org", "go", "2026-03-02T11:00:00Z"},
		[3]string{"cy@example.org", "events", "2026-03-03T09:00:00Z"},
	)
	want := map[string][]string{}
	check := func(when string) {
		t.Helper()
		got := w.got(t)
		var keys []string
		for k := range got {
			keys = append(keys, k)
		}
		for k := range want {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range slices.Compact(keys) {
			if !slices.Equal(got[k], want[k]) {
				t.Errorf("%s: %s got %q, want %q", when, k, got[k], want[k])
			}
		}
	}

	// 2 March, noon: ada and bob joined this morning; cy not yet.
	out := w.send(t, "2026-03-02T12:00:00Z")
	if !strings.Contains(out, `Welcome step "Welcome to the hub": sent 2.`) {
		t.Errorf("summary:\n%s", out)
	}
	want["ada@example.org"] = []string{"Welcome to the hub"}
	want["bob@example.org"] = []string{"Welcome to the hub"}
	check("2 March")

	// A second run the same day sends nothing again.
	w.send(t, "2026-03-02T13:00:00Z")
	check("2 March again")

	// 4 March: cy gets hello; nobody is 3 days in yet.
	w.send(t, "2026-03-04T00:00:00Z")
	want["cy@example.org"] = []string{"Welcome to the hub"}
	check("4 March")

	// The week step is edited before anyone reaches it.
	page := filepath.Join(w.dir, "content", "welcome", "week.md")
	b, _ := os.ReadFile(page)
	if err := os.WriteFile(page, []byte(strings.Replace(string(b), "Your first week", "One week with us", 1)), 0o644); err != nil {
		t.Fatal(err)
	}

	// 6 March: ada (every topic) and cy (events) are 3 days in; bob chose
	// go only. Cy then unsubscribes.
	w.send(t, "2026-03-06T12:00:00Z")
	want["ada@example.org"] = append(want["ada@example.org"], "Meet us in person")
	want["cy@example.org"] = append(want["cy@example.org"], "Meet us in person")
	check("6 March")
	w.setStatus(t, "cy@example.org", subscriber.Unsubscribed)

	// A step added on 8 March goes to people who join after that only;
	// dee joins on the 9th.
	testsite.Write(t, w.dir, `
-- content/welcome/rules.md --
+++
title = "The house rules"
date = 2026-03-08T00:00:00Z
[welcome]
after = "1d"
+++
Be kind.
`)
	w.join(t, [3]string{"dee@example.org", "", "2026-03-09T08:00:00Z"})

	// 10 March: a week in for ada and bob, as edited; cy is gone; dee
	// gets hello and, a day in, the rules, in that order.
	w.send(t, "2026-03-10T12:00:00Z")
	want["ada@example.org"] = append(want["ada@example.org"], "One week with us")
	want["bob@example.org"] = append(want["bob@example.org"], "One week with us")
	want["dee@example.org"] = []string{"Welcome to the hub", "The house rules"}
	check("10 March")

	// The events step is removed before dee reaches it.
	if err := os.Remove(filepath.Join(w.dir, "content", "welcome", "events.md")); err != nil {
		t.Fatal(err)
	}
	w.send(t, "2026-03-20T00:00:00Z")
	want["dee@example.org"] = append(want["dee@example.org"], "One week with us")
	check("20 March")
	if len(w.got(t)["old@example.org"]) != 0 {
		t.Error("a member from before the series was welcomed")
	}

	// The report counts each step.
	code, rep, stderr := run(t, "report", "-s", w.dir, "--now", "2026-03-21T00:00:00Z")
	if code != 0 {
		t.Fatalf("report: %s", stderr)
	}
	for _, want := range []string{"Welcome series", "welcome/hello.md", "welcome/week.md"} {
		if !strings.Contains(rep, want) {
			t.Errorf("report lacks %q:\n%s", want, rep)
		}
	}
}

// TestWelcomeDryRunAndPreview: both show the due steps and send nothing.
func TestWelcomeDryRunAndPreview(t *testing.T) {
	w := newWelcomeEnv(t)
	w.join(t, [3]string{"ada@example.org", "", "2026-03-02T10:00:00Z"})
	code, out, stderr := run(t, "send", "-s", w.dir, "--now", "2026-03-02T12:00:00Z", "--dry-run")
	if code != 0 || !strings.Contains(out, `Welcome step "Welcome to the hub" (content/welcome/hello.md, right after confirming), due for 1 subscriber:`) ||
		!strings.Contains(out, "    ada@example.org") {
		t.Errorf("dry run: exit %d\n%s%s", code, out, stderr)
	}
	dir := t.TempDir()
	code, out, stderr = run(t, "send", "-s", w.dir, "--now", "2026-03-02T12:00:00Z", "--preview", dir)
	if code != 0 || !strings.Contains(out, "welcome-1.eml") {
		t.Errorf("preview: exit %d\n%s%s", code, out, stderr)
	}
	eml := testsite.Read(t, dir, "welcome-1.eml")
	for _, want := range []string{"Subject: Welcome to the hub", "List-Unsubscribe-Post: List-Unsubscribe=One-Click", "Message-ID: <welcome.sub-"} {
		if !strings.Contains(eml, want) {
			t.Errorf("the preview lacks %q", want)
		}
	}
	if len(w.sink.Messages()) != 0 {
		t.Error("a look sent mail")
	}
}

const envWelcomeChild = "AGORA_WELCOME_TEST_CHILD"

// TestWelcomeKillMidStep kills agora send with SIGKILL while a welcome
// message is in flight (the server has it and has not answered), then
// runs it again: everyone gets the step, and only the messages claimed at
// the kill can arrive twice, with the same Message-ID.
func TestWelcomeKillMidStep(t *testing.T) {
	if os.Getenv(envWelcomeChild) != "" {
		os.Exit(cli.Run(context.Background(), []string{"send", "-s", os.Getenv(envWelcomeChild), "--now", "2026-03-02T12:00:00Z", "--yes"}, os.Stdout, os.Stderr))
	}
	if testing.Short() {
		t.Skip("starts a process")
	}
	w := newWelcomeEnv(t)
	var rows [][3]string
	const n = 40
	for i := range n {
		rows = append(rows, [3]string{fmt.Sprintf("p%02d@example.org", i), "", "2026-03-02T10:00:00Z"})
	}
	w.join(t, rows...)
	inFlight, release := make(chan struct{}), make(chan struct{})
	w.sink.Hold(func(n int) {
		if n == 10 {
			close(inFlight)
			<-release
		}
	})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	cmd := exec.Command(os.Args[0], "-test.run=^TestWelcomeKillMidStep$")
	cmd.Env = append(os.Environ(), envWelcomeChild+"="+w.dir)
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
	w.sink.Hold(nil)

	w.send(t, "2026-03-02T13:00:00Z")
	per := map[string]map[string]int{}
	total := 0
	for _, m := range w.sink.Messages() {
		h, _ := m.Header()
		if per[m.To[0]] == nil {
			per[m.To[0]] = map[string]int{}
		}
		per[m.To[0]][h.Get("Message-Id")]++
		total++
	}
	if len(per) != n {
		t.Errorf("%d of %d got the step", len(per), n)
	}
	for to, ids := range per {
		if len(ids) != 1 {
			t.Errorf("%s got %d different messages", to, len(ids))
		}
	}
	// At most one claim per connection was at sending (4 connections).
	if dups := total - n; dups < 1 || dups > 4*8 {
		t.Errorf("%d sent twice, want the in-flight one(s), at most %d", dups, 4*8)
	}
}

// TestListenSendsTheFirstStep: agora listen mails the "after = 0" step as
// soon as someone confirms, from its mail queue; agora send later sends
// the next steps and not that one again.
func TestListenSendsTheFirstStep(t *testing.T) {
	w := newWelcomeEnv(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	toml := testsite.Read(t, w.dir, "site.toml")
	toml = strings.Replace(toml, `endpoint = "https://news.example.org"`, `endpoint = "http://`+addr+`"`, 1)
	testsite.Write(t, w.dir, "-- site.toml --\n"+toml)
	t.Setenv("AGORA_SMTP_HOST", "127.0.0.1")

	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- cli.Run(ctx, []string{"listen", "-s", w.dir, "--addr", addr, "--no-limits"}, io.Discard, &stderr)
	}()
	defer func() {
		cancel()
		<-done
	}()
	base := "http://" + addr
	var tok struct {
		Token string `json:"form_token"`
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		resp, err := http.Get(base + "/form-token")
		if err == nil {
			err = json.NewDecoder(resp.Body).Decode(&tok)
			resp.Body.Close()
			if err != nil {
				t.Fatalf("/form-token: %v", err)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("listen did not start: %v\n%s", err, stderr.String())
		}
	}
	body := `{"email":"new@example.org","name":"New","topics":[],"form_token":"` + tok.Token + `"}`
	resp, err := http.Post(base+"/subscribe", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wait, stop := context.WithTimeout(context.Background(), 20*time.Second)
	defer stop()
	msgs, err := w.sink.Wait(wait, 1)
	if err != nil {
		t.Fatalf("no confirmation mail: %v\n%s", err, stderr.String())
	}
	text, _ := msgs[0].Text()
	link := regexp.MustCompile(`http://\S+/confirm\?t=\S+`).FindString(text)
	if link == "" {
		t.Fatalf("no confirmation link in:\n%s", text)
	}
	resp, err = http.Post(link, "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	msgs, err = w.sink.Wait(wait, 2)
	if err != nil {
		t.Fatalf("no welcome mail after confirming: %v\n%s", err, stderr.String())
	}
	h, _ := msgs[1].Header()
	if h.Get("Subject") != "Welcome to the hub" || h.Get("List-Unsubscribe-Post") == "" || !strings.HasPrefix(h.Get("Message-Id"), "<welcome.sub-") {
		t.Errorf("welcome mail headers: %v", h)
	}
	if strings.Contains(stderr.String(), "new@example.org") {
		t.Errorf("the log names the address:\n%s", stderr.String())
	}
	// The welcome mail's one-click link unsubscribes this person: it is
	// signed with their own link secret, which the welcome query must read.
	unsub := regexp.MustCompile(`<(http://[^>]+)>`).FindStringSubmatch(h.Get("List-Unsubscribe"))
	if unsub == nil {
		t.Fatalf("no http link in List-Unsubscribe %q", h.Get("List-Unsubscribe"))
	}
	resp, err = http.Post(unsub[1], "application/x-www-form-urlencoded", strings.NewReader("List-Unsubscribe=One-Click"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("one-click unsubscribe from the welcome mail: %s", resp.Status)
	}
	if st := w.status(t, "new@example.org"); st != subscriber.Unsubscribed {
		t.Errorf("after the welcome mail's one-click link new@ is %q", st)
	}
	w.setStatus(t, "new@example.org", subscriber.Active)
	// A week later agora send sends the week step, and not hello again.
	later := time.Now().Add(8 * 24 * time.Hour).UTC().Format(time.RFC3339)
	w.send(t, later)
	got := w.got(t)["new@example.org"]
	if !slices.Equal(got, []string{"Confirm your subscription to Hub", "Welcome to the hub", "Meet us in person", "Your first week"}) {
		t.Errorf("new@ got %q", got)
	}
}

// TestWelcomeRelayDown: with the relay not listening, agora send stops
// within a minute, says it cannot reach the server, makes no issue and
// keeps every due welcome step for the next run, which sends each once.
func TestWelcomeRelayDown(t *testing.T) {
	w := newWelcomeEnv(t)
	// A tip, so that a digest would be made if the run went on.
	if err := os.MkdirAll(filepath.Join(w.dir, "content", "tips"), 0o755); err != nil {
		t.Fatal(err)
	}
	tip := "+++\ntitle = \"A tip\"\ndate = 2026-04-02T00:00:00Z\n+++\nBody.\n"
	if err := os.WriteFile(filepath.Join(w.dir, "content", "tips", "a.md"), []byte(tip), 0o644); err != nil {
		t.Fatal(err)
	}
	w.join(t, [3]string{"ann@example.org", "", "2026-04-01T09:00:00Z"}, [3]string{"bob@example.org", "", "2026-04-01T09:00:00Z"})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().(*net.TCPAddr).Port
	l.Close()
	t.Setenv("AGORA_SMTP_PORT", strconv.Itoa(closed))
	began := time.Now()
	code, out, stderr := run(t, "send", "-s", w.dir, "--now", "2026-04-10T00:00:00Z", "--yes")
	took := time.Since(began)
	if code == 0 || !strings.Contains(stderr, fmt.Sprintf("cannot reach SMTP server 127.0.0.1:%d", closed)) {
		t.Fatalf("send with the relay down: exit %d\n%s%s", code, out, stderr)
	}
	if took > time.Minute {
		t.Errorf("took %v to give up", took)
	}
	if strings.Contains(out, "Issue 1") {
		t.Errorf("an issue was made while the relay was down:\n%s", out)
	}
	// The relay is back: every due step goes once, then the digest.
	t.Setenv("AGORA_SMTP_PORT", strconv.Itoa(w.sink.Port()))
	w.send(t, "2026-04-10T00:00:00Z")
	got := w.got(t)
	for _, who := range []string{"ann@example.org", "bob@example.org"} {
		// Who chose no topics chose everything, the tagged step too.
		if want := []string{"Welcome to the hub", "Meet us in person", "Your first week", "A tip"}; !slices.Equal(got[who], want) {
			t.Errorf("%s got %q, want %q", who, got[who], want)
		}
	}
}
