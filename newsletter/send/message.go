package send

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"mime"
	"net/mail"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/emersion/go-msgauth/dkim"

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
//
// Everyone who gets the same digest (the same items, topics and "more"
// count) gets the same message but for a few values: their name, address
// and the tokens of their unsubscribe and preferences links, the
// Message-ID and the Date. So the templates
// are rendered once per digest into a skeleton (see digest.Skeleton), its
// parts encoded once, and a message is those parts copied with the
// subscriber's values put in: no template runs, no MIME writer, per
// message. Templates that use the subscriber's values in other ways get
// each message rendered in full, into the same layout.
type Composer struct {
	Site    *digest.Site
	From    string // "Name <addr>" or "addr"
	ReplyTo string
	// Signer signs unsubscribe links; nil only for previews, whose links
	// hold a placeholder token.
	Signer *token.Signer
	DKIM   *DKIM

	fromAddr, fromDomain string
	fromHeader, replyTo  string // formatted for the headers
	listID               string
	endpoint             string
	maxItems             int
	// The unsubscribe link is one of these followed by the token.
	httpsPrefix, mailtoPrefix string
	// The preferences link is this followed by a preferences token; empty
	// without an endpoint, and then there is no such link.
	prefsPrefix string
	boundary    string

	mu      sync.Mutex
	digests map[string]*prepared
}

// maxDigests bounds the digests a Composer keeps ready; a list whose
// subscribers chose more combinations of topics than this renders some
// digests more than once.
const maxDigests = 256

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
		fromAddr: a.Address, fromDomain: strings.ToLower(domain), fromHeader: formatAddress(a),
		endpoint: strings.TrimSuffix(site.Config.Newsletter.Endpoint, "/"),
		maxItems: site.Config.Newsletter.MaxItems,
		digests:  map[string]*prepared{},
	}
	if replyTo != "" {
		r, err := mail.ParseAddress(replyTo)
		if err != nil {
			return nil, fmt.Errorf("[newsletter] reply_to %q: %w", replyTo, err)
		}
		c.replyTo = formatAddress(r)
	}
	// RFC 2919: a phrase and a label under a domain the sender controls.
	c.listID = fmt.Sprintf("%s <newsletter.%s>", quotePhrase(site.Config.Title), c.fromDomain)
	c.mailtoPrefix = "mailto:" + c.unsubscribeMailbox() + "?subject=" + url.PathEscape("unsubscribe ")
	if c.endpoint != "" {
		c.httpsPrefix = c.endpoint + "/unsubscribe?t="
		c.prefsPrefix = c.endpoint + "/preferences?t="
	}
	// "=_" never occurs in quoted-printable text, so no part can hold
	// the boundary.
	var b [12]byte
	_, _ = rand.Read(b[:])
	c.boundary = "=_agora_" + hex.EncodeToString(b[:])
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
// never mint the same ID, and stands for the subscriber: their ID in
// clear would tell every reader how long the list is.
func (c *Composer) MessageID(is store.Issue, subID int64) string {
	h := sha256.Sum256(fmt.Appendf(nil, "agora\x00%d\x00%s\x00%d", is.Number, is.Created.UTC().Format(time.RFC3339Nano), subID))
	return fmt.Sprintf("issue-%d.%s@%s", is.Number, hex.EncodeToString(h[:12]), c.fromDomain)
}

// token returns the subscriber's unsubscribe token, made of
// digest.TokenChars only, which links carry unescaped.
func (c *Composer) token(sub subscriber.Subscriber) string {
	if c.Signer == nil {
		return "PREVIEW"
	}
	return c.Signer.Sign(token.Unsubscribe, sub.Link, "", 0)
}

// prefsToken returns the subscriber's preferences token, which never
// expires either: the link is in every digest they keep. Empty when the
// digest has no preferences link.
func (c *Composer) prefsToken(sub subscriber.Subscriber) string {
	switch {
	case c.prefsPrefix == "":
		return ""
	case c.Signer == nil:
		return "PREVIEW"
	}
	return c.Signer.Sign(token.Preferences, sub.Link, "", 0)
}

// preferencesURL is the digest's link to the preferences page for a
// token, or none.
func (c *Composer) preferencesURL(tok string) string {
	if c.prefsPrefix == "" {
		return ""
	}
	return c.prefsPrefix + tok
}

// unsubscribePrefix is the body's unsubscribe link without the token: the
// https endpoint when there is one, else the mailto.
func (c *Composer) unsubscribePrefix() string {
	if c.httpsPrefix != "" {
		return c.httpsPrefix
	}
	return c.mailtoPrefix
}

// appendListUnsubscribe appends the List-Unsubscribe header, a URI a
// line: they have nowhere else to fold.
func (c *Composer) appendListUnsubscribe(dst []byte, tok string) []byte {
	dst = append(dst, "List-Unsubscribe:\r\n <"...)
	if c.httpsPrefix != "" {
		dst = append(dst, c.httpsPrefix...)
		dst = append(dst, tok...)
		dst = append(dst, ">,\r\n <"...)
	}
	dst = append(dst, c.mailtoPrefix...)
	dst = append(dst, tok...)
	return append(dst, ">\r\n"...)
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
	var r digest.Rendered
	data, _, err := c.appendMessage(nil, is, sub, items, more, at, &r)
	if err != nil {
		return Composed{}, err
	}
	return Composed{MessageID: "<" + c.MessageID(is, sub.ID) + ">", Rendered: r, Data: data}, nil
}

// prepared is what the messages of one digest share.
type prepared struct {
	head []byte // the headers that are the same for all of them
	// With a skeleton: its text and HTML encoded, each literal ending at
	// the start of a line, so that a hole's value, encoded on its own,
	// goes between two of them.
	sk         *digest.Skeleton
	text, html []encodedPiece
	htmlLit    int // the HTML's length without its holes
}

type encodedPiece struct {
	qp []byte
	digest.Piece
}

// digestKey names what makes two subscribers' messages share a skeleton.
func digestKey(is store.Issue, sub subscriber.Subscriber, items []store.Item, more int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d\x00%d\x00%d\x00%t\x00%t\x00%d", is.ID, is.Number, is.Created.UnixNano(), sub.Name == "", sub.Email == "", more)
	for _, t := range sub.Topics {
		b.WriteString("\x00t")
		b.WriteString(t)
	}
	for _, it := range items {
		b.WriteString("\x00i")
		b.WriteString(it.ID)
	}
	return b.String()
}

// prepare returns the shared parts of sub's digest, rendering it the
// first time.
func (c *Composer) prepare(is store.Issue, sub subscriber.Subscriber, items []store.Item, more int) (*prepared, error) {
	key := digestKey(is, sub, items, more)
	c.mu.Lock()
	p := c.digests[key]
	c.mu.Unlock()
	if p != nil {
		return p, nil
	}
	m := c.message(is, sub, items, more, "", "")
	sk, err := c.Site.Templates().Skeleton(m, c.unsubscribePrefix(), c.prefsPrefix)
	if err != nil {
		return nil, err
	}
	p = &prepared{sk: sk}
	if sk != nil {
		p.text = encodePieces(sk.Text)
		p.html = encodePieces(sk.HTML)
		for _, pc := range sk.HTML {
			p.htmlLit += len(pc.Lit)
		}
	}
	subject := c.Site.Templates().Subject(is.Number, items, more)
	if sk != nil {
		subject = sk.Subject
	}
	p.head = c.appendHead(nil, subject)
	c.mu.Lock()
	if len(c.digests) >= maxDigests {
		for k := range c.digests {
			delete(c.digests, k)
			break
		}
	}
	c.digests[key] = p
	c.mu.Unlock()
	return p, nil
}

func (c *Composer) message(is store.Issue, sub subscriber.Subscriber, items []store.Item, more int, unsubscribe, preferences string) digest.Message {
	return digest.Message{
		Issue: is, ArchiveURL: c.Site.ArchiveURL(is.ArchivePath), Subscriber: sub,
		Items: items, More: more, UnsubscribeURL: unsubscribe, PreferencesURL: preferences,
	}
}

// appendHead appends the headers every message of a digest has.
// Everything typed by a person (the subject from titles, the names) goes
// through headerText and is encoded (RFC 2047) or quoted, so nothing a
// subscriber or an editor typed can start a header of its own.
func (c *Composer) appendHead(dst []byte, subject string) []byte {
	dst = appendHeader(dst, "From", c.fromHeader)
	if c.replyTo != "" {
		dst = appendHeader(dst, "Reply-To", c.replyTo)
	}
	dst = appendHeader(dst, "Subject", mime.QEncoding.Encode("UTF-8", headerText(subject)))
	dst = appendHeader(dst, "List-Id", c.listID)
	if c.httpsPrefix != "" {
		// RFC 8058: the https URI takes a POST; no GET changes anything,
		// so link scanners that follow links unsubscribe nobody.
		dst = append(dst, "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"...)
	}
	dst = append(dst, "Precedence: bulk\r\nMIME-Version: 1.0\r\n"...)
	dst = append(dst, "Content-Type: multipart/alternative;\r\n boundary=\""...)
	dst = append(dst, c.boundary...)
	return append(dst, "\"\r\n"...)
}

// appendMessage appends sub's message to dst and returns it with the
// length of its HTML; r, when not nil, receives the rendered digest.
func (c *Composer) appendMessage(dst []byte, is store.Issue, sub subscriber.Subscriber, items []store.Item, more int, at time.Time, r *digest.Rendered) ([]byte, int, error) {
	p, err := c.prepare(is, sub, items, more)
	if err != nil {
		return dst, 0, err
	}
	tok, prefs := c.token(sub), c.prefsToken(sub)
	v := digest.Values{Name: sub.Name, Email: sub.Email, Token: tok, Prefs: prefs}
	start := len(dst)
	dst = append(dst, p.head...)
	to := formatAddress(&mail.Address{Name: headerText(sub.Name), Address: sub.Email})
	if strings.ContainsAny(sub.Email, "\r\n") {
		return dst[:start], 0, fmt.Errorf("the To address %q has a line break", sub.Email)
	}
	dst = appendHeader(dst, "To", to)
	dst = append(dst, "Date: "...)
	dst = at.AppendFormat(dst, time.RFC1123Z)
	dst = append(dst, "\r\nMessage-ID: <"...)
	dst = append(dst, c.MessageID(is, sub.ID)...)
	dst = append(dst, ">\r\n"...)
	dst = c.appendListUnsubscribe(dst, tok)
	dst = append(dst, "\r\n"...)

	var htmlLen int
	var full digest.Rendered
	if p.sk == nil {
		full, err = c.Site.Templates().Render(c.message(is, sub, items, more, c.unsubscribePrefix()+tok, c.preferencesURL(prefs)))
		if err != nil {
			return dst[:start], 0, err
		}
		htmlLen = len(full.HTML)
	}
	dst = c.appendPart(dst, "text/plain")
	if p.sk != nil {
		dst = appendPieces(dst, p.text, v)
	} else {
		dst, _ = appendQP(dst, full.Text, 0, true)
	}
	dst = c.appendPart(dst, "text/html")
	if p.sk != nil {
		var n int
		dst, n = appendPiecesLen(dst, p.html, v)
		htmlLen = p.htmlLit + n
	} else {
		dst, _ = appendQP(dst, full.HTML, 0, true)
	}
	dst = append(dst, "\r\n--"...)
	dst = append(dst, c.boundary...)
	dst = append(dst, "--\r\n"...)

	if r != nil {
		if p.sk != nil {
			*r = p.sk.Fill(v)
		} else {
			*r = full
		}
	}
	dst, err = c.sign(dst, start)
	if err != nil {
		return dst, 0, err
	}
	return dst, htmlLen, nil
}

// sign replaces the message at dst[start:] with its DKIM-signed form when
// DKIM is set.
func (c *Composer) sign(dst []byte, start int) ([]byte, error) {
	if c.DKIM == nil {
		return dst, nil
	}
	msg := dst[start:]
	var signed bytes.Buffer
	signed.Grow(len(msg) + 1024)
	err := dkim.Sign(&signed, bytes.NewReader(msg), &dkim.SignOptions{
		Domain: c.DKIM.Domain, Selector: c.DKIM.Selector, Signer: c.DKIM.Key, Hash: crypto.SHA256,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed,
		HeaderKeys: present(msg, signedHeaders),
	})
	if err != nil {
		return dst[:start], fmt.Errorf("DKIM signing: %w", err)
	}
	return append(dst[:start], signed.Bytes()...), nil
}

// appendPart starts a part: the boundary (after the line break that
// belongs to it) and the part's headers.
func (c *Composer) appendPart(dst []byte, typ string) []byte {
	if typ != "text/plain" {
		dst = append(dst, "\r\n"...)
	}
	dst = append(dst, "--"...)
	dst = append(dst, c.boundary...)
	dst = append(dst, "\r\nContent-Type: "...)
	dst = append(dst, typ...)
	return append(dst, "; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"...)
}

// encodePieces encodes a skeleton's literals, each from the start of a
// line and ended by a soft line break when it does not end one, so that
// they and the holes' values can be encoded apart.
func encodePieces(ps []digest.Piece) []encodedPiece {
	out := make([]encodedPiece, len(ps))
	for i, p := range ps {
		qp, col := appendQP(nil, p.Lit, 0, p.Hole == digest.NoHole)
		if col > 0 && p.Hole != digest.NoHole {
			qp = append(qp, "=\r\n"...)
		}
		out[i] = encodedPiece{qp: qp, Piece: p}
	}
	return out
}

func appendPieces(dst []byte, ps []encodedPiece, v digest.Values) []byte {
	dst, _ = appendPiecesLen(dst, ps, v)
	return dst
}

// appendPiecesLen appends the encoded pieces with v in the holes, and
// returns how long the holes' text is.
func appendPiecesLen(dst []byte, ps []encodedPiece, v digest.Values) ([]byte, int) {
	var scratch [256]byte
	n := 0
	for _, p := range ps {
		dst = append(dst, p.qp...)
		if p.Hole == digest.NoHole {
			continue
		}
		var s []byte
		if p.HTML {
			s = digest.AppendHTMLEscaped(scratch[:0], v.Of(p.Hole))
		} else {
			s = append(scratch[:0], v.Of(p.Hole)...)
		}
		n += len(s)
		var col int
		dst, col = appendQP(dst, string(s), 0, false)
		if col > 0 {
			dst = append(dst, "=\r\n"...)
		}
	}
	return dst, n
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
