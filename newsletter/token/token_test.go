package token

import (
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// verify is what the service does: parse, find the subject by its handle
// (here: a map), check.
func verify(s *Signer, tok string, p Purpose, subjects map[string]Subject) (Claim, error) {
	c, err := s.Parse(tok)
	if err != nil {
		return c, err
	}
	sub, ok := subjects[c.Handle]
	if !ok && !c.Legacy() {
		return c, ErrInvalid
	}
	return c, s.Check(c, p, sub.Secret)
}

func TestSignCheck(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s, err := New(secret, clock)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := New([]byte("another secret, 32 bytes or more!!"), clock)
	ada, bob := NewSubject(), NewSubject()
	subjects := map[string]Subject{ada.Handle: ada, bob.Handle: bob}
	unsub := s.Sign(Unsubscribe, ada, "", 0)
	confirm := s.Sign(Confirm, ada, "req1", 7*24*time.Hour)
	// The same handle with a secret that is not Ada's: what a link made
	// for an erased row would meet if a handle ever came back.
	reborn := s.Sign(Unsubscribe, Subject{Handle: ada.Handle, Secret: bob.Secret}, "", 0)

	edit := func(tok, from, to string) string { // change the payload, keep the MAC
		p, m, _ := strings.Cut(tok, ".")
		raw, _ := base64.RawURLEncoding.DecodeString(p)
		raw = []byte(strings.Replace(string(raw), from, to, 1))
		return base64.RawURLEncoding.EncodeToString(raw) + "." + m
	}
	tests := []struct {
		name    string
		tok     string
		purpose Purpose
		at      time.Time
		signer  *Signer
		wantErr error
	}{
		{"unsubscribe", unsub, Unsubscribe, now, s, nil},
		{"unsubscribe years later", unsub, Unsubscribe, now.AddDate(5, 0, 0), s, nil},
		{"confirm within a week", confirm, Confirm, now.Add(7*24*time.Hour - time.Second), s, nil},
		{"confirm after a week", confirm, Confirm, now.Add(7 * 24 * time.Hour), s, ErrExpired},
		{"wrong purpose", unsub, Confirm, now, s, ErrWrongPurpose},
		{"edited purpose", edit(unsub, "unsubscribe", "preferences"), Preferences, now, s, ErrInvalid},
		{"moved to another subscriber", edit(unsub, ada.Handle, bob.Handle), Unsubscribe, now, s, ErrInvalid},
		{"moved to another request", edit(confirm, "req1", "req2"), Confirm, now, s, ErrInvalid},
		{"expiry removed", edit(confirm, strconv.FormatInt(now.Add(7*24*time.Hour).Unix(), 10), "0"), Confirm, now, s, ErrInvalid},
		{"another subscriber's secret", reborn, Unsubscribe, now, s, ErrInvalid},
		{"other key", unsub, Unsubscribe, now, other, ErrInvalid},
		{"truncated mac", unsub[:len(unsub)-2], Unsubscribe, now, s, ErrInvalid},
		{"no dot", strings.ReplaceAll(unsub, ".", ""), Unsubscribe, now, s, ErrInvalid},
		{"line break", unsub[:10] + "\n" + unsub[10:], Unsubscribe, now, s, ErrInvalid},
		{"empty", "", Unsubscribe, now, s, ErrInvalid},
		{"huge", strings.Repeat("a", 10000), Unsubscribe, now, s, ErrInvalid},
		{"legacy unsubscribe", s.SignLegacy(Unsubscribe, 42, 0), Unsubscribe, now, s, nil},
		{"legacy under another key", other.SignLegacy(Unsubscribe, 42, 0), Unsubscribe, now, s, ErrInvalid},
		{"legacy edited to another ID", edit(s.SignLegacy(Unsubscribe, 42, 0), ":42:", ":43:"), Unsubscribe, now, s, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now = tc.at
			defer func() { now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }()
			_, err := verify(tc.signer, tc.tok, tc.purpose, subjects)
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("got %v, want %v", err, tc.wantErr)
			}
		})
	}
}

// TestNoIDInClear: a token shows neither the subscriber's ID nor anything
// that grows with the list; two subscribers' tokens share no part but the
// version and purpose.
func TestNoIDInClear(t *testing.T) {
	s, _ := New(secret, nil)
	ada := NewSubject()
	tok := s.Sign(Unsubscribe, ada, "", 0)
	c, err := s.Parse(tok)
	if err != nil || c.Handle != ada.Handle || c.Legacy() {
		t.Fatalf("Parse: %+v, %v", c, err)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(strings.Split(tok, ".")[0])
	if strings.Contains(string(raw), ada.Secret) {
		t.Error("the secret is in the token")
	}
	if len(ada.Handle) != 2*handleBytes || len(ada.Secret) != 2*secretBytes || ada.Handle == NewSubject().Handle {
		t.Errorf("subject %+v: want fresh random hex", ada)
	}
}

func TestClaimFields(t *testing.T) {
	s, _ := New(secret, func() time.Time { return time.Unix(1_000_000, 0) })
	c, err := s.Parse(s.Sign(Confirm, Subject{Handle: "h1", Secret: "x"}, "r1", time.Hour))
	if err != nil || c.Handle != "h1" || c.Request != "r1" || c.Purpose != Confirm || !c.Expires.Equal(time.Unix(1_003_600, 0)) {
		t.Errorf("%+v, %v", c, err)
	}
	c, err = s.Parse(s.SignLegacy(Unsubscribe, 7, 0))
	if err != nil || c.LegacyID != 7 || !c.Legacy() || c.Handle != "" || !c.Expires.IsZero() {
		t.Errorf("legacy: %+v, %v", c, err)
	}
}

func TestSecretRequired(t *testing.T) {
	env := func(v string) func(string) string { return func(string) string { return v } }
	if _, err := FromEnv(env(""), nil); err == nil || !strings.Contains(err.Error(), EnvSecret) {
		t.Errorf("missing secret: %v", err)
	}
	if _, err := FromEnv(env("short"), nil); err == nil {
		t.Error("a 5-byte secret was accepted")
	}
	if _, err := FromEnv(env(string(secret)), nil); err != nil {
		t.Errorf("good secret: %v", err)
	}
}

func FuzzCheck(f *testing.F) {
	s, _ := New(secret, nil)
	sub := Subject{Handle: "00112233445566778899aabbccddeeff", Secret: "s3cret"}
	f.Add(s.Sign(Unsubscribe, sub, "", 0))
	f.Add(s.SignLegacy(Unsubscribe, 1, 0))
	f.Add("a.b")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := s.Parse(tok)
		if err != nil || s.Check(c, Unsubscribe, sub.Secret) != nil {
			return
		}
		var again string
		if c.Legacy() {
			again = s.SignLegacy(Unsubscribe, c.LegacyID, 0)
		} else {
			again = s.Sign(Unsubscribe, Subject{Handle: c.Handle, Secret: sub.Secret}, c.Request, 0)
		}
		if again != tok {
			t.Fatalf("accepted a token it did not sign: %q", tok)
		}
	})
}
