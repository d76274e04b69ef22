// Package metadecode decodes TOML, YAML and JSON into one shape of values,
// with the position of every error, for front matter, configuration and
// data files alike. Hugo's parser/metadecoders is the model: the format is
// chosen by a file's extension or a front-matter fence, and what comes out
// is the same whatever the format, so code reading it never asks which.
//
// Values are map[string]any, []any, string, bool, int64, float64 and
// time.Time. TOML's dates without an offset keep BurntSushi/toml's
// "datetime-local", "date-local" and "time-local" locations, so that a
// reader can place them in a zone of its choosing; YAML and JSON have no
// date type, and their dates are strings, as in Hugo.
package metadecode

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"path"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	yaml "github.com/goccy/go-yaml"
)

// Format is a serialisation format.
type Format string

// The formats Hugo reads front matter, configuration and data in.
const (
	TOML Format = "toml"
	YAML Format = "yaml"
	JSON Format = "json"
)

// MaxValues bounds how many values one document may decode to. YAML's
// anchors and aliases let a few hundred bytes stand for billions of values
// (the "billion laughs"); every reader of the result walks it, so a page's
// front matter must not be able to stall a build.
const MaxValues = 1 << 20

// FormatFromExt returns the format of a file by its name's extension:
// ".toml", ".yaml", ".yml" or ".json", in any case.
func FormatFromExt(name string) (Format, bool) {
	switch strings.ToLower(strings.TrimPrefix(path.Ext(name), ".")) {
	case "toml":
		return TOML, true
	case "yaml", "yml":
		return YAML, true
	case "json":
		return JSON, true
	}
	return "", false
}

// Error is a decoding error at a place in the decoded bytes. Line is
// 1-based and relative to the data handed in; 0 means unknown. Callers
// reading front matter add the line it starts on in the file.
type Error struct {
	Format Format
	Line   int
	Column int
	Msg    string
	Err    error // the library's error, for errors.As
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

func (e *Error) Unwrap() error { return e.Err }

// Unmarshal decodes a document whose top level is a table (a mapping, an
// object), as front matter and configuration files are. Empty data is an
// empty map.
func Unmarshal(f Format, data []byte) (map[string]any, error) {
	v, err := UnmarshalAny(f, data)
	if err != nil {
		return nil, err
	}
	switch m := v.(type) {
	case nil:
		return map[string]any{}, nil
	case map[string]any:
		return m, nil
	}
	return nil, &Error{Format: f, Line: 1, Msg: fmt.Sprintf("want a table of keys and values at the top, got %s", TypeName(v))}
}

// UnmarshalAny decodes a document of any shape, as data files may be: a
// JSON or YAML list at the top is a []any.
func UnmarshalAny(f Format, data []byte) (any, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return map[string]any{}, nil
	}
	var v any
	var err error
	switch f {
	case TOML:
		m := map[string]any{}
		_, err = toml.NewDecoder(bytes.NewReader(data)).Decode(&m)
		v = m
	case YAML:
		err = yaml.Unmarshal(data, &v)
	case JSON:
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		err = dec.Decode(&v)
		if err == nil {
			if _, extra := dec.Token(); extra == nil {
				line, col := lineCol(data, dec.InputOffset())
				return nil, &Error{Format: f, Line: line, Column: col, Msg: "more after the end of the value"}
			}
		}
	default:
		return nil, fmt.Errorf("unknown format %q: want toml, yaml or json", f)
	}
	if err != nil {
		return nil, positioned(f, data, err)
	}
	n := 0
	v, err = normalise(v, &n)
	if err != nil {
		return nil, &Error{Format: f, Msg: err.Error(), Err: err}
	}
	return v, nil
}

var errTooMany = fmt.Errorf("more than %d values: YAML aliases that expand without bound?", MaxValues)

// normalise gives every format's values one set of types.
func normalise(v any, n *int) (any, error) {
	if *n++; *n > MaxValues {
		return nil, errTooMany
	}
	var err error
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if out[k], err = normalise(e, n); err != nil {
				return nil, err
			}
		}
		return out, nil
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if out[fmt.Sprint(k)], err = normalise(e, n); err != nil {
				return nil, err
			}
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			if out[i], err = normalise(e, n); err != nil {
				return nil, err
			}
		}
		return out, nil
	case []map[string]any:
		out := make([]any, len(x))
		for i, e := range x {
			if out[i], err = normalise(e, n); err != nil {
				return nil, err
			}
		}
		return out, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case uint64:
		if x > math.MaxInt64 {
			return float64(x), nil
		}
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case float32:
		return float64(x), nil
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i, nil
		}
		f, err := x.Float64()
		if err != nil {
			return nil, fmt.Errorf("%s is not a number", x)
		}
		return f, nil
	}
	return v, nil
}

// positioned turns a library's error into an *Error with its line.
func positioned(f Format, data []byte, err error) error {
	e := &Error{Format: f, Msg: err.Error(), Err: err}
	switch f {
	case TOML:
		var pe toml.ParseError
		if errors.As(err, &pe) {
			e.Line, e.Column, e.Msg = pe.Position.Line, pe.Position.Col, pe.Message
		}
		e.Msg = strings.TrimPrefix(e.Msg, "toml: ")
	case YAML:
		var ye yaml.Error
		if errors.As(err, &ye) {
			e.Msg = ye.GetMessage()
			if tk := ye.GetToken(); tk != nil && tk.Position != nil {
				e.Line, e.Column = tk.Position.Line, tk.Position.Column
			}
		}
	case JSON:
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			e.Line, e.Column = lineCol(data, se.Offset)
		case errors.As(err, &te):
			e.Line, e.Column = lineCol(data, te.Offset)
		case errors.Is(err, io.ErrUnexpectedEOF):
			e.Line, e.Column = lineCol(data, int64(len(bytes.TrimRight(data, " \t\r\n"))))
			e.Msg = "the JSON ends before its last value is closed"
		}
		e.Msg = strings.TrimPrefix(e.Msg, "json: ")
	}
	return e
}

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(data []byte, off int64) (int, int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// TypeName names the type of a decoded value for error messages: "a
// string", "a whole number", "a date", "a list", "a table"….
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "nothing"
	case string:
		return "a string"
	case int64:
		return "a whole number"
	case float64:
		return "a decimal number"
	case bool:
		return "true or false"
	case time.Time:
		return "a date"
	case []any:
		return "a list"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}
