// Package scaffold writes a new site (agora new site DIR) and new content
// from archetypes (agora new SECTION/NAME.md), as Hugo's `new` does.
package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/sitefs"
	"github.com/agora-hub/agora/generator/tplfuncs"
	"github.com/agora-hub/agora/themes"
)

// The .gitignore is stored as "gitignore" because a dot-file in an embed
// pattern needs "all:", and the name would also hide it from the scaffold's
// own repository tooling.
//
//go:embed all:site
var siteFiles embed.FS

// workflowFile is the scaffolded GitHub Pages workflow, whose Agora
// version line Site fills in.
const workflowFile = ".github/workflows/pages.yml"

// versionMarker is the line of the workflow that pinVersion replaces,
// with the AGORA_VERSION line after it.
const versionMarker = "  # AGORA_VERSION\n  AGORA_VERSION: latest\n"

// Site writes a new site into dir, which must not exist or be empty. It
// returns the files written. version is the Agora that writes it, pinned
// in the Pages workflow when pinnable says it is a version the workflow
// can fetch again ("" or "(devel)" is not).
func Site(dir, version string, pinnable bool) ([]string, error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%s already exists and is not empty; choose a new folder", dir)
	}
	root, _ := fs.Sub(siteFiles, "site")
	var written []string
	err := fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		if p == workflowFile {
			if data, err = pinVersion(data, version, pinnable); err != nil {
				return err
			}
		}
		out := p
		if p == "gitignore" {
			out = ".gitignore"
		}
		full := filepath.Join(dir, filepath.FromSlash(out))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			return err
		}
		written = append(written, out)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("writing the new site: %w", err)
	}
	return written, nil
}

// pinVersion writes the Agora version into the workflow: the release that
// scaffolded the site, so that it changes only when someone edits that one
// line (a Dependabot-style bump); or, from a development build, "latest"
// and a comment saying so.
func pinVersion(workflow []byte, version string, pinnable bool) ([]byte, error) {
	if !bytes.Contains(workflow, []byte(versionMarker)) {
		return nil, fmt.Errorf("%s: the AGORA_VERSION lines are missing", workflowFile)
	}
	block := "  # The Agora release that builds the site (`agora version` tells\n" +
		"  # yours): the site changes only when you change this line.\n" +
		"  AGORA_VERSION: " + version + "\n"
	if !pinnable {
		block = "  # `agora new site` ran from a development build of Agora, which has no\n" +
			"  # version to pin, so each build takes the newest release. Pin one,\n" +
			"  # such as v0.4.0, so the site changes only when you change this line.\n" +
			"  AGORA_VERSION: latest\n"
	}
	return bytes.Replace(workflow, []byte(versionMarker), []byte(block), 1), nil
}

// ArchetypeData is what an archetype template sees. The names are Hugo's
// where Hugo has one, so that archetypes written for Hugo, such as
// title = "{{ replace .File.ContentBaseName "-" " " | title }}", work.
type ArchetypeData struct {
	// Name is the title made from the file name: "reply-within-a-day"
	// becomes "Reply Within A Day", capitalised word by word like the
	// title function and the titles of sections without _index.md.
	// (Hugo's .Name is the bare file name; that is .File.ContentBaseName.)
	Name string
	// Date is now, RFC 3339 in the site's timezone with its offset, so
	// the page does not move when it is built on a machine in UTC.
	Date     string
	Section  string // the first folder below content/, "" for content/x.md
	Type     string // the section, as in Hugo when front matter sets no type
	Timezone string // the site's IANA zone, for an event's own timezone
	File     File
}

// File describes the new file, as Hugo's .File does.
type File struct {
	ContentBaseName string // "reply-within-a-day"; a bundle's folder name for index.md
	Path            string // below content/, "tips/reply-within-a-day.md"
}

// Page is what Content wrote.
type Page struct {
	Path      string // relative to the site root: "content/tips/x.md"
	Archetype string // where the text came from: "themes/default/archetypes/tips.md"
}

// PathError is a page path that Content refuses before reading the site:
// a mistake on the command line rather than in the site.
type PathError struct {
	Path, Reason string
}

func (e *PathError) Error() string {
	return fmt.Sprintf("%q: %s; give a path inside content/ such as tips/my-tip.md", e.Path, e.Reason)
}

// Content creates content/REL from the first archetype found, in Hugo's
// order: archetypes/SECTION.md of the site, then of the theme, then
// archetypes/default.md of the site, then of the theme, then a built-in
// default. The page is a draft dated now. It refuses to overwrite a file
// and to write outside content/, symbolic links included.
func Content(root, rel string, now time.Time) (Page, error) {
	rel, err := pagePath(rel)
	if err != nil {
		return Page{}, err
	}
	cfg, err := config.Load(root)
	if err != nil {
		return Page{}, err
	}
	section, _, found := strings.Cut(rel, "/")
	if !found {
		section = ""
	}
	site, err := sitefs.Open(root)
	if err != nil {
		return Page{}, err
	}
	defer site.Close()
	theme, themeName, err := findTheme(site, cfg.Theme)
	if err != nil {
		return Page{}, err
	}
	arch, archName, err := findArchetype(site, theme, themeName, section)
	if err != nil {
		return Page{}, err
	}

	base := strings.TrimSuffix(path.Base(rel), path.Ext(rel))
	if (base == "index" || base == "_index") && path.Dir(rel) != "." {
		base = path.Base(path.Dir(rel))
	}
	data := ArchetypeData{
		Name:     content.TitleFromName(base),
		Date:     now.In(cfg.Location).Format(time.RFC3339),
		Section:  section,
		Type:     section,
		Timezone: cfg.Location.String(),
		File:     File{ContentBaseName: base, Path: rel},
	}
	funcs := template.FuncMap(tplfuncs.Generic())
	funcs["now"] = func() time.Time { return now.In(cfg.Location) }
	t, err := template.New(archName).Funcs(funcs).Parse(arch)
	if err != nil {
		return Page{}, fmt.Errorf("archetype %s: %w", archName, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return Page{}, fmt.Errorf("archetype %s: %w", archName, err)
	}
	display := content.Dir + "/" + rel
	// A broken archetype must not produce a page that breaks the next build.
	if _, err := content.Parse(display, rel, buf.Bytes(), content.OptionsFor(cfg)); err != nil {
		return Page{}, fmt.Errorf("archetype %s made a page with broken front matter; fix the archetype:\n%w", archName, err)
	}
	if err := create(site, rel, buf.Bytes()); err != nil {
		return Page{}, err
	}
	return Page{Path: display, Archetype: archName}, nil
}

// pagePath checks a page path from the command line and returns it below
// content/, accepting a leading "content/" as Hugo does. Any ".." is
// refused, even one that would stay inside: "content/../x.md" means a file
// beside content/, and silently writing content/x.md instead would be a
// surprise.
func pagePath(arg string) (string, error) {
	p := filepath.ToSlash(arg)
	switch {
	case strings.TrimSpace(p) == "":
		return "", &PathError{arg, "empty path"}
	case filepath.IsAbs(arg) || path.IsAbs(p) || filepath.VolumeName(arg) != "":
		return "", &PathError{arg, "an absolute path"}
	}
	for _, el := range strings.Split(p, "/") {
		if el == ".." {
			return "", &PathError{arg, "goes outside content/"}
		}
	}
	p = strings.TrimPrefix(path.Clean(p), content.Dir+"/")
	if !strings.EqualFold(path.Ext(p), ".md") {
		return "", &PathError{arg, "not a Markdown file ending in .md"}
	}
	// The build skips what editors leave behind (content.Load's rule); a
	// page it would never see is a mistake worth saying at once.
	for _, el := range strings.Split(p, "/") {
		if strings.HasPrefix(el, ".") || strings.HasPrefix(el, "#") || strings.HasSuffix(el, "~") {
			return "", &PathError{arg, fmt.Sprintf("the build ignores names such as %q", el)}
		}
	}
	return p, nil
}

// create writes data to content/rel, never replacing a file. The file is
// made through the site's os.Root, so that a symbolic link (content/
// itself, or a folder in it) cannot lead the write out of the site.
func create(site *sitefs.Site, rel string, data []byte) error {
	display := content.Dir + "/" + rel
	r := site.Root()
	if err := r.MkdirAll(path.Dir(display), 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", display, site.Explain(path.Dir(display), err))
	}
	f, err := r.OpenFile(display, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s already exists; agora new never overwrites a page", display)
	}
	if err != nil {
		return fmt.Errorf("creating %s: %w", display, site.Explain(display, err))
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		// A half-written page would break the next build.
		_ = r.Remove(display)
		return fmt.Errorf("writing %s: %w", display, err)
	}
	return nil
}

const defaultArchetype = `+++
title = "{{ .Name }}"
date = {{ .Date }}
draft = true
tags = []
+++

`

// findTheme follows agora build's rule (generator's findTheme), so that
// new pages come from the archetypes of the theme that renders them: the
// theme named in site.toml, on disk under themes/ first; with none named,
// the built-in theme unless the site has its own layouts/, as in Hugo.
func findTheme(site fs.FS, name string) (fs.FS, string, error) {
	if name == "" {
		layouts, err := sitefs.Folder(site, "layouts")
		if err != nil || layouts != nil {
			return nil, "", err
		}
		name = config.DefaultTheme
	}
	onDisk, err := sitefs.Folder(site, "themes/"+name)
	if err != nil {
		return nil, "", err
	}
	if onDisk != nil {
		return onDisk, name, nil
	}
	if t, ok := themes.Get(name); ok {
		return t, name, nil
	}
	return nil, "", fmt.Errorf("site.toml: theme %q not found in themes/ or built in (built in: %q)", name, config.DefaultTheme)
}

// findArchetype reports a file that exists but cannot be read rather than
// passing over it: a page from the wrong archetype would go unnoticed.
func findArchetype(site fs.FS, theme fs.FS, themeName, section string) (text, name string, err error) {
	var names []string
	if section != "" {
		names = append(names, section+".md")
	}
	names = append(names, "default.md")
	for _, n := range names {
		b, err := fs.ReadFile(site, "archetypes/"+n)
		if err == nil {
			return string(b), "archetypes/" + n, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("archetype: %w", err)
		}
		if theme == nil {
			continue
		}
		b, err = fs.ReadFile(theme, "archetypes/"+n)
		if err == nil {
			return string(b), "themes/" + themeName + "/archetypes/" + n, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", "", fmt.Errorf("archetype themes/%s/archetypes/%s: %w", themeName, n, err)
		}
	}
	return defaultArchetype, "the built-in default archetype", nil
}
