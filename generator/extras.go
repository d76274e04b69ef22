package generator

import (
	"bytes"
	"fmt"
	"html/template"

	"github.com/agora-hub/agora/generator/feeds"
	"github.com/agora-hub/agora/generator/markup"
	"github.com/agora-hub/agora/generator/page"
)

// redirectPage is Hugo's alias page: a meta refresh plus a canonical link,
// so that search engines move the old URL's standing to the new one.
var redirectPage = template.Must(template.New("alias").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{ . }}</title>
<link rel="canonical" href="{{ . }}">
<meta name="robots" content="noindex">
<meta http-equiv="refresh" content="0; url={{ . }}">
</head>
<body><p>This page has moved to <a href="{{ . }}">{{ . }}</a>.</p></body>
</html>
`))

func (b *build) redirect(fromSitePath, to, owner string) {
	var buf bytes.Buffer
	if err := redirectPage.Execute(&buf, to); err != nil {
		b.errs.Add(err)
		return
	}
	if err := b.out.Write(page.OutputFile(fromSitePath), owner, buf.Bytes()); err != nil {
		b.errs.Add(err)
		return
	}
	b.mu.Lock()
	b.redirects++
	b.mu.Unlock()
}

// renderExtras writes what is not a content page: 404, aliases, sitemap,
// robots.txt, and the GitHub Pages files.
func (b *build) renderExtras() {
	nf := b.site.NotFound()
	if _, taken := b.out.Owner("404.html"); !taken && !b.cfg.Disabled("404") {
		if t, _ := b.layoutFor(nf); t != nil {
			b.renderPage(nf, nf.Path())
		}
	}
	for _, a := range b.site.AliasList() {
		b.redirect(a.From, a.To.Permalink(), fmt.Sprintf("%s:%d (alias)", a.File, a.Line))
	}

	var entries []feeds.URL
	for _, p := range b.site.All() {
		entries = append(entries, feeds.URL{Loc: p.Permalink(), Lastmod: p.Lastmod()})
	}
	if !b.cfg.Disabled("sitemap") {
		sm, err := feeds.Sitemap(entries)
		b.errs.Add(err)
		b.errs.Add(b.out.Write("sitemap.xml", "sitemap", sm))
	}

	if _, taken := b.out.Owner("robots.txt"); !taken && !b.cfg.Disabled("robotsTXT") {
		robots := fmt.Sprintf("User-agent: *\nAllow: /\n\nSitemap: %s\n", b.cfg.Base.Abs("sitemap.xml"))
		b.errs.Add(b.out.Write("robots.txt", "robots.txt", []byte(robots)))
	}
	// Without .nojekyll, GitHub Pages runs Jekyll, which hides every path
	// starting with "_".
	b.errs.Add(b.out.Write(".nojekyll", "GitHub Pages", nil))
	// Last, when every template that could ask for a resource's URL has
	// run (the 404 page above included).
	b.publishAssets()
	if b.cfg.CNAME != "" {
		b.errs.Add(b.out.Write("CNAME", "site.toml cname", []byte(b.cfg.CNAME+"\n")))
	}
}

// feedCategories caps the <category> elements of a feed item. A page with
// n tags is an item of n term feeds, so listing every tag in each made
// the page cost n² elements: 10,000 tags took over 150 s and wrote
// gigabytes. Readers show a few; real pages have fewer than this.
const feedCategories = 32

// writeFeed writes list page p's RSS feed. Item content carries absolute
// URLs, since feed readers and RSS-to-email tools resolve nothing.
func (b *build) writeFeed(p *page.Page) {
	title := b.cfg.Title
	if !p.IsHome() {
		title = p.Title() + " · " + b.cfg.Title
	}
	desc, _ := b.cfg.Params["description"].(string)
	if desc == "" {
		desc = "Recent content on " + title
	}
	ch := feeds.Channel{
		Title: title, Link: p.Permalink(), Description: desc, Language: b.cfg.LanguageCode,
		Copyright: b.cfg.Copyright, Self: p.Permalink() + "index.xml",
	}
	for _, it := range p.FeedItems() {
		guid, isLink := it.ID(), false
		if guid == "" {
			guid, isLink = it.Permalink(), true
		}
		var cats []string
		for _, t := range it.GetTerms("tags") {
			if len(cats) == feedCategories {
				break
			}
			cats = append(cats, t.Title())
		}
		ch.Items = append(ch.Items, feeds.Item{
			Title: it.Title(), Link: it.Permalink(), GUID: guid, IsPermaLink: isLink,
			Published: it.Date(), Categories: cats,
			Description: markup.AbsURLs(string(it.Content()), it.Permalink()),
		})
	}
	data, err := feeds.RSS(ch)
	if err != nil {
		b.errs.Add(fmt.Errorf("feed for %s: %w", p.Path(), err))
		return
	}
	b.errs.Add(b.out.Write(page.OutputFile(p.Path()+"index.xml"), p.Path()+" feed", data))
}
