package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/newsletter/csvimport"
	"github.com/agora-hub/agora/newsletter/database"
	"github.com/agora-hub/agora/newsletter/export"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

type subcommand struct {
	name, args, summary string
	run                 func(ctx context.Context, e *env, args []string) error
}

func subscriberCommands() []subcommand {
	return []subcommand{
		{"add", "EMAIL [--name N] [--topics a,b] [--pending] [--force]", "add a subscriber, active unless --pending", subscribersAdd},
		{"list", "[--format table|csv|json] [--status S]", "list subscribers", subscribersList},
		{"remove", "EMAIL...", "erase subscribers and their personal data (GDPR erasure)", subscribersRemove},
		{"import", "FILE.csv [--pending] [--dry-run]", "import a CSV export from Mailchimp, listmonk or a spreadsheet", subscribersImport},
		{"export", "[--format csv|json]", "write every subscriber to stdout, to keep or move elsewhere", subscribersExport},
	}
}

func runSubscribers(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		return &usageError{"want a subcommand: add, list, remove, import or export"}
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(e.stdout, "Subcommands:")
		for _, c := range subscriberCommands() {
			fmt.Fprintf(e.stdout, "  %-7s %s\n          %s\n", c.name, c.args, c.summary)
		}
		fmt.Fprintf(e.stdout, "\nEach takes -s/--source DIR. The database is site.toml's [newsletter]\n"+
			"database (default %s in the site), or %s when set.\n"+
			"Run 'agora subscribers SUBCOMMAND -h' for the flags of one.\n", config.DefaultDatabase, database.EnvPath)
		return flag.ErrHelp
	}
	for _, c := range subscriberCommands() {
		if c.name == args[0] {
			return c.run(ctx, e, args[1:])
		}
	}
	return &usageError{fmt.Sprintf("unknown subcommand %q: want add, list, remove, import or export", args[0])}
}

// subFlags is newFlags with -s/--source, which every subcommand takes.
func subFlags(e *env, name string, source *string) *flags {
	f := newFlags(e, "subscribers "+name)
	f.str(source, "s", "source", ".", "site folder holding site.toml")
	return f
}

// parseSub parses args, printing the subcommand's usage line for -h.
func parseSub(f *flags, name string, args []string) ([]string, error) {
	for _, c := range subscriberCommands() {
		if c.name == name {
			for _, a := range args {
				if a == "-h" || a == "--help" || a == "-help" {
					fmt.Fprintf(f.env.stdout, "Usage: agora subscribers %s %s\n\n%s.\n\n", c.name, c.args, upperFirst(c.summary))
				}
			}
		}
	}
	return f.parse(args)
}

func openStore(ctx context.Context, source string) (store.Store, error) {
	s, _, err := database.Open(ctx, source)
	return s, err
}

func subscribersAdd(ctx context.Context, e *env, args []string) error {
	var source, name, topics string
	var pending, force bool
	f := subFlags(e, "add", &source)
	f.str(&name, "", "name", "", "the subscriber's name, used in the greeting")
	f.str(&topics, "", "topics", "", "niches they chose, comma-separated tag names (none: every tip)")
	f.boolean(&pending, "", "pending", "add as pending: not mailed until they confirm")
	f.boolean(&force, "", "force", "replace the name, topics and status of an address already there, even an unsubscribed one")
	pos, err := parseSub(f, "add", args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"want one address: agora subscribers add EMAIL"}
	}
	status := subscriber.Active
	if pending {
		status = subscriber.Pending
	}
	sub, err := subscriber.New(pos[0], name, subscriber.SplitTopics(topics), status, subscriber.Consent{How: "cli"})
	if err != nil {
		return &usageError{err.Error()}
	}
	s, err := openStore(ctx, source)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.Add(ctx, sub, force)
	var conflict *store.ConflictError
	if errors.As(err, &conflict) {
		return conflictHelp(conflict)
	}
	if err != nil {
		return err
	}
	got := res.Subscriber
	switch res.Result {
	case store.Created:
		fmt.Fprintf(e.stdout, "Added %s (%s%s).\n", got.Email, got.Status, topicNote(got.Topics))
	case store.Unchanged:
		fmt.Fprintf(e.stdout, "%s is already a subscriber with these details (%s); nothing changed.\n", got.Email, got.Status)
	case store.Replaced:
		fmt.Fprintf(e.stdout, "Updated %s (%s%s).\n", got.Email, got.Status, topicNote(got.Topics))
		if res.Previous.Suppressed() && got.Status == subscriber.Active {
			fmt.Fprintf(e.stdout, "%s was %s before: keep a record of their new consent.\n", got.Email, res.Previous)
		}
	}
	return nil
}

// conflictHelp says what --force would do, and for a person who said no,
// that they must have asked to come back.
func conflictHelp(c *store.ConflictError) error {
	msg := c.Error() + "; nothing changed."
	if c.Existing.Status.Suppressed() {
		return fmt.Errorf("%s\nThey are %s: add them again only if they asked you to, with --force", msg, c.Existing.Status)
	}
	return fmt.Errorf("%s\nTo replace the name, topics and status, run the command again with --force", msg)
}

func topicNote(topics []string) string {
	if len(topics) == 0 {
		return ", every topic"
	}
	return ", topics " + strings.Join(topics, ", ")
}

func subscribersList(ctx context.Context, e *env, args []string) error {
	var source, format, status string
	f := subFlags(e, "list", &source)
	f.str(&format, "", "format", "table", "table (fits 80 columns), csv or json")
	f.str(&status, "", "status", "", "only this status: pending, active, unsubscribed or bounced")
	pos, err := parseSub(f, "list", args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q", pos[0])}
	}
	if format != "table" && format != "csv" && format != "json" {
		return &usageError{fmt.Sprintf("--format %q: want table, csv or json", format)}
	}
	var filter store.Filter
	if status != "" {
		st, err := subscriber.ParseStatus(status)
		if err != nil {
			return &usageError{"--" + err.Error()}
		}
		filter.Status = st
	}
	s, err := openStore(ctx, source)
	if err != nil {
		return err
	}
	defer s.Close()
	subs := s.List(ctx, filter)
	switch format {
	case "csv":
		return export.CSV(e.stdout, subs, export.Summary)
	case "json":
		return export.JSON(e.stdout, subs, export.Summary)
	}
	return export.Table(e.stdout, subs)
}

func subscribersExport(ctx context.Context, e *env, args []string) error {
	var source, format string
	f := subFlags(e, "export", &source)
	f.str(&format, "", "format", "csv", "csv (agora subscribers import reads it back) or json")
	pos, err := parseSub(f, "export", args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q (the export goes to stdout: agora subscribers export > FILE)", pos[0])}
	}
	if format != "csv" && format != "json" {
		return &usageError{fmt.Sprintf("--format %q: want csv or json", format)}
	}
	s, err := openStore(ctx, source)
	if err != nil {
		return err
	}
	defer s.Close()
	if format == "json" {
		return export.JSON(e.stdout, s.List(ctx, store.Filter{}), export.Full)
	}
	return export.CSV(e.stdout, s.List(ctx, store.Filter{}), export.Full)
}

func subscribersRemove(ctx context.Context, e *env, args []string) error {
	var source string
	f := subFlags(e, "remove", &source)
	pos, err := parseSub(f, "remove", args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(e.stdout, "\nRemoving erases the row: address, name, topics and consent record,\n"+
			"and the address in delivery errors. Only anonymous counts stay in the\n"+
			"history. This answers a request for erasure; a person who only wants no\n"+
			"more mail unsubscribes with the link in every digest, which keeps the\n"+
			"address so that no import can add them again.")
	}
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return &usageError{"want at least one address: agora subscribers remove EMAIL"}
	}
	s, err := openStore(ctx, source)
	if err != nil {
		return err
	}
	defer s.Close()
	var errs diag.List
	for _, email := range pos {
		removed, err := s.Remove(ctx, email, "cli")
		if err != nil {
			errs.Add(err)
			continue
		}
		fmt.Fprintf(e.stdout, "Removed %s and their personal data.\n", removed.Email)
	}
	return errs.Err()
}

func subscribersImport(ctx context.Context, e *env, args []string) error {
	var source string
	var pending, dryRun bool
	f := subFlags(e, "import", &source)
	f.boolean(&pending, "", "pending", "import as pending: not mailed until they confirm")
	f.boolean(&dryRun, "", "dry-run", "check the file and say what would change, writing nothing")
	pos, err := parseSub(f, "import", args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(e.stdout, "\nColumns are found by header, in any order: email (or \"Email Address\",\n"+
			"e-mail), name (or first and last name), tags (or lists, topics, groups),\n"+
			"status. Good rows are imported in one transaction and bad ones listed\n"+
			"as FILE:LINE; importing the same file again changes nothing, and no\n"+
			"import ever re-subscribes an address that unsubscribed or bounced.")
	}
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return &usageError{"want one file: agora subscribers import FILE.csv"}
	}
	file := pos[0]
	status := subscriber.Active
	if pending {
		status = subscriber.Pending
	}
	now := time.Now()
	// Rows with a consent record of their own (Agora's export) keep it.
	consent := subscriber.Consent{At: now, How: "import:" + filepath.Base(file)}
	r, err := os.Open(file)
	if err != nil {
		return err
	}
	defer r.Close()
	// Streamed: a list of a million is read from the file, not memory.
	read, rows, err := csvimport.Stream(r, csvimport.Options{File: file, Status: status, Consent: consent, Now: now})
	if err != nil {
		return err
	}
	s, err := openStore(ctx, source)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.Import(ctx, rows, dryRun)
	if err != nil {
		return fmt.Errorf("%s: %w; nothing was imported", file, err)
	}
	reportImport(e.stdout, file, dryRun, read, res)
	if len(read.Bad) > 0 {
		var errs diag.List
		for _, err := range read.Bad {
			errs.Add(err)
		}
		return fmt.Errorf("%s not imported; fix and import the file again (rows already imported are skipped):\n%w",
			plural(len(read.Bad), "bad row was", "bad rows were"), errs.Err())
	}
	return nil
}

func reportImport(w io.Writer, file string, dryRun bool, read *csvimport.Result, res store.Imported) {
	// The added rows by the status stored: a file may say some people
	// unsubscribed or bounced, and those are not subscribers to be mailed.
	var byStatus []string
	for _, st := range subscriber.Statuses {
		if n := res.ByStatus[st]; n > 0 {
			byStatus = append(byStatus, fmt.Sprintf("%d %s", n, st))
		}
	}
	added := plural(res.Added, "new subscriber", "new subscribers")
	if len(byStatus) > 0 {
		added += " (" + strings.Join(byStatus, ", ") + ")"
	}
	if dryRun {
		fmt.Fprintf(w, "Dry run of %s, nothing written: %s would be added; %s on the list would be left as they are.\n",
			file, added, plural(res.Existing, "address already", "addresses already"))
	} else {
		fmt.Fprintf(w, "Imported %s: %s added; %s on the list, left as they are.\n",
			file, added, plural(res.Existing, "address already", "addresses already"))
	}
	if res.Suppressed > 0 {
		fmt.Fprintf(w, "  %d of those unsubscribed or bounced: an import never subscribes them again.\n", res.Suppressed)
	}
	if res.Differ > 0 {
		fmt.Fprintf(w, "  %d of those have other details in the file: 'agora subscribers add --force' changes one.\n", res.Differ)
	}
	if n := res.ByStatus[subscriber.Unsubscribed] + res.ByStatus[subscriber.Bounced]; n > 0 {
		fmt.Fprintf(w, "%s marked unsubscribed or bounced (cleaned) in the file, and kept so: no mail goes to them.\n",
			plural(n, "new address was", "new addresses were"))
	}
	if n := len(read.Duplicates); n > 0 {
		lines := make([]string, n)
		for i, d := range read.Duplicates {
			lines[i] = fmt.Sprintf("%d (%s, first on line %d)", d.Line, d.Email, d.First)
		}
		if n == 1 {
			fmt.Fprintf(w, "Merged 1 row that repeats an address: line %s.\n", lines[0])
		} else {
			fmt.Fprintf(w, "Merged %d rows that repeat an address: lines %s.\n", n, strings.Join(lines, "; "))
		}
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
