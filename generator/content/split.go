package content

import (
	"bytes"
	"errors"
)

var (
	bom       = []byte("\xef\xbb\xbf")
	tomlFence = []byte("+++")
	yamlFence = []byte("---")
)

// ErrYAML is returned for Markdown that opens with YAML front matter.
var ErrYAML = errors.New(`front matter uses YAML "---" fences; Agora reads TOML between "+++" fences (Hugo's TOML convention): write key = "value" and fence it with +++`)

// Split separates TOML front matter from the Markdown body. fmLine is the
// file line of the first front-matter line and bodyLine that of the first
// body line, so positions inside either can be reported against the file.
// A file with no front matter is all body, as in Hugo.
func Split(data []byte) (fm []byte, fmLine int, body []byte, bodyLine int, err error) {
	data = bytes.TrimPrefix(data, bom)
	first, rest, _ := cutLine(data)
	switch {
	case bytes.Equal(bytes.TrimRight(first, " \t"), tomlFence):
	case bytes.Equal(bytes.TrimRight(first, " \t"), yamlFence):
		return nil, 0, nil, 0, ErrYAML
	default:
		return nil, 0, data, 1, nil
	}
	line := 2
	start := rest
	consumed := 0
	for len(rest) > 0 {
		l, next, _ := cutLine(rest)
		if bytes.Equal(bytes.TrimRight(l, " \t"), tomlFence) {
			return start[:consumed], 2, next, line + 1, nil
		}
		consumed += len(rest) - len(next)
		rest = next
		line++
	}
	return nil, 0, nil, 0, errors.New(`front matter opened with "+++" on line 1 is never closed: add a "+++" line after it`)
}

// cutLine returns the first line without its line ending, and the rest.
func cutLine(b []byte) (line, rest []byte, found bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil, false
	}
	line = b[:i]
	return bytes.TrimSuffix(line, []byte("\r")), b[i+1:], true
}
