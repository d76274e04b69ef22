package tplfuncs

import (
	"net/url"
	"reflect"
	"strings"
	"unicode"

	"github.com/agora-hub/agora/generator/urls"
)

// urlsNS is Hugo's urls namespace. With one language, the Lang forms are
// the plain ones.
type urlsNS struct{ e *env }

func (ns *urlsNS) site(fn string, v any, f func(string) string) (string, error) {
	s, err := str(fn, v)
	if err != nil {
		return "", err
	}
	if f == nil {
		return "", errNoSite(fn)
	}
	return f(s), nil
}

func (ns *urlsNS) RelURL(v any) (string, error) { return ns.site("relURL", v, ns.e.deps.RelURL) }
func (ns *urlsNS) AbsURL(v any) (string, error) { return ns.site("absURL", v, ns.e.deps.AbsURL) }
func (ns *urlsNS) RelLangURL(v any) (string, error) {
	return ns.site("relLangURL", v, ns.e.deps.RelURL)
}
func (ns *urlsNS) AbsLangURL(v any) (string, error) {
	return ns.site("absLangURL", v, ns.e.deps.AbsURL)
}

// URLize is Hugo's urlize: a lower-case URL slug.
func (*urlsNS) URLize(v any) (string, error) {
	s, err := str("urlize", v)
	return urls.Urlize(s), err
}

// Anchorize is Hugo's anchorize: the id Hugo's Markdown renderer gives a
// heading with this text (its default "github" style): lower-case letters,
// digits and underscores kept, spaces and hyphens as hyphens, the rest
// dropped.
func (*urlsNS) Anchorize(v any) (string, error) {
	s, err := str("anchorize", v)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		switch {
		case r == '-' || r == ' ':
			b.WriteByte('-')
		case r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String(), nil
}

// Parse is Hugo's urls.Parse.
func (*urlsNS) Parse(v any) (*url.URL, error) {
	s, err := str("urls.Parse", v)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(s)
	return u, wrap("urls.Parse", err)
}

// JoinPath is Hugo's urls.JoinPath ELEMENT…
func (*urlsNS) JoinPath(elements ...any) (string, error) {
	if len(elements) == 0 {
		return "", nil
	}
	parts := make([]string, 0, len(elements))
	for _, e := range elements {
		s, err := str("urls.JoinPath", e)
		if err != nil {
			return "", err
		}
		parts = append(parts, s)
	}
	return url.JoinPath(parts[0], parts[1:]...)
}

func (*urlsNS) PathEscape(v any) (string, error) {
	s, err := str("urls.PathEscape", v)
	return url.PathEscape(s), err
}

func (*urlsNS) PathUnescape(v any) (string, error) {
	s, err := str("urls.PathUnescape", v)
	if err != nil {
		return "", err
	}
	u, err := url.PathUnescape(s)
	return u, wrap("urls.PathUnescape", err)
}

// Ref is Hugo's ref PAGE REF: the permalink of the page at REF (a
// content path such as "tips/x.md" or "/tips/x"), with REF's #fragment.
// A REF naming no page is an error, as with Hugo's default
// refLinksErrorLevel.
func (ns *urlsNS) Ref(page any, ref any) (string, error) { return ns.ref("ref", ref, "Permalink") }

// RelRef is Hugo's relref PAGE REF: as ref, the relative permalink.
func (ns *urlsNS) RelRef(page any, ref any) (string, error) {
	return ns.ref("relref", ref, "RelPermalink")
}

func (ns *urlsNS) ref(fn string, ref any, link string) (string, error) {
	if ns.e.deps.Site == nil {
		return "", errNoSite(fn)
	}
	var s string
	if m, ok := ref.(map[string]any); ok {
		s, _ = m["path"].(string)
	} else {
		var err error
		if s, err = str(fn, ref); err != nil {
			return "", err
		}
	}
	target, frag, _ := strings.Cut(s, "#")
	if frag != "" {
		frag = "#" + frag
	}
	if target == "" {
		return frag, nil
	}
	get := reflect.ValueOf(ns.e.deps.Site()).MethodByName("GetPage")
	if !get.IsValid() || get.Type().NumIn() != 1 || get.Type().In(0).Kind() != reflect.String {
		return "", errNoSite(fn)
	}
	p := get.Call([]reflect.Value{reflect.ValueOf(target)})[0]
	if p.IsNil() {
		return "", fail(fn, "page %q not found", target)
	}
	l := p.MethodByName(link)
	if !l.IsValid() {
		return "", fail(fn, "page %q has no %s", target, link)
	}
	return l.Call(nil)[0].String() + frag, nil
}

// urlsExamples document the urls namespace; TestExamples runs them.
func urlsExamples() []Example {
	return []Example{
		{"urlize", `{{ urlize "Hello, World & Friends" }}`, nil, "hello-world-friends"},
		{"relURL", `{{ relURL "css/x.css" }} {{ "/about/" | relURL }} {{ relLangURL "a" }}`, nil, "/hub/css/x.css /hub/about/ /hub/a"},
		{"absURL", `{{ absURL "css/x.css" }} {{ absLangURL "a" }}`, nil, "https://example.org/hub/css/x.css https://example.org/hub/a"},
		{"anchorize", `{{ anchorize "Hello, World! Ça va?" }} {{ anchorize "a_b c-d" }}`, nil, "hello-world-ça-va a_b-c-d"},
		{"ref", `{{ ref . "tips/go-tips" }} {{ relref . "/blog/hello#top" }}`, nil, "https://example.org/hub/tips/go-tips/ /hub/blog/hello/#top"},
		{"ref", `{{ ref . "tips/none" }}`, nil, `error: ref: page "tips/none" not found`},
		{"urls.Parse", `{{ with urls.Parse "https://x.org/a?b=1" }}{{ .Host }} {{ .Path }} {{ .Query.Get "b" }}{{ end }}`, nil, "x.org /a 1"},
		{"urls.JoinPath", `{{ urls.JoinPath "https://x.org/" "a" "b/" }} {{ urls.PathEscape "a b/c" }} {{ urls.PathUnescape "a%20b" }}`, nil, "https://x.org/a/b/ a%20b%2Fc a b"},
	}
}
