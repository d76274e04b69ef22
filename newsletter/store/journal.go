package store

import (
	"context"
	"errors"
	"time"

	"github.com/agora-hub/agora/newsletter/subscriber"
)

// Journal keeps the issues of the newsletter and the send journal: one
// row per (issue, subscriber), moved queued → sending → sent or failed.
// It is apart from Store so that a store for the sign-up service alone
// need not implement it; the SQLite store implements both.
//
// The journal is what makes a send exactly-once: a row is committed as
// sending before its SMTP transaction starts and as sent after the server
// accepted the message, so a run that dies anywhere leaves at most the
// rows that were in flight to be sent again.
type Journal interface {
	// OpenIssue returns the issue being sent, if there is one: a rerun
	// resumes it rather than starting another.
	OpenIssue(ctx context.Context) (Issue, bool, error)

	// LastIssue returns the issue with the highest number, if any.
	LastIssue(ctx context.Context) (Issue, bool, error)

	// SentItems reports which of ids were items of an issue already.
	SentItems(ctx context.Context, ids []string) (map[string]bool, error)

	// CreateIssue, in one transaction, numbers and stores the issue with
	// its items, and queues one delivery for every active subscriber for
	// whom wants returns true. It fails with ErrIssueOpen when an issue is
	// being sent already, and with ErrNoRecipients, writing nothing, when
	// nobody would be queued: an issue mailed to nobody would use up its
	// items (and its number) for good. It returns the issue and how many
	// were queued.
	CreateIssue(ctx context.Context, in NewIssue, wants func(subscriber.Subscriber) bool) (Issue, int, error)

	// Items returns an issue's items in their order.
	Items(ctx context.Context, issueID int64) ([]Item, error)

	// Pending returns up to limit deliveries of the issue that are queued
	// or were in flight when a run stopped (sending), with their
	// subscribers as they are now, for subscriber IDs above after, in ID
	// order: the cursor of a resumable send.
	Pending(ctx context.Context, issueID, after int64, limit int) ([]Delivery, error)

	// CountPending counts what Pending would yield for the issue.
	CountPending(ctx context.Context, issueID int64) (int, error)

	// SkipOrphans marks failed ('skipped') the unfinished deliveries of an
	// issue whose subscriber was erased, and returns how many.
	SkipOrphans(ctx context.Context, issueID int64) (int, error)

	// Record applies updates in one transaction (a group commit: several
	// connections' updates share one write to disk). An update with a
	// Sender other than 0 moves the row only while that sender holds it
	// (see Claim), except to sent, which always sticks: a sender whose
	// lease lapsed must not put back a row that another one took over.
	Record(ctx context.Context, updates []Update) error

	// RegisterSender records a running agora send and returns its ID for
	// Claim, Heartbeat and Record. exclusive says the caller holds the
	// only send lock (SQLite's lock file): every sender registered before
	// is dead, and the rows it held at sending return to the queue at once
	// instead of after the lease.
	RegisterSender(ctx context.Context, host string, pid int, exclusive bool) (int64, error)

	// Heartbeat renews the sender's lease on the rows it holds. It fails
	// with ErrSenderGone when the sender's registration was removed.
	Heartbeat(ctx context.Context, sender int64) error

	// RetireSender removes a sender that stopped.
	RetireSender(ctx context.Context, sender int64) error

	// Claim moves to sending, for c.Sender, in one transaction, up to
	// c.Limit deliveries of the issue: first those left at sending by a
	// sender whose heartbeat is older than c.Lease (a process that died;
	// whatever the cursor), then queued ones with a subscriber ID above
	// c.After, in ID order. Several senders may claim at once: no row is
	// handed to two of them (SELECT … FOR UPDATE SKIP LOCKED on
	// PostgreSQL, the write lock on SQLite). With c.Interval set, the same
	// transaction reserves one time slot of that length per claimed row
	// on the rate shared by every sender of the database. c.Done, the
	// outcomes of earlier claims, are recorded (as Record does) in the same
	// transaction, before the claim: a sender's claim and its last
	// outcomes cost one commit, not two.
	Claim(ctx context.Context, c ClaimRequest) (Claimed, error)

	// InFlight counts the issue's deliveries at sending held by live
	// senders (heartbeat within lease) other than sender: work another
	// process is doing, or will give back when its lease lapses.
	InFlight(ctx context.Context, issueID, sender int64, lease time.Duration) (int, error)

	// HardBounces counts the subscriber's hard bounces since the last
	// message that reached them.
	HardBounces(ctx context.Context, subscriberID int64) (int, error)

	// FinishIssue marks the issue sent when no delivery of it is queued
	// or sending, and reports whether it did.
	FinishIssue(ctx context.Context, issueID int64, at time.Time) (bool, error)

	// Unsent yields the issue's deliveries that are not sent, for the
	// summary that names everyone not mailed and why.
	Unsent(ctx context.Context, issueID int64, yield func(Unsent) error) error

	// Issues returns every issue with its counts, oldest first.
	Issues(ctx context.Context) ([]IssueStats, error)

	// Events yields every status change in time order.
	Events(ctx context.Context, yield func(Event) error) error
}

// ErrIssueOpen is CreateIssue while another issue is being sent.
var ErrIssueOpen = errors.New("an issue is being sent already")

// ErrNoRecipients is CreateIssue with nobody to mail.
var ErrNoRecipients = errors.New("no active subscriber would get any of the items")

// ErrSenderGone is a heartbeat of a sender whose registration was
// removed: its rows may be another's now, so it must stop.
var ErrSenderGone = errors.New("this sender's registration was removed")

// ClaimRequest is what Claim takes.
type ClaimRequest struct {
	IssueID, Sender int64
	// After is the sender's cursor: queued rows above it are claimed.
	After int64
	Limit int
	// Lease is how old a sender's heartbeat may be before the rows it
	// holds are taken back.
	Lease time.Duration
	// Interval is the shared rate's time per message; 0 for no rate.
	Interval time.Duration
	// Done are updates recorded before the claim, in its transaction.
	Done []Update
	// SkipStale claims queued rows only, not looking for rows whose
	// sender's lease lapsed: a sender that looked a moment ago need not
	// walk every row at sending again for each claim.
	SkipStale bool
}

// Claimed is what Claim took.
type Claimed struct {
	// Deliveries are in subscriber-ID order; their State is the one they
	// had before the claim (queued, or sending for a row taken back).
	Deliveries []Delivery
	// SlotStart is when the first of the claim's rate slots begins: the
	// i-th message may go at SlotStart + i×Interval.
	SlotStart time.Time
}

// IssueStatus is where an issue stands.
type IssueStatus string

// Issue statuses.
const (
	IssueSending IssueStatus = "sending"
	IssueSent    IssueStatus = "sent"
)

// Issue is one digest sent (or being sent) to the list.
type Issue struct {
	ID, Number int64
	Created    time.Time
	// Since is the previous issue's cutoff (zero for the first issue) and
	// Cutoff this one's: the issue holds what was published in between.
	Since, Cutoff time.Time
	SentAt        time.Time // zero until every delivery is done
	Status        IssueStatus
	Subject       string
	// ArchivePath is the site path of the issue's archive page.
	ArchivePath string
}

// NewIssue is what CreateIssue stores.
type NewIssue struct {
	Created, Since, Cutoff time.Time
	Subject                string
	// ArchivePath may hold "{n}", replaced by the issue's number.
	ArchivePath string
	Items       []Item
}

// Item is a page in an issue, frozen when the issue is created.
type Item struct {
	ID          string // front-matter id, else the content path
	Section     string
	Title       string
	URL         string // absolute
	SummaryHTML string
	SummaryText string
	Tags        []string // normalised keys
	Published   time.Time
}

// DeliveryState is where a delivery stands in the journal.
type DeliveryState string

// Delivery states.
const (
	Queued  DeliveryState = "queued"
	Sending DeliveryState = "sending"
	Sent    DeliveryState = "sent"
	Failed  DeliveryState = "failed"
)

// Failure says why a delivery failed.
type Failure string

// Failures.
const (
	NoFailure Failure = ""
	// Bounce is a permanent (5xx) reply: a hard bounce.
	Bounce Failure = "bounce"
	// Skipped is a subscriber who is no longer active, or whose topics
	// match none of the issue's items any more, when their turn came.
	Skipped Failure = "skipped"
	// Error is a message that could not be made.
	Error Failure = "error"
)

// Delivery is an unfinished journal row with its subscriber.
type Delivery struct {
	IssueID    int64
	Subscriber subscriber.Subscriber
	State      DeliveryState
	Attempts   int
	MessageID  string
}

// Update moves one delivery to State. Attempts is added to the row's
// count; Error is the server's text for a failure or a deferral.
type Update struct {
	IssueID, SubscriberID int64
	// Sender is the sender that claimed the row; 0 moves it whoever holds it.
	Sender    int64
	State     DeliveryState
	MessageID string
	Attempts  int
	Failure   Failure
	Error     string
}

// Unsent is a delivery that did not reach its subscriber.
type Unsent struct {
	Email   string // "" for a subscriber erased since
	State   DeliveryState
	Failure Failure
	Error   string
}

// IssueStats are an issue's counts for the report.
type IssueStats struct {
	Issue
	Recipients, Sent, Failed, Skipped, Pending, Bounces int
	// Unsubscribes counts the subscribers who unsubscribed after this
	// issue and before the next one.
	Unsubscribes int
	Items        int
}

// Event is a change of a subscriber's status; From is "" when the
// subscriber was created, To "removed" for an erasure.
type Event struct {
	At       time.Time
	From, To string
	How      string
}
