// Package subscriber is the newsletter's model of a person on the list: a
// normalised address, a name, the topics they chose, a status and the
// record of their consent. Every way in (the CLI, a CSV import, later the
// sign-up form) goes through New, so the store never holds an address that
// could break a mail header or a name that could inject one.
package subscriber

import (
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"

	"github.com/agora-hub/agora/generator/urls"
	"github.com/agora-hub/agora/newsletter/token"
)

// Status is where a subscriber stands. Only Active subscribers are mailed.
type Status string

// The statuses. Unsubscribed and Bounced are suppressions: the person said
// no, or the address does not take mail; nothing but an explicit new
// consent may lift them.
const (
	Pending      Status = "pending"
	Active       Status = "active"
	Unsubscribed Status = "unsubscribed"
	Bounced      Status = "bounced"
)

// Statuses lists every status in the order reports show them.
var Statuses = []Status{Active, Pending, Unsubscribed, Bounced}

// ParseStatus accepts one of Statuses.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", fmt.Errorf("status %q: want one of pending, active, unsubscribed, bounced", s)
}

// Suppressed reports whether s forbids mailing until the person consents again.
func (s Status) Suppressed() bool { return s == Unsubscribed || s == Bounced }

// Consent records when and how a person agreed to be mailed: "cli" for an
// operator's `agora subscribers add`, "import:<file>" for a CSV import,
// "form" for the sign-up service.
type Consent struct {
	At  time.Time
	How string
}

// Subscriber is one person on the list.
type Subscriber struct {
	ID     int64
	Email  string
	Name   string
	Topics []string
	Status Status
	Consent
	Created time.Time
	Updated time.Time
	// Link is what the signed links in their mail are made from: a
	// random handle and secret the store makes with the row and erases
	// with it. It is not a detail of the person: exports leave it out.
	Link token.Subject
}

// Limits keep a row to what a digest can use and a hostile sign-up form
// cannot abuse; RFC 5321 sets the address ones.
const (
	MaxName      = 200 // runes
	MaxTopic     = 64  // bytes, after normalising
	MaxTopics    = 50
	maxLocalPart = 64
	maxAddress   = 254
)

// New validates and normalises every field. consent.How must be set; a zero
// consent.At is left for the store to fill with its clock.
func New(email, name string, topics []string, status Status, consent Consent) (Subscriber, error) {
	var s Subscriber
	var err error
	if s.Email, err = NormalizeEmail(email); err != nil {
		return s, err
	}
	if s.Name, err = NormalizeName(name); err != nil {
		return s, err
	}
	if s.Topics, err = NormalizeTopics(topics); err != nil {
		return s, err
	}
	if s.Status, err = ParseStatus(string(status)); err != nil {
		return s, err
	}
	if consent.How == "" || hasControl(consent.How) {
		return s, fmt.Errorf("consent %q: want a short word such as cli or import:FILE", consent.How)
	}
	s.Consent = consent
	return s, nil
}

// Key is the identity of an address. Mail providers treat the local part
// case-insensitively in practice, so Ada@x and ada@x are one person and must
// never get two digests, while the address itself is kept as typed.
func Key(email string) string { return strings.ToLower(email) }

// NormalizeEmail checks that raw is a bare address (ada@example.org) and
// returns it with surrounding white space trimmed and the domain in
// lower-case ASCII. It refuses display names and angle brackets, quoted or
// commented local parts, IP-literal and dotless domains, and any control
// character: an address ends up in To: and in SMTP commands, where a CR or
// LF would let its owner write headers or commands of their own.
func NormalizeEmail(raw string) (string, error) {
	bad := func(format string, args ...any) (string, error) {
		return "", fmt.Errorf("address %q: %s", raw, fmt.Sprintf(format, args...))
	}
	if strings.ContainsAny(raw, "\r\n") {
		return bad("contains a line break")
	}
	if !utf8.ValidString(raw) {
		return bad("is not valid UTF-8")
	}
	s := strings.TrimSpace(raw)
	switch {
	case s == "":
		return bad("is empty")
	case hasControl(s):
		return bad("contains a control character")
	case strings.ContainsAny(s, "<>"), strings.ContainsAny(s, " \t"):
		return bad("want a bare address such as ada@example.org, without a name or <>")
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return bad("has no @")
	}
	local, domain := s[:at], s[at+1:]
	switch {
	case local == "":
		return bad("has nothing before the @")
	case domain == "":
		return bad("has nothing after the @")
	case len(local) > maxLocalPart:
		return bad("the part before the @ is longer than %d characters", maxLocalPart)
	}
	for _, r := range local {
		if r >= utf8.RuneSelf {
			// RFC 6531 addresses need SMTPUTF8 at every hop; refusing them
			// here is kinder than a digest that bounces for some.
			return bad("has non-ASCII characters before the @, which many mail servers refuse")
		}
	}
	ascii, err := asciiDomain(domain)
	if err != nil {
		return bad("%v", err)
	}
	addr := local + "@" + ascii
	if len(addr) > maxAddress {
		return bad("is longer than %d characters", maxAddress)
	}
	parsed, err := mail.ParseAddress(addr)
	if err != nil || parsed.Name != "" || parsed.Address != addr {
		return bad("is not a valid address")
	}
	return addr, nil
}

// asciiDomain returns the lower-case A-label form, so that ada@bücher.de
// and ada@xn--bcher-kva.de are one subscriber and SMTP needs no extension.
func asciiDomain(d string) (string, error) {
	if strings.HasPrefix(d, "[") {
		return "", errors.New("IP-address domains are not accepted")
	}
	ascii, err := idna.Lookup.ToASCII(d)
	if err != nil {
		return "", fmt.Errorf("domain %q is not a valid host name", d)
	}
	labels := strings.Split(ascii, ".")
	if len(labels) < 2 {
		return "", fmt.Errorf("domain %q has no dot: want a full domain such as example.org", d)
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") || strings.Trim(l, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			return "", fmt.Errorf("domain %q is not a valid host name", d)
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return "", errors.New("IP-address domains are not accepted")
	}
	return ascii, nil
}

// NormalizeName trims white space and refuses control characters, line
// breaks above all: a name is written into the To: header of every digest.
func NormalizeName(raw string) (string, error) {
	if !utf8.ValidString(raw) {
		return "", fmt.Errorf("name %q is not valid UTF-8", raw)
	}
	s := strings.TrimSpace(raw)
	if strings.ContainsAny(s, "\r\n") || hasControl(s) {
		return "", fmt.Errorf("name %q contains a line break or control character", raw)
	}
	if utf8.RuneCountInString(s) > MaxName {
		return "", fmt.Errorf("name is longer than %d characters", MaxName)
	}
	return s, nil
}

// NormalizeTopics turns the niches a person chose into the keys of the
// site's term pages (lower-case URL segments, as /tags/<term>/), so "Go"
// and "go " are one topic and a digest can match them against tips' tags.
// The result is deduplicated and sorted; blank entries are dropped.
func NormalizeTopics(raw []string) ([]string, error) {
	topics := []string{}
	for _, t := range raw {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if hasControl(t) || !utf8.ValidString(t) {
			return nil, fmt.Errorf("topic %q contains a control character", t)
		}
		n := urls.Segment(t)
		switch {
		case n == "":
			return nil, fmt.Errorf("topic %q has no letters or digits", t)
		case len(n) > MaxTopic:
			return nil, fmt.Errorf("topic %q is longer than %d characters", t, MaxTopic)
		}
		topics = append(topics, n)
	}
	slices.Sort(topics)
	topics = slices.Compact(topics)
	if len(topics) > MaxTopics {
		return nil, fmt.Errorf("%d topics: at most %d", len(topics), MaxTopics)
	}
	return topics, nil
}

// SplitTopics splits a list typed by a person ("go, meetups;events"), or
// a spreadsheet cell with one topic a line.
func SplitTopics(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' })
}

// hasControl includes U+2028 and U+2029, which some clients show as line
// breaks although they are not control characters.
func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp)
	})
}

// Differences names the fields in which b's details differ from a's:
// "name", "topics", "status". Times and consent are history, not details.
func Differences(a, b Subscriber) []string {
	var d []string
	if a.Name != b.Name {
		d = append(d, "name")
	}
	if !slices.Equal(a.Topics, b.Topics) {
		d = append(d, "topics")
	}
	if a.Status != b.Status {
		d = append(d, "status")
	}
	return d
}
