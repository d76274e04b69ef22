package tplfuncs

import (
	"path"
	"path/filepath"
	"reflect"
	"strings"
)

// pathNS is Hugo's path namespace: slash-separated paths, whatever the
// operating system.
type pathNS struct{ e *env }

func slashPath(fn string, v any) (string, error) {
	s, err := str(fn, v)
	return filepath.ToSlash(s), err
}

func (*pathNS) Base(v any) (string, error) {
	s, err := slashPath("path.Base", v)
	return path.Base(s), err
}

// BaseName is Hugo's path.BaseName: the last element without its
// extension.
func (*pathNS) BaseName(v any) (string, error) {
	s, err := slashPath("path.BaseName", v)
	b := path.Base(s)
	return strings.TrimSuffix(b, path.Ext(b)), err
}

func (*pathNS) Clean(v any) (string, error) {
	s, err := slashPath("path.Clean", v)
	return path.Clean(s), err
}

func (*pathNS) Dir(v any) (string, error) {
	s, err := slashPath("path.Dir", v)
	return path.Dir(s), err
}

func (*pathNS) Ext(v any) (string, error) {
	s, err := slashPath("path.Ext", v)
	return path.Ext(s), err
}

// Join is Hugo's path.Join ELEMENT…: elements may be lists too.
func (*pathNS) Join(elements ...any) (string, error) {
	var parts []string
	for _, e := range elements {
		ev := deref(reflect.ValueOf(e))
		if ev.IsValid() && (ev.Kind() == reflect.Slice || ev.Kind() == reflect.Array) {
			for _, x := range toAnySlice(ev) {
				s, err := slashPath("path.Join", x)
				if err != nil {
					return "", err
				}
				parts = append(parts, s)
			}
			continue
		}
		s, err := slashPath("path.Join", e)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	return path.Join(parts...), nil
}

// DirFile is what path.Split returns.
type DirFile struct {
	Dir  string
	File string
}

func (df DirFile) String() string { return df.Dir + df.File }

func (*pathNS) Split(v any) (DirFile, error) {
	s, err := slashPath("path.Split", v)
	d, f := path.Split(s)
	return DirFile{Dir: d, File: f}, err
}

// pathExamples document the path namespace; TestExamples runs them.
func pathExamples() []Example {
	return []Example{
		{"path.Base", `{{ path.Base "a/b/c.md" }} {{ path.BaseName "a/b/c.md" }} {{ path.Dir "a/b/c.md" }} {{ path.Ext "c.md" }}`, nil, "c.md c a/b .md"},
		{"path.Join", `{{ path.Join "a" (slice "b" "c") "../d" }} {{ path.Clean "a//b/./c/.." }}`, nil, "a/b/d a/b"},
		{"path.Split", `{{ with path.Split "a/b/c.md" }}{{ .Dir }}|{{ .File }}{{ end }}`, nil, "a/b/|c.md"},
	}
}
