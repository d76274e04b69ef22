package sqlite

import (
	"context"
	"database/sql"
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
func migrate(ctx context.Context, db *sql.DB, dbPath string, ms []sqlfile.Migration, now string) (err error) {
	tx, err := db.BeginTx(ctx, nil)
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
	return tx.Commit()
}
