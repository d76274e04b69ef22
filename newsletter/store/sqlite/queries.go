package sqlite

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"maps"
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

// queries holds the prepared statements. Each job's statements live in
// their own struct and queries/*.sql file (subscribers here; the send
// journal and the sign-up service add theirs), so work on one never edits
// the others' lines.
type queries struct {
	getSubscriber, insertSubscriber, updateSubscriber, deleteSubscriber *sql.Stmt
	scrubDeliveries, insertEvent                                        *sql.Stmt
	listSubscribers, countByStatus, activeSubscribers                   *sql.Stmt
	journalQueries                                                      // journal.go
	signupQueries                                                       // signup.go
	welcomeQueries                                                      // welcome.go

	stmts []*sql.Stmt // every prepared statement, for close
}

// statements maps every query name in queries/*.sql to the field its
// prepared statement goes in. A job with statements of its own adds one
// line here that merges its struct's names.
func (q *queries) statements() map[string]**sql.Stmt {
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
	maps.Copy(want, q.journalQueries.statements())
	maps.Copy(want, q.signupQueries.statements())
	maps.Copy(want, q.welcomeQueries.statements())
	return want
}

// readQueries parses every file of fsys matching queries/*.sql. A name
// defined in two files is an error, like one defined twice in one file.
func readQueries(fsys fs.FS) (map[string]string, error) {
	files, err := fs.Glob(fsys, "queries/*.sql")
	if err != nil {
		return nil, err
	}
	all := map[string]string{}
	for _, f := range files {
		src, err := fs.ReadFile(fsys, f)
		if err != nil {
			return nil, err
		}
		blocks, err := parseQueries(string(src))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		for name, sqlText := range blocks {
			if _, dup := all[name]; dup {
				return nil, fmt.Errorf("%s: query %q is also defined in another file", f, name)
			}
			all[name] = sqlText
		}
	}
	return all, nil
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
