package postgres_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/agora-hub/agora/internal/pgtest"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/store/postgres"
	"github.com/agora-hub/agora/newsletter/store/storetest"
)

var ctx = context.Background()

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestConformance runs the store's shared suite on PostgreSQL.
func TestConformance(t *testing.T) {
	storetest.Run(t, Engine())
}

// Engine is the suite's view of this engine, on the private cluster.
func Engine() storetest.Engine {
	return storetest.Engine{New: func(t testing.TB) (func(testing.TB, func() time.Time) store.DB, storetest.Raw) {
		url := pgtest.URL(t)
		return func(t testing.TB, now func() time.Time) store.DB {
			t.Helper()
			s, err := postgres.Open(ctx, url, postgres.Options{Now: now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		}, raw(t, url)
	}}
}

type rawPool struct{ pool *pgxpool.Pool }

func raw(t testing.TB, url string) rawPool {
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return rawPool{pool}
}

// numbered turns the suite's ? placeholders into $1, $2, …
func numbered(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (r rawPool) Exec(t testing.TB, query string, args ...any) {
	t.Helper()
	if _, err := r.pool.Exec(ctx, numbered(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func (r rawPool) Rows(t testing.TB, query string, args ...any) [][]string {
	t.Helper()
	rows, err := r.pool.Query(ctx, numbered(query), args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) ([]string, error) {
		vals, err := row.Values()
		var texts []string
		for _, v := range vals {
			if v == nil {
				texts = append(texts, "")
			} else {
				texts = append(texts, fmt.Sprint(v))
			}
		}
		return texts, err
	})
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return out
}

// TestCopyQueriesNameEveryColumn: the copy's queries name every column
// of every table, and the tables are store.CopyOrder's.
func TestCopyQueriesNameEveryColumn(t *testing.T) {
	e := Engine()
	open, r := e.New(t)
	s := open(t, time.Now)
	var tables []string
	for _, row := range r.(rawPool).Rows(t, `SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations' ORDER BY tablename COLLATE "C"`) {
		tables = append(tables, row[0])
	}
	if want := slices.Sorted(slices.Values(store.CopyOrder)); !slices.Equal(tables, want) {
		t.Errorf("tables %v; store.CopyOrder has %v", tables, want)
	}
	for _, table := range store.CopyOrder {
		var schemaCols []string
		for _, row := range r.(rawPool).Rows(t, `SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position`, table) {
			schemaCols = append(schemaCols, row[0])
		}
		cols, _ := s.ReadTable(ctx, table)
		if !slices.Equal(cols, schemaCols) {
			t.Errorf("read-%s names %v; the table has %v", table, cols, schemaCols)
		}
	}
}

func TestRedact(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://agora:s3cret@db.example.org:5432/agora?sslmode=verify-full": "postgres://agora:xxxxx@db.example.org:5432/agora?sslmode=verify-full",
		"postgresql://agora@db/agora?password=s3cret&sslmode=require":           "postgresql://agora@db/agora?password=xxxxx&sslmode=require",
		"postgres://agora@db/agora":                                             "postgres://agora@db/agora",
	} {
		if got := postgres.Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
		if postgres.HasPassword(in) != (want != in) {
			t.Errorf("HasPassword(%q) = %v", in, !(want != in))
		}
	}
}

func TestBadURL(t *testing.T) {
	_, err := postgres.Open(ctx, "postgres://agora:s3cret@db.example.org:notaport/agora", postgres.Options{})
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("a bad URL: %v; want an error that does not quote the password", err)
	}
}
