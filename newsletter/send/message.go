package send

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"os"
	"strings"
	"time"
	"unicode"

	"github.com/emersion/go-msgauth/dkim"
	gomail "github.com/wneessen/go-mail"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/newsletter/digest"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
	"github.com/agora-hub/agora/newsletter/token"
)

// EnvDKIMKey names the environment variable holding the path of the DKIM
// private key (PEM: PKCS #1 or PKCS #8, RSA or Ed25519).
const EnvDKIMKey = "AGORA_DKIM_KEY"

// signedHeaders are the headers a DKIM signature covers. Gmail's and
// Yahoo's bulk-sender rules want List-Unsubscribe and its -Post among
// them, so that nobody on the way can swap the unsubscribe link.
var signedHeaders = []string{
	"From", "To", "Subject", "Date", "Message-ID", "Reply-To", "MIME-Version", "Content-Type",
	"List-Id", "List-Unsubscribe", "List-Unsubscribe-Post",
}

// DKIM signs messages for a domain.
type DKIM struct {
	Domain, Selector string
	Key              crypto.Signer
}

// LoadDKIM returns the signer [newsletter.dkim] asks for, or nil when it
// is not configured. The key file comes from AGORA_DKIM_KEY only: a
// private key never sits in site.toml.
func LoadDKIM(cfg config.DKIM, getenv func(string) string) (*DKIM, error) {
	if cfg.Domain == "" {
		return nil, nil
	}
	path := getenv(EnvDKIMKey)
	if path == "" {
		return nil, fmt.Errorf("[newsletter.dkim] is set but %s is empty: set it to the private key file (PEM)", EnvDKIMKey)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the DKIM key (%s): %w", EnvDKIMKey, err)
	}
	key, err := ParseKey(data)
	if err != nil {
		return nil, fmt.Errorf("DKIM key %s: %w", path, err)
	}
	return &DKIM{Domain: cfg.Domain, Selector: cfg.Selector, Key: key}, nil
}

// ParseKey reads a PEM private key: RSA (PKCS #1 or #8) or Ed25519.
func ParseKey(data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block (want -----BEGIN PRIVATE KEY-----)")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("not an RSA or Ed25519 private key: %w", err)
	}
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case ed25519.PrivateKey:
		return k, nil
	}
	return nil, fmt.Errorf("a %T key: want RSA or Ed25519", k)
}

// Composer makes the messages of an issue.
type Composer struct {
	Site    *digest.Site
	From    string // "Name <addr>" or "addr"
	ReplyTo string
	// Signer signs unsubscribe links; nil only for previews, whose links
	// hold a placeholder token.
	Signer *token.Signer
	DKIM   *DKIM

	fromAddr, fromDomain string
	listID               string
	endpoint             string
	maxItems             int
}

// NewComposer checks the sender's settings and returns a Composer.
func NewComposer(site *digest.Site, from, replyTo string, signer *token.Signer, dk *DKIM) (*Composer, error) {
	if from == "" {
		return nil, errors.New("no sender: set [newsletter] from in site.toml, e.g. from = \"Agora <news@example.org>\"")
	}
	a, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("[newsletter] from %q: %w", from, err)
	}
	_, domain, _ := strings.Cut(a.Address, "@")
	c := &Composer{
		Site: site, From: from, ReplyTo: replyTo, Signer: signer, DKIM: dk,
		fromAddr: a.Address, fromDomain: strings.ToLower(domain),
		endpoint: strings.TrimSuffix(site.Config.Newsletter.Endpoint, "/"),
		maxItems: site.Config.Newsletter.MaxItems,
	}
	// RFC 2919: a phrase and a label under a domain the sender controls.
	c.listID = fmt.Sprintf("%s <newsletter.%s>", quotePhrase(site.Config.Title), c.fromDomain)
	return c, nil
}

// quotePhrase makes an ASCII quoted-string of s for List-Id, dropping what
// a quoted string cannot hold.
func quotePhrase(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r >= 0x20 && r < 0x7f:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// FromAddress is the envelope sender.
func (c *Composer) FromAddress() string { return c.fromAddr }

// MessageID is stable for (issue, subscriber): a message sent again after
// a crash carries the same one, so that clients that saw the first show
// one message. The hash ties it to this issue row, so that two databases
// never mint the same ID.
func (c *Composer) MessageID(is store.Issue, subID int64) string {
	h := sha256.Sum256(fmt.Appendf(nil, "agora\x00%d\x00%s\x00%d", is.Number, is.Created.UTC().Format(time.RFC3339Nano), subID))
	return fmt.Sprintf("issue-%d.sub-%d.%s@%s", is.Number, subID, hex.EncodeToString(h[:6]), c.fromDomain)
}

// unsubscribe returns the link for the message body and the
// List-Unsubscribe header's URIs.
func (c *Composer) unsubscribe(subID int64) (link string, header []string, oneClick bool) {
	tok := "PREVIEW"
	if c.Signer != nil {
		tok = c.Signer.Sign(token.Unsubscribe, subID, 0)
	}
	mailto := "mailto:" + c.unsubscribeMailbox() + "?subject=" + url.PathEscape("unsubscribe "+tok)
	if c.endpoint == "" {
		return mailto, []string{"<" + mailto + ">"}, false
	}
	https := c.endpoint + "/unsubscribe?t=" + url.QueryEscape(tok)
	return https, []string{"<" + https + ">", "<" + mailto + ">"}, true
}

func (c *Composer) unsubscribeMailbox() string {
	if c.ReplyTo != "" {
		if a, err := mail.ParseAddress(c.ReplyTo); err == nil {
			return a.Address
		}
	}
	return c.fromAddr
}

// Composed is one message, ready for SMTP.
type Composed struct {
	MessageID string
	Rendered  digest.Rendered
	Data      []byte // the RFC 5322 message, CRLF line ends, signed when DKIM is set
}

// Compose makes the message for sub with items (already selected), dated
// at.
func (c *Composer) Compose(is store.Issue, sub subscriber.Subscriber, items []store.Item, more int, at time.Time) (Composed, error) {
	link, listUnsub, oneClick := c.unsubscribe(sub.ID)
	r, err := c.Site.Templates().Render(digest.Message{
		Issue: is, ArchiveURL: c.Site.ArchiveURL(is.ArchivePath), Subscriber: sub,
		Items: items, More: more, UnsubscribeURL: link,
	})
	if err != nil {
		return Composed{}, err
	}
	id := c.MessageID(is, sub.ID)
	m := gomail.NewMsg(gomail.WithNoDefaultUserAgent())
	// go-mail encodes names and the subject (RFC 2047) and refuses
	// addresses with line breaks, so nothing a subscriber or an editor
	// typed can start a header of its own.
	if err := m.From(c.From); err != nil {
		return Composed{}, fmt.Errorf("the From address %q: %w", c.From, err)
	}
	if err := m.AddToFormat(headerText(sub.Name), sub.Email); err != nil {
		return Composed{}, fmt.Errorf("the To address %q: %w", sub.Email, err)
	}
	if c.ReplyTo != "" {
		if err := m.ReplyTo(c.ReplyTo); err != nil {
			return Composed{}, fmt.Errorf("the Reply-To address %q: %w", c.ReplyTo, err)
		}
	}
	m.Subject(headerText(r.Subject))
	m.SetMessageIDWithValue(id)
	m.SetDateWithValue(at)
	m.SetGenHeader(gomail.Header("List-Id"), c.listID)
	m.SetGenHeaderPreformatted(gomail.HeaderListUnsubscribe, strings.Join(listUnsub, ", "))
	if oneClick {
		// RFC 8058: the https URI takes a POST; no GET changes anything,
		// so link scanners that follow links unsubscribe nobody.
		m.SetGenHeader(gomail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	m.SetGenHeader(gomail.HeaderPrecedence, "bulk")
	m.SetBodyString(gomail.TypeTextPlain, r.Text)
	m.AddAlternativeString(gomail.TypeTextHTML, r.HTML)
	var buf bytes.Buffer
	buf.Grow(len(r.HTML) + len(r.Text) + 4096)
	if _, err := m.WriteTo(&buf); err != nil {
		return Composed{}, fmt.Errorf("writing the message: %w", err)
	}
	data := buf.Bytes()
	if c.DKIM != nil {
		var signed bytes.Buffer
		signed.Grow(len(data) + 1024)
		err := dkim.Sign(&signed, bytes.NewReader(data), &dkim.SignOptions{
			Domain: c.DKIM.Domain, Selector: c.DKIM.Selector, Signer: c.DKIM.Key, Hash: crypto.SHA256,
			HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
			HeaderKeys: present(data, signedHeaders),
		})
		if err != nil {
			return Composed{}, fmt.Errorf("DKIM signing: %w", err)
		}
		data = signed.Bytes()
	}
	return Composed{MessageID: "<" + id + ">", Rendered: r, Data: data}, nil
}

// headerText turns line breaks and other control characters into spaces.
// The subscriber model refuses them in names already, and go-mail refuses
// or encodes what is left; this keeps a title with a stray line break, or
// a name from a store filled by other means, from costing the message.
func headerText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
}

// present keeps the header names that the message has: signing an absent
// header is allowed but says nothing.
func present(msg []byte, names []string) []string {
	head, _, _ := bytes.Cut(msg, []byte("\r\n\r\n"))
	lower := strings.ToLower("\r\n" + string(head))
	var out []string
	for _, n := range names {
		if strings.Contains(lower, "\r\n"+strings.ToLower(n)+":") {
			out = append(out, n)
		}
	}
	return out
}
