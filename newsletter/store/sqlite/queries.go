package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"sort"
	"strings"
)

// queries holds the prepared statements. Each job's statements live in
// their own struct and queries/*.sql file (subscribers here; the send
// journal and the sign-up service add theirs), so work on one never edits
// the others' lines.
type queries struct {
	getSubscriber, insertSubscriber, updateSubscriber, deleteSubscriber *sql.Stmt
	scrubDeliveries, scrubSignupInbox, scrubConfirmationMailboxes       *sql.Stmt
	insertEvent                                                         *sql.Stmt
	listSubscribers, countByStatus, activeSubscribers                   *sql.Stmt
	journalQueries                                                      // journal.go
	signupQueries                                                       // signup.go
	adminQueries                                                        // admin.go
	welcomeQueries                                                      // welcome.go

	stmts []*sql.Stmt // every prepared statement, for close
}

// statements maps every query name in queries/*.sql to the field its
// prepared statement goes in. A job with statements of its own adds one
// line here that merges its struct's names.
func (q *queries) statements() map[string]**sql.Stmt {
	want := map[string]**sql.Stmt{
		"get-subscriber":               &q.getSubscriber,
		"insert-subscriber":            &q.insertSubscriber,
		"update-subscriber":            &q.updateSubscriber,
		"delete-subscriber":            &q.deleteSubscriber,
		"scrub-deliveries":             &q.scrubDeliveries,
		"scrub-signup-inbox":           &q.scrubSignupInbox,
		"scrub-confirmation-mailboxes": &q.scrubConfirmationMailboxes,
		"insert-event":                 &q.insertEvent,
		"list-subscribers":             &q.listSubscribers,
		"count-by-status":              &q.countByStatus,
		"active-subscribers":           &q.activeSubscribers,
	}
	maps.Copy(want, q.journalQueries.statements())
	maps.Copy(want, q.signupQueries.statements())
	maps.Copy(want, q.adminQueries.statements())
	maps.Copy(want, q.welcomeQueries.statements())
	return want
}

func prepareQueries(ctx context.Context, db *sql.DB, blocks map[string]string) (*queries, error) {
	q := &queries{}
	want := q.statements()
	var unused []string
	for name := range blocks {
		if want[name] == nil {
			unused = append(unused, name)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		return nil, fmt.Errorf("queries/*.sql: %s not used by the store (misspelt?)", strings.Join(unused, ", "))
	}
	for name, dst := range want {
		sqlText, ok := blocks[name]
		if !ok {
			q.close()
			return nil, fmt.Errorf("queries/*.sql: no query %q", name)
		}
		stmt, err := db.PrepareContext(ctx, sqlText)
		if err != nil {
			q.close()
			return nil, fmt.Errorf("queries/*.sql: preparing %q: %w", name, err)
		}
		*dst = stmt
		q.stmts = append(q.stmts, stmt)
	}
	return q, nil
}

func (q *queries) close() {
	for _, s := range q.stmts {
		s.Close()
	}
}
