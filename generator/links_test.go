package generator_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "modernc.org/sqlite" // a real SQLite file to try to publish

	"github.com/agora-hub/agora/generator"
	"github.com/agora-hub/agora/internal/testsite"
)

// secret is what the files outside the site hold; it must never reach
// the output.
const secret = "root:x:0:0:SECRET-OUTSIDE-THE-SITE"

const linkSite = `
-- site.toml --
baseURL = "https://example.org/"
title = "Hub"
-- layouts/_default/baseof.html --
<!doctype html><title>{{ .Title }}</title><main>{{ block "main" . }}{{ end }}</main>
-- layouts/_default/single.html --
{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}
-- layouts/_default/list.html --
{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Pages }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ end }}
-- content/tips/a.md --
+++
title = "A"
date = 2026-01-05T10:00:00Z
+++
Body of A.
-- assets/logo.svg --
<svg xmlns="http://www.w3.org/2000/svg"/>
-- notes/shared.md --
+++
title = "Shared"
date = 2026-01-06T10:00:00Z
+++
A note kept outside content/ but inside the site.
`

// outside makes a folder beside the site (not in it) holding secret files
// and a theme, and returns its path.
func outside(t *testing.T) string {
	t.Helper()
	return testsite.New(t, `
-- passwd --
`+secret+`
-- page.md --
+++
title = "Leak"
+++
`+secret+`
-- theme/layouts/_default/baseof.html --
<!doctype html><main>{{ block "main" . }}{{ end }}</main>`+secret+`
-- theme/layouts/_default/single.html --
{{ define "main" }}{{ .Content }}{{ end }}
-- theme/layouts/_default/list.html --
{{ define "main" }}{{ .Title }}{{ end }}
`)
}

// subscriberDB writes a real SQLite database in WAL mode holding an
// address, as agora's own is, and leaves it open so that its -wal and
// -shm files exist too.
func subscriberDB(t *testing.T, file string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	for _, q := range []string{
		"PRAGMA journal_mode = WAL",
		"PRAGMA wal_autocheckpoint = 0",
		"CREATE TABLE subscribers (email TEXT)",
		"INSERT INTO subscribers VALUES ('victim@example.org')",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for _, side := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(file + side); err != nil {
			t.Fatalf("no %s file: %v", side, err)
		}
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLinksOutOfTheSiteAreRefused runs each way a pull request could make
// the build publish a file from outside the site, or the subscriber
// database, and checks the build fails naming the link (or file) and
// where it points, and publishes nothing.
func TestLinksOutOfTheSiteAreRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, site, out string)
		site  string // more files
		want  []string
	}{
		{
			name: "static file to /etc/passwd",
			setup: func(t *testing.T, site, out string) {
				symlink(t, filepath.Join(out, "passwd"), filepath.Join(site, "static/x.txt"))
			},
			want: []string{"static/x.txt: symbolic link to /", "passwd", "outside the site"},
		},
		{
			name: "static file to the subscriber database",
			setup: func(t *testing.T, site, out string) {
				subscriberDB(t, filepath.Join(site, "data/agora.db"))
				symlink(t, "../data/agora.db", filepath.Join(site, "static/backup.db"))
			},
			want: []string{"static/backup.db: a SQLite database"},
		},
		{
			name: "the database's write-ahead log and wal-index",
			setup: func(t *testing.T, site, out string) {
				subscriberDB(t, filepath.Join(site, "data/agora.db"))
				symlink(t, "../data/agora.db-wal", filepath.Join(site, "static/log"))
				copyFile(t, filepath.Join(site, "data/agora.db-shm"), filepath.Join(site, "static/index.bin"))
			},
			want: []string{"static/log: a SQLite write-ahead log", "static/index.bin: a SQLite wal-index"},
		},
		{
			name: "a database copied in as .txt",
			setup: func(t *testing.T, site, out string) {
				db := filepath.Join(out, "agora.db")
				subscriberDB(t, db)
				copyFile(t, db, filepath.Join(site, "static/notes.txt"))
			},
			want: []string{"static/notes.txt: a SQLite database"},
		},
		{
			name: "a database as a page",
			setup: func(t *testing.T, site, out string) {
				subscriberDB(t, filepath.Join(site, "data/agora.db"))
				symlink(t, "../../data/agora.db", filepath.Join(site, "content/tips/list.md"))
			},
			want: []string{"content/tips/list.md: a SQLite database"},
		},
		{
			name:  "static itself a link",
			setup: func(t *testing.T, site, out string) { symlink(t, out, filepath.Join(site, "static")) },
			want:  []string{"static: symbolic link to " + "/", "outside the site"},
		},
		{
			name: "a content page",
			setup: func(t *testing.T, site, out string) {
				symlink(t, filepath.Join(out, "page.md"), filepath.Join(site, "content/tips/leak.md"))
			},
			want: []string{"content/tips/leak.md: symbolic link to /", "page.md"},
		},
		{
			name: "a bundle's resource",
			site: "-- content/tips/b/index.md --\n+++\ntitle = \"B\"\n+++\nBundle.\n",
			setup: func(t *testing.T, site, out string) {
				symlink(t, filepath.Join(out, "passwd"), filepath.Join(site, "content/tips/b/data.txt"))
			},
			want: []string{"content/tips/b/data.txt: symbolic link to /"},
		},
		{
			name: "a layout partial",
			site: "-- layouts/_default/single.html --\n{{ define \"main\" }}{{ partial \"x.html\" . }}{{ end }}\n",
			setup: func(t *testing.T, site, out string) {
				symlink(t, filepath.Join(out, "passwd"), filepath.Join(site, "layouts/partials/x.html"))
			},
			want: []string{"layouts/partials/x.html: symbolic link to /"},
		},
		{
			name: "a theme",
			site: "-- site.toml --\nbaseURL = \"https://example.org/\"\ntitle = \"Hub\"\ntheme = \"t\"\n",
			setup: func(t *testing.T, site, out string) {
				symlink(t, filepath.Join(out, "theme"), filepath.Join(site, "themes/t"))
			},
			want: []string{"themes/t: symbolic link to /", "outside the site"},
		},
		{
			name: "a chain of links that ends outside",
			setup: func(t *testing.T, site, out string) {
				symlink(t, "b.txt", filepath.Join(site, "static/a.txt"))
				symlink(t, "../notes/c.txt", filepath.Join(site, "static/b.txt"))
				symlink(t, "../../"+filepath.Base(out)+"/passwd", filepath.Join(site, "notes/c.txt"))
			},
			want: []string{"static/a.txt: symbolic link to b.txt and on to ../notes/c.txt and on to ../../", "static/b.txt: symbolic link to ../notes/c.txt"},
		},
		{
			name: "a relative link climbing out",
			setup: func(t *testing.T, site, out string) {
				symlink(t, "../../"+filepath.Base(out)+"/passwd", filepath.Join(site, "static/up.txt"))
			},
			want: []string{"static/up.txt: symbolic link to ../../", "outside the site"},
		},
		{
			name: "the site's git config, with its token",
			setup: func(t *testing.T, site, out string) {
				testsite.Write(t, site, "-- .git/config --\n[http]\nextraheader = AUTHORIZATION: basic "+secret+"\n")
				symlink(t, "../.git/config", filepath.Join(site, "static/config.txt"))
			},
			want: []string{"static/config.txt: symbolic link to ../.git/config", "hidden .git"},
		},
		{
			name:  "a folder linking to its own parent",
			setup: func(t *testing.T, site, out string) { symlink(t, "..", filepath.Join(site, "content/tips/loop")) },
			want:  []string{"content/tips/loop: symbolic link to ..", "loop"},
		},
		{
			name: "site.toml",
			setup: func(t *testing.T, site, out string) {
				os.Remove(filepath.Join(site, "site.toml"))
				symlink(t, filepath.Join(out, "passwd"), filepath.Join(site, "site.toml"))
			},
			want: []string{"site.toml: symbolic link to /"},
		},
		{
			name: "an asset the Sass compiler could read",
			setup: func(t *testing.T, site, out string) {
				symlink(t, filepath.Join(out, "passwd"), filepath.Join(site, "assets/scss/_x.scss"))
			},
			want: []string{"assets/scss/_x.scss: symbolic link to /", "outside the site"},
		},
		{
			name: "an i18n file",
			setup: func(t *testing.T, site, out string) {
				symlink(t, filepath.Join(out, "passwd"), filepath.Join(site, "i18n/en.toml"))
			},
			want: []string{"i18n/en.toml: symbolic link to /"},
		},
		{
			name: "hugo.toml in place of site.toml",
			setup: func(t *testing.T, site, out string) {
				os.Remove(filepath.Join(site, "site.toml"))
				symlink(t, filepath.Join(out, "passwd"), filepath.Join(site, "hugo.toml"))
			},
			want: []string{"hugo.toml: symbolic link to /"},
		},
		{
			name: "a file of config/_default",
			setup: func(t *testing.T, site, out string) {
				symlink(t, filepath.Join(out, "passwd"), filepath.Join(site, "config/_default/params.toml"))
			},
			want: []string{"config/_default/params.toml: symbolic link to /"},
		},
		{
			name: "config/_default itself",
			setup: func(t *testing.T, site, out string) {
				symlink(t, out, filepath.Join(site, "config/_default"))
			},
			want: []string{"config/_default: symbolic link to /", "outside the site"},
		},
		{
			name: "a page under Hugo's contentDir",
			site: "-- src/tips/ok.md --\n+++\ntitle = \"Ok\"\n+++\nOk.\n",
			setup: func(t *testing.T, site, out string) {
				// A top-level key: before site.toml's first table.
				old, _ := os.ReadFile(filepath.Join(site, "site.toml"))
				if err := os.WriteFile(filepath.Join(site, "site.toml"), append([]byte("contentDir = \"src\"\n"), old...), 0o644); err != nil {
					t.Fatal(err)
				}
				symlink(t, filepath.Join(out, "page.md"), filepath.Join(site, "src/tips/leak.md"))
			},
			want: []string{"src/tips/leak.md: symbolic link to /", "page.md"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := outside(t)
			site := testsite.New(t, linkSite+tc.site)
			// t.TempDir makes both side by side, so a relative link can
			// climb from one to the other.
			tc.setup(t, site, out)
			_, err := generator.Build(context.Background(), generator.Options{Source: site, Now: testNow})
			if err == nil {
				t.Fatalf("build succeeded; public/ holds:\n%v", testsite.Hashes(t, filepath.Join(site, "public")))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "victim@") {
				t.Errorf("the error shows the secret itself:\n%v", err)
			}
			if _, err := os.Stat(filepath.Join(site, "public")); err == nil {
				t.Error("public/ was written")
			}
			if left, _ := filepath.Glob(filepath.Join(site, ".public.tmp-*")); len(left) > 0 {
				t.Errorf("staging left behind: %v", left)
			}
		})
	}
}

// TestLinksInsideTheSiteAreFollowed: Hugo sites link shared folders and
// files; a link that stays in the site, even through an absolute path or
// a linked content/ folder, builds as if the file were there.
func TestLinksInsideTheSiteAreFollowed(t *testing.T) {
	site := testsite.New(t, linkSite)
	symlink(t, "../assets/logo.svg", filepath.Join(site, "static/logo.svg"))
	symlink(t, filepath.Join(site, "assets/logo.svg"), filepath.Join(site, "static/abs.svg"))
	symlink(t, "../../notes", filepath.Join(site, "content/tips/notes"))
	symlink(t, "../assets", filepath.Join(site, "static/img"))
	// An editor's lock file is a dangling link; it must not matter.
	symlink(t, "user@host.1234:1700000000", filepath.Join(site, "content/tips/.#a.md"))
	_, pub := build(t, site)
	assertFile(t, pub, "logo.svg", "<svg")
	assertFile(t, pub, "abs.svg", "<svg")
	assertFile(t, pub, "img/logo.svg", "<svg")
	assertFile(t, pub, "tips/notes/shared/index.html", "A note kept outside content/")

	// content/ itself a link to a folder of the site.
	site2 := testsite.New(t, linkSite)
	if err := os.Rename(filepath.Join(site2, "content"), filepath.Join(site2, "src")); err != nil {
		t.Fatal(err)
	}
	symlink(t, "src", filepath.Join(site2, "content"))
	_, pub2 := build(t, site2)
	assertFile(t, pub2, "tips/a/index.html", "Body of A.")
}

// TestServeRefusesLinksAddedWhileServing: agora serve reads each saved
// file again; a link out of the site made while it runs is refused like
// in a build, and the last good site stays served.
func TestServeRefusesLinksAddedWhileServing(t *testing.T) {
	out := outside(t)
	for _, link := range []string{"content/tips/a.md", "static/x.txt"} {
		site := testsite.New(t, linkSite)
		dest := filepath.Join(t.TempDir(), "public")
		s, _, err := generator.Open(context.Background(), generator.Options{Source: site, Destination: dest, Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(site, link)); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		symlink(t, filepath.Join(out, "page.md"), filepath.Join(site, link))
		_, err = s.Update(context.Background(), []string{link})
		if err == nil || !strings.Contains(err.Error(), link+": symbolic link to /") {
			t.Errorf("update after linking %s: %v", link, err)
		}
		for rel := range testsite.Hashes(t, dest) {
			if strings.Contains(testsite.Read(t, dest, rel), secret) {
				t.Errorf("after linking %s, %s holds the secret", link, rel)
			}
		}
	}
}

// TestDestinationLinkIsRefused: public/ committed as a link out of the
// site is neither followed nor silently replaced.
func TestDestinationLinkIsRefused(t *testing.T) {
	site := testsite.New(t, linkSite)
	elsewhere := t.TempDir()
	if err := os.WriteFile(filepath.Join(elsewhere, ".nojekyll"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	symlink(t, elsewhere, filepath.Join(site, "public"))
	_, err := generator.Build(context.Background(), generator.Options{Source: site, Now: testNow})
	if err == nil || !strings.Contains(err.Error(), "public is a symbolic link to "+elsewhere) {
		t.Fatalf("err = %v", err)
	}
	if fi, err := os.Lstat(filepath.Join(site, "public")); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi, err)
	}
	if got := testsite.Hashes(t, elsewhere); len(got) != 1 {
		t.Errorf("the link's target was written: %v", got)
	}
	// -d to the folder itself is the user's choice.
	if _, err := generator.Build(context.Background(), generator.Options{Source: site, Destination: elsewhere, Now: testNow}); err != nil {
		t.Fatal(err)
	}
	assertFile(t, elsewhere, "tips/a/index.html", "Body of A.")
}
