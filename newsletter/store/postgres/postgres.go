// Package postgres is the subscriber store for hubs whose list outgrows
// one machine: one PostgreSQL database that any number of agora send and
// agora listen processes share, on any machines. It keeps the schema of
// store/sqlite (its migrations are ported one for one) and passes the same
// conformance suite (store/storetest).
//
// It talks to the server through jackc/pgx: a pool sized to the work,
// libpq's connection strings, sslmode and password sources (PGPASSWORD,
// ~/.pgpass), and COPY for agora db copy.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/store/sqlfile"
)

//go:embed queries/*.sql
var queryFiles embed.FS

//go:embed migrations/*.sql
var migrationFiles embed.FS

// timeFormat is the SQLite store's: fixed-width UTC that sorts as text.
const timeFormat = store.TimeFormat

// listPage is how many rows List reads per query.
const listPage = 500

// importPage is how many subscribers Import sends per statement: large
// enough that a million rows take a few thousand round trips, small
// enough that one page's arrays stay a few megabytes.
const importPage = 2000

// maxTxRetries bounds the retries of a transaction that PostgreSQL
// aborted to break a deadlock or a serialization conflict: two sign-up
// services' group commits may lock the same rows in different orders.
const maxTxRetries = 3

// Options tune Open.
type Options struct {
	// Now is the clock for created/updated times, leases and events (tests).
	Now func() time.Time
	// MaxConns sizes the pool (default 4): agora send's concurrency plus
	// what its journal, claims and heartbeat need, agora listen's few.
	MaxConns int32
}

// Store is a store.DB on one PostgreSQL database.
type Store struct {
	store.OneSignup // ReceiveSignup, ConfirmSignup, SetPreferences, Unsubscribe
	pool            *pgxpool.Pool
	q               *queries
	now             func() time.Time
	where           string
}

var _ store.DB = (*Store)(nil)

// IsURL reports whether database names a PostgreSQL server rather than a
// SQLite file.
func IsURL(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// Open connects to the database at url (postgres:// or postgresql://,
// libpq's syntax and parameters, sslmode included), applies the
// migrations it lacks and prepares every statement.
func Open(ctx context.Context, url string, opt Options) (*Store, error) {
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.MaxConns <= 0 {
		opt.MaxConns = 4
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL, password and all.
		return nil, fmt.Errorf("database URL %s: %w", Redact(url), redactErr(err))
	}
	cfg.MaxConns = opt.MaxConns
	cfg.MinConns = 0
	// A dead server must not hang a command for ever.
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	}
	s := &Store{now: opt.Now, where: Redact(url)}
	s.OneSignup = store.OneSignup{Apply: s.ApplySignups}
	if s.pool, err = pgxpool.NewWithConfig(ctx, cfg); err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", s.where, err)
	}
	if err := s.init(ctx); err != nil {
		s.pool.Close()
		return nil, fmt.Errorf("opening %s: %w", s.where, err)
	}
	return s, nil
}

// Redact returns url with its password, if it has one, replaced by
// "xxxxx", for messages: from the user part and from a password=
// parameter, whatever else is wrong with the URL.
func Redact(url string) string {
	scheme, rest, ok := strings.Cut(url, "://")
	if !ok {
		return url
	}
	if at := strings.LastIndex(strings.SplitN(rest, "/", 2)[0], "@"); at >= 0 {
		if user, _, hasPass := strings.Cut(rest[:at], ":"); hasPass {
			rest = user + ":xxxxx" + rest[at:]
		}
	}
	if i := strings.Index(rest, "password="); i >= 0 {
		end := strings.IndexByte(rest[i:], '&')
		if end < 0 {
			rest = rest[:i] + "password=xxxxx"
		} else {
			rest = rest[:i] + "password=xxxxx" + rest[i+end:]
		}
	}
	return scheme + "://" + rest
}

func redactErr(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		return errors.New(strings.TrimPrefix(pe.Error(), "cannot parse `"+pe.ConnString+"`: "))
	}
	return err
}

// HasPassword reports whether url carries a password itself, which
// site.toml must not.
func HasPassword(url string) bool {
	return Redact(url) != url
}

func (s *Store) init(ctx context.Context) error {
	ms, err := sqlfile.Migrations(migrationFiles)
	if err != nil {
		return err
	}
	if err := s.migrate(ctx, ms); err != nil {
		return err
	}
	blocks, err := sqlfile.Queries(queryFiles)
	if err != nil {
		return err
	}
	s.q, err = prepareQueries(ctx, s.pool, blocks)
	return err
}

// migrationLock serialises agoras migrating one database at the same time.
const migrationLock = 7262957438

func (s *Store) migrate(ctx context.Context, ms []sqlfile.Migration) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrationLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
			version BIGINT PRIMARY KEY,
			name    TEXT NOT NULL,
			applied TEXT NOT NULL
		)`); err != nil {
			return err
		}
		var have int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&have); err != nil {
			return err
		}
		latest := ms[len(ms)-1].Version
		if have > latest {
			return &sqlfile.TooNewError{Path: s.where, Have: have, Support: latest}
		}
		for _, m := range ms[have:] {
			// Simple protocol: a migration holds several statements.
			if _, err := tx.Exec(ctx, m.SQL, pgx.QueryExecModeSimpleProtocol); err != nil {
				return fmt.Errorf("migration %s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied) VALUES ($1, $2, $3)`, m.Version, m.Name, s.stamp()); err != nil {
				return err
			}
		}
		return nil
	})
}

// queries holds the statements' text by job, like the SQLite store's.
// pgx prepares each on every connection at its first use; Open prepares
// all of them once, so that a broken one fails at start-up.
type queries struct {
	getSubscriber, insertSubscriber, importSubscribers, getSubscribers, importEvents string
	updateSubscriber, deleteSubscriber, scrubDeliveries, insertEvent                 string
	scrubWelcome, scrubSignupInbox, scrubConfirmationMailboxes                       string
	listSubscribers, countByStatus, activeSubscribers                                string
	journalQueries
	signupQueries
	adminQueries
	welcomeQueries
}

func (q *queries) statements() map[string]*string {
	m := map[string]*string{
		"get-subscriber":               &q.getSubscriber,
		"insert-subscriber":            &q.insertSubscriber,
		"import-subscribers":           &q.importSubscribers,
		"get-subscribers":              &q.getSubscribers,
		"import-events":                &q.importEvents,
		"update-subscriber":            &q.updateSubscriber,
		"delete-subscriber":            &q.deleteSubscriber,
		"scrub-deliveries":             &q.scrubDeliveries,
		"scrub-welcome":                &q.scrubWelcome,
		"scrub-signup-inbox":           &q.scrubSignupInbox,
		"scrub-confirmation-mailboxes": &q.scrubConfirmationMailboxes,
		"insert-event":                 &q.insertEvent,
		"list-subscribers":             &q.listSubscribers,
		"count-by-status":              &q.countByStatus,
		"active-subscribers":           &q.activeSubscribers,
	}
	maps.Copy(m, q.journalQueries.statements())
	maps.Copy(m, q.signupQueries.statements())
	maps.Copy(m, q.adminQueries.statements())
	maps.Copy(m, q.welcomeQueries.statements())
	return m
}

func prepareQueries(ctx context.Context, pool *pgxpool.Pool, blocks map[string]string) (*queries, error) {
	q := &queries{}
	want := q.statements()
	q.readCols = map[string][]string{}
	var unused []string
	for name := range blocks {
		if want[name] == nil {
			unused = append(unused, name)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		return nil, fmt.Errorf("queries/*.sql: %s not used by the store (misspelt?)", strings.Join(unused, ", "))
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	for _, name := range slices.Sorted(maps.Keys(want)) {
		text, ok := blocks[name]
		if !ok {
			return nil, fmt.Errorf("queries/*.sql: no query %q", name)
		}
		// Savepoint statements cannot be prepared outside a transaction;
		// everything else is checked against the schema here.
		if !strings.HasPrefix(strings.TrimSpace(stripComments(text)), "SAVEPOINT") &&
			!strings.HasPrefix(strings.TrimSpace(stripComments(text)), "ROLLBACK") &&
			!strings.HasPrefix(strings.TrimSpace(stripComments(text)), "RELEASE") {
			sd, err := conn.Conn().Prepare(ctx, "", text)
			if err != nil {
				return nil, fmt.Errorf("queries/*.sql: preparing %q: %w", name, err)
			}
			if table, ok := strings.CutPrefix(name, "read-"); ok {
				for _, f := range sd.Fields {
					q.readCols[table] = append(q.readCols[table], f.Name)
				}
			}
		}
		*want[name] = text
	}
	return q, nil
}

func stripComments(text string) string {
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(l), "--") {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// Close closes the pool.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

func (s *Store) stamp() string { return formatTime(s.now()) }

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(v string) (time.Time, error) { return time.Parse(timeFormat, v) }

func optionalTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

var errRollback = errors.New("roll back")

// write runs fn in a transaction and commits unless fn fails or asks for
// a rollback with errRollback. A transaction the server aborted to break
// a deadlock, or for a serialization failure, is run again.
func (s *Store) write(ctx context.Context, fn func(pgx.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := pgx.BeginFunc(ctx, s.pool, fn)
		if errors.Is(err, errRollback) {
			return nil
		}
		var pe *pgconn.PgError
		if attempt < maxTxRetries && errors.As(err, &pe) && (pe.Code == "40P01" || pe.Code == "40001") {
			continue
		}
		return err
	}
}
