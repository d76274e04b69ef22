package store

import (
	"context"
	"fmt"
	"time"

	"github.com/agora-hub/agora/newsletter/subscriber"
)

// Welcome is the welcome series' journal: one row per (step, subscriber),
// claimed at sending before its message goes out and moved to sent or
// failed after, or back to queued when the server deferred it. It gives
// welcome steps the digest's guarantees: each step goes to each person
// once, and a run killed mid-step sends again only the rows it had in
// flight, with the same Message-ID. It is apart from Journal so that a
// store may add it on its own; both engines implement all three.
type Welcome interface {
	// WelcomeDue returns up to limit active subscribers whose consent is
	// after start and at or before consentBy (the step is due for them),
	// and for whom step has no row or an unfinished one (queued, or
	// sending when a run died), with IDs above after, in ID order.
	WelcomeDue(ctx context.Context, step string, start, consentBy time.Time, after int64, limit int) ([]WelcomeDue, error)

	// ClaimWelcome moves each claim's row to sending, with its Message-ID,
	// for c.Sender, in one transaction committed before it returns.
	// Claimed[i] is false when claim i's subscriber is no longer active,
	// its row finished meanwhile, or another sender holds it (see
	// WelcomeClaimRequest): that message must not go from here.
	ClaimWelcome(ctx context.Context, c WelcomeClaimRequest) (WelcomeClaimed, error)

	// RecordWelcome applies outcomes in one transaction. As Journal's
	// Record, an update with a Sender other than 0 moves the row only
	// while that sender holds it, except to sent.
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

// WelcomeClaimRequest is what ClaimWelcome takes.
type WelcomeClaimRequest struct {
	Claims []WelcomeClaim
	// Sender is the registration (Journal.RegisterSender) that holds the
	// claimed rows; 0 with Exclusive. A row at sending is taken over only
	// from a holder that is not a live sender: no registration, or a
	// heartbeat older than Lease (a run that died).
	Sender int64
	Lease  time.Duration
	// Exclusive says the caller holds the welcome lock (SQLite's lock
	// file): any row at sending is a dead run's, taken over at once.
	Exclusive bool
	// Interval reserves one slot of the rate shared by every sender of the
	// database per claimed row, as Claim does; 0 for no rate.
	Interval time.Duration
}

// WelcomeClaimed is what ClaimWelcome took.
type WelcomeClaimed struct {
	Claimed []bool
	// SlotStart is when the first claimed message's rate slot begins; the
	// i-th claimed one may go at SlotStart + i×Interval.
	SlotStart time.Time
}

// WelcomeUpdate moves one row to State; Attempts is added to its count.
type WelcomeUpdate struct {
	Step         string
	SubscriberID int64
	// Sender is the sender that claimed the row; 0 moves it whoever holds it.
	Sender   int64
	State    DeliveryState
	Attempts int
	Failure  Failure
	Error    string
}

// WelcomeStats are one step's counts.
type WelcomeStats struct {
	Step                          string
	Sent, Failed, Skipped, Queued int
	// Unsubscribed counts those who got the step and unsubscribed within
	// the window after it.
	Unsubscribed int
}

// WelcomeRows are the rows of a welcome-stats query (step, state,
// failure, sent at, unsubscribed at), ordered by step: *sql.Rows and
// pgx.Rows both are.
type WelcomeRows interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// CountWelcome folds welcome-stats rows into per-step counts, the same
// for every engine; parseTime reads the engine's stored times.
func CountWelcome(rows WelcomeRows, window time.Duration, parseTime func(string) (time.Time, error)) ([]WelcomeStats, error) {
	var out []WelcomeStats
	for rows.Next() {
		var step, state, failure, sentAt, unsubAt string
		if err := rows.Scan(&step, &state, &failure, &sentAt, &unsubAt); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].Step != step {
			out = append(out, WelcomeStats{Step: step})
		}
		st := &out[len(out)-1]
		switch {
		case state == string(Sent):
			st.Sent++
		case state == string(Failed) && failure == string(Skipped):
			st.Skipped++
		case state == string(Failed):
			st.Failed++
		default:
			st.Queued++
		}
		if sentAt == "" || unsubAt == "" {
			continue
		}
		sent, err1 := parseTime(sentAt)
		unsub, err2 := parseTime(unsubAt)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("welcome row of step %s: bad time %q or %q", step, sentAt, unsubAt)
		}
		if unsub.Sub(sent) < window {
			st.Unsubscribed++
		}
	}
	return out, rows.Err()
}
