package siteimport

import (
	"fmt"
	"reflect"
	"regexp"
	"strings"

	yaml "github.com/goccy/go-yaml"

	"github.com/agora-hub/agora/generator/metadecode"
)

// yamlDoc is YAML front matter edited a top-level key at a time, so that
// the comments, order and quoting of every key an import leaves alone stay
// as the editor wrote them. want is what the edits mean: the decoded
// front matter with the same edits applied, against which the edited text
// is checked (text rewrites of YAML are easy to get subtly wrong).
type yamlDoc struct {
	lines []string
	want  map[string]any
	orig  *yamlDoc // before any edit, for the lines notes name
}

// topKey matches a top-level key at the start of a line: plain or quoted,
// followed by a colon and a space or the line's end.
var topKey = regexp.MustCompile(`^(?:"([^"]*)"|'([^']*)'|([^\s#'"\-?:{}\[\],&*!|>%@` + "`" + `][^:#]*?))\s*:(?:\s|$)`)

// parseYAMLDoc reads front matter; it must decode to a table.
func parseYAMLDoc(fm []byte) (*yamlDoc, error) {
	m, err := metadecode.Unmarshal(metadecode.YAML, fm)
	if err != nil {
		return nil, err
	}
	text := strings.ReplaceAll(string(fm), "\r\n", "\n")
	text = strings.TrimSuffix(text, "\n")
	var lines []string
	if text != "" {
		lines = strings.Split(text, "\n")
	}
	d := &yamlDoc{lines: lines, want: m}
	d.orig = &yamlDoc{lines: append([]string(nil), lines...)}
	return d, nil
}

// keyAt returns the top-level key a line starts, if it does.
func keyAt(line string) (string, bool) {
	m := topKey.FindStringSubmatch(line)
	if m == nil {
		return "", false
	}
	for _, k := range m[1:] {
		if k != "" {
			return strings.TrimSpace(k), true
		}
	}
	return "", false
}

// span finds the lines of key's entry: its own line and the indented or
// listed lines after it, without trailing blank and comment lines.
func (d *yamlDoc) span(key string) (start, end int, ok bool) {
	start = -1
	for i, l := range d.lines {
		if k, isKey := keyAt(l); isKey && k == key {
			start = i
			break
		}
	}
	if start < 0 {
		return 0, 0, false
	}
	end = start + 1
	for end < len(d.lines) {
		if _, isKey := keyAt(d.lines[end]); isKey {
			break
		}
		end++
	}
	for end > start+1 {
		t := strings.TrimSpace(d.lines[end-1])
		if t != "" && !strings.HasPrefix(t, "#") {
			break
		}
		end--
	}
	return start, end, true
}

// has reports whether the front matter sets key.
func (d *yamlDoc) has(key string) bool {
	_, ok := d.want[key]
	return ok
}

func (d *yamlDoc) get(key string) any { return d.want[key] }

// remove deletes key.
func (d *yamlDoc) remove(key string) {
	if start, end, ok := d.span(key); ok {
		d.lines = append(d.lines[:start], d.lines[end:]...)
	}
	delete(d.want, key)
}

// rename renames key old to new, keeping its value as written. A new key
// that is already there is replaced.
func (d *yamlDoc) rename(old, new string) {
	v, ok := d.want[old]
	if !ok {
		return
	}
	d.remove(new)
	start, _, _ := d.span(old)
	m := topKey.FindStringSubmatchIndex(d.lines[start])
	// Keep what follows the key and its colon.
	rest := d.lines[start][m[1]:]
	sep := d.lines[start][strings.LastIndex(d.lines[start][:m[1]], ":"):m[1]]
	d.lines[start] = new + sep + rest
	delete(d.want, old)
	d.want[new] = v
}

// set gives key the value v, in place when it is there, else at the end.
func (d *yamlDoc) set(key string, v any) error {
	b, err := yaml.MarshalWithOptions(map[string]any{key: v}, yaml.UseLiteralStyleIfMultiline(true))
	if err != nil {
		return fmt.Errorf("front matter %s: %w", key, err)
	}
	entry := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if start, end, ok := d.span(key); ok {
		d.lines = append(d.lines[:start], append(entry, d.lines[end:]...)...)
	} else {
		d.lines = append(d.lines, entry...)
	}
	d.want[key] = v
	return nil
}

// bytes is the edited front matter. When the text does not decode to
// what the edits mean, the whole front matter is written anew from it.
func (d *yamlDoc) bytes() ([]byte, error) {
	text := strings.Join(d.lines, "\n")
	if text != "" {
		text += "\n"
	}
	got, err := metadecode.Unmarshal(metadecode.YAML, []byte(text))
	if err == nil && reflect.DeepEqual(normaliseYAML(got), normaliseYAML(d.want)) {
		return []byte(text), nil
	}
	if len(d.want) == 0 {
		return nil, nil
	}
	return yaml.MarshalWithOptions(d.want, yaml.UseLiteralStyleIfMultiline(true))
}

// normaliseYAML makes decoded values comparable: numbers of either kind
// as float64 (an int set by an edit decodes back as int64).
func normaliseYAML(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = normaliseYAML(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = normaliseYAML(e)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = e
		}
		return out
	case int:
		return float64(x)
	case int64:
		return float64(x)
	}
	return v
}

// line is the 1-based line of key in the front matter as it was read, 0
// when it was not there.
func (d *yamlDoc) line(key string) int {
	if start, _, ok := d.orig.span(key); ok {
		return start + 1
	}
	return 0
}
