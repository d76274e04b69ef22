package token

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

func TestSignVerify(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	s, err := New(secret, clock)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := New([]byte("another secret, 32 bytes or more!!"), clock)
	unsub := s.Sign(Unsubscribe, 42, 0)
	confirm := s.Sign(Confirm, 42, 7*24*time.Hour)

	flip := func(tok string) string { // change one bit of the payload
		p, m, _ := strings.Cut(tok, ".")
		raw, _ := base64.RawURLEncoding.DecodeString(p)
		raw = []byte(strings.Replace(string(raw), ":42:", ":43:", 1))
		return base64.RawURLEncoding.EncodeToString(raw) + "." + m
	}
	tests := []struct {
		name    string
		tok     string
		purpose Purpose
		at      time.Time
		signer  *Signer
		wantID  int64
		wantErr error
	}{
		{"unsubscribe", unsub, Unsubscribe, now, s, 42, nil},
		{"unsubscribe years later", unsub, Unsubscribe, now.AddDate(5, 0, 0), s, 42, nil},
		{"confirm within a week", confirm, Confirm, now.Add(7*24*time.Hour - time.Second), s, 42, nil},
		{"confirm after a week", confirm, Confirm, now.Add(7 * 24 * time.Hour), s, 0, ErrExpired},
		{"wrong purpose", unsub, Confirm, now, s, 0, ErrWrongPurpose},
		{"tampered subscriber", flip(unsub), Unsubscribe, now, s, 0, ErrInvalid},
		{"other secret", unsub, Unsubscribe, now, other, 0, ErrInvalid},
		{"truncated mac", unsub[:len(unsub)-2], Unsubscribe, now, s, 0, ErrInvalid},
		{"no dot", strings.ReplaceAll(unsub, ".", ""), Unsubscribe, now, s, 0, ErrInvalid},
		{"empty", "", Unsubscribe, now, s, 0, ErrInvalid},
		{"huge", strings.Repeat("a", 10000), Unsubscribe, now, s, 0, ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now = tc.at
			defer func() { now = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC) }()
			id, err := tc.signer.Verify(tc.tok, tc.purpose)
			if !errors.Is(err, tc.wantErr) || id != tc.wantID {
				t.Errorf("Verify = %d, %v; want %d, %v", id, err, tc.wantID, tc.wantErr)
			}
		})
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

func FuzzVerify(f *testing.F) {
	s, _ := New(secret, nil)
	f.Add(s.Sign(Unsubscribe, 1, 0))
	f.Add("a.b")
	f.Fuzz(func(t *testing.T, tok string) {
		id, err := s.Verify(tok, Unsubscribe)
		if err == nil && s.Sign(Unsubscribe, id, 0) != tok {
			t.Fatalf("accepted a token it did not sign: %q", tok)
		}
	})
}
