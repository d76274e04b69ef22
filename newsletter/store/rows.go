package store

import (
	"fmt"
	"strings"
	"time"
)

// Rows is what a query's result offers on both engines (database/sql's
// *sql.Rows, pgx's pgx.Rows). The readers below turn the columns of the
// journal's queries into values for both: each engine keeps its own SQL
// (queries/*.sql) and driver, and only this Go is shared. They do not
// close rows: the engine that opened them does.
type Rows interface {
	Row
	Next() bool
	Err() error
}

// Row is one row of a result, as both drivers' QueryRow give it.
type Row interface {
	Scan(dest ...any) error
}

// TimeFormat is how both engines store times: fixed-width UTC that sorts
// as text.
const TimeFormat = "2006-01-02T15:04:05.000Z"

// ScanIssue reads an issue's columns (id, number, created, since,
// cutoff, sent_at, status, subject, archive_path; since and sent_at empty
// when unset), then extra.
func ScanIssue(r Row, extra ...any) (Issue, error) {
	var is Issue
	var created, since, cutoff, sentAt, status string
	dest := append([]any{&is.ID, &is.Number, &created, &since, &cutoff, &sentAt, &status, &is.Subject, &is.ArchivePath}, extra...)
	if err := r.Scan(dest...); err != nil {
		return is, err
	}
	is.Status = IssueStatus(status)
	var err error
	if is.Created, err = time.Parse(TimeFormat, created); err == nil {
		if is.Cutoff, err = time.Parse(TimeFormat, cutoff); err == nil {
			if is.Since, err = ParseOptionalTime(since); err == nil {
				is.SentAt, err = ParseOptionalTime(sentAt)
			}
		}
	}
	if err != nil {
		return is, fmt.Errorf("issue %d: %w", is.Number, err)
	}
	return is, nil
}

// ReadIssueStats reads issue-stats: an issue's columns, then its counts.
func ReadIssueStats(rows Rows) ([]IssueStats, error) {
	var out []IssueStats
	for rows.Next() {
		var st IssueStats
		is, err := ScanIssue(rows, &st.Recipients, &st.Sent, &st.Failed, &st.Skipped, &st.Pending, &st.Bounces, &st.Items, &st.Unsubscribes)
		if err != nil {
			return nil, err
		}
		st.Issue = is
		out = append(out, st)
	}
	return out, rows.Err()
}

// ParseOptionalTime is a time column that may be empty (the zero time).
func ParseOptionalTime(v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	return time.Parse(TimeFormat, v)
}

// ReadItems reads issue-items: id, section, title, url, summary_html,
// summary_text, tags, published.
func ReadItems(rows Rows) ([]Item, error) {
	var items []Item
	for rows.Next() {
		var it Item
		var tags, published string
		if err := rows.Scan(&it.ID, &it.Section, &it.Title, &it.URL, &it.SummaryHTML, &it.SummaryText, &tags, &published); err != nil {
			return nil, err
		}
		it.Tags = SplitTopics(tags)
		var err error
		if it.Published, err = time.Parse(TimeFormat, published); err != nil {
			return nil, fmt.Errorf("item %s: %w", it.ID, err)
		}
		items = append(items, it)
	}
	return items, rows.Err()
}

// ReadUnsent reads unsent-deliveries in full: email, state, failure,
// last_error. In full, so that a caller yielding them to a slow writer
// (the summary goes to a pipe) does not keep a query open meanwhile.
func ReadUnsent(rows Rows) ([]Unsent, error) {
	var all []Unsent
	for rows.Next() {
		var u Unsent
		var state, failure string
		if err := rows.Scan(&u.Email, &state, &failure, &u.Error); err != nil {
			return nil, err
		}
		u.State, u.Failure = DeliveryState(state), Failure(failure)
		all = append(all, u)
	}
	return all, rows.Err()
}

// EachEvent yields the rows of all-events: at, from_status, to_status, how.
func EachEvent(rows Rows, yield func(Event) error) error {
	for rows.Next() {
		var e Event
		var at string
		if err := rows.Scan(&at, &e.From, &e.To, &e.How); err != nil {
			return err
		}
		var err error
		if e.At, err = time.Parse(TimeFormat, at); err != nil {
			return err
		}
		if err := yield(e); err != nil {
			return err
		}
	}
	return rows.Err()
}

// SplitTopics is a topics column as a list ("" is none).
func SplitTopics(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}
