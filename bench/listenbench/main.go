// Command listenbench is the reliability benchmark of agora listen: it
// runs the agora binary's listen on a fresh site and database, with an SMTP
// server of its own on loopback taking the confirmation mails, and drives
// it from many concurrent clients as browsers and mail clients would:
//
//  1. sign-ups: each one posts the site's form (no form token), reads the
//     form token from the service's check page, and posts that page;
//  2. confirmations: the Confirm button of the link in each mail;
//  3. one-click unsubscribes (RFC 8058) for some of them.
//
// It then stops the service as SIGTERM does and checks the database: every
// sign-up, confirmation and unsubscribe recorded exactly once, one mail per
// address, no "database is locked" in the service's output, no unexpected
// answer. It prints latency percentiles per phase and over all requests.
package main

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	_ "modernc.org/sqlite" // the checks read the database directly

	"github.com/agora-hub/agora/internal/smtpsink"
	"github.com/agora-hub/agora/newsletter/token"
)

const (
	secret     = "listenbench-secret-0123456789abcdef0123"
	siteOrigin = "https://hub.example.org"
)

func main() {
	agora := flag.String("agora", "agora", "the agora binary")
	work := flag.String("dir", "", "an empty folder for the site and its database")
	signups := flag.Int("signups", 2000, "sign-ups (each then confirmed)")
	unsubs := flag.Int("unsubscribes", 1000, "one-click unsubscribes, of the confirmed")
	clients := flag.Int("clients", 50, "concurrent clients")
	flag.Parse()
	if *work == "" || *unsubs > *signups || *clients < 1 {
		fmt.Fprintln(os.Stderr, "listenbench: want -dir, -unsubscribes <= -signups and -clients >= 1")
		os.Exit(2)
	}
	if err := run(*agora, *work, *signups, *unsubs, *clients); err != nil {
		fmt.Fprintln(os.Stderr, "listenbench:", err)
		os.Exit(1)
	}
}

func run(agora, dir string, signups, unsubs, clients int) error {
	sink, err := smtpsink.Start()
	if err != nil {
		return err
	}
	defer sink.Close()
	port, err := freePort()
	if err != nil {
		return err
	}
	endpoint := fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := writeSite(dir, endpoint); err != nil {
		return err
	}

	var out bytes.Buffer
	cmd := exec.Command(agora, "listen", "-s", dir, "--addr", fmt.Sprintf("127.0.0.1:%d", port), "--no-limits")
	cmd.Env = append(os.Environ(), "AGORA_SECRET="+secret, "AGORA_DB=",
		"AGORA_SMTP_HOST="+sink.Host(), "AGORA_SMTP_PORT="+strconv.Itoa(sink.Port()), "AGORA_SMTP_TLS=none")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		return err
	}
	stopped := false
	defer func() {
		if !stopped {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	}()
	if err := waitUp(endpoint + "/healthz"); err != nil {
		return fmt.Errorf("%w\n%s", err, out.String())
	}

	client := &http.Client{
		Transport: &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients},
		// Every redirect is an answer to check, not to follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Timeout:       30 * time.Second,
	}
	b := &bench{client: client, endpoint: endpoint}
	fmt.Printf("# agora listen benchmark: signups=%d confirmations=%d unsubscribes=%d clients=%d cpus=%d\n", signups, signups, unsubs, clients, runtime.NumCPU())

	emails := make([]string, signups)
	for i := range emails {
		emails[i] = fmt.Sprintf("reader%05d@example.org", i)
	}
	start := time.Now()
	signupLat, err := b.phase(clients, emails, b.signup)
	if err != nil {
		return err
	}
	report("signup", signupLat, time.Since(start))

	// The mail worker sends on its own; wait for every confirmation.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	msgs, err := sink.Wait(ctx, signups)
	cancel()
	if err != nil {
		return fmt.Errorf("%d of %d confirmation mails arrived: %w", len(msgs), signups, err)
	}
	mailTime := time.Since(start)
	links := map[string]string{}
	linkRE := regexp.MustCompile(regexp.QuoteMeta(endpoint) + `/confirm\?t=[A-Za-z0-9_.-]+`)
	for _, m := range msgs {
		text, err := m.Text()
		if err != nil {
			return err
		}
		if len(m.To) != 1 {
			return fmt.Errorf("a mail to %d recipients", len(m.To))
		}
		if _, dup := links[m.To[0]]; dup {
			return fmt.Errorf("two confirmation mails to %s", m.To[0])
		}
		link := linkRE.FindString(text)
		if link == "" {
			return fmt.Errorf("no link in the mail to %s", m.To[0])
		}
		links[m.To[0]] = link
	}
	fmt.Printf("mails %d to %d addresses, all in %.1fs after the first sign-up\n", len(msgs), len(links), mailTime.Seconds())

	start = time.Now()
	confirmLat, err := b.phase(clients, emails, func(email string) ([]time.Duration, error) { return b.confirm(links[email]) })
	if err != nil {
		return err
	}
	report("confirm", confirmLat, time.Since(start))

	signer, err := token.New([]byte(secret), nil)
	if err != nil {
		return err
	}
	// The digests' List-Unsubscribe links are signed with each
	// subscriber's handle and secret, which only the database knows.
	subjects, err := linkSubjects(filepath.Join(dir, "data", "agora.db"))
	if err != nil {
		return err
	}
	start = time.Now()
	unsubLat, err := b.phase(clients, emails[:unsubs], func(email string) ([]time.Duration, error) {
		return b.unsubscribe(signer, subjects[email])
	})
	if err != nil {
		return err
	}
	report("unsubscribe", unsubLat, time.Since(start))
	all := slices.Concat(signupLat, confirmLat, unsubLat)
	report("all", all, 0)

	// Stopped as SIGTERM stops it: it must finish and exit 0.
	_ = cmd.Process.Signal(syscall.SIGTERM)
	err = cmd.Wait()
	stopped = true
	if err != nil {
		return fmt.Errorf("agora listen after SIGTERM: %w\n%s", err, out.String())
	}
	if strings.Contains(out.String(), "database is locked") || strings.Contains(out.String(), "SQLITE_BUSY") {
		return fmt.Errorf("the service reported a locked database:\n%s", out.String())
	}
	fmt.Println("check database_is_locked 0 PASS")
	if err := verify(filepath.Join(dir, "data", "agora.db"), signups, unsubs); err != nil {
		return err
	}
	p99 := percentile(all, 99)
	verdict := "PASS"
	if p99 > 50*time.Millisecond {
		verdict = "MISS"
	}
	fmt.Printf("\ntarget p99_ms <= 50: %.2f %s\n", ms(p99), verdict)
	return nil
}

type bench struct {
	client   *http.Client
	endpoint string
}

// phase runs fn for every email on clients goroutines and gathers the
// latency of every request.
func (b *bench) phase(clients int, emails []string, fn func(string) ([]time.Duration, error)) ([]time.Duration, error) {
	work := make(chan string)
	var mu sync.Mutex
	var lat []time.Duration
	var firstErr error
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for email := range work {
				d, err := fn(email)
				mu.Lock()
				lat = append(lat, d...)
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("%s: %w", email, err)
				}
				mu.Unlock()
			}
		})
	}
	for _, e := range emails {
		work <- e
	}
	close(work)
	wg.Wait()
	return lat, firstErr
}

var tokenField = regexp.MustCompile(`name="form_token" value="([^"]+)"`)

// signup is a browser on the site's form: the post without a form token,
// then the service's check page posted back.
func (b *bench) signup(email string) ([]time.Duration, error) {
	form := url.Values{"email": {email}, "topics": {"metrics", "onboarding"}}
	d1, status, body, _, err := b.do("POST", b.endpoint+"/subscribe", form.Encode(), siteOrigin)
	if err != nil {
		return nil, err
	}
	m := tokenField.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil {
		return nil, fmt.Errorf("the site's form: %d with no form token", status)
	}
	form.Set("form_token", m[1])
	d2, status, _, loc, err := b.do("POST", b.endpoint+"/subscribe", form.Encode(), b.endpoint)
	if err != nil {
		return nil, err
	}
	if status != http.StatusSeeOther || loc != siteOrigin+"/newsletter/#thanks" {
		return nil, fmt.Errorf("the check page: %d to %q, want 303 to the thank-you notice", status, loc)
	}
	return []time.Duration{d1, d2}, nil
}

func (b *bench) confirm(link string) ([]time.Duration, error) {
	if link == "" {
		return nil, errors.New("no confirmation link")
	}
	d, status, _, _, err := b.do("POST", link, "", b.endpoint)
	if err != nil {
		return nil, err
	}
	if status != http.StatusSeeOther {
		return nil, fmt.Errorf("confirm: %d, want 303", status)
	}
	return []time.Duration{d}, nil
}

// unsubscribe is a mail client's one-click POST: no Origin, no cookies,
// with the link a digest's List-Unsubscribe would carry.
func (b *bench) unsubscribe(signer *token.Signer, sub token.Subject) ([]time.Duration, error) {
	if sub.Handle == "" {
		return nil, errors.New("not in the database")
	}
	target := b.endpoint + "/unsubscribe?t=" + signer.Sign(token.Unsubscribe, sub, "", 0)
	d, status, _, _, err := b.do("POST", target, "List-Unsubscribe=One-Click", "")
	if err != nil {
		return nil, err
	}
	if status != http.StatusOK {
		return nil, fmt.Errorf("one-click unsubscribe: %d, want 200", status)
	}
	return []time.Duration{d}, nil
}

// linkSubjects reads every subscriber's link handle and secret.
func linkSubjects(path string) (map[string]token.Subject, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.Query(`SELECT email, link_handle, link_secret FROM subscribers`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]token.Subject{}
	for rows.Next() {
		var email string
		var sub token.Subject
		if err := rows.Scan(&email, &sub.Handle, &sub.Secret); err != nil {
			return nil, err
		}
		out[email] = sub
	}
	return out, rows.Err()
}

// do sends one request and times it to the end of the body.
func (b *bench) do(method, target, body, origin string) (time.Duration, int, string, string, error) {
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		return 0, 0, "", "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	start := time.Now()
	resp, err := b.client.Do(req)
	if err != nil {
		return 0, 0, "", "", err
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if err != nil {
		return 0, 0, "", "", err
	}
	return d, resp.StatusCode, string(data), resp.Header.Get("Location"), nil
}

// verify counts in the database what each phase must have recorded once.
func verify(path string, signups, unsubs int) error {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	checks := []struct {
		name, query string
		want        int
	}{
		{"subscribers", `SELECT COUNT(*) FROM subscribers`, signups},
		{"active", `SELECT COUNT(*) FROM subscribers WHERE status = 'active' AND consent_how = 'form'`, signups - unsubs},
		{"unsubscribed", `SELECT COUNT(*) FROM subscribers WHERE status = 'unsubscribed'`, unsubs},
		{"signup_events", `SELECT COUNT(*) FROM subscriber_events WHERE from_status IS NULL AND to_status = 'pending' AND how = 'form'`, signups},
		{"confirm_events", `SELECT COUNT(*) FROM subscriber_events WHERE from_status = 'pending' AND to_status = 'active' AND how = 'form'`, signups},
		{"unsubscribe_events", `SELECT COUNT(*) FROM subscriber_events WHERE from_status = 'active' AND to_status = 'unsubscribed' AND how = 'one-click'`, unsubs},
		{"events", `SELECT COUNT(*) FROM subscriber_events`, 2*signups + unsubs},
		// Each person's history, in order: exactly the steps they took.
		{"histories_signup_confirm", historyQuery(">pending,pending>active"), signups - unsubs},
		{"histories_signup_confirm_unsubscribe", historyQuery(">pending,pending>active,active>unsubscribed"), unsubs},
		{"confirmations_sent", `SELECT COUNT(*) FROM signups WHERE mail_state = 'sent' AND requested IS NULL`, signups},
	}
	failed := 0
	for _, c := range checks {
		var got int
		if err := db.QueryRow(c.query).Scan(&got); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		verdict := "PASS"
		if got != c.want {
			verdict, failed = "FAIL", failed+1
		}
		fmt.Printf("check %s %d want %d %s\n", c.name, got, c.want, verdict)
	}
	if failed > 0 {
		return fmt.Errorf("%d checks failed: not every action was recorded exactly once", failed)
	}
	return nil
}

func historyQuery(seq string) string {
	return `SELECT COUNT(*) FROM (
		SELECT subscriber_id, group_concat(COALESCE(from_status, '') || '>' || to_status, ',') AS seq
		FROM (SELECT * FROM subscriber_events ORDER BY id) GROUP BY subscriber_id
	) WHERE seq = '` + seq + `'`
}

func report(phase string, lat []time.Duration, took time.Duration) {
	rate := ""
	if took > 0 {
		rate = fmt.Sprintf(" wall_s %.2f req_per_s %.0f", took.Seconds(), float64(len(lat))/took.Seconds())
	}
	fmt.Printf("phase %-11s requests %5d p50_ms %6.2f p95_ms %6.2f p99_ms %6.2f max_ms %7.2f%s\n",
		phase, len(lat), ms(percentile(lat, 50)), ms(percentile(lat, 95)), ms(percentile(lat, 99)), ms(slices.Max(lat)), rate)
}

// percentile is the nearest-rank percentile.
func percentile(lat []time.Duration, p int) time.Duration {
	s := slices.Clone(lat)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(i-1, 0)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func writeSite(dir, endpoint string) error {
	files := map[string]string{
		"site.toml": `baseURL = "` + siteOrigin + `/"
title = "Bench hub"
[newsletter]
endpoint = "` + endpoint + `"
from = "Bench hub <news@example.org>"
# The benchmark's burst is its own: every sign-up is mailed at once.
confirm_per_hour = 100000
`,
		"content/tips/a.md": "+++\ntitle = \"A\"\ndate = 2026-01-05T10:00:00Z\ntags = [\"metrics\", \"onboarding\"]\n+++\nA tip.\n",
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func waitUp(u string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("agora listen did not come up in 30 s")
}
