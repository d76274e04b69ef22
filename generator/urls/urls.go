// Package urls is the one place that turns names into URL paths and paths
// into links. Every link Agora writes goes through a Base so a GitHub Pages
// project site under a sub-path (https://user.github.io/hub/) never loses its
// prefix (the trap behind hugo#2147).
package urls

import (
	"fmt"
	"net/url"
	"path"
	"strings"
	"unicode"
)

// Urlize makes a URL-safe, lower-case slug of s, as Hugo's urlize does:
// white space becomes '-', characters that are awkward in a path are
// dropped. Lower case matters because GitHub Pages serves paths
// case-sensitively.
func Urlize(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	dash := false
	for _, r := range strings.TrimSpace(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			dash = false
		case r == '.' || r == '_' || r == '~' || r == '+':
			b.WriteRune(r)
			dash = false
		case r == '-' || unicode.IsSpace(r) || r == '/' || r == '\\':
			if !dash && b.Len() > 0 {
				b.WriteByte('-')
				dash = true
			}
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// Segment is Urlize for one path segment of an output path: besides being
// lower case, it never begins with '_' or '.', which GitHub Pages' Jekyll
// step hides and which would make dot-files.
func Segment(s string) string {
	return strings.TrimLeft(Urlize(s), "_.")
}

// CleanPath validates a site-relative URL path written by an editor (a
// front-matter url or slug) and returns it as "/a/b/" or "/a/b.html". It
// refuses any ".." segment, because an output path must never leave the
// destination folder.
func CleanPath(p string) (string, error) {
	if strings.Contains(p, "\\") {
		return "", fmt.Errorf("%q: backslashes are not allowed in a URL path", p)
	}
	if strings.Contains(p, "://") || strings.HasPrefix(p, "//") {
		return "", fmt.Errorf("%q: must be a path on this site, not an absolute URL", p)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return "", fmt.Errorf("%q: \"..\" would leave the output folder", p)
		}
	}
	trailing := strings.HasSuffix(p, "/")
	c := path.Clean("/" + p)
	if c != "/" && (trailing || path.Ext(c) == "") {
		c += "/"
	}
	return c, nil
}

// Base is a parsed baseURL. Its zero value is a site served at "/".
type Base struct {
	u *url.URL
}

// ParseBase parses a baseURL such as "https://user.github.io/hub/". A base
// without a trailing slash gets one: "…/hub" and "…/hub/" mean the same site.
func ParseBase(raw string) (Base, error) {
	if raw == "" {
		raw = "/"
	}
	u, err := url.Parse(raw)
	if err != nil {
		return Base{}, fmt.Errorf("baseURL %q: %w", raw, err)
	}
	if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
		return Base{}, fmt.Errorf("baseURL %q: scheme must be http or https", raw)
	}
	if u.Scheme != "" && u.Host == "" {
		return Base{}, fmt.Errorf("baseURL %q: has no host", raw)
	}
	if u.Scheme == "" && (u.Host != "" || !strings.HasPrefix(u.Path, "/")) {
		// "example.org/hub" parses as a relative path, and every link
		// built on it would be relative to the page it is on.
		return Base{}, fmt.Errorf("baseURL %q: want a full address such as https://example.org/hub/ (or a path starting with /)", raw)
	}
	if strings.ContainsAny(u.Path, " \t") {
		return Base{}, fmt.Errorf("baseURL %q: must not contain spaces", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return Base{}, fmt.Errorf("baseURL %q: must not have a query or fragment", raw)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawPath = ""
	return Base{u: u}, nil
}

// String returns the base URL with its trailing slash.
func (b Base) String() string {
	if b.u == nil {
		return "/"
	}
	return b.u.String()
}

// Path is the base path, "/" or "/hub/".
func (b Base) Path() string {
	if b.u == nil {
		return "/"
	}
	return b.u.Path
}

// Host is the host of the baseURL, empty when the base is a bare path.
func (b Base) Host() string {
	if b.u == nil {
		return ""
	}
	return b.u.Host
}

// IsAbs reports whether the base has a scheme and host.
func (b Base) IsAbs() bool { return b.u != nil && b.u.Scheme != "" }

// Rel turns a site path ("/tips/x/" or "tips/x/") into the path a browser
// needs ("/hub/tips/x/"). URLs with a scheme, protocol-relative URLs,
// fragments and queries are returned untouched, and so is a path that
// already carries the base path, so Rel is safe to apply twice.
func (b Base) Rel(p string) string {
	if p == "" {
		return b.Path()
	}
	if isExternal(p) || strings.HasPrefix(p, "#") || strings.HasPrefix(p, "?") {
		return p
	}
	bp := b.Path()
	if bp != "/" && (strings.HasPrefix(p, bp) || p+"/" == bp) {
		return p
	}
	return bp + strings.TrimPrefix(p, "/")
}

// Abs turns a site path into an absolute URL ("https://host/hub/tips/x/").
// With a base that has no host the result is Rel's.
func (b Base) Abs(p string) string {
	if isExternal(p) {
		return p
	}
	rel := b.Rel(p)
	if !b.IsAbs() || strings.HasPrefix(rel, "#") || strings.HasPrefix(rel, "?") {
		return rel
	}
	return b.u.Scheme + "://" + b.u.Host + rel
}

// isExternal reports whether s has a URL scheme ("https:", "mailto:") or is
// protocol-relative ("//cdn").
func isExternal(s string) bool {
	if strings.HasPrefix(s, "//") {
		return true
	}
	for i, r := range s {
		switch {
		case r == ':':
			return i > 0
		case r == '/' || r == '?' || r == '#':
			return false
		case !(unicode.IsLetter(r) || (i > 0 && (unicode.IsDigit(r) || r == '+' || r == '-' || r == '.'))):
			return false
		}
	}
	return false
}
