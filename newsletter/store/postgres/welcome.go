package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/agora-hub/agora/newsletter/store"
)

// welcomeQueries are the welcome journal's statements (queries/welcome.sql).
type welcomeQueries struct {
	welcomeDue, claimWelcome, recordWelcome, welcomeRows string
}

func (q *welcomeQueries) statements() map[string]*string {
	return map[string]*string{
		"welcome-due":    &q.welcomeDue,
		"claim-welcome":  &q.claimWelcome,
		"record-welcome": &q.recordWelcome,
		"welcome-rows":   &q.welcomeRows,
	}
}

// WelcomeDue implements store.Welcome.
func (s *Store) WelcomeDue(ctx context.Context, step string, start, consentBy time.Time, after int64, limit int) ([]store.WelcomeDue, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("limit %d: want at least 1", limit)
	}
	rows, err := s.pool.Query(ctx, s.q.welcomeDue, step, formatTime(start), formatTime(consentBy), after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.WelcomeDue
	for rows.Next() {
		var d store.WelcomeDue
		var state string
		var topics, status, consentAt, created, updated string
		sub := &d.Subscriber
		if err := rows.Scan(&sub.ID, &sub.Email, &sub.Name, &topics, &status, &consentAt, &sub.Consent.How, &created, &updated,
			&sub.Link.Handle, &sub.Link.Secret, &state, &d.Attempts); err != nil {
			return nil, err
		}
		if *sub, err = finishSubscriber(*sub, topics, status, consentAt, created, updated); err != nil {
			return nil, err
		}
		d.State = store.DeliveryState(state)
		out = append(out, d)
	}
	return out, rows.Err()
}

// ClaimWelcome implements store.Welcome: one statement for the whole
// claim, and the rate's slots in the same transaction.
func (s *Store) ClaimWelcome(ctx context.Context, c store.WelcomeClaimRequest) (store.WelcomeClaimed, error) {
	out := store.WelcomeClaimed{Claimed: make([]bool, len(c.Claims))}
	if len(c.Claims) == 0 {
		return out, nil
	}
	// Committed even while the run is being stopped: the caller sends
	// what it claimed.
	ctx = context.WithoutCancel(ctx)
	steps := make([]string, len(c.Claims))
	ids := make([]int64, len(c.Claims))
	msgIDs := make([]string, len(c.Claims))
	type key struct {
		step string
		id   int64
	}
	index := map[key]int{}
	for i, cl := range c.Claims {
		steps[i], ids[i], msgIDs[i] = cl.Step, cl.SubscriberID, cl.MessageID
		index[key{cl.Step, cl.SubscriberID}] = i
	}
	var sender any
	if c.Sender != 0 {
		sender = c.Sender
	}
	err := s.write(ctx, func(tx pgx.Tx) error {
		clear(out.Claimed)
		now := s.now()
		rows, err := tx.Query(ctx, s.q.claimWelcome, steps, ids, msgIDs, formatTime(now), sender, c.Exclusive, formatTime(now.Add(-c.Lease)))
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			var k key
			if err := rows.Scan(&k.step, &k.id); err != nil {
				rows.Close()
				return err
			}
			if i, ok := index[k]; ok {
				out.Claimed[i] = true
				n++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("claiming welcome rows: %w", err)
		}
		if c.Interval > 0 && n > 0 {
			span := int64(n) * c.Interval.Microseconds()
			var end int64
			if err := tx.QueryRow(ctx, s.q.reserveSlots, now.UnixMicro(), span).Scan(&end); err != nil {
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

// RecordWelcome implements store.Welcome.
func (s *Store) RecordWelcome(ctx context.Context, updates []store.WelcomeUpdate) error {
	if len(updates) == 0 {
		return nil
	}
	// As Record: an outcome not written is a message that may go twice.
	ctx = context.WithoutCancel(ctx)
	return s.write(ctx, func(tx pgx.Tx) error {
		now := s.stamp()
		b := &pgx.Batch{}
		for _, u := range updates {
			b.Queue(s.q.recordWelcome, string(u.State), u.Attempts, string(u.Failure), u.Error, now, u.Step, u.SubscriberID, u.Sender)
		}
		return tx.SendBatch(ctx, b).Close()
	})
}

// WelcomeStats implements store.Welcome.
func (s *Store) WelcomeStats(ctx context.Context, window time.Duration) ([]store.WelcomeStats, error) {
	rows, err := s.pool.Query(ctx, s.q.welcomeRows)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return store.CountWelcome(rows, window, parseTime)
}
