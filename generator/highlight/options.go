package highlight

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// options are the keys, lower-cased, that configure highlighting rather
// than become attributes of the wrapping <div>.
var options = map[string]bool{
	"anchorlinenos": true, "guesssyntax": true, "hl_lines": true, "lineanchors": true,
	"linenos": true, "linenostart": true, "linenumbersintable": true, "noclasses": true,
	"style": true, "tabwidth": true, "hl_inline": true,
}

func isOption(name string) bool { return options[strings.ToLower(name)] }

// Apply sets the options opts names over o: a string such as
// "linenos=table,hl_lines=2 4-5,style=github" or a map, keys in any case.
// "type" and "code", which Hugo's function takes among its options, replace
// lang and code.
func Apply(o *Options, opts any, lang, code *string) error {
	var m map[string]any
	switch v := opts.(type) {
	case nil:
		return nil
	case map[string]any:
		m = v
	case string:
		var err error
		if m, err = parseOptionString(v); err != nil {
			return err
		}
	default:
		return fmt.Errorf("highlight options: want a string or a map, got %T", opts)
	}
	keys := make(map[string]any, len(m))
	for k, v := range m {
		keys[strings.ToLower(k)] = v
	}
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	// linenos=table or inline decides lineNumbersInTable, as in Hugo,
	// whatever order the options came in.
	sort.Slice(names, func(i, j int) bool {
		if (names[i] == "linenos") != (names[j] == "linenos") {
			return names[j] == "linenos"
		}
		return names[i] < names[j]
	})
	for _, k := range names {
		v := keys[k]
		if err := set(o, k, v, lang, code); err != nil {
			return fmt.Errorf("highlight option %s: %w", k, err)
		}
	}
	return nil
}

func parseOptionString(s string) (map[string]any, error) {
	m := map[string]any{}
	s = strings.TrimSpace(s)
	if s == "" {
		return m, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || strings.Contains(v, "=") {
			return nil, fmt.Errorf("highlight options: %q is not key=value", strings.TrimSpace(kv))
		}
		m[k] = strings.TrimSpace(v)
	}
	return m, nil
}

func set(o *Options, key string, v any, lang, code *string) error {
	var err error
	switch key {
	case "type":
		*lang = fmt.Sprint(v)
	case "code":
		*code = fmt.Sprint(v)
	case "style":
		o.Style = fmt.Sprint(v)
	case "noclasses":
		o.NoClasses, err = toBool(v)
	case "linenos":
		// true, false, "inline" or "table", as in Hugo.
		switch s := fmt.Sprint(v); s {
		case "table":
			o.LineNos, o.LineNumbersInTable = true, true
		case "inline":
			o.LineNos, o.LineNumbersInTable = true, false
		default:
			if o.LineNos, err = toBool(v); err != nil {
				err = fmt.Errorf(`want true, false, "inline" or "table", got %v`, v)
			}
		}
	case "linenumbersintable":
		o.LineNumbersInTable, err = toBool(v)
	case "anchorlinenos":
		o.AnchorLineNos, err = toBool(v)
	case "lineanchors":
		o.LineAnchors = fmt.Sprint(v)
	case "linenostart":
		o.LineNoStart, err = toInt(v)
	case "tabwidth":
		o.TabWidth, err = toInt(v)
	case "guesssyntax":
		o.GuessSyntax, err = toBool(v)
	case "hl_lines":
		o.HlLines, err = toRanges(v)
	case "hl_inline":
		// Inline highlighting is for the highlight function inside
		// text; Agora writes the block form.
	default:
		return fmt.Errorf("unknown option (known: %s)", "style, noClasses, lineNos, lineNumbersInTable, anchorLineNos, lineAnchors, lineNoStart, hl_lines, tabWidth, guessSyntax")
	}
	return err
}

func toBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		return strconv.ParseBool(strings.TrimSpace(x))
	case int:
		return x != 0, nil
	case int64:
		return x != 0, nil
	case float64:
		return x != 0, nil
	}
	return false, fmt.Errorf("want true or false, got %v", v)
}

func toInt(v any) (int, error) {
	switch x := v.(type) {
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case float64:
		return int(x), nil
	case string:
		return strconv.Atoi(strings.TrimSpace(x))
	}
	return 0, fmt.Errorf("want a whole number, got %v", v)
}

// ToRanges reads hl_lines: "2 4-5" (Hugo's string form), or a list of
// numbers and "4-5" strings ([2, "4-5"], the fence attribute form).
func toRanges(v any) ([][2]int, error) {
	var parts []string
	switch x := v.(type) {
	case string:
		parts = strings.Fields(x)
	case []any:
		for _, e := range x {
			parts = append(parts, strings.TrimSpace(fmt.Sprint(e)))
		}
	case [][2]int:
		return x, nil
	case int, int64, float64:
		parts = []string{fmt.Sprint(x)}
	default:
		return nil, fmt.Errorf(`want line numbers such as "2 4-5" or [2, "4-5"], got %v`, v)
	}
	var out [][2]int
	for _, p := range parts {
		lo, hi, isRange := strings.Cut(p, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("%q is not a line number or range", p)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				return nil, fmt.Errorf("%q is not a line number or range", p)
			}
		}
		out = append(out, [2]int{a, b})
	}
	return out, nil
}

// Attr is one attribute of a fenced block: {.class #id key=value}.
type Attr struct {
	Name  string
	Value any // string, float64, bool or []any
}

// ParseInfo splits a fence's info string into the language and the
// attributes in braces: "go {linenos=table,hl_lines=[2,3] .wide}".
// Attributes whose names start with "on" are dropped: they would run
// script.
func ParseInfo(info string) (string, []Attr, error) {
	info = strings.TrimSpace(info)
	var lang, rest string
	if i := strings.IndexByte(info, '{'); i >= 0 {
		lang, rest = strings.TrimSpace(info[:i]), info[i:]
	} else {
		lang = info
	}
	if f := strings.Fields(lang); len(f) > 0 {
		lang = f[0]
	}
	if rest == "" {
		return lang, nil, nil
	}
	if !strings.HasSuffix(strings.TrimSpace(rest), "}") {
		return lang, nil, fmt.Errorf("code block attributes %q: no closing }", rest)
	}
	attrs, err := parseAttrs(strings.TrimSpace(rest)[1 : len(strings.TrimSpace(rest))-1])
	if err != nil {
		return lang, nil, fmt.Errorf("code block attributes %s: %w", rest, err)
	}
	return lang, attrs, nil
}

type attrScanner struct {
	s string
	i int
}

func (a *attrScanner) skip() {
	for a.i < len(a.s) && (a.s[a.i] == ' ' || a.s[a.i] == '\t' || a.s[a.i] == ',') {
		a.i++
	}
}

func (a *attrScanner) word() string {
	start := a.i
	for a.i < len(a.s) && !strings.ContainsRune(" \t,=]}[\"'", rune(a.s[a.i])) {
		a.i++
	}
	return a.s[start:a.i]
}

func parseAttrs(s string) ([]Attr, error) {
	sc := &attrScanner{s: s}
	var out []Attr
	classes := []string{}
	for {
		sc.skip()
		if sc.i >= len(s) {
			break
		}
		switch s[sc.i] {
		case '.':
			sc.i++
			classes = append(classes, sc.word())
			continue
		case '#':
			sc.i++
			out = append(out, Attr{Name: "id", Value: sc.word()})
			continue
		}
		name := sc.word()
		if name == "" {
			return nil, fmt.Errorf("unexpected %q", s[sc.i])
		}
		if sc.i >= len(s) || s[sc.i] != '=' {
			out = append(out, Attr{Name: name, Value: ""})
			continue
		}
		sc.i++
		v, err := sc.value()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		if strings.HasPrefix(strings.ToLower(name), "on") {
			continue
		}
		out = append(out, Attr{Name: name, Value: v})
	}
	if len(classes) > 0 {
		out = append(out, Attr{Name: "class", Value: strings.Join(classes, " ")})
	}
	return out, nil
}

func (a *attrScanner) value() (any, error) {
	if a.i >= len(a.s) {
		return nil, fmt.Errorf("no value after =")
	}
	switch c := a.s[a.i]; c {
	case '"', '\'':
		end := strings.IndexByte(a.s[a.i+1:], c)
		if end < 0 {
			return nil, fmt.Errorf("unterminated string")
		}
		v := a.s[a.i+1 : a.i+1+end]
		a.i += end + 2
		return v, nil
	case '[':
		a.i++
		var list []any
		for {
			a.skip()
			if a.i >= len(a.s) {
				return nil, fmt.Errorf("unterminated list")
			}
			if a.s[a.i] == ']' {
				a.i++
				return list, nil
			}
			v, err := a.value()
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
	}
	w := a.word()
	if w == "" {
		return nil, fmt.Errorf("no value after =")
	}
	switch w {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	if f, err := strconv.ParseFloat(w, 64); err == nil {
		return f, nil
	}
	return w, nil
}
