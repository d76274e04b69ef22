// Package listen is agora listen: the small HTTP service that a static
// hub's sign-up forms post to, sharing the newsletter's database. It is
// built to face the internet:
//
//   - No GET changes anything. Mail scanners open every link in a message;
//     confirming and unsubscribing take a POST (a button, or RFC 8058's
//     one-click POST from the mail client).
//   - Double opt-in. A sign-up only queues a confirmation mail, which holds
//     nothing the visitor typed, so the form cannot send anyone a message
//     of an attacker's making; the person becomes active only by pressing
//     Confirm on the page the mail links to.
//   - The same answer for every address, known, unknown or unsubscribed,
//     and the mail goes out from a queue, so neither the answer nor its
//     timing tells whether an address is on the list.
//   - Limits: sign-ups per client network in memory and in the database
//     (so that several services behind a load balancer count against one
//     limit), other requests per network in memory, protecting each
//     process; per mailbox in the database (one confirmation an hour and
//     three a month, across restarts, spellings and services), an hourly
//     cap on all confirmation mail, shared by every service on the
//     database, beyond which sign-ups wait in the queue (itself shared:
//     each mail goes out once, whichever service sends it), single-use
//     form tokens, a honeypot
//     field, a minimum time between the service handing out a form and
//     the form coming back, capped bodies, Origin checks and strict
//     headers.
package listen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/newsletter/mailer"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/token"
)

// Limits are the service's defences against abuse.
type Limits struct {
	// SignupsPerIP and SignupBurst bound sign-ups per client network
	// (IPv4 address, IPv6 /64), SignupsPer48 and Signup48Burst per IPv6
	// /48 (a site: one organisation or customer, who can take a fresh
	// /64 for every request); RequestsPerIP and RequestBurst bound every
	// other request but the one-click unsubscribe, which has
	// UnsubscribesPerIP and UnsubscribeBurst. rate.Inf turns a limit off.
	SignupsPerIP  rate.Limit
	SignupBurst   int
	SignupsPer48  rate.Limit
	Signup48Burst int
	RequestsPerIP rate.Limit
	RequestBurst  int
	// A one-click unsubscribe over its network's limit is refused only
	// when it would change nothing (see unsubscribe).
	UnsubscribesPerIP rate.Limit
	UnsubscribeBurst  int
	// MailEvery is the least time between two confirmation mails to one
	// mailbox (subscriber.Mailbox), and MailsPerWindow the most within
	// MailWindow. Both are kept in the database.
	MailEvery      time.Duration
	MailWindow     time.Duration
	MailsPerWindow int
	// ConfirmPerHour caps the confirmation mails of the whole service, in
	// any hour ([newsletter] confirm_per_hour); beyond it sign-ups wait in
	// the queue and are mailed, in order, as the hour allows.
	ConfirmPerHour int
	// MinFill is the least time between the service handing out a form
	// and that form coming back; FormTTL how long a form stays usable.
	MinFill, FormTTL time.Duration
	// ConfirmTTL is how long a confirmation link works, and how long the
	// address of someone who never confirms is kept after it was mailed.
	ConfirmTTL time.Duration
	// MaxBody caps a request body, in bytes.
	MaxBody int64
	// Networks is how many networks each per-network limiter remembers
	// (about 200 bytes each); past it, the one seen least recently is
	// forgotten.
	Networks int
}

// DefaultLimits are agora listen's limits.
func DefaultLimits() Limits {
	return Limits{
		SignupsPerIP: rate.Every(2 * time.Minute), SignupBurst: 5,
		// A /48 is often a whole company or campus: four times a /64's
		// burst, and a sign-up every 30 seconds after it.
		SignupsPer48: rate.Every(30 * time.Second), Signup48Burst: 20,
		RequestsPerIP: 5, RequestBurst: 60,
		// A mail provider posts its users' one-click unsubscribes from a
		// few addresses: a digest to 100,000 Gmail users whose readers
		// unsubscribe at 1% an hour is one a second. 20 a second after
		// 600 at once is far beyond that, and a real unsubscribe is never
		// refused anyway.
		UnsubscribesPerIP: 20, UnsubscribeBurst: 600,
		MailEvery: time.Hour, MailWindow: 30 * 24 * time.Hour, MailsPerWindow: 3,
		ConfirmPerHour: DefaultConfirmPerHour,
		MinFill:        2 * time.Second, FormTTL: 2 * time.Hour,
		ConfirmTTL: 7 * 24 * time.Hour,
		MaxBody:    16 << 10,
		Networks:   100_000,
	}
}

// DefaultConfirmPerHour is [newsletter] confirm_per_hour's default.
const DefaultConfirmPerHour = config.DefaultConfirmPerHour

// WithoutClientLimits turns off the per-network limits and the minimum
// fill time, for a benchmark or a test on loopback; the per-mailbox and
// hourly caps stay, as they protect people rather than the service.
func (l Limits) WithoutClientLimits() Limits {
	l.SignupsPerIP, l.SignupsPer48, l.RequestsPerIP, l.UnsubscribesPerIP, l.MinFill = rate.Inf, rate.Inf, rate.Inf, rate.Inf, 0
	return l
}

// Options configure a Service.
type Options struct {
	Site   Site
	Store  store.Signups
	Signer *token.Signer
	// Sender sends the confirmation mails, From and ReplyTo their
	// addresses (mailer.Settings' From and ReplyTo).
	Sender        Sender
	From, ReplyTo string
	Limits        Limits
	// Welcome, when set, sends the welcome steps due at once ("after =
	// 0"): the mail worker runs it after the confirmations it sends, and
	// a confirmation wakes the worker. It must return when ctx ends.
	Welcome func(ctx context.Context)
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (see clientIP).
	TrustedProxies []netip.Prefix
	Now            func() time.Time
	Log            io.Writer
}

// Service is the sign-up service.
type Service struct {
	opt                    Options
	now                    func() time.Time
	log                    *log.Logger
	siteOrigin, selfOrigin string
	prefix                 string // the endpoint's path, without a trailing slash
	cssPath                string
	// The per-network limiters: sign-ups per /64 (or IPv4 address) and
	// per /48, other requests, one-click unsubscribes.
	signups, signups48, requests, unsubscribes *ipLimiter
	pages                                      *pages

	// writeMu makes this process's writes take turns before they reach
	// SQLite: a writer that finds the database locked sleeps in SQLite's
	// busy handler for up to tens of milliseconds a round, which under a
	// burst of sign-ups is most of the latency. Other processes (agora
	// send) still meet the busy timeout.
	writeMu sync.Mutex
	// queue holds the requests' writes waiting for writeMu; whoever gets
	// it commits all of them at once (see apply).
	queueMu sync.Mutex
	queue   []*pendingOp
	wake    chan struct{} // nudges the mail worker
	// capped is when the hourly cap last held mail back, so that the
	// log says so once, not every minute.
	capped time.Time
	// relayFailures counts the mail worker's failures in a row to reach
	// the SMTP server, and relayDownUntil is when it tries again.
	relayFailures  int
	relayDownUntil time.Time
	// overLimitLog is the minute an honoured one-click unsubscribe over
	// its network's limit was last logged.
	overLimitLog atomic.Int64
}

// New checks opt and returns a Service.
func New(opt Options) (*Service, error) {
	switch {
	case opt.Store == nil || opt.Signer == nil || opt.Sender == nil:
		return nil, errors.New("listen: a store, a signer and a sender are needed")
	case opt.Site.BaseURL == nil || opt.Site.Endpoint == nil || !opt.Site.BaseURL.IsAbs() || !opt.Site.Endpoint.IsAbs():
		return nil, errors.New("listen: the site's base URL and the endpoint must be absolute URLs")
	case opt.From == "":
		return nil, errors.New("listen: no From address for the confirmation mails")
	}
	// The Message-IDs are made under the From domain.
	if _, err := mailer.MessageID(opt.From); err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Log == nil {
		opt.Log = io.Discard
	}
	if opt.Limits == (Limits{}) {
		opt.Limits = DefaultLimits()
	}
	if l := opt.Limits; l.ConfirmPerHour < 1 || l.MailsPerWindow < 1 || l.MailEvery <= 0 || l.MailWindow <= 0 || l.ConfirmTTL <= 0 || l.Networks < 1 {
		return nil, fmt.Errorf("listen: limits %+v: the mail limits and Networks must be positive", l)
	}
	s := &Service{
		opt:          opt,
		now:          opt.Now,
		log:          log.New(opt.Log, "agora listen: ", log.LstdFlags),
		siteOrigin:   origin(opt.Site.BaseURL),
		selfOrigin:   origin(opt.Site.Endpoint),
		prefix:       strings.TrimSuffix(opt.Site.Endpoint.EscapedPath(), "/"),
		signups:      newIPLimiter(opt.Limits.SignupsPerIP, opt.Limits.SignupBurst, opt.Limits.Networks),
		signups48:    newIPLimiter(opt.Limits.SignupsPer48, opt.Limits.Signup48Burst, opt.Limits.Networks),
		requests:     newIPLimiter(opt.Limits.RequestsPerIP, opt.Limits.RequestBurst, opt.Limits.Networks),
		unsubscribes: newIPLimiter(opt.Limits.UnsubscribesPerIP, opt.Limits.UnsubscribeBurst, opt.Limits.Networks),
		wake:         make(chan struct{}, 1),
	}
	s.cssPath = s.prefix + "/style.css?v=" + cssVersion(opt.Site.CSS)
	var err error
	if s.pages, err = loadPages(); err != nil {
		return nil, err
	}
	return s, nil
}

// Handler serves the service's routes below the endpoint's path.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	p := s.prefix
	mux.HandleFunc("GET "+p+"/subscribe", s.subscribeForm)
	mux.HandleFunc("POST "+p+"/subscribe", s.subscribe)
	mux.HandleFunc("OPTIONS "+p+"/subscribe", s.preflight)
	mux.HandleFunc("GET "+p+"/form-token", s.formToken)
	mux.HandleFunc("OPTIONS "+p+"/form-token", s.preflight)
	mux.HandleFunc("GET "+p+"/confirm", s.confirmPage)
	mux.HandleFunc("POST "+p+"/confirm", s.confirm)
	mux.HandleFunc("GET "+p+"/preferences", s.preferencesPage)
	mux.HandleFunc("POST "+p+"/preferences", s.savePreferences)
	mux.HandleFunc("GET "+p+"/unsubscribe", s.unsubscribePage)
	mux.HandleFunc("POST "+p+"/unsubscribe", s.unsubscribe)
	mux.HandleFunc("GET "+p+"/style.css", s.style)
	mux.HandleFunc("GET "+p+"/healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET "+p+"/{$}", s.home)
	return s.guard(mux)
}

// guard applies what every request gets: the headers, the general
// per-network limit and the body cap.
func (s *Service) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.securityHeaders(w.Header())
		w.Header().Set("Cache-Control", "no-store")
		// The one-click unsubscribe is exempt: mail providers send it
		// from a few addresses for all their users, and a limit here
		// would keep people subscribed against their will.
		if !(r.Method == http.MethodPost && r.URL.Path == s.prefix+"/unsubscribe") {
			if ok, retry := s.requests.allow(ipKey(s.clientIP(r)), s.now()); !ok {
				s.tooMany(w, r, retry)
				return
			}
		}
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, s.opt.Limits.MaxBody)
		}
		next.ServeHTTP(w, r)
	})
}

// Run serves on l until ctx ends, then stops taking requests, lets those
// in flight finish (up to shutdownGrace) and stops the mail worker after
// the message it is sending.
func (s *Service) Run(ctx context.Context, l net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      15 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          s.log,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	workerCtx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
	worker := make(chan struct{})
	go func() {
		defer close(worker)
		s.mailLoop(workerCtx)
	}()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	var err error
	select {
	case err = <-served:
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
		err = srv.Shutdown(shutdown)
		cancel()
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("requests still running after %v: %w", shutdownGrace, err)
		}
	}
	stopWorker()
	<-worker
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

const shutdownGrace = 10 * time.Second

// write runs one store write, taking turns with this process's others.
func (s *Service) write(fn func() error) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return fn()
}

type pendingOp struct {
	op   func(store.SignupTx) error
	err  error
	done chan struct{}
}

// maxBatch bounds one group commit; the rest waits for the next.
const maxBatch = 256

// batchTimeout bounds a group commit: it runs for many requests, so no
// one request's context may cut it short.
const batchTimeout = 10 * time.Second

// apply runs op in a group commit: it joins the queue, and whichever
// request next takes the write lock commits everything queued in one
// transaction (each op in a savepoint of its own). Under a burst, the
// requests that arrive while one transaction runs share the next, so the
// disk's wait is paid once per batch rather than once per request.
func (s *Service) apply(op func(store.SignupTx) error) error {
	p := &pendingOp{op: op, done: make(chan struct{})}
	s.queueMu.Lock()
	s.queue = append(s.queue, p)
	s.queueMu.Unlock()

	s.writeMu.Lock()
	s.queueMu.Lock()
	n := min(len(s.queue), maxBatch)
	batch := s.queue[:n:n]
	s.queue = s.queue[n:]
	s.queueMu.Unlock()
	if len(batch) > 0 {
		ops := make([]func(store.SignupTx) error, len(batch))
		for i, b := range batch {
			ops[i] = b.op
		}
		ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
		errs, err := s.opt.Store.ApplySignups(ctx, ops)
		cancel()
		for i, b := range batch {
			if b.err = err; err == nil {
				b.err = errs[i]
			}
			close(b.done)
		}
	}
	s.writeMu.Unlock()
	<-p.done
	return p.err
}

func (s *Service) home(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "message", messagePage{
		Heading: "Newsletter of " + s.opt.Site.Title,
		Lines:   []string{"This service takes the sign-ups of the site's newsletter. Subscribe with the form on the site."},
		Links:   []link{{s.siteURL("newsletter/"), "Subscribe on the site"}},
	})
}

func (s *Service) style(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	// The URL carries the stylesheet's hash, so it may be kept a while.
	w.Header().Set("Cache-Control", "public, max-age=86400")
	http.ServeContent(w, r, "style.css", time.Time{}, strings.NewReader(string(s.opt.Site.CSS)))
}

// siteURL is a page of the site, below its base URL.
func (s *Service) siteURL(rel string) string {
	return s.opt.Site.BaseURL.JoinPath(rel).String()
}

// ThanksPath is where a sign-up from a form ends, below the site's base
// URL: the default theme's /newsletter/ page shows its thank-you notice
// when the URL's fragment names it, which needs no script.
const ThanksPath = "newsletter/#thanks"

func (s *Service) thanksURL() string {
	return s.opt.Site.BaseURL.String() + ThanksPath
}

// Link is the URL of a signed link to the service at endpoint (site.toml's
// [newsletter] endpoint): Link(endpoint, token.Unsubscribe, tok) is the
// unsubscribe URL for List-Unsubscribe and the foot of a digest.
func Link(endpoint string, p token.Purpose, tok string) string {
	return strings.TrimSuffix(endpoint, "/") + "/" + string(p) + "?t=" + tok
}

func (s *Service) link(p token.Purpose, tok string) string {
	return Link(s.opt.Site.Endpoint.String(), p, tok)
}

// path is a route's path on this service, for forms' actions.
func (s *Service) path(p token.Purpose, tok string) string {
	return s.prefix + "/" + string(p) + "?t=" + tok
}
