package cli

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"

	"time"

	"github.com/agora-hub/agora/newsletter/database"
	"github.com/agora-hub/agora/newsletter/digest"
	"github.com/agora-hub/agora/newsletter/listen"
	"github.com/agora-hub/agora/newsletter/mailer"
	"github.com/agora-hub/agora/newsletter/send"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/token"
)

func runListen(ctx context.Context, e *env, args []string) error {
	f := newFlags(e, "listen")
	var source, addr, proxies string
	var noLimits bool
	f.str(&source, "s", "source", ".", "site folder holding site.toml")
	f.str(&addr, "", "addr", "127.0.0.1:8080", "address to listen on, behind an HTTPS reverse proxy")
	// Loopback by default: the usual set-up is an HTTPS proxy on this
	// machine, and without its word every visitor would share one limit.
	// Only processes on this machine can connect from there.
	f.str(&proxies, "", "trusted-proxy", "127.0.0.1,::1", "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For names the client")
	f.boolean(&noLimits, "", "no-limits", "no per-network limits or minimum fill time, for benchmarks: only with a loopback --addr and endpoint")
	pos, err := f.parse(args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return &usageError{fmt.Sprintf("unexpected argument %q (the site folder is given with -s)", pos[0])}
	}
	trusted, err := parsePrefixes(proxies)
	if err != nil {
		return &usageError{err.Error()}
	}
	site, cfg, err := listen.LoadSite(source)
	if err != nil {
		return err
	}
	limits := listen.DefaultLimits()
	limits.ConfirmPerHour = cfg.Newsletter.ConfirmPerHour
	if noLimits {
		// Loopback on both sides: a loopback --addr alone is what a
		// production service behind a proxy on this machine has too, but
		// its forms and mailed links point to a public endpoint. With a
		// loopback endpoint no visitor's browser can post to it.
		host, _, _ := net.SplitHostPort(addr)
		if !mailer.IsLoopback(host) || !mailer.IsLoopback(site.Endpoint.Hostname()) {
			return &usageError{"--no-limits is only for a benchmark on this machine: it needs a loopback --addr (127.0.0.1:PORT) and a loopback [newsletter] endpoint (http://127.0.0.1:PORT)"}
		}
		limits = limits.WithoutClientLimits()
	}
	signer, err := token.FromEnv(os.Getenv, nil)
	if err != nil {
		return err
	}
	settings, err := mailer.Resolve(cfg.Newsletter, os.Getenv)
	if err != nil {
		return err
	}
	// Requests read while the group commit and the mail worker write.
	st, dbPath, err := database.Open(ctx, source, database.Options{Conns: 8})
	if err != nil {
		return err
	}
	defer st.Close()
	var signups store.Signups = st
	welcomeNow, err := welcomeHook(e, source, st, dbPath, signer, settings)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	svc, err := listen.New(listen.Options{
		Site: site, Store: signups, Signer: signer,
		Sender: &listen.SMTPSender{Settings: settings}, From: settings.From, ReplyTo: settings.ReplyTo,
		Limits: limits, TrustedProxies: trusted, Log: e.stderr, Welcome: welcomeNow,
	})
	if err != nil {
		l.Close()
		return err
	}
	warning := ""
	if noLimits {
		warning = ", NO CLIENT LIMITS (--no-limits)"
	}
	fmt.Fprintf(e.stderr, "agora listen: serving %s on http://%s for %s\n  database %s, topics: %d, mail via %s:%d, at most %d confirmations an hour%s\n",
		site.Endpoint, l.Addr(), site.BaseURL, dbPath, len(site.Topics), settings.Host, settings.Port, limits.ConfirmPerHour, warning)
	return svc.Run(ctx, l)
}

func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		if p, err := netip.ParsePrefix(v); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(v)
		if err != nil {
			return nil, fmt.Errorf("--trusted-proxy %q: want an address or CIDR, such as 127.0.0.1 or 10.0.0.0/8", v)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// welcomeHook returns what agora listen's mail worker runs to send the
// welcome steps due at once ("after = 0") to people who just confirmed;
// nil when the database keeps no welcome journal. The steps are read
// again each time, so an edit is sent as it reads.
func welcomeHook(e *env, source string, st store.DB, dbPath string, signer *token.Signer, settings mailer.Settings) (func(context.Context), error) {
	// SQLite: one process at a time sends the series, under the lock file
	// beside the database. PostgreSQL: every agora send and agora listen
	// on the database claims rows under its lease (see send.RunWelcome).
	exclusive := st.Engine() == "sqlite"
	site, err := digest.Open(source)
	if err != nil {
		return nil, err
	}
	dk, err := send.LoadDKIM(site.Config.Newsletter.DKIM, os.Getenv)
	if err != nil {
		return nil, err
	}
	composer, err := send.NewComposer(site, settings.From, settings.ReplyTo, signer, dk)
	if err != nil {
		return nil, err
	}
	logf := func(format string, args ...any) { fmt.Fprintf(e.stderr, "agora listen: "+format+"\n", args...) }
	return func(ctx context.Context) {
		// agora send holds the lock while it sends the series: it sends
		// these steps too, or the next round here does.
		if exclusive {
			unlock, err := send.LockWelcome(dbPath, 0)
			if err != nil {
				return
			}
			defer unlock()
		}
		now := time.Now()
		steps, err := site.WelcomeSteps(now)
		if err != nil {
			logf("welcome series: %v", err)
			return
		}
		res, err := send.RunWelcome(ctx, steps, now, send.WelcomeOptions{
			Options: send.Options{Store: st, Journal: st, Composer: composer, SMTP: settings, Concurrency: 1,
				Progress: io.Discard, Retry: send.Retry{Attempts: 1}, Exclusive: exclusive},
			Welcome: st, MaxAfter: 0,
		})
		for _, r := range res.Steps {
			// Counts only: the log is no place for addresses.
			logf("welcome step %q: sent %d, deferred %d, failed %d", r.Step.Title, r.Sent, r.Deferred, r.Bounced+r.Errors)
		}
		if err != nil {
			logf("welcome series: %v", err)
		}
	}, nil
}
