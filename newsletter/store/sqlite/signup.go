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
	"github.com/agora-hub/agora/newsletter/token"
)

var (
	_ store.Signups  = (*Store)(nil)
	_ store.SignupTx = (*signupTx)(nil)
)

// signupQueries are the sign-up service's statements (queries/signup.sql).
type signupQueries struct {
	getSubscriberByID, signupByHandle, signupByLegacyID, signupByID, signupByEmail *sql.Stmt
	spendFormToken, insertInbox, readInbox, deleteInbox                            *sql.Stmt
	mailboxMails, logMailboxMail, openRequest, confirmRequest, closeSignup         *sql.Stmt
	dueConfirmations, nextConfirmationDue, confirmationsSent, logSend              *sql.Stmt
	confirmationSent, confirmationRetry, confirmationFailed                        *sql.Stmt
	logUnconfirmed, deleteUnconfirmed, closeUnconfirmed                            *sql.Stmt
	pruneMailboxes, pruneSends, pruneFormTokens                                    *sql.Stmt
	savepoint, rollbackTo, release                                                 *sql.Stmt
	holdConfirmations, claimedConfirmations, confirmationUntried                   *sql.Stmt
	takeToken, tokenTAT, forgetFullBuckets                                         *sql.Stmt
}

func (q *signupQueries) statements() map[string]**sql.Stmt {
	return map[string]**sql.Stmt{
		"get-subscriber-by-id":  &q.getSubscriberByID,
		"signup-by-handle":      &q.signupByHandle,
		"signup-by-legacy-id":   &q.signupByLegacyID,
		"signup-by-id":          &q.signupByID,
		"signup-by-email":       &q.signupByEmail,
		"spend-form-token":      &q.spendFormToken,
		"insert-inbox":          &q.insertInbox,
		"read-inbox":            &q.readInbox,
		"delete-inbox":          &q.deleteInbox,
		"mailbox-mails":         &q.mailboxMails,
		"log-mailbox-mail":      &q.logMailboxMail,
		"open-request":          &q.openRequest,
		"confirm-request":       &q.confirmRequest,
		"close-signup":          &q.closeSignup,
		"due-confirmations":     &q.dueConfirmations,
		"next-confirmation-due": &q.nextConfirmationDue,
		"confirmations-sent":    &q.confirmationsSent,
		"log-confirmation-send": &q.logSend,
		"confirmation-sent":     &q.confirmationSent,
		"confirmation-retry":    &q.confirmationRetry,
		"confirmation-failed":   &q.confirmationFailed,
		"log-unconfirmed":       &q.logUnconfirmed,
		"delete-unconfirmed":    &q.deleteUnconfirmed,
		"close-unconfirmed":     &q.closeUnconfirmed,
		"prune-mailboxes":       &q.pruneMailboxes,
		"prune-sends":           &q.pruneSends,
		"prune-form-tokens":     &q.pruneFormTokens,
		"savepoint":             &q.savepoint,
		"rollback-to-savepoint": &q.rollbackTo,
		"release-savepoint":     &q.release,
		"hold-confirmations":    &q.holdConfirmations,
		"claimed-confirmations": &q.claimedConfirmations,
		"confirmation-untried":  &q.confirmationUntried,
		"take-token":            &q.takeToken,
		"token-tat":             &q.tokenTAT,
		"forget-full-buckets":   &q.forgetFullBuckets,
	}
}

// ConsentForm is how a confirmation through the sign-up form is recorded.
const ConsentForm = "form"

// stmt is q inside tx, or q alone for a read outside any transaction.
func stmt(ctx context.Context, tx *sql.Tx, q *sql.Stmt) *sql.Stmt {
	if tx != nil {
		return tx.StmtContext(ctx, q)
	}
	return q
}

func (s *Store) byID(ctx context.Context, tx *sql.Tx, id int64) (subscriber.Subscriber, error) {
	sub, err := scanSubscriber(stmt(ctx, tx, s.q.getSubscriberByID).QueryRowContext(ctx, id))
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

// signupTx is store.SignupTx inside one of ApplySignups' transactions.
type signupTx struct {
	s   *Store
	ctx context.Context
	tx  *sql.Tx
}

func (w *signupTx) exec(q *sql.Stmt, args ...any) (sql.Result, error) {
	return w.tx.StmtContext(w.ctx, q).ExecContext(w.ctx, args...)
}

func (w *signupTx) ReceiveSignup(r store.SignupRequest) error {
	var spent string
	err := w.tx.StmtContext(w.ctx, w.s.q.spendFormToken).QueryRowContext(w.ctx, store.FormTokenKey(r.FormToken), formatTime(r.FormExpires)).Scan(&spent)
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrFormTokenUsed
	}
	if err != nil {
		return err
	}
	_, err = w.exec(w.s.q.insertInbox, w.s.stamp(), r.Email, subscriber.Key(r.Email), r.Name, strings.Join(r.Topics, ","))
	return err
}

func (w *signupTx) ConfirmSignup(id int64, request, how string) (subscriber.Subscriber, error) {
	s, ctx, tx := w.s, w.ctx, w.tx
	g, err := s.signup(ctx, tx, id)
	if err != nil {
		return subscriber.Subscriber{}, err
	}
	if g.Request == "" || g.Request != request {
		return subscriber.Subscriber{}, store.ErrNoRequest
	}
	now := s.now()
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
	if _, err := w.exec(s.q.confirmRequest, id); err != nil {
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

// TakeToken implements store.SignupTx.
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

// signup reads subscriber id and their sign-up row.
func (s *Store) signup(ctx context.Context, tx *sql.Tx, id int64) (store.Signup, error) {
	g, _, err := scanSignup(stmt(ctx, tx, s.q.signupByID).QueryRowContext(ctx, id))
	if errors.Is(err, sql.ErrNoRows) {
		return g, fmt.Errorf("subscriber %d: %w", id, store.ErrNotFound)
	}
	return g, err
}

// scanSignup reads a row of the signup-by-* queries; mailQueued is when
// the subscriber's last confirmation was queued (zero if never).
func scanSignup(r scanner) (g store.Signup, mailQueued time.Time, err error) {
	var requested sql.NullString
	var topics, sent, queued string
	sub := &g.Subscriber
	var subTopics, status, consentAt, created, updated string
	if err := r.Scan(&sub.ID, &sub.Email, &sub.Name, &subTopics, &status, &consentAt, &sub.Consent.How, &created, &updated,
		&sub.Link.Handle, &sub.Link.Secret,
		&requested, &g.Name, &topics, &g.Request, &g.Confirmed, &sent, &queued); err != nil {
		return g, mailQueued, err
	}
	sub.Status, sub.Topics = subscriber.Status(status), store.SplitTopics(subTopics)
	for _, f := range []struct {
		dst *time.Time
		v   string
	}{{&sub.Consent.At, consentAt}, {&sub.Created, created}, {&sub.Updated, updated}, {&g.MailSent, sent}, {&mailQueued, queued}} {
		if *f.dst, err = store.ParseOptionalTime(f.v); err != nil {
			return g, mailQueued, fmt.Errorf("subscriber %d: %w", sub.ID, err)
		}
	}
	if requested.Valid && g.Request != "" {
		if g.Requested, err = parseTime(requested.String); err != nil {
			return g, mailQueued, fmt.Errorf("sign-up of subscriber %d: %w", sub.ID, err)
		}
		g.Topics = store.SplitTopics(topics)
	} else {
		g.Name, g.Request = "", ""
	}
	return g, mailQueued, nil
}

// Link implements store.Signups. It reads outside a transaction: every
// transaction here begins IMMEDIATE, which would make a page view wait for
// the writers, and the page it serves decides nothing.
func (s *Store) Link(ctx context.Context, ref store.LinkRef) (store.Signup, error) {
	var row *sql.Row
	switch {
	case ref.Handle != "":
		row = s.q.signupByHandle.QueryRowContext(ctx, ref.Handle)
	case ref.LegacyID > 0:
		row = s.q.signupByLegacyID.QueryRowContext(ctx, ref.LegacyID)
	default:
		return store.Signup{}, store.ErrNotFound
	}
	g, _, err := scanSignup(row)
	if errors.Is(err, sql.ErrNoRows) {
		return store.Signup{}, fmt.Errorf("link: %w", store.ErrNotFound)
	}
	return g, err
}

// ProcessSignups implements store.Signups.
func (s *Store) ProcessSignups(ctx context.Context, limit int, rules store.MailRules) (store.Processed, error) {
	var p store.Processed
	err := s.write(ctx, func(tx *sql.Tx) error {
		p = store.Processed{}
		type request struct {
			id                            int64
			received, email, name, topics string
		}
		rows, err := tx.StmtContext(ctx, s.q.readInbox).QueryContext(ctx, limit)
		if err != nil {
			return err
		}
		var reqs []request
		for rows.Next() {
			var r request
			if err := rows.Scan(&r.id, &r.received, &r.email, &r.name, &r.topics); err != nil {
				rows.Close()
				return err
			}
			reqs = append(reqs, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range reqs {
			received, err := parseTime(r.received)
			if err != nil {
				return fmt.Errorf("sign-up request %d: %w", r.id, err)
			}
			queued, err := s.applyRequest(ctx, tx, received, r.email, r.name, store.SplitTopics(r.topics), rules)
			if err != nil {
				return fmt.Errorf("sign-up request %d: %w", r.id, err)
			}
			if _, err := tx.StmtContext(ctx, s.q.deleteInbox).ExecContext(ctx, r.id); err != nil {
				return err
			}
			p.Taken++
			if queued {
				p.Queued++
			} else {
				p.Dropped++
			}
		}
		return nil
	})
	return p, err
}

// applyRequest applies one request made at received, if a confirmation
// may go to its mailbox now, and reports whether it did.
func (s *Store) applyRequest(ctx context.Context, tx *sql.Tx, received time.Time, email, name string, topics []string, rules store.MailRules) (bool, error) {
	now := s.now()
	mailbox := store.MailboxKey(email)
	var n int
	var last string
	if err := tx.StmtContext(ctx, s.q.mailboxMails).QueryRowContext(ctx, mailbox, formatTime(now.Add(-rules.Window))).Scan(&n, &last); err != nil {
		return false, err
	}
	if n >= rules.PerWindow || last != "" && last > formatTime(now.Add(-rules.Every)) {
		return false, nil
	}
	g, mailQueued, err := scanSignup(tx.StmtContext(ctx, s.q.signupByEmail).QueryRowContext(ctx, subscriber.Key(email)))
	sub := g.Subscriber
	switch {
	case errors.Is(err, sql.ErrNoRows):
		sub = subscriber.Subscriber{Email: email, Status: subscriber.Pending, Consent: subscriber.Consent{At: received, How: ConsentForm}}
		if _, err := s.insert(ctx, tx, &sub, now); err != nil {
			return false, err
		}
	case err != nil:
		return false, err
	case !mailQueued.IsZero() && now.Sub(mailQueued) < rules.Every:
		// A database from before 0004 counted per address, in the row.
		return false, nil
	}
	if _, err := tx.StmtContext(ctx, s.q.openRequest).ExecContext(ctx,
		sub.ID, formatTime(received), name, strings.Join(topics, ","), token.Random(16)); err != nil {
		return false, err
	}
	_, err = tx.StmtContext(ctx, s.q.logMailboxMail).ExecContext(ctx, mailbox, formatTime(now))
	return err == nil, err
}

// DueConfirmations implements store.Signups. The claim is a write, so
// that two services on one database never take the same mail; the write
// lock also makes the hourly cap's count and the claim one step.
func (s *Store) DueConfirmations(ctx context.Context, limit, perHour int) ([]store.ConfirmationMail, error) {
	var out []store.ConfirmationMail
	err := s.write(ctx, func(tx *sql.Tx) error {
		out = nil
		now := s.now()
		if perHour > 0 {
			var sent, claimed int
			if err := tx.StmtContext(ctx, s.q.claimedConfirmations).QueryRowContext(ctx, formatTime(now.Add(-time.Hour)), formatTime(now)).Scan(&sent, &claimed); err != nil {
				return err
			}
			limit = min(limit, perHour-sent-claimed)
		}
		if limit <= 0 {
			return nil
		}
		rows, err := tx.StmtContext(ctx, s.q.dueConfirmations).QueryContext(ctx, formatTime(now), limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var m store.ConfirmationMail
			if err := rows.Scan(&m.SubscriberID, &m.Email, &m.Link.Handle, &m.Link.Secret, &m.Request, &m.Attempts); err != nil {
				return err
			}
			out = append(out, m)
			ids = append(ids, m.SubscriberID)
		}
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return err
		}
		_, err = tx.StmtContext(ctx, s.q.holdConfirmations).ExecContext(ctx, formatTime(now.Add(store.ConfirmationLease)), formatTime(now), idList(ids))
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

// ConfirmationsSent implements store.Signups.
func (s *Store) ConfirmationsSent(ctx context.Context, since time.Time) (int, time.Time, error) {
	var n int
	var first string
	if err := s.q.confirmationsSent.QueryRowContext(ctx, formatTime(since)).Scan(&n, &first); err != nil {
		return 0, time.Time{}, err
	}
	t, err := store.ParseOptionalTime(first)
	return n, t, err
}

// maxMailError bounds the server's text kept with a failed confirmation.
const maxMailError = 500

// RecordConfirmations implements store.Signups.
func (s *Store) RecordConfirmations(ctx context.Context, results []store.ConfirmationResult) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		now := s.stamp()
		for _, r := range results {
			var err error
			switch {
			case r.Untried:
				_, err = tx.StmtContext(ctx, s.q.confirmationUntried).ExecContext(ctx, now, r.SubscriberID, r.Request)
			case r.Err == nil:
				if _, err = tx.StmtContext(ctx, s.q.logSend).ExecContext(ctx, now); err == nil {
					_, err = tx.StmtContext(ctx, s.q.confirmationSent).ExecContext(ctx, now, r.SubscriberID, r.Request)
				}
			case r.RetryAt.IsZero():
				_, err = tx.StmtContext(ctx, s.q.confirmationFailed).ExecContext(ctx, errorText(r.Err), r.SubscriberID, r.Request)
			default:
				_, err = tx.StmtContext(ctx, s.q.confirmationRetry).ExecContext(ctx, formatTime(r.RetryAt), errorText(r.Err), r.SubscriberID, r.Request)
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
		_, err = tx.StmtContext(ctx, s.q.closeUnconfirmed).ExecContext(ctx, formatTime(cutoff))
		return err
	})
	return int(n), err
}

// PruneLimits implements store.Signups.
func (s *Store) PruneLimits(ctx context.Context, mailboxes, sends, now time.Time) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for q, t := range map[*sql.Stmt]time.Time{s.q.pruneMailboxes: mailboxes, s.q.pruneSends: sends, s.q.pruneFormTokens: now} {
			if _, err := tx.StmtContext(ctx, q).ExecContext(ctx, formatTime(t)); err != nil {
				return err
			}
		}
		_, err := tx.StmtContext(ctx, s.q.forgetFullBuckets).ExecContext(ctx, now.UnixMicro())
		return err
	})
}
