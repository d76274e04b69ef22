package listen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"text/template"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/agora-hub/agora/newsletter/mailer"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/token"
)

// Sender delivers messages. The worker calls it from one goroutine.
type Sender interface {
	Send(ctx context.Context, msg *gomail.Msg) error
	// Idle tells the sender no message is coming soon, so that it can
	// close its connection.
	Idle()
}

// SMTPSender sends through the SMTP server of mailer.Settings, keeping
// one connection open while there is mail to send.
type SMTPSender struct {
	Settings mailer.Settings
	client   *gomail.Client
}

// Send implements Sender. A connection the server dropped while idle is
// dialled again once.
func (m *SMTPSender) Send(ctx context.Context, msg *gomail.Msg) error {
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		fresh := m.client == nil
		if fresh {
			if m.client, err = m.Settings.Client(); err != nil {
				return err
			}
			if err = m.client.DialWithContext(ctx); err != nil {
				m.client = nil
				return &mailer.UnreachableError{Host: m.Settings.Host, Port: m.Settings.Port, Err: err}
			}
		}
		if err = m.client.Send(msg); err == nil {
			return nil
		}
		m.Idle()
		if fresh || permanent(err) {
			return err
		}
	}
	return err
}

// Idle implements Sender.
func (m *SMTPSender) Idle() {
	if m.client != nil {
		_ = m.client.Close()
		m.client = nil
	}
}

// relayWait is how long the worker waits after its n-th failure in a row
// to reach the server: 1 minute, doubling to 16.
func relayWait(n int) time.Duration {
	return time.Minute << min(n-1, 4)
}

// permanent reports a 5xx reply: the address does not take mail, and
// trying again would only hurt the sender's reputation.
func permanent(err error) bool {
	// go-mail's *SendError carries the reply code this way.
	var reply interface{ ErrorCode() int }
	return errors.As(err, &reply) && reply.ErrorCode() >= 500 && reply.ErrorCode() < 600
}

// retryDelays are the waits after each failed attempt; after the last the
// confirmation is given up.
var retryDelays = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour}

// mailBatch is how many confirmations are sent between two commits of
// their results: one write for many messages, and at most that many sent
// twice if the service dies in between.
const mailBatch = 20

// idlePoll bounds the worker's sleep, so that it purges old requests and
// notices a queue filled by another process.
const idlePoll = time.Minute

// nudge wakes the mail worker after a sign-up queued a mail.
func (s *Service) nudge() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// inboxBatch is how many sign-up requests one transaction applies.
const inboxBatch = 32

// mailLoop applies the sign-up inbox, sends the queued confirmations
// (within the hourly cap) until ctx ends, and forgets the addresses of
// people who did not confirm in time.
func (s *Service) mailLoop(ctx context.Context) {
	var lastPurge time.Time
	for {
		if now := s.now(); now.Sub(lastPurge) >= time.Hour {
			lastPurge = now
			s.purge(ctx)
		}
		capUntil := s.sendDue(ctx)
		if s.opt.Welcome != nil && ctx.Err() == nil {
			s.opt.Welcome(ctx)
		}
		wait := idlePoll
		if next, ok, err := s.opt.Store.NextConfirmationDue(ctx); err == nil && ok {
			wait = min(wait, max(next.Sub(s.now()), 0))
		}
		if !capUntil.IsZero() {
			wait = max(wait, capUntil.Sub(s.now()))
			wait = min(wait, idlePoll)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

func (s *Service) purge(ctx context.Context) {
	var n int
	now := s.now()
	err := s.write(func() (err error) {
		if n, err = s.opt.Store.PurgeUnconfirmed(ctx, now.Add(-s.opt.Limits.ConfirmTTL)); err != nil {
			return err
		}
		return s.opt.Store.PruneLimits(ctx, now.Add(-s.opt.Limits.MailWindow), now.Add(-capWindow), now)
	})
	switch {
	case err != nil && ctx.Err() == nil:
		s.log.Printf("forgetting unconfirmed sign-ups: %v", err)
	case n > 0:
		s.log.Printf("forgot %d unconfirmed sign-ups older than %v", n, s.opt.Limits.ConfirmTTL)
	}
}

// processInbox applies the sign-up requests waiting in the inbox.
func (s *Service) processInbox(ctx context.Context) {
	rules := store.MailRules{Every: s.opt.Limits.MailEvery, Window: s.opt.Limits.MailWindow, PerWindow: s.opt.Limits.MailsPerWindow}
	for ctx.Err() == nil {
		var p store.Processed
		err := s.write(func() (err error) {
			p, err = s.opt.Store.ProcessSignups(ctx, inboxBatch, rules)
			return err
		})
		if err != nil {
			if ctx.Err() == nil {
				s.log.Printf("reading the sign-up inbox: %v", err)
			}
			return
		}
		if p.Taken < inboxBatch {
			return
		}
	}
}

// capWindow is the window of ConfirmPerHour.
const capWindow = time.Hour

// sendDue applies the inbox and sends every confirmation that is due, in
// batches, as far as the hourly cap allows. When the cap or a relay that
// is down holds mail back it returns when the next may go.
func (s *Service) sendDue(ctx context.Context) (capUntil time.Time) {
	defer s.opt.Sender.Idle()
	for ctx.Err() == nil {
		s.processInbox(ctx)
		if s.now().Before(s.relayDownUntil) {
			return s.relayDownUntil
		}
		sent, first, err := s.opt.Store.ConfirmationsSent(ctx, s.now().Add(-capWindow))
		if err != nil {
			if ctx.Err() == nil {
				s.log.Printf("reading the mail queue: %v", err)
			}
			return time.Time{}
		}
		room := s.opt.Limits.ConfirmPerHour - sent
		if room <= 0 {
			capUntil = first.Add(capWindow)
			if next, ok, err := s.opt.Store.NextConfirmationDue(ctx); err == nil && ok && !next.After(s.now()) && s.now().Sub(s.capped) >= capWindow {
				s.capped = s.now()
				s.log.Printf("%d confirmation mails sent in the last hour, the most [newsletter] confirm_per_hour allows: the others wait in the queue, the next at %s", sent, capUntil.Format(time.RFC3339))
			}
			return capUntil
		}
		// The store claims them, within the cap counted again with the
		// mails other services hold: the count above is this service's
		// hint, the claim is what holds.
		due, err := s.opt.Store.DueConfirmations(ctx, min(mailBatch, room), s.opt.Limits.ConfirmPerHour)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Printf("reading the mail queue: %v", err)
			}
			return time.Time{}
		}
		if len(due) == 0 {
			return time.Time{}
		}
		var results []store.ConfirmationResult
		down := false
		for i, m := range due {
			// A message already begun is finished: stopping halfway would
			// only send it again after the restart.
			if ctx.Err() != nil || down {
				// Not tried: back in the queue at once, no attempt used,
				// rather than held until the claim's lease ends.
				results = append(results, store.ConfirmationResult{SubscriberID: m.SubscriberID, Request: m.Request, Untried: true})
				continue
			}
			res, unreachable := s.sendOne(context.WithoutCancel(ctx), m)
			if unreachable {
				// The relay is down: this mail and the rest of the batch
				// wait, no attempt used.
				down = true
				results = append(results, store.ConfirmationResult{SubscriberID: due[i].SubscriberID, Request: due[i].Request, Untried: true})
				continue
			}
			s.relayFailures = 0
			results = append(results, res)
		}
		// Recorded even while stopping, with a short deadline of its own.
		rec, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		err = s.write(func() error { return s.opt.Store.RecordConfirmations(rec, results) })
		cancel()
		if err != nil {
			s.log.Printf("recording %d confirmation mails: %v", len(results), err)
			return time.Time{}
		}
		if down {
			return s.relayDownUntil
		}
	}
	return time.Time{}
}

// sendOne sends m and says what became of it; unreachable is set, and
// the result is not to be recorded, when the server could not be reached.
func (s *Service) sendOne(ctx context.Context, m store.ConfirmationMail) (res store.ConfirmationResult, unreachable bool) {
	res = store.ConfirmationResult{SubscriberID: m.SubscriberID, Request: m.Request}
	msg, err := s.confirmation(m)
	if err == nil {
		sendCtx, cancel := context.WithTimeout(ctx, mailer.DefaultTimeout)
		err = s.opt.Sender.Send(sendCtx, msg)
		cancel()
	}
	if err == nil {
		return res, false
	}
	if down := (*mailer.UnreachableError)(nil); errors.As(err, &down) {
		s.relayFailures++
		wait := relayWait(s.relayFailures)
		s.relayDownUntil = s.now().Add(wait)
		s.log.Printf("%v: the confirmation mails wait in the queue, trying again in %v", err, wait)
		return res, true
	}
	res.Err = err
	// Logged by subscriber ID: the log is no place for addresses.
	if permanent(err) || m.Attempts >= len(retryDelays) {
		s.log.Printf("confirmation to subscriber %d failed, given up: %v", m.SubscriberID, err)
		return res, false
	}
	res.RetryAt = s.now().Add(retryDelays[m.Attempts])
	s.log.Printf("confirmation to subscriber %d failed, retrying at %s: %v", m.SubscriberID, res.RetryAt.Format(time.RFC3339), err)
	return res, false
}

// The confirmation holds nothing a visitor typed, not even the name or
// topics: only the address (in To), the site's own words and the link. So
// the form cannot be used to mail strangers a message of anyone's making.
var confirmationText = template.Must(template.New("confirmation").Parse(`Hello,

someone, most likely you, asked to get the newsletter of {{ .Title }} ({{ .Site }}) at this address.

To confirm, open this link and press Confirm:

{{ .Link }}

The link works for {{ .Days }} days. If you did not ask for this, ignore this message: nothing will be sent to you, and the address will be forgotten.
`))

func (s *Service) confirmation(m store.ConfirmationMail) (*gomail.Msg, error) {
	var body bytes.Buffer
	err := confirmationText.Execute(&body, map[string]any{
		"Title": s.opt.Site.Title,
		"Site":  s.opt.Site.BaseURL.String(),
		"Link":  s.link(token.Confirm, s.opt.Signer.Sign(token.Confirm, m.Link, m.Request, s.opt.Limits.ConfirmTTL)),
		"Days":  int(s.opt.Limits.ConfirmTTL / (24 * time.Hour)),
	})
	if err != nil {
		return nil, err
	}
	msg := gomail.NewMsg()
	if err := msg.From(s.opt.From); err != nil {
		return nil, fmt.Errorf("from %q: %w", s.opt.From, err)
	}
	if err := msg.To(m.Email); err != nil {
		return nil, err
	}
	if s.opt.ReplyTo != "" {
		if err := msg.ReplyTo(s.opt.ReplyTo); err != nil {
			return nil, fmt.Errorf("reply-to %q: %w", s.opt.ReplyTo, err)
		}
	}
	msg.Subject("Confirm your subscription to " + s.opt.Site.Title)
	// Auto-Submitted keeps vacation responders from answering it.
	msg.SetGenHeader("Auto-Submitted", "auto-generated")
	msg.SetUserAgent("Agora")
	msg.SetDateWithValue(s.now())
	// Under the From domain, as the digests' are: go-mail's own would
	// carry this machine's host name.
	id, err := mailer.MessageID(s.opt.From)
	if err != nil {
		return nil, err
	}
	msg.SetMessageIDWithValue(id)
	msg.SetBodyString(gomail.TypeTextPlain, body.String())
	return msg, nil
}
