package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/newsletter/database"
	"github.com/agora-hub/agora/newsletter/send"
	"github.com/agora-hub/agora/newsletter/store"
)

func runDB(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return &usageError{"want a subcommand: status or copy"}
	}
	switch args[0] {
	case "status":
		return dbStatus(ctx, e, args[1:])
	case "copy":
		return dbCopy(ctx, e, args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(e.stdout, dbHelp)
		return flag.ErrHelp
	}
	return &usageError{fmt.Sprintf("unknown subcommand %q: want status or copy", args[0])}
}

const dbHelp = `Subcommands:
  status [-s DIR]                       the engine, schema version, row counts,
                                        the send queue and the senders
  copy --from DB --to DB [--replace]    copy everything (subscribers, history,
                                        issues, journal, sign-ups) between
                                        databases of either engine

A DB is a SQLite file path or a postgres:// URL (a password in the URL, or
PGPASSWORD, or ~/.pgpass). copy refuses a target that holds data unless
--replace, which empties it first; the target is written in one
transaction, so a failed copy leaves it as it was.
`

func dbStatus(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "db status")
	var source string
	f.str(&source, "s", "source", ".", "site folder holding site.toml")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	db, _, err := database.Open(ctx, source)
	if err != nil {
		return err
	}
	defer db.Close()
	st, err := db.Status(ctx)
	if err != nil {
		return err
	}
	w := e.stdout
	fmt.Fprintf(w, "Engine:        %s (%s)\n", st.Engine, st.Where)
	fmt.Fprintf(w, "Schema:        version %d\n", st.Version)
	var subs []string
	for _, k := range []string{"active", "pending", "unsubscribed", "bounced"} {
		subs = append(subs, fmt.Sprintf("%d %s", st.Subscribers[k], k))
	}
	fmt.Fprintf(w, "Subscribers:   %s\n", strings.Join(subs, ", "))
	var rows []string
	for _, t := range store.CopyOrder {
		rows = append(rows, fmt.Sprintf("%s %d", t, st.Rows[t]))
	}
	fmt.Fprintf(w, "Rows:          %s\n", strings.Join(rows, ", "))
	if st.Open == nil {
		fmt.Fprintln(w, "Send queue:    empty (no issue being sent)")
	} else {
		fmt.Fprintf(w, "Send queue:    issue %d: %d queued, %d sending, %d sent, %d failed\n", st.Open.Number,
			st.Deliveries[store.Queued], st.Deliveries[store.Sending], st.Deliveries[store.Sent], st.Deliveries[store.Failed])
	}
	for _, s := range st.Senders {
		state := "alive"
		if hb, err := time.Parse("2006-01-02T15:04:05.000Z", s.Heartbeat); err == nil && time.Since(hb) > send.Lease {
			state = "silent longer than the lease: its rows go back to the queue"
		}
		fmt.Fprintf(w, "Sender %d:      %s pid %d, since %s, heartbeat %s (%s), holding %d\n", s.ID, s.Host, s.PID, s.Started, s.Heartbeat, state, s.Holding)
	}
	fmt.Fprintf(w, "Confirmations: %d queued\n", st.Confirmations)
	var welcome []string
	for _, k := range []store.DeliveryState{store.Queued, store.Sending, store.Sent, store.Failed} {
		if n := st.Welcome[k]; n > 0 {
			welcome = append(welcome, fmt.Sprintf("%d %s", n, k))
		}
	}
	if len(welcome) == 0 {
		welcome = []string{"no rows"}
	}
	fmt.Fprintf(w, "Welcome:       %s\n", strings.Join(welcome, ", "))
	return nil
}

func dbCopy(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "db copy")
	var from, to string
	var replace bool
	f.str(&from, "", "from", "", "the database to read: a SQLite file or a postgres:// URL")
	f.str(&to, "", "to", "", "the database to write: a SQLite file or a postgres:// URL")
	f.boolean(&replace, "", "replace", "empty the target first (without it a target holding data is refused)")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) > 0:
		return &usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	case from == "" || to == "":
		return &usageError{"want --from and --to"}
	case from == to:
		return &usageError{"--from and --to are the same database"}
	}
	if err := copySafe(from); err != nil {
		return err
	}
	if err := copySafe(to); err != nil {
		return err
	}
	if !strings.Contains(from, "://") {
		if _, err := os.Stat(from); err != nil {
			return fmt.Errorf("--from %s: %w", from, err)
		}
	}
	src, srcName, err := database.OpenAt(ctx, from, database.Options{})
	if err != nil {
		return err
	}
	defer src.Close()
	dst, dstName, err := database.OpenAt(ctx, to, database.Options{})
	if err != nil {
		return err
	}
	defer dst.Close()
	sv, err := src.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	dv, err := dst.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if sv != dv {
		return fmt.Errorf("%s has schema version %d and %s %d: open both with the same agora first", srcName, sv, dstName, dv)
	}
	start := time.Now()
	counts, err := store.Copy(ctx, src, dst, replace)
	if errors.Is(err, store.ErrNotEmpty) {
		return fmt.Errorf("%w: pass --replace to empty it first", err)
	}
	if err != nil {
		return fmt.Errorf("copying %s to %s: %w (the target is unchanged)", srcName, dstName, err)
	}
	var parts []string
	for _, t := range store.CopyOrder {
		parts = append(parts, fmt.Sprintf("%d %s", counts[t], t))
	}
	fmt.Fprintf(e.stdout, "Copied %s (%s) to %s (%s) in %s: %s.\n", srcName, src.Engine(), dstName, dst.Engine(),
		time.Since(start).Round(time.Millisecond), strings.Join(parts, ", "))
	return nil
}

// copySafe refuses a file path inside a published folder of the site in
// the working folder, as the commands that find the database do.
func copySafe(where string) error {
	if strings.Contains(where, "://") {
		_, err := database.Path(".", config.Newsletter{Database: "x.db"}, func(string) string { return where })
		return err
	}
	if slices.Contains([]string{"", "."}, where) {
		return &usageError{"want a database file, not a folder"}
	}
	return nil
}
