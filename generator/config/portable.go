package config

import (
	"io/fs"
	"reflect"
	"strings"

	"github.com/agora-hub/agora/generator/diag"
)

// Dropped is a configuration key that Portable left out.
type Dropped struct {
	File string
	Line int
	Key  string // dotted, as written: "markup.goldmark.extensions"
	// Why says what the site loses; "" for a key that only tunes Hugo's
	// own machinery, which Agora already does without.
	Why string
}

// PortableConfig is a Hugo site's configuration as agora import moves it.
type PortableConfig struct {
	// Settings are the merged files with only the keys Agora implements,
	// [languages.DEFAULT]'s settings applied at the top.
	Settings map[string]any
	Dropped  []Dropped // every key left out
	Files    []string  // the files read, in merge order
	Notes    []string  // which file was read when there were several
}

// ErrNoConfig is Portable's error for a folder without a configuration file.
var ErrNoConfig = errNoConfig

// Portable reads a site's configuration (its root file, then
// config/_default/ and config/ENV/, merged) for agora import. A value of
// the wrong type is an error at its line, as in a build.
func Portable(fsys fs.FS, env string) (*PortableConfig, error) {
	src, err := readSources(fsys, env)
	if err != nil {
		return nil, err
	}
	mergeDefaultLanguage(src)
	var dropped []Dropped
	var c Config
	var errs diag.List
	d := &decoder{src: src, errs: &errs, dropped: &dropped}
	d.decodeStruct(nil, src.merged, reflect.ValueOf(&c).Elem())
	if err := errs.Err(); err != nil {
		return nil, err
	}
	kept := deepCopy(src.merged).(map[string]any)
	others := otherLanguages(src.merged)
	var out []Dropped
	for _, k := range dropped {
		switch strings.ToLower(k.Key) {
		case "languages", "defaultcontentlanguage":
			if len(others) > 0 {
				// Kept, so that the build knows the other languages'
				// files (about.fr.md) and leaves them out.
				if strings.EqualFold(k.Key, "languages") {
					k.Why = "Agora builds one language; the pages in " + strings.Join(others, ", ") + " are left out"
					out = append(out, k)
				}
				continue
			}
			// One language: its settings are already at the top.
			k.Why = ""
		}
		deleteKey(kept, strings.Split(k.Key, "."))
		out = append(out, k)
	}
	p := &PortableConfig{Settings: kept, Dropped: out, Notes: src.notes}
	for _, f := range src.files {
		p.Files = append(p.Files, f.name)
	}
	return p, nil
}

// drop records a key Portable leaves out.
func (d *decoder) drop(path []string, why string) {
	file, line := d.src.at(path)
	*d.dropped = append(*d.dropped, Dropped{File: file, Line: line, Key: strings.Join(path, "."), Why: why})
}

func deleteKey(m map[string]any, path []string) {
	for k, v := range m {
		if !strings.EqualFold(k, path[0]) {
			continue
		}
		if len(path) == 1 {
			delete(m, k)
			return
		}
		if sub, ok := v.(map[string]any); ok {
			deleteKey(sub, path[1:])
			if len(sub) == 0 {
				delete(m, k)
			}
		}
	}
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}
