package markup

import (
	"strings"
	"testing"

	nethtml "golang.org/x/net/html"
)

func TestScrollingBlocks(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		want    []string
		notWant []string
	}{
		{
			name: "a table scrolls in a named, focusable region",
			src:  "| Format | Events |\n|---|--:|\n| In person | 11 |\n",
			want: []string{
				"<div class=\"table-scroll\" tabindex=\"0\" role=\"region\" aria-label=\"Table: Format, Events\">\n<table>",
				"</table>\n</div>\n",
			},
		},
		{
			name: "alignment is a style, never the obsolete attribute",
			src:  "| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n",
			want: []string{
				`<th scope="col" style="text-align:left">a</th>`, `<th scope="col" style="text-align:center">b</th>`, `<th scope="col" style="text-align:right">c</th>`,
				`<td style="text-align:right">3</td>`,
			},
			notWant: []string{"align="},
		},
		{
			name:    "an empty header cell is a plain cell",
			src:     "|   | Sept | Oct |\n|---|---|---|\n| Reach | 1 | 2 |\n",
			want:    []string{"<tr>\n<td></td>\n<th scope=\"col\">Sept</th>", `aria-label="Table: Sept, Oct"`},
			notWant: []string{"<th></th>"},
		},
		{
			name: "the label is plain text of the header, escaped",
			src:  "| **Bold** `<code>` | [link](/x) \"q\" |\n|---|---|\n| 1 | 2 |\n",
			want: []string{`aria-label="Table: Bold &lt;code&gt;, link &quot;q&quot;"`},
		},
		{
			name: "a long label is cut",
			src: "| " + strings.Repeat("Column with a long name | ", 6) + "\n|" + strings.Repeat("---|", 6) + "\n|" +
				strings.Repeat(" 1 |", 6) + "\n",
			want: []string{`aria-label="Table: Column with a long name, Column with a long name, Column with a long…"`},
		},
		{
			name: "a header without text",
			src:  "|   |   |\n|---|---|\n| 1 | 2 |\n",
			want: []string{`aria-label="Table"`},
		},
		{
			name:    "code blocks are focusable, as Hugo writes them",
			src:     "Before\n\n```csv\na,b\n1,<2>\n```\n\nAfter\n",
			want:    []string{"<p>Before</p>\n\n<pre tabindex=\"0\"><code class=\"language-csv\">a,b\n1,&lt;2&gt;\n</code></pre>\n\n<p>After</p>"},
			notWant: []string{"<pre>"},
		},
		{
			name: "an indented code block",
			src:  "Text\n\n    indented\n",
			want: []string{"<pre tabindex=\"0\"><code>indented\n</code></pre>"},
		},
		{
			name: "a language with attributes after it",
			src:  "```go {linenos=true}\nx\n```\n",
			want: []string{`<pre tabindex="0"><code class="language-go">x`},
		},
	}
	r := New(Options{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Render([]byte(tt.src)).Content
			check(t, got, tt.want, tt.notWant)
			if _, err := nethtml.Parse(strings.NewReader(got)); err != nil {
				t.Errorf("not HTML: %v", err)
			}
		})
	}
}

// A summary cut inside a table closes the scrolling region too.
func TestSummaryCutInTable(t *testing.T) {
	src := "| a | b |\n|---|---|\n| 1 <!--more--> | 2 |\n"
	res := New(Options{Unsafe: true}).Render([]byte(src))
	if !res.HasMore {
		t.Fatalf("no marker found:\n%s", res.Content)
	}
	if !strings.HasSuffix(res.Summary, "</td></tr></tbody></table></div>") {
		t.Errorf("summary does not close the table and its region: %q", res.Summary)
	}
	if strings.Count(res.Summary, "<div") != strings.Count(res.Summary, "</div>") {
		t.Errorf("unbalanced div: %q", res.Summary)
	}
}

func TestImageSizer(t *testing.T) {
	sizes := map[string][2]int{"chart.svg": {640, 360}, "/images/logo.png": {32, 16}}
	var asked []string
	sizer := func(dest string) (int, int, bool) {
		asked = append(asked, dest)
		s, ok := sizes[dest]
		return s[0], s[1], ok
	}
	base := New(Options{BasePath: "/hub/"})
	r := base.WithImageSizer(sizer)
	got := r.Render([]byte("![Chart](chart.svg) ![Logo](/images/logo.png \"Our logo\") ![Other](https://example.org/x.png)\n")).Content
	check(t, got, []string{
		`<img height="360" width="640" src="chart.svg" alt="Chart" />`,
		`<img height="16" width="32" src="/hub/images/logo.png" alt="Logo" title="Our logo" />`,
		`<img src="https://example.org/x.png" alt="Other" />`,
	}, nil)
	// The sizer sees the destination as written, before the base path.
	if strings.Join(asked, " ") != "chart.svg /images/logo.png https://example.org/x.png" {
		t.Errorf("sizer asked for %q", asked)
	}
	// The Renderer it came from is unchanged.
	if got := base.Render([]byte("![Chart](chart.svg)\n")).Content; strings.Contains(got, "width") {
		t.Errorf("the base renderer sizes images: %s", got)
	}
	// A script-capable destination is dropped before any sizer sees it.
	asked = nil
	r.Render([]byte("![x](javascript:alert(1))\n"))
	if len(asked) != 0 {
		t.Errorf("sizer asked about %q", asked)
	}
}
