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
	// Load writes tables in one transaction: fn calls load once per table
	// in CopyOrder. With replace every table is emptied first; without it
	// a table that holds rows is an error (ErrNotEmpty). Identities (the
	// IDs that signed links carry) are kept, and the engine's ID counters
	// set past them.
	Load(ctx context.Context, replace bool, fn func(load LoadFunc) error) error
}

// LoadFunc writes the rows of one table; it returns how many.
type LoadFunc func(table string, cols []string, rows iter.Seq2[[]any, error]) (int, error)

// CopyOrder lists every table a copy moves, parents before children. A
// migration that adds a table adds it here; a test checks that both
// engines' schemas have exactly these tables.
var CopyOrder = []string{
	"subscribers", "subscriber_events", "issues", "issue_items",
	"senders", "deliveries", "signups", "rate_limits",
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
}

// SenderInfo is a registered agora send.
type SenderInfo struct {
	ID        int64
	Host      string
	PID       int
	Started   string
	Heartbeat string
	// Holding counts the rows it holds at sending.
	Holding int
}
