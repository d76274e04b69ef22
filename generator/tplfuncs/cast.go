package tplfuncs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// toString converts what a template may reasonably print as text: strings
// and the html/template string types, numbers, booleans, byte slices,
// Stringers and errors. nil is "". Lists and maps are an error, because
// their Go formatting is never what a theme wants.
func toString(v any) (string, error) {
	switch s := v.(type) {
	case nil:
		return "", nil
	case string:
		return s, nil
	case []byte:
		return string(s), nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return "", nil
		}
		if _, ok := v.(fmt.Stringer); !ok {
			return toString(rv.Elem().Interface())
		}
	}
	switch s := v.(type) {
	case fmt.Stringer:
		return s.String(), nil
	case error:
		return s.Error(), nil
	}
	switch rv.Kind() {
	case reflect.String:
		return rv.String(), nil
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10), nil
	case reflect.Float32:
		return strconv.FormatFloat(rv.Float(), 'f', -1, 32), nil
	case reflect.Float64:
		return strconv.FormatFloat(rv.Float(), 'f', -1, 64), nil
	}
	return "", fmt.Errorf("can't convert %T to a string", v)
}

// toInt converts like Hugo's int: floats are truncated, booleans are 0 or
// 1, strings may be decimal (leading zeros are decimal, not octal: "0987"
// is 987), 0x hex, 0o octal, 0b binary, or an integral float ("12.0").
func toInt(v any) (int64, error) {
	rv := deref(reflect.ValueOf(v))
	if !rv.IsValid() {
		return 0, nil
	}
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if u := rv.Uint(); u <= math.MaxInt64 {
			return int64(u), nil
		}
		return 0, fmt.Errorf("%d is too large for an int", rv.Uint())
	case reflect.Float32, reflect.Float64:
		f := rv.Float()
		if math.IsNaN(f) || f < math.MinInt64 || f >= math.MaxInt64 {
			return 0, fmt.Errorf("%v is out of range for an int", f)
		}
		return int64(f), nil
	case reflect.Bool:
		if rv.Bool() {
			return 1, nil
		}
		return 0, nil
	case reflect.String:
		s := strings.TrimSpace(rv.String())
		if n, err := strconv.ParseInt(s, 0, 64); err == nil {
			return n, nil
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && f >= math.MinInt64 && f < math.MaxInt64 {
			return int64(f), nil
		}
		return 0, fmt.Errorf("%q is not an integer", rv.String())
	}
	return 0, fmt.Errorf("can't convert %T to an int", v)
}

// toFloat converts like Hugo's float.
func toFloat(v any) (float64, error) {
	rv := deref(reflect.ValueOf(v))
	if !rv.IsValid() {
		return 0, nil
	}
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.Bool:
		if rv.Bool() {
			return 1, nil
		}
		return 0, nil
	case reflect.String:
		f, err := strconv.ParseFloat(strings.TrimSpace(rv.String()), 64)
		if err != nil {
			return 0, fmt.Errorf("%q is not a number", rv.String())
		}
		return f, nil
	}
	return 0, fmt.Errorf("can't convert %T to a float", v)
}

// stringFunc is Hugo's string VALUE.
func stringFunc(v any) (string, error) {
	s, err := toString(v)
	if err != nil {
		return "", fail("string", "%w", err)
	}
	return s, nil
}

// intFunc is Hugo's int VALUE.
func intFunc(v any) (int, error) {
	n, err := toInt(v)
	if err != nil {
		return 0, fail("int", "%w", err)
	}
	return clampInt(n), nil
}

// floatFunc is Hugo's float VALUE.
func floatFunc(v any) (float64, error) {
	f, err := toFloat(v)
	if err != nil {
		return 0, fail("float", "%w", err)
	}
	return f, nil
}

// defaultFunc is Hugo's default DEFAULT [VALUE]: VALUE unless it is unset,
// else DEFAULT. Unset means nil, zero numbers, empty strings, slices and
// maps, and the zero time. A boolean is always set, false included, as in
// Hugo: `default true .Params.toc` must let a page turn toc off.
//
// VALUE is variadic because `index .Params "x" | default "y"` passes
// nothing when the pipeline's value is missing.
func defaultFunc(def any, given ...any) (any, error) {
	switch len(given) {
	case 0:
		return def, nil
	case 1:
	default:
		return nil, fail("default", "want DEFAULT VALUE, got %d arguments", len(given)+1)
	}
	if isSet(given[0]) {
		return given[0], nil
	}
	return def, nil
}

func isSet(v any) bool {
	g := reflect.ValueOf(v)
	if !g.IsValid() {
		return false
	}
	switch g.Kind() {
	case reflect.Bool:
		return true
	case reflect.String, reflect.Array, reflect.Slice, reflect.Map:
		return g.Len() != 0
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return g.Int() != 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return g.Uint() != 0
	case reflect.Float32, reflect.Float64:
		return g.Float() != 0
	case reflect.Complex64, reflect.Complex128:
		return g.Complex() != 0
	case reflect.Struct:
		if t, ok := v.(time.Time); ok {
			return !t.IsZero()
		}
		return true
	case reflect.Pointer, reflect.Interface, reflect.Func, reflect.Chan, reflect.UnsafePointer:
		return !g.IsNil()
	}
	return true
}

// parseTime reads the date strings front matter and data files use. A
// string without a zone is UTC, as in Hugo without a timeZone setting.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	layouts := [...]string{
		time.RFC3339, // also accepts fractional seconds
		"2006-01-02T15:04:05Z0700",
		"2006-01-02T15:04:05",
		"2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04:05 -0700",
		"2006-01-02 15:04:05",
		"2006-01-02T15:04",
		"2006-01-02 15:04",
		"2006-01-02",
		time.RFC1123Z,
		time.RFC1123,
		"2 Jan 2006",
		"January 2, 2006",
		"Jan 2, 2006",
	}
	for _, l := range layouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date (want e.g. 2006-01-02 or 2006-01-02T15:04:05Z07:00)", s)
}

// toTime accepts a time.Time, a date string, or Unix seconds.
func toTime(v any) (time.Time, error) {
	switch t := v.(type) {
	case time.Time:
		return t, nil
	case *time.Time:
		if t != nil {
			return *t, nil
		}
	case nil:
	default:
		rv := deref(reflect.ValueOf(v))
		if !rv.IsValid() {
			break
		}
		switch rv.Kind() {
		case reflect.String:
			return parseTime(rv.String())
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return time.Unix(rv.Int(), 0).UTC(), nil
		case reflect.Struct:
			if rv.Type() == timeType {
				return rv.Interface().(time.Time), nil
			}
		}
		return time.Time{}, fmt.Errorf("can't use %T as a date", v)
	}
	return time.Time{}, errors.New("no date given (nil)")
}

// datePreset maps Hugo's localized layout names to English Go layouts.
// Agora has no per-language date names, so these are Hugo's "en" output.
func datePreset(layout string) (string, bool) {
	switch layout {
	case ":date_full":
		return "Monday, January 2, 2006", true
	case ":date_long":
		return "January 2, 2006", true
	case ":date_medium":
		return "Jan 2, 2006", true
	case ":date_short":
		return "1/2/06", true
	case ":time_full", ":time_long":
		return "3:04:05 PM MST", true
	case ":time_medium":
		return "3:04:05 PM", true
	case ":time_short":
		return "3:04 PM", true
	}
	return "", false
}

// dateFormat is Hugo's dateFormat LAYOUT VALUE: VALUE (a time.Time, a date
// string such as 2006-01-02 or RFC 3339, or Unix seconds) in Go LAYOUT, or
// in one of Hugo's presets (":date_long" and friends, in English).
func dateFormat(layout, v any) (string, error) {
	l, err := toString(layout)
	if err != nil {
		return "", fail("dateFormat", "layout: %w", err)
	}
	if p, ok := datePreset(l); ok {
		l = p
	} else if strings.HasPrefix(l, ":") {
		return "", fail("dateFormat", "unknown layout preset %q", l)
	}
	t, err := toTime(v)
	if err != nil {
		return "", fail("dateFormat", "%w", err)
	}
	return t.Format(l), nil
}

// jsonify is Hugo's jsonify [OPTIONS] VALUE: VALUE as JSON, with <, > and
// & escaped as \u003c and so on unless OPTIONS' noHTMLEscape is true.
// OPTIONS is a dict with "indent", "prefix" and "noHTMLEscape", as in Hugo.
//
// The result is template.HTML, as in Hugo, so `<pre>{{ jsonify . }}</pre>`
// shows the JSON rather than its entity-escaped text. With noHTMLEscape
// the JSON is put in the page as it is, as Hugo does: use it only on the
// site's own data. In a <script> block html/template still treats the
// result as a value and quotes it, so write `{{ jsonify . | safeJS }}` there.
func jsonify(args ...any) (template.HTML, error) {
	var (
		obj            any
		prefix, indent string
		noEscape       bool
	)
	switch len(args) {
	case 1:
		obj = args[0]
	case 2:
		ov := deref(reflect.ValueOf(args[0]))
		if !ov.IsValid() || ov.Kind() != reflect.Map {
			return "", fail("jsonify", "options must be a dict, got %T", args[0])
		}
		iter := ov.MapRange()
		for iter.Next() {
			k, err := toString(iter.Key().Interface())
			if err != nil {
				return "", fail("jsonify", "option name: %w", err)
			}
			val, err := toString(iter.Value().Interface())
			if err != nil {
				return "", fail("jsonify", "option %s: %w", k, err)
			}
			switch strings.ToLower(k) {
			case "indent":
				indent = val
			case "prefix":
				prefix = val
			case "nohtmlescape":
				noEscape = val == "true"
			default:
				return "", fail("jsonify", "unknown option %q (want indent, prefix or noHTMLEscape)", k)
			}
		}
		obj = args[1]
	default:
		return "", fail("jsonify", "want [OPTIONS] VALUE, got %d arguments", len(args))
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent(prefix, indent)
	enc.SetEscapeHTML(!noEscape)
	if err := enc.Encode(obj); err != nil {
		return "", fail("jsonify", "%w", err)
	}
	return template.HTML(bytes.TrimSuffix(buf.Bytes(), []byte("\n"))), nil
}

// castNS is Hugo's cast namespace.
type castNS struct{ e *env }

// ToInt is Hugo's int VALUE.
func (*castNS) ToInt(v any) (int, error) { return intFunc(v) }

// ToFloat is Hugo's float VALUE.
func (*castNS) ToFloat(v any) (float64, error) { return floatFunc(v) }

// ToString is Hugo's string VALUE.
func (*castNS) ToString(v any) (string, error) { return stringFunc(v) }

// castExamples document the cast namespace; TestExamples runs them.
func castExamples() []Example {
	return []Example{
		{"string", `{{ printf "%T %s" (string 4.50) (string 4.50) }}`, nil, "string 4.5"},
		{"int", `{{ int "0987" }} {{ int 3.9 }} {{ int "0x10" }} {{ int true }}`, nil, "987 3 16 1"},
		{"float", `{{ float "2.5" }} {{ float 3 }}`, nil, "2.5 3"},
		{"cast.ToInt", `{{ cast.ToInt "42" | printf "%T" }}`, nil, "int"},
		{"cast.ToFloat", `{{ cast.ToFloat "1.5" }}`, nil, "1.5"},
		{"cast.ToString", `{{ cast.ToString 12 | printf "%q" }}`, nil, `&#34;12&#34;`},
	}
}
