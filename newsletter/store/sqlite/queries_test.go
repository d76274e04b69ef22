package sqlite

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestParseQueries(t *testing.T) {
	got, err := parseQueries("-- header comment\n\n-- name: a\n-- why a\nSELECT 1;\n\n--   name:   b  \nSELECT\n  2;\n")
	if err != nil || got["a"] != "-- why a\nSELECT 1;" || got["b"] != "SELECT\n  2;" || len(got) != 2 {
		t.Fatalf("%q, %v", got, err)
	}
	for src, want := range map[string]string{
		"-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;\n": `"a" is defined twice`,
		"-- name: a\n-- only a comment\n":                `"a" is empty`,
		"-- name:\nSELECT 1;\n":                          "without a name",
	} {
		if _, err := parseQueries(src); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", src, err, want)
		}
	}
}

func TestLoadMigrations(t *testing.T) {
	ms, err := loadMigrations(migrationFiles)
	if err != nil || len(ms) == 0 || ms[0].version != 1 {
		t.Fatalf("embedded migrations: %v, %v", ms, err)
	}
	gap := fstest.MapFS{
		"migrations/0001_init.sql": {Data: []byte("CREATE TABLE a (x);")},
		"migrations/0003_more.sql": {Data: []byte("CREATE TABLE b (x);")},
	}
	if _, err := loadMigrations(gap); err == nil || !strings.Contains(err.Error(), "want version 2 next") {
		t.Errorf("a gap in versions: %v", err)
	}
	badName := fstest.MapFS{"migrations/init.sql": {Data: []byte("CREATE TABLE a (x);")}}
	if _, err := loadMigrations(badName); err == nil {
		t.Error("a migration without a version number was accepted")
	}
}
