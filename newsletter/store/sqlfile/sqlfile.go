// Package sqlfile reads what both database engines keep in .sql files:
// named queries (listmonk's "-- name:" blocks) and numbered migrations.
// Each engine embeds its own files; the format and its checks are shared,
// so that a query or a migration ported from one engine to the other is
// read by the same rules.
package sqlfile

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// Parse splits a file of "-- name: NAME" blocks into name → SQL. Comment
// lines inside a block are kept: both engines ignore them and they explain
// the statement where it is read.
func Parse(src string) (map[string]string, error) {
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

// Queries parses every file of fsys matching queries/*.sql. A name
// defined in two files is an error, like one defined twice in one file.
func Queries(fsys fs.FS) (map[string]string, error) {
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
		blocks, err := Parse(string(src))
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

// Migration is one migrations/NNNN_what.sql file.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations reads migrations/NNNN_what.sql. Versions must run 1, 2, 3
// without gaps: a missing file would otherwise leave some databases without
// a table that others have.
func Migrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for i, name := range names { // Glob sorts
		base := path.Base(name)
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: want NNNN_description.sql", base)
		}
		if v != i+1 {
			return nil, fmt.Errorf("migration %s: want version %d next", base, i+1)
		}
		src, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: base, SQL: string(src)})
	}
	if len(ms) == 0 {
		return nil, errors.New("no migrations")
	}
	return ms, nil
}

// TooNewError is a database written by a newer agora: its tables may mean
// things this binary does not know, so it refuses rather than guess.
type TooNewError struct {
	Path          string
	Have, Support int
}

func (e *TooNewError) Error() string {
	return fmt.Sprintf("%s has schema version %d but this agora knows only up to %d: install a newer agora", e.Path, e.Have, e.Support)
}
