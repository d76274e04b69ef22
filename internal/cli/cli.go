// Package cli parses agora's command line and calls the packages that do
// the work. It holds no logic of its own beyond flags and messages.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/agora-hub/agora/generator"
	"github.com/agora-hub/agora/generator/plan"
	"github.com/agora-hub/agora/generator/scaffold"
	"github.com/agora-hub/agora/generator/urls"
	"github.com/agora-hub/agora/internal/version"
)

// Exit codes.
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
)

type command struct {
	name, args, summary string
	run                 func(ctx context.Context, env *env, args []string) error
}

type env struct {
	stdout, stderr io.Writer
}

func commands() []command {
	return []command{
		{"build", "[flags]", "build the site into public/", runBuild},
		{"new", "site DIR | SECTION/NAME.md [flags]", "make a new site, or a page from an archetype", runNew},
		{"serve", "[flags]", "build, serve and rebuild on every save, reloading the browser", runServe},
		{"plan", "[flags]", "print the content calendar against the weekly targets in [plan]", runPlan},
		{"subscribers", "add|list|remove|import|export [flags]", "manage the newsletter's subscribers", runSubscribers},
		{"send", "[-s DIR] [--now T] [--dry-run | --preview DIR] [--yes]", "mail the new tips to subscribers, resuming an unfinished issue", runSend},
		{"report", "[-s DIR] [--format table|json|html]", "per-issue delivery counts, subscribers over time, content per month", runReport},
		{"listen", "[-s DIR] [--addr 127.0.0.1:8080]", "serve the newsletter's sign-up, confirm and unsubscribe pages", runListen},
		{"import", "hugo|jekyll [DIR] [--to NEWDIR]", "write a new Agora site from a Hugo or Jekyll site, listing what did not move", runImport},
		{"db", "status [-s DIR] | copy --from DB --to DB [--replace]", "the newsletter database: status, or a copy between SQLite and PostgreSQL", runDB},
		{"version", "", "print the version", runVersion},
		{"help", "[COMMAND]", "show help", nil},
	}
}

// usageError is a mistake on the command line: exit code 2 and a hint.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// incompleteError is a command that did its work but not all of it, and
// has said what it left undone: exit code 1 without "failed".
type incompleteError struct{ msg string }

func (e *incompleteError) Error() string { return e.msg }

// Run runs agora with args (without the program name) and returns the exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	e := &env{stdout: stdout, stderr: stderr}
	if len(args) == 0 {
		printHelp(stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	if name == "help" || name == "-h" || name == "--help" {
		if len(rest) > 0 {
			return helpFor(e, rest[0])
		}
		printHelp(stdout)
		return exitOK
	}
	for _, c := range commands() {
		if c.name != name || c.run == nil {
			continue
		}
		err := c.run(ctx, e, rest)
		var ue *usageError
		var ie *incompleteError
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.As(err, &ie):
			fmt.Fprintf(stderr, "agora %s: %v\n", name, err)
			return exitError
		case errors.As(err, &ue):
			fmt.Fprintf(stderr, "agora %s: %v\nRun 'agora help %s' for usage.\n", name, err, name)
			return exitUsage
		default:
			fmt.Fprintf(stderr, "agora %s: failed:\n%v\n", name, err)
			return exitError
		}
	}
	fmt.Fprintf(stderr, "agora: unknown command %q\n\n", name)
	printHelp(stderr)
	return exitUsage
}

func printHelp(w io.Writer) {
	fmt.Fprintln(w, "Agora builds a community hub from Markdown and mails its tips to subscribers.")
	fmt.Fprintln(w, "\nUsage: agora COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nEvery command takes -s/--source DIR (the site, default \".\").\nRun 'agora help COMMAND' for its flags.")
}

func helpFor(e *env, name string) int {
	for _, c := range commands() {
		if c.name == name && c.run != nil {
			fmt.Fprintf(e.stdout, "Usage: agora %s %s\n\n%s.\n\n", c.name, c.args, upperFirst(c.summary))
			_ = c.run(context.Background(), &env{stdout: e.stdout, stderr: e.stdout}, []string{"-h"})
			return exitOK
		}
	}
	fmt.Fprintf(e.stderr, "agora help: unknown command %q\n", name)
	return exitUsage
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// flags is a FlagSet whose options may come before, between or after
// positional arguments (agora new tips/x.md -s DIR), which the standard
// package alone does not allow.
type flags struct {
	*flag.FlagSet
	env *env
}

func newFlags(e *env, name string) *flags {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return &flags{FlagSet: fs, env: e}
}

// both registers a short and a long name for one string option.
func (f *flags) str(p *string, short, long, value, usage string) {
	*p = value
	if short != "" {
		f.StringVar(p, short, value, usage)
	}
	f.StringVar(p, long, value, usage)
}

func (f *flags) boolean(p *bool, short, long, usage string) {
	if short != "" {
		f.BoolVar(p, short, false, usage)
	}
	f.BoolVar(p, long, false, usage)
}

// parse returns the positional arguments.
func (f *flags) parse(args []string) ([]string, error) {
	var pos []string
	for {
		if err := f.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				f.printDefaults()
				return nil, err
			}
			return nil, &usageError{err.Error()}
		}
		args = f.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

func (f *flags) printDefaults() {
	w := f.env.stdout
	seen := map[string][]string{}
	var order []*flag.Flag
	f.VisitAll(func(fl *flag.Flag) {
		if _, ok := seen[fl.Usage]; !ok {
			order = append(order, fl)
		}
		seen[fl.Usage] = append(seen[fl.Usage], fl.Name)
	})
	fmt.Fprintln(w, "Flags:")
	for _, fl := range order {
		var names []string
		for _, n := range seen[fl.Usage] {
			if len(n) == 1 {
				names = append([]string{"-" + n}, names...)
			} else {
				names = append(names, "--"+n)
			}
		}
		def := ""
		if fl.DefValue != "" && fl.DefValue != "false" {
			def = fmt.Sprintf(" (default %q)", fl.DefValue)
		}
		fmt.Fprintf(w, "  %-26s %s%s\n", strings.Join(names, ", "), fl.Usage, def)
	}
}

func runBuild(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "build")
	var opt generator.Options
	var now string
	var quiet bool
	f.str(&opt.Source, "s", "source", ".", "site folder holding site.toml")
	f.str(&opt.Destination, "d", "destination", "", "output folder (default SOURCE/public)")
	f.str(&opt.BaseURL, "b", "baseURL", "", "base URL to build for, overriding site.toml")
	f.boolean(&opt.BuildDrafts, "D", "buildDrafts", "include drafts")
	f.boolean(&opt.BuildFuture, "F", "buildFuture", "include pages whose publish date is in the future")
	f.boolean(&opt.BuildExpired, "E", "buildExpired", "include expired pages")
	f.str(&now, "", "now", "", "the build clock, RFC 3339 (reproducible output)")
	f.boolean(&quiet, "q", "quiet", "print nothing on success")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q (the site folder is given with -s)", pos[0])}
	}
	if opt.Now, err = parseNow(now); err != nil {
		return err
	}
	if opt.BaseURL != "" {
		if _, err := urls.ParseBase(opt.BaseURL); err != nil {
			return &usageError{fmt.Sprintf("--baseURL: %v", err)}
		}
	}
	res, err := generator.Build(ctx, opt)
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(e.stderr, "warning:", w)
	}
	if !quiet {
		fmt.Fprintln(e.stdout, res)
		if note := res.RobotsNote(); note != "" {
			fmt.Fprintln(e.stdout, note)
		}
	}
	return nil
}

func parseNow(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, &usageError{fmt.Sprintf("--now %q: want RFC 3339, such as 2026-05-01T09:00:00Z", s)}
	}
	return t, nil
}

func runNew(_ context.Context, e *env, args []string) error {
	f := newFlags(e, "new")
	var source, now string
	f.str(&source, "s", "source", ".", "site folder holding site.toml")
	f.str(&now, "", "now", "", "the date to put in the page, RFC 3339")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	switch {
	case len(pos) == 2 && pos[0] == "site":
		v := version.Module()
		files, err := scaffold.Site(pos[1], v, version.Pinnable(v))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Created a new site in %s (%d files).\n", pos[1], len(files))
		if version.Pinnable(v) {
			fmt.Fprintf(e.stdout, "Its GitHub Pages workflow builds with Agora %s (AGORA_VERSION in .github/workflows/pages.yml).\n", v)
		} else {
			fmt.Fprintln(e.stdout, "This is a development build of Agora, which has no version to pin: the GitHub Pages\nworkflow builds with the newest release until you set AGORA_VERSION in .github/workflows/pages.yml.")
		}
		fmt.Fprintf(e.stdout, "Next:\n  cd %s\n  agora new tips/my-first-tip.md\n  agora serve -D    (a new page is a draft: -D shows drafts)\n", pos[1])
		return nil
	case len(pos) == 1 && pos[0] != "site":
		t, err := parseNow(now)
		if err != nil {
			return err
		}
		if t.IsZero() {
			t = time.Now()
		}
		page, err := scaffold.Content(source, pos[0], t)
		var pe *scaffold.PathError
		if errors.As(err, &pe) {
			return &usageError{pe.Error()}
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Created %s from %s (a draft: agora build -D shows it)\n", filepath.Join(source, page.Path), page.Archetype)
		return nil
	}
	return &usageError{"want 'agora new site DIR' or 'agora new SECTION/NAME.md'"}
}

// maxWeeks bounds --weeks: ten years is more than any plan looks ahead,
// and a mistyped 80000 should not print a million lines.
const maxWeeks = 520

func runPlan(_ context.Context, e *env, args []string) error {
	f := newFlags(e, "plan")
	var source, now, format string
	var weeks int
	f.str(&source, "s", "source", ".", "site folder holding site.toml")
	f.IntVar(&weeks, "weeks", plan.DefaultWeeks, fmt.Sprintf("weeks ahead, this one included (and %d back)", plan.DefaultPast))
	f.str(&now, "", "now", "", "the clock, RFC 3339 (default: the time now)")
	f.str(&format, "", "format", "table", "table (fits 80 columns) or json")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q (the site folder is given with -s)", pos[0])}
	}
	if weeks < 1 || weeks > maxWeeks {
		return &usageError{fmt.Sprintf("--weeks %d: want 1 to %d", weeks, maxWeeks)}
	}
	if format != "table" && format != "json" {
		return &usageError{fmt.Sprintf("--format %q: want table or json", format)}
	}
	t, err := parseNow(now)
	if err != nil {
		return err
	}
	if t.IsZero() {
		t = time.Now()
	}
	cal, err := plan.Site(source, t, weeks)
	if err != nil {
		return err
	}
	// Short weeks are the report, not a failure: exit 0 so that the plan
	// can be printed in CI or a cron job without failing it.
	if format == "json" {
		return cal.WriteJSON(e.stdout)
	}
	return cal.WriteTable(e.stdout)
}

func runVersion(_ context.Context, e *env, args []string) error {
	f := newFlags(e, "version")
	var source string
	f.str(&source, "s", "source", ".", "ignored; accepted like every command")
	if _, err := f.parse(args); err != nil {
		return err
	}
	// The first word after agora is what a workflow pins; a development
	// build says so, with what the go command stamped beside it.
	v := version.Module()
	if !version.Pinnable(v) {
		if v != "" && v != "(devel)" {
			v = "devel (" + v + ")"
		} else {
			v = "devel"
		}
	}
	fmt.Fprintf(e.stdout, "agora %s %s %s/%s\n", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
