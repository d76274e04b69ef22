package send

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/agora-hub/agora/newsletter/digest"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// The welcome series goes through the digest's machinery: the same SMTP
// connections and replies, the same headers (List-Unsubscribe, One-Click,
// DKIM), a Message-ID fixed per (step, person), and a journal row per
// (step, person) claimed at sending in one commit before its message goes
// out. A run killed mid-step leaves at most a claim per connection at
// sending, and those go again, with the same Message-ID, on the next run.
//
// Steps run one after the other in the order of their delay, each to every
// person it is due for, so that nobody gets the second step before the
// first; someone whose earlier step did not go (deferred, bounced, or held
// by another sender) gets no later one in that run.
//
// On SQLite one process at a time sends welcome mail (LockWelcome), and it
// takes over any row left at sending (Options.Exclusive). On PostgreSQL
// any number of agora send and agora listen share the series: each run
// registers as a sender, claims rows for itself and renews its lease, and
// the rows of a run that died come back to the others after the lease, as
// the digest's do.

// ErrWelcomeBusy is LockWelcome when another process keeps sending
// welcome mails.
var ErrWelcomeBusy = errors.New("another agora is sending welcome mails")

// WelcomeMessageID is fixed for (step, subscriber): a resend after a crash
// carries the same one. The subscriber's creation time is in the hash, so
// that a reused ID never names another person's message.
func (c *Composer) WelcomeMessageID(step string, sub subscriber.Subscriber) string {
	h := sha256.Sum256(fmt.Appendf(nil, "agora-welcome\x00%s\x00%d\x00%s", step, sub.ID, sub.Created.UTC().Format(time.RFC3339Nano)))
	return fmt.Sprintf("welcome.sub-%d.%s@%s", sub.ID, hex.EncodeToString(h[:8]), c.fromDomain)
}

// ComposeWelcome makes step's message for sub, dated at: rendered in full
// (welcome mails are few), with the digest's headers.
func (c *Composer) ComposeWelcome(step digest.Step, sub subscriber.Subscriber, at time.Time) (Composed, error) {
	tok, prefs := c.token(sub), c.prefsToken(sub)
	r, err := c.Site.Templates().RenderWelcome(digest.WelcomeMessage{
		Step: step, Subscriber: sub, UnsubscribeURL: c.unsubscribePrefix() + tok, PreferencesURL: c.preferencesURL(prefs),
	})
	if err != nil {
		return Composed{}, err
	}
	if strings.ContainsAny(sub.Email, "\r\n") {
		return Composed{}, fmt.Errorf("the To address %q has a line break", sub.Email)
	}
	id := c.WelcomeMessageID(step.ID, sub)
	dst := c.appendHead(nil, r.Subject)
	dst = appendHeader(dst, "To", formatAddress(&mail.Address{Name: headerText(sub.Name), Address: sub.Email}))
	dst = append(dst, "Date: "...)
	dst = at.AppendFormat(dst, time.RFC1123Z)
	dst = append(dst, "\r\nMessage-ID: <"...)
	dst = append(dst, id...)
	dst = append(dst, ">\r\n"...)
	dst = c.appendListUnsubscribe(dst, tok)
	dst = append(dst, "\r\n"...)
	dst = c.appendPart(dst, "text/plain")
	dst, _ = appendQP(dst, r.Text, 0, true)
	dst = c.appendPart(dst, "text/html")
	dst, _ = appendQP(dst, r.HTML, 0, true)
	dst = append(dst, "\r\n--"...)
	dst = append(dst, c.boundary...)
	dst = append(dst, "--\r\n"...)
	dst, err = c.sign(dst, 0)
	if err != nil {
		return Composed{}, err
	}
	return Composed{MessageID: "<" + id + ">", Rendered: r, Data: dst}, nil
}

// WelcomeOptions configure RunWelcome beyond Options.
type WelcomeOptions struct {
	Options
	Welcome store.Welcome
	// MaxAfter, when not negative, limits the run to steps with a delay up
	// to it: agora listen sends only the "after = 0" steps.
	MaxAfter time.Duration
}

// WelcomeStepResult is what a run did for one step.
type WelcomeStepResult struct {
	Step                                     digest.Step
	Sent, Bounced, Errors, Deferred, Skipped int
	Held                                     int // not sent because an earlier step did not go
}

// WelcomeResult is what RunWelcome did.
type WelcomeResult struct {
	Steps       []WelcomeStepResult
	Interrupted bool
}

// Sent is the number of welcome messages sent.
func (r WelcomeResult) Sent() int {
	n := 0
	for _, s := range r.Steps {
		n += s.Sent
	}
	return n
}

// Deferred is how many the server deferred: they stay queued for the
// next run.
func (r WelcomeResult) Deferred() int {
	n := 0
	for _, s := range r.Steps {
		n += s.Deferred
	}
	return n
}

// WelcomeMatches reports whether a subscriber with topics gets a step
// with tags: as for digest items, no tags means everyone, and a subscriber
// who chose no topics chose everything.
func WelcomeMatches(tags, topics []string) bool {
	if len(tags) == 0 || len(topics) == 0 {
		return true
	}
	for _, t := range tags {
		if slices.Contains(topics, t) {
			return true
		}
	}
	return false
}

// WelcomeDue lists, per step, who the step is due for at now, for
// --dry-run and --preview: nothing is claimed.
func WelcomeDue(ctx context.Context, w store.Welcome, steps []digest.Step, now time.Time) ([][]subscriber.Subscriber, error) {
	out := make([][]subscriber.Subscriber, len(steps))
	for i, st := range steps {
		var after int64
		for {
			ds, err := w.WelcomeDue(ctx, st.ID, st.Start, now.Add(-st.After), after, welcomePage)
			if err != nil {
				return nil, err
			}
			for _, d := range ds {
				if WelcomeMatches(st.Tags, d.Subscriber.Topics) {
					out[i] = append(out[i], d.Subscriber)
				}
			}
			if len(ds) < welcomePage {
				break
			}
			after = ds[len(ds)-1].Subscriber.ID
		}
	}
	return out, nil
}

// welcomePage is how many due subscribers are read per query.
const welcomePage = 256

// RunWelcome sends every step that is due at now, in the order of their
// delay. With opt.Exclusive the caller holds the welcome lock
// (LockWelcome); without it the run registers in opt.Journal as a sender
// and claims rows under its lease.
func RunWelcome(ctx context.Context, steps []digest.Step, now time.Time, opt WelcomeOptions) (WelcomeResult, error) {
	var res WelcomeResult
	if !slices.ContainsFunc(steps, func(st digest.Step) bool { return opt.MaxAfter < 0 || st.After <= opt.MaxAfter }) {
		return res, nil // nothing to register for
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 4
	}
	if opt.Lease <= 0 {
		opt.Lease = Lease
	}
	if opt.Progress == nil {
		opt.Progress = io.Discard
	}
	opt.Retry = opt.Retry.withDefaults()
	s := &sender{opt: opt.Options, res: &Result{}}
	// Deferral notices only: a welcome run is short and has no bar.
	s.prog = &progress{w: opt.Progress, start: time.Now(), stopc: make(chan struct{})}
	if opt.Rate > 0 {
		// The digest's shared rate: slots reserved with each claim.
		s.interval = time.Duration(float64(time.Second) / opt.Rate)
	}
	work, cancel := context.WithCancel(ctx)
	defer cancel()
	s.cancel = cancel
	if !opt.Exclusive {
		if opt.Journal == nil {
			return res, errors.New("welcome series: a shared run needs the journal to register in")
		}
		host, _ := os.Hostname()
		var err error
		if s.id, err = opt.Journal.RegisterSender(work, host, os.Getpid(), false); err != nil {
			return res, fmt.Errorf("welcome journal: registering this sender: %w", err)
		}
		// Retired after every outcome is recorded (runStep records its
		// batch before it returns).
		defer func() { _ = opt.Journal.RetireSender(context.WithoutCancel(ctx), s.id) }()
		stopBeat := s.heartbeat(work)
		defer stopBeat()
	}
	conns := make([]*conn, opt.Concurrency)
	for i := range conns {
		conns[i] = &conn{s: s}
	}
	defer func() {
		for _, c := range conns {
			c.close()
		}
	}()
	held := map[int64]bool{}
	for _, st := range steps {
		if opt.MaxAfter >= 0 && st.After > opt.MaxAfter {
			continue
		}
		r := WelcomeStepResult{Step: st}
		err := runStep(work, s, conns, opt, st, now, held, &r)
		if r.Sent+r.Bounced+r.Errors+r.Deferred+r.Skipped+r.Held > 0 {
			res.Steps = append(res.Steps, r)
		}
		if err != nil {
			return res, err
		}
		if s.fatal != nil {
			return res, s.fatal
		}
		if ctx.Err() != nil {
			res.Interrupted = true
			return res, nil
		}
	}
	return res, nil
}

// welcomeJob is one claimed message, when its rate slot begins, and what
// became of it.
type welcomeJob struct {
	sub     subscriber.Subscriber
	id      string
	at      time.Time
	outcome store.WelcomeUpdate
	sent    bool
}

// runStep sends one step to everyone it is due for, a claim of up to
// ClaimBatch per connection at a time.
func runStep(ctx context.Context, s *sender, conns []*conn, opt WelcomeOptions, st digest.Step, now time.Time, held map[int64]bool, r *WelcomeStepResult) error {
	var after int64
	batch := ClaimBatch * len(conns)
	for ctx.Err() == nil {
		ds, err := opt.Welcome.WelcomeDue(ctx, st.ID, st.Start, now.Add(-st.After), after, batch)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("welcome journal: %w", err)
		}
		if len(ds) == 0 {
			return nil
		}
		after = ds[len(ds)-1].Subscriber.ID
		var jobs []*welcomeJob
		var claims []store.WelcomeClaim
		for _, d := range ds {
			switch {
			case !WelcomeMatches(st.Tags, d.Subscriber.Topics):
				continue
			case held[d.Subscriber.ID]:
				r.Held++
				continue
			}
			j := &welcomeJob{sub: d.Subscriber, id: "<" + opt.Composer.WelcomeMessageID(st.ID, d.Subscriber) + ">"}
			jobs = append(jobs, j)
			claims = append(claims, store.WelcomeClaim{Step: st.ID, SubscriberID: d.Subscriber.ID, MessageID: j.id})
		}
		// On disk at sending before the first message of the claim goes.
		c, err := opt.Welcome.ClaimWelcome(ctx, store.WelcomeClaimRequest{Claims: claims, Sender: s.id,
			Lease: opt.Lease, Exclusive: opt.Exclusive, Interval: s.interval})
		if err != nil {
			return fmt.Errorf("welcome journal: %w", err)
		}
		var mine []*welcomeJob
		for i, j := range jobs {
			switch {
			case c.Claimed[i]:
				if s.interval > 0 {
					j.at = c.SlotStart.Add(time.Duration(len(mine)) * s.interval)
				}
				mine = append(mine, j)
			case opt.Exclusive:
				r.Skipped++ // unsubscribed, or finished by another run, meanwhile
			default:
				// Unsubscribed meanwhile, or another sender has it: no
				// later step for them in this run either.
				held[j.sub.ID] = true
			}
		}
		queue := make(chan *welcomeJob)
		var wg sync.WaitGroup
		for _, c := range conns {
			wg.Go(func() {
				for j := range queue {
					deliverWelcome(ctx, s, c, opt, st, now, j)
				}
			})
		}
		for _, j := range mine {
			queue <- j
		}
		close(queue)
		wg.Wait()
		updates := make([]store.WelcomeUpdate, 0, len(mine))
		for _, j := range mine {
			updates = append(updates, j.outcome)
			switch {
			case j.sent:
				r.Sent++
				continue
			case j.outcome.Failure == store.Bounce:
				r.Bounced++
			case j.outcome.Failure == store.Error:
				r.Errors++
			case j.outcome.State == store.Queued:
				r.Deferred++
			}
			held[j.sub.ID] = true
		}
		if err := opt.Welcome.RecordWelcome(ctx, updates); err != nil {
			return fmt.Errorf("welcome journal: %w", err)
		}
		if len(ds) < batch {
			return nil
		}
	}
	return nil
}

// deliverWelcome composes and sends one claimed message, retrying 4xx
// replies, and sets its outcome.
func deliverWelcome(ctx context.Context, s *sender, w *conn, opt WelcomeOptions, st digest.Step, now time.Time, j *welcomeJob) {
	j.outcome = store.WelcomeUpdate{Step: st.ID, SubscriberID: j.sub.ID, Sender: s.id, State: store.Queued}
	if ctx.Err() != nil || !j.at.IsZero() && !sleep(ctx, time.Until(j.at)) {
		return // stopping: back to queued, never tried
	}
	m, err := opt.Composer.ComposeWelcome(st, j.sub, opt.Now())
	if err != nil {
		j.outcome.State, j.outcome.Failure, j.outcome.Error = store.Failed, store.Error, err.Error()
		return
	}
	for attempt := 1; ; attempt++ {
		if w.c == nil && !s.connect(ctx, w) {
			// Stopping (the server is unreachable, Ctrl-C, or another
			// connection's fatal error): back to queued, this try not
			// counted.
			return
		}
		err := w.send(ctx, opt.Composer.FromAddress(), j.sub.Email, m.Data)
		j.outcome.Attempts = attempt
		if err == nil {
			j.outcome.State, j.sent = store.Sent, true
			return
		}
		j.outcome.Error = err.Error()
		var fatal *fatalError
		if errors.As(err, &fatal) {
			s.failFatal(err)
			return
		}
		var perm *permanentError
		if errors.As(err, &perm) {
			j.outcome.State, j.outcome.Failure = store.Failed, store.Bounce
			return
		}
		s.notice(j.sub.Email, err)
		if attempt >= opt.Retry.Attempts || !sleep(ctx, opt.Retry.wait(attempt)) {
			return
		}
	}
}
