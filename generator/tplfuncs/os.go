package tplfuncs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"strings"
)

// osNS is Hugo's os namespace. It reads only inside the site, through
// Deps.Files: a path that leaves the site ("../", an absolute path) is an
// error, where Hugo reads anything under its working directory.
type osNS struct{ e *env }

// defaultGetenv is Hugo's security.funcs.getenv default.
var defaultGetenv = []string{"^HUGO_", "^CI$"}

// getenvPolicy is security.funcs.getenv compiled.
type getenvPolicy struct {
	allow, deny []*regexp.Regexp
}

// compileGetenv builds getenv's allow-list as Hugo does: "none" allows
// nothing, a pattern starting with "! " denies, and a list of only deny
// rules allows the rest.
func compileGetenv(patterns []string) (getenvPolicy, error) {
	if patterns == nil {
		patterns = defaultGetenv
	}
	var p getenvPolicy
	for _, pat := range patterns {
		pat = strings.TrimSpace(pat)
		if pat == "none" {
			return getenvPolicy{}, nil
		}
		if pat == "" {
			continue
		}
		re, err := regexp.Compile(strings.TrimPrefix(pat, "! "))
		if err != nil {
			return getenvPolicy{}, fmt.Errorf("security.funcs.getenv: pattern %q: %w", pat, err)
		}
		if strings.HasPrefix(pat, "! ") {
			p.deny = append(p.deny, re)
		} else {
			p.allow = append(p.allow, re)
		}
	}
	return p, nil
}

func (p getenvPolicy) allows(name string) bool {
	for _, re := range p.deny {
		if re.MatchString(name) {
			return false
		}
	}
	if len(p.allow) == 0 {
		return len(p.deny) > 0
	}
	for _, re := range p.allow {
		if re.MatchString(name) {
			return true
		}
	}
	return false
}

// Getenv is Hugo's getenv NAME: the variable's value, only for names the
// site's security.funcs.getenv allows (by default those starting with
// HUGO_, and CI), so that a theme can't read secrets from the
// environment. A name not allowed is an error saying how to allow it.
func (ns *osNS) Getenv(key any) (string, error) {
	name, err := toString(key)
	if err != nil {
		return "", nil
	}
	if ns.e.getenvEr != nil {
		return "", wrap("getenv", ns.e.getenvEr)
	}
	if !ns.e.getenv.allows(name) {
		pats := ns.e.deps.Getenv
		if pats == nil {
			pats = defaultGetenv
		}
		return "", fail("getenv", "access denied: %q is not allowed by security.funcs.getenv (%q); add a pattern for it to [security.funcs] getenv in the site's configuration", name, pats)
	}
	return os.Getenv(name), nil
}

// sitePath turns a template's path into one inside Deps.Files.
func (ns *osNS) sitePath(fn string, v any) (string, error) {
	s, err := str(fn, v)
	if err != nil {
		return "", err
	}
	if ns.e.deps.Files == nil {
		return "", errNoSite(fn)
	}
	p := strings.TrimPrefix(path.Clean("/"+strings.ReplaceAll(s, `\`, "/")), "/")
	if strings.Contains(s, "..") && !fs.ValidPath(strings.TrimPrefix(path.Clean(s), "./")) {
		return "", fail(fn, "%q is outside the site; Agora reads only files inside it", s)
	}
	if p == "" {
		p = "."
	}
	return p, nil
}

// ReadFile is Hugo's readFile PATH: the file's text, "" when it does not
// exist.
func (ns *osNS) ReadFile(v any) (string, error) {
	p, err := ns.sitePath("readFile", v)
	if err != nil {
		return "", err
	}
	if p == "." {
		return "", fail("readFile", "invalid filename")
	}
	b, err := fs.ReadFile(ns.e.deps.Files, p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", wrap("readFile", err)
	}
	return string(b), nil
}

// ReadDir is Hugo's readDir PATH: the folder's entries as os.FileInfo
// (.Name, .Size, .IsDir, .ModTime), sorted by name; nil when it does not
// exist.
func (ns *osNS) ReadDir(v any) ([]fs.FileInfo, error) {
	p, err := ns.sitePath("readDir", v)
	if err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(ns.e.deps.Files, p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fail("readDir", "failed to read directory %q: %w", p, err)
	}
	out := make([]fs.FileInfo, 0, len(entries))
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			return nil, wrap("readDir", err)
		}
		out = append(out, fi)
	}
	return out, nil
}

// FileExists is Hugo's fileExists PATH.
func (ns *osNS) FileExists(v any) (bool, error) {
	if s, _ := toString(v); s == "" {
		return false, nil
	}
	p, err := ns.sitePath("fileExists", v)
	if err != nil {
		return false, err
	}
	_, err = fs.Stat(ns.e.deps.Files, p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, wrap("fileExists", err)
}

// Stat is Hugo's os.Stat PATH: nil when it does not exist.
func (ns *osNS) Stat(v any) (fs.FileInfo, error) {
	if s, _ := toString(v); s == "" {
		return nil, nil
	}
	p, err := ns.sitePath("os.Stat", v)
	if err != nil {
		return nil, err
	}
	fi, err := fs.Stat(ns.e.deps.Files, p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	return fi, wrap("os.Stat", err)
}

// osExamples document the os namespace; TestExamples runs them.
func osExamples() []Example {
	return []Example{
		{"readFile", `{{ readFile "data/notes.txt" }}[{{ readFile "data/none.txt" }}]`, nil, "hello\n[]"},
		{"readFile", `{{ readFile "../secret.txt" }}`, nil, "error: outside the site"},
		{"readDir", `{{ range readDir "data" }}{{ .Name }} {{ .Size }} {{ .IsDir }};{{ end }}`, nil, "notes.txt 6 false;team.json 14 false;"},
		{"fileExists", `{{ fileExists "data/team.json" }} {{ fileExists "nope" }} {{ fileExists "" }}`, nil, "true false false"},
		{"os.Stat", `{{ (os.Stat "data/notes.txt").Size }} {{ os.Stat "nope" }}`, nil, "6 "},
		{"getenv", `{{ getenv "HUGO_AGORA_EXAMPLE" }}`, nil, "production"},
		{"getenv", `{{ getenv "HOME" }}`, nil, `error: getenv: access denied: "HOME" is not allowed by security.funcs.getenv`},
	}
}
