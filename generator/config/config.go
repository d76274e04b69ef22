// Package config reads site.toml. Every key is known: a misspelt key is an
// error naming the key and its line, because a silently ignored
// "paginat = 5" costs an editor an afternoon.
package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/generator/urls"
)

// FileName is the configuration file at the root of a site.
const FileName = "site.toml"

// Config is site.toml, decoded.
type Config struct {
	BaseURL      string                 `toml:"baseURL"`
	Title        string                 `toml:"title"`
	LanguageCode string                 `toml:"languageCode"`
	Timezone     string                 `toml:"timezone"`
	Copyright    string                 `toml:"copyright"`
	Paginate     int                    `toml:"paginate"`
	RSSLimit     int                    `toml:"rssLimit"`
	CNAME        string                 `toml:"cname"`
	Theme        string                 `toml:"theme"`
	Params       map[string]any         `toml:"params"`
	Menu         map[string][]MenuEntry `toml:"menu"`
	Taxonomies   map[string]string      `toml:"taxonomies"`
	Markup       Markup                 `toml:"markup"`
	Plan         Plan                   `toml:"plan"`
	Newsletter   Newsletter             `toml:"newsletter"`

	// Template functions (Hugo's keys): the language whose i18n/ files
	// i18n reads (Hugo's default "en", whatever languageCode says), the
	// ids erroridf and warnidf keep quiet about, what getenv may read,
	// and the image processing defaults.
	DefaultContentLanguage string   `toml:"defaultContentLanguage"`
	IgnoreLogs             []string `toml:"ignoreLogs"`
	Security               Security `toml:"security"`
	Imaging                Imaging  `toml:"imaging"`

	// Derived when loading.
	Location *time.Location `toml:"-"`
	Base     urls.Base      `toml:"-"`
}

// MenuEntry is one [[menu.NAME]] entry.
type MenuEntry struct {
	Name       string `toml:"name"`
	URL        string `toml:"url"`
	Weight     int    `toml:"weight"`
	Identifier string `toml:"identifier"`
	Title      string `toml:"title"`
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
	// contributor's Markdown cannot inject script into the hub.
	Unsafe bool `toml:"unsafe"`
}

// Plan is the [plan] table: how many items each section should publish a
// week, which `agora plan` measures the content calendar against.
type Plan struct {
	// Targets keep the order of site.toml, so that the calendar lists the
	// sections in the order the editors chose.
	Targets []Target
	raw     any
}

// Target is one line of [plan], such as tips = 2.
type Target struct {
	Section string
	PerWeek int
	// Line is where site.toml sets it: only `agora plan` can tell whether
	// the section exists, and its error must point here.
	Line int
}

// UnmarshalTOML keeps the raw table so that Parse can check it with lines
// and messages of its own: the toml package would say "incompatible types"
// about "tips = 1.5" and could not keep the order of the keys.
func (p *Plan) UnmarshalTOML(v any) error {
	p.raw = v
	return nil
}

// Default values, Hugo's where Hugo has one.
const (
	DefaultPaginate = 10
	DefaultRSSLimit = 20
	DefaultTheme    = "default"
)

// Load reads DIR/site.toml. A missing file is an error: a folder without it
// is most likely not a site, and building it would write public/ somewhere
// unexpected.
func Load(dir string) (*Config, error) {
	path := filepath.Join(dir, FileName)
	src, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: not found: is %q an Agora site? (agora new site DIR makes one)", FileName, dir)
		}
		return nil, fmt.Errorf("reading %s: %w", FileName, err)
	}
	return Parse(FileName, src)
}

// Parse decodes site.toml source; name is used in error messages.
func Parse(name string, src []byte) (*Config, error) {
	var c Config
	md, err := toml.Decode(string(src), &c)
	if err != nil {
		return nil, &diag.Error{File: name, Line: diag.TOMLLine(err), Err: errors.New(diag.TOMLMessage(err))}
	}
	var errs diag.List
	for _, k := range md.Undecoded() {
		if len(k) > 0 && k[0] == "params" {
			continue
		}
		line := diag.KeyLine(src, k)
		if err := secretKeyError(name, line, k); err != nil {
			errs.Add(err)
			continue
		}
		errs.Add(diag.At(name, line, "unknown key %q (known keys: %s)", k.String(), knownKeysFor(k)))
	}
	c.applyDefaults()
	at := func(key ...string) int { return diag.KeyLine(src, key) }
	if c.Base, err = urls.ParseBase(c.BaseURL); err != nil {
		errs.Add(&diag.Error{File: name, Line: at("baseURL"), Err: err})
	}
	if c.Location, err = time.LoadLocation(c.Timezone); err != nil {
		errs.Add(diag.At(name, at("timezone"), "timezone %q is not an IANA zone name such as \"Europe/Berlin\"", c.Timezone))
	}
	if c.Paginate < 1 {
		errs.Add(diag.At(name, at("paginate"), "paginate must be at least 1, got %d", c.Paginate))
	}
	if c.RSSLimit == 0 || c.RSSLimit < -1 {
		errs.Add(diag.At(name, at("rssLimit"), "rssLimit must be -1 (no limit) or at least 1, got %d", c.RSSLimit))
	}
	if strings.ContainsAny(c.CNAME, "/: ") {
		errs.Add(diag.At(name, at("cname"), "cname must be a bare host name such as hub.example.org, got %q", c.CNAME))
	}
	if strings.ContainsAny(c.Theme, `/\`) || strings.HasPrefix(c.Theme, ".") {
		errs.Add(diag.At(name, at("theme"), "theme must be a folder name under themes/, got %q", c.Theme))
	}
	for singular, plural := range c.Taxonomies {
		if urls.Segment(plural) != plural || plural == "" {
			errs.Add(diag.At(name, at("taxonomies", singular), "taxonomy %q: %q must be a lower-case URL segment", singular, plural))
		}
	}
	for menu, entries := range c.Menu {
		for i, e := range entries {
			if e.Name == "" {
				errs.Add(diag.At(name, at("menu", menu), "menu %q entry %d has no name", menu, i+1))
			}
		}
	}
	c.Plan.Targets = planTargets(name, src, c.Plan.raw, md.Keys(), &errs)
	c.Newsletter.check(name, src, md, &errs)
	if err := errs.Err(); err != nil {
		return nil, err
	}
	return &c, nil
}

// planTargets checks [plan]. Whether a named section exists is left to
// `agora plan`, which loads content/; here the value must be a count and
// the key a plain folder name, because "tips/old = 1" could never match.
func planTargets(name string, src []byte, raw any, keys []toml.Key, errs *diag.List) []Target {
	if raw == nil {
		return nil
	}
	at := func(key ...string) int { return diag.KeyLine(src, key) }
	table, ok := raw.(map[string]any)
	if !ok {
		errs.Add(diag.At(name, at("plan"), "plan must be a table: a [plan] line followed by lines such as tips = 2"))
		return nil
	}
	var targets []Target
	for _, k := range keys {
		if len(k) != 2 || k[0] != "plan" {
			continue
		}
		section, line := k[1], at(k...)
		if line == 0 {
			// KeyLine cannot find a quoted key holding a dot; the table's
			// own line is still a better pointer than none.
			line = at("plan")
		}
		v, ok := table[section].(int64)
		switch {
		case section == "" || section == "." || section == ".." || strings.HasPrefix(section, ".") || strings.ContainsAny(section, `/\`):
			errs.Add(diag.At(name, line, "plan: %q is not a section name; use the folder's name under content/, such as tips", section))
		case !ok:
			errs.Add(diag.At(name, line, "plan.%s: want a whole number of items per week, such as 2; got %s", section, describe(table[section])))
		case v < 0:
			errs.Add(diag.At(name, line, "plan.%s: want 0 or more items per week, got %d", section, v))
		default:
			targets = append(targets, Target{Section: section, PerWeek: int(v), Line: line})
		}
	}
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

var knownKeys = func() []string {
	k := []string{"baseURL", "title", "languageCode", "timezone", "copyright", "paginate", "rssLimit",
		"cname", "theme", "[params]", "[menu]", "[taxonomies]", "[markup] unsafe", "[plan]", "[newsletter]",
		"defaultContentLanguage", "ignoreLogs", "[security.funcs] getenv", "[imaging]"}
	sort.Strings(k)
	return k
}()

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
