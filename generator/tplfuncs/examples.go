package tplfuncs

import "time"

// Example documents one function by a template, the data it runs on and
// the exact html/template output. Examples run in the package's tests, so
// this documentation can't drift from the behaviour.
type Example struct {
	Name     string // the function being shown
	Template string
	Data     any
	Want     string
}

// examplePage stands in for a page: exported methods on an unexported
// type, some with pointer receivers, the shape where and sort resolve.
type examplePage struct {
	title, section string
	date           time.Time
	params         map[string]any
}

func (p *examplePage) Title() string          { return p.title }
func (p *examplePage) Section() string        { return p.section }
func (p *examplePage) Date() time.Time        { return p.date }
func (p *examplePage) Params() map[string]any { return p.params }

func examplePages() []*examplePage {
	day := func(s string) time.Time {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			panic(err) // the literals below are valid dates
		}
		return t
	}
	return []*examplePage{
		{title: "Go tips", section: "tips", date: day("2024-03-01"),
			params: map[string]any{"tags": []any{"go", "tools"}, "weight": 2}},
		{title: "Hello", section: "blog", date: day("2024-01-15"),
			params: map[string]any{"tags": []any{"intro"}, "pinned": true, "weight": 1}},
		{title: "Rust notes", section: "tips", date: day("2024-02-10"),
			params: map[string]any{"tags": []any{"rust"}}},
	}
}

// Examples returns at least one example per function of Generic, built
// afresh on every call.
func Examples() []Example {
	pages := examplePages()
	return []Example{
		// Collections.
		{"where", `{{ range where . "Section" "tips" }}{{ .Title }};{{ end }}`, pages, "Go tips;Rust notes;"},
		{"where", `{{ range where . ".Params.weight" ">=" 1 }}{{ .Title }};{{ end }}`, pages, "Go tips;Hello;"},
		{"where", `{{ range where . "Params.pinned" "!=" true }}{{ .Title }};{{ end }}`, pages, "Go tips;Rust notes;"},
		{"where", `{{ range where . "Section" "in" (slice "blog" "news") }}{{ .Title }}{{ end }}`, pages, "Hello"},
		{"where", `{{ range where . "Section" "not in" (slice "blog") }}{{ .Title }};{{ end }}`, pages, "Go tips;Rust notes;"},
		{"where", `{{ range where . "Params.Tags" "intersect" (slice "rust" "intro") }}{{ .Title }};{{ end }}`, pages, "Hello;Rust notes;"},
		{"where", `{{ range where . "Date" "<" "2024-02-01" }}{{ .Title }}{{ end }}`, pages, "Hello"},
		{"where", `{{ range where . "Title" "like" "^[GR]" }}{{ .Title }};{{ end }}`, pages, "Go tips;Rust notes;"},
		{"sort", `{{ range sort . "Date" "desc" }}{{ .Title }};{{ end }}`, pages, "Go tips;Rust notes;Hello;"},
		{"sort", `{{ range sort . "Params.weight" }}{{ .Title }};{{ end }}`, pages, "Rust notes;Hello;Go tips;"},
		{"sort", `{{ sort (slice 3 1.5 "10" 2) }}`, nil, "[1.5 2 3 10]"},
		{"sort", `{{ sort (dict "b" 2 "a" 1 "c" 3) }} {{ sort (dict "b" 2 "a" 1 "c" 3) "value" "desc" }}`, nil, "[1 2 3] [3 2 1]"},
		{"first", `{{ first 2 (slice "a" "b" "c") }} {{ range first 1 . }}{{ .Title }}{{ end }}`, pages, "[a b] Go tips"},
		{"after", `{{ after 1 (slice "a" "b" "c") }} {{ after 5 (slice "a") }}`, nil, "[b c] []"},
		{"last", `{{ last 2 (slice "a" "b" "c") }}`, nil, "[b c]"},
		{"in", `{{ in (slice 1 2 3) 2.0 }} {{ in "hello world" "lo w" }} {{ in (slice "a") "b" }}`, nil, "true true false"},
		{"uniq", `{{ uniq (slice 1 2 1 3 2.0) }}`, nil, "[1 2 3]"},
		{"union", `{{ union (slice 1 2) (slice 2 3) }}`, nil, "[1 2 3]"},
		{"intersect", `{{ intersect (slice "a" "b" "c" "a") (slice "c" "a" "x") }}`, nil, "[a c]"},
		{"slice", `{{ slice 1 "two" 3.5 }} {{ len (slice) }}`, nil, "[1 two 3.5] 0"},
		{"dict", `{{ $d := dict "name" "Ada" "langs" (slice "go") }}{{ $d.name }} {{ index $d "langs" }}`, nil, "Ada [go]"},
		{"dict", `{{ $d := dict (slice "social" "github") "ada" }}{{ $d.social.github }}`, nil, "ada"},
		{"seq", `{{ seq 3 }} {{ seq 2 4 }} {{ seq 10 -5 0 }} {{ seq -2 }}`, nil, "[1 2 3] [2 3 4] [10 5 0] [-1 -2]"},
		{"delimit", `{{ delimit (slice "a" "b" "c") ", " " and " }} {{ delimit (dict "z" 1 "a" 2) "-" }}`, nil, "a, b and c 2-1"},
		{"isset", `{{ isset (dict "toc" false) "TOC" }} {{ isset (slice 1 2) 5 }} {{ isset (dict) "x" }}`, nil, "true false false"},

		// Values, casts and dates.
		{"default", `{{ default "none" "" }} {{ default 10 0 }} {{ default "x" "set" }} {{ index (dict) "missing" | default "fallback" }}`, nil, "none 10 set fallback"},
		{"default", `{{ default true false }}`, nil, "false"},
		{"dateFormat", `{{ dateFormat "Monday, 2 January 2006" "2024-03-01" }} | {{ dateFormat ":date_medium" "2024-03-01T10:30:00Z" }}`, nil, "Friday, 1 March 2024 | Mar 1, 2024"},
		{"dateFormat", `{{ range first 1 . }}{{ .Date | dateFormat "2006-01-02" }}{{ end }}`, pages, "2024-03-01"},
		{"string", `{{ printf "%T %s" (string 4.50) (string 4.50) }}`, nil, "string 4.5"},
		{"int", `{{ int "0987" }} {{ int 3.9 }} {{ int "0x10" }} {{ int true }}`, nil, "987 3 16 1"},
		{"float", `{{ float "2.5" }} {{ float 3 }}`, nil, "2.5 3"},
		{"jsonify", `{{ jsonify (dict "a" 1 "b" (slice "x" "<y>")) }}`, nil, `{"a":1,"b":["x","\u003cy\u003e"]}`},
		{"jsonify", `{{ jsonify (dict "indent" " ") (slice 1) }}`, nil, "[\n 1\n]"},

		// Strings.
		{"urlize", `{{ urlize "Hello, World & Friends" }}`, nil, "hello-world-friends"},
		{"lower", `{{ lower "HeLLo" }}`, nil, "hello"},
		{"upper", `{{ upper "go" }}`, nil, "GO"},
		{"title", `{{ title "the lord of the rings" }} {{ title "don't panic" }}`, nil, "The Lord Of The Rings Don&#39;t Panic"},
		{"truncate", `{{ truncate 10 "Keep my HTML please" }}`, nil, "Keep my …"},
		{"truncate", `{{ "<em>Keep my HTML</em>" | safeHTML | truncate 10 }}`, nil, "<em>Keep my …</em>"},
		{"truncate", `{{ truncate 5 "..." "Hello world" }} {{ truncate 4 "Supercalifragilistic" }} {{ truncate 20 "a < b" }}`, nil, "Hello... Supe … a &lt; b"},
		{"humanize", `{{ humanize "my-first-post" }}, {{ humanize "myCamelPost" }}, {{ humanize 52 }}, {{ humanize "103" }}`, nil, "My first post, My camel post, 52nd, 103rd"},
		{"replace", `{{ replace "Batman and Robin" "Robin" "Catwoman" }} {{ replace "aaa" "a" "b" 2 }}`, nil, "Batman and Catwoman bba"},
		{"replaceRE", `{{ replaceRE "^https?://([^/]+).*" "$1" "https://gohugo.io/docs/" }} {{ replaceRE "a" "x" "banana" 2 }}`, nil, "gohugo.io bxnxna"},
		{"findRE", `{{ findRE "[a-z]+[0-9]" "a1 bb22 c3" }} {{ findRE "[0-9]" "a1b2c3" 2 }}`, nil, "[a1 bb2 c3] [1 2]"},
		{"split", `{{ split "a,b,c" "," }}`, nil, "[a b c]"},
		{"trim", `{{ trim "--go--" "-" }}`, nil, "go"},
		{"hasPrefix", `{{ hasPrefix "agora" "ago" }}`, nil, "true"},
		{"hasSuffix", `{{ hasSuffix "agora" "ago" }}`, nil, "false"},
		{"htmlEscape", `{{ htmlEscape "a < b" }} | {{ htmlEscape "a < b" | safeHTML }}`, nil, "a &amp;lt; b | a &lt; b"},
		{"htmlUnescape", `{{ htmlUnescape "a &amp; b" }} | {{ htmlUnescape "&lt;b&gt;" | safeHTML }}`, nil, "a &amp; b | <b>"},
		{"countwords", `{{ countwords "<p>Hello <em>big</em> world</p><p>again</p>" }} {{ countwords "Go 言語" }}`, nil, "4 3"},

		// Trusted-content markers.
		{"safeHTML", `{{ "<b>bold</b>" }} {{ "<b>bold</b>" | safeHTML }}`, nil, "&lt;b&gt;bold&lt;/b&gt; <b>bold</b>"},
		{"safeHTMLAttr", `<a {{ safeHTMLAttr "title=\"hi\"" }}>x</a>`, nil, `<a title="hi">x</a>`},
		{"safeCSS", `<p style="{{ safeCSS "color: red" }}">x</p>`, nil, `<p style="color: red">x</p>`},
		{"safeJS", `<script>var x = {{ safeJS "1 + 2" }};</script>`, nil, `<script>var x = 1 + 2;</script>`},
		{"safeURL", `<a href="{{ "tel:+1-555" }}">x</a><a href="{{ safeURL "tel:+1-555" }}">x</a>`, nil, `<a href="#ZgotmplZ">x</a><a href="tel:&#43;1-555">x</a>`},

		// Math.
		{"add", `{{ add 1 2 }} {{ add 1.5 2 }} {{ add "a" "b" }} {{ add 1 2 3 }}`, nil, "3 3.5 ab 6"},
		{"sub", `{{ sub 10 3 }} {{ sub 10 3 2 }} {{ sub 1 0.5 }}`, nil, "7 5 0.5"},
		{"mul", `{{ mul 4 2.5 }} {{ mul 2 3 }}`, nil, "10 6"},
		{"div", `{{ div 7 2 }} {{ div 7.0 2 }}`, nil, "3 3.5"},
		{"mod", `{{ mod 7 3 }} {{ mod -7 3 }}`, nil, "1 -1"},
	}
}
