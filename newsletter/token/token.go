// Package token signs and checks the links in newsletter mail and on the
// sign-up pages: unsubscribe, confirm and preferences. A token is
// stateless (nothing is stored per link), bound to one subscriber and one
// purpose with HMAC-SHA256 under AGORA_SECRET, and may expire; a link
// cannot be edited into another person's or into another action.
package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Purpose is what a token allows.
type Purpose string

// The purposes Agora signs for.
const (
	Unsubscribe Purpose = "unsubscribe"
	Confirm     Purpose = "confirm"
	Preferences Purpose = "preferences"
)

// EnvSecret is the environment variable holding the signing secret.
const EnvSecret = "AGORA_SECRET"

// MinSecretLen is the shortest secret accepted, in bytes: HMAC-SHA256's
// block of security needs 32 bytes of key (e.g. `openssl rand -hex 32`).
const MinSecretLen = 32

// Errors Verify returns; all mean "do not act on this link".
var (
	ErrInvalid      = errors.New("invalid or tampered link")
	ErrExpired      = errors.New("the link has expired")
	ErrWrongPurpose = errors.New("the link is for another action")
)

// version is the first field of every token, so the format can change
// without old links being misread.
const version = "1"

// Signer signs and verifies tokens with one secret.
type Signer struct {
	key []byte
	now func() time.Time
}

// New returns a Signer for secret. now is the clock for expiry (nil: the
// time now).
func New(secret []byte, now func() time.Time) (*Signer, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("%s must be at least %d bytes (try: openssl rand -hex 32); it has %d", EnvSecret, MinSecretLen, len(secret))
	}
	if now == nil {
		now = time.Now
	}
	return &Signer{key: append([]byte(nil), secret...), now: now}, nil
}

// FromEnv returns a Signer for the secret in AGORA_SECRET, read through
// getenv; a missing or short secret is an error, because mail without
// working unsubscribe links must not be sent.
func FromEnv(getenv func(string) string, now func() time.Time) (*Signer, error) {
	secret := getenv(EnvSecret)
	if secret == "" {
		return nil, fmt.Errorf("%s is not set: it signs unsubscribe and confirmation links (try: export %s=$(openssl rand -hex 32))", EnvSecret, EnvSecret)
	}
	return New([]byte(secret), now)
}

// Sign returns a token for subscriber id and purpose p, valid for ttl
// (0: for ever, as an unsubscribe link in an old message must keep working).
func (s *Signer) Sign(p Purpose, id int64, ttl time.Duration) string {
	var expires int64
	if ttl > 0 {
		expires = s.now().Add(ttl).Unix()
	}
	payload := strings.Join([]string{version, string(p), strconv.FormatInt(id, 10), strconv.FormatInt(expires, 10)}, ":")
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(s.mac(payload))
}

// Verify checks tok for purpose p and returns the subscriber id it is for.
func (s *Signer) Verify(tok string, p Purpose) (int64, error) {
	// Strict: a token has one spelling, so that trailing bits a lenient
	// decoder ignores cannot make two links out of one.
	enc := base64.RawURLEncoding.Strict()
	payloadB64, macB64, ok := strings.Cut(tok, ".")
	if !ok || len(tok) > 512 || strings.IndexFunc(tok, notURLSafe) >= 0 {
		return 0, ErrInvalid
	}
	payload, err1 := enc.DecodeString(payloadB64)
	mac, err2 := enc.DecodeString(macB64)
	if err1 != nil || err2 != nil || !hmac.Equal(mac, s.mac(string(payload))) {
		return 0, ErrInvalid
	}
	// The MAC is good, so the fields are ours; they are parsed with care
	// all the same.
	f := strings.Split(string(payload), ":")
	if len(f) != 4 || f[0] != version {
		return 0, ErrInvalid
	}
	id, err1 := strconv.ParseInt(f[2], 10, 64)
	expires, err2 := strconv.ParseInt(f[3], 10, 64)
	if err1 != nil || err2 != nil || id <= 0 {
		return 0, ErrInvalid
	}
	if Purpose(f[1]) != p {
		return 0, ErrWrongPurpose
	}
	if expires != 0 && s.now().Unix() >= expires {
		return 0, ErrExpired
	}
	return id, nil
}

// notURLSafe reports a rune outside base64url and the separator; the
// decoder skips line breaks, which would give one token many spellings.
func notURLSafe(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
}

func (s *Signer) mac(payload string) []byte {
	h := hmac.New(sha256.New, s.key)
	// The domain prefix keeps these MACs apart from any other use of the
	// same secret.
	h.Write([]byte("agora-token\x00"))
	h.Write([]byte(payload))
	return h.Sum(nil)
}
