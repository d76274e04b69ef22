// Package dataformat decodes the data formats templates and translation
// files use (TOML, YAML, JSON) into plain Go values: map[string]any,
// []any, strings, int64, float64, bool and time.Time.
//
// It is one small function on purpose: the content package has its own
// decoder with positions for front matter, and the two may become one.
package dataformat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/goccy/go-yaml"
)

// Format names a data format.
type Format string

const (
	TOML Format = "toml"
	YAML Format = "yaml"
	JSON Format = "json"
)

// FromExt returns the format of a file name's extension ("x.yml" is YAML),
// or "".
func FromExt(name string) Format {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return ""
	}
	switch strings.ToLower(name[i+1:]) {
	case "toml":
		return TOML
	case "yaml", "yml":
		return YAML
	case "json":
		return JSON
	}
	return ""
}

// Unmarshal decodes data of format f. Maps come back as map[string]any
// whatever the format, numbers as int64 or float64.
func Unmarshal(f Format, data []byte) (any, error) {
	var v any
	switch f {
	case TOML:
		m := map[string]any{}
		if _, err := toml.Decode(string(data), &m); err != nil {
			return nil, err
		}
		return m, nil
	case YAML:
		if err := yaml.Unmarshal(data, &v); err != nil {
			return nil, fmt.Errorf("%s", yaml.FormatError(err, false, true))
		}
		return normalize(v), nil
	case JSON:
		d := json.NewDecoder(bytes.NewReader(data))
		d.UseNumber()
		if err := d.Decode(&v); err != nil {
			return nil, err
		}
		return normalize(v), nil
	}
	return nil, fmt.Errorf("unknown data format %q", f)
}

// normalize turns YAML's and JSON's types into TOML's: string-keyed maps,
// int64 and float64.
func normalize(v any) any {
	switch x := v.(type) {
	case yaml.MapSlice:
		m := make(map[string]any, len(x))
		for _, it := range x {
			m[fmt.Sprint(it.Key)] = normalize(it.Value)
		}
		return m
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = normalize(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
		return x
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case int:
		return int64(x)
	case uint64:
		if x <= 1<<63-1 {
			return int64(x)
		}
		return float64(x)
	}
	return v
}
