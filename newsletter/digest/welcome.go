package digest

import (
	"bytes"
	htmltemplate "html/template"
	texttemplate "text/template"
	"time"

	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/markup"
	"github.com/agora-hub/agora/generator/sitefs"
	"github.com/agora-hub/agora/generator/tpl"
	"github.com/agora-hub/agora/generator/welcome"
	"github.com/agora-hub/agora/newsletter/mailtext"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// The welcome series' templates, looked up like the digest's.
const (
	WelcomeHTMLTemplate = "email/welcome.html"
	WelcomeTextTemplate = "email/welcome.txt"
)

type welcomeTemplates struct {
	html               *htmltemplate.Template
	text               *texttemplate.Template
	htmlFrom, textFrom string
}

func loadWelcome(layers []layer, funcs htmltemplate.FuncMap) (welcomeTemplates, error) {
	var w welcomeTemplates
	htmlSrc, htmlFrom, err := find(layers, WelcomeHTMLTemplate)
	if err != nil {
		return w, err
	}
	textSrc, textFrom, err := find(layers, WelcomeTextTemplate)
	if err != nil {
		return w, err
	}
	if w.html, err = htmltemplate.New(htmlFrom).Funcs(funcs).Parse(htmlSrc); err != nil {
		return w, tpl.Error(err)
	}
	if w.text, err = texttemplate.New(textFrom).Funcs(texttemplate.FuncMap(funcs)).Parse(textSrc); err != nil {
		return w, tpl.Error(err)
	}
	w.htmlFrom, w.textFrom = htmlFrom, textFrom
	return w, nil
}

// Step is a welcome step ready to mail: its page as it reads now.
type Step struct {
	welcome.Step
	Title       string
	ContentHTML string // absolute links, as in a digest's summaries
	ContentText string // wrapped plain text
}

// WelcomeSteps reads the welcome series as it is at now, in the order of
// After: the pages under content/<[newsletter] welcome>/, rendered. A step
// edited since an earlier send reads as it does now.
func (s *Site) WelcomeSteps(now time.Time) ([]Step, error) {
	src, err := sitefs.Open(s.Root)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	steps, err := welcome.Load(src, s.Config.Newsletter.Welcome, welcome.Options{Location: s.Config.Location, Now: now, Content: content.OptionsFor(s.Config)})
	if err != nil || len(steps) == 0 {
		return nil, err
	}
	md := markup.New(markup.Options{Unsafe: s.Config.Markup.Unsafe, BasePath: s.Config.Base.Path()})
	out := make([]Step, 0, len(steps))
	for _, st := range steps {
		body, _, err := st.Source.ReadBody(nil)
		if err != nil {
			return nil, err
		}
		html := s.absolutize(md.Render(body).Content)
		out = append(out, Step{Step: st, Title: st.Source.Meta.Title, ContentHTML: html, ContentText: mailtext.FromHTML(html, mailtext.Width)})
	}
	return out, nil
}

// WelcomeData is what the welcome templates see.
type WelcomeData struct {
	Site       SiteData
	Step       StepData
	Subscriber SubscriberData
	// Preheader is the line inbox lists show after the subject.
	Preheader      string
	UnsubscribeURL string
	PreferencesURL string // empty without [newsletter] endpoint
}

// StepData describes the step being mailed.
type StepData struct {
	Title       string
	Content     htmltemplate.HTML // sanitised by markup, links absolute
	ContentText string            // wrapped at 76 columns
	After       time.Duration
	Tags        []string
}

// WelcomeMessage is what RenderWelcome needs for one recipient.
type WelcomeMessage struct {
	Step           Step
	Subscriber     subscriber.Subscriber
	UnsubscribeURL string
	PreferencesURL string
}

// RenderWelcome renders one welcome mail. The subject is the step's title.
func (t *Templates) RenderWelcome(m WelcomeMessage) (Rendered, error) {
	d := WelcomeData{
		Site: SiteData{Title: t.siteTitle, BaseURL: t.siteURL, Copyright: t.siteCopyright, LanguageCode: t.lang},
		Step: StepData{Title: m.Step.Title, Content: htmltemplate.HTML(m.Step.ContentHTML), ContentText: m.Step.ContentText,
			After: m.Step.After, Tags: m.Step.Tags},
		Subscriber:     SubscriberData{Name: m.Subscriber.Name, Email: m.Subscriber.Email, Topics: m.Subscriber.Topics},
		Preheader:      preheader([]string{firstLine(m.Step.ContentText)}),
		UnsubscribeURL: m.UnsubscribeURL,
		PreferencesURL: m.PreferencesURL,
	}
	var h, x bytes.Buffer
	if err := t.welcome.html.Execute(&h, d); err != nil {
		return Rendered{}, tpl.Error(err)
	}
	if err := t.welcome.text.Execute(&x, d); err != nil {
		return Rendered{}, tpl.Error(err)
	}
	return Rendered{Subject: m.Step.Title, HTML: h.String(), Text: x.String()}, nil
}

// firstLine is the start of a text, up to its first empty line.
func firstLine(s string) string {
	if i := bytes.Index([]byte(s), []byte("\n\n")); i >= 0 {
		s = s[:i]
	}
	return string(bytes.Join(bytes.Fields([]byte(s)), []byte(" ")))
}
