// Package mailer turns site.toml's [newsletter] SMTP settings and the
// environment into a configured go-mail client. Both the mail step (agora
// send) and the sign-up service (agora listen) send through it, so the
// rules live in one place: secrets only from the environment, AGORA_SMTP_*
// overriding site.toml, and no plain-text SMTP except to this machine.
package mailer

import (
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/agora-hub/agora/generator/config"
)

// The environment variables read by Resolve.
const (
	EnvHost     = "AGORA_SMTP_HOST"
	EnvPort     = "AGORA_SMTP_PORT"
	EnvUsername = "AGORA_SMTP_USERNAME"
	EnvPassword = "AGORA_SMTP_PASSWORD"
	EnvTLS      = "AGORA_SMTP_TLS"
)

// DefaultTimeout bounds each SMTP dial and command.
const DefaultTimeout = 30 * time.Second

// Settings are the resolved SMTP settings.
type Settings struct {
	Host     string
	Port     int
	Username string
	Password string // from AGORA_SMTP_PASSWORD only
	TLS      string // config.TLSStartTLS, TLSImplicit or TLSNone
	From     string // the From mailbox, "Name <addr>" or "addr"
	ReplyTo  string
	Timeout  time.Duration
	// TLSConfig, when set, replaces the default (the system's roots, the
	// host's name); tests trust their own certificate with it.
	TLSConfig *tls.Config
}

// Resolve combines n with the environment read through getenv. It fails
// on anything that would send badly: no host, no From, a port that is not
// a port, an unknown TLS mode, or tls = "none" to a host that is not this
// machine (the password and every address would cross the network in the
// clear).
func Resolve(n config.Newsletter, getenv func(string) string) (Settings, error) {
	s := Settings{
		Host: n.SMTP.Host, Port: n.SMTP.Port, Username: n.SMTP.Username, TLS: n.SMTP.TLS,
		From: n.From, ReplyTo: n.ReplyTo, Timeout: DefaultTimeout,
	}
	if v := getenv(EnvHost); v != "" {
		s.Host = v
	}
	if v := getenv(EnvPort); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil || p < 1 || p > 65535 {
			return Settings{}, fmt.Errorf("%s=%q: want a port number from 1 to 65535", EnvPort, v)
		}
		s.Port = p
	}
	if v := getenv(EnvUsername); v != "" {
		s.Username = v
	}
	if v := getenv(EnvTLS); v != "" {
		s.TLS = v
	}
	s.Password = getenv(EnvPassword)
	s.Host = strings.TrimSpace(s.Host)
	s.TLS = strings.ToLower(strings.TrimSpace(s.TLS))
	if s.TLS == "" {
		s.TLS = config.TLSStartTLS
	}
	switch {
	case s.Host == "":
		return Settings{}, fmt.Errorf("no SMTP host: set [newsletter.smtp] host in site.toml or %s", EnvHost)
	case s.From == "":
		return Settings{}, fmt.Errorf("no sender: set [newsletter] from in site.toml, e.g. from = \"Agora <news@example.org>\"")
	}
	switch s.TLS {
	case config.TLSStartTLS, config.TLSImplicit:
	case config.TLSNone:
		if !IsLoopback(s.Host) {
			return Settings{}, fmt.Errorf("tls = \"none\" is allowed only for a relay on this machine (localhost, 127.0.0.1, ::1), not %q: use starttls or tls", s.Host)
		}
	default:
		return Settings{}, fmt.Errorf("SMTP tls %q: want starttls, tls or none", s.TLS)
	}
	if s.Port == 0 {
		s.Port = config.DefaultPort(s.TLS)
	}
	if s.Username != "" && s.Password == "" {
		return Settings{}, fmt.Errorf("SMTP username %q is set but %s is empty", s.Username, EnvPassword)
	}
	if _, err := mail.ParseAddress(s.From); err != nil {
		return Settings{}, fmt.Errorf("[newsletter] from %q: %w", s.From, err)
	}
	return s, nil
}

// IsLoopback reports whether host names this machine.
func IsLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(strings.Trim(host, "[]"))
	return ip != nil && ip.IsLoopback()
}

// Client returns a go-mail client for s; it connects on DialWithContext.
// One client is one connection, reused for many messages.
func (s Settings) Client(extra ...gomail.Option) (*gomail.Client, error) {
	opts := []gomail.Option{gomail.WithPort(s.Port), gomail.WithTimeout(s.Timeout)}
	switch s.TLS {
	case config.TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	case config.TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	default:
		// Mandatory: a server that does not offer STARTTLS is refused
		// rather than sent the list in the clear.
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	}
	if s.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(s.TLSConfig))
	}
	if s.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.Username), gomail.WithPassword(s.Password))
	}
	c, err := gomail.NewClient(s.Host, append(opts, extra...)...)
	if err != nil {
		return nil, fmt.Errorf("SMTP client for %s:%d: %w", s.Host, s.Port, err)
	}
	return c, nil
}

// MessageID returns a new, random Message-ID (without the angle brackets)
// under the domain of from, the From mailbox ("Name <addr>" or "addr").
// Every message Agora sends is named so: go-mail's default uses the
// machine's host name, which would tell every recipient what the server
// is called inside the network.
func MessageID(from string) (string, error) {
	a, err := mail.ParseAddress(from)
	if err != nil {
		return "", fmt.Errorf("from %q: %w", from, err)
	}
	_, domain, _ := strings.Cut(a.Address, "@")
	if domain == "" {
		return "", fmt.Errorf("from %q has no domain", from)
	}
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:]) + "@" + strings.ToLower(domain), nil
}

// UnreachableError says the SMTP server could not be reached (nothing
// listening, DNS, TLS, the login): the relay is down, no fault of any
// message, which waits for the next try without losing an attempt. Err
// is the last connection's failure.
type UnreachableError struct {
	Host string
	Port int
	Err  error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("cannot reach SMTP server %s: %v", net.JoinHostPort(e.Host, strconv.Itoa(e.Port)), e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }
