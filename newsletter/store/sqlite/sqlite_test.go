package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/store/sqlite"
	"github.com/agora-hub/agora/newsletter/store/storetest"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

var ctx = context.Background()

// TestConformance runs the store's shared suite on SQLite.
func TestConformance(t *testing.T) {
	storetest.Run(t, storetest.Engine{New: func(t testing.TB) (func(testing.TB, func() time.Time) store.DB, storetest.Raw) {
		path := filepath.Join(t.TempDir(), "agora.db")
		return func(t testing.TB, now func() time.Time) store.DB {
			t.Helper()
			s, err := sqlite.Open(ctx, path, sqlite.Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}, rawDB{raw(t, path)}
	}})
}

// rawDB is storetest.Raw on the bare driver.
type rawDB struct{ db *sql.DB }

func (r rawDB) Exec(t testing.TB, query string, args ...any) {
	t.Helper()
	if _, err := r.db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func (r rawDB) Rows(t testing.TB, query string, args ...any) [][]string {
	t.Helper()
	rows, err := r.db.Query(query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = v.String
		}
		out = append(out, row)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func open(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// raw opens the file with the bare driver, to look at what the store wrote.
func raw(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agora.db")
	s := open(t, path)
	sub, _ := subscriber.New("ada@example.org", "Ada", nil, subscriber.Active, subscriber.Consent{How: "cli"})
	if _, err := s.Add(ctx, sub, false); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("database mode %v, %v; want 0600: it holds addresses", fi.Mode(), err)
	}
}

// TestCopyQueriesNameEveryColumn: agora db copy reads and writes the
// columns its queries name; a migration that adds a column must add it
// there too, or a copy would silently drop it.
func TestCopyQueriesNameEveryColumn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "agora.db")
	s := open(t, path)
	db := raw(t, path)
	var tables []string
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	if want := fmt.Sprint(sortedCopy(store.CopyOrder)); fmt.Sprint(tables) != want {
		t.Errorf("tables %v; store.CopyOrder has %v", tables, want)
	}
	for _, table := range store.CopyOrder {
		var schemaCols []string
		rows, err := db.Query(`SELECT name FROM pragma_table_info(?)`, table)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var n string
			rows.Scan(&n)
			schemaCols = append(schemaCols, n)
		}
		rows.Close()
		cols, _ := s.ReadTable(ctx, table)
		if strings.Join(cols, ",") != strings.Join(schemaCols, ",") {
			t.Errorf("read-%s names %v; the table has %v", table, cols, schemaCols)
		}
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestNotADatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "subscribers.csv")
	if err := os.WriteFile(path, []byte("email,name\nada@example.org,Ada\n"+string(make([]byte, 200))), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err := sqlite.Open(ctx, path, sqlite.Options{}); err == nil {
		s.Close()
		t.Fatal("opened a CSV file as a database")
	}
}

func TestPragmas(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "agora.db"))
	for pragma, want := range map[string]string{"journal_mode": "wal", "busy_timeout": "5000", "foreign_keys": "1"} {
		got, err := s.Pragma(ctx, pragma)
		if err != nil || got != want {
			t.Errorf("PRAGMA %s = %q, %v; want %q", pragma, got, err, want)
		}
	}
}

func newSub(t *testing.T, email, name string, topics []string, st subscriber.Status, how string) subscriber.Subscriber {
	t.Helper()
	s, err := subscriber.New(email, name, topics, st, subscriber.Consent{How: how})
	if err != nil {
		t.Fatal(err)
	}
	return s
}
