package send

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/textproto"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gosmtp "github.com/wneessen/go-mail/smtp"

	"github.com/agora-hub/agora/newsletter/digest"
	"github.com/agora-hub/agora/newsletter/mailer"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// HardBounceLimit is how many hard bounces in a row make a subscriber
// bounced, so that a full mailbox that bounced once is not dropped.
const HardBounceLimit = 3

// Retry is how 4xx replies and dropped connections are retried.
type Retry struct {
	Attempts int           // SMTP tries per message in one run (default 5)
	Base     time.Duration // first wait, doubled each time (default 2s)
	Max      time.Duration // longest wait (default 1m)
}

func (r Retry) withDefaults() Retry {
	if r.Attempts <= 0 {
		r.Attempts = 5
	}
	if r.Base <= 0 {
		r.Base = 2 * time.Second
	}
	if r.Max <= 0 {
		r.Max = time.Minute
	}
	return r
}

func (r Retry) wait(attempt int) time.Duration {
	d := time.Duration(float64(r.Base) * math.Pow(2, float64(attempt-1)))
	return min(d, r.Max)
}

// Options configure a send.
type Options struct {
	Store    store.Store
	Journal  store.Journal
	Composer *Composer
	SMTP     mailer.Settings
	// Concurrency is the number of SMTP connections (default 4).
	Concurrency int
	// Rate is messages per second over all connections; 0 is no limit.
	Rate  float64
	Retry Retry
	// Now is the clock for Date headers and the journal (default time.Now).
	Now func() time.Time
	// Progress receives the progress display and notices; Terminal makes
	// it a bar redrawn in place rather than plain lines.
	Progress io.Writer
	Terminal bool
	// Exclusive says this process holds the send lock (SQLite's lock
	// file): any other registered sender is dead, and the rows it left at
	// sending are taken back at once rather than after Lease.
	Exclusive bool
	// Lease is how long a sender's rows stay its own without a heartbeat
	// (default Lease); a heartbeat renews it every third of it.
	Lease time.Duration
}

// Lease is how long a sender that stopped heartbeating (killed, or cut
// off from the database) keeps the rows it holds at sending before other
// senders take them back. A live sender renews it every Lease/3.
const Lease = 30 * time.Second

// pollOthers is how often a sender with nothing left to claim looks
// whether the rows other senders hold were sent or came back.
const pollOthers = time.Second

// Result is what a send did.
type Result struct {
	Issue   store.Issue
	Created bool // a new issue; false when one was resumed
	Archive string
	// Queued is how many deliveries were waiting when this run began.
	Queued                                   int
	Sent, Bounced, Skipped, Errors, Deferred int
	Retried                                  int
	Finished                                 bool // every delivery of the issue is done
	Joined                                   bool // another sender created the issue this run sends too
	Interrupted                              bool // stopped by the context (Ctrl-C)
	NewlyBounced                             []string
	Clipped                                  int // messages whose HTML neared Gmail's clipping
	LargestHTML                              int
	Duration                                 time.Duration
}

// ErrNothingNew is a send with no new items: no issue is made.
var ErrNothingNew = errors.New("nothing new to send")

// Run sends the plan's issue: it creates the issue (freezing its items
// and queueing its recipients) unless the plan resumes one, writes its
// archive page, then mails every queued delivery.
func Run(ctx context.Context, p Plan, opt Options) (Result, error) {
	start := time.Now()
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
	c := opt.Composer
	res := Result{Issue: p.Issue}
	maxItems := c.Site.Config.Newsletter.MaxItems
	if !p.Resume {
		if len(p.Items) == 0 {
			return res, ErrNothingNew
		}
		is, _, err := opt.Journal.CreateIssue(ctx, store.NewIssue{
			Created: p.Issue.Created, Since: p.Issue.Since, Cutoff: p.Issue.Cutoff,
			Subject: p.Issue.Subject, ArchivePath: c.Site.ArchivePath(p.Issue.Cutoff), Items: p.Items,
		}, func(s subscriber.Subscriber) bool {
			items, _ := digest.Select(p.Items, s.Topics, maxItems)
			return len(items) > 0
		})
		switch {
		case errors.Is(err, store.ErrIssueOpen):
			// Another sender won: send its issue with it.
			if p, err = join(ctx, opt.Journal); err != nil {
				return res, err
			}
			res.Issue, res.Joined = p.Issue, true
			fmt.Fprintf(opt.Progress, "Another agora send created issue %d meanwhile: sending it together.\n", p.Issue.Number)
		case err != nil:
			// ErrNoRecipients included: no issue, and the items wait.
			return res, err
		default:
			p.Issue, res.Issue, res.Created = is, is, true
		}
	}
	archive, err := c.Site.WriteArchive(p.Issue, p.Items)
	if err != nil {
		return res, err
	}
	res.Archive = archive
	if _, err := opt.Journal.SkipOrphans(ctx, p.Issue.ID); err != nil {
		return res, fmt.Errorf("journal: %w", err)
	}

	s := &sender{opt: opt, plan: p, res: &res, maxItems: maxItems}
	if opt.Rate > 0 {
		// One slot per message, reserved in the database, so that every
		// sender of the database shares the rate; a burst of one, as
		// providers count it, over any window.
		s.interval = time.Duration(float64(time.Second) / opt.Rate)
	}
	if err := s.run(ctx); err != nil {
		res.Duration = time.Since(start)
		return res, err
	}
	res.Interrupted = ctx.Err() != nil
	if !res.Interrupted {
		done, err := opt.Journal.FinishIssue(context.WithoutCancel(ctx), p.Issue.ID, opt.Now())
		if err != nil {
			return res, fmt.Errorf("journal: %w", err)
		}
		if !done {
			// Another sender of the issue may have finished it first.
			open, ok, err := opt.Journal.OpenIssue(context.WithoutCancel(ctx))
			if err != nil {
				return res, fmt.Errorf("journal: %w", err)
			}
			done = !ok || open.ID != p.Issue.ID
		}
		res.Finished = done
	}
	res.Duration = time.Since(start)
	return res, nil
}

// join is the plan of the issue another sender created.
func join(ctx context.Context, j store.Journal) (Plan, error) {
	open, ok, err := j.OpenIssue(ctx)
	if err != nil || !ok {
		return Plan{}, cmp.Or(err, errors.New("another agora send created an issue, which is gone"))
	}
	items, err := j.Items(ctx, open.ID)
	if err != nil {
		return Plan{}, fmt.Errorf("reading issue %d: %w", open.Number, err)
	}
	return Plan{Resume: true, Issue: open, Items: items}, nil
}

type sender struct {
	opt      Options
	plan     Plan
	res      *Result
	maxItems int
	interval time.Duration // between rate slots; 0 for no rate
	id       int64         // this process's registration
	journal  *journaler
	prog     *progress
	// slots bound the rows this process holds at sending: a claim takes
	// one per row, the commit of the row's outcome gives it back.
	slots chan struct{}

	reach    reach
	mu       sync.Mutex // guards res and notices
	notices  int
	fatal    error
	cancel   context.CancelFunc
	inFlight atomic.Int64
}

func (s *sender) run(parent context.Context) error {
	// work stops taking new messages on Ctrl-C (parent) or a fatal error
	// (cancel); messages in flight always finish.
	work, cancel := context.WithCancel(parent)
	defer cancel()
	s.cancel = cancel

	total, err := s.countPending(work)
	if err != nil {
		return err
	}
	s.res.Queued = total
	host, _ := os.Hostname()
	if s.id, err = s.opt.Journal.RegisterSender(work, host, os.Getpid(), s.opt.Exclusive); err != nil {
		return fmt.Errorf("journal: registering this sender: %w", err)
	}
	// Retired after the journaler has committed every outcome.
	defer func() { _ = s.opt.Journal.RetireSender(context.WithoutCancel(parent), s.id) }()
	stopBeat := s.heartbeat(work)
	defer stopBeat()

	max := MaxInFlight(s.opt.Concurrency)
	s.slots = make(chan struct{}, max)
	for range max {
		s.slots <- struct{}{}
	}
	s.journal = newJournaler(s.opt.Journal, func(err error) { s.failFatal(fmt.Errorf("journal: %w", err)) }, s.release)
	defer s.journal.close()
	s.prog = newProgress(s.opt.Progress, s.opt.Terminal, total)
	defer s.prog.stop()

	queue := make(chan job, max)
	var wg sync.WaitGroup
	for range s.opt.Concurrency {
		wg.Go(func() { s.worker(work, queue) })
	}
	claimErr := s.claim(work, queue)
	close(queue)
	wg.Wait()
	if s.fatal != nil {
		return s.fatal
	}
	return claimErr
}

// heartbeat renews this sender's lease until stop is called. A beat that
// fails stops the send: past the lease, other senders take its rows.
func (s *sender) heartbeat(ctx context.Context) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(s.opt.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if err := s.opt.Journal.Heartbeat(context.WithoutCancel(ctx), s.id); err != nil {
					s.failFatal(fmt.Errorf("journal: renewing this sender's lease: %w", err))
					return
				}
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// release gives back n slots: n outcomes were handed to the journaler,
// which commits them before (or with) the next claim, so that the rows
// at sending never outnumber the slots.
func (s *sender) release(n int) {
	for range n {
		s.slots <- struct{}{}
	}
}

// countPending counts the rows to send, for the progress bar's total.
func (s *sender) countPending(ctx context.Context) (int, error) {
	n, err := s.opt.Journal.CountPending(ctx, s.plan.Issue.ID)
	if err != nil {
		return 0, fmt.Errorf("journal: %w", err)
	}
	return n, nil
}

// claimSize is the most rows one claim takes: enough for every connection
// to have a batch, and with a rate no more than about a second of slots,
// so that a slow sender does not sit on rows others could send.
func (s *sender) claimSize() int {
	n := s.opt.Concurrency * ClaimBatch
	if s.opt.Rate > 0 {
		n = min(n, max(1, int(s.opt.Rate)))
	}
	return n
}

// claim takes rows from the journal, as slots allow, and feeds them to
// the workers, until the issue has nothing left that this sender may
// take: no queued row above its cursor, none held by a sender whose lease
// lapsed, and none held by a live sender that may still give it back.
func (s *sender) claim(ctx context.Context, queue chan<- job) error {
	var after int64
	idle := false
	size := s.claimSize()
	// Stale rows appear only when a sender's lease lapses: looked for at
	// the first claim, every third of a lease, and whenever a claim comes
	// back short, not by every claim (that walks every row at sending).
	var staleLooked time.Time
	for ctx.Err() == nil {
		n := s.acquire(ctx, min(size, ClaimBatch), size)
		if n == 0 {
			return nil
		}
		skipStale := !staleLooked.IsZero() && time.Since(staleLooked) < s.opt.Lease/3
		if !skipStale {
			staleLooked = time.Now()
		}
		c, err := s.journal.claimWith(store.ClaimRequest{IssueID: s.plan.Issue.ID, Sender: s.id, After: after, Limit: n,
			Lease: s.opt.Lease, Interval: s.interval, SkipStale: skipStale})
		if err != nil {
			s.release(n)
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("journal: %w", err)
		}
		s.release(n - len(c.Deliveries))
		if len(c.Deliveries) < n {
			staleLooked = time.Time{} // short: look for stale rows next time
		}
		if len(c.Deliveries) == 0 {
			others, err := s.opt.Journal.InFlight(ctx, s.plan.Issue.ID, s.id, s.opt.Lease)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return fmt.Errorf("journal: %w", err)
			}
			if others == 0 && idle {
				return nil
			}
			// Nothing to claim and nobody else holding rows may also be
			// the instant another sender's claim has the last rows locked
			// and not yet committed: look once more before leaving.
			idle = others == 0
			wait := pollOthers
			if idle {
				wait = pollOthers / 5
			}
			if !sleep(ctx, wait) {
				return nil
			}
			continue
		}
		idle = false
		for i, d := range c.Deliveries {
			if d.State == store.Queued {
				after = max(after, d.Subscriber.ID)
			}
			j := job{d: d}
			if s.interval > 0 {
				j.at = c.SlotStart.Add(time.Duration(i) * s.interval)
			}
			queue <- j // never blocks: the queue holds every slot
		}
	}
	return nil
}

// acquire takes at least least slots, waiting for them, and then up to
// most if they are free; 0 when ctx ends first.
func (s *sender) acquire(ctx context.Context, least, most int) int {
	n := 0
	for n < least {
		select {
		case <-s.slots:
			n++
		case <-ctx.Done():
			s.release(n)
			return 0
		}
	}
	for n < most {
		select {
		case <-s.slots:
			n++
		default:
			return n
		}
	}
	return n
}

// ClaimBatch is the share of a claim per connection: one commit moves a
// claim's rows to sending before the first of their messages goes out,
// rather than a commit, and a wait for the disk, per message. The process
// claims its next rows while it sends these, so it holds at most two
// batches per connection at sending at any moment (see MaxInFlight).
const ClaimBatch = 8

// MaxInFlight is the most journal rows one agora send over concurrency
// connections holds at sending at any moment, and so the most messages a
// kill -9 of it (or a power cut, see the sqlite store) can make go twice.
// Those that go twice carry the same Message-ID.
func MaxInFlight(concurrency int) int { return max(concurrency, 1) * 2 * ClaimBatch }

// job is a claimed delivery, and the time its rate slot begins.
type job struct {
	d     store.Delivery
	at    time.Time
	items []store.Item
	more  int
}

func (s *sender) worker(ctx context.Context, queue <-chan job) {
	w := &conn{s: s}
	defer w.close()
	for j := range queue {
		if ctx.Err() != nil {
			// Ctrl-C or a fatal error: claimed, never started.
			s.putBack(j)
			continue
		}
		checked, ok := s.check(j.d)
		if !ok {
			continue
		}
		checked.at = j.at
		s.deliver(ctx, w, checked)
	}
}

// check skips (recording why) a delivery that is not to be sent, else
// returns its job.
func (s *sender) check(d store.Delivery) (job, bool) {
	sub := d.Subscriber
	skip := func(why string) {
		s.recordLater(store.Update{SubscriberID: sub.ID, State: store.Failed, Failure: store.Skipped, Error: why})
		s.count(func(r *Result) { r.Skipped++ })
		s.prog.add(outSkipped)
	}
	if sub.Status != subscriber.Active {
		skip(fmt.Sprintf("not sent: %s since the issue was made", sub.Status))
		return job{}, false
	}
	items, more := digest.Select(s.plan.Items, sub.Topics, s.maxItems)
	if len(items) == 0 {
		skip("not sent: their topics changed and match nothing in this issue")
		return job{}, false
	}
	return job{d: d, items: items, more: more}, true
}

func (s *sender) failFatal(err error) {
	s.mu.Lock()
	if s.fatal == nil {
		s.fatal = err
	}
	s.mu.Unlock()
	s.cancel()
}

func (s *sender) count(f func(r *Result)) {
	s.mu.Lock()
	f(s.res)
	s.mu.Unlock()
}

// record commits u before returning.
func (s *sender) record(u store.Update) bool {
	return s.recordAll([]store.Update{u})
}

// recordAll commits us, in one transaction, before returning.
func (s *sender) recordAll(us []store.Update) bool {
	for i := range us {
		us[i].IssueID, us[i].Sender = s.plan.Issue.ID, s.id
	}
	if err := s.journal.record(us); err != nil {
		s.failFatal(fmt.Errorf("journal: %w", err))
		return false
	}
	return true
}

// recordLater has u committed with the next group, without waiting.
func (s *sender) recordLater(u store.Update) {
	u.IssueID, u.Sender = s.plan.Issue.ID, s.id
	s.journal.recordLater(u)
}

// putBack returns a claimed row that was never tried to the queue.
func (s *sender) putBack(j job) {
	s.recordLater(store.Update{SubscriberID: j.d.Subscriber.ID, State: store.Queued})
}

func (s *sender) deliver(ctx context.Context, w *conn, j job) {
	sub := j.d.Subscriber
	if !j.at.IsZero() && !sleep(ctx, time.Until(j.at)) {
		s.putBack(j) // stopping
		return
	}
	data, htmlLen, err := s.opt.Composer.appendMessage(w.buf[:0], s.plan.Issue, sub, j.items, j.more, s.opt.Now(), nil)
	w.buf = data
	if err != nil {
		s.recordLater(store.Update{SubscriberID: sub.ID, State: store.Failed, Failure: store.Error, Error: err.Error()})
		s.count(func(r *Result) { r.Errors++ })
		s.prog.add(outFailed)
		return
	}
	s.count(func(r *Result) {
		if htmlLen > digest.ClipWarning {
			r.Clipped++
		}
		r.LargestHTML = max(r.LargestHTML, htmlLen)
	})
	s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for attempt := 1; ; attempt++ {
		if w.c == nil && !s.connect(ctx, w) {
			// Stopping (the server is unreachable, Ctrl-C, or another
			// connection's fatal error): this message was never tried.
			s.putBack(j)
			return
		}
		err := w.send(ctx, s.opt.Composer.FromAddress(), sub.Email, data)
		if err == nil {
			// Not waited for: until it is committed the row says sending,
			// and a crash in between sends the message again with the
			// same Message-ID, as for any message in flight.
			s.recordLater(store.Update{SubscriberID: sub.ID, State: store.Sent, Attempts: attempt,
				MessageID: "<" + s.opt.Composer.MessageID(s.plan.Issue, sub.ID) + ">"})
			s.count(func(r *Result) { r.Sent++ })
			s.prog.add(outSent)
			return
		}
		var fatal *fatalError
		if errors.As(err, &fatal) {
			// Not this subscriber's fault: put the row back and stop.
			s.record(store.Update{SubscriberID: sub.ID, State: store.Queued, Attempts: attempt, Error: err.Error()})
			s.failFatal(err)
			return
		}
		var perm *permanentError
		if errors.As(err, &perm) {
			// Committed before counting: HardBounces reads it.
			if s.record(store.Update{SubscriberID: sub.ID, State: store.Failed, Failure: store.Bounce, Attempts: attempt, Error: perm.Error()}) {
				s.count(func(r *Result) { r.Bounced++ })
				s.prog.add(outFailed)
				s.countBounce(ctx, sub)
			}
			return
		}
		// A 4xx reply or a dropped connection: the message did not go.
		s.notice(sub.Email, err)
		if attempt >= s.opt.Retry.Attempts || !sleep(ctx, s.opt.Retry.wait(attempt)) {
			s.recordLater(store.Update{SubscriberID: sub.ID, State: store.Queued, Attempts: attempt, Error: err.Error()})
			s.count(func(r *Result) { r.Deferred++ })
			s.prog.add(outDeferred)
			return
		}
		s.count(func(r *Result) { r.Retried++ })
	}
}

// connect dials w until it is connected (true), or the send is stopping
// (false): after a failed dial the connection waits a little and dials
// again, counting nothing against the message, since it never reached
// the server. When every connection has failed for long enough (see
// reach), the whole send stops with that cause.
func (s *sender) connect(ctx context.Context, w *conn) bool {
	for n := 1; ctx.Err() == nil; n++ {
		began := time.Now()
		err := w.dial(ctx)
		if err == nil {
			return true
		}
		var fatal *fatalError
		if errors.As(err, &fatal) {
			s.failFatal(err)
			return false
		}
		if s.reach.failed(began) {
			s.failFatal(&UnreachableError{Host: s.opt.SMTP.Host, Port: s.opt.SMTP.Port, Err: err})
			return false
		}
		if !sleep(ctx, redialWait(n)) {
			return false
		}
	}
	return false
}

// A relay that is down (nothing listening, a name that does not resolve,
// TLS or the login failing, a connection closed before any reply) is not
// a slow message: once connections have failed unreachableTries times in
// a row, over all connections, for unreachableAfter with no transaction
// getting an answer in between, the send stops, everything still queued
// for the next run. A relay restarting is back well within the window;
// one that is down costs a run unreachableAfter, not hours of per-message
// back-off.
const (
	unreachableTries = 3
	unreachableAfter = 10 * time.Second
)

// redialWait is how long a connection waits after its n-th failed dial
// in a row.
func redialWait(n int) time.Duration {
	return min(500*time.Millisecond<<min(n-1, 4), 4*time.Second)
}

// reach counts the failures to get any answer from the SMTP server, over
// all connections, since the last answer.
type reach struct {
	mu       sync.Mutex
	failures int
	since    time.Time // when the first of them began
}

// answered resets the count: the server took or refused a message.
func (r *reach) answered() {
	r.mu.Lock()
	r.failures = 0
	r.mu.Unlock()
}

// failed counts a failure that began at began and reports whether the
// server is to be taken as unreachable.
func (r *reach) failed(began time.Time) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failures == 0 {
		r.since = began
	}
	r.failures++
	return r.failures >= unreachableTries && time.Since(r.since) >= unreachableAfter
}

// UnreachableError stops a send whose SMTP server could not be reached.
type UnreachableError = mailer.UnreachableError

// countBounce makes a subscriber bounced at their third hard bounce in a
// row, through the store's status change, which records the event.
func (s *sender) countBounce(ctx context.Context, sub subscriber.Subscriber) {
	ctx = context.WithoutCancel(ctx)
	n, err := s.opt.Journal.HardBounces(ctx, sub.ID)
	if err != nil {
		s.failFatal(fmt.Errorf("journal: %w", err))
		return
	}
	if n < HardBounceLimit {
		return
	}
	changed, err := s.opt.Store.SetStatus(ctx, sub.Email, subscriber.Bounced, fmt.Sprintf("bounce:issue-%d", s.plan.Issue.Number))
	if err != nil {
		s.failFatal(fmt.Errorf("marking %s bounced: %w", sub.Email, err))
		return
	}
	if changed {
		s.count(func(r *Result) { r.NewlyBounced = append(r.NewlyBounced, sub.Email) })
	}
}

// maxNotices bounds the deferral lines printed; the summary counts all.
const maxNotices = 50

// notice shows a deferral to the operator: a provider throttling (4.7.x,
// 421, 451, 454) is something to act on, by lowering rate.
func (s *sender) notice(to string, err error) {
	s.mu.Lock()
	s.notices++
	n := s.notices
	s.mu.Unlock()
	if n > maxNotices {
		if n == maxNotices+1 {
			s.prog.println("… more deferrals not shown; the summary counts them")
		}
		return
	}
	what := "deferred"
	var te *tempError
	if errors.As(err, &te) && te.throttled() {
		what = "throttled by the server (lower [newsletter] rate?)"
	}
	s.prog.println(fmt.Sprintf("%s, %s, retrying: %v", to, what, err))
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// The kinds of SMTP failure.
type (
	// tempError is a 4xx reply or a dropped connection: try again later.
	tempError struct {
		code  int
		text  string
		stage string
		err   error
	}
	// permanentError is a 5xx reply to RCPT or DATA: a hard bounce.
	permanentError struct {
		code  int
		text  string
		stage string
	}
	// fatalError stops the whole send: the server refuses the sender,
	// the login or TLS, which no retry of one message mends.
	fatalError struct{ err error }
)

func (e *tempError) Error() string {
	if e.err != nil {
		return fmt.Sprintf("%s: %v", e.stage, e.err)
	}
	return fmt.Sprintf("%s: %d %s", e.stage, e.code, e.text)
}
func (e *tempError) Unwrap() error { return e.err }

// throttled recognises providers' rate-limit deferrals.
func (e *tempError) throttled() bool {
	return e.code == 421 || e.code == 451 || e.code == 454 || strings.HasPrefix(e.text, "4.7.")
}

func (e *permanentError) Error() string { return fmt.Sprintf("%s: %d %s", e.stage, e.code, e.text) }
func (e *fatalError) Error() string     { return e.err.Error() }
func (e *fatalError) Unwrap() error     { return e.err }

// conn is one worker's SMTP connection, dialled on first use and kept for
// many messages. go-mail dials it (TLS, STARTTLS, AUTH); the transactions
// are written on its text connection directly, so that the envelope goes
// in one write when the server offers PIPELINING (RFC 2920) and the
// message, dot-free by construction, in one more.
type conn struct {
	s          *sender
	c          *gosmtp.Client
	pipelining bool
	smtputf8   bool
	buf        []byte // the message being sent, reused for the next
}

func (w *conn) close() {
	if w.c != nil {
		_ = w.c.Quit()
		_ = w.c.Close()
		w.c = nil
	}
}

func (w *conn) drop() {
	if w.c != nil {
		_ = w.c.Close()
		w.c = nil
	}
}

// dial connects w. A failure is an error to count towards the server
// being unreachable (see connect), except settings that cannot make a
// client at all, which are fatal at once.
func (w *conn) dial(ctx context.Context) error {
	client, err := w.s.opt.SMTP.Client()
	if err != nil {
		return &fatalError{err}
	}
	// The dial is not cut short by Ctrl-C: a message whose turn came is
	// finished, and SMTP's own timeout bounds it.
	c, err := client.DialToSMTPClientWithContext(context.WithoutCancel(ctx))
	if err != nil {
		return err
	}
	w.c = c
	w.pipelining, _ = c.Extension("PIPELINING")
	w.pipelining = w.pipelining && !noPipelining
	w.smtputf8, _ = c.Extension("SMTPUTF8")
	return nil
}

// noPipelining makes connections wait for each reply even when the
// server offers PIPELINING (tests of the step-by-step path).
var noPipelining bool

// send runs one SMTP transaction on w's connection.
func (w *conn) send(ctx context.Context, from, to string, data []byte) error {
	if strings.ContainsAny(from+to, "\r\n") {
		// Refused when the message was made; never written to the wire.
		return &permanentError{code: 501, text: "the address holds a line break", stage: "RCPT TO"}
	}
	c := w.c
	began := time.Now()
	if err := c.UpdateDeadline(w.s.opt.SMTP.Timeout); err != nil {
		w.drop()
		return &tempError{stage: "connection", err: err}
	}
	stage, err := w.transact(from, to, data)
	if err == nil {
		w.s.reach.answered()
		return nil
	}
	var tp *textproto.Error
	if !errors.As(err, &tp) {
		// No reply: the connection broke. The server did not say it took
		// the message, so it is sent again on a new connection; a server
		// that never answers counts towards unreachable.
		w.drop()
		if w.s.reach.failed(began) {
			w.s.failFatal(&UnreachableError{Host: w.s.opt.SMTP.Host, Port: w.s.opt.SMTP.Port, Err: err})
		}
		return &tempError{stage: stage, err: err}
	}
	w.s.reach.answered()
	if rerr := c.Reset(); rerr != nil {
		w.drop()
	}
	switch {
	case tp.Code >= 500 && stage == "MAIL FROM":
		return &fatalError{fmt.Errorf("the server refuses the sender %s: %d %s", from, tp.Code, tp.Msg)}
	case tp.Code >= 500:
		return &permanentError{code: tp.Code, text: tp.Msg, stage: stage}
	case tp.Code == 421:
		// 421: the server is closing the connection.
		w.drop()
	}
	return &tempError{code: tp.Code, text: tp.Msg, stage: stage}
}

// transact sends MAIL, RCPT and DATA, then the message. It returns the
// stage that failed and the error: a *textproto.Error for a reply, with
// the replies of a pipelined envelope all read, else the connection's.
func (w *conn) transact(from, to string, data []byte) (string, error) {
	t := w.c.Text
	mail := "MAIL FROM:<" + from + ">"
	if w.smtputf8 && (!isASCII(from) || !isASCII(to)) {
		mail += " SMTPUTF8"
	}
	rcpt := "RCPT TO:<" + to + ">"
	if w.pipelining {
		_, _ = t.W.WriteString(mail + "\r\n" + rcpt + "\r\nDATA\r\n")
		if err := t.W.Flush(); err != nil {
			return "MAIL FROM", err
		}
		_, _, errMail := t.ReadResponse(250)
		if !isReply(errMail) {
			return "MAIL FROM", errMail
		}
		_, _, errRcpt := t.ReadResponse(25)
		if !isReply(errRcpt) {
			return "RCPT TO", errRcpt
		}
		_, _, errData := t.ReadResponse(354)
		if !isReply(errData) {
			return "DATA", errData
		}
		if errMail != nil || errRcpt != nil {
			if errData == nil {
				// A server that said go ahead to no recipient gets an
				// empty message, which it refuses.
				_, _ = t.W.WriteString(".\r\n")
				if err := t.W.Flush(); err != nil {
					return "DATA", err
				}
				if _, _, err := t.ReadResponse(250); !isReply(err) {
					return "DATA", err
				}
			}
			if errMail != nil {
				return "MAIL FROM", errMail
			}
			return "RCPT TO", errRcpt
		}
		if errData != nil {
			return "DATA", errData
		}
	} else {
		for _, c := range []struct {
			line, stage string
			code        int
		}{{mail, "MAIL FROM", 250}, {rcpt, "RCPT TO", 25}, {"DATA", "DATA", 354}} {
			_, _ = t.W.WriteString(c.line + "\r\n")
			if err := t.W.Flush(); err != nil {
				return c.stage, err
			}
			if _, _, err := t.ReadResponse(c.code); err != nil {
				return c.stage, err
			}
		}
	}
	// The message and the end-of-data line in one write.
	wire := append(dotStuff(data), ".\r\n"...)
	if _, err := t.W.Write(wire); err != nil {
		return "DATA", err
	}
	if err := t.W.Flush(); err != nil {
		return "DATA", err
	}
	if _, _, err := t.ReadResponse(250); err != nil {
		return "end of DATA", err
	}
	return "", nil
}

// isReply reports whether err is nil or a reply from the server, after
// which the connection is still in step.
func isReply(err error) bool {
	var tp *textproto.Error
	return err == nil || errors.As(err, &tp)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// dotStuff returns data, ending in CRLF, with a dot doubled at the start
// of every line (RFC 5321 4.5.2). The composer's messages have none, so
// this is a scan, not a copy.
func dotStuff(data []byte) []byte {
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		data = append(data[:len(data):len(data)], '\r', '\n')
	}
	if data[0] != '.' && !bytes.Contains(data, []byte("\n.")) {
		return data
	}
	out := make([]byte, 0, len(data)+64)
	for line := range bytes.Lines(data) {
		if line[0] == '.' {
			out = append(out, '.')
		}
		out = append(out, line...)
	}
	return out
}
