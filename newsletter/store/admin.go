package store

import (
	"context"
	"errors"
	"iter"
)

// ErrNotEmpty is Load into a database that holds data, without replace.
var ErrNotEmpty = errors.New("the target database is not empty")

// DB is a whole database engine: what every command needs, in one value.
// Both engines, store/sqlite and store/postgres, implement it, and the
// conformance suite in store/storetest holds them to the same behaviour.
type DB interface {
	Store
	Journal
	Signups
	Welcome
	Admin
}

// Admin is what agora db (status, copy) needs of an engine.
type Admin interface {
	// Engine is "sqlite" or "postgres".
	Engine() string
	// Where names the database for messages: a path, or a URL without
	// its password.
	Where() string
	// SchemaVersion is the latest migration applied.
	SchemaVersion(ctx context.Context) (int, error)
	// Status counts what agora db status prints.
	Status(ctx context.Context) (Status, error)
	// ReadTable yields every row of table (one of CopyOrder) in its key's
	// order, with the column names.
	ReadTable(ctx context.Context, table string) ([]string, iter.Seq2[[]any, error])
	// SubscriberIDs is the highest subscriber ID ever issued, erased
	// subscribers' included: a copy carries it, so that no ID is issued
	// twice on the new engine either (a link made for an erased person
	// must never name someone else).
	SubscriberIDs(ctx context.Context) (int64, error)
	// Load writes tables in one transaction: fn calls load once per table
	// in CopyOrder. With opt.Replace every table is emptied first; without
	// it a table that holds rows is an error (ErrNotEmpty). Identities are
	// kept, and the engine's ID counters set past them and, for
	// subscribers, past opt.SubscriberIDs.
	Load(ctx context.Context, opt LoadOptions, fn func(load LoadFunc) error) error
}

// LoadOptions are Load's.
type LoadOptions struct {
	Replace       bool
	SubscriberIDs int64 // the source's SubscriberIDs
}

// Copy copies every table of from into to, in one transaction of to, with
// the subscriber ID counter (agora db copy). It returns the rows copied
// per table.
func Copy(ctx context.Context, from, to Admin, replace bool) (map[string]int, error) {
	ids, err := from.SubscriberIDs(ctx)
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	err = to.Load(ctx, LoadOptions{Replace: replace, SubscriberIDs: ids}, func(load LoadFunc) error {
		for _, table := range CopyOrder {
			cols, rows := from.ReadTable(ctx, table)
			n, err := load(table, cols, rows)
			if err != nil {
				return err
			}
			counts[table] = n
		}
		return nil
	})
	return counts, err
}

// LoadFunc writes the rows of one table; it returns how many.
type LoadFunc func(table string, cols []string, rows iter.Seq2[[]any, error]) (int, error)

// CopyOrder lists every table a copy moves, parents before children. A
// migration that adds a table adds it here; a test checks that both
// engines' schemas have exactly these tables.
var CopyOrder = []string{
	"subscribers", "subscriber_events", "issues", "issue_items",
	"senders", "deliveries", "signups", "signup_inbox", "form_tokens_used",
	"confirmation_mailboxes", "confirmation_sends", "welcome_deliveries",
	"rate_limits",
}

// Status is what agora db status prints.
type Status struct {
	Engine, Where string
	Version       int
	// Rows counts each table's rows, by the names of CopyOrder.
	Rows map[string]int
	// Subscribers counts subscribers by status.
	Subscribers map[string]int
	// Open is the issue being sent, if any, with its deliveries by state.
	Open       *Issue
	Deliveries map[DeliveryState]int
	// Senders are the registered send processes.
	Senders []SenderInfo
	// Confirmations counts the confirmation mails queued.
	Confirmations int
	// Welcome counts the welcome journal's rows by state.
	Welcome map[DeliveryState]int
}

// SenderInfo is a registered agora send.
type SenderInfo struct {
	ID        int64
	Host      string
	PID       int
	Started   string
	Heartbeat string
	// Holding counts the rows it holds at sending: the open issue's and
	// welcome steps'.
	Holding int
}
