// Package token signs and checks the links in newsletter mail and on the
// sign-up pages: unsubscribe, confirm and preferences. A token is
// stateless (nothing is stored per link), bound to one purpose with
// HMAC-SHA256 under AGORA_SECRET, and may expire; a link cannot be edited
// into another person's or into another action.
//
// A token names its subscriber by an opaque random handle, never by the
// database ID (which would tell anyone holding a link how long the list
// is), and its MAC also covers a random secret of that subscriber which
// never leaves the database. A link therefore dies with the row it was
// made for: a person erased and a stranger stored later can never share
// one, whatever IDs or handles the database hands out. Checking a token is
// two steps: Parse reads it, the caller finds the subscriber by the
// handle, and Check verifies the MAC with that subscriber's secret.
package token

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
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

// maxToken bounds what Parse reads: a real token is about 120 bytes.
const maxToken = 512

// Errors Parse and Check return; all mean "do not act on this link".
var (
	ErrInvalid      = errors.New("invalid or tampered link")
	ErrExpired      = errors.New("the link has expired")
	ErrWrongPurpose = errors.New("the link is for another action")
)

// The first field of every token, so that the format can change without
// old links being misread. Format 1 named the subscriber by ID and had no
// per-subscriber secret; it is still read (see Claim.LegacyID) because
// digests already in people's mailboxes carry it.
const (
	version       = "2"
	legacyVersion = "1"
)

// Subject is what a token is made for: a subscriber's handle, which finds
// them in the database, and their secret, which only the database knows.
// A token that concerns no subscriber (the sign-up form's) has a random
// handle of its own and no secret.
type Subject struct {
	Handle string
	Secret string
}

// Sizes of the random parts, in bytes: 128 bits make a handle nobody can
// guess, 256 bits a secret as strong as the MAC.
const (
	handleBytes = 16
	secretBytes = 32
)

// NewSubject returns a fresh random handle and secret, as the store gives
// every new subscriber.
func NewSubject() Subject {
	return Subject{Handle: Random(handleBytes), Secret: Random(secretBytes)}
}

// Random returns n random bytes in lower-case hex: handles, secrets and
// the nonces that name one sign-up request.
func Random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // never fails (crypto/rand documents it)
	return hex.EncodeToString(b)
}

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

// Sign returns a token for purpose p about sub, valid for ttl (0: for
// ever, as an unsubscribe link in an old message must keep working).
// request binds the token to one sign-up request (a confirmation link),
// or is empty.
func (s *Signer) Sign(p Purpose, sub Subject, request string, ttl time.Duration) string {
	var expires int64
	if ttl > 0 {
		expires = s.now().Add(ttl).Unix()
	}
	payload := strings.Join([]string{version, string(p), sub.Handle, strconv.FormatInt(expires, 10), request}, ":")
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(s.mac(payload, sub.Secret))
}

// Claim is a token read but not checked: nothing in it may be trusted
// before Check returned nil.
type Claim struct {
	Purpose Purpose
	// Handle names the subscriber; LegacyID instead for a token in format
	// 1, which named them by ID. Only the store can tell whether that ID
	// still belongs to the person the link was made for.
	Handle   string
	LegacyID int64
	// Request is the sign-up request a confirmation link is for.
	Request string
	// Expires is zero for a link that never expires.
	Expires time.Time

	payload string
	mac     []byte
}

// Legacy reports a token in the format before handles.
func (c Claim) Legacy() bool { return c.LegacyID != 0 }

// Parse reads tok. It fails only on a token that cannot be one of ours.
func (s *Signer) Parse(tok string) (Claim, error) {
	// Strict: a token has one spelling, so that trailing bits a lenient
	// decoder ignores cannot make two links out of one.
	enc := base64.RawURLEncoding.Strict()
	payloadB64, macB64, ok := strings.Cut(tok, ".")
	if !ok || len(tok) > maxToken || strings.IndexFunc(tok, notURLSafe) >= 0 {
		return Claim{}, ErrInvalid
	}
	payload, err1 := enc.DecodeString(payloadB64)
	mac, err2 := enc.DecodeString(macB64)
	if err1 != nil || err2 != nil || len(mac) != sha256.Size {
		return Claim{}, ErrInvalid
	}
	c := Claim{payload: string(payload), mac: mac}
	f := strings.Split(string(payload), ":")
	var expires int64
	var err error
	switch {
	case len(f) == 5 && f[0] == version:
		c.Purpose, c.Handle, c.Request = Purpose(f[1]), f[2], f[4]
		if c.Handle == "" {
			return Claim{}, ErrInvalid
		}
		expires, err = strconv.ParseInt(f[3], 10, 64)
	case len(f) == 4 && f[0] == legacyVersion:
		c.Purpose = Purpose(f[1])
		if c.LegacyID, err = strconv.ParseInt(f[2], 10, 64); err != nil || c.LegacyID <= 0 {
			return Claim{}, ErrInvalid
		}
		expires, err = strconv.ParseInt(f[3], 10, 64)
	default:
		return Claim{}, ErrInvalid
	}
	if err != nil || expires < 0 {
		return Claim{}, ErrInvalid
	}
	if expires != 0 {
		c.Expires = time.Unix(expires, 0)
	}
	return c, nil
}

// Check verifies c for purpose p with the secret of the subscriber its
// handle found ("" for a token about no subscriber, and for a legacy
// token, whose MAC had none). The MAC is checked first, in constant time,
// so that a forged token learns nothing from the answer.
func (s *Signer) Check(c Claim, p Purpose, secret string) error {
	want := s.mac(c.payload, secret)
	if c.Legacy() {
		want = s.legacyMAC(c.payload)
	}
	if c.payload == "" || !hmac.Equal(c.mac, want) {
		return ErrInvalid
	}
	if c.Purpose != p {
		return ErrWrongPurpose
	}
	if !c.Expires.IsZero() && !s.now().Before(c.Expires) {
		return ErrExpired
	}
	return nil
}

// notURLSafe reports a rune outside base64url and the separator; the
// decoder skips line breaks, which would give one token many spellings.
func notURLSafe(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
}

// mac covers the payload and the subscriber's secret. The domain prefix
// keeps these MACs apart from any other use of the same key, and the
// secret comes after a NUL, which no payload holds.
func (s *Signer) mac(payload, secret string) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte("agora-token-2\x00"))
	h.Write([]byte(payload))
	h.Write([]byte{0})
	h.Write([]byte(secret))
	return h.Sum(nil)
}

// legacyMAC is format 1's MAC, for reading links already mailed.
func (s *Signer) legacyMAC(payload string) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte("agora-token\x00"))
	h.Write([]byte(payload))
	return h.Sum(nil)
}

// SignLegacy makes a token in format 1, as agora signed them before
// handles. Only tests use it: to prove that links already in mailboxes
// keep working where that is safe and stop where it is not.
func (s *Signer) SignLegacy(p Purpose, id int64, ttl time.Duration) string {
	var expires int64
	if ttl > 0 {
		expires = s.now().Add(ttl).Unix()
	}
	payload := strings.Join([]string{legacyVersion, string(p), strconv.FormatInt(id, 10), strconv.FormatInt(expires, 10)}, ":")
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(s.legacyMAC(payload))
}
