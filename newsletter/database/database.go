// Package database finds a site's subscriber database and opens it. It is
// the one place that decides where addresses are kept, so that every
// command (subscribers, send, report, listen, db) refuses the same unsafe
// places: a SQLite file, or a PostgreSQL server named by a postgres:// URL.
package database

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/store/postgres"
	"github.com/agora-hub/agora/newsletter/store/sqlite"
)

// EnvPath names the environment variable that overrides [newsletter]
// database, for a database kept outside the site (a server's /var/lib).
const EnvPath = "AGORA_DB"

// published are the folders of a site whose files end up in public/, and
// public/ itself: a database there would put every address on the web.
var published = []string{"content", "public", "static", "layouts", "themes"}

// Path returns where the database of the site in siteDir is: AGORA_DB
// when set (a path relative to the working folder, as any path typed in a
// shell), else site.toml's [newsletter] database (relative to the site).
// A postgres:// or postgresql:// URL is returned as it is; a path is made
// absolute and refused inside the site's published folders.
func Path(siteDir string, nl config.Newsletter, getenv func(string) string) (string, error) {
	site, err := filepath.Abs(siteDir)
	if err != nil {
		return "", err
	}
	from := "site.toml newsletter.database"
	p := nl.Database
	if v := getenv(EnvPath); v != "" {
		from, p = EnvPath, v
		if postgres.IsURL(v) {
			return v, nil
		}
		if strings.Contains(v, "://") {
			return "", fmt.Errorf("%s=%q: want a SQLite file path or a postgres:// URL", EnvPath, postgres.Redact(v))
		}
	} else if p == "" {
		p = config.DefaultDatabase
	}
	if postgres.IsURL(p) {
		if postgres.HasPassword(p) {
			return "", fmt.Errorf("%s holds a password, and site.toml is committed: give the URL with its password in %s, or the password alone in PGPASSWORD or ~/.pgpass", from, EnvPath)
		}
		return p, nil
	}
	if strings.Contains(p, "://") {
		return "", fmt.Errorf("database %q (from %s): want a SQLite file path or a postgres:// URL", p, from)
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

// Options tune Open.
type Options struct {
	// Conns is how many connections the command may use at once, for a
	// PostgreSQL pool (default 4): agora send's concurrency, plus what
	// its claims, journal and heartbeat need.
	Conns int
}

// Open reads the site's site.toml, finds its database and opens it (a
// SQLite file is created, in a private folder, if needed). It returns a
// name of the database for messages: the path, or the URL without its
// password.
func Open(ctx context.Context, siteDir string, opt ...Options) (store.DB, string, error) {
	cfg, err := config.Load(siteDir)
	if err != nil {
		return nil, "", err
	}
	where, err := Path(siteDir, cfg.Newsletter, os.Getenv)
	if err != nil {
		return nil, "", err
	}
	var o Options
	if len(opt) > 0 {
		o = opt[0]
	}
	return OpenAt(ctx, where, o)
}

// OpenAt opens the database at where, a path or a postgres:// URL, as
// Path returns it.
func OpenAt(ctx context.Context, where string, o Options) (store.DB, string, error) {
	if postgres.IsURL(where) {
		s, err := postgres.Open(ctx, where, postgres.Options{MaxConns: int32(max(o.Conns, 4))})
		if err != nil {
			return nil, "", err
		}
		return s, s.Where(), nil
	}
	if err := os.MkdirAll(filepath.Dir(where), 0o700); err != nil {
		return nil, "", fmt.Errorf("creating the database folder: %w", err)
	}
	s, err := sqlite.Open(ctx, where, sqlite.Options{})
	if err != nil {
		return nil, "", err
	}
	return s, where, nil
}
