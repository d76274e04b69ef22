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
	"github.com/agora-hub/agora/newsletter/token"
)

var _ store.SignupTx = (*signupTx)(nil)

// signupQueries are the sign-up service's statements (queries/signup.sql).
type signupQueries struct {
	getSubscriberByID, signupByHandle, signupByLegacyID, signupByID, signupByEmail string
	spendFormToken, insertInbox, lockInbox, readInbox, deleteInbox                 string
	mailboxMails, logMailboxMail, openRequest, confirmRequest, closeSignup         string
	lockConfirmations, claimedConfirmations, dueConfirmations, nextConfirmationDue string
	confirmationsSent, logSend                                                     string
	confirmationSent, confirmationRetry, confirmationFailed, confirmationUntried   string
	logUnconfirmed, deleteUnconfirmed, closeUnconfirmed                            string
	pruneMailboxes, pruneSends, pruneFormTokens                                    string
	takeToken, tokenTAT, forgetFullBuckets                                         string
	savepoint, rollbackTo, release                                                 string
}

func (q *signupQueries) statements() map[string]*string {
	return map[string]*string{
		"get-subscriber-by-id":  &q.getSubscriberByID,
		"signup-by-handle":      &q.signupByHandle,
		"signup-by-legacy-id":   &q.signupByLegacyID,
		"signup-by-id":          &q.signupByID,
		"signup-by-email":       &q.signupByEmail,
		"spend-form-token":      &q.spendFormToken,
		"insert-inbox":          &q.insertInbox,
		"lock-inbox":            &q.lockInbox,
		"read-inbox":            &q.readInbox,
		"delete-inbox":          &q.deleteInbox,
		"mailbox-mails":         &q.mailboxMails,
		"log-mailbox-mail":      &q.logMailboxMail,
		"open-request":          &q.openRequest,
		"confirm-request":       &q.confirmRequest,
		"close-signup":          &q.closeSignup,
		"lock-confirmations":    &q.lockConfirmations,
		"claimed-confirmations": &q.claimedConfirmations,
		"due-confirmations":     &q.dueConfirmations,
		"next-confirmation-due": &q.nextConfirmationDue,
		"confirmations-sent":    &q.confirmationsSent,
		"log-confirmation-send": &q.logSend,
		"confirmation-sent":     &q.confirmationSent,
		"confirmation-retry":    &q.confirmationRetry,
		"confirmation-failed":   &q.confirmationFailed,
		"confirmation-untried":  &q.confirmationUntried,
		"log-unconfirmed":       &q.logUnconfirmed,
		"delete-unconfirmed":    &q.deleteUnconfirmed,
		"close-unconfirmed":     &q.closeUnconfirmed,
		"prune-mailboxes":       &q.pruneMailboxes,
		"prune-sends":           &q.pruneSends,
		"prune-form-tokens":     &q.pruneFormTokens,
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

type signupTx struct {
	s   *Store
	ctx context.Context
	tx  pgx.Tx
}

func (w *signupTx) ReceiveSignup(r store.SignupRequest) error {
	s, ctx, tx := w.s, w.ctx, w.tx
	var spent string
	err := tx.QueryRow(ctx, s.q.spendFormToken, store.FormTokenKey(r.FormToken), formatTime(r.FormExpires)).Scan(&spent)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrFormTokenUsed
	}
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, s.q.insertInbox, s.stamp(), r.Email, subscriber.Key(r.Email), r.Name, strings.Join(r.Topics, ","))
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
	if _, err := tx.Exec(ctx, s.q.confirmRequest, id); err != nil {
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

// signup reads subscriber id and their sign-up row, locking the
// subscriber's row for the transaction.
func (s *Store) signup(ctx context.Context, q querier, id int64) (store.Signup, error) {
	g, _, err := scanSignup(q.QueryRow(ctx, s.q.signupByID, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return g, fmt.Errorf("subscriber %d: %w", id, store.ErrNotFound)
	}
	return g, err
}

// scanSignup reads a row of the signup-by-* queries; mailQueued is when
// the subscriber's last confirmation was queued (zero if never).
func scanSignup(r pgx.Row) (g store.Signup, mailQueued time.Time, err error) {
	var requested *string
	var topics, sent, queued string
	sub := &g.Subscriber
	var subTopics, status, consentAt, created, updated string
	if err := r.Scan(&sub.ID, &sub.Email, &sub.Name, &subTopics, &status, &consentAt, &sub.Consent.How, &created, &updated,
		&sub.Link.Handle, &sub.Link.Secret,
		&requested, &g.Name, &topics, &g.Request, &g.Confirmed, &sent, &queued); err != nil {
		return g, mailQueued, err
	}
	if *sub, err = finishSubscriber(*sub, subTopics, status, consentAt, created, updated); err != nil {
		return g, mailQueued, err
	}
	if g.MailSent, err = store.ParseOptionalTime(sent); err == nil {
		mailQueued, err = store.ParseOptionalTime(queued)
	}
	if err != nil {
		return g, mailQueued, fmt.Errorf("subscriber %d: %w", sub.ID, err)
	}
	if requested != nil && g.Request != "" {
		if g.Requested, err = parseTime(*requested); err != nil {
			return g, mailQueued, fmt.Errorf("sign-up of subscriber %d: %w", sub.ID, err)
		}
		g.Topics = store.SplitTopics(topics)
	} else {
		g.Name, g.Request = "", ""
	}
	return g, mailQueued, nil
}

// Link implements store.Signups.
func (s *Store) Link(ctx context.Context, ref store.LinkRef) (store.Signup, error) {
	var row pgx.Row
	switch {
	case ref.Handle != "":
		row = s.pool.QueryRow(ctx, s.q.signupByHandle, ref.Handle)
	case ref.LegacyID > 0:
		row = s.pool.QueryRow(ctx, s.q.signupByLegacyID, ref.LegacyID)
	default:
		return store.Signup{}, store.ErrNotFound
	}
	g, _, err := scanSignup(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Signup{}, fmt.Errorf("link: %w", store.ErrNotFound)
	}
	return g, err
}

// ProcessSignups implements store.Signups. Services sharing the database
// apply the inbox one at a time (an advisory lock): the requests go in
// order of arrival whoever reads them, and two requests for one mailbox
// are never both under its limits because each counted before the other.
func (s *Store) ProcessSignups(ctx context.Context, limit int, rules store.MailRules) (store.Processed, error) {
	var p store.Processed
	err := s.write(ctx, func(tx pgx.Tx) error {
		p = store.Processed{}
		if _, err := tx.Exec(ctx, s.q.lockInbox); err != nil {
			return err
		}
		type request struct {
			id                            int64
			received, email, name, topics string
		}
		rows, err := tx.Query(ctx, s.q.readInbox, limit)
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
			if _, err := tx.Exec(ctx, s.q.deleteInbox, r.id); err != nil {
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
func (s *Store) applyRequest(ctx context.Context, tx pgx.Tx, received time.Time, email, name string, topics []string, rules store.MailRules) (bool, error) {
	now := s.now()
	mailbox := store.MailboxKey(email)
	var n int
	var last string
	if err := tx.QueryRow(ctx, s.q.mailboxMails, mailbox, formatTime(now.Add(-rules.Window))).Scan(&n, &last); err != nil {
		return false, err
	}
	if n >= rules.PerWindow || last != "" && last > formatTime(now.Add(-rules.Every)) {
		return false, nil
	}
	g, mailQueued, err := scanSignup(tx.QueryRow(ctx, s.q.signupByEmail, subscriber.Key(email)))
	sub := g.Subscriber
	switch {
	case errors.Is(err, pgx.ErrNoRows):
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
	if _, err := tx.Exec(ctx, s.q.openRequest, sub.ID, formatTime(received), name, strings.Join(topics, ","), token.Random(16)); err != nil {
		return false, err
	}
	_, err = tx.Exec(ctx, s.q.logMailboxMail, mailbox, formatTime(now))
	return err == nil, err
}

// DueConfirmations implements store.Signups.
func (s *Store) DueConfirmations(ctx context.Context, limit, perHour int) ([]store.ConfirmationMail, error) {
	type due struct {
		m   store.ConfirmationMail
		was string
	}
	var out []due
	err := s.write(ctx, func(tx pgx.Tx) error {
		out = out[:0]
		now := s.now()
		n := limit
		if perHour > 0 {
			if _, err := tx.Exec(ctx, s.q.lockConfirmations); err != nil {
				return err
			}
			var sent, claimed int
			if err := tx.QueryRow(ctx, s.q.claimedConfirmations, formatTime(now.Add(-time.Hour)), formatTime(now)).Scan(&sent, &claimed); err != nil {
				return err
			}
			n = min(n, perHour-sent-claimed)
		}
		if n <= 0 {
			return nil
		}
		rows, err := tx.Query(ctx, s.q.dueConfirmations, formatTime(now), n, formatTime(now.Add(store.ConfirmationLease)))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d due
			if err := rows.Scan(&d.m.SubscriberID, &d.m.Email, &d.m.Link.Handle, &d.m.Link.Secret, &d.m.Request, &d.m.Attempts, &d.was); err != nil {
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

// ConfirmationsSent implements store.Signups.
func (s *Store) ConfirmationsSent(ctx context.Context, since time.Time) (int, time.Time, error) {
	var n int
	var first string
	if err := s.pool.QueryRow(ctx, s.q.confirmationsSent, formatTime(since)).Scan(&n, &first); err != nil {
		return 0, time.Time{}, err
	}
	t, err := store.ParseOptionalTime(first)
	return n, t, err
}

// RecordConfirmations implements store.Signups.
func (s *Store) RecordConfirmations(ctx context.Context, results []store.ConfirmationResult) error {
	return s.write(ctx, func(tx pgx.Tx) error {
		now := s.stamp()
		for _, r := range results {
			var err error
			switch {
			case r.Untried:
				_, err = tx.Exec(ctx, s.q.confirmationUntried, now, r.SubscriberID, r.Request)
			case r.Err == nil:
				if _, err = tx.Exec(ctx, s.q.logSend, now); err == nil {
					_, err = tx.Exec(ctx, s.q.confirmationSent, now, r.SubscriberID, r.Request)
				}
			case r.RetryAt.IsZero():
				_, err = tx.Exec(ctx, s.q.confirmationFailed, errorText(r.Err), r.SubscriberID, r.Request)
			default:
				_, err = tx.Exec(ctx, s.q.confirmationRetry, formatTime(r.RetryAt), errorText(r.Err), r.SubscriberID, r.Request)
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
		_, err = tx.Exec(ctx, s.q.closeUnconfirmed, formatTime(cutoff))
		return err
	})
	return int(n), err
}

// PruneLimits implements store.Signups.
func (s *Store) PruneLimits(ctx context.Context, mailboxes, sends, now time.Time) error {
	return s.write(ctx, func(tx pgx.Tx) error {
		for _, p := range []struct {
			sql string
			t   time.Time
		}{{s.q.pruneMailboxes, mailboxes}, {s.q.pruneSends, sends}, {s.q.pruneFormTokens, now}} {
			if _, err := tx.Exec(ctx, p.sql, formatTime(p.t)); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, s.q.forgetFullBuckets, now.UnixMicro())
		return err
	})
}
