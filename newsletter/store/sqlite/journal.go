package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

var _ store.Journal = (*Store)(nil)

// journalQueries are the send journal's statements (queries/journal.sql).
type journalQueries struct {
	openIssue, lastIssue, itemSent, insertIssue, setIssueArchive *sql.Stmt
	insertItem, issueItems, queueDeliveries, pendingDeliveries   *sql.Stmt
	countPending, skipOrphans, updateDelivery, hardBounces       *sql.Stmt
	finishIssue                                                  *sql.Stmt
	unsentDeliveries, issueStats, allEvents                      *sql.Stmt

	registerSender, forgetSenders, heartbeat, retireSender     *sql.Stmt
	claimStale, claimQueued, takeDeliveries, claimedDeliveries *sql.Stmt
	reserveSlots, inFlight                                     *sql.Stmt
}

func (q *journalQueries) statements() map[string]**sql.Stmt {
	return map[string]**sql.Stmt{
		"open-issue":         &q.openIssue,
		"last-issue":         &q.lastIssue,
		"item-sent":          &q.itemSent,
		"insert-issue":       &q.insertIssue,
		"set-issue-archive":  &q.setIssueArchive,
		"insert-item":        &q.insertItem,
		"issue-items":        &q.issueItems,
		"queue-deliveries":   &q.queueDeliveries,
		"count-pending":      &q.countPending,
		"pending-deliveries": &q.pendingDeliveries,
		"skip-orphans":       &q.skipOrphans,
		"update-delivery":    &q.updateDelivery,
		"hard-bounces":       &q.hardBounces,
		"finish-issue":       &q.finishIssue,
		"unsent-deliveries":  &q.unsentDeliveries,
		"issue-stats":        &q.issueStats,
		"all-events":         &q.allEvents,
		"register-sender":    &q.registerSender,
		"forget-senders":     &q.forgetSenders,
		"heartbeat":          &q.heartbeat,
		"retire-sender":      &q.retireSender,
		"claim-stale":        &q.claimStale,
		"claim-queued":       &q.claimQueued,
		"take-deliveries":    &q.takeDeliveries,
		"claimed-deliveries": &q.claimedDeliveries,
		"reserve-slots":      &q.reserveSlots,
		"in-flight":          &q.inFlight,
	}
}

// queuePage is how many subscribers CreateIssue reads per query.
const queuePage = 1000

func optionalTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

func (s *Store) oneIssue(ctx context.Context, stmt *sql.Stmt) (store.Issue, bool, error) {
	is, err := store.ScanIssue(stmt.QueryRowContext(ctx))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Issue{}, false, nil
	}
	if err != nil {
		return store.Issue{}, false, fmt.Errorf("reading the issues: %w", err)
	}
	return is, true, nil
}

// OpenIssue implements store.Journal.
func (s *Store) OpenIssue(ctx context.Context) (store.Issue, bool, error) {
	return s.oneIssue(ctx, s.q.openIssue)
}

// LastIssue implements store.Journal.
func (s *Store) LastIssue(ctx context.Context) (store.Issue, bool, error) {
	return s.oneIssue(ctx, s.q.lastIssue)
}

// SentItems implements store.Journal.
func (s *Store) SentItems(ctx context.Context, ids []string) (map[string]bool, error) {
	sent := map[string]bool{}
	for _, id := range ids {
		var found bool
		if err := s.q.itemSent.QueryRowContext(ctx, id).Scan(&found); err != nil {
			return nil, fmt.Errorf("looking up item %q: %w", id, err)
		}
		if found {
			sent[id] = true
		}
	}
	return sent, nil
}

// CreateIssue implements store.Journal.
func (s *Store) CreateIssue(ctx context.Context, in store.NewIssue, wants func(subscriber.Subscriber) bool) (store.Issue, int, error) {
	var is store.Issue
	queued := 0
	err := s.write(ctx, func(tx *sql.Tx) error {
		// BEGIN IMMEDIATE holds the write lock from here, so the check and
		// the insert cannot interleave with another agora's; the partial
		// unique index issues_one_sending backs it up.
		if _, open, err := scanOpen(ctx, tx.StmtContext(ctx, s.q.openIssue)); err != nil {
			return err
		} else if open {
			return store.ErrIssueOpen
		}
		err := tx.StmtContext(ctx, s.q.insertIssue).QueryRowContext(ctx,
			formatTime(in.Created), optionalTime(in.Since), formatTime(in.Cutoff), in.Subject).Scan(&is.ID, &is.Number)
		if err != nil {
			return fmt.Errorf("creating the issue: %w", err)
		}
		is.Created, is.Since, is.Cutoff, is.Subject, is.Status = in.Created, in.Since, in.Cutoff, in.Subject, store.IssueSending
		is.ArchivePath = strings.ReplaceAll(in.ArchivePath, "{n}", fmt.Sprint(is.Number))
		if _, err := tx.StmtContext(ctx, s.q.setIssueArchive).ExecContext(ctx, is.ArchivePath, is.ID); err != nil {
			return err
		}
		insItem := tx.StmtContext(ctx, s.q.insertItem)
		for i, it := range in.Items {
			if _, err := insItem.ExecContext(ctx, is.ID, i, it.ID, it.Section, it.Title, it.URL, it.SummaryHTML, it.SummaryText,
				strings.Join(it.Tags, ","), formatTime(it.Published)); err != nil {
				return fmt.Errorf("item %s: %w", it.ID, err)
			}
		}
		queue := tx.StmtContext(ctx, s.q.queueDeliveries)
		page := tx.StmtContext(ctx, s.q.activeSubscribers)
		now := formatTime(in.Created)
		var after int64
		ids := make([]byte, 0, queuePage*8)
		for {
			subs, err := s.page(ctx, page, after, queuePage)
			if err != nil {
				return fmt.Errorf("reading subscribers: %w", err)
			}
			ids = append(ids[:0], '[')
			n := 0
			for _, sub := range subs {
				if !wants(sub) {
					continue
				}
				if n > 0 {
					ids = append(ids, ',')
				}
				ids = strconv.AppendInt(ids, sub.ID, 10)
				n++
			}
			ids = append(ids, ']')
			if n > 0 {
				if _, err := queue.ExecContext(ctx, is.ID, now, string(ids)); err != nil {
					return fmt.Errorf("queueing subscribers: %w", err)
				}
				queued += n
			}
			if len(subs) < queuePage {
				if queued == 0 {
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

func scanOpen(ctx context.Context, stmt *sql.Stmt) (store.Issue, bool, error) {
	is, err := store.ScanIssue(stmt.QueryRowContext(ctx))
	if errors.Is(err, sql.ErrNoRows) {
		return is, false, nil
	}
	return is, err == nil, err
}

// Items implements store.Journal.
func (s *Store) Items(ctx context.Context, issueID int64) ([]store.Item, error) {
	rows, err := s.q.issueItems.QueryContext(ctx, issueID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return store.ReadItems(rows)
}

// Pending implements store.Journal.
func (s *Store) Pending(ctx context.Context, issueID, after int64, limit int) ([]store.Delivery, error) {
	return scanDeliveries(s.q.pendingDeliveries.QueryContext(ctx, issueID, after, limit))(issueID)
}

func scanDeliveries(rows *sql.Rows, err error) func(issueID int64) ([]store.Delivery, error) {
	return func(issueID int64) ([]store.Delivery, error) {
		if err != nil {
			return nil, err
		}
		return readDeliveries(rows, issueID)
	}
}

func readDeliveries(rows *sql.Rows, issueID int64) ([]store.Delivery, error) {
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
		sub.Topics, sub.Status = store.SplitTopics(topics), subscriber.Status(status)
		d.Subscriber = sub
		out = append(out, d)
	}
	return out, rows.Err()
}

// CountPending implements store.Journal.
func (s *Store) CountPending(ctx context.Context, issueID int64) (int, error) {
	var n int
	err := s.q.countPending.QueryRowContext(ctx, issueID).Scan(&n)
	return n, err
}

// SkipOrphans implements store.Journal.
func (s *Store) SkipOrphans(ctx context.Context, issueID int64) (int, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, s.q.skipOrphans).ExecContext(ctx, s.stamp(), issueID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// Record implements store.Journal.
func (s *Store) Record(ctx context.Context, updates []store.Update) error {
	if len(updates) == 0 {
		return nil
	}
	// The journal must be written even when the send is being stopped:
	// a row sent but not recorded would be mailed again next run.
	ctx = context.WithoutCancel(ctx)
	return s.write(ctx, func(tx *sql.Tx) error { return s.record(ctx, tx, updates) })
}

func (s *Store) record(ctx context.Context, tx *sql.Tx, updates []store.Update) error {
	stmt := tx.StmtContext(ctx, s.q.updateDelivery)
	now := s.stamp()
	for _, u := range updates {
		if _, err := stmt.ExecContext(ctx, string(u.State), u.MessageID, u.Attempts, string(u.Failure), u.Error, now,
			u.IssueID, u.SubscriberID, u.Sender); err != nil {
			return fmt.Errorf("journal row (issue %d, subscriber %d): %w", u.IssueID, u.SubscriberID, err)
		}
	}
	return nil
}

// HardBounces implements store.Journal.
func (s *Store) HardBounces(ctx context.Context, subscriberID int64) (int, error) {
	var n int
	err := s.q.hardBounces.QueryRowContext(ctx, subscriberID).Scan(&n)
	return n, err
}

// FinishIssue implements store.Journal.
func (s *Store) FinishIssue(ctx context.Context, issueID int64, at time.Time) (bool, error) {
	var n int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, s.q.finishIssue).ExecContext(ctx, issueID, formatTime(at))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n == 1, err
}

// Unsent implements store.Journal.
func (s *Store) Unsent(ctx context.Context, issueID int64, yield func(store.Unsent) error) error {
	rows, err := s.q.unsentDeliveries.QueryContext(ctx, issueID)
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
	rows, err := s.q.issueStats.QueryContext(ctx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return store.ReadIssueStats(rows)
}

// Events implements store.Journal.
func (s *Store) Events(ctx context.Context, yield func(store.Event) error) error {
	rows, err := s.q.allEvents.QueryContext(ctx)
	if err != nil {
		return err
	}
	defer rows.Close()
	return store.EachEvent(rows, yield)
}

// RegisterSender implements store.Journal.
func (s *Store) RegisterSender(ctx context.Context, host string, pid int, exclusive bool) (int64, error) {
	var id int64
	err := s.write(ctx, func(tx *sql.Tx) error {
		if exclusive {
			if _, err := tx.StmtContext(ctx, s.q.forgetSenders).ExecContext(ctx); err != nil {
				return err
			}
		}
		return tx.StmtContext(ctx, s.q.registerSender).QueryRowContext(ctx, host, pid, s.stamp()).Scan(&id)
	})
	return id, err
}

// Heartbeat implements store.Journal.
func (s *Store) Heartbeat(ctx context.Context, sender int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.StmtContext(ctx, s.q.heartbeat).ExecContext(ctx, s.stamp(), sender)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return cmp.Or(err, store.ErrSenderGone)
		}
		return nil
	})
}

// RetireSender implements store.Journal.
func (s *Store) RetireSender(ctx context.Context, sender int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.StmtContext(ctx, s.q.retireSender).ExecContext(ctx, sender)
		return err
	})
}

// Claim implements store.Journal. The write transaction (BEGIN
// IMMEDIATE) is what keeps two claims apart here.
func (s *Store) Claim(ctx context.Context, c store.ClaimRequest) (store.Claimed, error) {
	var out store.Claimed
	if c.Limit <= 0 {
		return out, fmt.Errorf("claim limit %d: want at least 1", c.Limit)
	}
	if len(c.Done) > 0 {
		// The outcomes must be written even when the send is being stopped.
		ctx = context.WithoutCancel(ctx)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		if err := s.record(ctx, tx, c.Done); err != nil {
			return err
		}
		now := s.now()
		var ids []int64
		var err error
		if !c.SkipStale {
			if ids, err = s.ids(ctx, tx.StmtContext(ctx, s.q.claimStale), c.IssueID, formatTime(now.Add(-c.Lease)), c.Limit); err != nil {
				return err
			}
		}
		if len(ids) < c.Limit {
			more, err := s.ids(ctx, tx.StmtContext(ctx, s.q.claimQueued), c.IssueID, c.After, c.Limit-len(ids))
			if err != nil {
				return err
			}
			ids = append(ids, more...)
		}
		if len(ids) == 0 {
			return nil
		}
		list := idList(ids)
		// Read before the update, so that each row says where it was.
		if out.Deliveries, err = scanDeliveries(tx.StmtContext(ctx, s.q.claimedDeliveries).QueryContext(ctx, c.IssueID, list))(c.IssueID); err != nil {
			return err
		}
		if _, err := tx.StmtContext(ctx, s.q.takeDeliveries).ExecContext(ctx, c.IssueID, c.Sender, formatTime(now), list); err != nil {
			return err
		}
		if c.Interval > 0 {
			span := int64(len(ids)) * c.Interval.Microseconds()
			var end int64
			if err := tx.StmtContext(ctx, s.q.reserveSlots).QueryRowContext(ctx, now.UnixMicro(), span).Scan(&end); err != nil {
				return fmt.Errorf("reserving rate slots: %w", err)
			}
			out.SlotStart = time.UnixMicro(end - span)
		}
		return nil
	})
	return out, err
}

func (s *Store) ids(ctx context.Context, stmt *sql.Stmt, args ...any) ([]int64, error) {
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// idList is ids as a JSON array, for json_each.
func idList(ids []int64) string {
	b := make([]byte, 0, len(ids)*8)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// InFlight implements store.Journal.
func (s *Store) InFlight(ctx context.Context, issueID, sender int64, lease time.Duration) (int, error) {
	var n int
	err := s.q.inFlight.QueryRowContext(ctx, issueID, sender, formatTime(s.now().Add(-lease))).Scan(&n)
	return n, err
}
