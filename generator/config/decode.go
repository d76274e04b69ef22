package config

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/generator/metadecode"
)

// decoder fills the Config struct from the merged configuration map. Keys
// are matched without regard to case, as in Hugo (baseURL, baseurl); a key
// Hugo documents but Agora does not implement is a warning, any other
// unknown key an error at its line with the nearest known key suggested.
type decoder struct {
	src      *sources
	errs     *diag.List
	warnings []warning
}

type warning struct {
	file string
	line int
	msg  string
}

func sortWarnings(ws []warning) {
	sort.SliceStable(ws, func(i, j int) bool {
		if ws[i].file != ws[j].file {
			return ws[i].file < ws[j].file
		}
		return ws[i].line < ws[j].line
	})
}

func (w warning) String() string {
	if w.line > 0 {
		return fmt.Sprintf("%s:%d: %s", w.file, w.line, w.msg)
	}
	if w.file != "" {
		return fmt.Sprintf("%s: %s", w.file, w.msg)
	}
	return w.msg
}

// fail reports a problem with the value at path.
func (d *decoder) fail(path []string, format string, args ...any) {
	file, line := d.src.at(path)
	d.errs.Add(diag.At(file, line, "%s: %s", strings.Join(path, "."), fmt.Sprintf(format, args...)))
}

func (d *decoder) warn(path []string, format string, args ...any) {
	file, line := d.src.at(path)
	d.warnings = append(d.warnings, warning{file, line, fmt.Sprintf(format, args...)})
}

// fieldName is a struct field's configuration key: its toml tag.
func fieldName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	return name
}

// decodeStruct fills struct v from m. path is where m is in the file,
// with keys as written.
func (d *decoder) decodeStruct(path []string, m map[string]any, v reflect.Value) {
	t := v.Type()
	fields := map[string]int{}
	var known []string
	for i := 0; i < t.NumField(); i++ {
		name := fieldName(t.Field(i))
		if name == "" || name == "-" {
			continue
		}
		fields[strings.ToLower(name)] = i
		known = append(known, name)
	}
	for _, k := range sortedKeys(m) {
		p := append(append([]string(nil), path...), k)
		lk := strings.ToLower(k)
		if i, ok := fields[lk]; ok {
			d.decodeValue(p, m[k], v.Field(i))
			continue
		}
		dotted := strings.ToLower(strings.Join(p, "."))
		if reason, ok := ignoredKeys[dotted]; ok {
			if reason != "" {
				d.warn(p, "%s ignored: %s", strings.Join(p, "."), reason)
			}
			continue
		}
		if err := secretKeyError(p); err != "" {
			d.fail(p, "%s", err)
			continue
		}
		d.unknown(p, append(known, ignoredAt(path)...))
	}
}

// unknown reports a key nobody knows, suggesting the nearest known one.
func (d *decoder) unknown(path []string, known []string) {
	file, line := d.src.at(path)
	key := strings.Join(path, ".")
	msg := fmt.Sprintf("unknown key %q", key)
	if s := suggest(path[len(path)-1], known); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	} else if len(known) <= 20 {
		sort.Strings(known)
		msg += " (known keys: " + strings.Join(known, ", ") + ")"
	}
	d.errs.Add(diag.At(file, line, "%s", msg))
}

// ignoredAt lists the ignored Hugo keys directly below path, for
// suggestions.
func ignoredAt(path []string) []string {
	prefix := strings.ToLower(strings.Join(path, "."))
	var out []string
	for name := range hugoOnlyKeys {
		k := strings.ToLower(name)
		rest, ok := strings.CutPrefix(k, prefix)
		if prefix != "" {
			if !ok || !strings.HasPrefix(rest, ".") {
				continue
			}
			rest = rest[1:]
		}
		if !strings.Contains(rest, ".") {
			out = append(out, name[len(name)-len(rest):])
		}
	}
	return out
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// decodeValue stores raw in v, checking its type.
func (d *decoder) decodeValue(path []string, raw any, v reflect.Value) {
	switch v.Kind() {
	case reflect.Interface:
		v.Set(reflect.ValueOf(&raw).Elem())
	case reflect.Pointer:
		// Set or not: a pointer field tells "false" from "not given".
		p := reflect.New(v.Type().Elem())
		d.decodeValue(path, raw, p.Elem())
		v.Set(p)
	case reflect.String:
		switch x := raw.(type) {
		case string:
			v.SetString(x)
		default:
			d.fail(path, "want a string, got %s", metadecode.TypeName(raw))
		}
	case reflect.Bool:
		if b, ok := raw.(bool); ok {
			v.SetBool(b)
		} else {
			d.fail(path, "want true or false, got %s", metadecode.TypeName(raw))
		}
	case reflect.Int:
		switch x := raw.(type) {
		case int64:
			v.SetInt(x)
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<31 {
				v.SetInt(int64(x))
				return
			}
			d.fail(path, "want a whole number, got %v", x)
		default:
			d.fail(path, "want a whole number, got %s", metadecode.TypeName(raw))
		}
	case reflect.Float64:
		switch x := raw.(type) {
		case int64:
			v.SetFloat(float64(x))
		case float64:
			v.SetFloat(x)
		default:
			d.fail(path, "want a number, got %s", metadecode.TypeName(raw))
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() != reflect.String {
			panic("config: unsupported slice type " + v.Type().String())
		}
		list, ok := stringList(raw)
		if !ok {
			d.fail(path, "want a list of strings such as [\"a\", \"b\"], got %s", metadecode.TypeName(raw))
			return
		}
		v.Set(reflect.ValueOf(list))
	case reflect.Map:
		m, ok := raw.(map[string]any)
		if !ok {
			d.fail(path, "want a table, got %s", metadecode.TypeName(raw))
			return
		}
		if v.Type().Elem().Kind() != reflect.String {
			panic("config: unsupported map type " + v.Type().String())
		}
		out := reflect.MakeMapWithSize(v.Type(), len(m))
		for _, k := range sortedKeys(m) {
			s, ok := m[k].(string)
			if !ok {
				d.fail(append(append([]string(nil), path...), k), "want a string, got %s", metadecode.TypeName(m[k]))
				continue
			}
			out.SetMapIndex(reflect.ValueOf(k), reflect.ValueOf(s))
		}
		v.Set(out)
	case reflect.Struct:
		if v.Type() == reflect.TypeOf(time.Time{}) {
			panic("config: time fields are not supported")
		}
		m, ok := raw.(map[string]any)
		if !ok {
			d.fail(path, "want a table, got %s", metadecode.TypeName(raw))
			return
		}
		d.decodeStruct(path, m, v)
	default:
		panic("config: unsupported field type " + v.Type().String())
	}
}

// stringList accepts a list of strings, or one string as a list of one,
// as Hugo does for mainSections, disableKinds, theme and the like.
func stringList(raw any) ([]string, bool) {
	switch x := raw.(type) {
	case string:
		return []string{x}, true
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	return nil, false
}

// suggest returns the known key nearest to key by edit distance, or "" when
// none is near enough to be what was meant.
func suggest(key string, known []string) string {
	best, bestD := "", 0
	lk := strings.ToLower(key)
	for _, k := range known {
		d := distance(lk, strings.ToLower(k))
		if best == "" || d < bestD || (d == bestD && k < best) {
			best, bestD = k, d
		}
	}
	if best == "" || bestD > max(2, len(key)/3) {
		return ""
	}
	return best
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
