package tplfuncs

import (
	"encoding/base64"
	"encoding/hex"
	"html/template"
)

// encodingNS is Hugo's encoding namespace.
type encodingNS struct{ e *env }

// Base64Encode is Hugo's base64Encode.
func (*encodingNS) Base64Encode(v any) (string, error) {
	s, err := str("base64Encode", v)
	return base64.StdEncoding.EncodeToString([]byte(s)), err
}

// Base64Decode is Hugo's base64Decode.
func (*encodingNS) Base64Decode(v any) (string, error) {
	s, err := str("base64Decode", v)
	if err != nil {
		return "", err
	}
	b, err := base64.StdEncoding.DecodeString(s)
	return string(b), wrap("base64Decode", err)
}

// HexEncode is Hugo's encoding.HexEncode.
func (*encodingNS) HexEncode(v any) (string, error) {
	s, err := str("encoding.HexEncode", v)
	return hex.EncodeToString([]byte(s)), err
}

// HexDecode is Hugo's encoding.HexDecode.
func (*encodingNS) HexDecode(v any) (string, error) {
	s, err := str("encoding.HexDecode", v)
	if err != nil {
		return "", err
	}
	b, err := hex.DecodeString(s)
	return string(b), wrap("encoding.HexDecode", err)
}

// Jsonify is Hugo's jsonify [OPTIONS] VALUE.
func (*encodingNS) Jsonify(args ...any) (template.HTML, error) { return jsonify(args...) }

// encodingExamples document the encoding namespace; TestExamples runs them.
func encodingExamples() []Example {
	return []Example{
		{"jsonify", `{{ jsonify (dict "a" 1 "b" (slice "x" "<y>")) }}`, nil, `{"a":1,"b":["x","\u003cy\u003e"]}`},
		{"jsonify", `{{ jsonify (dict "indent" " ") (slice 1) }}`, nil, "[\n 1\n]"},
		{"base64Encode", `{{ base64Encode "Hugo" }}`, nil, "SHVnbw=="},
		{"base64Decode", `{{ base64Decode "SHVnbw==" }}`, nil, "Hugo"},
		{"encoding.HexEncode", `{{ encoding.HexEncode "Hi" }} {{ encoding.HexDecode "4869" }}`, nil, "4869 Hi"},
		{"jsonify", `{{ jsonify (dict "noHTMLEscape" true) (slice "<b>") }}`, nil, `["<b>"]`},
		{"encoding.Jsonify", `{{ encoding.Jsonify (slice 1 "a") }}`, nil, `[1,"a"]`},
	}
}
