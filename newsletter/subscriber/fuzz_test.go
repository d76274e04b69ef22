package subscriber_test

import (
	"net/mail"
	"strings"
	"testing"

	"github.com/agora-hub/agora/newsletter/subscriber"
)

// FuzzNormalizeEmail checks what the mail step relies on: an accepted
// address has no white space or control character (so it cannot add a
// header or an SMTP command), net/mail reads it back unchanged, and
// normalising it again changes nothing (so its key is stable).
func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"ada@example.org", " Ada@Bücher.DE ", "a+b@x.io", "ada@example.org\r\nBcc: x@y.z",
		"\"a\"@x.org", "Ada <ada@x.org>", "a@b@c.org", "ada@xn--bcher-kva.de", "用户@example.org", "a@例え.jp"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := subscriber.NormalizeEmail(raw)
		if err != nil {
			return
		}
		if strings.ContainsFunc(got, func(r rune) bool { return r <= ' ' || r == 0x7f || r > 0x7e }) {
			t.Fatalf("NormalizeEmail(%q) = %q: white space, control or non-ASCII character", raw, got)
		}
		if a, err := mail.ParseAddress(got); err != nil || a.Address != got || a.Name != "" {
			t.Fatalf("NormalizeEmail(%q) = %q, which net/mail reads as %v, %v", raw, got, a, err)
		}
		if again, err := subscriber.NormalizeEmail(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q → %q → %q, %v", raw, got, again, err)
		}
	})
}

func FuzzNormalizeName(f *testing.F) {
	for _, s := range []string{"Ada", " Ada Lovelace ", "Ada\r\nBcc: x@y.z", "Ada\u2028Lovelace", "=cmd|' /C calc'!A0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := subscriber.NormalizeName(raw)
		if err != nil {
			return
		}
		if strings.ContainsAny(got, "\r\n\x00") {
			t.Fatalf("NormalizeName(%q) = %q", raw, got)
		}
		if again, err := subscriber.NormalizeName(got); err != nil || again != got {
			t.Fatalf("not idempotent: %q → %q → %q, %v", raw, got, again, err)
		}
	})
}
