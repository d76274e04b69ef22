package digest_test

import (
	"testing"

	"github.com/agora-hub/agora/newsletter/digest"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

const (
	unsubPrefix = "https://hub.example.org/newsletter/unsubscribe?t="
	prefsPrefix = "https://hub.example.org/newsletter/preferences?t="
)

var (
	skelNames  = []string{"", "Ada", "Ada Lovelace", `A & B <i>x</i> "q" 'y' + z`, "Zoë Ångström 😀", "nul\x00in", "bad \xff\xfe utf8", "a=b;c:d/e?f#g%h"}
	skelEmails = []string{"", "ada@example.org", "a+b&c@example.org"}
	skelTokens = []string{"PREVIEW", "MTp1bnN1YnNjcmliZToxOjA.DTCkzgrIHpaO5kPrAgUDIsCxSLs6Cl0ptiW1FC3lSEI", "-_."}
	skelPrefs  = []string{"PREVIEW", "MTpwcmVmZXJlbmNlczoxOjA.q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c", "_"}
)

// skeletonMatches checks that filling the skeleton gives, for every
// combination of values, exactly what rendering for that subscriber
// gives, with a preferences link (an endpoint) and without; it returns
// false when tpl makes no skeleton.
func skeletonMatches(t *testing.T, tpl *digest.Templates, items []store.Item, topics []string) bool {
	t.Helper()
	is := store.Issue{Number: 3, Cutoff: now, Created: now}
	made := false
	for _, prefix := range []string{prefsPrefix, ""} {
		for _, name := range skelNames {
			for _, email := range skelEmails {
				m := digest.Message{Issue: is, ArchiveURL: "https://example.github.io/hub/newsletter/3/", Items: items, More: 1,
					Subscriber: subscriber.Subscriber{Name: name, Email: email, Topics: topics}}
				sk, err := tpl.Skeleton(m, unsubPrefix, prefix)
				if err != nil {
					t.Fatal(err)
				}
				if sk == nil {
					return false
				}
				made = true
				for i, tok := range skelTokens {
					prefs := skelPrefs[i]
					m.UnsubscribeURL = unsubPrefix + tok
					if prefix != "" {
						m.PreferencesURL = prefix + prefs
					}
					want, err := tpl.Render(m)
					if err != nil {
						t.Fatal(err)
					}
					got := sk.Fill(digest.Values{Name: name, Email: email, Token: tok, Prefs: prefs})
					if got != want {
						t.Fatalf("name %q email %q token %q prefs %q: the skeleton gives\n%s\n----- rendering gives\n%s", name, email, tok, m.PreferencesURL, diffAt(got.HTML+got.Text, want.HTML+want.Text), diffAt(want.HTML+want.Text, got.HTML+got.Text))
					}
				}
			}
		}
	}
	return made
}

func diffAt(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return a[max(0, i-80):min(len(a), i+80)]
}

func TestSkeletonDefaultTheme(t *testing.T) {
	site, err := digest.Open(writeSite(t, baseSite()))
	if err != nil {
		t.Fatal(err)
	}
	items, err := site.Gather(now.AddDate(0, -1, 0), now)
	if err != nil {
		t.Fatal(err)
	}
	for _, topics := range [][]string{nil, {"go"}, {"go", "moderation"}} {
		if !skeletonMatches(t, site.Templates(), items, topics) {
			t.Fatal("the built-in theme's templates make no skeleton: every message would be rendered in full")
		}
	}
}

func TestSkeletonSiteTemplates(t *testing.T) {
	const text = "{{ with .Subscriber.Name }}Hi {{ . }}{{ end }}\nUnsubscribe: {{ .UnsubscribeURL }}\n"
	tests := []struct {
		name, html string
		skeleton   bool // a skeleton is made (else every message is rendered)
	}{
		{"printed in text and a quoted attribute", `<p title="{{ .Subscriber.Name }}">{{ .Subscriber.Name }} {{ .Subscriber.Email }}</p><a href="{{ .UnsubscribeURL }}">x</a>`, true},
		{"through with and $", `{{ with .Subscriber }}<b>{{ .Name }}</b>{{ end }}{{ range .Items }}{{ $.Subscriber.Email }}{{ .Title }}{{ end }}`, true},
		{"tested for emptiness", `{{ if .Subscriber.Name }}Dear {{ .Subscriber.Name }}{{ else }}Hello{{ end }}`, true},
		{"unsubscribe link in a script string", `<script>var u = "{{ .UnsubscribeURL }}";</script>`, true},
		{"preferences link in an href", `<a href="{{ .PreferencesURL }}">topics</a> <a href="{{ .UnsubscribeURL }}">x</a>`, true},
		{"preferences link only when there is one", `{{ with .PreferencesURL }}<a href="{{ . }}" title="{{ . }}">topics</a>{{ else }}no link{{ end }}`, true},
		{"preferences link tested with if", `{{ if .PreferencesURL }}<a href="{{ .PreferencesURL }}">{{ $.Subscriber.Name }}</a>{{ end }}`, true},
		{"preferences link through a function", `<a href="{{ .PreferencesURL | safeURL }}">topics</a>`, false},
		{"preferences link in a variable", `{{ $p := .PreferencesURL }}<a href="{{ $p }}">topics</a>`, false},
		{"preferences link compared", `{{ if eq .PreferencesURL "" }}none{{ end }}`, false},
		{"a function of the name", `{{ .Subscriber.Name | upper }}`, false},
		{"a comparison", `{{ if eq .Subscriber.Name "Ada" }}Hi Ada{{ end }}`, false},
		{"a slice of the name", `{{ slice .Subscriber.Name 0 1 }}`, false},
		{"a length", `{{ len .Subscriber.Email }}`, false},
		{"a variable", `{{ $n := .Subscriber.Name }}{{ $n }}`, false},
		{"the whole data to a template", `{{ define "x" }}{{ .Subscriber.Name }}{{ end }}{{ template "x" . }}`, false},
		{"the whole subscriber printed", `{{ .Subscriber }}`, false},
		{"a name in a URL", `<a href="https://x.example/?n={{ .Subscriber.Name }}">x</a>`, false},
		{"a name as a URL", `<a href="{{ .Subscriber.Name }}">x</a>`, false},
		{"an unquoted attribute", `<p title={{ .Subscriber.Name }}>x</p>`, false},
		{"a script value", `<script>var n = {{ .Subscriber.Name }};</script>`, false},
		{"a style", `<p style="color: {{ .Subscriber.Name }}">x</p>`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := baseSite()
			files["layouts/email/digest.html"] = tt.html
			files["layouts/email/digest.txt"] = text
			site, err := digest.Open(writeSite(t, files))
			if err != nil {
				t.Fatal(err)
			}
			items, err := site.Gather(now.AddDate(0, -1, 0), now)
			if err != nil {
				t.Fatal(err)
			}
			if got := skeletonMatches(t, site.Templates(), items, []string{"go"}); got != tt.skeleton {
				t.Errorf("skeleton made: %v, want %v", got, tt.skeleton)
			}
		})
	}
}

func TestAppendHTMLEscaped(t *testing.T) {
	got := string(digest.AppendHTMLEscaped([]byte("x:"), "a<b>&\"'+\x00é\xff"))
	if want := "x:a&lt;b&gt;&amp;&#34;&#39;&#43;\uFFFDé\xff"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
