// Package digest makes the newsletter's issues out of the site: it
// gathers the pages of the digest sections that are new since the last
// issue, picks each subscriber's share by their topics, renders the
// message with the theme's email templates and writes the archive
// page under content/newsletter/.
//
// It reads the site with the loader and model agora build uses, with the
// site's timezone and baseURL, so what a digest links to is exactly the
// page the build publishes, under a sub-path too.
package digest

import (
	"cmp"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/markup"
	"github.com/agora-hub/agora/generator/page"
	"github.com/agora-hub/agora/generator/sitefs"
	"github.com/agora-hub/agora/generator/urls"
	"github.com/agora-hub/agora/newsletter/mailtext"
	"github.com/agora-hub/agora/newsletter/store"
)

// SummaryWords is the length of a summary the digest cuts from a page
// with no summary of its own: Hugo's automatic summary length.
const SummaryWords = 70

// TopicTaxonomy is the taxonomy whose terms subscribers' topics match.
const TopicTaxonomy = "tags"

// Site is a site as the newsletter sees it: its configuration and its
// email templates.
type Site struct {
	Root   string
	Config *config.Config
	tpl    *Templates
}

// Open reads the site in root: site.toml and the email templates. The
// baseURL must be absolute, since every link in a message leaves the site.
func Open(root string) (*Site, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(root)
	if err != nil {
		return nil, err
	}
	if !cfg.Base.IsAbs() {
		return nil, fmt.Errorf("site.toml: baseURL %q is not an absolute URL such as https://hub.example.org/: links in mail need the scheme and host", cfg.BaseURL)
	}
	t, err := LoadTemplates(root, cfg)
	if err != nil {
		return nil, err
	}
	return &Site{Root: root, Config: cfg, tpl: t}, nil
}

// Gather returns the pages of the digest sections published after since
// (the last issue's cutoff; zero for the first issue) and up to now, the
// newest first, as issue items. Drafts, pages published after now and
// expired ones are left out, as agora build would at that clock.
func (s *Site) Gather(since, now time.Time) ([]store.Item, error) {
	items, _, err := s.gather(since, now)
	return items, err
}

// Page names a page of a digest section: its identity (see Identity), its
// file under content/, its title and when it was published.
type Page struct {
	ID, Path, Title string
	Published       time.Time
}

// GatherAll is Gather, and also returns the pages of the digest sections
// published at or before since (so up to now too), newest first. Those are
// the ones an issue after since leaves out: with the ones an issue
// carried taken away, what is left was published too late for its date
// (a draft dated before an issue went out) and no issue will carry it.
func (s *Site) GatherAll(since, now time.Time) (items []store.Item, earlier []Page, err error) {
	return s.gather(since, now)
}

func (s *Site) gather(since, now time.Time) ([]store.Item, []Page, error) {
	src, err := sitefs.Open(s.Root)
	if err != nil {
		return nil, nil, err
	}
	defer src.Close()
	tree, err := content.Load(src, content.OptionsFor(s.Config))
	if err != nil {
		return nil, nil, err
	}
	md := markup.New(markup.Options{Unsafe: s.Config.Markup.Unsafe, BasePath: s.Config.Base.Path()})
	site, err := page.New(s.Config, tree, page.Options{Now: now, Markdown: md})
	if err != nil {
		return nil, nil, err
	}
	sections := s.Config.Newsletter.Sections
	var items []store.Item
	var earlier []Page
	for _, p := range site.RegularPages() {
		if !slices.Contains(sections, p.Section()) {
			continue
		}
		pub := p.PublishDate()
		if pub.After(now) {
			continue
		}
		if !pub.After(since) {
			// No summary: these are named, not mailed.
			earlier = append(earlier, Page{ID: Identity(p), Path: "content/" + p.Source().Rel, Title: p.Title(), Published: pub})
			continue
		}
		summary := string(p.Summary())
		if p.AutoSummary() {
			// The automatic summary is plain text run together ("Choose by
			// purpose Local meetups"): the content cut at a word keeps its
			// headings, lists and links, and says "…" where it stops.
			summary, _ = mailtext.CutHTML(string(p.Content()), SummaryWords)
		}
		summary = s.absolutize(summary)
		if err := p.RenderErr(); err != nil {
			return nil, nil, err
		}
		items = append(items, store.Item{
			ID:          Identity(p),
			Section:     p.Section(),
			Title:       p.Title(),
			URL:         p.Permalink(),
			SummaryHTML: summary,
			SummaryText: mailtext.FromHTML(summary, mailtext.Width),
			Tags:        tags(p.Source()),
			Published:   pub,
		})
	}
	slices.SortFunc(items, func(a, b store.Item) int {
		return cmp.Or(b.Published.Compare(a.Published), strings.Compare(a.ID, b.ID))
	})
	slices.SortFunc(earlier, func(a, b Page) int {
		return cmp.Or(b.Published.Compare(a.Published), strings.Compare(a.ID, b.ID))
	})
	return items, earlier, nil
}

// Identity is what makes a page "already sent": its front-matter id, or
// its content path. Never its title, which editors fix, nor its URL, which
// a slug changes.
func Identity(p *page.Page) string {
	if id := p.ID(); id != "" {
		return "id:" + id
	}
	return p.Source().Rel
}

func tags(src *content.Source) []string {
	var out []string
	for _, t := range src.Meta.Terms[TopicTaxonomy] {
		if k := urls.Segment(t); k != "" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// rootLink matches the root-relative links markup writes ("/hub/tips/x/"),
// which a mail client would resolve against nothing.
var rootLink = regexp.MustCompile(`(\s(?:href|src))="(/[^/"][^"]*|/)"`)

func (s *Site) absolutize(html string) string {
	return rootLink.ReplaceAllStringFunc(html, func(m string) string {
		sub := rootLink.FindStringSubmatch(m)
		return sub[1] + `="` + s.Config.Base.Abs(sub[2]) + `"`
	})
}

// Select returns the items a subscriber with topics gets: those with a tag
// among the topics, or all when they chose none, at most max of them
// (newest first), and how many more matched.
func Select(items []store.Item, topics []string, max int) (chosen []store.Item, more int) {
	for _, it := range items {
		if !Matches(it, topics) {
			continue
		}
		if len(chosen) < max {
			chosen = append(chosen, it)
		} else {
			more++
		}
	}
	return chosen, more
}

// Matches reports whether a subscriber with topics wants it.
func Matches(it store.Item, topics []string) bool {
	if len(topics) == 0 {
		return true
	}
	for _, t := range it.Tags {
		if slices.Contains(topics, t) {
			return true
		}
	}
	return false
}

// Fresh drops the items that were in an earlier issue, by identity.
func Fresh(items []store.Item, sent map[string]bool) []store.Item {
	return slices.DeleteFunc(items, func(it store.Item) bool { return sent[it.ID] })
}

// IDs lists the items' identities.
func IDs(items []store.Item) []string {
	ids := make([]string, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	return ids
}

// Templates returns the site's digest templates.
func (s *Site) Templates() *Templates { return s.tpl }
