package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
	"github.com/agora-hub/agora/newsletter/token"
)

// querier is a pool or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func scanSubscriber(r pgx.Row) (subscriber.Subscriber, error) {
	var sub subscriber.Subscriber
	var topics, status, consentAt, created, updated string
	if err := r.Scan(&sub.ID, &sub.Email, &sub.Name, &topics, &status, &consentAt, &sub.Consent.How, &created, &updated,
		&sub.Link.Handle, &sub.Link.Secret); err != nil {
		return sub, err
	}
	return finishSubscriber(sub, topics, status, consentAt, created, updated)
}

func finishSubscriber(sub subscriber.Subscriber, topics, status, consentAt, created, updated string) (subscriber.Subscriber, error) {
	sub.Status = subscriber.Status(status)
	sub.Topics = store.SplitTopics(topics)
	var err error
	if sub.Consent.At, err = parseTime(consentAt); err == nil {
		if sub.Created, err = parseTime(created); err == nil {
			sub.Updated, err = parseTime(updated)
		}
	}
	if err != nil {
		return sub, fmt.Errorf("subscriber %d: %w", sub.ID, err)
	}
	return sub, nil
}

func (s *Store) get(ctx context.Context, q querier, email string) (subscriber.Subscriber, error) {
	norm, err := subscriber.NormalizeEmail(email)
	if err != nil {
		return subscriber.Subscriber{}, err
	}
	sub, err := scanSubscriber(q.QueryRow(ctx, s.q.getSubscriber, subscriber.Key(norm)))
	if errors.Is(err, pgx.ErrNoRows) {
		return sub, fmt.Errorf("%s: %w", norm, store.ErrNotFound)
	}
	return sub, err
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, email string) (subscriber.Subscriber, error) {
	return s.get(ctx, s.pool, email)
}

// defaults fills sub's zero times with now, as the SQLite store does.
func defaults(sub *subscriber.Subscriber, now time.Time) {
	if sub.Consent.At.IsZero() {
		sub.Consent.At = now
	}
	if sub.Created.IsZero() {
		sub.Created = now
	}
	if sub.Updated.IsZero() {
		sub.Updated = now
	}
}

// insert adds sub unless its address is known. The row gets a fresh link
// handle and secret whatever sub holds: they are never carried over.
func (s *Store) insert(ctx context.Context, tx pgx.Tx, sub *subscriber.Subscriber, now time.Time) (bool, error) {
	defaults(sub, now)
	sub.Link = token.NewSubject()
	err := tx.QueryRow(ctx, s.q.insertSubscriber,
		sub.Email, subscriber.Key(sub.Email), sub.Name, strings.Join(sub.Topics, ","), string(sub.Status),
		formatTime(sub.Consent.At), sub.Consent.How, formatTime(sub.Created), formatTime(sub.Updated),
		sub.Link.Handle, sub.Link.Secret).Scan(&sub.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		sub.Link = token.Subject{}
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, s.event(ctx, tx, sub.ID, now, "", string(sub.Status), sub.Consent.How)
}

func (s *Store) event(ctx context.Context, tx pgx.Tx, id int64, at time.Time, from, to, how string) error {
	var fromArg any
	if from != "" {
		fromArg = from
	}
	_, err := tx.Exec(ctx, s.q.insertEvent, id, formatTime(at), fromArg, to, how)
	return err
}

func (s *Store) update(ctx context.Context, tx pgx.Tx, sub subscriber.Subscriber) error {
	_, err := tx.Exec(ctx, s.q.updateSubscriber,
		sub.Name, strings.Join(sub.Topics, ","), string(sub.Status),
		formatTime(sub.Consent.At), sub.Consent.How, formatTime(sub.Updated), sub.ID)
	return err
}

// Add implements store.Store.
func (s *Store) Add(ctx context.Context, sub subscriber.Subscriber, replace bool) (store.Added, error) {
	var res store.Added
	err := s.write(ctx, func(tx pgx.Tx) error {
		now := s.now()
		in := sub
		created, err := s.insert(ctx, tx, &in, now)
		if err != nil {
			return err
		}
		if created {
			res = store.Added{Subscriber: in, Result: store.Created}
			return nil
		}
		old, err := s.get(ctx, tx, sub.Email)
		if err != nil {
			return err
		}
		if res, err = store.AddOver(old, sub, replace, now); err != nil || res.Result == store.Unchanged {
			return cmp.Or(err, errRollback)
		}
		if neu := res.Subscriber; neu.Status != old.Status {
			if err := s.event(ctx, tx, old.ID, now, string(old.Status), string(neu.Status), sub.Consent.How); err != nil {
				return err
			}
		}
		return s.update(ctx, tx, res.Subscriber)
	})
	return res, err
}

// Import implements store.Store. A page of subscribers is one INSERT of
// arrays rather than a statement each: a million rows in seconds.
func (s *Store) Import(ctx context.Context, subs iter.Seq2[subscriber.Subscriber, error], dryRun bool) (store.Imported, error) {
	var res store.Imported
	err := s.write(ctx, func(tx pgx.Tx) error {
		res = store.Imported{} // a retry reads subs again
		now := s.now()
		page := make([]subscriber.Subscriber, 0, importPage)
		for sub, err := range subs {
			if err != nil {
				return err
			}
			if page = append(page, sub); len(page) == importPage {
				if err := s.importPage(ctx, tx, page, now, &res); err != nil {
					return err
				}
				page = page[:0]
			}
		}
		if len(page) > 0 {
			if err := s.importPage(ctx, tx, page, now, &res); err != nil {
				return err
			}
		}
		if dryRun {
			return errRollback
		}
		return nil
	})
	if err != nil {
		return store.Imported{}, err
	}
	return res, nil
}

func (s *Store) importPage(ctx context.Context, tx pgx.Tx, page []subscriber.Subscriber, now time.Time, res *store.Imported) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cols := make([][]string, 11)
	for i := range cols {
		cols[i] = make([]string, 0, len(page))
	}
	for i := range page {
		sub := page[i]
		defaults(&sub, now)
		link := token.NewSubject()
		for c, v := range []string{sub.Email, subscriber.Key(sub.Email), sub.Name, strings.Join(sub.Topics, ","), string(sub.Status),
			formatTime(sub.Consent.At), sub.Consent.How, formatTime(sub.Created), formatTime(sub.Updated), link.Handle, link.Secret} {
			cols[c] = append(cols[c], v)
		}
	}
	rows, err := tx.Query(ctx, s.q.importSubscribers, cols[0], cols[1], cols[2], cols[3], cols[4], cols[5], cols[6], cols[7], cols[8], cols[9], cols[10])
	if err != nil {
		return err
	}
	createdID := map[string]int64{}
	for rows.Next() {
		var id int64
		var key string
		if err := rows.Scan(&id, &key); err != nil {
			rows.Close()
			return err
		}
		createdID[key] = id
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// The first row of a key the insert returned is the one it created;
	// any other was there already (or repeats an earlier row).
	var evIDs []int64
	var evStatus, evHow, existing []string
	taken := map[string]bool{}
	var others []subscriber.Subscriber
	for _, sub := range page {
		key := subscriber.Key(sub.Email)
		if id, ok := createdID[key]; ok && !taken[key] {
			taken[key] = true
			evIDs, evStatus, evHow = append(evIDs, id), append(evStatus, string(sub.Status)), append(evHow, sub.Consent.How)
			res.Added++
			if res.ByStatus == nil {
				res.ByStatus = map[subscriber.Status]int{}
			}
			res.ByStatus[sub.Status]++
			continue
		}
		others = append(others, sub)
		existing = append(existing, key)
	}
	if len(evIDs) > 0 {
		if _, err := tx.Exec(ctx, s.q.importEvents, formatTime(now), evIDs, evStatus, evHow); err != nil {
			return err
		}
	}
	if len(others) == 0 {
		return nil
	}
	rows, err = tx.Query(ctx, s.q.getSubscribers, existing)
	if err != nil {
		return err
	}
	old := map[string]subscriber.Subscriber{}
	for rows.Next() {
		sub, err := scanSubscriber(rows)
		if err != nil {
			rows.Close()
			return err
		}
		old[subscriber.Key(sub.Email)] = sub
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, sub := range others {
		o, ok := old[subscriber.Key(sub.Email)]
		if !ok {
			return fmt.Errorf("%s: neither added nor found", sub.Email)
		}
		res.Existing++
		if len(subscriber.Differences(o, sub)) > 0 {
			res.Differ++
		}
		if o.Status.Suppressed() {
			res.Suppressed++
		}
	}
	return nil
}

// SetStatus implements store.Store.
func (s *Store) SetStatus(ctx context.Context, email string, to subscriber.Status, how string) (bool, error) {
	if _, err := subscriber.ParseStatus(string(to)); err != nil {
		return false, err
	}
	changed := false
	err := s.write(ctx, func(tx pgx.Tx) error {
		changed = false
		sub, err := s.get(ctx, tx, email)
		if err != nil || sub.Status == to {
			return err
		}
		now := s.now()
		from := sub.Status
		sub.Status, sub.Updated = to, now
		if to == subscriber.Active {
			sub.Consent = subscriber.Consent{At: now, How: how}
		}
		if err := s.update(ctx, tx, sub); err != nil {
			return err
		}
		changed = true
		return s.event(ctx, tx, sub.ID, now, string(from), string(to), how)
	})
	return changed, err
}

// Remove implements store.Store.
func (s *Store) Remove(ctx context.Context, email, how string) (subscriber.Subscriber, error) {
	var removed subscriber.Subscriber
	err := s.write(ctx, func(tx pgx.Tx) error {
		sub, err := s.get(ctx, tx, email)
		if err != nil {
			return err
		}
		if err := s.event(ctx, tx, sub.ID, s.now(), string(sub.Status), "removed", how); err != nil {
			return err
		}
		for _, scrub := range []struct {
			sql string
			arg any
		}{{s.q.scrubDeliveries, sub.ID}, {s.q.scrubWelcome, sub.ID}, {s.q.scrubSignupInbox, subscriber.Key(sub.Email)},
			{s.q.scrubConfirmationMailboxes, store.MailboxKey(sub.Email)}} {
			if _, err := tx.Exec(ctx, scrub.sql, scrub.arg); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, s.q.deleteSubscriber, sub.ID); err != nil {
			return err
		}
		removed = sub
		return nil
	})
	return removed, err
}

// List implements store.Store.
func (s *Store) List(ctx context.Context, f store.Filter) iter.Seq2[subscriber.Subscriber, error] {
	return func(yield func(subscriber.Subscriber, error) bool) {
		after := ""
		for {
			page, err := s.page(ctx, s.q.listSubscribers, string(f.Status), after, listPage)
			if err != nil {
				yield(subscriber.Subscriber{}, err)
				return
			}
			for _, sub := range page {
				if !yield(sub, nil) {
					return
				}
			}
			if len(page) < listPage {
				return
			}
			after = subscriber.Key(page[len(page)-1].Email)
		}
	}
}

func (s *Store) page(ctx context.Context, sql string, args ...any) ([]subscriber.Subscriber, error) {
	return s.pageOn(ctx, s.pool, sql, args...)
}

func (s *Store) pageOn(ctx context.Context, q querier, sql string, args ...any) ([]subscriber.Subscriber, error) {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var page []subscriber.Subscriber
	for rows.Next() {
		sub, err := scanSubscriber(rows)
		if err != nil {
			return nil, err
		}
		page = append(page, sub)
	}
	return page, rows.Err()
}

// Count implements store.Store.
func (s *Store) Count(ctx context.Context) (map[subscriber.Status]int, error) {
	rows, err := s.pool.Query(ctx, s.q.countByStatus)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	counts := map[subscriber.Status]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		counts[subscriber.Status(st)] = n
	}
	return counts, rows.Err()
}

// ActiveSubscribers implements store.Store.
func (s *Store) ActiveSubscribers(ctx context.Context, afterID int64, limit int) ([]subscriber.Subscriber, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("limit %d: want at least 1", limit)
	}
	return s.page(ctx, s.q.activeSubscribers, afterID, limit)
}
