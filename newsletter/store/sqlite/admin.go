package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"iter"

	"github.com/agora-hub/agora/newsletter/store"
)

var _ store.DB = (*Store)(nil)

// adminQueries are agora db's statements (queries/admin.sql). The copy
// statements come one per table of store.CopyOrder: read-T, copy-T, clear-T.
type adminQueries struct {
	tableCounts, deliveriesByState, listSenders, queuedConfirmations, schemaVersion *sql.Stmt
	welcomeByState, subscriberIDs, seedSubscriberIDs, raiseSubscriberIDs            *sql.Stmt

	read, copy, clear map[string]**sql.Stmt
}

func (q *adminQueries) statements() map[string]**sql.Stmt {
	m := map[string]**sql.Stmt{
		"table-counts":         &q.tableCounts,
		"deliveries-by-state":  &q.deliveriesByState,
		"list-senders":         &q.listSenders,
		"queued-confirmations": &q.queuedConfirmations,
		"schema-version":       &q.schemaVersion,
		"welcome-by-state":     &q.welcomeByState,
		"subscriber-ids":       &q.subscriberIDs,
		"seed-subscriber-ids":  &q.seedSubscriberIDs,
		"raise-subscriber-ids": &q.raiseSubscriberIDs,
	}
	q.read, q.copy, q.clear = map[string]**sql.Stmt{}, map[string]**sql.Stmt{}, map[string]**sql.Stmt{}
	for _, t := range store.CopyOrder {
		q.read[t], q.copy[t], q.clear[t] = new(*sql.Stmt), new(*sql.Stmt), new(*sql.Stmt)
		m["read-"+t], m["copy-"+t], m["clear-"+t] = q.read[t], q.copy[t], q.clear[t]
	}
	return m
}

// Engine implements store.Admin.
func (s *Store) Engine() string { return "sqlite" }

// Where implements store.Admin.
func (s *Store) Where() string { return s.path }

// SchemaVersion implements store.Admin.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.q.schemaVersion.QueryRowContext(ctx).Scan(&v)
	return v, err
}

// Status implements store.Admin.
func (s *Store) Status(ctx context.Context) (store.Status, error) {
	st := store.Status{Engine: s.Engine(), Where: s.Where(), Rows: map[string]int{}, Subscribers: map[string]int{},
		Deliveries: map[store.DeliveryState]int{}, Welcome: map[store.DeliveryState]int{}}
	var err error
	if st.Version, err = s.SchemaVersion(ctx); err != nil {
		return st, err
	}
	counts := make([]int, len(store.CopyOrder))
	dest := make([]any, len(counts))
	for i := range counts {
		dest[i] = &counts[i]
	}
	if err := s.q.tableCounts.QueryRowContext(ctx).Scan(dest...); err != nil {
		return st, err
	}
	for i, t := range store.CopyOrder {
		st.Rows[t] = counts[i]
	}
	byStatus, err := s.Count(ctx)
	if err != nil {
		return st, err
	}
	for k, n := range byStatus {
		st.Subscribers[string(k)] = n
	}
	open, ok, err := s.OpenIssue(ctx)
	if err != nil {
		return st, err
	}
	if ok {
		st.Open = &open
		if err := eachRow(ctx, s.q.deliveriesByState, []any{open.ID}, func(r *sql.Rows) error {
			var state string
			var n int
			if err := r.Scan(&state, &n); err != nil {
				return err
			}
			st.Deliveries[store.DeliveryState(state)] = n
			return nil
		}); err != nil {
			return st, err
		}
	}
	if err := eachRow(ctx, s.q.listSenders, []any{open.ID}, func(r *sql.Rows) error {
		var w store.SenderInfo
		if err := r.Scan(&w.ID, &w.Host, &w.PID, &w.Started, &w.Heartbeat, &w.Holding); err != nil {
			return err
		}
		st.Senders = append(st.Senders, w)
		return nil
	}); err != nil {
		return st, err
	}
	if err := eachRow(ctx, s.q.welcomeByState, nil, func(r *sql.Rows) error {
		var state string
		var n int
		if err := r.Scan(&state, &n); err != nil {
			return err
		}
		st.Welcome[store.DeliveryState(state)] = n
		return nil
	}); err != nil {
		return st, err
	}
	err = s.q.queuedConfirmations.QueryRowContext(ctx).Scan(&st.Confirmations)
	return st, err
}

// SubscriberIDs implements store.Admin.
func (s *Store) SubscriberIDs(ctx context.Context) (int64, error) {
	var n int64
	err := s.q.subscriberIDs.QueryRowContext(ctx).Scan(&n)
	return n, err
}

func eachRow(ctx context.Context, stmt *sql.Stmt, args []any, fn func(*sql.Rows) error) error {
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ReadTable implements store.Admin. The rows are read when iterated, so
// that asking for the columns holds no connection.
func (s *Store) ReadTable(ctx context.Context, table string) ([]string, iter.Seq2[[]any, error]) {
	stmt, ok := s.q.read[table]
	fail := func(err error) iter.Seq2[[]any, error] {
		return func(yield func([]any, error) bool) { yield(nil, err) }
	}
	if !ok {
		return nil, fail(fmt.Errorf("no table %q to copy", table))
	}
	cols, err := columns(ctx, *stmt)
	if err != nil {
		return nil, fail(err)
	}
	return cols, func(yield func([]any, error) bool) {
		rows, err := (*stmt).QueryContext(ctx)
		if err != nil {
			yield(nil, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				yield(nil, err)
				return
			}
			if !yield(vals, nil) {
				return
			}
		}
		if err := rows.Err(); err != nil {
			yield(nil, err)
		}
	}
}

// columns are the names of stmt's result columns: SQLite has them as
// soon as the statement starts, before it reads a row.
func columns(ctx context.Context, stmt *sql.Stmt) ([]string, error) {
	rows, err := stmt.QueryContext(ctx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rows.Columns()
}

// Load implements store.Admin. The columns come in the order of the
// read-T queries, which is the order copy-T inserts them in on both
// engines; the names are checked so that a mismatch fails loudly.
func (s *Store) Load(ctx context.Context, opt store.LoadOptions, fn func(store.LoadFunc) error) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		if opt.Replace {
			for i := len(store.CopyOrder) - 1; i >= 0; i-- {
				if _, err := tx.StmtContext(ctx, *s.q.clear[store.CopyOrder[i]]).ExecContext(ctx); err != nil {
					return err
				}
			}
		} else if err := s.checkEmpty(ctx, tx); err != nil {
			return err
		}
		want := 0
		err := fn(func(table string, cols []string, rows iter.Seq2[[]any, error]) (int, error) {
			if want >= len(store.CopyOrder) || store.CopyOrder[want] != table {
				return 0, fmt.Errorf("loading %s out of order", table)
			}
			want++
			own, err := columns(ctx, tx.StmtContext(ctx, *s.q.read[table]))
			if err != nil {
				return 0, err
			}
			if fmt.Sprint(own) != fmt.Sprint(cols) {
				return 0, fmt.Errorf("table %s: columns %v, this database has %v", table, cols, own)
			}
			ins := tx.StmtContext(ctx, *s.q.copy[table])
			n := 0
			for row, err := range rows {
				if err != nil {
					return n, err
				}
				if _, err := ins.ExecContext(ctx, row...); err != nil {
					return n, fmt.Errorf("table %s, row %d: %w", table, n+1, err)
				}
				n++
			}
			return n, nil
		})
		if err != nil {
			return err
		}
		// AUTOINCREMENT followed the IDs inserted; the source may have
		// issued higher ones to people since erased.
		if _, err := tx.StmtContext(ctx, s.q.seedSubscriberIDs).ExecContext(ctx); err != nil {
			return err
		}
		_, err = tx.StmtContext(ctx, s.q.raiseSubscriberIDs).ExecContext(ctx, opt.SubscriberIDs)
		return err
	})
}

func (s *Store) checkEmpty(ctx context.Context, tx *sql.Tx) error {
	counts := make([]int, len(store.CopyOrder))
	dest := make([]any, len(counts))
	for i := range counts {
		dest[i] = &counts[i]
	}
	if err := tx.StmtContext(ctx, s.q.tableCounts).QueryRowContext(ctx).Scan(dest...); err != nil {
		return err
	}
	for i, n := range counts {
		if n > 0 {
			return fmt.Errorf("%s holds %d rows in %s: %w", s.path, n, store.CopyOrder[i], store.ErrNotEmpty)
		}
	}
	return nil
}
