package digest

import (
	"bytes"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	texttemplate "text/template"
	"time"
	"unicode/utf8"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/generator/markup"
	"github.com/agora-hub/agora/generator/sitefs"
	"github.com/agora-hub/agora/generator/tpl"
	"github.com/agora-hub/agora/generator/tplfuncs"
	"github.com/agora-hub/agora/newsletter/mailtext"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
	"github.com/agora-hub/agora/themes"
)

// The email templates, looked up like layouts: the site's layouts/email/
// first, then the theme's email/, then the built-in theme's.
const (
	HTMLTemplate = "email/digest.html"
	TextTemplate = "email/digest.txt"
)

// ClipWarning is the size of HTML above which a send warns: Gmail clips a
// message at about 102 KB, hiding what follows, the unsubscribe link
// included.
const ClipWarning = 90 * 1024

// Templates are a site's digest templates, and those of its welcome
// series.
type Templates struct {
	html          *htmltemplate.Template
	text          *texttemplate.Template
	HTMLFrom      string // where each came from, for messages
	TextFrom      string
	welcome       welcomeTemplates
	subject       *texttemplate.Template
	location      *time.Location
	siteTitle     string
	siteURL       string
	siteCopyright string
	lang          string
	// substitutable: both templates use the subscriber's values in ways
	// a Skeleton reproduces; marks are its hole markers.
	substitutable bool
	marks         [numMarks]string
}

// LoadTemplates finds and parses the site's digest templates.
func LoadTemplates(root string, cfg *config.Config) (*Templates, error) {
	funcs := emailFuncs(cfg)
	t := &Templates{location: cfg.Location, siteTitle: cfg.Title, siteURL: cfg.Base.String(), siteCopyright: cfg.Copyright, lang: cfg.LanguageCode}
	site, err := sitefs.Open(root)
	if err != nil {
		return nil, err
	}
	defer site.Close()
	layers, err := templateLayers(site, cfg)
	if err != nil {
		return nil, err
	}
	htmlSrc, htmlFrom, err := find(layers, HTMLTemplate)
	if err != nil {
		return nil, err
	}
	textSrc, textFrom, err := find(layers, TextTemplate)
	if err != nil {
		return nil, err
	}
	if t.html, err = htmltemplate.New(htmlFrom).Funcs(funcs).Parse(htmlSrc); err != nil {
		return nil, tpl.Error(err)
	}
	if t.text, err = texttemplate.New(textFrom).Funcs(texttemplate.FuncMap(funcs)).Parse(textSrc); err != nil {
		return nil, tpl.Error(err)
	}
	t.HTMLFrom, t.TextFrom = htmlFrom, textFrom
	if t.welcome, err = loadWelcome(layers, funcs); err != nil {
		return nil, err
	}
	if t.subject, err = config.ParseSubject(cfg.Newsletter.Subject); err != nil {
		return nil, fmt.Errorf("site.toml: newsletter.subject: %w", err)
	}
	// Checked before the first Execute, while the HTML template's tree
	// is as written (html/template adds its escapers to it then).
	t.substitutable = substitutable(t.html.Tree) && substitutable(t.text.Tree)
	t.marks = newMarks()
	return t, nil
}

// emailFuncs are the template functions of a layout: a site's
// layouts/email/ is parsed by agora build too, so an email template may
// use only what every layout can.
func emailFuncs(cfg *config.Config) htmltemplate.FuncMap {
	f := tplfuncs.Generic()
	str := func(v any) string {
		if s, ok := v.(string); ok {
			return s
		}
		return fmt.Sprint(v)
	}
	f["absURL"] = func(v any) string { return cfg.Base.Abs(str(v)) }
	f["relURL"] = func(v any) string { return cfg.Base.Abs(str(v)) } // mail has no relative links
	f["absLangURL"] = f["absURL"]
	f["relLangURL"] = f["relURL"]
	f["plainify"] = func(v any) string { return markup.Plainify(str(v)) }
	return f
}

type layer struct {
	fsys    fs.FS
	display string
}

func templateLayers(site *sitefs.Site, cfg *config.Config) ([]layer, error) {
	var ls []layer
	layouts, err := sitefs.Folder(site, "layouts")
	if err != nil {
		return nil, err
	}
	if layouts != nil {
		ls = append(ls, layer{layouts, "layouts"})
	}
	if name := cfg.Theme; name != "" {
		onDisk, err := sitefs.Folder(site, "themes/"+name)
		if err != nil {
			return nil, err
		}
		if onDisk != nil {
			ls = append(ls, layer{onDisk, "themes/" + name})
		} else if t, ok := themes.Get(name); ok {
			ls = append(ls, layer{t, "themes/" + name})
		}
	}
	// A site with layouts of its own and no theme, or a theme without
	// email templates, still gets a working digest.
	if t, ok := themes.Get(config.DefaultTheme); ok {
		ls = append(ls, layer{t, "themes/" + config.DefaultTheme + " (built in)"})
	}
	return ls, nil
}

// find looks name up: "email/x" in a site's layouts/, and in a theme's
// root, where email/ sits beside layouts/.
func find(layers []layer, name string) (src, from string, err error) {
	for _, l := range layers {
		b, err := fs.ReadFile(l.fsys, name)
		if err == nil {
			return string(b), l.display + "/" + name, nil
		}
		if !isNotExist(err) {
			return "", "", fmt.Errorf("reading %s/%s: %w", l.display, name, err)
		}
	}
	return "", "", fmt.Errorf("no %s in layouts/ or the theme", name)
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// Data is what the digest templates see.
type Data struct {
	Site       SiteData
	Issue      IssueData
	Subscriber SubscriberData
	Items      []ItemData
	// More counts the items that matched but did not fit max_items; the
	// archive page (Issue.URL) shows them all.
	More int
	// Total is every new item for this subscriber: len(Items) + More.
	Total int
	// Intro says what the message holds ("here are 3 of the 9 new tips
	// since the last issue"), and IntroText is it wrapped for the text part.
	Intro, IntroText string
	// Preheader is the line inbox lists show after the subject.
	Preheader string
	// UnsubscribeURL is an https link to the sign-up service, or a mailto:
	// when [newsletter] endpoint is not set.
	UnsubscribeURL string
	// PreferencesURL is the subscriber's link to the sign-up service's
	// page for changing their name and topics; empty when [newsletter]
	// endpoint is not set.
	PreferencesURL string
}

// SiteData describes the site.
type SiteData struct {
	Title, BaseURL, Copyright, LanguageCode string
}

// IssueData describes the issue.
type IssueData struct {
	Number int64
	// Subject is this message's subject, which names its own first item.
	Subject string
	URL     string // the archive page: "view in browser"
	Date    time.Time
}

// SubscriberData describes the recipient.
type SubscriberData struct {
	Name, Email string
	Topics      []string
}

// ItemData is one item as the templates see it.
type ItemData struct {
	Title   string
	URL     string
	Summary htmltemplate.HTML // sanitised by markup when the site was read
	// SummaryText is the summary as plain text, wrapped at 76 columns
	// with its paragraphs, headings and list items on lines of their own.
	SummaryText string
	Tags        []string
	Date        time.Time // in the site's timezone
	Section     string
}

// Message is what Render needs for one recipient.
type Message struct {
	Issue          store.Issue
	ArchiveURL     string
	Subscriber     subscriber.Subscriber
	Items          []store.Item
	More           int
	UnsubscribeURL string
	PreferencesURL string // empty: no link
}

// Rendered is a rendered digest.
type Rendered struct {
	Subject, HTML, Text string
}

// Render renders m into buf-backed strings.
func (t *Templates) Render(m Message) (Rendered, error) {
	d := Data{
		Site:           SiteData{Title: t.siteTitle, BaseURL: t.siteURL, Copyright: t.siteCopyright, LanguageCode: t.lang},
		Issue:          IssueData{Number: m.Issue.Number, Subject: t.Subject(m.Issue.Number, m.Items, m.More), URL: m.ArchiveURL, Date: m.Issue.Cutoff.In(t.location)},
		Subscriber:     SubscriberData{Name: m.Subscriber.Name, Email: m.Subscriber.Email, Topics: m.Subscriber.Topics},
		More:           m.More,
		Total:          len(m.Items) + m.More,
		UnsubscribeURL: m.UnsubscribeURL,
		PreferencesURL: m.PreferencesURL,
	}
	titles := make([]string, 0, len(m.Items))
	for _, it := range m.Items {
		d.Items = append(d.Items, ItemData{
			Title: it.Title, URL: it.URL, Summary: htmltemplate.HTML(it.SummaryHTML), SummaryText: it.SummaryText,
			Tags: it.Tags, Date: it.Published.In(t.location), Section: it.Section,
		})
		titles = append(titles, it.Title)
	}
	d.Preheader = preheader(titles)
	d.Intro = intro(len(m.Items), d.Total, m.Subscriber.Topics)
	d.IntroText = mailtext.Wrap(d.Intro, mailtext.Width)
	var h, x bytes.Buffer
	if err := t.html.Execute(&h, d); err != nil {
		return Rendered{}, tpl.Error(err)
	}
	if err := t.text.Execute(&x, d); err != nil {
		return Rendered{}, tpl.Error(err)
	}
	return Rendered{Subject: d.Issue.Subject, HTML: h.String(), Text: x.String()}, nil
}

// intro says what the message holds, counting what max_items left out.
func intro(n, total int, topics []string) string {
	var s string
	switch {
	case n == 1 && total == 1:
		s = "Here is the new tip"
	case n == total:
		s = fmt.Sprintf("Here are the %d new tips", n)
	default:
		s = fmt.Sprintf("Here %s %d of the %d new tips", pick(n, "is", "are"), n, total)
	}
	s += " since the last issue"
	if len(topics) > 0 {
		s += " on the topics you chose (" + strings.Join(topics, ", ") + ")"
	}
	return s + "."
}

func pick(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Subject is the subject of a message with items and more left out: the
// [newsletter] subject template, by default the first title and "+ N
// more", at most config.MaxSubject characters. A long first title is cut
// at a word with "…" so that the count still shows.
func (t *Templates) Subject(number int64, items []store.Item, more int) string {
	if len(items) == 0 {
		return fmt.Sprintf("%s #%d", t.siteTitle, number)
	}
	d := config.SubjectData{Title: items[0].Title, More: len(items) - 1 + more, Count: len(items) + more, Number: number, Site: t.siteTitle}
	render := func() string {
		var b strings.Builder
		if err := t.subject.Execute(&b, d); err != nil {
			// Checked when site.toml was read; never expected here.
			return items[0].Title
		}
		return strings.Join(strings.Fields(b.String()), " ")
	}
	s := render()
	if over := utf8.RuneCountInString(s) - config.MaxSubject; over > 0 {
		title := []rune(d.Title)
		if keep := len(title) - over - 1; keep > 10 {
			d.Title = cutWord(string(title[:keep])) + "…"
			s = render()
		}
	}
	if r := []rune(s); len(r) > config.MaxSubject {
		s = cutWord(string(r[:config.MaxSubject-1])) + "…"
	}
	return s
}

// cutWord drops a word cut in the middle at the end of s.
func cutWord(s string) string {
	if i := strings.LastIndexByte(s, ' '); i > len(s)/2 {
		s = s[:i]
	}
	return strings.TrimRight(s, " ,;:–—-")
}

// preheader lists the titles, cut to what inbox lists show.
func preheader(titles []string) string {
	s := strings.Join(titles, " · ")
	if r := []rune(s); len(r) > 140 {
		s = string(r[:139]) + "…"
	}
	return s
}
