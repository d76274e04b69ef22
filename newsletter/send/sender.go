package send

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/textproto"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gosmtp "github.com/wneessen/go-mail/smtp"
	"golang.org/x/time/rate"

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
	// Batch is how many journal rows the reader fetches at once.
	Batch int
}

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
	if opt.Batch <= 0 {
		opt.Batch = 256
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
		is, n, err := opt.Journal.CreateIssue(ctx, store.NewIssue{
			Created: p.Issue.Created, Since: p.Issue.Since, Cutoff: p.Issue.Cutoff,
			Subject: p.Issue.Subject, ArchivePath: c.Site.ArchivePath(p.Issue.Cutoff), Items: p.Items,
		}, func(s subscriber.Subscriber) bool {
			items, _ := digest.Select(p.Items, s.Topics, maxItems)
			return len(items) > 0
		})
		if errors.Is(err, store.ErrIssueOpen) {
			return res, fmt.Errorf("another agora send created an issue meanwhile; run agora send again to resume it")
		}
		if err != nil {
			return res, err
		}
		p.Issue, res.Issue, res.Created = is, is, true
		if n == 0 {
			fmt.Fprintf(opt.Progress, "Issue %d has no recipient: no active subscriber's topics match its items.\n", is.Number)
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
	s.limiter = rate.NewLimiter(rate.Inf, 1)
	if opt.Rate > 0 {
		// A burst of one: the rate holds over any window, as providers
		// count it, rather than on average.
		s.limiter = rate.NewLimiter(rate.Limit(opt.Rate), 1)
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
		res.Finished = done
	}
	res.Duration = time.Since(start)
	return res, nil
}

type sender struct {
	opt      Options
	plan     Plan
	res      *Result
	maxItems int
	limiter  *rate.Limiter
	journal  *journaler
	prog     *progress

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
	s.journal = newJournaler(s.opt.Journal, func(err error) { s.failFatal(fmt.Errorf("journal: %w", err)) })
	defer s.journal.close()
	s.prog = newProgress(s.opt.Progress, s.opt.Terminal, total)
	defer s.prog.stop()

	queue := make(chan store.Delivery, 2*s.opt.Concurrency)
	var wg sync.WaitGroup
	for range s.opt.Concurrency {
		wg.Go(func() { s.worker(work, queue) })
	}
	readErr := s.read(work, queue)
	close(queue)
	wg.Wait()
	if s.fatal != nil {
		return s.fatal
	}
	return readErr
}

// countPending counts the rows to send, for the progress bar's total.
func (s *sender) countPending(ctx context.Context) (int, error) {
	n := 0
	var after int64
	for {
		ds, err := s.opt.Journal.Pending(ctx, s.plan.Issue.ID, after, 5000)
		if err != nil {
			return 0, fmt.Errorf("journal: %w", err)
		}
		n += len(ds)
		if len(ds) < 5000 {
			return n, nil
		}
		after = ds[len(ds)-1].Subscriber.ID
	}
}

// read feeds the queue in subscriber-ID order, a batch at a time, so that
// a list of any length never sits in memory.
func (s *sender) read(ctx context.Context, queue chan<- store.Delivery) error {
	var after int64
	for ctx.Err() == nil {
		ds, err := s.opt.Journal.Pending(ctx, s.plan.Issue.ID, after, s.opt.Batch)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("journal: %w", err)
		}
		for _, d := range ds {
			select {
			case queue <- d:
			case <-ctx.Done():
				return nil
			}
		}
		if len(ds) < s.opt.Batch {
			return nil
		}
		after = ds[len(ds)-1].Subscriber.ID
	}
	return nil
}

func (s *sender) worker(ctx context.Context, queue <-chan store.Delivery) {
	w := &conn{s: s}
	defer w.close()
	for d := range queue {
		if ctx.Err() != nil {
			continue // drain: the rows stay queued for the next run
		}
		s.deliver(ctx, w, d)
	}
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

func (s *sender) record(u store.Update) bool {
	u.IssueID = s.plan.Issue.ID
	if err := s.journal.record(u); err != nil {
		s.failFatal(fmt.Errorf("journal: %w", err))
		return false
	}
	return true
}

func (s *sender) deliver(ctx context.Context, w *conn, d store.Delivery) {
	sub := d.Subscriber
	skip := func(why string) {
		if s.record(store.Update{SubscriberID: sub.ID, State: store.Failed, Failure: store.Skipped, Error: why}) {
			s.count(func(r *Result) { r.Skipped++ })
			s.prog.add(outSkipped)
		}
	}
	if sub.Status != subscriber.Active {
		skip(fmt.Sprintf("not sent: %s since the issue was made", sub.Status))
		return
	}
	items, more := digest.Select(s.plan.Items, sub.Topics, s.maxItems)
	if len(items) == 0 {
		skip("not sent: their topics changed and match nothing in this issue")
		return
	}
	if err := s.limiter.Wait(ctx); err != nil {
		return // stopping: the row stays as it is
	}
	msg, err := s.opt.Composer.Compose(s.plan.Issue, sub, items, more, s.opt.Now())
	if err != nil {
		if s.record(store.Update{SubscriberID: sub.ID, State: store.Failed, Failure: store.Error, Error: err.Error()}) {
			s.count(func(r *Result) { r.Errors++ })
			s.prog.add(outFailed)
		}
		return
	}
	if n := len(msg.Rendered.HTML); n > digest.ClipWarning {
		s.count(func(r *Result) { r.Clipped++; r.LargestHTML = max(r.LargestHTML, n) })
	} else {
		s.count(func(r *Result) { r.LargestHTML = max(r.LargestHTML, n) })
	}
	// Committed before the first byte goes to the server: if this process
	// dies from here until "sent" is committed, the next run sends this
	// message again, with the same Message-ID.
	if !s.record(store.Update{SubscriberID: sub.ID, State: store.Sending, MessageID: msg.MessageID, Attempts: 1}) {
		return
	}
	s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for attempt := 1; ; attempt++ {
		err := w.send(ctx, s.opt.Composer.FromAddress(), sub.Email, msg.Data)
		if err == nil {
			s.journal.recordLater(store.Update{IssueID: s.plan.Issue.ID, SubscriberID: sub.ID, State: store.Sent, Attempts: attempt - 1})
			s.count(func(r *Result) { r.Sent++ })
			s.prog.add(outSent)
			return
		}
		var fatal *fatalError
		if errors.As(err, &fatal) {
			// Not this subscriber's fault: put the row back and stop.
			s.record(store.Update{SubscriberID: sub.ID, State: store.Queued, Attempts: attempt - 1, Error: err.Error()})
			s.failFatal(err)
			return
		}
		var perm *permanentError
		if errors.As(err, &perm) {
			if s.record(store.Update{SubscriberID: sub.ID, State: store.Failed, Failure: store.Bounce, Attempts: attempt - 1, Error: perm.Error()}) {
				s.count(func(r *Result) { r.Bounced++ })
				s.prog.add(outFailed)
				s.countBounce(ctx, sub)
			}
			return
		}
		// A 4xx reply or a dropped connection: the message did not go.
		s.notice(sub.Email, err)
		if attempt >= s.opt.Retry.Attempts || !sleep(ctx, s.opt.Retry.wait(attempt)) {
			if s.record(store.Update{SubscriberID: sub.ID, State: store.Queued, Attempts: attempt - 1, Error: err.Error()}) {
				s.count(func(r *Result) { r.Deferred++ })
				s.prog.add(outDeferred)
			}
			return
		}
		s.count(func(r *Result) { r.Retried++ })
	}
}

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
// many messages.
type conn struct {
	s *sender
	c *gosmtp.Client
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

func (w *conn) dial(ctx context.Context) error {
	client, err := w.s.opt.SMTP.Client()
	if err != nil {
		return &fatalError{err}
	}
	// The dial is not cut short by Ctrl-C: a message whose turn came is
	// finished, and SMTP's own timeout bounds it.
	c, err := client.DialToSMTPClientWithContext(context.WithoutCancel(ctx))
	if err != nil {
		var tp *textproto.Error
		if errors.As(err, &tp) && tp.Code >= 500 {
			return &fatalError{fmt.Errorf("SMTP server %s:%d refused the session: %w", w.s.opt.SMTP.Host, w.s.opt.SMTP.Port, err)}
		}
		if errors.As(err, &tp) {
			return &tempError{code: tp.Code, text: tp.Msg, stage: "connect"}
		}
		if isTLSOrAuth(err) {
			return &fatalError{fmt.Errorf("SMTP server %s:%d: %w", w.s.opt.SMTP.Host, w.s.opt.SMTP.Port, err)}
		}
		return &tempError{stage: "connect", err: err}
	}
	w.c = c
	return nil
}

// isTLSOrAuth spots the dial errors that say the settings are wrong.
func isTLSOrAuth(err error) bool {
	msg := err.Error()
	for _, s := range []string{"x509:", "tls:", "STARTTLS", "authentication", "auth", "certificate"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// send runs one SMTP transaction, dialling first if needed.
func (w *conn) send(ctx context.Context, from, to string, data []byte) error {
	if w.c == nil {
		if err := w.dial(ctx); err != nil {
			return err
		}
	}
	c := w.c
	if err := c.UpdateDeadline(w.s.opt.SMTP.Timeout); err != nil {
		w.drop()
		return &tempError{stage: "connection", err: err}
	}
	stage, err := transact(c, from, to, data)
	if err == nil {
		return nil
	}
	var tp *textproto.Error
	if !errors.As(err, &tp) {
		// No reply: the connection broke. The server did not say it took
		// the message, so it is sent again on a new connection.
		w.drop()
		return &tempError{stage: stage, err: err}
	}
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

func transact(c *gosmtp.Client, from, to string, data []byte) (string, error) {
	if err := c.Mail(from); err != nil {
		return "MAIL FROM", err
	}
	if err := c.Rcpt(to); err != nil {
		return "RCPT TO", err
	}
	wc, err := c.Data()
	if err != nil {
		return "DATA", err
	}
	if _, err := wc.Write(data); err != nil {
		_ = wc.Close()
		return "DATA", err
	}
	if err := wc.Close(); err != nil {
		return "end of DATA", err
	}
	return "", nil
}
