// Package sqlite is the default subscriber store: one SQLite file beside
// the site, through modernc.org/sqlite, which is pure Go, so agora stays a
// single static binary with no cgo.
//
// Two agoras may run at once (a send while the operator imports), so every
// connection uses WAL (readers never block the writer), waits up to a busy
// timeout for a lock instead of failing with "database is locked", and
// starts write transactions with BEGIN IMMEDIATE, so that a transaction
// never finds out only at its first write that another one holds the lock.
package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"net/url"
	"os"
	"strings"
	"time"

	"embed"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/store/sqlfile"
	"github.com/agora-hub/agora/newsletter/subscriber"
	"github.com/agora-hub/agora/newsletter/token"
)

//go:embed queries/*.sql
var queryFiles embed.FS

// timeFormat is fixed-width UTC so that times sort as text.
const timeFormat = store.TimeFormat

// DefaultBusyTimeout is how long a writer waits for another's lock. A
// send's journal commits are small (twenty rows or so each), so waits are
// short; five seconds rides out an import of thousands of rows running at
// the same time.
const DefaultBusyTimeout = 5 * time.Second

// maxIdleConns keeps connections open between bursts. database/sql keeps
// two by default, so a burst of reads (agora listen checks every link's
// secret in the database) opened a connection for nearly each one, ran
// its pragmas and prepared its statements again, and closed it after. A
// connection costs little until its page cache fills (2 MB at most).
const maxIdleConns = 32

// listPage is how many rows List reads per query.
const listPage = 500

// Options tune Open; the zero value is what agora uses.
type Options struct {
	// Now is the clock for created/updated times and events (tests).
	Now         func() time.Time
	BusyTimeout time.Duration
}

// Store is a store.Store on one SQLite file.
type Store struct {
	store.OneSignup // ReceiveSignup, ConfirmSignup, SetPreferences, Unsubscribe
	db              *sql.DB
	q               *queries
	now             func() time.Time
	path            string
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path and applies
// any schema migrations it lacks. The parent folder must exist.
func Open(ctx context.Context, path string, opt Options) (*Store, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.BusyTimeout <= 0 {
		opt.BusyTimeout = DefaultBusyTimeout
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("database path %q: must not contain ? or #", path)
	}
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(path, opt.BusyTimeout))
	if err != nil {
		return nil, err
	}
	db.SetMaxIdleConns(maxIdleConns)
	s := &Store{db: db, now: opt.Now, path: path}
	s.OneSignup = store.OneSignup{Apply: s.ApplySignups}
	if err := s.init(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("opening %s: %w", path, err)
	}
	return s, nil
}

func (s *Store) init(ctx context.Context) error {
	// A connection is where the pragmas take effect; checking one shows at
	// once a file that is not a database, or a file system without WAL.
	var mode string
	if err := s.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return err
	}
	if mode != "wal" {
		return fmt.Errorf("journal mode is %q, not wal (is the file on a network file system?)", mode)
	}
	ms, err := sqlfile.Migrations(migrationFiles)
	if err != nil {
		return err
	}
	if err := migrate(ctx, s.db, s.path, ms, s.stamp()); err != nil {
		return err
	}
	blocks, err := sqlfile.Queries(queryFiles)
	if err != nil {
		return err
	}
	s.q, err = prepareQueries(ctx, s.db, blocks)
	return err
}

func dsn(path string, busy time.Duration) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busy.Milliseconds()))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	// synchronous stays FULL (the default): a commit is on disk when it
	// returns. NORMAL would also survive a crash or kill -9 of agora (the
	// WAL is in the operating system's cache), but a power cut or an OS
	// crash could undo the last few thousand journal updates, and a
	// resumed send would mail those people twice. The send journal does
	// not need NORMAL's speed: it claims its rows a batch at a time and
	// group-commits (see newsletter/send), so there is an fsync for about
	// every ten messages, not one per message.
	q.Set("_txlock", "immediate")
	return path + "?" + q.Encode()
}

// createPrivate makes a new database file readable by its owner only: it
// holds people's addresses. SQLite gives the -wal and -shm files the same
// mode. An existing file keeps the mode its owner chose.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	switch {
	case errors.Is(err, fs.ErrExist):
		return nil
	case err != nil:
		return fmt.Errorf("creating the database: %w", err)
	}
	return f.Close()
}

// Close closes the database.
func (s *Store) Close() error {
	if s.q != nil {
		s.q.close()
	}
	return s.db.Close()
}

func (s *Store) stamp() string { return formatTime(s.now()) }

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(v string) (time.Time, error) { return time.Parse(timeFormat, v) }

// write runs fn in a write transaction (BEGIN IMMEDIATE, see dsn) and
// commits unless fn fails or asks for a rollback with errRollback.
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		if errors.Is(err, errRollback) {
			return nil
		}
		return err
	}
	return tx.Commit()
}

var errRollback = errors.New("roll back")

type scanner interface{ Scan(...any) error }

func scanSubscriber(r scanner) (subscriber.Subscriber, error) {
	var sub subscriber.Subscriber
	var topics, status, consentAt, created, updated string
	if err := r.Scan(&sub.ID, &sub.Email, &sub.Name, &topics, &status, &consentAt, &sub.Consent.How, &created, &updated,
		&sub.Link.Handle, &sub.Link.Secret); err != nil {
		return sub, err
	}
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

func (s *Store) get(ctx context.Context, tx *sql.Tx, email string) (subscriber.Subscriber, error) {
	// The address is looked up as it would have been stored, so that
	// " ADA@Bücher.de" finds ada@xn--bcher-kva.de.
	norm, err := subscriber.NormalizeEmail(email)
	if err != nil {
		return subscriber.Subscriber{}, err
	}
	stmt := s.q.getSubscriber
	if tx != nil {
		stmt = tx.StmtContext(ctx, stmt)
	}
	sub, err := scanSubscriber(stmt.QueryRowContext(ctx, subscriber.Key(norm)))
	if errors.Is(err, sql.ErrNoRows) {
		return sub, fmt.Errorf("%s: %w", norm, store.ErrNotFound)
	}
	return sub, err
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, email string) (subscriber.Subscriber, error) {
	return s.get(ctx, nil, email)
}

// insert adds sub unless its address is known; ok is false then. Zero
// times (the consent's, created, updated) are now; others are kept, as an
// import of Agora's own export restores them. The row gets a fresh link
// handle and secret whatever sub holds: they are never carried over.
func (s *Store) insert(ctx context.Context, tx *sql.Tx, sub *subscriber.Subscriber, now time.Time) (ok bool, err error) {
	if sub.Consent.At.IsZero() {
		sub.Consent.At = now
	}
	if sub.Created.IsZero() {
		sub.Created = now
	}
	if sub.Updated.IsZero() {
		sub.Updated = now
	}
	sub.Link = token.NewSubject()
	err = tx.StmtContext(ctx, s.q.insertSubscriber).QueryRowContext(ctx,
		sub.Email, subscriber.Key(sub.Email), sub.Name, strings.Join(sub.Topics, ","), string(sub.Status),
		formatTime(sub.Consent.At), sub.Consent.How, formatTime(sub.Created), formatTime(sub.Updated),
		sub.Link.Handle, sub.Link.Secret).Scan(&sub.ID)
	if errors.Is(err, sql.ErrNoRows) {
		sub.Link = token.Subject{}
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, s.event(ctx, tx, sub.ID, now, "", string(sub.Status), sub.Consent.How)
}

func (s *Store) event(ctx context.Context, tx *sql.Tx, id int64, at time.Time, from, to, how string) error {
	var fromArg any
	if from != "" {
		fromArg = from
	}
	_, err := tx.StmtContext(ctx, s.q.insertEvent).ExecContext(ctx, id, formatTime(at), fromArg, to, how)
	return err
}

func (s *Store) update(ctx context.Context, tx *sql.Tx, sub subscriber.Subscriber) error {
	_, err := tx.StmtContext(ctx, s.q.updateSubscriber).ExecContext(ctx,
		sub.Name, strings.Join(sub.Topics, ","), string(sub.Status),
		formatTime(sub.Consent.At), sub.Consent.How, formatTime(sub.Updated), sub.ID)
	return err
}

// Add implements store.Store.
func (s *Store) Add(ctx context.Context, sub subscriber.Subscriber, replace bool) (store.Added, error) {
	var res store.Added
	err := s.write(ctx, func(tx *sql.Tx) error {
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

// Import implements store.Store.
func (s *Store) Import(ctx context.Context, subs iter.Seq2[subscriber.Subscriber, error], dryRun bool) (store.Imported, error) {
	var res store.Imported
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.now()
		for sub, err := range subs {
			if err != nil {
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			created, err := s.insert(ctx, tx, &sub, now)
			if err != nil {
				return fmt.Errorf("%s: %w", sub.Email, err)
			}
			if created {
				res.Added++
				if res.ByStatus == nil {
					res.ByStatus = map[subscriber.Status]int{}
				}
				res.ByStatus[sub.Status]++
				continue
			}
			old, err := s.get(ctx, tx, sub.Email)
			if err != nil {
				return err
			}
			res.Existing++
			if len(subscriber.Differences(old, sub)) > 0 {
				res.Differ++
			}
			if old.Status.Suppressed() {
				res.Suppressed++
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

// SetStatus implements store.Store.
func (s *Store) SetStatus(ctx context.Context, email string, to subscriber.Status, how string) (bool, error) {
	if _, err := subscriber.ParseStatus(string(to)); err != nil {
		return false, err
	}
	changed := false
	err := s.write(ctx, func(tx *sql.Tx) error {
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
	err := s.write(ctx, func(tx *sql.Tx) error {
		sub, err := s.get(ctx, tx, email)
		if err != nil {
			return err
		}
		// The event is written first and loses its subscriber_id with the
		// delete (ON DELETE SET NULL), like every earlier event.
		if err := s.event(ctx, tx, sub.ID, s.now(), string(sub.Status), "removed", how); err != nil {
			return err
		}
		if _, err := tx.StmtContext(ctx, s.q.scrubDeliveries).ExecContext(ctx, sub.ID); err != nil {
			return err
		}
		if _, err := tx.StmtContext(ctx, s.q.scrubWelcome).ExecContext(ctx, sub.ID); err != nil {
			return err
		}
		if _, err := tx.StmtContext(ctx, s.q.scrubSignupInbox).ExecContext(ctx, subscriber.Key(sub.Email)); err != nil {
			return err
		}
		if _, err := tx.StmtContext(ctx, s.q.scrubConfirmationMailboxes).ExecContext(ctx, store.MailboxKey(sub.Email)); err != nil {
			return err
		}
		if _, err := tx.StmtContext(ctx, s.q.deleteSubscriber).ExecContext(ctx, sub.ID); err != nil {
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

// page reads all rows of one query before returning, so that the caller's
// work between pages never holds a connection.
func (s *Store) page(ctx context.Context, stmt *sql.Stmt, args ...any) ([]subscriber.Subscriber, error) {
	rows, err := stmt.QueryContext(ctx, args...)
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
	rows, err := s.q.countByStatus.QueryContext(ctx)
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
