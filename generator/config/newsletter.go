package config

import (
	"fmt"
	"math"
	"net"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	texttemplate "text/template"

	"github.com/agora-hub/agora/generator/diag"
)

// Newsletter is the [newsletter] table: where the subscribers are kept and
// how digests are made and mailed. Every key the mail step needs is here
// already, so that site.toml is checked in full today; secrets never are
// (see secretKeys): site.toml is committed to a repository.
type Newsletter struct {
	// Database is the SQLite file, relative to the site folder, or a
	// postgres:// URL (without a password). The environment variable
	// AGORA_DB overrides it.
	Database string   `toml:"database"`
	Sections []string `toml:"sections"`
	From     string   `toml:"from"`
	ReplyTo  string   `toml:"reply_to"`
	MaxItems int      `toml:"max_items"`
	// Endpoint is the public URL of the sign-up and unsubscribe service.
	Endpoint    string  `toml:"endpoint"`
	Concurrency int     `toml:"concurrency"`
	Rate        float64 `toml:"rate"` // messages per second, 0 for no limit
	// ConfirmPerHour caps agora listen's confirmation mails in any hour;
	// beyond it sign-ups wait in the queue.
	ConfirmPerHour int  `toml:"confirm_per_hour"`
	SMTP           SMTP `toml:"smtp"`
	DKIM           DKIM `toml:"dkim"`
	// Welcome is the content folder of the welcome series (default
	// "welcome"); "" means the site has none.
	Welcome string `toml:"welcome"`
	// Subject is the digest's subject, a text/template over SubjectData;
	// DefaultSubject unless set. Checked when site.toml is loaded.
	Subject string `toml:"subject"`
}

// SubjectData is what the [newsletter] subject template sees for one
// message.
type SubjectData struct {
	Title  string // the first tip's title
	More   int    // how many other new tips the subscriber has
	Count  int    // all their new tips: More + 1
	Number int64  // the number
	Site   string // the site's title (it is in From already)
}

// DefaultSubject is the digest's subject unless [newsletter] subject says
// otherwise: short and specific, the site's name being in From.
const DefaultSubject = `{{ .Title }}{{ if .More }} + {{ .More }} more{{ end }}`

// MaxSubject is the longest subject in characters: RFC 5322's advised
// line length, and about what inbox lists show.
const MaxSubject = 78

// DefaultWelcome is the welcome series' folder under content/.
const DefaultWelcome = "welcome"

// SMTP is [newsletter.smtp]. The password comes only from
// AGORA_SMTP_PASSWORD.
type SMTP struct {
	Host     string `toml:"host"`
	Port     int    `toml:"port"` // 0: the usual port for TLS
	Username string `toml:"username"`
	TLS      string `toml:"tls"`
}

// DKIM is [newsletter.dkim]. The private key file comes only from
// AGORA_DKIM_KEY.
type DKIM struct {
	Domain   string `toml:"domain"`
	Selector string `toml:"selector"`
}

// Newsletter defaults.
const (
	DefaultDatabase    = "data/agora.db"
	DefaultMaxItems    = 10
	DefaultConcurrency = 4
	MaxConcurrency     = 100
	// DefaultConfirmPerHour keeps a flood of sign-ups from many networks
	// from turning the list's mail server into a spammer's (the mails go
	// to whatever addresses the flood names), while a real rush of
	// sign-ups only waits; MaxConfirmPerHour is far past any real rush.
	DefaultConfirmPerHour = 100
	MaxConfirmPerHour     = 100_000
)

// The values of [newsletter.smtp] tls.
const (
	TLSStartTLS = "starttls"
	TLSImplicit = "tls"
	TLSNone     = "none"
)

// DefaultSections are the sections whose pages make up a digest.
var DefaultSections = []string{"tips"}

// DefaultPort is the submission port for a tls mode.
func DefaultPort(tls string) int {
	switch tls {
	case TLSImplicit:
		return 465
	case TLSNone:
		return 25
	}
	return 587
}

// secretKeys are keys people reach for that must never be in site.toml,
// with where the value goes instead. They get this message rather than
// "unknown key", which would invite a fix by spelling.
var secretKeys = map[string]string{
	"newsletter.password":          "AGORA_SMTP_PASSWORD",
	"newsletter.smtp.password":     "AGORA_SMTP_PASSWORD",
	"newsletter.smtp.pass":         "AGORA_SMTP_PASSWORD",
	"newsletter.secret":            "AGORA_SECRET",
	"newsletter.dkim.key":          "AGORA_DKIM_KEY",
	"newsletter.dkim.private_key":  "AGORA_DKIM_KEY",
	"newsletter.dkim.key_file":     "AGORA_DKIM_KEY",
	"newsletter.dkim.private_file": "AGORA_DKIM_KEY",
}

// secretKeyError is the message for a secret in the configuration, or "".
func secretKeyError(path []string) string {
	key := strings.ToLower(strings.Join(path, "."))
	env, ok := secretKeys[key]
	if !ok {
		return ""
	}
	return fmt.Sprintf("secrets never go in site.toml, which is committed; set the environment variable %s instead", env)
}

// check validates [newsletter] and fills in defaults. Keys are looked up
// in the file so that an explicit "max_items = 0" is an error instead of
// silently becoming the default.
func (n *Newsletter) check(src *sources, errs *diag.List) {
	def := func(key ...string) bool { return defined(src.merged, append([]string{"newsletter"}, key...)) }
	bad := func(key string, format string, args ...any) {
		file, line := src.at(append([]string{"newsletter"}, strings.Split(key, ".")...))
		errs.Add(diag.At(file, line, "newsletter.%s: %s", key, fmt.Sprintf(format, args...)))
	}

	if def("database") && strings.TrimSpace(n.Database) == "" {
		bad("database", "want a file path such as %q", DefaultDatabase)
	}
	if urlHasPassword(n.Database) {
		bad("database", "the URL holds a password, and site.toml is committed: give the URL with its password in the environment variable AGORA_DB, or the password alone in PGPASSWORD or ~/.pgpass")
	}
	if def("sections") {
		if len(n.Sections) == 0 {
			bad("sections", "want at least one section, such as [\"tips\"]")
		}
		for _, s := range n.Sections {
			if s == "" || strings.HasPrefix(s, ".") || strings.ContainsAny(s, `/\`) {
				bad("sections", "%q is not a section name; use the folder's name under content/, such as tips", s)
			}
		}
	}
	for key, v := range map[string]string{"from": n.From, "reply_to": n.ReplyTo} {
		if v != "" {
			if err := checkMailbox(v); err != nil {
				bad(key, "%v", err)
			}
		}
	}
	if def("max_items") && n.MaxItems < 1 {
		bad("max_items", "want at least 1 item per digest, got %d", n.MaxItems)
	}
	if n.Endpoint != "" {
		if err := checkEndpoint(n.Endpoint); err != nil {
			bad("endpoint", "%v", err)
		}
	}
	if def("concurrency") && (n.Concurrency < 1 || n.Concurrency > MaxConcurrency) {
		bad("concurrency", "want 1 to %d connections, got %d", MaxConcurrency, n.Concurrency)
	}
	if def("confirm_per_hour") && (n.ConfirmPerHour < 1 || n.ConfirmPerHour > MaxConfirmPerHour) {
		bad("confirm_per_hour", "want 1 to %d confirmation mails an hour, got %d", MaxConfirmPerHour, n.ConfirmPerHour)
	}
	if n.Rate < 0 || math.IsNaN(n.Rate) || math.IsInf(n.Rate, 0) {
		bad("rate", "want messages per second, 0 for no limit, got %v", n.Rate)
	}

	smtp := &n.SMTP
	if strings.ContainsAny(smtp.Host, "/ \t\r\n") || strings.Count(smtp.Host, ":") == 1 {
		bad("smtp.host", "want a bare host name such as smtp.example.org (the port is set with port), got %q", smtp.Host)
	}
	if def("smtp", "port") && (smtp.Port < 1 || smtp.Port > 65535) {
		bad("smtp.port", "want 1 to 65535, got %d", smtp.Port)
	}
	if strings.ContainsAny(smtp.Username, "\r\n") {
		bad("smtp.username", "contains a line break")
	}
	switch smtp.TLS {
	case "":
		smtp.TLS = TLSStartTLS
	case TLSStartTLS, TLSImplicit:
	case TLSNone:
		// Without TLS the password and every address cross the network in
		// clear; that is only acceptable to a relay on the same machine.
		if smtp.Host != "" && !loopback(smtp.Host) {
			bad("smtp.tls", "\"none\" sends the password and addresses in clear: allowed only for a server on this machine (localhost), not %q", smtp.Host)
		}
	default:
		bad("smtp.tls", "want starttls, tls or none, got %q", smtp.TLS)
	}

	d := n.DKIM
	if (d.Domain == "") != (d.Selector == "") {
		bad("dkim", "set both domain and selector, or neither")
	}
	if d.Domain != "" && !hostName(d.Domain) {
		bad("dkim.domain", "want a domain such as example.org, got %q", d.Domain)
	}
	if d.Selector != "" && !hostName(d.Selector) {
		bad("dkim.selector", "want a DNS name such as agora2026, got %q", d.Selector)
	}

	if def("welcome") && n.Welcome != "" {
		if strings.HasPrefix(n.Welcome, ".") || strings.ContainsAny(n.Welcome, `/\`) {
			bad("welcome", "%q is not a folder name; use the folder's name under content/, such as welcome (or \"\" for no series)", n.Welcome)
		}
	}
	if !def("welcome") {
		n.Welcome = DefaultWelcome
	}
	if n.Welcome != "" && slices.Contains(n.Sections, n.Welcome) {
		bad("welcome", "%q is also in sections: welcome steps are mailed on their own clock, never in digests", n.Welcome)
	}
	if !def("subject") {
		n.Subject = DefaultSubject
	}
	if _, err := ParseSubject(n.Subject); err != nil {
		bad("subject", "%v", err)
	}

	if n.Database == "" {
		n.Database = DefaultDatabase
	}
	if !def("sections") {
		n.Sections = append([]string(nil), DefaultSections...)
	}
	if n.MaxItems == 0 {
		n.MaxItems = DefaultMaxItems
	}
	if n.Concurrency == 0 {
		n.Concurrency = DefaultConcurrency
	}
	if n.ConfirmPerHour == 0 {
		n.ConfirmPerHour = DefaultConfirmPerHour
	}
}

// ParseSubject parses a subject template and tries it on a long title,
// so that a misspelt field fails when site.toml is read, not at the first
// send.
func ParseSubject(src string) (*texttemplate.Template, error) {
	if strings.TrimSpace(src) == "" {
		return nil, fmt.Errorf("is empty: want a template such as %q", DefaultSubject)
	}
	t, err := texttemplate.New("subject").Option("missingkey=error").Parse(src)
	if err != nil {
		return nil, fmt.Errorf("%q: %v", src, strings.TrimPrefix(err.Error(), "template: subject:"))
	}
	var b strings.Builder
	if err := t.Execute(&b, SubjectData{Title: "A tip", More: 2, Count: 3, Number: 7, Site: "Hub"}); err != nil {
		return nil, fmt.Errorf("%q: %v (it sees .Title, .More, .Count, .Number and .Site)", src, strings.TrimPrefix(err.Error(), "template: subject:"))
	}
	if strings.TrimSpace(b.String()) == "" {
		return nil, fmt.Errorf("%q gives an empty subject", src)
	}
	return t, nil
}

// checkMailbox accepts "news@example.org" or "Hub <news@example.org>":
// these become the From and Reply-To headers.
func checkMailbox(v string) error {
	if strings.ContainsAny(v, "\r\n") {
		return fmt.Errorf("%q contains a line break", v)
	}
	a, err := mail.ParseAddress(v)
	if err != nil {
		return fmt.Errorf("%q is not an address such as \"Hub <news@example.org>\"", v)
	}
	if _, domain, _ := strings.Cut(a.Address, "@"); !strings.Contains(domain, ".") {
		return fmt.Errorf("%q: want a full domain such as example.org after the @", v)
	}
	return nil
}

// checkEndpoint wants an absolute https URL: links to it in every digest
// carry unsubscribe tokens, which must not travel in clear.
func checkEndpoint(v string) error {
	u, err := url.Parse(v)
	switch {
	case err != nil || u.Host == "":
		return fmt.Errorf("%q is not an absolute URL such as https://hub.example.org/newsletter", v)
	case u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("%q must not have a query or fragment", v)
	case u.Scheme == "http" && loopback(u.Hostname()):
	case u.Scheme != "https":
		return fmt.Errorf("%q: want https (http only for localhost)", v)
	}
	return nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

func hostName(s string) bool {
	for _, l := range strings.Split(s, ".") {
		if l == "" || len(l) > 63 || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") ||
			strings.Trim(strings.ToLower(l), "abcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
			return false
		}
	}
	return true
}

// defined reports whether the configuration sets the key at path.
func defined(m map[string]any, path []string) bool {
	var v any = m
	for _, k := range path {
		t, ok := v.(map[string]any)
		if !ok {
			return false
		}
		found := false
		for name, e := range t {
			if strings.EqualFold(name, k) {
				v, found = e, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// urlHasPassword reports a postgres:// URL carrying a password, in its
// user part (user:secret@host) or as a password= parameter.
func urlHasPassword(db string) bool {
	rest, ok := strings.CutPrefix(db, "postgres://")
	if !ok {
		if rest, ok = strings.CutPrefix(db, "postgresql://"); !ok {
			return false
		}
	}
	authority, _, _ := strings.Cut(rest, "/")
	if user, _, hasAt := strings.Cut(authority, "@"); hasAt && strings.Contains(user, ":") {
		return true
	}
	return strings.Contains(rest, "password=")
}
