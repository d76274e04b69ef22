package sqlite

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// parseQueries splits a file of "-- name: NAME" blocks, listmonk's format,
// into name → SQL. Comment lines inside a block are kept: SQLite ignores
// them and they explain the statement where it is read.
func parseQueries(src string) (map[string]string, error) {
	blocks := map[string]string{}
	var name string
	var body strings.Builder
	flush := func() error {
		if name == "" {
			return nil
		}
		sqlText := strings.TrimSpace(body.String())
		if !hasStatement(sqlText) {
			return fmt.Errorf("query %q is empty", name)
		}
		blocks[name] = sqlText
		body.Reset()
		return nil
	}
	sc := bufio.NewScanner(strings.NewReader(src))
	for sc.Scan() {
		line := sc.Text()
		if m := nameLine.FindStringSubmatch(line); m != nil {
			if err := flush(); err != nil {
				return nil, err
			}
			name = strings.TrimSpace(m[1])
			if name == "" {
				return nil, fmt.Errorf("a -- name: line without a name")
			}
			if _, dup := blocks[name]; dup {
				return nil, fmt.Errorf("query %q is defined twice", name)
			}
			continue
		}
		if name != "" {
			body.WriteString(line)
			body.WriteByte('\n')
		}
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return blocks, sc.Err()
}

// nameLine is loose about spaces: a "--name:" that did not count as a name
// would silently glue two statements together.
var nameLine = regexp.MustCompile(`^\s*--\s*name\s*:(.*)$`)

func hasStatement(sqlText string) bool {
	for _, l := range strings.Split(sqlText, "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "--") {
			return true
		}
	}
	return false
}

// queries holds the prepared statements, one field per block of queries.sql.
type queries struct {
	getSubscriber, insertSubscriber, updateSubscriber, deleteSubscriber *sql.Stmt
	scrubDeliveries, insertEvent                                        *sql.Stmt
	listSubscribers, countByStatus, activeSubscribers                   *sql.Stmt
}

func prepareQueries(ctx context.Context, db *sql.DB, src string) (*queries, error) {
	blocks, err := parseQueries(src)
	if err != nil {
		return nil, fmt.Errorf("queries.sql: %w", err)
	}
	q := &queries{}
	want := map[string]**sql.Stmt{
		"get-subscriber":     &q.getSubscriber,
		"insert-subscriber":  &q.insertSubscriber,
		"update-subscriber":  &q.updateSubscriber,
		"delete-subscriber":  &q.deleteSubscriber,
		"scrub-deliveries":   &q.scrubDeliveries,
		"insert-event":       &q.insertEvent,
		"list-subscribers":   &q.listSubscribers,
		"count-by-status":    &q.countByStatus,
		"active-subscribers": &q.activeSubscribers,
	}
	var unused []string
	for name := range blocks {
		if want[name] == nil {
			unused = append(unused, name)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		return nil, fmt.Errorf("queries.sql: %s not used by the store (misspelt?)", strings.Join(unused, ", "))
	}
	for name, dst := range want {
		sqlText, ok := blocks[name]
		if !ok {
			q.close()
			return nil, fmt.Errorf("queries.sql: no query %q", name)
		}
		if *dst, err = db.PrepareContext(ctx, sqlText); err != nil {
			q.close()
			return nil, fmt.Errorf("queries.sql: preparing %q: %w", name, err)
		}
	}
	return q, nil
}

func (q *queries) close() {
	for _, s := range []*sql.Stmt{q.getSubscriber, q.insertSubscriber, q.updateSubscriber, q.deleteSubscriber,
		q.scrubDeliveries, q.insertEvent, q.listSubscribers, q.countByStatus, q.activeSubscribers} {
		if s != nil {
			s.Close()
		}
	}
}
