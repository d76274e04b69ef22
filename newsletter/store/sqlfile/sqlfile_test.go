package sqlfile

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestParse(t *testing.T) {
	got, err := Parse("-- header comment\n\n-- name: a\n-- why a\nSELECT 1;\n\n--   name:   b  \nSELECT\n  2;\n")
	if err != nil || got["a"] != "-- why a\nSELECT 1;" || got["b"] != "SELECT\n  2;" || len(got) != 2 {
		t.Fatalf("%q, %v", got, err)
	}
	for src, want := range map[string]string{
		"-- name: a\nSELECT 1;\n-- name: a\nSELECT 2;\n": `"a" is defined twice`,
		"-- name: a\n-- only a comment\n":                `"a" is empty`,
		"-- name:\nSELECT 1;\n":                          "without a name",
	} {
		if _, err := Parse(src); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", src, err, want)
		}
	}
}

func TestQueriesAcrossFiles(t *testing.T) {
	dup := fstest.MapFS{
		"queries/a.sql": {Data: []byte("-- name: x\nSELECT 1;\n")},
		"queries/b.sql": {Data: []byte("-- name: x\nSELECT 2;\n")},
	}
	if _, err := Queries(dup); err == nil || !strings.Contains(err.Error(), "also defined in another file") {
		t.Errorf("a name in two files: %v", err)
	}
}

func TestMigrations(t *testing.T) {
	ok := fstest.MapFS{
		"migrations/0001_init.sql": {Data: []byte("CREATE TABLE a (x);")},
		"migrations/0002_more.sql": {Data: []byte("CREATE TABLE b (x);")},
	}
	if ms, err := Migrations(ok); err != nil || len(ms) != 2 || ms[1].Version != 2 || ms[1].Name != "0002_more.sql" {
		t.Fatalf("%+v, %v", ms, err)
	}
	gap := fstest.MapFS{
		"migrations/0001_init.sql": {Data: []byte("CREATE TABLE a (x);")},
		"migrations/0003_more.sql": {Data: []byte("CREATE TABLE b (x);")},
	}
	if _, err := Migrations(gap); err == nil || !strings.Contains(err.Error(), "want version 2 next") {
		t.Errorf("a gap in versions: %v", err)
	}
	badName := fstest.MapFS{"migrations/init.sql": {Data: []byte("CREATE TABLE a (x);")}}
	if _, err := Migrations(badName); err == nil {
		t.Error("a migration without a version number was accepted")
	}
	if _, err := Migrations(fstest.MapFS{}); err == nil {
		t.Error("no migrations at all was accepted")
	}
}
