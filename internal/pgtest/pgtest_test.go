package pgtest

import (
	"context"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

func TestFreshDatabases(t *testing.T) {
	ctx := context.Background()
	a, b := URL(t), URL(t)
	if a == b {
		t.Fatalf("two tests got the same database %s", a)
	}
	conn, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&n); err != nil || n != 0 {
		t.Errorf("a fresh database has %d tables, %v", n, err)
	}
	// Byte order is not the collation's: the store must say COLLATE "C"
	// where it needs it.
	var less bool
	if err := conn.QueryRow(ctx, `SELECT 'a' < 'B'`).Scan(&less); err != nil {
		t.Fatal(err)
	}
	t.Logf("'a' < 'B' under the database's collation: %v", less)
}
