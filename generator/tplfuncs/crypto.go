package tplfuncs

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"hash"
)

// cryptoNS is Hugo's crypto namespace. md5 and sha1 are for cache keys
// and gravatars, not for security, as in Hugo.
type cryptoNS struct{ e *env }

func hexSum(fn string, v any, h hash.Hash) (string, error) {
	s, err := str(fn, v)
	if err != nil {
		return "", err
	}
	h.Write([]byte(s))
	return hex.EncodeToString(h.Sum(nil)), nil
}

func (*cryptoNS) MD5(v any) (string, error)    { return hexSum("md5", v, md5.New()) }
func (*cryptoNS) SHA1(v any) (string, error)   { return hexSum("sha1", v, sha1.New()) }
func (*cryptoNS) SHA256(v any) (string, error) { return hexSum("sha256", v, sha256.New()) }

func newHash(fn, algo string) (func() hash.Hash, error) {
	switch algo {
	case "md5":
		return md5.New, nil
	case "sha1":
		return sha1.New, nil
	case "sha256":
		return sha256.New, nil
	case "sha512":
		return sha512.New, nil
	}
	return nil, fail(fn, "%s is not a supported hash function (md5, sha1, sha256, sha512)", algo)
}

// Hash is Hugo's crypto.Hash [ALGORITHM] VALUE (sha256 by default).
func (*cryptoNS) Hash(args ...any) (string, error) {
	const fn = "crypto.Hash"
	algo, v := any("sha256"), any(nil)
	switch len(args) {
	case 1:
		v = args[0]
	case 2:
		algo, v = args[0], args[1]
	default:
		return "", fail(fn, "expected 1 or 2 arguments, got %d", len(args))
	}
	a, err := str(fn, algo)
	if err != nil {
		return "", err
	}
	h, err := newHash(fn, a)
	if err != nil {
		return "", err
	}
	return hexSum(fn, v, h())
}

// HMAC is Hugo's hmac HASH KEY MESSAGE [ENCODING] ("hex" or "binary").
func (*cryptoNS) HMAC(h, k, m any, enc ...any) (string, error) {
	algo, err := str("hmac", h)
	if err != nil {
		return "", err
	}
	newH, err := newHash("hmac", algo)
	if err != nil {
		return "", err
	}
	key, msg, err := two("hmac", k, m)
	if err != nil {
		return "", err
	}
	mac := hmac.New(newH, []byte(key))
	mac.Write([]byte(msg))
	encoding := "hex"
	if len(enc) > 0 && enc[0] != nil {
		if encoding, err = str("hmac", enc[0]); err != nil {
			return "", err
		}
	}
	switch encoding {
	case "hex":
		return hex.EncodeToString(mac.Sum(nil)), nil
	case "binary":
		return string(mac.Sum(nil)), nil
	}
	return "", fail("hmac", "%q is not a supported encoding method", encoding)
}

// FNV32a is Hugo 0.111's crypto.FNV32a, now hash.FNV32a.
func (*cryptoNS) FNV32a(v any) (uint32, error) { return fnv32a("crypto.FNV32a", v) }

// cryptoExamples document the crypto namespace; TestExamples runs them.
func cryptoExamples() []Example {
	return []Example{
		{"md5", `{{ md5 "Hello world" }}`, nil, "3e25960a79dbc69b674cd4ec67a72c62"},
		{"sha1", `{{ sha1 "Hello world" }}`, nil, "7b502c3a1f48c8609ae212cdfb639dee39673f5e"},
		{"sha256", `{{ sha256 "Hello world" }}`, nil, "64ec88ca00b268e5ba1a35678a1b5316d212f4f366b2477232534a8aeca37f3c"},
		{"hmac", `{{ hmac "sha256" "Secret key" "Hello world" }}`, nil, "d3ab7485ec08fc71d9d97b8970f60742a7b52bc490d69c478e0d526a595a9ab5"},
		{"crypto.Hash", `{{ crypto.Hash "md5" "Hello world" }}`, nil, "3e25960a79dbc69b674cd4ec67a72c62"},
		{"crypto.FNV32a", `{{ crypto.FNV32a "Hello world" }}`, nil, "1498229191"},
	}
}
