// Package storetest is the conformance suite of the store: every
// behaviour that agora's commands rely on, run unchanged against each
// engine (store/sqlite and store/postgres call Run from their tests). A
// new behaviour is tested here once, and holds on both engines or fails.
package storetest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

var ctx = context.Background()

// Engine is what the suite needs of an engine.
type Engine struct {
	// New makes a fresh, empty database for one test and returns how to
	// open it (as often as the test likes, each a store of its own, as
	// separate processes would have) and how to look at it with plain SQL.
	New func(t testing.TB) (open func(t testing.TB, now func() time.Time) store.DB, raw Raw)
}

// Raw runs plain SQL on the database, bypassing the store, so that a test
// can see what the store wrote. Placeholders are written "?" (the
// PostgreSQL engine numbers them), and the SQL must mean the same on both
// engines.
type Raw interface {
	Exec(t testing.TB, query string, args ...any)
	// Rows returns every row, each value as its text ("" for NULL).
	Rows(t testing.TB, query string, args ...any) [][]string
}

// Run runs the whole suite.
func Run(t *testing.T, e Engine) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, Engine)
	}{
		{"MigrationsAndReopen", testMigrationsAndReopen},
		{"NewerThanBinary", testNewerThanBinary},
		{"ConcurrentWriters", testConcurrentWriters},
		{"Add", testAdd},
		{"ResubscribeNeedsReplace", testResubscribeNeedsReplace},
		{"RemoveErasesPersonalData", testRemoveErasesPersonalData},
		{"ImportIdempotent", testImportIdempotent},
		{"ImportKeepsHistory", testImportKeepsHistory},
		{"ImportLarge", testImportLarge},
		{"ListAndActiveCursor", testListAndActiveCursor},
		{"ListByteOrder", testListByteOrder},
		{"CreateIssueQueuesAndCounts", testCreateIssueQueuesAndCounts},
		{"CreateIssueOneWinner", testCreateIssueOneWinner},
		{"Issues", testIssues},
		{"ClaimsAreDisjoint", testClaimsAreDisjoint},
		{"ClaimTakesBackAfterLease", testClaimTakesBackAfterLease},
		{"ExclusiveSenderTakesBackAtOnce", testExclusiveSender},
		{"RecordRespectsHolder", testRecordRespectsHolder},
		{"ClaimRecordsDone", testClaimRecordsDone},
		{"ClaimSkipStale", testClaimSkipStale},
		{"SharedRateSlots", testSharedRateSlots},
		{"CreateIssueWithNoRecipient", testCreateIssueWithNoRecipient},
		{"MailboxLimits", testMailboxLimits},
		{"MailboxLimitsShared", testMailboxLimitsShared},
		{"FormTokenSpentOnce", testFormTokenSpentOnce},
		{"ConfirmSignupBindsRequest", testConfirmSignupBindsRequest},
		{"UsedLinkAfterUnsubscribe", testUsedLinkAfterUnsubscribe},
		{"SignupLeavesKnownSubscribersAlone", testSignupLeavesKnownSubscribersAlone},
		{"UnsubscribeByID", testUnsubscribeByID},
		{"SetPreferences", testSetPreferences},
		{"ConfirmationQueue", testConfirmationQueue},
		{"ConfirmationUntried", testConfirmationUntried},
		{"SentRecordsItsOwnRequest", testSentRecordsItsOwnRequest},
		{"ConfirmationClaims", testConfirmationClaims},
		{"ConfirmationQueueShared", testConfirmationQueueShared},
		{"ConfirmCapShared", testConfirmCapShared},
		{"PurgeUnconfirmed", testPurgeUnconfirmed},
		{"RemoveErasesSignup", testRemoveErasesSignup},
		{"PruneLimits", testPruneLimits},
		{"ApplySignupsIsolatesOps", testApplySignupsIsolatesOps},
		{"IDsNeverReused", testIDsNeverReused},
		{"TakeTokenShared", testTakeTokenShared},
		{"WelcomeJournal", testWelcomeJournal},
		{"WelcomeClaimsShared", testWelcomeClaimsShared},
		{"CopyRoundTrip", testCopyRoundTrip},
		{"Status", testStatus},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, e) })
	}
}

// Clock is a test clock. Tick makes it advance a second per reading, so
// that every write has its own time; otherwise it stands still until
// Advance.
type Clock struct {
	mu   sync.Mutex
	t    time.Time
	tick bool
}

// NewClock starts at 2026-03-01 09:00 UTC.
func NewClock(tick bool) *Clock {
	return &Clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), tick: tick}
}

// Now reads the clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tick {
		c.t = c.t.Add(time.Second)
	}
	return c.t
}

// Advance moves the clock.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// fresh opens a new database with a ticking clock.
func fresh(t *testing.T, e Engine) (store.DB, Raw) {
	t.Helper()
	open, raw := e.New(t)
	return open(t, NewClock(true).Now), raw
}

// freshClock opens a new database with a clock that stands still.
func freshClock(t *testing.T, e Engine) (store.DB, *Clock, Raw) {
	t.Helper()
	open, raw := e.New(t)
	c := NewClock(false)
	return open(t, c.Now), c, raw
}

func newSub(t testing.TB, email, name string, topics []string, st subscriber.Status, how string) subscriber.Subscriber {
	t.Helper()
	s, err := subscriber.New(email, name, topics, st, subscriber.Consent{How: how})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// events is the history of statuses, oldest first.
func events(t testing.TB, raw Raw) []string {
	t.Helper()
	var out []string
	for _, r := range raw.Rows(t, `SELECT COALESCE(from_status, ''), to_status, how FROM subscriber_events ORDER BY id`) {
		out = append(out, strings.TrimSpace(fmt.Sprintf("%s -> %s (%s)", r[0], r[1], r[2])))
	}
	return out
}

func count(t testing.TB, raw Raw, query string, args ...any) int {
	t.Helper()
	rows := raw.Rows(t, query, args...)
	var n int
	if len(rows) != 1 || len(rows[0]) != 1 {
		t.Fatalf("%s: %v, want one number", query, rows)
	}
	if _, err := fmt.Sscan(rows[0][0], &n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}
