package send_test

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"

	"github.com/agora-hub/agora/newsletter/digest"
	"github.com/agora-hub/agora/newsletter/send"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
	"github.com/agora-hub/agora/newsletter/token"
)

// TestComposeMatchesRender: a message made from a digest's skeleton
// decodes to exactly what rendering the templates for that subscriber
// gives, whatever their name, and so does one rendered in full (site
// templates that use the name in a way a skeleton cannot reproduce).
// Every line is short, none starts with a dot (nothing for SMTP to stuff),
// and the headers parse back.
func TestComposeMatchesRender(t *testing.T) {
	long := strings.Repeat("Wörd ", 40)
	tipBody := ".A line that starts with a dot, and trailing space   \n" +
		"=equals= and tabs\tand \"quotes\" and a very long line " + strings.Repeat("abcdefghij", 30) + "\n\n.\n..\n"
	layouts := map[string]map[string]string{
		"built-in theme": nil,
		"rendered in full": {
			"layouts/email/digest.html": `<p>{{ upper .Subscriber.Name }}</p>{{ range .Items }}<div>{{ .Summary }}</div>{{ end }}<a href="{{ .UnsubscribeURL }}">u</a>`,
			"layouts/email/digest.txt":  "{{ .Subscriber.Name | upper }}\n{{ range .Items }}{{ .SummaryText }}\n{{ end }}{{ .UnsubscribeURL }} \n",
		},
	}
	for name, files := range layouts {
		t.Run(name, func(t *testing.T) {
			extra := map[string]string{"content/tips/dots.md": tipFile("Dots «and» €uros", "2026-05-03T09:00:00", `"go"`) + tipBody}
			for k, v := range files {
				extra[k] = v
			}
			f := newFixture(t, extra)
			signer, _ := token.New([]byte(secret), nil)
			c, err := send.NewComposer(f.site, "Hub Ünïcode <news@example.org>", "editors@example.org", signer, nil)
			if err != nil {
				t.Fatal(err)
			}
			items, err := f.site.Gather(clock.AddDate(0, -1, 0), clock)
			if err != nil {
				t.Fatal(err)
			}
			is := store.Issue{ID: 1, Number: 4, Cutoff: clock, Created: clock, ArchivePath: "/newsletter/4/"}
			names := []string{"", "Ada", ".Dot", `Zoë "Q" <b>&amp;</b> + 'x' 😀`, long, "trailing space "}
			for i, n := range names {
				for _, topics := range [][]string{nil, {"go"}} {
					sub := subscriber.Subscriber{ID: int64(10 + i), Email: "s" + string(rune('a'+i)) + "+tag@example.org", Name: n, Topics: topics, Status: subscriber.Active}
					m, err := c.Compose(is, sub, items, 0, clock)
					if err != nil {
						t.Fatal(err)
					}
					want, err := f.site.Templates().Render(digest.Message{
						Issue: is, ArchiveURL: f.site.ArchiveURL(is.ArchivePath), Subscriber: sub, Items: items,
						UnsubscribeURL: "https://hub.example.org/newsletter/unsubscribe?t=" + signer.Sign(token.Unsubscribe, sub.Link, "", 0),
						PreferencesURL: "https://hub.example.org/newsletter/preferences?t=" + signer.Sign(token.Preferences, sub.Link, "", 0),
					})
					if err != nil {
						t.Fatal(err)
					}
					if files == nil && !strings.Contains(want.Text, "Change your topics:\nhttps://hub.example.org/newsletter/preferences?t=") {
						t.Fatalf("the built-in theme's text has no preferences link:\n%s", want.Text)
					}
					if m.Rendered != want {
						t.Fatalf("%q: Compose's rendering differs from Render's", n)
					}
					checkMessage(t, m.Data, sub, want)
				}
			}
		})
	}
}

func checkMessage(t *testing.T, data []byte, sub subscriber.Subscriber, want digest.Rendered) {
	t.Helper()
	body := false
	for line := range bytes.Lines(data) {
		if !bytes.HasSuffix(line, []byte("\r\n")) || bytes.ContainsAny(line[:len(line)-2], "\r\n") {
			t.Fatalf("a line without CRLF or with a bare CR or LF: %q", line)
		}
		n := len(line) - 2
		switch {
		case n == 0:
			body = true
		case body && n > 76:
			t.Errorf("a body line of %d characters: %q", n, line)
		case !body && n > 78 && bytes.Contains(line[1:], []byte(" ")):
			// Only a URI that has nowhere to fold may be longer.
			t.Errorf("a header line of %d characters: %q", n, line)
		}
		if line[0] == '.' {
			t.Errorf("a line starts with a dot: %q", line)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	dec := new(mime.WordDecoder)
	subj, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subj != want.Subject {
		t.Errorf("Subject %q (%v), want %q", subj, err, want.Subject)
	}
	from, err := msg.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Hub Ünïcode" || from[0].Address != "news@example.org" {
		t.Errorf("From %q: %v", msg.Header.Get("From"), err)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Address != sub.Email || to[0].Name != sub.Name {
		t.Errorf("To %q: %+v, %v; want %q", msg.Header.Get("To"), to, err, sub.Name)
	}
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var got []string
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(p) // decodes the quoted-printable
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, strings.ReplaceAll(string(body), "\r\n", "\n"))
	}
	if len(got) != 2 || got[0] != want.Text || got[1] != want.HTML {
		t.Fatalf("the parts decode to\n%q\nwant\n%q", got, []string{want.Text, want.HTML})
	}
}
