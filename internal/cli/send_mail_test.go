package cli_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/internal/smtpsink"
	"github.com/agora-hub/agora/internal/testsite"
	"github.com/agora-hub/agora/newsletter/store/sqlite"
	"github.com/agora-hub/agora/newsletter/token"
)

var prefsLink = regexp.MustCompile(`Change your topics:\s+(https://news\.example\.org/preferences\?t=([A-Za-z0-9_.-]+))`)

// TestSendMailAsReceived sends an issue to the in-process SMTP server and
// reads what arrived: the Message-ID is under the From domain (never the
// machine's name), and the digest has a "Change your topics" link with a
// preferences token that never expires exactly when [newsletter] endpoint
// is set.
func TestSendMailAsReceived(t *testing.T) {
	const secret = "0123456789abcdef0123456789abcdef"
	host, _ := os.Hostname()
	for _, tc := range []struct {
		name, endpoint, from, domain string
		prefs                        bool
	}{
		{"with an endpoint", "endpoint = \"https://news.example.org\"\n", "Hub <news@Mail.Example.org>", "mail.example.org", true},
		{"without an endpoint", "", "news@example.net", "example.net", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AGORA_DB", "")
			site := strings.Replace(sendSite, "[newsletter]\nfrom = \"Hub <news@example.org>\"\n",
				"[newsletter]\n"+tc.endpoint+"from = \""+strings.ReplaceAll(tc.from, `"`, `\"`)+"\"\n", 1)
			dir := testsite.New(t, site)
			if code, _, stderr := run(t, "subscribers", "add", "ada@example.org", "-s", dir); code != 0 {
				t.Fatalf("add: %s", stderr)
			}
			sink, err := smtpsink.Start()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { sink.Close() })
			t.Setenv("AGORA_SECRET", secret)
			t.Setenv("AGORA_SMTP_PORT", strconv.Itoa(sink.Port()))
			if code, out, stderr := run(t, "send", "-s", dir, "--now=2026-02-01T00:00:00Z", "--yes"); code != 0 {
				t.Fatalf("send: exit %d\n%s%s", code, out, stderr)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			msgs, err := sink.Wait(ctx, 1)
			if err != nil {
				t.Fatal(err)
			}
			hdr, err := msgs[0].Header()
			if err != nil {
				t.Fatal(err)
			}
			if id := hdr.Get("Message-ID"); !strings.HasSuffix(id, "@"+tc.domain+">") || host != "" && strings.Contains(id, "@"+host+">") {
				t.Errorf("Message-ID %q: want it under %s", id, tc.domain)
			}
			text, err := msgs[0].Text()
			if err != nil {
				t.Fatal(err)
			}
			m := prefsLink.FindStringSubmatch(text)
			if got := m != nil; got != tc.prefs || strings.Contains(text, "Change your topics") != tc.prefs {
				t.Fatalf("preferences link %v, want %v:\n%s", got, tc.prefs, text)
			}
			if !tc.prefs {
				return
			}
			// Signed for preferences, with no expiry: years from now it
			// still opens the page.
			later, _ := token.New([]byte(secret), func() time.Time { return time.Now().AddDate(10, 0, 0) })
			st, err := sqlite.Open(ctx, filepath.Join(dir, "data", "agora.db"), sqlite.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			ada, err := st.Get(ctx, "ada@example.org")
			if err != nil {
				t.Fatal(err)
			}
			c, err := later.Parse(m[2])
			if err != nil || c.Handle != ada.Link.Handle {
				t.Fatalf("the preferences token names %q, %v; want Ada's handle", c.Handle, err)
			}
			if err := later.Check(c, token.Preferences, ada.Link.Secret); err != nil {
				t.Errorf("the preferences token: %v", err)
			}
			if err := later.Check(c, token.Unsubscribe, ada.Link.Secret); !errors.Is(err, token.ErrWrongPurpose) {
				t.Errorf("the preferences token unsubscribes: %v", err)
			}
		})
	}
}
