// Package diag carries build errors that point at a place in a file, so an
// editor sees "content/tips/x.md:4: date: …" and can jump to it, and a build
// reports every broken page at once instead of stopping at the first.
package diag

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
)

// Error is a problem at File:Line, or File:Line:Col when Col is set.
// Line 0 means the whole file.
type Error struct {
	File string
	Line int
	Col  int
	Err  error
}

func (e *Error) Error() string {
	switch {
	case e.File == "":
		return e.Err.Error()
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Col, e.Err)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	default:
		return fmt.Sprintf("%s: %v", e.File, e.Err)
	}
}

func (e *Error) Unwrap() error { return e.Err }

// At builds an *Error with a formatted message.
func At(file string, line int, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Err: fmt.Errorf(format, args...)}
}

// List collects errors from concurrent workers. The zero value is ready.
type List struct {
	mu   sync.Mutex
	errs []error
}

// Add records err; nil is ignored. A joined error is flattened.
func (l *List) Add(err error) {
	if err == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		l.errs = append(l.errs, j.Unwrap()...)
		return
	}
	l.errs = append(l.errs, err)
}

// Len reports how many errors were added.
func (l *List) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.errs)
}

// Err returns nil or one error listing every problem, sorted by file and
// line so that output is stable whatever order the workers finished in.
func (l *List) Err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.errs) == 0 {
		return nil
	}
	errs := append([]error(nil), l.errs...)
	sort.SliceStable(errs, func(i, j int) bool {
		fi, li := position(errs[i])
		fj, lj := position(errs[j])
		if fi != fj {
			return fi < fj
		}
		return li < lj
	})
	return &Errors{List: errs}
}

func position(err error) (string, int) {
	var e *Error
	if errors.As(err, &e) {
		return e.File, e.Line
	}
	return "", 0
}

// Errors is several build errors, one per line when printed.
type Errors struct{ List []error }

func (e *Errors) Error() string {
	msgs := make([]string, len(e.List))
	for i, err := range e.List {
		msgs[i] = err.Error()
	}
	return strings.Join(msgs, "\n")
}

func (e *Errors) Unwrap() []error { return e.List }

var tomlLine = regexp.MustCompile(`line (\d+)`)

// TOMLLine finds the line a BurntSushi/toml error points at, or 0.
func TOMLLine(err error) int {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return pe.Position.Line
	}
	if m := tomlLine.FindStringSubmatch(err.Error()); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n
	}
	return 0
}

// TOMLMessage is the short message of a toml error, without the position
// that the caller prints itself.
func TOMLMessage(err error) string {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return pe.Message
	}
	msg := strings.TrimPrefix(err.Error(), "toml: ")
	// A decoding error reads `line 7 (last key "paginate"): incompatible
	// types: TOML value has type string; destination has type integer`;
	// the caller prints the line, and the key and types read better as
	// `paginate: want integer, got string`.
	if m := tomlDecodeError.FindStringSubmatch(msg); m != nil {
		key, rest := m[1], m[2]
		if t := tomlTypes.FindStringSubmatch(rest); t != nil {
			rest = fmt.Sprintf("want %s, got %s", article(t[2]), article(t[1]))
		}
		return key + ": " + rest
	}
	return msg
}

var (
	tomlDecodeError = regexp.MustCompile(`^line \d+ \(last key "([^"]+)"\): (.*)$`)
	tomlTypes       = regexp.MustCompile(`incompatible types: TOML value has type (\w+); destination has type (\w+)`)
)

func article(typ string) string {
	switch typ {
	case "integer", "int64":
		return "a whole number"
	case "string":
		return "a string"
	case "float", "float64":
		return "a number"
	case "bool", "boolean":
		return "true or false"
	case "slice", "array":
		return "a list"
	case "map", "struct":
		return "a table"
	}
	return typ
}

// KeyLine finds the 1-based line where the dotted key is set in TOML source,
// or 0. The toml package reports positions only for syntax errors; for a
// well-formed value of the wrong kind or an unknown key the editor still
// needs a line, so this scans table headers and "key =" lines.
func KeyLine(src []byte, key []string) int {
	if len(key) == 0 {
		return 0
	}
	var table []string
	for i, raw := range strings.Split(string(src), "\n") {
		line := strings.TrimSpace(raw)
		if strings.HasPrefix(line, "[") {
			name := strings.Trim(line, "[] \t")
			if j := strings.Index(name, "#"); j >= 0 {
				name = strings.TrimSpace(strings.Trim(name[:j], "[] \t"))
			}
			table = splitKey(name)
			if equalKey(table, key) {
				return i + 1
			}
			continue
		}
		eq := strings.Index(line, "=")
		if eq <= 0 {
			continue
		}
		full := append(append([]string(nil), table...), splitKey(line[:eq])...)
		if equalKey(full, key) || (len(full) > len(key) && equalKey(full[:len(key)], key)) {
			return i + 1
		}
	}
	return 0
}

func splitKey(s string) []string {
	parts := strings.Split(s, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return parts
}

func equalKey(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
