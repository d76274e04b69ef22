// Package store is the contract between the newsletter and where its
// subscribers live. The SQLite implementation in store/sqlite is the
// default; a PostgreSQL one for hubs that outgrow one machine implements
// the same interface, so the commands never know which they talk to.
package store

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"
	"time"

	"github.com/agora-hub/agora/newsletter/subscriber"
)

// Store keeps subscribers and the history of their statuses.
//
// Every method that changes a status records the change (from, to, when,
// how) in the same transaction, so that reports can count unsubscribes
// since an issue and subscribers over time without trusting current rows.
type Store interface {
	// Add inserts s. An address that is already there (compared by
	// subscriber.Key) is left alone when its name, topics and status are
	// the ones given, and is a *ConflictError otherwise, unless replace is
	// true: then name, topics and status are overwritten, and a change of
	// status takes s.Consent as the new consent.
	Add(ctx context.Context, s subscriber.Subscriber, replace bool) (Added, error)

	// Import adds every subscriber in subs that is not there yet, in one
	// transaction, and leaves every existing one exactly as it is: an
	// import never re-subscribes anyone, never changes a status and so can
	// be repeated. With dryRun nothing is written. subs is read in the
	// transaction, so that a list of a million need not be in memory
	// (csvimport.Stream), and again if the transaction is retried; an
	// error it yields rolls the import back.
	Import(ctx context.Context, subs iter.Seq2[subscriber.Subscriber, error], dryRun bool) (Imported, error)

	// Get finds a subscriber by address; ErrNotFound if there is none.
	Get(ctx context.Context, email string) (subscriber.Subscriber, error)

	// SetStatus moves a subscriber to status to. Moving to Active records
	// a new consent (now, how). It reports whether anything changed.
	SetStatus(ctx context.Context, email string, to subscriber.Status, how string) (bool, error)

	// Remove erases a subscriber and their personal data (the erasure of
	// GDPR article 17), keeping only anonymous counts in the history. It
	// returns what was removed, for the operator's confirmation.
	Remove(ctx context.Context, email, how string) (subscriber.Subscriber, error)

	// List yields the subscribers with status f.Status (all when empty)
	// in address order, reading in pages so that a long list never sits
	// in memory or holds the database.
	List(ctx context.Context, f Filter) iter.Seq2[subscriber.Subscriber, error]

	// Count returns how many subscribers have each status.
	Count(ctx context.Context) (map[subscriber.Status]int, error)

	// ActiveSubscribers returns up to limit active subscribers whose ID is
	// above afterID, in ID order: the cursor a sender resumes from, since
	// IDs never change while addresses may be removed between pages.
	ActiveSubscribers(ctx context.Context, afterID int64, limit int) ([]subscriber.Subscriber, error)

	Close() error
}

// Filter selects subscribers for List.
type Filter struct {
	Status subscriber.Status
}

// Result says what Add did.
type Result int

// Add's results.
const (
	Created Result = iota
	Unchanged
	Replaced
)

// Added is what Add did and the subscriber as stored afterwards.
type Added struct {
	Subscriber subscriber.Subscriber
	Result     Result
	// Previous is the status before a replacement, for messages such as
	// "re-subscribed ada@example.org, who had unsubscribed".
	Previous subscriber.Status
}

// AddOver decides what Add does when sub's address is already stored as
// old: Unchanged, a ConflictError naming the differences unless replace,
// else the replacement to store. A change of status takes sub's consent
// (dated now when it has none); the engine records that change as an
// event.
func AddOver(old, sub subscriber.Subscriber, replace bool, now time.Time) (Added, error) {
	diff := subscriber.Differences(old, sub)
	if len(diff) == 0 {
		return Added{Subscriber: old, Result: Unchanged}, nil
	}
	if !replace {
		return Added{}, &ConflictError{Existing: old, Fields: diff}
	}
	neu := old
	neu.Name, neu.Topics, neu.Status, neu.Updated = sub.Name, sub.Topics, sub.Status, now
	if neu.Status != old.Status {
		neu.Consent = sub.Consent
		if neu.Consent.At.IsZero() {
			neu.Consent.At = now
		}
	}
	return Added{Subscriber: neu, Result: Replaced, Previous: old.Status}, nil
}

// Each is subs for Import.
func Each(subs []subscriber.Subscriber) iter.Seq2[subscriber.Subscriber, error] {
	return func(yield func(subscriber.Subscriber, error) bool) {
		for _, sub := range subs {
			if !yield(sub, nil) {
				return
			}
		}
	}
}

// Imported counts what Import did.
type Imported struct {
	Added int
	// ByStatus counts the added subscribers by the status they were
	// stored with: a file may mark rows unsubscribed or bounced.
	ByStatus map[subscriber.Status]int
	// Existing were already there and were left as they are. Of those,
	// Differ had another name, topics or status in the import, and
	// Suppressed are unsubscribed or bounced, which an import never lifts.
	Existing, Differ, Suppressed int
}

// ErrNotFound is returned for an address that is not on the list.
var ErrNotFound = errors.New("not a subscriber")

// ConflictError is Add of an address that is already there with other
// details. It names the address and the details, so that the operator
// sees what a replacement would change.
type ConflictError struct {
	Existing subscriber.Subscriber
	Fields   []string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("%s is already a subscriber (%s) with a different %s", e.Existing.Email, e.Existing.Status, strings.Join(e.Fields, " and "))
}
