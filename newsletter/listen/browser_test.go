package listen_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/agora-hub/agora/generator"
	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/internal/smtpsink"
	"github.com/agora-hub/agora/internal/testsite"
	"github.com/agora-hub/agora/newsletter/listen"
	"github.com/agora-hub/agora/newsletter/mailer"
	"github.com/agora-hub/agora/newsletter/store/sqlite"
	"github.com/agora-hub/agora/newsletter/subscriber"
	"github.com/agora-hub/agora/newsletter/token"
)

const secret = "e2e-secret-0123456789abcdef0123456789"

// TestSignupInBrowser walks a person through the whole double opt-in in
// Chromium, against the example hub built and served as GitHub Pages
// would, agora listen on loopback and an SMTP server in the test: the
// form on /newsletter/, the service's check page, the thank-you notice,
// the mail, the confirmation page (still pending after opening it), the
// Confirm button (active), and at last a mail client's RFC 8058 one-click
// unsubscribe (unsubscribed).
func TestSignupInBrowser(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	// The service's address comes first: the build writes it into the form.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + l.Addr().String()

	out := filepath.Join(t.TempDir(), "public")
	files := http.FileServer(http.Dir(out))
	site := httptest.NewServer(http.StripPrefix("/hub", files))
	t.Cleanup(site.Close)
	base := site.URL + "/hub/"
	dir := exampleHub(t, base, endpoint)
	if _, err := generator.Build(ctx, generator.Options{Source: dir, Destination: out, Now: time.Now()}); err != nil {
		t.Fatalf("build: %v", err)
	}

	sink, err := smtpsink.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sink.Close() })
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "agora.db"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	signer, err := token.New([]byte(secret), nil)
	if err != nil {
		t.Fatal(err)
	}
	siteInfo, _, err := listen.LoadSite(dir)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := listen.New(listen.Options{
		Site: siteInfo, Store: st, Signer: signer,
		Sender: &listen.SMTPSender{Settings: mailer.Settings{
			Host: sink.Host(), Port: sink.Port(), TLS: config.TLSNone, From: "Agora <news@example.org>", Timeout: 10 * time.Second,
		}},
		From: "Agora <news@example.org>", Limits: listen.DefaultLimits(), Log: testWriter{t},
	})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- svc.Run(runCtx, l) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})

	browser := testsite.Browser(t, ctx)
	const email = "ada@example.org"
	status := func() subscriber.Status {
		sub, err := st.Get(ctx, email)
		if err != nil {
			return ""
		}
		return sub.Status
	}

	// 1. The form on the site, filled in and sent with no script.
	form := `form[aria-labelledby="newsletter-title"] `
	const topicsJS = `Array.from(document.querySelectorAll('input[name="topics"]'), i => i.value.toLowerCase()).join(",")`
	// The theme scrolls smoothly unless the reader asks for less motion;
	// a click aimed at an element while the page still glides towards it
	// lands beside it.
	reduceMotion := chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-reduced-motion", Value: "reduce"}},
		})
		return err
	})
	if err := chromedp.Do(browser, reduceMotion, chromedp.Navigate(base+"newsletter/")); err != nil {
		t.Fatal(err)
	}
	siteTopics, err := chromedp.Run(browser, chromedp.Evaluate[string](topicsJS))
	if err != nil || siteTopics == "" {
		t.Fatalf("no topics on the site's form: %q, %v", siteTopics, err)
	}
	if err := chromedp.Do(browser,
		chromedp.SendKeys(chromedp.ID("newsletter-email"), email),
		chromedp.SendKeys(chromedp.ID("newsletter-name"), "Ada"),
		chromedp.Click(chromedp.ID("newsletter-topic-metrics")),
	); err != nil {
		t.Fatal(err)
	}
	// What was typed and ticked is checked before sending, so that a
	// failure below is the service's, not a lost keystroke's.
	if err := waitFor(browser, `document.getElementById("newsletter-email").value === `+jsString(email)+` &&
		document.getElementById("newsletter-topic-metrics").checked`); err != nil {
		t.Fatalf("filling in the form: %v", err)
	}
	if err := chromedp.Do(browser, chromedp.Click(chromedp.CSS(form+`button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	// 2. The service's page: what was typed, and a signed time. It is
	// styled by the site's stylesheet, and pressed after the minimum fill
	// time, as a person would.
	err = waitFor(browser, `location.href.startsWith(`+jsString(endpoint+"/subscribe")+`) &&
		document.getElementById("signup-email").value === `+jsString(email)+` &&
		document.querySelector('input[name="topics"][value="metrics"]').checked`)
	if err != nil {
		t.Fatalf("the service's check page did not show what was typed: %v", err)
	}
	screenshot(t, browser, "signup-check")
	if got, err := chromedp.Run(browser, chromedp.Evaluate[string](topicsJS)); err != nil || got != siteTopics {
		t.Errorf("the service offers topics %q, the site %q (%v)", got, siteTopics, err)
	}
	margin, err := chromedp.Run(browser, chromedp.Evaluate[string](`getComputedStyle(document.body).marginTop`))
	if err != nil || margin != "0px" {
		t.Errorf("the service's page is not styled by the site's stylesheet: body margin %q, %v", margin, err)
	}
	if status() != "" {
		t.Fatal("recorded before the check page was sent")
	}
	time.Sleep(listen.DefaultLimits().MinFill + 200*time.Millisecond)
	if err := chromedp.Do(browser, chromedp.Click(chromedp.CSS(`form.signup button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	// 3. Back on the site, its thank-you notice showing.
	err = waitFor(browser, `location.href === `+jsString(base+"newsletter/#thanks")+` &&
		getComputedStyle(document.getElementById("thanks")).display !== "none"`)
	if err != nil {
		loc, _ := chromedp.Run(browser, chromedp.Location())
		t.Fatalf("no thank-you notice after the sign-up (at %s): %v", loc, err)
	}
	if status() != subscriber.Pending {
		t.Fatalf("after the sign-up: %q, want pending", status())
	}

	// 4. The mail, with nothing the visitor typed in it.
	wait, cancelWait := context.WithTimeout(ctx, 20*time.Second)
	msgs, err := sink.Wait(wait, 1)
	cancelWait()
	if err != nil {
		t.Fatalf("no confirmation mail: %v", err)
	}
	if len(msgs) != 1 || !slices.Equal(msgs[0].To, []string{email}) {
		t.Fatalf("mails: %+v", msgs)
	}
	text, err := msgs[0].Text()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(msgs[0].Data), "Ada") || strings.Contains(text, "Ada") {
		t.Errorf("the confirmation mail holds the name the visitor typed:\n%s", msgs[0].Data)
	}
	link := regexp.MustCompile(regexp.QuoteMeta(endpoint) + `/confirm\?t=[A-Za-z0-9_.-]+`).FindString(text)
	if link == "" {
		t.Fatalf("no confirmation link in\n%s", text)
	}

	// 5. Opening the link, as a person or a mail scanner does, changes
	// nothing; the button does.
	if err := chromedp.Do(browser, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(`main form button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	screenshot(t, browser, "signup-confirm")
	if status() != subscriber.Pending {
		t.Fatalf("after opening the link: %q, want pending", status())
	}
	if err := chromedp.Do(browser, chromedp.Click(chromedp.CSS(`main form button[type="submit"]`))); err != nil {
		t.Fatal(err)
	}
	if err := waitFor(browser, `document.querySelector("h1").textContent === "You are subscribed"`); err != nil {
		t.Fatalf("no confirmation page: %v", err)
	}
	sub, err := st.Get(ctx, email)
	if err != nil || sub.Status != subscriber.Active || sub.Consent.How != "form" || sub.Name != "Ada" || !slices.Equal(sub.Topics, []string{"metrics"}) {
		t.Fatalf("after Confirm: %+v, %v", sub, err)
	}

	// 6. A mail client's one-click unsubscribe (RFC 8058): a POST with no
	// cookies and no Origin; 200, no redirect.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	unsub := listen.Link(endpoint, token.Unsubscribe, signer.Sign(token.Unsubscribe, sub.Link, "", 0))
	resp, err := client.Post(unsub, "application/x-www-form-urlencoded", strings.NewReader(url.Values{"List-Unsubscribe": {"One-Click"}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("one-click unsubscribe: %s, want 200 with no redirect", resp.Status)
	}
	if status() != subscriber.Unsubscribed {
		t.Errorf("after the one-click unsubscribe: %q", status())
	}
}

// exampleHub copies the example hub at the repository's root into a
// temporary folder, served at base, with its forms posting to endpoint.
func exampleHub(t *testing.T, base, endpoint string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "content"), os.DirFS("../../content")); err != nil {
		t.Fatal(err)
	}
	toml, err := os.ReadFile("../../site.toml")
	if err != nil {
		t.Fatal(err)
	}
	for key, value := range map[string]string{"baseURL": base, "endpoint": endpoint} {
		re := regexp.MustCompile(`(?m)^` + key + ` = .*$`)
		if !re.Match(toml) {
			t.Fatalf("the example site.toml has no %s line", key)
		}
		toml = re.ReplaceAll(toml, []byte(key+` = "`+value+`"`))
	}
	if err := os.WriteFile(filepath.Join(dir, "site.toml"), toml, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshot writes the page to AGORA_SCREENSHOTS/name.png when set, as
// the theme's browser test does.
func screenshot(t *testing.T, browser context.Context, name string) {
	t.Helper()
	dir := os.Getenv("AGORA_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(browser, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
	if err != nil {
		t.Errorf("screenshot: %v", err)
	}
}

// waitFor waits until the page, once loaded, makes cond true. It asks
// again and again rather than with one Poll, which fails when the tab
// navigates under it, as a form post makes it do.
func waitFor(browser context.Context, cond string) error {
	deadline := time.Now().Add(15 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		ok, err := chromedp.Run(browser, chromedp.Evaluate[bool](`document.readyState === "complete" && (`+cond+`)`))
		if err == nil && ok {
			return nil
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	state, _ := chromedp.Run(browser, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText.slice(0, 2000)`))
	return fmt.Errorf("waited 15s for %s (last error: %v); the page:\n%s", cond, last, state)
}

func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// testWriter sends the service's log to the test's.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
