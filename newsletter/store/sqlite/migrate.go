package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"fmt"

	"github.com/agora-hub/agora/newsletter/store/sqlfile"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// TooNewError is a database written by a newer agora.
type TooNewError = sqlfile.TooNewError

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
func migrate(ctx context.Context, db *sql.DB, dbPath string, ms []sqlfile.Migration, now string) (err error) {
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
	latest := ms[len(ms)-1].Version
	if have > latest {
		return &TooNewError{Path: dbPath, Have: have, Support: latest}
	}
	for _, m := range ms[have:] {
		if _, err = tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if _, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied) VALUES (?, ?, ?)`, m.Version, m.Name, now); err != nil {
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
