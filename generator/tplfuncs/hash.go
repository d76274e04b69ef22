package tplfuncs

import (
	"hash/fnv"
	"strconv"

	"github.com/cespare/xxhash/v2"
)

// hashNS is Hugo's hash namespace: fast non-cryptographic hashes.
type hashNS struct{ e *env }

func fnv32a(fn string, v any) (uint32, error) {
	s, err := str(fn, v)
	if err != nil {
		return 0, err
	}
	h := fnv.New32a()
	h.Write([]byte(s))
	return h.Sum32(), nil
}

// FNV32a is Hugo's hash.FNV32a: the 32-bit FNV-1a hash as a number.
func (*hashNS) FNV32a(v any) (uint32, error) { return fnv32a("hash.FNV32a", v) }

// XxHash is Hugo's xxhash: the 64-bit xxHash in hex, 16 digits.
func (*hashNS) XxHash(v any) (string, error) {
	s, err := str("xxhash", v)
	if err != nil {
		return "", err
	}
	h := strconv.FormatUint(xxhash.Sum64String(s), 16)
	for len(h) < 16 {
		h = "0" + h
	}
	return h, nil
}

// hashExamples document the hash namespace; TestExamples runs them.
func hashExamples() []Example {
	return []Example{
		{"hash.FNV32a", `{{ hash.FNV32a "Hello world" }}`, nil, "1498229191"},
		{"xxhash", `{{ xxhash "Hello world" }}`, nil, "c500b0c912b376d8"},
	}
}
