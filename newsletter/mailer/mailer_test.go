package mailer

import (
	"strings"
	"testing"

	"github.com/agora-hub/agora/generator/config"
)

func TestResolve(t *testing.T) {
	base := config.Newsletter{From: "Agora <news@example.org>", SMTP: config.SMTP{Host: "smtp.example.org", Username: "news"}}
	tests := []struct {
		name     string
		n        config.Newsletter
		env      map[string]string
		wantErr  string
		wantHost string
		wantPort int
		wantTLS  string
	}{
		{name: "defaults", n: base, env: map[string]string{EnvPassword: "pw"}, wantHost: "smtp.example.org", wantPort: 587, wantTLS: "starttls"},
		{name: "env overrides", n: base, env: map[string]string{EnvPassword: "pw", EnvHost: "127.0.0.1", EnvPort: "2525", EnvTLS: "none"}, wantHost: "127.0.0.1", wantPort: 2525, wantTLS: "none"},
		{name: "implicit tls port", n: config.Newsletter{From: base.From, SMTP: config.SMTP{Host: "h.example", TLS: "tls"}}, wantHost: "h.example", wantPort: 465, wantTLS: "tls"},
		{name: "none to a remote host", n: base, env: map[string]string{EnvPassword: "pw", EnvTLS: "none"}, wantErr: "only for a relay on this machine"},
		{name: "none through env host override", n: config.Newsletter{From: base.From, SMTP: config.SMTP{Host: "localhost", TLS: "none"}}, env: map[string]string{EnvHost: "mail.example.org"}, wantErr: "only for a relay on this machine"},
		{name: "no password", n: base, wantErr: EnvPassword},
		{name: "no host", n: config.Newsletter{From: base.From}, wantErr: EnvHost},
		{name: "no from", n: config.Newsletter{SMTP: config.SMTP{Host: "h"}}, wantErr: "no sender"},
		{name: "bad port", n: base, env: map[string]string{EnvPassword: "pw", EnvPort: "99999"}, wantErr: EnvPort},
		{name: "bad tls", n: base, env: map[string]string{EnvPassword: "pw", EnvTLS: "ssl3"}, wantErr: "want starttls, tls or none"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Resolve(tc.n, func(k string) string { return tc.env[k] })
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Host != tc.wantHost || s.Port != tc.wantPort || s.TLS != tc.wantTLS {
				t.Errorf("got %s:%d %s, want %s:%d %s", s.Host, s.Port, s.TLS, tc.wantHost, tc.wantPort, tc.wantTLS)
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{"localhost": true, "127.0.0.1": true, "127.3.4.5": true, "::1": true, "[::1]": true, "10.0.0.1": false, "example.org": false, "localhost.example.org": false} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v", host, got)
		}
	}
}
