// Package i18n reads a site's translation tables, i18n/<lang>.toml (or
// .yaml, .yml, .json) in the site and its theme, and answers Hugo's i18n
// and T: plural forms by the language's CLDR rules (one, other, and few,
// many … where the language has them), the count from `i18n "key" 3` or
// from the .Count of the data, and each translation a small text/template
// that may print {{ .Count }} or any field of the data.
package i18n

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"text/template"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"

	"github.com/agora-hub/agora/generator/internal/dataformat"
)

// Dir is where translation files live, in the site and in a theme.
const Dir = "i18n"

// maxFileSize bounds one translation file: tables of UI strings are a few
// kilobytes, and the whole file is read into memory.
const maxFileSize = 4 << 20

// Bundle is one language's translations. Safe for concurrent use once
// loaded.
type Bundle struct {
	lang     language.Tag
	messages map[string]*message // lower-case id → message, as Hugo matches ids
}

type message struct {
	file  string
	forms map[plural.Form]*template.Template
}

// Layer is one i18n folder, read in order: earlier layers win, key by key
// (the site's over the theme's).
type Layer struct {
	FS      fs.FS  // rooted at the i18n folder
	Display string // how errors name it, e.g. "themes/x/i18n"
}

// Load reads the translations of lang (a language code such as "en" or
// "pt-br"): the files named after it, and for a regional code also those
// of its base language ("pt"), whose keys the regional ones override.
func Load(lang string, layers ...Layer) (*Bundle, error) {
	tag, err := language.Parse(lang)
	if err != nil {
		return nil, fmt.Errorf("language %q: %w", lang, err)
	}
	b := &Bundle{lang: tag, messages: map[string]*message{}}
	names := []string{strings.ToLower(lang)}
	if base, _ := tag.Base(); !strings.EqualFold(base.String(), lang) {
		names = append(names, base.String())
	}
	for _, l := range layers {
		if l.FS == nil {
			continue
		}
		entries, err := fs.ReadDir(l.FS, ".")
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return nil, fmt.Errorf("%s: %w", l.Display, err)
		}
		// Exact language files first, base language after: first wins.
		for _, want := range names {
			for _, e := range entries {
				name := e.Name()
				f := dataformat.FromExt(name)
				if e.IsDir() || f == "" || !strings.EqualFold(strings.TrimSuffix(name, path.Ext(name)), want) {
					continue
				}
				if err := b.readFile(l, name, f); err != nil {
					return nil, err
				}
			}
		}
	}
	return b, nil
}

func (b *Bundle) readFile(l Layer, name string, f dataformat.Format) error {
	display := l.Display + "/" + name
	fi, err := fs.Stat(l.FS, name)
	if err != nil {
		return fmt.Errorf("%s: %w", display, err)
	}
	if fi.Size() > maxFileSize {
		return fmt.Errorf("%s: %d bytes is over the limit of %d for a translation file", display, fi.Size(), maxFileSize)
	}
	data, err := fs.ReadFile(l.FS, name)
	if err != nil {
		return fmt.Errorf("%s: %w", display, err)
	}
	v, err := dataformat.Unmarshal(f, data)
	if err != nil {
		return fmt.Errorf("%s: %w", display, err)
	}
	entries, err := entriesOf(v)
	if err != nil {
		return fmt.Errorf("%s: %w", display, err)
	}
	for _, en := range entries {
		id := strings.ToLower(en.id)
		if _, taken := b.messages[id]; taken {
			continue
		}
		m, err := newMessage(display, en)
		if err != nil {
			return err
		}
		b.messages[id] = m
	}
	return nil
}

type entry struct {
	id    string
	forms map[string]string
}

// entriesOf reads Hugo's two layouts of a translation table: keys to a
// string or to a table of plural forms (`[home] other = "Home"`), or the
// older list of {id, translation} records.
func entriesOf(v any) ([]entry, error) {
	var out []entry
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			forms, err := formsOf(k, x[k])
			if err != nil {
				return nil, err
			}
			out = append(out, entry{id: k, forms: forms})
		}
	case []any:
		for i, r := range x {
			rec, ok := r.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("entry %d: want a table with id and translation", i+1)
			}
			id, _ := rec["id"].(string)
			if id == "" {
				return nil, fmt.Errorf("entry %d has no id", i+1)
			}
			forms, err := formsOf(id, rec["translation"])
			if err != nil {
				return nil, err
			}
			out = append(out, entry{id: id, forms: forms})
		}
	default:
		return nil, fmt.Errorf("want a table of translations, got %T", v)
	}
	return out, nil
}

func formsOf(id string, v any) (map[string]string, error) {
	switch x := v.(type) {
	case string:
		return map[string]string{"other": x}, nil
	case map[string]any:
		forms := map[string]string{}
		for k, fv := range x {
			k = strings.ToLower(k)
			switch k {
			case "zero", "one", "two", "few", "many", "other":
			case "description", "hash", "id", "translation", "leftdelim", "rightdelim":
				continue // go-i18n's metadata, not text
			default:
				return nil, fmt.Errorf("%s: %q is not a plural form (want zero, one, two, few, many or other)", id, k)
			}
			s, ok := fv.(string)
			if !ok {
				return nil, fmt.Errorf("%s.%s: want a string, got %T", id, k, fv)
			}
			forms[k] = s
		}
		if t, ok := x["translation"].(string); ok && len(forms) == 0 {
			forms["other"] = t
		}
		return forms, nil
	}
	return nil, fmt.Errorf("%s: want a string or a table of plural forms, got %T", id, v)
}

var formNames = map[string]plural.Form{
	"zero": plural.Zero, "one": plural.One, "two": plural.Two,
	"few": plural.Few, "many": plural.Many, "other": plural.Other,
}

func newMessage(display string, en entry) (*message, error) {
	m := &message{file: display, forms: map[plural.Form]*template.Template{}}
	for name, text := range en.forms {
		t, err := template.New(en.id).Option("missingkey=zero").Parse(text)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", display, en.id, err)
		}
		m.forms[formNames[name]] = t
	}
	return m, nil
}

// Translate is Hugo's i18n ID [DATA]: the translation of id, with its
// plural form chosen by the count (DATA itself when it is a number, else
// DATA's Count), and DATA as the translation's template data (a number
// becomes something with a .Count). found is false for an id no file has:
// Hugo then prints "" and, with --printI18nWarnings, a warning.
func (b *Bundle) Translate(id string, data any) (text string, found bool, err error) {
	m, ok := b.messages[strings.ToLower(id)]
	if !ok {
		return "", false, nil
	}
	form := plural.Other
	count := pluralCount(data)
	if count != nil {
		form = b.formFor(*count)
	}
	t, ok := m.forms[form]
	if !ok {
		if t, ok = m.forms[plural.Other]; !ok {
			return "", true, fmt.Errorf("%s: %s has no %q form for count %s", m.file, id, formName(form), count.text)
		}
	}
	if rv := reflect.ValueOf(data); rv.IsValid() && isNumberKind(rv.Kind()) {
		data = numberCount{data}
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return "", true, fmt.Errorf("%s: %s: %w", m.file, id, err)
	}
	return buf.String(), true, nil
}

func formName(f plural.Form) string {
	for n, x := range formNames {
		if x == f {
			return n
		}
	}
	return "other"
}

// numberCount is the data of `i18n "key" 3`: {{ .Count }} prints 3.
// Hugo wraps integers only, so that a float count fails there; here it
// prints.
type numberCount struct{ n any }

// Count returns the count.
func (c numberCount) Count() any { return c.n }

// count is a plural count in CLDR's operands, from its decimal text.
type count struct {
	text string
}

// formFor picks the plural form of n in the bundle's language.
func (b *Bundle) formFor(c count) plural.Form {
	s := strings.TrimPrefix(c.text, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	i := mod7(intPart)
	v := len(frac)
	trimmed := strings.TrimRight(frac, "0")
	w := len(trimmed)
	f := mod7(frac)
	t := mod7(trimmed)
	return plural.Cardinal.MatchPlural(b.lang, i, v, w, f, t)
}

// mod7 is a digit string's value modulo 10,000,000, which MatchPlural
// accepts for operands too large for an int.
func mod7(digits string) int {
	n := 0
	for _, d := range digits {
		if d < '0' || d > '9' {
			return 0
		}
		n = (n*10 + int(d-'0')) % 10_000_000
	}
	return n
}

// pluralCount finds the count as Hugo does: the data when it is a number
// (or a string holding one), else its Count key, field or method.
func pluralCount(data any) *count {
	if data == nil {
		return nil
	}
	if m, ok := data.(map[string]any); ok {
		for k, v := range m {
			if strings.EqualFold(k, "count") {
				return countOf(v)
			}
		}
		return nil
	}
	rv := reflect.ValueOf(data)
	if m := rv.MethodByName("Count"); m.IsValid() && m.Type().NumIn() == 0 && m.Type().NumOut() >= 1 {
		return countOf(m.Call(nil)[0].Interface())
	}
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() == reflect.Struct {
		if f := rv.FieldByName("Count"); f.IsValid() && f.CanInterface() {
			return countOf(f.Interface())
		}
		return nil
	}
	return countOf(data)
}

func countOf(v any) *count {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return nil
	}
	switch {
	case isIntKind(rv.Kind()):
		return &count{text: strconv.FormatInt(rv.Int(), 10)}
	case rv.Kind() >= reflect.Uint && rv.Kind() <= reflect.Uintptr:
		return &count{text: strconv.FormatUint(rv.Uint(), 10)}
	case rv.Kind() == reflect.Float32 || rv.Kind() == reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil
		}
		// As Hugo: a float is a decimal with at least one fraction digit,
		// so 1.0 is "other" in English, not "one".
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return &count{text: s}
	case rv.Kind() == reflect.String:
		if _, err := strconv.ParseFloat(rv.String(), 64); err == nil {
			return &count{text: rv.String()}
		}
	}
	return nil
}

func isIntKind(k reflect.Kind) bool { return k >= reflect.Int && k <= reflect.Int64 }

func isNumberKind(k reflect.Kind) bool { return k >= reflect.Int && k <= reflect.Float64 }
