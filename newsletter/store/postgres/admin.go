package postgres

import (
	"context"
	"fmt"
	"iter"

	"github.com/jackc/pgx/v5"

	"github.com/agora-hub/agora/newsletter/store"
)

// adminQueries are agora db's statements (queries/admin.sql).
type adminQueries struct {
	tableCounts, deliveriesByState, listSenders, queuedConfirmations, schemaVersion string
	clearTables, resetIdentities, welcomeByState, subscriberIDs                     string
	read                                                                            map[string]*string
	// readCols are the columns of each read-T query, from its preparation.
	readCols map[string][]string
}

func (q *adminQueries) statements() map[string]*string {
	m := map[string]*string{
		"table-counts":         &q.tableCounts,
		"deliveries-by-state":  &q.deliveriesByState,
		"list-senders":         &q.listSenders,
		"queued-confirmations": &q.queuedConfirmations,
		"schema-version":       &q.schemaVersion,
		"clear-tables":         &q.clearTables,
		"reset-identities":     &q.resetIdentities,
		"welcome-by-state":     &q.welcomeByState,
		"subscriber-ids":       &q.subscriberIDs,
	}
	q.read = map[string]*string{}
	for _, t := range store.CopyOrder {
		q.read[t] = new(string)
		m["read-"+t] = q.read[t]
	}
	return m
}

// Engine implements store.Admin.
func (s *Store) Engine() string { return "postgres" }

// Where implements store.Admin.
func (s *Store) Where() string { return s.where }

// SchemaVersion implements store.Admin.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.pool.QueryRow(ctx, s.q.schemaVersion).Scan(&v)
	return v, err
}

func (s *Store) tableCounts(ctx context.Context, q querier) ([]int, error) {
	counts := make([]int, len(store.CopyOrder))
	dest := make([]any, len(counts))
	for i := range counts {
		dest[i] = &counts[i]
	}
	return counts, q.QueryRow(ctx, s.q.tableCounts).Scan(dest...)
}

// Status implements store.Admin.
func (s *Store) Status(ctx context.Context) (store.Status, error) {
	st := store.Status{Engine: s.Engine(), Where: s.Where(), Rows: map[string]int{}, Subscribers: map[string]int{},
		Deliveries: map[store.DeliveryState]int{}, Welcome: map[store.DeliveryState]int{}}
	var err error
	if st.Version, err = s.SchemaVersion(ctx); err != nil {
		return st, err
	}
	counts, err := s.tableCounts(ctx, s.pool)
	if err != nil {
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
		rows, err := s.pool.Query(ctx, s.q.deliveriesByState, open.ID)
		if err != nil {
			return st, err
		}
		for rows.Next() {
			var state string
			var n int
			if err := rows.Scan(&state, &n); err != nil {
				rows.Close()
				return st, err
			}
			st.Deliveries[store.DeliveryState(state)] = n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return st, err
		}
	}
	rows, err := s.pool.Query(ctx, s.q.listSenders, open.ID)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var w store.SenderInfo
		if err := rows.Scan(&w.ID, &w.Host, &w.PID, &w.Started, &w.Heartbeat, &w.Holding); err != nil {
			rows.Close()
			return st, err
		}
		st.Senders = append(st.Senders, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	rows, err = s.pool.Query(ctx, s.q.welcomeByState)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			rows.Close()
			return st, err
		}
		st.Welcome[store.DeliveryState(state)] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	err = s.pool.QueryRow(ctx, s.q.queuedConfirmations).Scan(&st.Confirmations)
	return st, err
}

// SubscriberIDs implements store.Admin.
func (s *Store) SubscriberIDs(ctx context.Context) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, s.q.subscriberIDs).Scan(&n)
	return n, err
}

// ReadTable implements store.Admin. The query runs when the rows are
// read, so that asking for the columns holds no connection.
func (s *Store) ReadTable(ctx context.Context, table string) ([]string, iter.Seq2[[]any, error]) {
	text, ok := s.q.read[table]
	if !ok {
		return nil, func(yield func([]any, error) bool) { yield(nil, fmt.Errorf("no table %q to copy", table)) }
	}
	return s.q.readCols[table], func(yield func([]any, error) bool) {
		rows, err := s.pool.Query(ctx, *text)
		if err != nil {
			yield(nil, err)
			return
		}
		defer rows.Close()
		for rows.Next() {
			vals, err := rows.Values()
			if err != nil {
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

// Load implements store.Admin, with COPY for the rows.
func (s *Store) Load(ctx context.Context, opt store.LoadOptions, fn func(store.LoadFunc) error) error {
	return s.write(ctx, func(tx pgx.Tx) error {
		if opt.Replace {
			if _, err := tx.Exec(ctx, s.q.clearTables); err != nil {
				return err
			}
		} else {
			counts, err := s.tableCounts(ctx, tx)
			if err != nil {
				return err
			}
			for i, n := range counts {
				if n > 0 {
					return fmt.Errorf("%s holds %d rows in %s: %w", s.where, n, store.CopyOrder[i], store.ErrNotEmpty)
				}
			}
		}
		want := 0
		err := fn(func(table string, cols []string, rows iter.Seq2[[]any, error]) (int, error) {
			if want >= len(store.CopyOrder) || store.CopyOrder[want] != table {
				return 0, fmt.Errorf("loading %s out of order", table)
			}
			want++
			if names := s.q.readCols[table]; fmt.Sprint(names) != fmt.Sprint(cols) {
				return 0, fmt.Errorf("table %s: columns %v, this database has %v", table, cols, s.q.readCols[table])
			}
			next, stop := iter.Pull2(rows)
			defer stop()
			src := &copySource{next: next}
			n, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, src)
			if err != nil {
				return int(n), fmt.Errorf("table %s: %w", table, err)
			}
			return int(n), nil
		})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, s.q.resetIdentities, opt.SubscriberIDs)
		return err
	})
}

// copySource feeds CopyFrom from a pull iterator.
type copySource struct {
	next func() ([]any, error, bool)
	row  []any
	err  error
}

func (c *copySource) Next() bool {
	row, err, ok := c.next()
	if !ok {
		return false
	}
	if err != nil {
		c.err = err
		return false
	}
	c.row = row
	return true
}

func (c *copySource) Values() ([]any, error) { return c.row, nil }
func (c *copySource) Err() error             { return c.err }
