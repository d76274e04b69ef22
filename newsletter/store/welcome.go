package store

import (
	"context"
	"time"

	"github.com/agora-hub/agora/newsletter/subscriber"
)

// Welcome is the welcome series' journal: one row per (step, subscriber),
// claimed at sending before its message goes out and moved to sent or
// failed after, or back to queued when the server deferred it. It gives
// welcome steps the digest's guarantees: each step goes to each person
// once, and a run killed mid-step sends again only the rows it had in
// flight, with the same Message-ID. It is apart from Journal so that a
// store may add it on its own; the SQLite store implements all three.
type Welcome interface {
	// WelcomeDue returns up to limit active subscribers whose consent is
	// after start and at or before consentBy (the step is due for them),
	// and for whom step has no row or an unfinished one (queued, or
	// sending when a run died), with IDs above after, in ID order.
	WelcomeDue(ctx context.Context, step string, start, consentBy time.Time, after int64, limit int) ([]WelcomeDue, error)

	// ClaimWelcome moves each claim's row to sending, with its Message-ID,
	// in one transaction committed before it returns; claimed[i] is false
	// when claim i's subscriber is no longer active or its row finished
	// meanwhile: that message must not go.
	ClaimWelcome(ctx context.Context, claims []WelcomeClaim) (claimed []bool, err error)

	// RecordWelcome applies outcomes in one transaction.
	RecordWelcome(ctx context.Context, updates []WelcomeUpdate) error

	// WelcomeStats counts, per step identity, what was sent and failed,
	// and how many unsubscribed within window after their step's mail.
	WelcomeStats(ctx context.Context, window time.Duration) ([]WelcomeStats, error)
}

// WelcomeDue is a subscriber a step is due for, with its row's state
// ("" when there is none yet).
type WelcomeDue struct {
	Subscriber subscriber.Subscriber
	State      DeliveryState
	Attempts   int
}

// WelcomeClaim claims one (step, subscriber) row.
type WelcomeClaim struct {
	Step         string
	SubscriberID int64
	MessageID    string
}

// WelcomeUpdate moves one row to State; Attempts is added to its count.
type WelcomeUpdate struct {
	Step         string
	SubscriberID int64
	State        DeliveryState
	Attempts     int
	Failure      Failure
	Error        string
}

// WelcomeStats are one step's counts.
type WelcomeStats struct {
	Step                          string
	Sent, Failed, Skipped, Queued int
	// Unsubscribed counts those who got the step and unsubscribed within
	// the window after it.
	Unsubscribed int
}
