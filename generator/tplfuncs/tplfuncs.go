// Package tplfuncs holds the template functions that need nothing from the
// site being built: collections (where, sort, first, …), strings, casts,
// math, dates and the html/template safe* conversions.
//
// Names, argument order, results and edge cases follow Hugo's, because the
// point is that Hugo themes run unchanged. Where this package knowingly
// differs from Hugo the function's comment says so.
package tplfuncs

import (
	"fmt"
	"html/template"
	"regexp"
	"sync"
)

// Generic returns the functions that need nothing from the site.
// Site-bound ones (relURL, absURL, partial, markdownify, plainify, site,
// now) are added by the caller.
//
// Each call returns a fresh map with its own compiled-regexp cache, so two
// builds in one process share nothing; the map itself is safe for the
// concurrent template executions of one build.
func Generic() template.FuncMap {
	re := &regexpCache{m: make(map[string]*regexp.Regexp)}
	return template.FuncMap{
		// Collections.
		"where":     re.where,
		"sort":      sortFunc,
		"first":     first,
		"after":     after,
		"last":      last,
		"in":        in,
		"uniq":      uniq,
		"union":     union,
		"intersect": intersect,
		"slice":     sliceFunc,
		"dict":      dict,
		"seq":       seq,
		"delimit":   delimit,
		"isset":     isset,

		// Values, casts and dates.
		"default":    defaultFunc,
		"dateFormat": dateFormat,
		"string":     stringFunc,
		"int":        intFunc,
		"float":      floatFunc,
		"jsonify":    jsonify,

		// Strings.
		"urlize":       urlize,
		"lower":        lower,
		"upper":        upper,
		"title":        title,
		"truncate":     truncate,
		"humanize":     humanize,
		"replace":      replace,
		"replaceRE":    re.replaceRE,
		"findRE":       re.findRE,
		"split":        split,
		"trim":         trim,
		"hasPrefix":    hasPrefix,
		"hasSuffix":    hasSuffix,
		"htmlEscape":   htmlEscape,
		"htmlUnescape": htmlUnescape,
		"countwords":   countwords,

		// Trusted-content markers for html/template.
		"safeHTML":     safeHTML,
		"safeHTMLAttr": safeHTMLAttr,
		"safeCSS":      safeCSS,
		"safeJS":       safeJS,
		"safeURL":      safeURL,

		// Math.
		"add": add,
		"sub": sub,
		"mul": mul,
		"div": div,
		"mod": mod,
	}
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
