package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// loadMigrations reads migrations/NNNN_what.sql. Versions must run 1, 2, 3
// without gaps: a missing file would otherwise leave some databases without
// a table that others have.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []migration
	for i, name := range names { // Glob sorts
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: want NNNN_description.sql", base)
		}
		if v != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d next", base, i+1)
		}
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: base, sql: string(src)})
	}
	if len(ms) == 0 {
		return nil, errors.New("no migrations")
	}
	return ms, nil
}

// TooNewError is a database written by a newer agora: its tables may mean
// things this binary does not know, so it refuses rather than guess.
type TooNewError struct {
	Path          string
	Have, Support int
}

func (e *TooNewError) Error() string {
	return fmt.Sprintf("%s has schema version %d but this agora knows only up to %d: install a newer agora", e.Path, e.Have, e.Support)
}

// migrate brings the schema up to date in one transaction. The transaction
// begins IMMEDIATE (see dsn), so two agoras opening a fresh file at once
// apply each migration exactly once: the second waits, then finds nothing
// left to do.
//
// It runs on a connection of its own with foreign keys off: SQLite can
// change some schemas only by rebuilding a table (0004 gives subscribers
// AUTOINCREMENT), and dropping the old table with foreign keys on would
// fire its ON DELETE actions on every row that points at it. The keys are
// checked before the commit instead, and the connection is thrown away
// afterwards rather than returned to the pool with its keys off.
func migrate(ctx context.Context, db *sql.DB, dbPath string, ms []migration, now string) (err error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() {
		_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		conn.Close()
	}()
	if _, err = conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if _, err = tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY,
		name    TEXT NOT NULL,
		applied TEXT NOT NULL
	)`); err != nil {
		return err
	}
	var have int
	if err = tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
		return err
	}
	latest := ms[len(ms)-1].version
	if have > latest {
		return &TooNewError{Path: dbPath, Have: have, Support: latest}
	}
	for _, m := range ms[have:] {
		if _, err = tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)`, m.version, m.name, now); err != nil {
			return err
		}
	}
	if err = foreignKeyCheck(ctx, tx); err != nil {
		return err
	}
	return tx.Commit()
}

// foreignKeyCheck fails when a row points at a row that is not there.
func foreignKeyCheck(ctx context.Context, tx *sql.Tx) error {
	rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	if rows.Next() {
		var table, parent string
		var rowid sql.NullInt64
		var fkid int
		if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
			return err
		}
		return fmt.Errorf("migrating left row %d of %s pointing at a missing row of %s", rowid.Int64, table, parent)
	}
	return rows.Err()
}
