package content

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/agora-hub/agora/generator/metadecode"
)

var (
	bom       = []byte("\xef\xbb\xbf")
	tomlFence = []byte("+++")
	yamlFence = []byte("---")
)

// Parts are a content file split in two: front matter and body. FMLine is
// the file line of the first front-matter line (for JSON, of the opening
// brace, which belongs to the front matter) and BodyLine that of the first
// body line, so positions inside either can be reported against the file.
type Parts struct {
	Format      metadecode.Format // "" when the file has no front matter
	FrontMatter []byte
	FMLine      int
	Body        []byte
	BodyLine    int
}

// Split separates the front matter from the Markdown body, as Hugo does:
// TOML between "+++" lines, YAML between "---" lines, or a JSON object
// starting with "{". Blank lines before the opening fence are allowed. A
// file with no front matter is all body.
func Split(data []byte) (Parts, error) {
	data = bytes.TrimPrefix(data, bom)
	line := 1
	rest := data
	for {
		l, next, found := cutLine(rest)
		if len(bytes.TrimSpace(l)) != 0 || !found {
			break
		}
		rest = next
		line++
	}
	first, after, _ := cutLine(rest)
	trimmed := bytes.TrimRight(first, " \t")
	switch {
	case bytes.Equal(trimmed, tomlFence):
		return fenced(metadecode.TOML, tomlFence, after, line)
	case bytes.Equal(trimmed, yamlFence):
		return fenced(metadecode.YAML, yamlFence, after, line)
	case bytes.HasPrefix(first, []byte("{")):
		return jsonObject(rest, line)
	}
	return Parts{Body: data, BodyLine: 1}, nil
}

// fenced reads up to the closing fence; open is the line of the opening one.
func fenced(f metadecode.Format, fence, rest []byte, open int) (Parts, error) {
	line := open + 1
	start := rest
	consumed := 0
	for len(rest) > 0 {
		l, next, _ := cutLine(rest)
		if bytes.Equal(bytes.TrimRight(l, " \t"), fence) {
			return Parts{Format: f, FrontMatter: start[:consumed], FMLine: open + 1, Body: next, BodyLine: line + 1}, nil
		}
		consumed += len(rest) - len(next)
		rest = next
		line++
	}
	return Parts{}, fmt.Errorf("front matter opened with %q on line %d is never closed: add a %q line after it", fence, open, fence)
}

// jsonObject finds the end of the JSON object data starts with, by
// counting braces outside strings, as Hugo's page lexer does. The body
// starts on the line after the closing brace.
func jsonObject(data []byte, open int) (Parts, error) {
	depth, inString, escaped := 0, false, false
	for i, c := range data {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				fm := data[:i+1]
				line := open + bytes.Count(fm, []byte("\n"))
				rest, body, found := cutLine(data[i+1:])
				if len(bytes.TrimSpace(rest)) != 0 {
					return Parts{}, errors.New(`JSON front matter: put the body on the line after the closing "}"`)
				}
				if !found {
					body = nil
				}
				return Parts{Format: metadecode.JSON, FrontMatter: fm, FMLine: open, Body: body, BodyLine: line + 1}, nil
			}
		}
	}
	return Parts{}, fmt.Errorf(`JSON front matter opened with "{" on line %d is never closed: add the matching "}"`, open)
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
