package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/agora-hub/agora/newsletter/store"
)

var _ store.Welcome = (*Store)(nil)

// welcomeQueries are the welcome journal's statements (queries/welcome.sql).
type welcomeQueries struct {
	welcomeDue, claimWelcome, recordWelcome, welcomeRows, scrubWelcome *sql.Stmt
}

func (q *welcomeQueries) statements() map[string]**sql.Stmt {
	return map[string]**sql.Stmt{
		"welcome-due":    &q.welcomeDue,
		"claim-welcome":  &q.claimWelcome,
		"record-welcome": &q.recordWelcome,
		"welcome-rows":   &q.welcomeRows,
		"scrub-welcome":  &q.scrubWelcome,
	}
}

// WelcomeDue implements store.Welcome.
func (s *Store) WelcomeDue(ctx context.Context, step string, start, consentBy time.Time, after int64, limit int) ([]store.WelcomeDue, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("limit %d: want at least 1", limit)
	}
	rows, err := s.q.welcomeDue.QueryContext(ctx, step, formatTime(start), formatTime(consentBy), after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.WelcomeDue
	for rows.Next() {
		var d store.WelcomeDue
		var state string
		sub, err := scanSubscriber(scanFunc(func(dest ...any) error {
			return rows.Scan(append(dest, &state, &d.Attempts)...)
		}))
		if err != nil {
			return nil, err
		}
		d.Subscriber, d.State = sub, store.DeliveryState(state)
		out = append(out, d)
	}
	return out, rows.Err()
}

// scanFunc adapts a function to scanner, for rows with columns after a
// subscriber's.
type scanFunc func(...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// ClaimWelcome implements store.Welcome.
func (s *Store) ClaimWelcome(ctx context.Context, c store.WelcomeClaimRequest) (store.WelcomeClaimed, error) {
	out := store.WelcomeClaimed{Claimed: make([]bool, len(c.Claims))}
	if len(c.Claims) == 0 {
		return out, nil
	}
	// Committed even while the run is being stopped: the caller sends
	// what it claimed.
	ctx = context.WithoutCancel(ctx)
	err := s.write(ctx, func(tx *sql.Tx) error {
		stmt := tx.StmtContext(ctx, s.q.claimWelcome)
		now := s.now()
		n := 0
		for i, cl := range c.Claims {
			res, err := stmt.ExecContext(ctx, cl.Step, cl.SubscriberID, cl.MessageID, formatTime(now),
				nullID(c.Sender), c.Exclusive, formatTime(now.Add(-c.Lease)))
			if err != nil {
				return fmt.Errorf("claiming step %s for subscriber %d: %w", cl.Step, cl.SubscriberID, err)
			}
			k, err := res.RowsAffected()
			if err != nil {
				return err
			}
			out.Claimed[i] = k == 1
			n += int(k)
		}
		if c.Interval > 0 && n > 0 {
			span := int64(n) * c.Interval.Microseconds()
			var end int64
			if err := tx.StmtContext(ctx, s.q.reserveSlots).QueryRowContext(ctx, now.UnixMicro(), span).Scan(&end); err != nil {
				return fmt.Errorf("reserving rate slots: %w", err)
			}
			out.SlotStart = time.UnixMicro(end - span)
		}
		return nil
	})
	if err != nil {
		return store.WelcomeClaimed{}, err
	}
	return out, nil
}

// nullID is a sender's ID for the database: NULL for none.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// RecordWelcome implements store.Welcome.
func (s *Store) RecordWelcome(ctx context.Context, updates []store.WelcomeUpdate) error {
	if len(updates) == 0 {
		return nil
	}
	// As Record: an outcome not written is a message that may go twice.
	ctx = context.WithoutCancel(ctx)
	return s.write(ctx, func(tx *sql.Tx) error {
		stmt := tx.StmtContext(ctx, s.q.recordWelcome)
		now := s.stamp()
		for _, u := range updates {
			if _, err := stmt.ExecContext(ctx, string(u.State), u.Attempts, string(u.Failure), u.Error, now, u.Step, u.SubscriberID, u.Sender); err != nil {
				return fmt.Errorf("welcome row (step %s, subscriber %d): %w", u.Step, u.SubscriberID, err)
			}
		}
		return nil
	})
}

// WelcomeStats implements store.Welcome.
func (s *Store) WelcomeStats(ctx context.Context, window time.Duration) ([]store.WelcomeStats, error) {
	rows, err := s.q.welcomeRows.QueryContext(ctx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return store.CountWelcome(rows, window, parseTime)
}
