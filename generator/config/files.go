package config

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/generator/internal/nesting"
	"github.com/agora-hub/agora/generator/metadecode"
)

// RootFiles are the configuration files a site may have at its root, in
// the order they are looked for: Agora's own, then Hugo's (hugo.* before
// config.*, TOML before YAML before JSON, as Hugo looks). The first found
// is used.
var RootFiles = []string{FileName,
	"hugo.toml", "hugo.yaml", "hugo.yml", "hugo.json",
	"config.toml", "config.yaml", "config.yml", "config.json"}

// ConfigDir is Hugo's configuration folder: config/_default/ and
// config/ENVIRONMENT/ merged over the root file, in that order.
const ConfigDir = "config"

// Environments, as Hugo names them: build is production, serve development.
const (
	Production  = "production"
	Development = "development"
)

// file is one configuration file.
type file struct {
	name   string // as shown in messages: "hugo.toml", "config/_default/params.yaml"
	format metadecode.Format
	data   []byte
	prefix []string // the key the file's top level sits under: [] or ["params"]
}

// sources are the files a site's configuration was merged from, and which
// file set each key last, so a message can point at the right line.
type sources struct {
	files  []*file
	origin map[string]*file // lower-case dotted key → file
	merged map[string]any
	notes  []string
}

func newSources() *sources {
	return &sources{origin: map[string]*file{}, merged: map[string]any{}}
}

// at is the file and line where the key at path was set.
func (s *sources) at(path []string) (string, int) {
	for n := len(path); n >= 0; n-- {
		f, ok := s.origin[strings.ToLower(strings.Join(path[:n], "."))]
		if !ok {
			continue
		}
		rel := path
		if len(f.prefix) <= len(path) {
			rel = path[len(f.prefix):]
		}
		if len(rel) == 0 {
			return f.name, 0
		}
		return f.name, metadecode.KeyLine(f.format, f.data, rel...)
	}
	if len(s.files) > 0 {
		return s.files[0].name, 0
	}
	return FileName, 0
}

// add decodes f and merges it over what is there: tables merge key by
// key, any other value replaces the earlier one (Hugo's merge).
func (s *sources) add(f *file) error {
	if len(f.data) > MaxFileBytes {
		return diag.At(f.name, 1, "%d bytes, more than the %d KiB a site's configuration file may have", len(f.data), MaxFileBytes>>10)
	}
	if f.format == metadecode.TOML {
		// BurntSushi/toml is quadratic in nesting: refuse before decoding.
		if line := nesting.TOML(f.data, nesting.MaxDepth); line > 0 {
			return diag.At(f.name, line, "tables and arrays nest more than %d deep", nesting.MaxDepth)
		}
	}
	m, err := metadecode.Unmarshal(f.format, f.data)
	if err != nil {
		var e *metadecode.Error
		if errors.As(err, &e) {
			return &diag.Error{File: f.name, Line: e.Line, Err: errors.New(e.Msg)}
		}
		return &diag.Error{File: f.name, Err: err}
	}
	if depth, key := nesting.Keys(m, nesting.MaxDepth); depth > nesting.MaxDepth {
		return diag.At(f.name, metadecode.KeyLine(f.format, f.data, strings.Split(key, ".")...), "%s: tables and arrays nest more than %d deep", key, nesting.MaxDepth)
	}
	if len(f.prefix) == 1 && len(m) == 1 {
		// A file may wrap its content in its own name: params.yaml
		// holding "params: {…}" (newer Hugo).
		for k := range m {
			if strings.EqualFold(k, f.prefix[0]) {
				f.prefix = nil
			}
		}
	}
	var v any = m
	for i := len(f.prefix) - 1; i >= 0; i-- {
		v = map[string]any{f.prefix[i]: v}
	}
	s.files = append(s.files, f)
	mergeInto(s.merged, v.(map[string]any), nil, f, s.origin)
	return nil
}

func mergeInto(dst, src map[string]any, path []string, f *file, origin map[string]*file) {
	for k, v := range src {
		p := append(append([]string(nil), path...), k)
		key := k
		for old := range dst {
			if old != k && strings.EqualFold(old, k) {
				key = old // keep one spelling: baseURL and baseurl are one key
			}
		}
		origin[strings.ToLower(strings.Join(p, "."))] = f
		sm, srcIsMap := v.(map[string]any)
		dm, dstIsMap := dst[key].(map[string]any)
		if srcIsMap && dstIsMap {
			mergeInto(dm, sm, p, f, origin)
			continue
		}
		if srcIsMap {
			recordOrigins(sm, p, f, origin)
		}
		dst[key] = v
	}
}

func recordOrigins(m map[string]any, path []string, f *file, origin map[string]*file) {
	for k, v := range m {
		p := append(append([]string(nil), path...), k)
		origin[strings.ToLower(strings.Join(p, "."))] = f
		if sm, ok := v.(map[string]any); ok {
			recordOrigins(sm, p, f, origin)
		}
	}
}

// readSources finds and merges a site's configuration files: the first
// root file, then config/_default/ and config/ENV/.
func readSources(fsys fs.FS, env string) (*sources, error) {
	s := newSources()
	var found []string
	for _, name := range RootFiles {
		st, err := fs.Stat(fsys, name)
		switch {
		case err == nil && !st.IsDir():
			found = append(found, name)
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return nil, err // a link out of the site, named
		}
	}
	if len(found) > 0 {
		if len(found) > 1 {
			s.notes = append(s.notes, fmt.Sprintf("%s is used; %s ignored (one configuration file is read, as in Hugo)", found[0], strings.Join(found[1:], ", ")))
		}
		if err := s.readFile(fsys, found[0], nil); err != nil {
			return nil, err
		}
	}
	for _, dir := range []string{ConfigDir + "/_default", ConfigDir + "/" + env} {
		if st, err := fs.Stat(fsys, dir); errors.Is(err, fs.ErrNotExist) || err == nil && !st.IsDir() {
			continue
		} else if err != nil {
			return nil, err
		}
		err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
				return err
			}
			if _, ok := metadecode.FormatFromExt(p); !ok {
				return nil
			}
			base := strings.TrimSuffix(d.Name(), path.Ext(d.Name()))
			switch {
			case strings.EqualFold(base, "hugo") || strings.EqualFold(base, "config"):
				return s.readFile(fsys, p, nil)
			case strings.Contains(base, "."):
				// params.fr.toml, menus.en.yaml: one language's settings.
				s.notes = append(s.notes, fmt.Sprintf("%s ignored: Agora builds one language, so per-language files are not read", p))
				return nil
			}
			key := strings.ToLower(base)
			if key == "menu" {
				key = "menus"
			}
			return s.readFile(fsys, p, []string{key})
		})
		if err != nil {
			return nil, err
		}
	}
	if len(s.files) == 0 {
		return nil, errNoConfig
	}
	return s, nil
}

var errNoConfig = errors.New("no configuration file")

func (s *sources) readFile(fsys fs.FS, name string, prefix []string) error {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return fmt.Errorf("reading %s: %w", name, err)
	}
	format, _ := metadecode.FormatFromExt(name)
	return s.add(&file{name: name, format: format, data: data, prefix: prefix})
}
