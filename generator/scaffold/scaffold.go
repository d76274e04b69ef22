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
	"github.com/agora-hub/agora/themes"
)

// The .gitignore is stored as "gitignore" because a dot-file in an embed
// pattern needs "all:", and the name would also hide it from the scaffold's
// own repository tooling.
//
//go:embed all:site
var siteFiles embed.FS

// Site writes a new site into dir, which must not exist or be empty. It
// returns the files written.
func Site(dir string) ([]string, error) {
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

// ArchetypeData is what an archetype template sees.
type ArchetypeData struct {
	Name    string // title made from the file name: "first-meetup" → "First Meetup"
	Date    string // RFC 3339 in the site's zone
	Section string
}

// Content creates content/REL from the first archetype found:
// archetypes/SECTION.md of the site, then of the theme, then
// archetypes/default.md of each, then a built-in default. It returns the
// path written and refuses to overwrite.
func Content(root, rel string, now time.Time) (string, error) {
	rel = filepath.ToSlash(filepath.Clean(rel))
	rel = strings.TrimPrefix(rel, content.Dir+"/")
	if !filepath.IsLocal(rel) || path.Ext(rel) != ".md" {
		return "", fmt.Errorf("%q: give a path inside content/ ending in .md, such as tips/my-tip.md", rel)
	}
	cfg, err := config.Load(root)
	if err != nil {
		return "", err
	}
	section, _, _ := strings.Cut(rel, "/")
	if !strings.Contains(rel, "/") {
		section = ""
	}
	arch, name, err := findArchetype(root, cfg.Theme, section)
	if err != nil {
		return "", err
	}
	t, err := template.New(name).Parse(arch)
	if err != nil {
		return "", fmt.Errorf("archetype %s: %w", name, err)
	}
	base := strings.TrimSuffix(path.Base(rel), ".md")
	if base == "index" || base == "_index" {
		base = path.Base(path.Dir(rel))
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, ArchetypeData{Name: content.TitleFromName(base), Date: now.In(cfg.Location).Format(time.RFC3339), Section: section}); err != nil {
		return "", fmt.Errorf("archetype %s: %w", name, err)
	}
	// A broken archetype must not produce a page that breaks the next build.
	if _, err := content.Parse(content.Dir+"/"+rel, rel, buf.Bytes(), content.Options{Location: cfg.Location}); err != nil {
		return "", fmt.Errorf("archetype %s produced invalid front matter: %w", name, err)
	}
	full := filepath.Join(root, content.Dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return "", err
	}
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return "", fmt.Errorf("%s/%s already exists", content.Dir, rel)
	}
	if err != nil {
		return "", err
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return "", err
	}
	return filepath.Join(content.Dir, filepath.FromSlash(rel)), f.Close()
}

const defaultArchetype = `+++
title = "{{ .Name }}"
date = {{ .Date }}
draft = true
tags = []
+++

`

func findArchetype(root, theme, section string) (text, name string, err error) {
	if theme == "" {
		theme = config.DefaultTheme
	}
	var themeFS fs.FS
	if st, err := os.Stat(filepath.Join(root, "themes", theme)); err == nil && st.IsDir() {
		themeFS = os.DirFS(filepath.Join(root, "themes", theme))
	} else if t, ok := themes.Get(theme); ok {
		themeFS = t
	}
	var names []string
	if section != "" {
		names = append(names, section+".md")
	}
	names = append(names, "default.md")
	for _, n := range names {
		if b, err := os.ReadFile(filepath.Join(root, "archetypes", n)); err == nil {
			return string(b), "archetypes/" + n, nil
		}
		if themeFS != nil {
			if b, err := fs.ReadFile(themeFS, "archetypes/"+n); err == nil {
				return string(b), "themes/" + theme + "/archetypes/" + n, nil
			}
		}
	}
	return defaultArchetype, "built-in default archetype", nil
}
