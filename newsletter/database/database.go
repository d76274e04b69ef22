// Package database finds a site's subscriber database and opens it. It is
// the one place that decides where addresses are kept, so that every
// command (subscribers, send, report) refuses the same unsafe places.
package database

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/store/sqlite"
)

// EnvPath names the environment variable that overrides [newsletter]
// database, for a database kept outside the site (a server's /var/lib).
const EnvPath = "AGORA_DB"

// published are the folders of a site whose files end up in public/, and
// public/ itself: a database there would put every address on the web.
var published = []string{"content", "public", "static", "layouts", "themes"}

// Path returns the absolute path of the database of the site in siteDir:
// AGORA_DB when set (relative to the working folder, as any path typed in
// a shell), else site.toml's [newsletter] database (relative to the site).
func Path(siteDir string, nl config.Newsletter, getenv func(string) string) (string, error) {
	site, err := filepath.Abs(siteDir)
	if err != nil {
		return "", err
	}
	from := "site.toml newsletter.database"
	p := nl.Database
	if v := getenv(EnvPath); v != "" {
		from, p = EnvPath, v
		if strings.Contains(v, "://") {
			return "", fmt.Errorf("%s=%q: only a SQLite file path is supported", EnvPath, v)
		}
	} else if p == "" {
		p = config.DefaultDatabase
	}
	folder := strings.HasSuffix(p, "/") || strings.HasSuffix(p, string(filepath.Separator))
	if !filepath.IsAbs(p) && from != EnvPath {
		p = filepath.Join(site, p)
	}
	if p, err = filepath.Abs(p); err != nil {
		return "", err
	}
	if fi, err := os.Stat(p); folder || p == site || (err == nil && fi.IsDir()) {
		return "", fmt.Errorf("database %s (from %s) is a folder: want a file such as %s", p, from, config.DefaultDatabase)
	}
	real := resolve(p)
	for _, dir := range published {
		d := filepath.Join(site, dir)
		if within(p, d) || within(real, resolve(d)) {
			return "", fmt.Errorf("database %s (from %s) is inside %s/, whose files are published: subscriber addresses must never reach the site; keep it in %s (the default) or outside the site", p, from, dir, filepath.Dir(config.DefaultDatabase))
		}
	}
	return p, nil
}

// resolve follows symbolic links in the part of p that exists, so that a
// data/ linked into public/ is caught too.
func resolve(p string) string {
	rest := ""
	for dir := p; ; dir = filepath.Dir(dir) {
		if r, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(r, rest)
		}
		if filepath.Dir(dir) == dir {
			return p
		}
		rest = filepath.Join(filepath.Base(dir), rest)
	}
}

func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Open reads the site's site.toml, finds its database, creates the folder
// it goes in (private: it holds addresses) and opens it. It returns the
// database's path for messages.
func Open(ctx context.Context, siteDir string) (store.Store, string, error) {
	cfg, err := config.Load(siteDir)
	if err != nil {
		return nil, "", err
	}
	path, err := Path(siteDir, cfg.Newsletter, os.Getenv)
	if err != nil {
		return nil, "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, "", fmt.Errorf("creating the database folder: %w", err)
	}
	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		return nil, "", err
	}
	return s, path, nil
}
