// Package report tells how the newsletter and the site are doing: per
// issue what happened to its messages, the list over time by status, and
// what each section published per month. It reads the send journal, the
// history of statuses (never the current rows alone: a removed person
// still counted the month they were there) and the site's content.
package report

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/sitefs"
	"github.com/agora-hub/agora/generator/welcome"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// Report is everything agora report shows.
type Report struct {
	Site        string         `json:"site"`
	Generated   time.Time      `json:"generated"`
	Issues      []Issue        `json:"issues"`
	Subscribers []StatusMonth  `json:"subscribers"`
	Sections    []string       `json:"sections"`
	Content     []ContentMonth `json:"content"`
	// Welcome has a row per welcome step that was ever sent.
	Welcome []WelcomeStep `json:"welcome,omitempty"`
}

// WelcomeWindow is how long after a welcome step an unsubscribe counts
// against it.
const WelcomeWindow = 7 * 24 * time.Hour

// WelcomeStep is one step's counts.
type WelcomeStep struct {
	Step    string `json:"step"`  // its identity: content path, or "id:" and its id
	Title   string `json:"title"` // as the page reads now; "" for a removed step
	Sent    int    `json:"sent"`
	Failed  int    `json:"failed"`
	Skipped int    `json:"skipped"`
	Queued  int    `json:"queued"`
	// Unsubscribed counts those who unsubscribed within WelcomeWindow of
	// getting the step.
	Unsubscribed int `json:"unsubscribed_within_7_days"`
}

// Issue is one issue's counts.
type Issue struct {
	Number       int64      `json:"number"`
	Status       string     `json:"status"`
	Created      time.Time  `json:"created"`
	SentAt       *time.Time `json:"sent_at"`
	Items        int        `json:"items"`
	Recipients   int        `json:"recipients"`
	Sent         int        `json:"sent"`
	Failed       int        `json:"failed"`
	Skipped      int        `json:"skipped"`
	Pending      int        `json:"pending"`
	Bounces      int        `json:"bounces"`
	Unsubscribes int        `json:"unsubscribes_since"`
}

// StatusMonth is how many subscribers had each status at a month's end.
type StatusMonth struct {
	Month  string         `json:"month"` // 2026-05
	Counts map[string]int `json:"counts"`
}

// ContentMonth is how many pages each section published in a month.
type ContentMonth struct {
	Month  string         `json:"month"`
	Counts map[string]int `json:"counts"`
}

// Build reads the report of the site in root at the clock now.
func Build(ctx context.Context, root string, cfg *config.Config, j store.Journal, now time.Time) (*Report, error) {
	loc := cfg.Location
	r := &Report{Site: cfg.Title, Generated: now.In(loc)}
	stats, err := j.Issues(ctx)
	if err != nil {
		return nil, err
	}
	for _, s := range stats {
		is := Issue{
			Number: s.Number, Status: string(s.Status), Created: s.Created.In(loc), Items: s.Items,
			Recipients: s.Recipients, Sent: s.Sent, Failed: s.Failed, Skipped: s.Skipped, Pending: s.Pending,
			Bounces: s.Bounces, Unsubscribes: s.Unsubscribes,
		}
		if !s.SentAt.IsZero() {
			t := s.SentAt.In(loc)
			is.SentAt = &t
		}
		r.Issues = append(r.Issues, is)
	}
	if r.Subscribers, err = statusHistory(ctx, j, loc, now); err != nil {
		return nil, err
	}
	if r.Sections, r.Content, err = published(root, cfg, now); err != nil {
		return nil, err
	}
	if w, ok := j.(store.Welcome); ok {
		if r.Welcome, err = welcomeSteps(ctx, w, root, cfg); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// welcomeSteps counts each step, titled as its page reads now.
func welcomeSteps(ctx context.Context, w store.Welcome, root string, cfg *config.Config) ([]WelcomeStep, error) {
	stats, err := w.WelcomeStats(ctx, WelcomeWindow)
	if err != nil || len(stats) == 0 {
		return nil, err
	}
	titles := map[string]string{}
	// Drafts and future steps included: a step is titled whatever its state.
	src, err := sitefs.Open(root)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	steps, err := welcome.Load(src, cfg.Newsletter.Welcome, welcome.Options{Location: cfg.Location, Now: time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC), Content: content.OptionsFor(cfg)})
	if err != nil {
		return nil, err
	}
	for _, st := range steps {
		titles[st.ID] = st.Source.Meta.Title
	}
	out := make([]WelcomeStep, 0, len(stats))
	for _, s := range stats {
		out = append(out, WelcomeStep{Step: s.Step, Title: titles[s.Step], Sent: s.Sent, Failed: s.Failed, Skipped: s.Skipped, Queued: s.Queued, Unsubscribed: s.Unsubscribed})
	}
	return out, nil
}

func month(t time.Time, loc *time.Location) string { return t.In(loc).Format("2006-01") }

// months lists every month from first to last, inclusive.
func months(first, last string) []string {
	a, _ := time.Parse("2006-01", first)
	b, _ := time.Parse("2006-01", last)
	var out []string
	for m := a; !m.After(b); m = m.AddDate(0, 1, 0) {
		out = append(out, m.Format("2006-01"))
	}
	return out
}

// statusHistory replays every status change, so that each month shows
// the list as it was then.
func statusHistory(ctx context.Context, j store.Journal, loc *time.Location, now time.Time) ([]StatusMonth, error) {
	counts := map[string]int{}
	at := map[string]map[string]int{}
	first := ""
	err := j.Events(ctx, func(e store.Event) error {
		if e.At.After(now) {
			return nil
		}
		if e.From != "" {
			counts[e.From]--
		}
		if e.To != "removed" {
			counts[e.To]++
		}
		m := month(e.At, loc)
		if first == "" {
			first = m
		}
		at[m] = maps.Clone(counts)
		return nil
	})
	if err != nil || first == "" {
		return nil, err
	}
	var out []StatusMonth
	last := map[string]int{}
	for _, m := range months(first, month(now, loc)) {
		if c, ok := at[m]; ok {
			last = c
		}
		row := map[string]int{}
		for _, st := range subscriber.Statuses {
			row[string(st)] = last[string(st)]
		}
		out = append(out, StatusMonth{Month: m, Counts: row})
	}
	return out, nil
}

// published counts the pages each section published per month, as agora
// build would publish them at now: drafts and future pages do not count.
func published(root string, cfg *config.Config, now time.Time) ([]string, []ContentMonth, error) {
	src, err := sitefs.Open(root)
	if err != nil {
		return nil, nil, err
	}
	defer src.Close()
	tree, err := content.Load(src, content.OptionsFor(cfg))
	if err != nil {
		return nil, nil, err
	}
	by := map[string]map[string]int{}
	var sections []string
	first := ""
	for _, src := range tree.Sources {
		section, _, _ := strings.Cut(src.Dir(), "/")
		if section == "" || src.Kind == content.Branch || src.Meta.Draft || welcome.In(cfg.Newsletter.Welcome, src) {
			continue
		}
		date := src.Meta.PublishDate
		if date.IsZero() {
			date = src.Meta.Date
		}
		if date.IsZero() || date.After(now) {
			continue
		}
		m := month(date, cfg.Location)
		if by[m] == nil {
			by[m] = map[string]int{}
		}
		by[m][section]++
		sections = append(sections, section)
		if first == "" || m < first {
			first = m
		}
	}
	slices.Sort(sections)
	sections = slices.Compact(sections)
	if first == "" {
		return sections, nil, nil
	}
	var out []ContentMonth
	for _, m := range months(first, month(now, cfg.Location)) {
		row := map[string]int{}
		for _, s := range sections {
			row[s] = by[m][s]
		}
		out = append(out, ContentMonth{Month: m, Counts: row})
	}
	return sections, out, nil
}
