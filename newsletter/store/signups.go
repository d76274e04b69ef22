package store

import (
	"context"
	"errors"
	"time"

	"github.com/agora-hub/agora/newsletter/subscriber"
)

// Signups is what the sign-up service (agora listen) needs beyond Store.
// It is apart from Store so that commands that never take sign-ups need
// not care; the SQLite store implements both.
//
// A request from the form is kept beside the subscriber, not in it, until
// the owner of the address confirms it: what a visitor typed must never
// change a subscriber who did not agree, and an unsubscribed address stays
// unsubscribed until its owner says otherwise. Subscribers are found by ID
// because the signed links carry the ID, never the address.
type Signups interface {
	// ApplySignups runs ops in one write transaction, each inside a
	// savepoint: an op that returns an error is undone alone, and errs[i]
	// is op i's error. When the transaction itself fails, err says why and
	// nothing was written. One transaction for many requests is the
	// service's group commit: a burst of sign-ups shares one commit, and
	// one wait for the disk, instead of queueing for one each.
	ApplySignups(ctx context.Context, ops []func(SignupTx) error) (errs []error, err error)

	// Signup returns the subscriber with id and their open request, if any.
	// ErrNotFound if there is no such subscriber (erased).
	Signup(ctx context.Context, id int64) (Signup, error)

	// DueConfirmations claims up to limit confirmation mails queued and
	// due now, oldest first: they are not due again for ConfirmationLease,
	// so that another sign-up service sharing the database does not send
	// them too, and a service that died while sending them leaves them to
	// the others after that. RecordConfirmations settles them.
	DueConfirmations(ctx context.Context, limit int) ([]ConfirmationMail, error)

	// NextConfirmationDue is when the next queued confirmation is due, if
	// one is queued.
	NextConfirmationDue(ctx context.Context) (time.Time, bool, error)

	// RecordConfirmations stores what happened to mails from
	// DueConfirmations, in one transaction.
	RecordConfirmations(ctx context.Context, results []ConfirmationResult) error

	// PurgeUnconfirmed erases the subscribers that the form added as
	// pending and who did not confirm a request made before cutoff: the
	// addresses of people who never agreed are not kept. It also forgets
	// the TakeToken buckets that are full again.
	PurgeUnconfirmed(ctx context.Context, cutoff time.Time) (int, error)
}

// SignupTx is what an op of ApplySignups may do.
type SignupTx interface {
	// RequestSignup records a request from the form for sub's address
	// with sub's name and topics. An unknown address is added as pending
	// with consent "form"; a known one keeps its status and details. A
	// confirmation mail is queued unless one was queued for the address
	// less than mailEvery ago: a flood of requests for one address sends
	// it one mail, and the time lives in the database so that a restart
	// does not reset it.
	RequestSignup(sub subscriber.Subscriber, mailEvery time.Duration) (SignupResult, error)

	// ConfirmSignup applies the open request of subscriber id, made less
	// than maxAge ago, and makes them active with consent (now, how). It
	// returns ErrNoRequest when there is none, so a confirmation link
	// cannot be used twice, nor after its owner unsubscribed.
	ConfirmSignup(id int64, maxAge time.Duration, how string) (subscriber.Subscriber, error)

	// SetPreferences replaces the name and topics of subscriber id; it
	// never changes a status.
	SetPreferences(id int64, name string, topics []string) (subscriber.Subscriber, error)

	// Unsubscribe makes subscriber id unsubscribed and drops any open
	// request and unsent confirmation. It reports whether the status
	// changed: unsubscribing twice is not an error.
	Unsubscribe(id int64, how string) (bool, error)

	// TakeToken takes one token from the bucket named key (a client
	// network), which holds burst tokens and gains one every every. The
	// bucket lives in the database, so every sign-up service sharing it
	// counts against one limit. When no token is left, retry is how long
	// until one is.
	TakeToken(key string, every time.Duration, burst int) (ok bool, retry time.Duration, err error)
}

// ConfirmationLease is how long DueConfirmations holds a claimed mail.
// A batch of mails takes seconds; a service that dies holding some leaves
// them to be sent by another, or by itself after a restart, after this.
const ConfirmationLease = 10 * time.Minute

// ErrNoRequest is a confirmation with no open request to confirm.
var ErrNoRequest = errors.New("no sign-up request to confirm")

// SignupResult says what RequestSignup did.
type SignupResult struct {
	Subscriber subscriber.Subscriber // as stored, unchanged for a known address
	Created    bool
	Queued     bool // a confirmation mail was queued
}

// Signup is a subscriber and their open request.
type Signup struct {
	Subscriber subscriber.Subscriber
	// Requested is when the open request was made; zero when there is none.
	Requested time.Time
	Name      string
	Topics    []string
}

// ConfirmationMail is a confirmation to send.
type ConfirmationMail struct {
	SubscriberID int64
	Email        string
	Attempts     int // failed attempts so far
}

// ConfirmationResult is the outcome of sending one ConfirmationMail:
// Err nil for sent; otherwise a retry at RetryAt, or given up on when
// RetryAt is zero.
type ConfirmationResult struct {
	SubscriberID int64
	Err          error
	RetryAt      time.Time
}
