package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/agora-hub/agora/newsletter/subscriber"
	"github.com/agora-hub/agora/newsletter/token"
)

// Signups is what the sign-up service (agora listen) needs beyond Store.
// It is apart from Store so that commands that never take sign-ups need
// not care; both engines implement it.
//
// A request from the form goes into an inbox, and the mail worker applies
// the inbox in order of arrival (ProcessSignups): the answer to a request
// costs the same whatever the address, and the limits are decided where
// no visitor can time them. A request applied is kept beside the
// subscriber, not in it, until the owner of the address confirms it: what
// a visitor typed must never change a subscriber who did not agree, and
// an unsubscribed address stays unsubscribed until its owner says
// otherwise. Links name subscribers by their handle (subscriber.Link),
// never by address or ID.
type Signups interface {
	// ApplySignups runs ops in one write transaction, each inside a
	// savepoint: an op that returns an error is undone alone, and errs[i]
	// is op i's error. When the transaction itself fails, err says why and
	// nothing was written. One transaction for many requests is the
	// service's group commit: a burst of sign-ups shares one commit, and
	// one wait for the disk, instead of queueing for one each.
	ApplySignups(ctx context.Context, ops []func(SignupTx) error) (errs []error, err error)

	// ProcessSignups applies up to limit requests from the inbox, oldest
	// first, in one transaction, and reports what it did. A request is
	// applied only when rules allow a confirmation mail to its mailbox
	// (subscriber.Mailbox) now: then an unknown address is added as
	// pending with consent "form", the request replaces any open one of
	// the address (whose link stops working) and a mail is queued. Else
	// it is dropped, and an open request and the link mailed for it stay
	// as they were: a request nobody will be mailed about must change
	// nothing.
	ProcessSignups(ctx context.Context, limit int, rules MailRules) (Processed, error)

	// Link returns the subscriber a link names and their open request:
	// by ref.Handle, or, for a link made before handles, by
	// ref.LegacyID when that row is provably the one the link was made
	// for (the first ever to hold the ID). ErrNotFound otherwise.
	Link(ctx context.Context, ref LinkRef) (Signup, error)

	// DueConfirmations claims up to limit confirmation mails queued and
	// due now, oldest first: they are not due again for ConfirmationLease,
	// so that another sign-up service sharing the database does not send
	// them too, and a service that died while sending them leaves them to
	// the others after that. RecordConfirmations settles them. With
	// perHour above 0 it claims only as many as keep the mails sent in the
	// last hour (ConfirmationsSent) and those claimed and not yet settled
	// within perHour: the hourly cap holds for every service together.
	DueConfirmations(ctx context.Context, limit, perHour int) ([]ConfirmationMail, error)

	// NextConfirmationDue is when the next queued confirmation is due, if
	// one is queued.
	NextConfirmationDue(ctx context.Context) (time.Time, bool, error)

	// ConfirmationsSent counts the confirmation mails sent after since,
	// and returns the earliest of them: the global hourly cap.
	ConfirmationsSent(ctx context.Context, since time.Time) (int, time.Time, error)

	// RecordConfirmations stores what happened to mails from
	// DueConfirmations, in one transaction, and ends their claim.
	RecordConfirmations(ctx context.Context, results []ConfirmationResult) error

	// PurgeUnconfirmed erases the subscribers that the form added as
	// pending and who did not confirm a request whose mail went before
	// cutoff (the addresses of people who never agreed are not kept), and
	// closes such requests of other subscribers. A request whose mail is
	// still queued is kept, however old.
	PurgeUnconfirmed(ctx context.Context, cutoff time.Time) (int, error)

	// PruneLimits forgets what the limits no longer need: confirmation
	// mails to a mailbox queued before mailboxes, sends before sends, used
	// form tokens that expired before now, and the TakeToken buckets that
	// are full again.
	PruneLimits(ctx context.Context, mailboxes, sends, now time.Time) error
}

// SignupTx is what an op of ApplySignups may do.
type SignupTx interface {
	// ReceiveSignup puts a request from the form in the inbox, and spends
	// its form token: ErrFormTokenUsed when the token was spent already.
	// It runs the same statements whatever the address.
	ReceiveSignup(r SignupRequest) error

	// ConfirmSignup applies the open request of subscriber id whose nonce
	// is request and makes them active with consent (now, how). It
	// returns ErrNoRequest when that request is not open (confirmed,
	// replaced by a later one, or dropped by an unsubscribe), so a
	// confirmation link works once, for the request it was mailed for.
	ConfirmSignup(id int64, request, how string) (subscriber.Subscriber, error)

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

// Errors of the sign-up store.
var (
	// ErrNoRequest is a confirmation with no open request to confirm.
	ErrNoRequest = errors.New("no sign-up request to confirm")
	// ErrFormTokenUsed is a form token posted a second time.
	ErrFormTokenUsed = errors.New("the form token was used already")
)

// LegacyRequest is the nonce of a request that was open, its mail sent,
// when links got handles: its mailed link, in the old format, may confirm
// it (see listen).
const LegacyRequest = "legacy"

// SignupRequest is a sign-up as the form posted it, validated.
type SignupRequest struct {
	Email, Name string
	Topics      []string
	// FormToken is the nonce of the form token it came with, and
	// FormExpires when that token expires: until then it cannot be used
	// again.
	FormToken   string
	FormExpires time.Time
}

// MailRules are the limits on confirmation mail to one mailbox.
type MailRules struct {
	Every     time.Duration // the least time between two
	Window    time.Duration // and at most PerWindow within Window
	PerWindow int
}

// Processed says what ProcessSignups did.
type Processed struct {
	Taken   int // requests read from the inbox
	Queued  int // of them, applied with a mail queued
	Dropped int // of them, over a mailbox's limits
}

// LinkRef is what a link says of its subscriber.
type LinkRef struct {
	Handle   string
	LegacyID int64
}

// Signup is a subscriber and their open request.
type Signup struct {
	Subscriber subscriber.Subscriber
	// Request is the open request's nonce, "" when none is open;
	// Requested when it was made, Name and Topics what it asks for.
	Request   string
	Requested time.Time
	Name      string
	Topics    []string
	// Confirmed is the nonce of the request confirmed last.
	Confirmed string
	// MailSent is when the open request's confirmation went out; zero
	// while it waits in the queue.
	MailSent time.Time
}

// ConfirmationMail is a confirmation to send.
type ConfirmationMail struct {
	SubscriberID int64
	Email        string
	Link         token.Subject
	Request      string // the nonce its link carries
	Attempts     int    // failed attempts so far
}

// ConfirmationResult is the outcome of sending one ConfirmationMail:
// Err nil for sent; otherwise a retry at RetryAt, or given up on when
// RetryAt is zero. Untried puts back a mail that was not tried (the relay
// was down): due again at once, no attempt counted.
type ConfirmationResult struct {
	SubscriberID int64
	Request      string // ConfirmationMail.Request
	Err          error
	RetryAt      time.Time
	Untried      bool
}

// MailboxKey is what the per-mailbox limits store of an address: a hash
// of its canonical mailbox (subscriber.Mailbox), since counting needs no
// address. Both engines store the same value, so a copy keeps the limits.
func MailboxKey(email string) string {
	h := sha256.Sum256([]byte("agora-mailbox\x00" + subscriber.Mailbox(email)))
	return hex.EncodeToString(h[:])
}

// FormTokenKey is what is stored of a spent form token's nonce.
func FormTokenKey(nonce string) string {
	h := sha256.Sum256([]byte("agora-form-token\x00" + nonce))
	return hex.EncodeToString(h[:])
}
