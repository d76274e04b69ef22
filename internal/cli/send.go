package cli

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/agora-hub/agora/newsletter/database"
	"github.com/agora-hub/agora/newsletter/digest"
	"github.com/agora-hub/agora/newsletter/mailer"
	"github.com/agora-hub/agora/newsletter/send"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
	"github.com/agora-hub/agora/newsletter/token"
	"github.com/agora-hub/agora/newsletter/tty"
)

func runSend(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "send")
	var source, now, preview string
	var dryRun, yes bool
	f.str(&source, "s", "source", ".", "site folder holding site.toml")
	f.str(&now, "", "now", "", "the send clock, RFC 3339: tips published up to it go out (default: now)")
	f.boolean(&dryRun, "", "dry-run", "print who would get which tips; send nothing, change nothing")
	f.str(&preview, "", "preview", "", "write one .eml and one .html per distinct digest into this folder; send nothing")
	f.boolean(&yes, "y", "yes", "do not ask before sending (needed when stdin is not a terminal)")
	pos, err := f.parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(e.stdout, sendHelp)
	}
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q (the site folder is given with -s)", pos[0])}
	}
	if dryRun && preview != "" {
		return &usageError{"--dry-run and --preview: choose one"}
	}
	clock, err := parseNow(now)
	if err != nil {
		return err
	}
	if clock.IsZero() {
		clock = time.Now()
	}

	site, err := digest.Open(source)
	if err != nil {
		return err
	}
	// The pool: a connection per SMTP connection, plus the claims, the
	// journal's commits and the heartbeat.
	st, dbPath, err := database.Open(ctx, source, database.Options{Conns: site.Config.Newsletter.Concurrency + 3})
	if err != nil {
		return err
	}
	defer st.Close()
	var j store.Journal = st
	var wj store.Welcome = st
	steps, err := site.WelcomeSteps(clock)
	if err != nil {
		return err
	}
	if dryRun || preview != "" {
		if err := welcomeLook(ctx, e, site, wj, steps, clock, preview); err != nil {
			return err
		}
		return sendLook(ctx, e, site, st, j, clock, preview)
	}

	// Everything that can refuse is checked before the lock and the
	// issue: a missing secret must not leave an issue half-made.
	signer, err := token.FromEnv(os.Getenv, nil)
	if err != nil {
		return fmt.Errorf("refusing to send mail without working unsubscribe links: %w", err)
	}
	smtp, err := mailer.Resolve(site.Config.Newsletter, os.Getenv)
	if err != nil {
		return err
	}
	dk, err := send.LoadDKIM(site.Config.Newsletter.DKIM, os.Getenv)
	if err != nil {
		return err
	}
	composer, err := send.NewComposer(site, smtp.From, smtp.ReplyTo, signer, dk)
	if err != nil {
		return err
	}
	// SQLite keeps one send at a time with a lock file beside the
	// database, which makes a crashed send's rows free at once. On
	// PostgreSQL any number of senders share the issue; a dead one's rows
	// come back after send.Lease.
	exclusive := st.Engine() == "sqlite"
	if exclusive {
		unlock, err := send.Lock(dbPath)
		if err != nil {
			return err
		}
		defer unlock()
	}

	plan, err := send.NewPlan(ctx, site, j, clock)
	if err != nil {
		return err
	}
	warnLate(e.stdout, plan, site)
	due, err := send.WelcomeDue(ctx, wj, steps, clock)
	if err != nil {
		return err
	}
	welcomeCount := 0
	for i, st := range steps {
		if n := len(due[i]); n > 0 {
			fmt.Fprintf(e.stdout, "Welcome step %q (%s): due for %s.\n", st.Title, afterText(st.After), plural(n, "subscriber", "subscribers"))
			welcomeCount += n
		}
	}
	digestToo := plan.Resume || len(plan.Items) > 0
	if !digestToo {
		fmt.Fprintln(e.stdout, nothingNew(plan, site))
		if welcomeCount == 0 {
			return nil
		}
	}
	if !yes {
		if !tty.IsTerminal(os.Stdin) {
			return &usageError{"stdin is not a terminal: pass --yes to send without being asked"}
		}
		what := plural(welcomeCount, "welcome mail", "welcome mails")
		if digestToo {
			what = fmt.Sprintf("issue %d", plan.Issue.Number)
			if welcomeCount > 0 {
				what = plural(welcomeCount, "welcome mail", "welcome mails") + " and " + what
			}
		}
		fmt.Fprintf(e.stdout, "Send %s through %s:%d now? [y/N] ", what, smtp.Host, smtp.Port)
		line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			fmt.Fprintln(e.stdout, "Nothing sent.")
			return nil
		}
		yes = true
	}
	var welcomeErr error
	if welcomeCount > 0 {
		welcomeErr = sendWelcome(ctx, e, dbPath, steps, clock, send.WelcomeOptions{
			Options: send.Options{Store: st, Journal: j, Composer: composer, SMTP: smtp,
				Concurrency: site.Config.Newsletter.Concurrency, Rate: site.Config.Newsletter.Rate, Progress: e.stderr,
				Exclusive: exclusive},
			Welcome: wj, MaxAfter: -1,
		})
		// A relay that is down is down for the digest too: stop now,
		// before an issue is made, rather than spend another minute on it.
		var down *send.UnreachableError
		if ctx.Err() != nil || errors.As(welcomeErr, &down) {
			return welcomeErr
		}
	}
	if !digestToo {
		return welcomeErr
	}
	if plan.Resume {
		fmt.Fprintf(e.stdout, "Resuming issue %d (made %s, %s); --now is ignored for it.\n",
			plan.Issue.Number, plan.Issue.Created.In(site.Config.Location).Format("2006-01-02 15:04"), plural(len(plan.Items), "item", "items"))
	} else {
		fmt.Fprintf(e.stdout, "Issue %d: %s published since %s.\n", plan.Issue.Number, plural(len(plan.Items), "new item", "new items"), sinceText(plan, site))
	}
	if !yes { // asked above when welcome mails were due too
		// A terminal as the terminal driver says: /dev/null, which cron
		// gives, is a character device too, and reads as an empty answer.
		if !tty.IsTerminal(os.Stdin) {
			return &usageError{"stdin is not a terminal: pass --yes to send without being asked"}
		}
		fmt.Fprintf(e.stdout, "Send issue %d through %s:%d now? [y/N] ", plan.Issue.Number, smtp.Host, smtp.Port)
		line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
		if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
			fmt.Fprintln(e.stdout, "Nothing sent.")
			return nil
		}
	}

	res, err := send.Run(ctx, plan, send.Options{
		Store: st, Journal: j, Composer: composer, SMTP: smtp,
		Concurrency: site.Config.Newsletter.Concurrency, Rate: site.Config.Newsletter.Rate,
		Exclusive: exclusive, Progress: e.stderr, Terminal: tty.IsTerminal(e.stderr),
	})
	if errors.Is(err, store.ErrNoRecipients) {
		fmt.Fprintln(e.stdout, noRecipients(ctx, st, plan))
		return nil
	}
	if res.Archive != "" && res.Created {
		fmt.Fprintf(e.stdout, "Wrote %s: the next agora build publishes it (the \"view in browser\" link).\n", res.Archive)
	}
	if err != nil {
		if res.Issue.ID != 0 {
			fmt.Fprintf(e.stdout, "Stopped issue %d: %v\nWhat was not sent stays queued: fix the cause and run agora send again to resume.\n", res.Issue.Number, err)
		}
		return err
	}
	if err := sendSummary(ctx, e, j, res); err != nil {
		return err
	}
	return welcomeErr
}

// afterText says a step's delay as an editor wrote it.
func afterText(d time.Duration) string {
	switch {
	case d == 0:
		return "right after confirming"
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("after %d days", d/(24*time.Hour))
	}
	return "after " + d.String()
}

// sendWelcome sends the welcome steps that are due, on SQLite under the
// welcome lock shared with agora listen (opt.Exclusive), and prints what
// it did. It returns an error when a message was deferred or failed, so
// that the exit code says something is left to do.
func sendWelcome(ctx context.Context, e *env, dbPath string, steps []digest.Step, clock time.Time, opt send.WelcomeOptions) error {
	if opt.Exclusive {
		unlock, err := send.LockWelcome(dbPath, 30*time.Second)
		if err != nil {
			return fmt.Errorf("welcome series: %w (agora listen holds the lock; run agora send again)", err)
		}
		defer unlock()
	}
	res, err := send.RunWelcome(ctx, steps, clock, opt)
	for _, r := range res.Steps {
		fmt.Fprintf(e.stdout, "Welcome step %q: sent %d", r.Step.Title, r.Sent)
		for _, p := range []struct {
			n    int
			what string
		}{{r.Bounced, "bounced"}, {r.Errors, "failed"}, {r.Deferred, "deferred"}, {r.Skipped, "skipped"}, {r.Held, "held for an earlier step"}} {
			if p.n > 0 {
				fmt.Fprintf(e.stdout, ", %d %s", p.n, p.what)
			}
		}
		fmt.Fprintln(e.stdout, ".")
	}
	switch {
	case err != nil:
		return fmt.Errorf("welcome series: %w", err)
	case res.Interrupted:
		return errors.New("welcome series stopped before the end: run agora send again")
	case res.Deferred() > 0:
		return fmt.Errorf("welcome series: %d messages were deferred by the server: run agora send again later to retry them", res.Deferred())
	}
	return nil
}

const sendHelp = `
Mails the tips that are new since the last issue to every active
subscriber, each only the topics they chose. Needs AGORA_SECRET (signs the
unsubscribe links), the [newsletter] SMTP settings and AGORA_SMTP_PASSWORD
when the server wants a login; AGORA_DKIM_KEY when [newsletter.dkim] is set.

Each message is recorded in the database before and after it is sent, so
running agora send again after a crash, Ctrl-C or a network cut resumes the
same issue: nobody is mailed twice, except the few messages that were being
sent at the moment of a crash, which go again with the same Message-ID.
`

func sinceText(p send.Plan, site *digest.Site) string {
	if p.Last == nil {
		return "the start (this is the first issue)"
	}
	return fmt.Sprintf("issue %d (%s)", p.Last.Number, p.Last.Cutoff.In(site.Config.Location).Format("2006-01-02 15:04"))
}

func nothingNew(p send.Plan, site *digest.Site) string {
	sections := strings.Join(site.Config.Newsletter.Sections, ", ")
	return fmt.Sprintf("Nothing new in %s since %s: no issue made, nobody mailed.", sections, sinceText(p, site))
}

// noRecipients says why no issue was made although there was news: like
// "nothing new", it is not a failure (exit 0), and the items wait.
func noRecipients(ctx context.Context, st store.Store, p send.Plan) string {
	why := "nobody is subscribed and active"
	if counts, err := st.Count(ctx); err == nil && counts[subscriber.Active] > 0 {
		why = fmt.Sprintf("none of the %s chose a topic any of them is tagged with", plural(counts[subscriber.Active], "active subscriber", "active subscribers"))
	}
	return fmt.Sprintf("No recipient for %s: %s. No issue made, nobody mailed; the items wait for the next issue.", plural(len(p.Items), "new item", "new items"), why)
}

// maxLate bounds the late pages warnLate names one by one.
const maxLate = 20

// warnLate names the pages no issue will carry: published, but dated
// before the last issue's cutoff (a draft written before an issue went out
// and published after). An issue takes the pages published after the last
// one's cutoff, so they are silently left out unless their date changes.
func warnLate(w io.Writer, p send.Plan, site *digest.Site) {
	n := len(p.Late)
	if n == 0 {
		return
	}
	last := p.LateCutoff()
	loc := site.Config.Location
	them, their := "them", "their"
	if n == 1 {
		them, their = "it", "its"
	}
	fmt.Fprintf(w, "Warning: %s that no issue carried %s dated before issue %d's cut-off (%s), so no issue will carry %s:\n",
		plural(n, "published page", "published pages"), pick(n, "is", "are"), last.Number, last.Cutoff.In(loc).Format("2006-01-02 15:04"), them)
	for i, pg := range p.Late {
		if i == maxLate {
			fmt.Fprintf(w, "  … and %d more\n", n-maxLate)
			break
		}
		fmt.Fprintf(w, "  %s (%q, dated %s)\n", pg.Path, pg.Title, pg.Published.In(loc).Format("2006-01-02 15:04"))
	}
	fmt.Fprintf(w, "Only pages published after the last issue's cut-off go into the next one: set %s date or publishDate to now to include %s in the next issue.\n", their, them)
}

// pick is one when n is 1, else many.
func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func sendSummary(ctx context.Context, e *env, j store.Journal, res send.Result) error {
	w := e.stdout
	rate := 0.0
	if s := res.Duration.Seconds(); s > 0 {
		rate = float64(res.Sent) / s
	}
	fmt.Fprintf(w, "Issue %d: sent %d of %d in %s (%.0f msg/s)", res.Issue.Number, res.Sent, res.Queued, res.Duration.Round(time.Millisecond), rate)
	var parts []string
	if res.Bounced > 0 {
		parts = append(parts, fmt.Sprintf("%d bounced", res.Bounced))
	}
	if res.Skipped > 0 {
		parts = append(parts, fmt.Sprintf("%d skipped", res.Skipped))
	}
	if res.Errors > 0 {
		parts = append(parts, fmt.Sprintf("%d failed", res.Errors))
	}
	if res.Deferred > 0 {
		parts = append(parts, fmt.Sprintf("%d deferred", res.Deferred))
	}
	if res.Retried > 0 {
		parts = append(parts, fmt.Sprintf("%d retries", res.Retried))
	}
	if len(parts) > 0 {
		fmt.Fprintf(w, "; %s", strings.Join(parts, ", "))
	}
	fmt.Fprintln(w, ".")
	if res.Clipped > 0 {
		fmt.Fprintf(w, "Warning: %d messages have more than %d KB of HTML (the largest %d KB): Gmail clips at about 102 KB, hiding the unsubscribe link. Lower [newsletter] max_items or shorten the summaries.\n",
			res.Clipped, digest.ClipWarning/1024, res.LargestHTML/1024)
	}
	for _, a := range res.NewlyBounced {
		fmt.Fprintf(w, "%s is now bounced after %d hard bounces in a row: no more mail goes to them.\n", a, send.HardBounceLimit)
	}
	var unsent []store.Unsent
	if err := j.Unsent(ctx, res.Issue.ID, func(u store.Unsent) error { unsent = append(unsent, u); return nil }); err != nil {
		return err
	}
	if len(unsent) > 0 {
		fmt.Fprintf(w, "Not sent (%d):\n", len(unsent))
		for _, u := range unsent {
			who := u.Email
			if who == "" {
				who = "(erased subscriber)"
			}
			why := string(u.Failure)
			switch {
			case u.State == store.Queued || u.State == store.Sending:
				why = "waiting"
			case u.Failure == store.Bounce:
				why = "bounced"
			}
			msg := u.Error
			if msg == "" {
				msg = "not tried yet"
			}
			fmt.Fprintf(w, "  %s: %s: %s\n", who, why, msg)
		}
	}
	switch {
	case res.Interrupted:
		return fmt.Errorf("stopped before the end: run agora send again to resume issue %d", res.Issue.Number)
	case !res.Finished:
		return fmt.Errorf("%d messages were deferred by the server: run agora send again later to retry them", res.Deferred)
	}
	fmt.Fprintf(w, "Issue %d is done.\n", res.Issue.Number)
	return nil
}

// sendLook is --dry-run and --preview: it reads and renders, and writes
// nothing to the database.
func sendLook(ctx context.Context, e *env, site *digest.Site, st store.Store, j store.Journal, clock time.Time, preview string) error {
	plan, err := send.NewPlan(ctx, site, j, clock)
	if err != nil {
		return err
	}
	warnLate(e.stdout, plan, site)
	if !plan.Resume && len(plan.Items) == 0 {
		fmt.Fprintln(e.stdout, nothingNew(plan, site))
		return nil
	}
	groups, err := plan.Groups(ctx, st, j, site.Config.Newsletter.MaxItems)
	if err != nil {
		return err
	}
	people := 0
	for _, g := range groups {
		people += len(g.Emails)
	}
	if people == 0 && !plan.Resume {
		fmt.Fprintln(e.stdout, noRecipients(ctx, st, plan))
		if preview != "" {
			fmt.Fprintln(e.stdout, "Preview: nothing to write, nothing was sent and nothing changed.")
		} else {
			fmt.Fprintln(e.stdout, "Dry run: nothing was sent and nothing changed.")
		}
		return nil
	}
	verb := "would make"
	if plan.Resume {
		verb = "would resume"
	}
	fmt.Fprintf(e.stdout, "agora send %s issue %d: %s, %s to %s.\n", verb, plan.Issue.Number,
		plural(len(plan.Items), "item", "items"), plural(len(groups), "distinct digest", "distinct digests"),
		plural(people, "subscriber", "subscribers"))
	if preview != "" {
		return writePreviews(e, site, plan, groups, preview, clock)
	}
	for i, g := range groups {
		fmt.Fprintf(e.stdout, "\nDigest %d, %s, to %s:\n", i+1, plural(len(g.Items), "tip", "tips"), plural(len(g.Emails), "subscriber", "subscribers"))
		for _, it := range g.Items {
			fmt.Fprintf(e.stdout, "  - %s (%s)\n", it.Title, it.ID)
		}
		if g.More > 0 {
			fmt.Fprintf(e.stdout, "  … and %d more matching, over max_items: linked to the archive page\n", g.More)
		}
		for _, a := range g.Emails {
			fmt.Fprintf(e.stdout, "    %s\n", a)
		}
	}
	fmt.Fprintln(e.stdout, "\nDry run: nothing was sent and nothing changed.")
	return nil
}

func writePreviews(e *env, site *digest.Site, plan send.Plan, groups []*send.Group, dir string, clock time.Time) error {
	c, err := previewComposer(site)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for i, g := range groups {
		m, err := c.Compose(plan.Issue, g.Sample, g.Items, g.More, clock)
		if err != nil {
			return err
		}
		base := filepath.Join(dir, fmt.Sprintf("issue-%d-digest-%d", plan.Issue.Number, i+1))
		if err := os.WriteFile(base+".eml", m.Data, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(base+".html", []byte(m.Rendered.HTML), 0o644); err != nil {
			return err
		}
		note := ""
		if len(m.Rendered.HTML) > digest.ClipWarning {
			note = fmt.Sprintf(" — warning: %d KB of HTML, Gmail clips at about 102 KB", len(m.Rendered.HTML)/1024)
		}
		fmt.Fprintf(e.stdout, "Wrote %s.eml and .html (%s, for %s, as sent to %s)%s\n", base, plural(len(g.Items), "tip", "tips"),
			plural(len(g.Emails), "subscriber", "subscribers"), g.Sample.Email, note)
	}
	fmt.Fprintln(e.stdout, "Preview: nothing was sent and nothing changed.")
	return nil
}

// welcomeLook is --dry-run and --preview for the welcome series: who each
// due step would go to, or one message per due step.
func welcomeLook(ctx context.Context, e *env, site *digest.Site, wj store.Welcome, steps []digest.Step, clock time.Time, preview string) error {
	if len(steps) == 0 {
		return nil
	}
	due, err := send.WelcomeDue(ctx, wj, steps, clock)
	if err != nil {
		return err
	}
	var c *send.Composer
	if preview != "" {
		if c, err = previewComposer(site); err != nil {
			return err
		}
		if err := os.MkdirAll(preview, 0o755); err != nil {
			return err
		}
	}
	for i, st := range steps {
		if len(due[i]) == 0 {
			continue
		}
		if c == nil {
			fmt.Fprintf(e.stdout, "Welcome step %q (%s, %s), due for %s:\n", st.Title, st.Source.Path, afterText(st.After), plural(len(due[i]), "subscriber", "subscribers"))
			for _, sub := range due[i] {
				fmt.Fprintf(e.stdout, "    %s\n", sub.Email)
			}
			continue
		}
		m, err := c.ComposeWelcome(st, due[i][0], clock)
		if err != nil {
			return err
		}
		base := filepath.Join(preview, fmt.Sprintf("welcome-%d", i+1))
		if err := os.WriteFile(base+".eml", m.Data, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(base+".html", []byte(m.Rendered.HTML), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "Wrote %s.eml and .html (welcome step %q, due for %s, as sent to %s)\n", base, st.Title,
			plural(len(due[i]), "subscriber", "subscribers"), due[i][0].Email)
	}
	return nil
}

// previewComposer makes messages for a look: the links work when
// AGORA_SECRET is set, and hold a placeholder token otherwise.
func previewComposer(site *digest.Site) (*send.Composer, error) {
	signer, _ := token.FromEnv(os.Getenv, nil)
	from := site.Config.Newsletter.From
	if from == "" {
		from = "preview@example.invalid"
	}
	return send.NewComposer(site, from, site.Config.Newsletter.ReplyTo, signer, nil)
}
