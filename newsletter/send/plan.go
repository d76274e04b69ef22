// Package send mails an issue of the newsletter, exactly once.
//
// The shape is listmonk's: the pipeline depends on a store (the journal)
// and on SMTP connections, takes the recipients in batches into a bounded
// queue, and N workers, each holding one SMTP connection for many
// messages, send them in the time slots of one shared rate.
//
// Exactly once: each (issue, subscriber) is one row of the journal, moved
// queued → sending before its SMTP transaction and → sent or failed after
// it, each move committed. A sender claims rows in batches (one commit for
// many, SKIP LOCKED on PostgreSQL so that any number of senders share an
// issue) and outcomes share commits, so the disk is not the limit (see
// journaler). A sender that is killed leaves its claimed rows at sending
// (at most MaxInFlight); they go again, with the same Message-ID (the only
// messages anyone can get twice), once its lease lapses, or at once when
// the next run holds SQLite's send lock.
//
// Speed: the templates run once per distinct digest (Composer), and the
// envelope is pipelined when the server allows (conn).
package send

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/agora-hub/agora/newsletter/digest"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// Plan is what a send would do: resume the issue being sent, or create
// one with Items.
type Plan struct {
	// Resume is set when an issue is being sent already: Issue is that
	// issue and Items its frozen items.
	Resume bool
	Issue  store.Issue
	Items  []store.Item
	// Last is the previous issue, when there is one and this is a new one.
	Last *store.Issue
	// Late are the published pages of the digest sections that no issue
	// carried and that are dated at or before the cutoff of the last issue
	// (Last, or the Issue resumed): published after it went out, with the
	// date they had as drafts. Only pages published after a cutoff go
	// into the next issue, so no issue will carry these unless their date
	// changes; agora send names them.
	Late []digest.Page
}

// LateCutoff is the issue whose cutoff the Late pages are dated before.
func (p Plan) LateCutoff() store.Issue {
	if p.Resume || p.Last == nil {
		return p.Issue
	}
	return *p.Last
}

// NewPlan works out the next issue at the clock now: the unfinished one
// if there is one, else the items of the digest sections published since
// the last issue's cutoff that no issue carried yet.
func NewPlan(ctx context.Context, site *digest.Site, j store.Journal, now time.Time) (Plan, error) {
	open, ok, err := j.OpenIssue(ctx)
	if err != nil {
		return Plan{}, err
	}
	if ok {
		items, err := j.Items(ctx, open.ID)
		if err != nil {
			return Plan{}, fmt.Errorf("reading issue %d: %w", open.Number, err)
		}
		p := Plan{Resume: true, Issue: open, Items: items}
		_, earlier, err := site.GatherAll(open.Cutoff, now)
		if err != nil {
			return Plan{}, err
		}
		if p.Late, err = late(ctx, j, earlier); err != nil {
			return Plan{}, err
		}
		return p, nil
	}
	p := Plan{Issue: store.Issue{Number: 1, Created: now, Cutoff: now, Status: store.IssueSending}}
	last, ok, err := j.LastIssue(ctx)
	if err != nil {
		return Plan{}, err
	}
	if ok {
		if !now.After(last.Cutoff) {
			return Plan{}, fmt.Errorf("the send clock %s is not after issue %d's cutoff %s", now.Format(time.RFC3339), last.Number, last.Cutoff.Format(time.RFC3339))
		}
		p.Last = &last
		p.Issue.Number = last.Number + 1
		p.Issue.Since = last.Cutoff
	}
	items, earlier, err := site.GatherAll(p.Issue.Since, now)
	if err != nil {
		return Plan{}, err
	}
	sent, err := j.SentItems(ctx, digest.IDs(items))
	if err != nil {
		return Plan{}, err
	}
	p.Items = digest.Fresh(items, sent)
	if p.Last != nil {
		if p.Late, err = late(ctx, j, earlier); err != nil {
			return Plan{}, err
		}
	}
	p.Issue.Subject = site.Templates().Subject(p.Issue.Number, p.Items, 0)
	p.Issue.ArchivePath = strings.ReplaceAll(site.ArchivePath(now), "{n}", fmt.Sprint(p.Issue.Number))
	return p, nil
}

// late keeps the pages no issue carried.
func late(ctx context.Context, j store.Journal, pages []digest.Page) ([]digest.Page, error) {
	if len(pages) == 0 {
		return nil, nil
	}
	ids := make([]string, len(pages))
	for i, pg := range pages {
		ids[i] = pg.ID
	}
	sent, err := j.SentItems(ctx, ids)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(pages, func(pg digest.Page) bool { return sent[pg.ID] }), nil
}

// Group is the subscribers who get the same digest.
type Group struct {
	Items  []store.Item
	More   int
	Sample subscriber.Subscriber // the first of them, for previews
	Emails []string
}

// Groups sorts the plan's recipients by the digest they would get, for
// --dry-run and --preview. It reads the subscribers with the same cursor
// a send uses; for a resumed issue, only those not mailed yet.
func (p Plan) Groups(ctx context.Context, st store.Store, j store.Journal, maxItems int) ([]*Group, error) {
	byKey := map[string]*Group{}
	var order []string
	add := func(sub subscriber.Subscriber) {
		items, more := digest.Select(p.Items, sub.Topics, maxItems)
		if len(items) == 0 {
			return
		}
		key := strings.Join(digest.IDs(items), "\x00") + fmt.Sprintf("\x00%d", more)
		g := byKey[key]
		if g == nil {
			g = &Group{Items: items, More: more, Sample: sub}
			byKey[key] = g
			order = append(order, key)
		}
		g.Emails = append(g.Emails, sub.Email)
	}
	const batch = 1000
	var after int64
	for {
		var subs []subscriber.Subscriber
		if p.Resume {
			ds, err := j.Pending(ctx, p.Issue.ID, after, batch)
			if err != nil {
				return nil, err
			}
			for _, d := range ds {
				after = d.Subscriber.ID
				if d.Subscriber.Status == subscriber.Active {
					subs = append(subs, d.Subscriber)
				}
			}
			if len(ds) < batch {
				after = -1
			}
		} else {
			page, err := st.ActiveSubscribers(ctx, after, batch)
			if err != nil {
				return nil, err
			}
			subs = page
			if len(page) > 0 {
				after = page[len(page)-1].ID
			}
			if len(page) < batch {
				after = -1
			}
		}
		for _, s := range subs {
			add(s)
		}
		if after < 0 {
			break
		}
	}
	groups := make([]*Group, 0, len(order))
	for _, k := range order {
		groups = append(groups, byKey[k])
	}
	// The biggest audience first: that is the digest to look at first.
	slices.SortStableFunc(groups, func(a, b *Group) int { return len(b.Emails) - len(a.Emails) })
	return groups, nil
}
