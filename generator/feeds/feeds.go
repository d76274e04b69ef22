// Package feeds writes RSS 2.0 feeds and the sitemap with encoding/xml, so
// they are well-formed whatever a title contains.
package feeds

import (
	"bytes"
	"encoding/xml"
	"time"
)

// Channel is one feed.
type Channel struct {
	Title, Link, Description, Language, Copyright string
	Self                                          string // the feed's own absolute URL
	Items                                         []Item
}

// Item is one entry. GUID is stable across renames when the page has a
// front-matter id; IsPermaLink says whether the GUID is the URL.
type Item struct {
	Title, Link, GUID, Description string
	IsPermaLink                    bool
	Published                      time.Time
	Categories                     []string
}

type rss struct {
	XMLName xml.Name   `xml:"rss"`
	Version string     `xml:"version,attr"`
	Atom    string     `xml:"xmlns:atom,attr"`
	Channel rssChannel `xml:"channel"`
}

type rssChannel struct {
	Title         string    `xml:"title"`
	Link          string    `xml:"link"`
	Description   string    `xml:"description"`
	Generator     string    `xml:"generator"`
	Language      string    `xml:"language,omitempty"`
	Copyright     string    `xml:"copyright,omitempty"`
	LastBuildDate string    `xml:"lastBuildDate,omitempty"`
	AtomLink      atomLink  `xml:"atom:link"`
	Items         []rssItem `xml:"item"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	Title       string   `xml:"title"`
	Link        string   `xml:"link"`
	PubDate     string   `xml:"pubDate,omitempty"`
	GUID        rssGUID  `xml:"guid"`
	Categories  []string `xml:"category"`
	Description string   `xml:"description"`
}

type rssGUID struct {
	IsPermaLink bool   `xml:"isPermaLink,attr"`
	Value       string `xml:",chardata"`
}

// RSS renders c as an RSS 2.0 document. lastBuildDate is the newest item's
// date, not the clock, so that an unchanged site gives an unchanged feed.
func RSS(c Channel) ([]byte, error) {
	doc := rss{Version: "2.0", Atom: "http://www.w3.org/2005/Atom", Channel: rssChannel{
		Title: c.Title, Link: c.Link, Description: c.Description, Generator: "Agora",
		Language: c.Language, Copyright: c.Copyright,
		AtomLink: atomLink{Href: c.Self, Rel: "self", Type: "application/rss+xml"},
	}}
	var newest time.Time
	for _, it := range c.Items {
		item := rssItem{Title: it.Title, Link: it.Link, GUID: rssGUID{IsPermaLink: it.IsPermaLink, Value: it.GUID},
			Description: it.Description, Categories: it.Categories}
		if !it.Published.IsZero() {
			item.PubDate = it.Published.Format(time.RFC1123Z)
			if it.Published.After(newest) {
				newest = it.Published
			}
		}
		doc.Channel.Items = append(doc.Channel.Items, item)
	}
	if !newest.IsZero() {
		doc.Channel.LastBuildDate = newest.Format(time.RFC1123Z)
	}
	return encode(doc)
}

// URL is one sitemap entry.
type URL struct {
	Loc     string
	Lastmod time.Time
}

type urlset struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	Lastmod string `xml:"lastmod,omitempty"`
}

// Sitemap renders the sitemaps.org XML.
func Sitemap(entries []URL) ([]byte, error) {
	doc := urlset{NS: "http://www.sitemaps.org/schemas/sitemap/0.9"}
	for _, e := range entries {
		u := sitemapURL{Loc: e.Loc}
		if !e.Lastmod.IsZero() {
			u.Lastmod = e.Lastmod.Format(time.RFC3339)
		}
		doc.URLs = append(doc.URLs, u)
	}
	return encode(doc)
}

func encode(v any) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}
