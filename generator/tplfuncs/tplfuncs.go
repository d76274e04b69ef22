// Package tplfuncs holds the template functions, organised as Hugo's
// namespaces: one file per namespace (strings.go, collections.go, …), each
// namespace a type whose methods are Hugo's functions, registered under
// their namespaced name (strings.TrimPrefix) and their short names
// (trimPrefix is not one; chomp is), as in Hugo's tpl/*/init.go.
//
// Names, argument order, results and edge cases follow Hugo's, because the
// point is that Hugo themes run unchanged. Every function name Hugo has is
// registered, so a theme never fails to parse because of one; those Agora
// does not implement fail when they run, with an error naming the function
// (text/template adds the template and line). Where this package knowingly
// differs from Hugo the function's comment says so.
package tplfuncs

import (
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"reflect"
	"regexp"
	"sort"
	"sync"
	"time"

	"github.com/agora-hub/agora/generator/assets"
)

// Deps are the parts of a build that site-bound functions use. Any field
// may be nil or zero: the functions that need it stay registered, so that
// templates parse, and fail when called, naming what is missing.
type Deps struct {
	Site     func() any       // site, .Site
	Hugo     func() any       // hugo
	Now      func() time.Time // now, time.Now; default time.Now
	Location *time.Location   // the site's time zone, for time.AsTime and friends; default UTC

	RelURL, AbsURL func(string) string // relURL, absURL and their Lang forms
	Markdownify    func(string) string // markdownify's inline Markdown

	Partials Partials // partial, partialCached, templates.Exists
	// Files is the site's root folder, for readFile, readDir, os.Stat and
	// fileExists, which read nothing outside it.
	Files fs.FS
	// Getenv lists the regular expressions naming the environment
	// variables getenv may read (security.funcs.getenv); nil means Hugo's
	// default, ^HUGO_ and ^CI$.
	Getenv []string
	// Warn receives warnf's and erroridf's ignored messages, once each.
	Warn func(msg string)
	// IgnoreLogs holds the ids erroridf and warnidf stay quiet about.
	IgnoreLogs []string
	I18n       Translator       // i18n, T, lang.Translate
	Lang       string           // the site's language, "en" by default: i18n files and number formats
	Assets     *assets.Pipeline // resources.*, css.*, images.*
	// Highlighter colours code for highlight and transform.CanHighlight.
	Highlighter Highlighter
}

// Partials runs the site's partial templates.
type Partials interface {
	// Include executes partials/NAME with data: the value of its return
	// statement when it has one, else its output as template.HTML.
	Include(name string, data any) (any, error)
	// Exists reports whether a layout exists, e.g. "partials/x.html".
	Exists(name string) bool
}

// Translator answers i18n lookups: the translation of id for data (a
// count, or something with a Count), and whether any file has id.
type Translator interface {
	Translate(id string, data any) (text string, found bool, err error)
}

// env is one build's state shared by its namespaces: deps and caches.
// Nothing in it is global, so two builds in one process share nothing.
type env struct {
	deps     Deps
	re       *regexpCache
	partials *partialCache
	once     *onceLog
	getenv   getenvPolicy
	getenvEr error
	funcs    template.FuncMap // for try, which calls functions by name
}

// namespace is one of Hugo's template namespaces.
type namespace struct {
	name    string
	impl    any               // a pointer to the namespace type, whose methods are the functions
	aliases map[string]string // short name → method
	// value, when set, is what the namespace's name returns instead of
	// impl: hugo and site are objects of the build (see hugo.go).
	value func() (any, error)
}

// New returns the template functions of one build.
func New(d Deps) template.FuncMap {
	e := &env{
		deps:     d,
		re:       &regexpCache{m: make(map[string]*regexp.Regexp)},
		partials: newPartialCache(),
		once:     &onceLog{seen: map[string]bool{}},
	}
	e.getenv, e.getenvEr = compileGetenv(d.Getenv)
	m := template.FuncMap{}
	for _, ns := range e.namespaces() {
		impl := ns.impl
		if ns.value != nil {
			m[ns.name] = ns.value
			continue
		}
		m[ns.name] = func() any { return impl }
		v := reflect.ValueOf(ns.impl)
		for alias, method := range ns.aliases {
			mv := v.MethodByName(method)
			if !mv.IsValid() {
				panic(fmt.Sprintf("tplfuncs: %s has no method %s for %s", ns.name, method, alias))
			}
			m[alias] = mv.Interface()
		}
	}
	// Hugo's keywords that are functions to the parser; see return.go.
	m["return"] = returnFunc
	m["try"] = e.try
	m[tryCallName] = e.tryCall
	e.funcs = m
	return m
}

// Generic returns the functions of a build with no site: those needing one
// fail when called. Tests and tools use it.
func Generic() template.FuncMap { return New(Deps{}) }

func (e *env) namespaces() []namespace {
	return []namespace{
		{"cast", &castNS{e}, map[string]string{"float": "ToFloat", "int": "ToInt", "string": "ToString"}, nil},
		{"collections", &collectionsNS{e}, map[string]string{
			"after": "After", "append": "Append", "apply": "Apply", "complement": "Complement",
			"delimit": "Delimit", "dict": "Dictionary", "echoParam": "EchoParam", "first": "First",
			"group": "Group", "in": "In", "index": "Index", "intersect": "Intersect", "isSet": "IsSet",
			"isset": "IsSet", "keyVals": "KeyVals", "last": "Last", "merge": "Merge",
			"newScratch": "NewScratch", "querify": "Querify", "seq": "Seq", "shuffle": "Shuffle",
			"slice": "Slice", "sort": "Sort", "symdiff": "SymDiff", "union": "Union", "uniq": "Uniq",
			"where": "Where",
		}, nil},
		{"compare", &compareNS{e}, map[string]string{
			"cond": "Conditional", "default": "Default", "eq": "Eq", "ge": "Ge", "gt": "Gt",
			"le": "Le", "lt": "Lt", "ne": "Ne",
		}, nil},
		{"crypto", &cryptoNS{e}, map[string]string{"hmac": "HMAC", "md5": "MD5", "sha1": "SHA1", "sha256": "SHA256"}, nil},
		{"css", &cssNS{e}, map[string]string{"postCSS": "PostCSS", "toCSS": "Sass"}, nil},
		{"data", &dataNS{e}, map[string]string{"getCSV": "GetCSV", "getJSON": "GetJSON"}, nil},
		{"debug", &debugNS{e}, nil, nil},
		{"diagrams", &diagramsNS{e}, nil, nil},
		{"encoding", &encodingNS{e}, map[string]string{
			"base64Decode": "Base64Decode", "base64Encode": "Base64Encode", "jsonify": "Jsonify",
		}, nil},
		{"fmt", &fmtNS{e}, map[string]string{
			"errorf": "Errorf", "erroridf": "Erroridf", "print": "Print", "printf": "Printf",
			"println": "Println", "warnf": "Warnf", "warnidf": "Warnidf",
		}, nil},
		{"hash", &hashNS{e}, map[string]string{"xxhash": "XxHash"}, nil},
		{name: "hugo", value: e.hugoValue},
		{"images", &imagesNS{e}, map[string]string{"imageConfig": "Config"}, nil},
		{"inflect", &inflectNS{e}, map[string]string{
			"humanize": "Humanize", "pluralize": "Pluralize", "singularize": "Singularize",
		}, nil},
		{"js", &jsNS{e}, map[string]string{"babel": "Babel"}, nil},
		{"lang", &langNS{e}, map[string]string{"i18n": "Translate", "T": "Translate", "numFmt": "NumFmt"}, nil},
		{"math", &mathNS{e: e}, map[string]string{
			"add": "Add", "div": "Div", "mod": "Mod", "modBool": "ModBool", "mul": "Mul",
			"pow": "Pow", "sub": "Sub",
		}, nil},
		{"openapi3", &openapi3NS{e}, nil, nil},
		{"os", &osNS{e}, map[string]string{
			"fileExists": "FileExists", "getenv": "Getenv", "readDir": "ReadDir", "readFile": "ReadFile",
		}, nil},
		{name: "page", value: e.pageValue},
		{"partials", &partialsNS{e}, map[string]string{"partial": "Include", "partialCached": "IncludeCached"}, nil},
		{"path", &pathNS{e}, nil, nil},
		{"reflect", &reflectNS{e}, nil, nil},
		{"resources", &resourcesNS{e}, map[string]string{"fingerprint": "Fingerprint", "minify": "Minify"}, nil},
		{"safe", &safeNS{e}, map[string]string{
			"safeCSS": "CSS", "safeHTML": "HTML", "safeHTMLAttr": "HTMLAttr", "safeJS": "JS",
			"safeJSStr": "JSStr", "safeURL": "URL", "sanitizeURL": "SanitizeURL", "sanitizeurl": "SanitizeURL",
		}, nil},
		{name: "site", value: e.siteValue},
		{"strings", &stringsNS{e}, map[string]string{
			"chomp": "Chomp", "countrunes": "CountRunes", "countwords": "CountWords", "findRE": "FindRE",
			"findRESubmatch": "FindRESubmatch", "hasPrefix": "HasPrefix", "hasSuffix": "HasSuffix",
			"replace": "Replace", "replaceRE": "ReplaceRE", "slicestr": "SliceString", "split": "Split",
			"substr": "Substr", "title": "Title", "lower": "ToLower", "upper": "ToUpper", "trim": "Trim",
			"truncate": "Truncate",
		}, nil},
		{"templates", &templatesNS{e}, map[string]string{"doDefer": "DoDefer", "inner": "Inner"}, nil},
		{"time", &timeNS{e}, map[string]string{"dateFormat": "Format", "duration": "Duration", "now": "Now"}, nil},
		{"transform", &transformNS{e}, map[string]string{
			"emojify": "Emojify", "highlight": "Highlight", "htmlEscape": "HTMLEscape",
			"htmlUnescape": "HTMLUnescape", "markdownify": "Markdownify", "plainify": "Plainify",
			"unmarshal": "Unmarshal",
		}, nil},
		{"urls", &urlsNS{e}, map[string]string{
			"absLangURL": "AbsLangURL", "absURL": "AbsURL", "anchorize": "Anchorize", "ref": "Ref",
			"relLangURL": "RelLangURL", "relURL": "RelURL", "relref": "RelRef", "urlize": "URLize",
		}, nil},
	}
}

// Names lists every registered function name, sorted: namespaces, their
// short names and the keywords.
func Names() []string {
	m := Generic()
	names := make([]string, 0, len(m))
	for k := range m {
		if k != tryCallName {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	return names
}

// funcError prefixes an error with the template function it came from, so
// a failing theme names the culprit even when the caller calls the
// function directly rather than through text/template.
type funcError struct {
	fn  string
	err error
}

func (e *funcError) Error() string { return e.fn + ": " + e.err.Error() }
func (e *funcError) Unwrap() error { return e.err }

func fail(fn, format string, args ...any) error {
	return &funcError{fn: fn, err: fmt.Errorf(format, args...)}
}

// wrap names the function in an error from elsewhere; nil stays nil.
func wrap(fn string, err error) error {
	if err == nil {
		return nil
	}
	var fe *funcError
	if errors.As(err, &fe) && fe.fn == fn {
		return err
	}
	return &funcError{fn: fn, err: err}
}

// ErrNotImplemented is what a Hugo function Agora does not have returns
// when a template calls it.
var ErrNotImplemented = errors.New("not implemented in Agora")

// notImplemented is the error of a Hugo function Agora registers but does
// not implement; why says what to do instead.
func notImplemented(fn, why string) error {
	if why == "" {
		return &funcError{fn: fn, err: ErrNotImplemented}
	}
	return &funcError{fn: fn, err: fmt.Errorf("%w: %s", ErrNotImplemented, why)}
}

// errNoSite is the error of a site-bound function called without a site
// (in a tool or test using Generic).
func errNoSite(fn string) error { return fail(fn, "needs a site, and this template runs without one") }

// recoverTo turns a panic inside reflection or inside a theme-visible
// method (a page's Title, say) into an error named after fn: a bad value in
// one page must fail the template, not the process.
func recoverTo(fn string, err *error) {
	if r := recover(); r != nil {
		if e, ok := r.(error); ok {
			*err = &funcError{fn: fn, err: e}
			return
		}
		*err = &funcError{fn: fn, err: fmt.Errorf("%v", r)}
	}
}

// onceLog remembers messages already logged: Hugo's warnf and friends log
// each distinct message once per build, not once per page.
type onceLog struct {
	mu   sync.Mutex
	seen map[string]bool
}

// first reports whether msg is new.
func (o *onceLog) first(msg string) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.seen[msg] || len(o.seen) >= maxDistinctLogs {
		return false
	}
	o.seen[msg] = true
	return true
}

// maxDistinctLogs bounds the remembered messages: a warnf with the page's
// title in it logs once per page, and 10,000 lines already say it all.
const maxDistinctLogs = 10_000

// maxCachedRegexps bounds the cache: patterns are nearly always literals in
// templates, but one built from page data must not grow memory per page.
const maxCachedRegexps = 256

// regexpCache keeps compiled patterns, because a replaceRE in a list
// template runs once per page with the same pattern.
type regexpCache struct {
	mu sync.Mutex
	m  map[string]*regexp.Regexp
}

func (c *regexpCache) get(fn string, pattern any) (*regexp.Regexp, error) {
	p, err := toString(pattern)
	if err != nil {
		return nil, fail(fn, "pattern: %w", err)
	}
	c.mu.Lock()
	re, ok := c.m[p]
	c.mu.Unlock()
	if ok {
		return re, nil
	}
	re, err = regexp.Compile(p)
	if err != nil {
		return nil, fail(fn, "%w", err)
	}
	c.mu.Lock()
	if len(c.m) < maxCachedRegexps {
		c.m[p] = re
	}
	c.mu.Unlock()
	return re, nil
}
