package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

var _ store.SignupTx = (*signupTx)(nil)

// signupQueries are the sign-up service's statements (queries/signup.sql).
type signupQueries struct {
	getSubscriberByID, getSignup, upsertSignup, queueConfirmation, closeSignup string
	dueConfirmations, nextConfirmationDue                                      string
	confirmationSent, confirmationRetry, confirmationFailed                    string
	logUnconfirmed, deleteUnconfirmed                                          string
	takeToken, tokenTAT, forgetFullBuckets                                     string
	savepoint, rollbackTo, release                                             string
}

func (q *signupQueries) statements() map[string]*string {
	return map[string]*string{
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
		"take-token":            &q.takeToken,
		"token-tat":             &q.tokenTAT,
		"forget-full-buckets":   &q.forgetFullBuckets,
		"savepoint":             &q.savepoint,
		"rollback-to-savepoint": &q.rollbackTo,
		"release-savepoint":     &q.release,
	}
}

// ConsentForm is how a confirmation through the sign-up form is recorded.
const ConsentForm = "form"

func (s *Store) byID(ctx context.Context, q querier, id int64) (subscriber.Subscriber, error) {
	sub, err := scanSubscriber(q.QueryRow(ctx, s.q.getSubscriberByID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return sub, fmt.Errorf("subscriber %d: %w", id, store.ErrNotFound)
	}
	return sub, err
}

// ApplySignups implements store.Signups.
func (s *Store) ApplySignups(ctx context.Context, ops []func(store.SignupTx) error) ([]error, error) {
	errs := make([]error, len(ops))
	err := s.write(ctx, func(tx pgx.Tx) error {
		clear(errs)
		w := &signupTx{s: s, ctx: ctx, tx: tx}
		for i, op := range ops {
			if _, err := tx.Exec(ctx, s.q.savepoint); err != nil {
				return err
			}
			if errs[i] = op(w); errs[i] != nil {
				if _, err := tx.Exec(ctx, s.q.rollbackTo); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, s.q.release); err != nil {
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

type signupTx struct {
	s   *Store
	ctx context.Context
	tx  pgx.Tx
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
	if _, err := tx.Exec(ctx, s.q.upsertSignup, in.ID, formatTime(now), sub.Name, strings.Join(sub.Topics, ",")); err != nil {
		return store.SignupResult{}, err
	}
	tag, err := tx.Exec(ctx, s.q.queueConfirmation, formatTime(now), in.ID, formatTime(now.Add(-mailEvery)))
	if err != nil {
		return store.SignupResult{}, err
	}
	return store.SignupResult{Subscriber: in, Created: created, Queued: tag.RowsAffected() == 1}, nil
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
	sub.Consent = subscriber.Consent{At: now, How: how}
	if err := s.update(ctx, tx, sub); err != nil {
		return subscriber.Subscriber{}, err
	}
	if from != subscriber.Active {
		if err := s.event(ctx, tx, sub.ID, now, string(from), string(subscriber.Active), how); err != nil {
			return subscriber.Subscriber{}, err
		}
	}
	if _, err := tx.Exec(ctx, s.q.closeSignup, id); err != nil {
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
	if _, err := tx.Exec(ctx, s.q.closeSignup, id); err != nil {
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
	err := w.tx.QueryRow(w.ctx, w.s.q.takeToken, key, now, step, int64(burst)*step).Scan(&tat)
	if err == nil {
		return true, 0, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return false, 0, err
	}
	if err := w.tx.QueryRow(w.ctx, w.s.q.tokenTAT, key).Scan(&tat); err != nil {
		return false, 0, err
	}
	return false, time.Duration(tat+step-int64(burst)*step-now) * time.Microsecond, nil
}

func (s *Store) signup(ctx context.Context, q querier, id int64) (store.Signup, error) {
	sub, err := s.byID(ctx, q, id)
	if err != nil {
		return store.Signup{}, err
	}
	g := store.Signup{Subscriber: sub}
	var requested *string
	var topics string
	err = q.QueryRow(ctx, s.q.getSignup, id).Scan(&requested, &g.Name, &topics)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return g, nil
	case err != nil:
		return g, err
	case requested != nil:
		if g.Requested, err = parseTime(*requested); err != nil {
			return g, fmt.Errorf("sign-up of subscriber %d: %w", id, err)
		}
		g.Topics = splitTopics(topics)
	default:
		g.Name = ""
	}
	return g, nil
}

// Signup implements store.Signups.
func (s *Store) Signup(ctx context.Context, id int64) (store.Signup, error) {
	return s.signup(ctx, s.pool, id)
}

// DueConfirmations implements store.Signups.
func (s *Store) DueConfirmations(ctx context.Context, limit int) ([]store.ConfirmationMail, error) {
	type due struct {
		m   store.ConfirmationMail
		was string
	}
	var out []due
	err := s.write(ctx, func(tx pgx.Tx) error {
		out = out[:0]
		now := s.now()
		rows, err := tx.Query(ctx, s.q.dueConfirmations, formatTime(now), limit, formatTime(now.Add(store.ConfirmationLease)))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.m.SubscriberID, &d.m.Email, &d.m.Attempts, &d.was); err != nil {
				return err
			}
			out = append(out, d)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b due) int {
		return cmp.Or(strings.Compare(a.was, b.was), cmp.Compare(a.m.SubscriberID, b.m.SubscriberID))
	})
	mails := make([]store.ConfirmationMail, len(out))
	for i, d := range out {
		mails[i] = d.m
	}
	return mails, nil
}

// NextConfirmationDue implements store.Signups.
func (s *Store) NextConfirmationDue(ctx context.Context) (time.Time, bool, error) {
	var due *string
	if err := s.pool.QueryRow(ctx, s.q.nextConfirmationDue).Scan(&due); err != nil || due == nil {
		return time.Time{}, false, err
	}
	t, err := parseTime(*due)
	return t, err == nil, err
}

// maxMailError bounds the server's text kept with a failed confirmation.
const maxMailError = 500

// RecordConfirmations implements store.Signups.
func (s *Store) RecordConfirmations(ctx context.Context, results []store.ConfirmationResult) error {
	return s.write(ctx, func(tx pgx.Tx) error {
		for _, r := range results {
			var err error
			switch {
			case r.Err == nil:
				_, err = tx.Exec(ctx, s.q.confirmationSent, r.SubscriberID)
			case r.RetryAt.IsZero():
				_, err = tx.Exec(ctx, s.q.confirmationFailed, errorText(r.Err), r.SubscriberID)
			default:
				_, err = tx.Exec(ctx, s.q.confirmationRetry, formatTime(r.RetryAt), errorText(r.Err), r.SubscriberID)
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
		msg = msg[:maxMailError]
	}
	return strings.ToValidUTF8(msg, "")
}

// PurgeUnconfirmed implements store.Signups.
func (s *Store) PurgeUnconfirmed(ctx context.Context, cutoff time.Time) (int, error) {
	var n int64
	err := s.write(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, s.q.logUnconfirmed, s.stamp(), formatTime(cutoff)); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, s.q.deleteUnconfirmed, formatTime(cutoff))
		if err != nil {
			return err
		}
		n = tag.RowsAffected()
		_, err = tx.Exec(ctx, s.q.forgetFullBuckets, s.now().UnixMicro())
		return err
	})
	return int(n), err
}
