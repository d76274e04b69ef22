package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

var (
	_ store.Signups  = (*Store)(nil)
	_ store.SignupTx = (*signupTx)(nil)
)

// signupQueries are the sign-up service's statements (queries/signup.sql).
type signupQueries struct {
	getSubscriberByID, getSignup, upsertSignup, queueConfirmation, closeSignup *sql.Stmt
	dueConfirmations, nextConfirmationDue                                      *sql.Stmt
	confirmationSent, confirmationRetry, confirmationFailed                    *sql.Stmt
	logUnconfirmed, deleteUnconfirmed                                          *sql.Stmt
	savepoint, rollbackTo, release                                             *sql.Stmt
	holdConfirmations, takeToken, tokenTAT, forgetFullBuckets                  *sql.Stmt
}

func (q *signupQueries) statements() map[string]**sql.Stmt {
	return map[string]**sql.Stmt{
		"get-subscriber-by-id":  &q.getSubscriberByID,
		"get-signup":            &q.getSignup,
		"upsert-signup":         &q.upsertSignup,
		"queue-confirmation":    &q.queueConfirmation,
		"close-signup":          &q.closeSignup,
		"due-confirmations":     &q.dueConfirmations,
		"next-confirmation-due": &q.nextConfirmationDue,
		"confirmation-sent":     &q.confirmationSent,
		"confirmation-retry":    &q.confirmationRetry,
		"confirmation-failed":   &q.confirmationFailed,
		"log-unconfirmed":       &q.logUnconfirmed,
		"delete-unconfirmed":    &q.deleteUnconfirmed,
		"savepoint":             &q.savepoint,
		"rollback-to-savepoint": &q.rollbackTo,
		"release-savepoint":     &q.release,
		"hold-confirmations":    &q.holdConfirmations,
		"take-token":            &q.takeToken,
		"token-tat":             &q.tokenTAT,
		"forget-full-buckets":   &q.forgetFullBuckets,
	}
}

// ConsentForm is how a confirmation through the sign-up form is recorded.
const ConsentForm = "form"

func (s *Store) byID(ctx context.Context, tx *sql.Tx, id int64) (subscriber.Subscriber, error) {
	stmt := s.q.getSubscriberByID
	if tx != nil {
		stmt = tx.StmtContext(ctx, stmt)
	}
	sub, err := scanSubscriber(stmt.QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sub, fmt.Errorf("subscriber %d: %w", id, store.ErrNotFound)
	}
	return sub, err
}

// ApplySignups implements store.Signups.
func (s *Store) ApplySignups(ctx context.Context, ops []func(store.SignupTx) error) ([]error, error) {
	errs := make([]error, len(ops))
	err := s.write(ctx, func(tx *sql.Tx) error {
		w := &signupTx{s: s, ctx: ctx, tx: tx}
		savepoint, rollbackTo, release := tx.StmtContext(ctx, s.q.savepoint), tx.StmtContext(ctx, s.q.rollbackTo), tx.StmtContext(ctx, s.q.release)
		for i, op := range ops {
			if _, err := savepoint.ExecContext(ctx); err != nil {
				return err
			}
			if errs[i] = op(w); errs[i] != nil {
				if _, err := rollbackTo.ExecContext(ctx); err != nil {
					return err
				}
			}
			if _, err := release.ExecContext(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return errs, nil
}

// apply runs one op in a transaction of its own.
func (s *Store) apply(ctx context.Context, op func(store.SignupTx) error) error {
	errs, err := s.ApplySignups(ctx, []func(store.SignupTx) error{op})
	if err != nil {
		return err
	}
	return errs[0]
}

// RequestSignup is store.SignupTx's, in a transaction of its own.
func (s *Store) RequestSignup(ctx context.Context, sub subscriber.Subscriber, mailEvery time.Duration) (res store.SignupResult, err error) {
	err = s.apply(ctx, func(w store.SignupTx) (err error) {
		res, err = w.RequestSignup(sub, mailEvery)
		return err
	})
	return res, err
}

// ConfirmSignup is store.SignupTx's, in a transaction of its own.
func (s *Store) ConfirmSignup(ctx context.Context, id int64, maxAge time.Duration, how string) (sub subscriber.Subscriber, err error) {
	err = s.apply(ctx, func(w store.SignupTx) (err error) {
		sub, err = w.ConfirmSignup(id, maxAge, how)
		return err
	})
	return sub, err
}

// SetPreferences is store.SignupTx's, in a transaction of its own.
func (s *Store) SetPreferences(ctx context.Context, id int64, name string, topics []string) (sub subscriber.Subscriber, err error) {
	err = s.apply(ctx, func(w store.SignupTx) (err error) {
		sub, err = w.SetPreferences(id, name, topics)
		return err
	})
	return sub, err
}

// Unsubscribe is store.SignupTx's, in a transaction of its own.
func (s *Store) Unsubscribe(ctx context.Context, id int64, how string) (changed bool, err error) {
	err = s.apply(ctx, func(w store.SignupTx) (err error) {
		changed, err = w.Unsubscribe(id, how)
		return err
	})
	return changed, err
}

// signupTx is store.SignupTx inside one of ApplySignups' transactions.
type signupTx struct {
	s   *Store
	ctx context.Context
	tx  *sql.Tx
}

func (w *signupTx) exec(stmt *sql.Stmt, args ...any) (sql.Result, error) {
	return w.tx.StmtContext(w.ctx, stmt).ExecContext(w.ctx, args...)
}

func (w *signupTx) RequestSignup(sub subscriber.Subscriber, mailEvery time.Duration) (store.SignupResult, error) {
	s, ctx, tx := w.s, w.ctx, w.tx
	now := s.now()
	in := sub
	in.Status = subscriber.Pending
	in.Consent = subscriber.Consent{At: now, How: ConsentForm}
	created, err := s.insert(ctx, tx, &in, now)
	if err != nil {
		return store.SignupResult{}, err
	}
	if !created {
		if in, err = s.get(ctx, tx, sub.Email); err != nil {
			return store.SignupResult{}, err
		}
	}
	if _, err := w.exec(s.q.upsertSignup, in.ID, formatTime(now), sub.Name, strings.Join(sub.Topics, ",")); err != nil {
		return store.SignupResult{}, err
	}
	r, err := w.exec(s.q.queueConfirmation, formatTime(now), in.ID, formatTime(now.Add(-mailEvery)))
	if err != nil {
		return store.SignupResult{}, err
	}
	n, err := r.RowsAffected()
	if err != nil {
		return store.SignupResult{}, err
	}
	return store.SignupResult{Subscriber: in, Created: created, Queued: n == 1}, nil
}

func (w *signupTx) ConfirmSignup(id int64, maxAge time.Duration, how string) (subscriber.Subscriber, error) {
	s, ctx, tx := w.s, w.ctx, w.tx
	g, err := s.signup(ctx, tx, id)
	if err != nil {
		return subscriber.Subscriber{}, err
	}
	now := s.now()
	if g.Requested.IsZero() || now.Sub(g.Requested) >= maxAge {
		return subscriber.Subscriber{}, store.ErrNoRequest
	}
	sub := g.Subscriber
	from := sub.Status
	sub.Name, sub.Topics, sub.Status, sub.Updated = g.Name, g.Topics, subscriber.Active, now
	// Confirming again, as an active subscriber who asked for other
	// topics does, is a new consent too.
	sub.Consent = subscriber.Consent{At: now, How: how}
	if err := s.update(ctx, tx, sub); err != nil {
		return subscriber.Subscriber{}, err
	}
	if from != subscriber.Active {
		if err := s.event(ctx, tx, sub.ID, now, string(from), string(subscriber.Active), how); err != nil {
			return subscriber.Subscriber{}, err
		}
	}
	if _, err := w.exec(s.q.closeSignup, id); err != nil {
		return subscriber.Subscriber{}, err
	}
	return sub, nil
}

func (w *signupTx) SetPreferences(id int64, name string, topics []string) (subscriber.Subscriber, error) {
	sub, err := w.s.byID(w.ctx, w.tx, id)
	if err != nil {
		return sub, err
	}
	sub.Name, sub.Topics, sub.Updated = name, topics, w.s.now()
	return sub, w.s.update(w.ctx, w.tx, sub)
}

func (w *signupTx) Unsubscribe(id int64, how string) (bool, error) {
	s, ctx, tx := w.s, w.ctx, w.tx
	sub, err := s.byID(ctx, tx, id)
	if err != nil {
		return false, err
	}
	if _, err := w.exec(s.q.closeSignup, id); err != nil {
		return false, err
	}
	if sub.Status == subscriber.Unsubscribed {
		return false, nil
	}
	now := s.now()
	from := sub.Status
	sub.Status, sub.Updated = subscriber.Unsubscribed, now
	if err := s.update(ctx, tx, sub); err != nil {
		return false, err
	}
	return true, s.event(ctx, tx, id, now, string(from), string(subscriber.Unsubscribed), how)
}

func (w *signupTx) TakeToken(key string, every time.Duration, burst int) (bool, time.Duration, error) {
	now, step := w.s.now().UnixMicro(), every.Microseconds()
	var tat int64
	err := w.tx.StmtContext(w.ctx, w.s.q.takeToken).QueryRowContext(w.ctx, key, now, step, int64(burst)*step).Scan(&tat)
	if err == nil {
		return true, 0, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return false, 0, err
	}
	if err := w.tx.StmtContext(w.ctx, w.s.q.tokenTAT).QueryRowContext(w.ctx, key).Scan(&tat); err != nil {
		return false, 0, err
	}
	return false, retryAfter(tat, now, step, burst), nil
}

// retryAfter is how long until a GCRA bucket at tat takes a token again.
func retryAfter(tat, now, step int64, burst int) time.Duration {
	return time.Duration(tat+step-int64(burst)*step-now) * time.Microsecond
}

func (s *Store) signup(ctx context.Context, tx *sql.Tx, id int64) (store.Signup, error) {
	sub, err := s.byID(ctx, tx, id)
	if err != nil {
		return store.Signup{}, err
	}
	g := store.Signup{Subscriber: sub}
	var requested sql.NullString
	var topics string
	stmt := s.q.getSignup
	if tx != nil {
		stmt = tx.StmtContext(ctx, stmt)
	}
	err = stmt.QueryRowContext(ctx, id).Scan(&requested, &g.Name, &topics)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return g, nil
	case err != nil:
		return g, err
	case requested.Valid:
		if g.Requested, err = parseTime(requested.String); err != nil {
			return g, fmt.Errorf("sign-up of subscriber %d: %w", id, err)
		}
		g.Topics = splitTopics(topics)
	default:
		g.Name = ""
	}
	return g, nil
}

// Signup implements store.Signups. It reads outside a transaction: every
// transaction here begins IMMEDIATE, which would make a page view wait for
// the writers, and the page it serves decides nothing.
func (s *Store) Signup(ctx context.Context, id int64) (store.Signup, error) {
	return s.signup(ctx, nil, id)
}

// DueConfirmations implements store.Signups.
func (s *Store) DueConfirmations(ctx context.Context, limit int) ([]store.ConfirmationMail, error) {
	var out []store.ConfirmationMail
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		rows, err := tx.StmtContext(ctx, s.q.dueConfirmations).QueryContext(ctx, formatTime(now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var m store.ConfirmationMail
			if err := rows.Scan(&m.SubscriberID, &m.Email, &m.Attempts); err != nil {
				return err
			}
			out = append(out, m)
			ids = append(ids, m.SubscriberID)
		}
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return err
		}
		_, err = tx.StmtContext(ctx, s.q.holdConfirmations).ExecContext(ctx, formatTime(now.Add(store.ConfirmationLease)), idList(ids))
		return err
	})
	return out, err
}

// NextConfirmationDue implements store.Signups.
func (s *Store) NextConfirmationDue(ctx context.Context) (time.Time, bool, error) {
	var due sql.NullString
	if err := s.q.nextConfirmationDue.QueryRowContext(ctx).Scan(&due); err != nil || !due.Valid {
		return time.Time{}, false, err
	}
	t, err := parseTime(due.String)
	return t, err == nil, err
}

// maxMailError bounds the server's text kept with a failed confirmation.
const maxMailError = 500

// RecordConfirmations implements store.Signups.
func (s *Store) RecordConfirmations(ctx context.Context, results []store.ConfirmationResult) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, r := range results {
			var err error
			switch {
			case r.Err == nil:
				_, err = tx.StmtContext(ctx, s.q.confirmationSent).ExecContext(ctx, r.SubscriberID)
			case r.RetryAt.IsZero():
				_, err = tx.StmtContext(ctx, s.q.confirmationFailed).ExecContext(ctx, errorText(r.Err), r.SubscriberID)
			default:
				_, err = tx.StmtContext(ctx, s.q.confirmationRetry).ExecContext(ctx, formatTime(r.RetryAt), errorText(r.Err), r.SubscriberID)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func errorText(err error) string {
	msg := err.Error()
	if len(msg) > maxMailError {
		msg = strings.ToValidUTF8(msg[:maxMailError], "")
	}
	return msg
}

// PurgeUnconfirmed implements store.Signups.
func (s *Store) PurgeUnconfirmed(ctx context.Context, cutoff time.Time) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.StmtContext(ctx, s.q.logUnconfirmed).ExecContext(ctx, s.stamp(), formatTime(cutoff)); err != nil {
			return err
		}
		r, err := tx.StmtContext(ctx, s.q.deleteUnconfirmed).ExecContext(ctx, formatTime(cutoff))
		if err != nil {
			return err
		}
		if n, err = r.RowsAffected(); err != nil {
			return err
		}
		_, err = tx.StmtContext(ctx, s.q.forgetFullBuckets).ExecContext(ctx, s.now().UnixMicro())
		return err
	})
	return int(n), err
}
