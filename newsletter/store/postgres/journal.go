package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// journalQueries are the send journal's statements (queries/journal.sql).
type journalQueries struct {
	openIssue, lastIssue, itemsSent, lockIssues, insertIssue, setIssueArchive string
	insertItem, issueItems, queueDeliveries, pendingDeliveries                string
	countPending, skipOrphans, updateDeliveries, hardBounces, finishIssue     string
	unsentDeliveries, issueStats, allEvents                                   string
	registerSender, forgetSenders, heartbeat, retireSender                    string
	claimDeliveries, reserveSlots, inFlight                                   string
}

func (q *journalQueries) statements() map[string]*string {
	return map[string]*string{
		"open-issue":         &q.openIssue,
		"last-issue":         &q.lastIssue,
		"items-sent":         &q.itemsSent,
		"lock-issues":        &q.lockIssues,
		"insert-issue":       &q.insertIssue,
		"set-issue-archive":  &q.setIssueArchive,
		"insert-item":        &q.insertItem,
		"issue-items":        &q.issueItems,
		"queue-deliveries":   &q.queueDeliveries,
		"pending-deliveries": &q.pendingDeliveries,
		"count-pending":      &q.countPending,
		"skip-orphans":       &q.skipOrphans,
		"update-deliveries":  &q.updateDeliveries,
		"hard-bounces":       &q.hardBounces,
		"finish-issue":       &q.finishIssue,
		"unsent-deliveries":  &q.unsentDeliveries,
		"issue-stats":        &q.issueStats,
		"all-events":         &q.allEvents,
		"register-sender":    &q.registerSender,
		"forget-senders":     &q.forgetSenders,
		"heartbeat":          &q.heartbeat,
		"retire-sender":      &q.retireSender,
		"claim-deliveries":   &q.claimDeliveries,
		"reserve-slots":      &q.reserveSlots,
		"in-flight":          &q.inFlight,
	}
}

// queuePage is how many subscribers CreateIssue reads per query.
const queuePage = 5000

func (s *Store) oneIssue(ctx context.Context, q querier, sql string) (store.Issue, bool, error) {
	is, err := store.ScanIssue(q.QueryRow(ctx, sql))
	if errors.Is(err, pgx.ErrNoRows) {
		return store.Issue{}, false, nil
	}
	if err != nil {
		return store.Issue{}, false, fmt.Errorf("reading the issues: %w", err)
	}
	return is, true, nil
}

// OpenIssue implements store.Journal.
func (s *Store) OpenIssue(ctx context.Context) (store.Issue, bool, error) {
	return s.oneIssue(ctx, s.pool, s.q.openIssue)
}

// LastIssue implements store.Journal.
func (s *Store) LastIssue(ctx context.Context) (store.Issue, bool, error) {
	return s.oneIssue(ctx, s.pool, s.q.lastIssue)
}

// SentItems implements store.Journal.
func (s *Store) SentItems(ctx context.Context, ids []string) (map[string]bool, error) {
	sent := map[string]bool{}
	rows, err := s.pool.Query(ctx, s.q.itemsSent, ids)
	if err != nil {
		return nil, fmt.Errorf("looking up items: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		sent[id] = true
	}
	return sent, rows.Err()
}

// CreateIssue implements store.Journal. An advisory lock makes creators
// take turns: the second finds the first's issue open and gets
// ErrIssueOpen, so that it joins that issue.
func (s *Store) CreateIssue(ctx context.Context, in store.NewIssue, wants func(subscriber.Subscriber) bool) (store.Issue, int, error) {
	var is store.Issue
	queued := 0
	err := s.write(ctx, func(tx pgx.Tx) error {
		is, queued = store.Issue{}, 0
		if _, err := tx.Exec(ctx, s.q.lockIssues); err != nil {
			return err
		}
		if _, open, err := s.oneIssue(ctx, tx, s.q.openIssue); err != nil {
			return err
		} else if open {
			return store.ErrIssueOpen
		}
		err := tx.QueryRow(ctx, s.q.insertIssue, formatTime(in.Created), optionalTime(in.Since), formatTime(in.Cutoff), in.Subject).Scan(&is.ID, &is.Number)
		if err != nil {
			return fmt.Errorf("creating the issue: %w", err)
		}
		is.Created, is.Since, is.Cutoff, is.Subject, is.Status = in.Created, in.Since, in.Cutoff, in.Subject, store.IssueSending
		is.ArchivePath = strings.ReplaceAll(in.ArchivePath, "{n}", fmt.Sprint(is.Number))
		if _, err := tx.Exec(ctx, s.q.setIssueArchive, is.ArchivePath, is.ID); err != nil {
			return err
		}
		for i, it := range in.Items {
			if _, err := tx.Exec(ctx, s.q.insertItem, is.ID, i, it.ID, it.Section, it.Title, it.URL, it.SummaryHTML, it.SummaryText,
				strings.Join(it.Tags, ","), formatTime(it.Published)); err != nil {
				return fmt.Errorf("item %s: %w", it.ID, err)
			}
		}
		now := formatTime(in.Created)
		var after int64
		ids := make([]int64, 0, queuePage)
		for {
			subs, err := s.pageOn(ctx, tx, s.q.activeSubscribers, after, queuePage)
			if err != nil {
				return fmt.Errorf("reading subscribers: %w", err)
			}
			ids = ids[:0]
			for _, sub := range subs {
				if wants(sub) {
					ids = append(ids, sub.ID)
				}
			}
			if len(ids) > 0 {
				if _, err := tx.Exec(ctx, s.q.queueDeliveries, is.ID, now, ids); err != nil {
					return fmt.Errorf("queueing subscribers: %w", err)
				}
				queued += len(ids)
			}
			if len(subs) < queuePage {
				if queued == 0 {
					// Rolled back: no issue, and its items wait.
					return store.ErrNoRecipients
				}
				return nil
			}
			after = subs[len(subs)-1].ID
		}
	})
	if err != nil {
		return store.Issue{}, 0, err
	}
	return is, queued, nil
}

// Items implements store.Journal.
func (s *Store) Items(ctx context.Context, issueID int64) ([]store.Item, error) {
	rows, err := s.pool.Query(ctx, s.q.issueItems, issueID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return store.ReadItems(rows)
}

func readDeliveries(rows pgx.Rows, issueID int64) ([]store.Delivery, error) {
	defer rows.Close()
	var out []store.Delivery
	for rows.Next() {
		d := store.Delivery{IssueID: issueID}
		var state string
		var sub subscriber.Subscriber
		var topics, status, consentAt, created, updated string
		if err := rows.Scan(&state, &d.Attempts, &d.MessageID,
			&sub.ID, &sub.Email, &sub.Name, &topics, &status, &consentAt, &sub.Consent.How, &created, &updated,
			&sub.Link.Handle, &sub.Link.Secret); err != nil {
			return nil, err
		}
		d.State = store.DeliveryState(state)
		var err error
		if d.Subscriber, err = finishSubscriber(sub, topics, status, consentAt, created, updated); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// Pending implements store.Journal.
func (s *Store) Pending(ctx context.Context, issueID, after int64, limit int) ([]store.Delivery, error) {
	rows, err := s.pool.Query(ctx, s.q.pendingDeliveries, issueID, after, limit)
	if err != nil {
		return nil, err
	}
	return readDeliveries(rows, issueID)
}

// CountPending implements store.Journal.
func (s *Store) CountPending(ctx context.Context, issueID int64) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, s.q.countPending, issueID).Scan(&n)
	return n, err
}

// SkipOrphans implements store.Journal.
func (s *Store) SkipOrphans(ctx context.Context, issueID int64) (int, error) {
	tag, err := s.pool.Exec(ctx, s.q.skipOrphans, s.stamp(), issueID)
	return int(tag.RowsAffected()), err
}

// Record implements store.Journal: one statement per group, or a few
// when the group moves one row twice (they run in order), sent together.
func (s *Store) Record(ctx context.Context, updates []store.Update) error {
	if len(updates) == 0 {
		return nil
	}
	ctx = context.WithoutCancel(ctx)
	return s.write(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		parts := s.queueRecord(b, updates)
		return s.recorded(tx.SendBatch(ctx, b), parts, updates, true)
	})
}

// queueRecord queues the statements that record updates on b and returns
// how many it queued.
func (s *Store) queueRecord(b *pgx.Batch, updates []store.Update) int {
	now := s.stamp()
	parts := 0
	for rest := updates; len(rest) > 0; parts++ {
		n := distinctPrefix(rest)
		b.Queue(s.q.updateDeliveries, recordArgs(now, rest[:n])...)
		rest = rest[n:]
	}
	return parts
}

// recorded reads the results of queueRecord's parts statements off br,
// and closes it when told to.
func (s *Store) recorded(br pgx.BatchResults, parts int, updates []store.Update, closeIt bool) error {
	for range parts {
		if _, err := br.Exec(); err != nil {
			br.Close()
			return fmt.Errorf("journal rows (issue %d, %d rows): %w", updates[0].IssueID, len(updates), err)
		}
	}
	if closeIt {
		return br.Close()
	}
	return nil
}

// distinctPrefix is the length of the longest prefix of us that moves no
// row twice.
func distinctPrefix(us []store.Update) int {
	type key struct{ issue, sub int64 }
	seen := make(map[key]bool, len(us))
	for i, u := range us {
		k := key{u.IssueID, u.SubscriberID}
		if seen[k] {
			return i
		}
		seen[k] = true
	}
	return len(us)
}

// recordArgs are update-deliveries' arguments for us: one array a column.
func recordArgs(now string, us []store.Update) []any {
	n := len(us)
	issues, subs, attempts, senders := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	states, ids, failures, errs := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i, u := range us {
		issues[i], subs[i], attempts[i], senders[i] = u.IssueID, u.SubscriberID, int64(u.Attempts), u.Sender
		states[i], ids[i], failures[i], errs[i] = string(u.State), u.MessageID, string(u.Failure), strings.ToValidUTF8(u.Error, "")
	}
	return []any{now, issues, subs, states, ids, attempts, failures, errs, senders}
}

// HardBounces implements store.Journal.
func (s *Store) HardBounces(ctx context.Context, subscriberID int64) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, s.q.hardBounces, subscriberID).Scan(&n)
	return n, err
}

// FinishIssue implements store.Journal.
func (s *Store) FinishIssue(ctx context.Context, issueID int64, at time.Time) (bool, error) {
	tag, err := s.pool.Exec(ctx, s.q.finishIssue, issueID, formatTime(at))
	return tag.RowsAffected() == 1, err
}

// Unsent implements store.Journal.
func (s *Store) Unsent(ctx context.Context, issueID int64, yield func(store.Unsent) error) error {
	rows, err := s.pool.Query(ctx, s.q.unsentDeliveries, issueID)
	if err != nil {
		return err
	}
	all, err := store.ReadUnsent(rows)
	rows.Close()
	if err != nil {
		return err
	}
	for _, u := range all {
		if err := yield(u); err != nil {
			return err
		}
	}
	return nil
}

// Issues implements store.Journal.
func (s *Store) Issues(ctx context.Context) ([]store.IssueStats, error) {
	rows, err := s.pool.Query(ctx, s.q.issueStats)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return store.ReadIssueStats(rows)
}

// Events implements store.Journal.
func (s *Store) Events(ctx context.Context, yield func(store.Event) error) error {
	rows, err := s.pool.Query(ctx, s.q.allEvents)
	if err != nil {
		return err
	}
	defer rows.Close()
	return store.EachEvent(rows, yield)
}

// RegisterSender implements store.Journal.
func (s *Store) RegisterSender(ctx context.Context, host string, pid int, exclusive bool) (int64, error) {
	var id int64
	err := s.write(ctx, func(tx pgx.Tx) error {
		if exclusive {
			if _, err := tx.Exec(ctx, s.q.forgetSenders); err != nil {
				return err
			}
		}
		return tx.QueryRow(ctx, s.q.registerSender, host, pid, s.stamp()).Scan(&id)
	})
	return id, err
}

// Heartbeat implements store.Journal.
func (s *Store) Heartbeat(ctx context.Context, sender int64) error {
	tag, err := s.pool.Exec(ctx, s.q.heartbeat, s.stamp(), sender)
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrSenderGone
	}
	return err
}

// RetireSender implements store.Journal.
func (s *Store) RetireSender(ctx context.Context, sender int64) error {
	_, err := s.pool.Exec(ctx, s.q.retireSender, sender)
	return err
}

// Claim implements store.Journal.
func (s *Store) Claim(ctx context.Context, c store.ClaimRequest) (store.Claimed, error) {
	var out store.Claimed
	if c.Limit <= 0 {
		return out, fmt.Errorf("claim limit %d: want at least 1", c.Limit)
	}
	if len(c.Done) > 0 {
		// The outcomes must be written even when the send is being stopped.
		ctx = context.WithoutCancel(ctx)
	}
	err := s.write(ctx, func(tx pgx.Tx) error {
		out = store.Claimed{}
		now := s.now()
		// The outcomes and the claim go to the server together: one round
		// trip between BEGIN and COMMIT.
		b := &pgx.Batch{}
		parts := s.queueRecord(b, c.Done)
		b.Queue(s.q.claimDeliveries, c.IssueID, c.After, formatTime(now.Add(-c.Lease)), c.Limit, c.Sender, formatTime(now), c.SkipStale)
		br := tx.SendBatch(ctx, b)
		if err := s.recorded(br, parts, c.Done, false); err != nil {
			return err
		}
		rows, err := br.Query()
		if err != nil {
			br.Close()
			return err
		}
		out.Deliveries, err = readDeliveries(rows, c.IssueID)
		if cerr := br.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
		slices.SortFunc(out.Deliveries, func(a, b store.Delivery) int { return cmp.Compare(a.Subscriber.ID, b.Subscriber.ID) })
		if c.Interval > 0 && len(out.Deliveries) > 0 {
			span := int64(len(out.Deliveries)) * c.Interval.Microseconds()
			var end int64
			if err := tx.QueryRow(ctx, s.q.reserveSlots, now.UnixMicro(), span).Scan(&end); err != nil {
				return fmt.Errorf("reserving rate slots: %w", err)
			}
			out.SlotStart = time.UnixMicro(end - span)
		}
		return nil
	})
	return out, err
}

// InFlight implements store.Journal.
func (s *Store) InFlight(ctx context.Context, issueID, sender int64, lease time.Duration) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, s.q.inFlight, issueID, sender, formatTime(s.now().Add(-lease))).Scan(&n)
	return n, err
}
