// Package config reads a site's configuration: Agora's site.toml, or
// Hugo's hugo.toml|yaml|json, config.toml|yaml|json and config/_default/
// with config/ENVIRONMENT/, merged as Hugo merges them. Keys are
// case-insensitive, as in Hugo. Every key is known: one Hugo documents
// that Agora does not implement is a warning naming it, and any other is
// an error at its line with the nearest known key suggested, because a
// silently ignored "paginat = 5" costs an editor an afternoon.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/generator/metadecode"
	"github.com/agora-hub/agora/generator/sitefs"
	"github.com/agora-hub/agora/generator/urls"
)

// FileName is Agora's own configuration file at the root of a site.
const FileName = "site.toml"

// Config is the site's configuration, decoded.
type Config struct {
	BaseURL        string            `toml:"baseURL"`
	Title          string            `toml:"title"`
	LanguageCode   string            `toml:"languageCode"`
	Timezone       string            `toml:"timeZone"`
	Copyright      string            `toml:"copyright"`
	Paginate       int               `toml:"paginate"`
	PaginatePath   string            `toml:"paginatePath"`
	Pagination     Pagination        `toml:"pagination"`
	RSSLimit       int               `toml:"rssLimit"`
	CNAME          string            `toml:"cname"`
	ThemeRaw       any               `toml:"theme"`
	ParamsRaw      any               `toml:"params"`
	MenusRaw       any               `toml:"menus"`
	MenuRaw        any               `toml:"menu"`
	Taxonomies     map[string]string `toml:"taxonomies"`
	Markup         Markup            `toml:"markup"`
	PlanRaw        any               `toml:"plan"`
	Newsletter     Newsletter        `toml:"newsletter"`
	ContentDir     string            `toml:"contentDir"`
	PublishDir     string            `toml:"publishDir"`
	MainSections   []string          `toml:"mainSections"`
	SummaryLength  int               `toml:"summaryLength"`
	DisableKinds   []string          `toml:"disableKinds"`
	DisableAliases bool              `toml:"disableAliases"`
	UglyURLsRaw    any               `toml:"uglyURLs"`
	RelativeURLs   bool              `toml:"relativeURLs"`
	PermalinksRaw  any               `toml:"permalinks"`
	OutputsRaw     any               `toml:"outputs"`
	Author         any               `toml:"author"`
	Services       Services          `toml:"services"`
	BuildDrafts    bool              `toml:"buildDrafts"`
	BuildFuture    bool              `toml:"buildFuture"`
	BuildExpired   bool              `toml:"buildExpired"`

	// Template functions (Hugo's keys): the language whose i18n/ files
	// i18n reads (Hugo's default "en", whatever languageCode says), the
	// ids erroridf and warnidf keep quiet about, what getenv may read,
	// and the image processing defaults.
	DefaultContentLanguage string   `toml:"defaultContentLanguage"`
	IgnoreLogs             []string `toml:"ignoreLogs"`
	Security               Security `toml:"security"`
	Imaging                Imaging  `toml:"imaging"`

	// Derived when loading.
	Theme      string                 `toml:"-"` // the first of Themes
	Themes     []string               `toml:"-"` // theme as a list: Hugo takes one or several
	Params     map[string]any         `toml:"-"` // keys lower-cased, as Hugo's .Site.Params
	Menu       map[string][]MenuEntry `toml:"-"`
	Plan       Plan                   `toml:"-"`
	Permalinks Permalinks             `toml:"-"`
	Outputs    Outputs                `toml:"-"`
	UglyURLs   UglyURLs               `toml:"-"`
	Location   *time.Location         `toml:"-"`
	Base       urls.Base              `toml:"-"`
	// Files are the configuration files read, in merge order, for
	// messages and for serve to watch.
	Files []string `toml:"-"`
	// Warnings are ignored keys and notes on which file was read, each
	// once, as "file:line: message".
	Warnings []string `toml:"-"`
	// OtherLanguages are the codes of Hugo's [languages] other than the
	// default one: Agora builds one language and leaves their files out.
	OtherLanguages []string `toml:"-"`
}

// Pagination is Hugo's [pagination] (0.128 and later).
type Pagination struct {
	PagerSize int    `toml:"pagerSize"`
	Path      string `toml:"path"`
}

// Services is Hugo's [services]; only the RSS limit applies to Agora.
type Services struct {
	RSS struct {
		Limit int `toml:"limit"`
	} `toml:"rss"`
}

// MenuEntry is one entry of a menu, from [menus] or a page's front matter.
type MenuEntry struct {
	Name       string `toml:"name"`
	URL        string `toml:"url"`
	PageRef    string `toml:"pageRef"`
	Weight     int    `toml:"weight"`
	Identifier string `toml:"identifier"`
	Parent     string `toml:"parent"`
	Pre        string `toml:"pre"`
	Post       string `toml:"post"`
	Title      string `toml:"title"`
	ParamsRaw  any    `toml:"params"`

	Params map[string]any `toml:"-"`
}

// Security is Hugo's [security]; Agora reads only funcs.getenv.
type Security struct {
	Funcs struct {
		// Getenv lists regular expressions of the environment variables
		// templates may read; unset means Hugo's ^HUGO_ and ^CI$.
		Getenv []string `toml:"getenv"`
	} `toml:"funcs"`
}

// Imaging is Hugo's [imaging]: the defaults of image processing.
type Imaging struct {
	Quality        int    `toml:"quality"`
	ResampleFilter string `toml:"resampleFilter"`
	Anchor         string `toml:"anchor"`
	BgColor        string `toml:"bgColor"`
}

// Markup holds [markup].
type Markup struct {
	// Unsafe passes raw HTML in Markdown through. Off by default so a
	// contributor's Markdown cannot inject script into the hub. Hugo's
	// markup.goldmark.renderer.unsafe is the same switch.
	Unsafe    bool      `toml:"unsafe"`
	Goldmark  Goldmark  `toml:"goldmark"`
	Highlight Highlight `toml:"highlight"`
}

// Goldmark is the part of Hugo's [markup.goldmark] that Agora honours.
type Goldmark struct {
	Renderer struct {
		Unsafe bool `toml:"unsafe"`
	} `toml:"renderer"`
}

// Highlight is Hugo's [markup.highlight]: how code is coloured. Unset
// fields keep Hugo's defaults; pointers tell unset from false.
type Highlight struct {
	Style              string `toml:"style"`
	NoClasses          *bool  `toml:"noClasses"`
	LineNos            any    `toml:"lineNos"` // true, false, "inline" or "table"
	LineNumbersInTable *bool  `toml:"lineNumbersInTable"`
	HlLines            string `toml:"hl_Lines"`
	HlInline           bool   `toml:"hl_inline"`
	AnchorLineNos      bool   `toml:"anchorLineNos"`
	LineAnchors        string `toml:"lineAnchors"`
	LineNoStart        int    `toml:"lineNoStart"`
	TabWidth           int    `toml:"tabWidth"`
	GuessSyntax        bool   `toml:"guessSyntax"`
	CodeFences         *bool  `toml:"codeFences"`
	WrapperClass       string `toml:"wrapperClass"`
}

// Plan is the [plan] table: how many items each section should publish a
// week, which `agora plan` measures the content calendar against.
type Plan struct {
	// Targets keep the order of site.toml, so that the calendar lists the
	// sections in the order the editors chose.
	Targets []Target
}

// Target is one line of [plan], such as tips = 2.
type Target struct {
	Section string
	PerWeek int
	// Line is where site.toml sets it: only `agora plan` can tell whether
	// the section exists, and its error must point here.
	Line int
}

// Default values, Hugo's where Hugo has one.
const (
	DefaultPaginate      = 10
	DefaultRSSLimit      = 20
	DefaultTheme         = "default"
	DefaultSummaryLength = 70
	DefaultPaginatePath  = "page"
)

// MaxFileBytes caps each configuration file, checked before it is
// decoded: the longest real configurations, menus and params included, are
// a few KB.
const MaxFileBytes = 1 << 20

// Load reads the configuration of the site in dir for a build (Hugo's
// "production" environment). A missing file is an error: a folder without
// one is most likely not a site, and building it would write public/
// somewhere unexpected.
func Load(dir string) (*Config, error) {
	return LoadEnv(dir, Production)
}

// LoadEnv is Load for an environment: config/ENV/ is merged last. Like
// every site file, a configuration file may be a link only to somewhere
// inside the site.
func LoadEnv(dir, env string) (*Config, error) {
	site, err := sitefs.Open(dir)
	if err != nil {
		return nil, err
	}
	defer site.Close()
	c, err := LoadFS(site, env)
	if errors.Is(err, errNoConfig) {
		return nil, fmt.Errorf("%s: not found (nor hugo.toml, config.toml or config/_default/): is %q an Agora site? (agora new site DIR makes one)", FileName, dir)
	}
	return c, err
}

// LoadFS reads the configuration from the site folder fsys.
func LoadFS(fsys fs.FS, env string) (*Config, error) {
	src, err := readSources(fsys, env)
	if err != nil {
		return nil, err
	}
	return decode(src)
}

// Parse decodes one configuration file's source; name gives its format
// (by extension) and is used in error messages.
func Parse(name string, data []byte) (*Config, error) {
	format, ok := metadecode.FormatFromExt(name)
	if !ok {
		return nil, fmt.Errorf("%s: not a TOML, YAML or JSON file", name)
	}
	s := newSources()
	if err := s.add(&file{name: name, format: format, data: data}); err != nil {
		return nil, err
	}
	return decode(s)
}

func decode(src *sources) (*Config, error) {
	var c Config
	var errs diag.List
	d := &decoder{src: src, errs: &errs}
	mergeDefaultLanguage(src)
	d.decodeStruct(nil, src.merged, reflect.ValueOf(&c).Elem())
	for _, f := range src.files {
		c.Files = append(c.Files, f.name)
	}
	c.derive(d)
	c.OtherLanguages = otherLanguages(src.merged)
	c.applyDefaults()
	at := func(key ...string) (string, int) { return src.at(key) }
	bad := func(key []string, format string, args ...any) {
		file, line := at(key...)
		errs.Add(diag.At(file, line, format, args...))
	}
	var err error
	if c.Base, err = urls.ParseBase(c.BaseURL); err != nil {
		file, line := at("baseURL")
		errs.Add(&diag.Error{File: file, Line: line, Err: err})
	}
	if c.Location, err = time.LoadLocation(c.Timezone); err != nil {
		bad([]string{"timezone"}, "timezone %q is not an IANA zone name such as \"Europe/Berlin\"", c.Timezone)
	}
	if c.Paginate < 1 {
		bad([]string{"paginate"}, "paginate must be at least 1, got %d", c.Paginate)
	}
	if c.RSSLimit == 0 || c.RSSLimit < -1 {
		bad([]string{"rssLimit"}, "rssLimit must be -1 (no limit) or at least 1, got %d", c.RSSLimit)
	}
	if c.SummaryLength < 0 {
		bad([]string{"summaryLength"}, "summaryLength must be 0 or more words, got %d", c.SummaryLength)
	}
	if strings.ContainsAny(c.CNAME, "/: ") {
		bad([]string{"cname"}, "cname must be a bare host name such as hub.example.org, got %q", c.CNAME)
	}
	for _, t := range c.Themes {
		if t == "" || strings.ContainsAny(t, `/\`) || strings.HasPrefix(t, ".") {
			bad([]string{"theme"}, "theme must be a folder name under themes/, got %q", t)
		}
	}
	for _, dir := range []struct{ key, value string }{{"contentDir", c.ContentDir}, {"publishDir", c.PublishDir}} {
		if dir.value != "" && !fs.ValidPath(strings.TrimSuffix(dir.value, "/")) {
			bad([]string{dir.key}, "%s must be a folder inside the site such as \"content\", got %q", dir.key, dir.value)
		}
	}
	for singular, plural := range c.Taxonomies {
		if urls.Segment(plural) != plural || plural == "" {
			bad([]string{"taxonomies", singular}, "taxonomy %q: %q must be a lower-case URL segment", singular, plural)
		}
	}
	c.Plan.Targets = planTargets(src, c.PlanRaw, &errs)
	c.Newsletter.check(src, &errs)
	c.Warnings = append(c.Warnings, src.notes...)
	sortWarnings(d.warnings)
	for _, w := range d.warnings {
		c.Warnings = append(c.Warnings, w.String())
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return &c, nil
}

// mergeDefaultLanguage applies [languages.DEFAULT]'s settings (title,
// params, menus …) over the top-level ones, as Hugo does for the language
// Agora builds.
func mergeDefaultLanguage(src *sources) {
	def := "en"
	var langs map[string]any
	for k, v := range src.merged {
		switch strings.ToLower(k) {
		case "defaultcontentlanguage":
			if s, ok := v.(string); ok && s != "" {
				def = s
			}
		case "languages":
			langs, _ = v.(map[string]any)
		}
	}
	for k, v := range langs {
		lang, ok := v.(map[string]any)
		if !strings.EqualFold(k, def) || !ok {
			continue
		}
		settings := map[string]any{}
		for name, val := range lang {
			switch strings.ToLower(name) {
			case "weight", "languagename", "languagedirection", "disabled", "label", "direction", "locale":
			default:
				settings[name] = val
			}
		}
		f := src.origin[strings.ToLower("languages."+k)]
		if f == nil && len(src.files) > 0 {
			f = src.files[0]
		}
		mergeInto(src.merged, settings, nil, f, src.origin)
	}
}

// otherLanguages are the keys of Hugo's [languages] but the default
// content language (defaultContentLanguage, else "en").
func otherLanguages(m map[string]any) []string {
	def := "en"
	var langs map[string]any
	for k, v := range m {
		switch strings.ToLower(k) {
		case "defaultcontentlanguage":
			if s, ok := v.(string); ok && s != "" {
				def = s
			}
		case "languages":
			langs, _ = v.(map[string]any)
		}
	}
	var out []string
	for _, k := range sortedKeys(langs) {
		if !strings.EqualFold(k, def) {
			out = append(out, k)
		}
	}
	return out
}

// planTargets checks [plan]. Whether a named section exists is left to
// `agora plan`, which loads content/; here the value must be a count and
// the key a plain folder name, because "tips/old = 1" could never match.
func planTargets(src *sources, raw any, errs *diag.List) []Target {
	if raw == nil {
		return nil
	}
	at := func(key ...string) (string, int) { return src.at(key) }
	table, ok := raw.(map[string]any)
	if !ok {
		file, line := at("plan")
		errs.Add(diag.At(file, line, "plan must be a table: a [plan] line followed by lines such as tips = 2"))
		return nil
	}
	var targets []Target
	for _, section := range sortedKeys(table) {
		file, line := at("plan", section)
		v, ok := table[section].(int64)
		switch {
		case section == "" || section == "." || section == ".." || strings.HasPrefix(section, ".") || strings.ContainsAny(section, `/\`):
			errs.Add(diag.At(file, line, "plan: %q is not a section name; use the folder's name under content/, such as tips", section))
		case !ok:
			errs.Add(diag.At(file, line, "plan.%s: want a whole number of items per week, such as 2; got %s", section, describe(table[section])))
		case v < 0:
			errs.Add(diag.At(file, line, "plan.%s: want 0 or more items per week, got %d", section, v))
		default:
			targets = append(targets, Target{Section: section, PerWeek: int(v), Line: line})
		}
	}
	// The order of the file, which the calendar keeps.
	sort.SliceStable(targets, func(i, j int) bool { return targets[i].Line < targets[j].Line })
	return targets
}

func describe(v any) string {
	switch x := v.(type) {
	case float64:
		return fmt.Sprintf("%v", x)
	case string:
		return fmt.Sprintf("the string %q", x)
	case map[string]any:
		return "a table"
	case []any, []map[string]any:
		return "a list"
	}
	return fmt.Sprintf("%v", v)
}

// PerWeek is the target for section, 0 when [plan] sets none.
func (p Plan) PerWeek(section string) int {
	for _, t := range p.Targets {
		if t.Section == section {
			return t.PerWeek
		}
	}
	return 0
}

func (c *Config) applyDefaults() {
	if c.Paginate == 0 {
		c.Paginate = DefaultPaginate
	}
	if c.RSSLimit == 0 {
		c.RSSLimit = DefaultRSSLimit
	}
	if c.Timezone == "" {
		c.Timezone = "UTC"
	}
	if c.LanguageCode == "" {
		c.LanguageCode = "en"
	}
	if c.Taxonomies == nil {
		c.Taxonomies = map[string]string{"tag": "tags", "category": "categories"}
	}
	if c.Params == nil {
		c.Params = map[string]any{}
	}
	if c.SummaryLength == 0 {
		c.SummaryLength = DefaultSummaryLength
	}
	if c.PaginatePath == "" {
		c.PaginatePath = DefaultPaginatePath
	}
	if c.DefaultContentLanguage == "" {
		c.DefaultContentLanguage = "en"
	}
}

// TaxonomyNames returns the plural taxonomy names, sorted.
func (c *Config) TaxonomyNames() []string {
	names := make([]string, 0, len(c.Taxonomies))
	for _, p := range c.Taxonomies {
		names = append(names, p)
	}
	sort.Strings(names)
	return names
}

// WithBaseURL returns a copy of c serving from baseURL (the -b flag).
func WithBaseURL(c *Config, baseURL string) (*Config, error) {
	b, err := urls.ParseBase(baseURL)
	if err != nil {
		return nil, err
	}
	cp := *c
	cp.BaseURL, cp.Base = baseURL, b
	return &cp, nil
}
