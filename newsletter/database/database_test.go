package database_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/newsletter/database"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestPath(t *testing.T) {
	site := t.TempDir()
	wd, _ := os.Getwd()
	for _, tc := range []struct {
		name, database, agoraDB, want string
	}{
		{"default", "", "", filepath.Join(site, "data", "agora.db")},
		{"site.toml, relative to the site", "private/hub.db", "", filepath.Join(site, "private", "hub.db")},
		{"site.toml, absolute", "/var/lib/agora/hub.db", "", "/var/lib/agora/hub.db"},
		{"AGORA_DB wins, relative to the working folder", "private/hub.db", "other.db", filepath.Join(wd, "other.db")},
		{"a name that merely starts like a published folder", "contents.db", "", filepath.Join(site, "contents.db")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := database.Path(site, config.Newsletter{Database: tc.database}, env(map[string]string{"AGORA_DB": tc.agoraDB}))
			if err != nil || got != tc.want {
				t.Errorf("Path = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestPathRefusesPublishedFolders(t *testing.T) {
	site := t.TempDir()
	if err := os.MkdirAll(filepath.Join(site, "public"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(site, "public"), filepath.Join(site, "data")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, database, agoraDB, want string
	}{
		{"content", "content/subscribers.db", "", "is inside content/"},
		{"public", "public/agora.db", "", "is inside public/"},
		{"static", "./static/../static/x.db", "", "is inside static/"},
		{"layouts", "layouts/x.db", "", "is inside layouts/"},
		{"a theme", "themes/default/static/x.db", "", "is inside themes/"},
		{"AGORA_DB into public", "", filepath.Join(site, "public", "x.db"), "(from AGORA_DB) is inside public/"},
		{"a link into public", "data/agora.db", "", "is inside public/"},
		{"a URL of another engine", "", "mysql://db.example.org/hub", "want a SQLite file path or a postgres:// URL"},
		{"a folder", "private/", "", "is a folder"},
		{"an existing folder", "public", "", "is a folder"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := database.Path(site, config.Newsletter{Database: tc.database}, env(map[string]string{"AGORA_DB": tc.agoraDB}))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestOpenCreatesPrivateFolder(t *testing.T) {
	site := t.TempDir()
	if err := os.WriteFile(filepath.Join(site, "site.toml"), []byte("title = \"Hub\"\n[newsletter]\ndatabase = \"var/db/hub.db\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("AGORA_DB", "")
	s, path, err := database.Open(context.Background(), site)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if path != filepath.Join(site, "var", "db", "hub.db") {
		t.Errorf("path %q", path)
	}
	if fi, err := os.Stat(filepath.Dir(path)); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("folder mode %v, %v; want 0700", fi.Mode(), err)
	}
	if _, _, err := database.Open(context.Background(), t.TempDir()); err == nil || !strings.Contains(err.Error(), "site.toml") {
		t.Errorf("a folder without site.toml: %v", err)
	}
}

func TestPathPostgres(t *testing.T) {
	site := t.TempDir()
	const url = "postgres://agora@db.example.org/agora?sslmode=verify-full"
	for _, tc := range []struct {
		name, database, agoraDB, want, wantErr string
	}{
		{"site.toml URL", url, "", url, ""},
		{"postgresql:// too", "postgresql://agora@db/agora", "", "postgresql://agora@db/agora", ""},
		{"AGORA_DB URL with its password", "data/agora.db", "postgres://agora:s3cret@db/agora", "postgres://agora:s3cret@db/agora", ""},
		{"AGORA_DB path over a site.toml URL", url, "local.db", "", ""},
		{"site.toml URL with a password", "postgres://agora:s3cret@db/agora", "", "", "holds a password"},
		{"another scheme", "mysql://db/agora", "", "", "want a SQLite file path or a postgres:// URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := database.Path(site, config.Newsletter{Database: tc.database}, env(map[string]string{"AGORA_DB": tc.agoraDB}))
			switch {
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || strings.Contains(err.Error(), "s3cret") {
					t.Errorf("Path = %q, %v; want an error with %q and no password", got, err, tc.wantErr)
				}
			case tc.want == "":
				if err != nil || !filepath.IsAbs(got) {
					t.Errorf("Path = %q, %v; want a file", got, err)
				}
			case err != nil || got != tc.want:
				t.Errorf("Path = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}
