package metadecode

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// KeyLine is the 1-based line of data where the key at path is set, keys
// compared without regard to case (Hugo's keys are case-insensitive), or 0
// when it is not there. A key inside a list of tables is found in the first
// table that has it. When the key itself is not found, for instance inside
// a TOML inline table, the line of the nearest enclosing key is returned:
// that is still where the editor must look.
//
// It is meant for error messages and scans the source each call: decoding
// does not keep positions, since only a page with a problem needs one.
func KeyLine(f Format, data []byte, path ...string) int {
	for n := len(path); n > 0; n-- {
		var l int
		switch f {
		case TOML:
			l = tomlKeyLine(data, path[:n])
		case YAML:
			l = yamlKeyLine(data, path[:n])
		case JSON:
			l = jsonKeyLine(data, path[:n])
		}
		if l > 0 {
			return l
		}
	}
	return 0
}

func equalFold(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !strings.EqualFold(a[i], b[i]) {
			return false
		}
	}
	return true
}

// tomlKeyLine scans table headers and "key =" lines: the toml package
// reports positions only for syntax errors.
func tomlKeyLine(src []byte, key []string) int {
	var table []string
	for i, raw := range strings.Split(string(src), "\n") {
		line := strings.TrimSpace(raw)
		if strings.HasPrefix(line, "[") {
			name := line
			if j := strings.Index(name, "#"); j >= 0 {
				name = name[:j]
			}
			table = splitTOMLKey(strings.Trim(name, "[] \t"))
			if len(table) >= len(key) && equalFold(table[:len(key)], key) {
				return i + 1
			}
			continue
		}
		eq := strings.Index(line, "=")
		if eq <= 0 || strings.HasPrefix(line, "#") {
			continue
		}
		full := append(append([]string(nil), table...), splitTOMLKey(line[:eq])...)
		if equalFold(full, key) || (len(full) > len(key) && equalFold(full[:len(key)], key)) {
			return i + 1
		}
	}
	return 0
}

func splitTOMLKey(s string) []string {
	parts := strings.Split(s, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return parts
}

func yamlKeyLine(src []byte, key []string) int {
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		return 0
	}
	for _, doc := range f.Docs {
		if l := yamlFind(doc.Body, key); l > 0 {
			return l
		}
	}
	return 0
}

func yamlFind(n ast.Node, key []string) int {
	switch x := n.(type) {
	case *ast.MappingNode:
		for _, mv := range x.Values {
			if l := yamlFindIn(mv, key); l > 0 {
				return l
			}
		}
	case *ast.MappingValueNode:
		return yamlFindIn(x, key)
	case *ast.SequenceNode:
		for _, v := range x.Values {
			if l := yamlFind(v, key); l > 0 {
				return l
			}
		}
	case *ast.AnchorNode:
		return yamlFind(x.Value, key)
	case *ast.TagNode:
		return yamlFind(x.Value, key)
	}
	return 0
}

func yamlFindIn(mv *ast.MappingValueNode, key []string) int {
	k := mv.Key
	if mk, ok := k.(*ast.MappingKeyNode); ok {
		if v, ok := mk.Value.(ast.MapKeyNode); ok {
			k = v
		}
	}
	name := strings.Trim(k.String(), `"'`)
	if !strings.EqualFold(name, key[0]) {
		return 0
	}
	if len(key) == 1 {
		if tk := k.GetToken(); tk != nil && tk.Position != nil {
			return tk.Position.Line
		}
		return 0
	}
	return yamlFind(mv.Value, key[1:])
}

func jsonKeyLine(src []byte, key []string) int {
	type frame struct {
		object  bool
		wantKey bool
		key     string
	}
	dec := json.NewDecoder(bytes.NewReader(src))
	var stack []frame
	current := func() []string {
		var p []string
		for _, f := range stack {
			if f.object {
				p = append(p, f.key)
			}
		}
		return p
	}
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	for {
		tok, err := dec.Token()
		if err == io.EOF || err != nil {
			return 0
		}
		top := len(stack) - 1
		if top >= 0 && stack[top].object && stack[top].wantKey {
			if s, ok := tok.(string); ok {
				stack[top].key, stack[top].wantKey = s, false
				if equalFold(current(), key) {
					line, _ := lineCol(src, dec.InputOffset())
					return line
				}
				continue
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{object: true, wantKey: true})
		case json.Delim('['):
			stack = append(stack, frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			valueDone()
		default:
			valueDone()
		}
	}
}
