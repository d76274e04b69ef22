package listen

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/sitefs"
	"github.com/agora-hub/agora/generator/urls"
	"github.com/agora-hub/agora/themes"
)

// Site is what the service knows of the site whose forms it answers.
type Site struct {
	Title, Language, Copyright string
	// BaseURL is the site (with its trailing slash); Endpoint is this
	// service's public URL, which the forms and the mail links point to.
	BaseURL, Endpoint *url.URL
	// Topics are the tags of the digest sections' pages, which a
	// subscriber may choose from, by key.
	Topics []Topic
	// CSS is the site's stylesheet, served at /style.css so that the
	// service's pages look like the site without a request to another
	// origin.
	CSS []byte
}

// Topic is one niche a subscriber may choose.
type Topic struct {
	Key   string // the tag's URL segment, as /tags/<key>/ and subscriber topics
	Title string // as the site spells it
}

// TopicTaxonomy is the taxonomy whose terms are the topics.
const TopicTaxonomy = "tags"

// LoadSite reads the site in dir: site.toml, the tags of the pages in the
// digest sections ([newsletter] sections), and the stylesheet the site
// publishes at css/main.css (its own static/ over its theme's). It needs an
// absolute baseURL and [newsletter] endpoint.
func LoadSite(dir string) (Site, *config.Config, error) {
	cfg, err := config.Load(dir)
	if err != nil {
		return Site{}, nil, err
	}
	if !cfg.Base.IsAbs() {
		return Site{}, nil, fmt.Errorf("site.toml: baseURL %q: agora listen needs the site's full URL, such as https://hub.example.org/, to check where forms come from and to link back", cfg.BaseURL)
	}
	if cfg.Newsletter.Endpoint == "" {
		return Site{}, nil, errors.New("site.toml: [newsletter] endpoint is not set: it is the public https URL of agora listen, used by the forms and in the links of every mail")
	}
	base, err := url.Parse(cfg.Base.String())
	if err != nil {
		return Site{}, nil, err
	}
	endpoint, err := url.Parse(cfg.Newsletter.Endpoint)
	if err != nil {
		return Site{}, nil, err
	}
	src, err := sitefs.Open(dir)
	if err != nil {
		return Site{}, nil, err
	}
	defer src.Close()
	tree, err := content.Load(src, content.OptionsFor(cfg))
	if err != nil {
		return Site{}, nil, err
	}
	css, err := stylesheet(src, cfg)
	if err != nil {
		return Site{}, nil, err
	}
	return Site{
		Title:     cfg.Title,
		Language:  cfg.LanguageCode,
		Copyright: cfg.Copyright,
		BaseURL:   base,
		Endpoint:  endpoint,
		Topics:    Topics(tree, cfg.Newsletter.Sections, time.Now()),
		CSS:       css,
	}, cfg, nil
}

// Topics lists the tags of the pages in sections that a build at now
// publishes (no drafts, nothing future or expired), as the site's forms
// list them: by key, each spelt as on its first page in path order.
func Topics(tree *content.Tree, sections []string, now time.Time) []Topic {
	seen := map[string]bool{}
	var out []Topic
	srcs := slices.Clone(tree.Sources)
	slices.SortFunc(srcs, func(a, b *content.Source) int { return strings.Compare(a.Rel, b.Rel) })
	for _, src := range srcs {
		top, _, _ := strings.Cut(src.Dir(), "/")
		m := src.Meta
		published := m.PublishDate
		if published.IsZero() {
			published = m.Date
		}
		if src.Kind == content.Branch || m.Draft || published.After(now) ||
			!m.ExpiryDate.IsZero() && !m.ExpiryDate.After(now) || !slices.Contains(sections, top) {
			continue
		}
		for _, term := range src.Meta.Terms[TopicTaxonomy] {
			key := urls.Segment(term)
			if key == "" || seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, Topic{Key: key, Title: term})
		}
	}
	slices.SortFunc(out, func(a, b Topic) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// stylesheet finds css/main.css as the build would publish it: the site's
// static/ first, then its theme's (on disk, else built in). It is served
// to anyone, so it is read like every site file: a link out of the site
// is refused, not followed.
func stylesheet(site fs.FS, cfg *config.Config) ([]byte, error) {
	const rel = "static/css/main.css"
	theme := cfg.Theme
	if theme == "" {
		theme = config.DefaultTheme
	}
	for _, p := range []string{rel, "themes/" + theme + "/" + rel} {
		b, err := fs.ReadFile(site, p)
		if err == nil {
			return b, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	if t, ok := themes.Get(theme); ok {
		b, err := fs.ReadFile(t, rel)
		if err == nil || !errors.Is(err, fs.ErrNotExist) {
			return b, err
		}
	}
	// A site with a stylesheet elsewhere still works: the pages are plain.
	return nil, nil
}

func cssVersion(css []byte) string {
	sum := sha256.Sum256(css)
	return hex.EncodeToString(sum[:6])
}
