package siteimport

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// liquid converts the Liquid in a Jekyll page's body into what Agora
// reads: shortcodes for the tags that have one ({% highlight %}, {% link %},
// {% post_url %}, {% gist %}, simple {% include %}s), literal text for
// {% raw %} blocks and for values known at import time ({{ site.title }},
// {{ page.title }}, {{ site.baseurl }}), and nothing for comments. Any
// other Liquid is left as it is and reported with its line.
type liquid struct {
	file string // the source file, for notes
	line int    // the file line of the body's first line
	// html is set for a page whose body is HTML: no value is ever in a
	// Markdown link, so base paths are written out in full.
	html bool
	site *jekyllSite
	page map[string]any // the page's front matter
	// resolve finds the new site's content path ("/posts/x.md") of a
	// {% link %} path or {% post_url %} name; static is set for a file
	// that is not a page, whose site path is returned instead.
	resolve func(tag, target string) (ref string, static bool, ok bool)
	// include turns {% include NAME args %} into a shortcode call, or
	// says why it cannot.
	include func(name string, args []string, line int) (call string, why string)

	converted map[string]int // what was converted → first line, for one note each
	lost      []Note
	// template is the line of the first Liquid control tag left ({% for
	// %}, {% if %} …), which makes the body a template rather than text.
	template int
}

// liquidStart matches the start of a Liquid tag or output.
var liquidStart = regexp.MustCompile(`\{\{|\{%`)

// liquidEnd matches the end tags of the block tags an import converts.
var liquidEnd = map[string]*regexp.Regexp{
	"raw":       regexp.MustCompile(`\{%-?\s*endraw\s*-?%\}`),
	"highlight": regexp.MustCompile(`\{%-?\s*endhighlight\s*-?%\}`),
	"comment":   regexp.MustCompile(`\{%-?\s*endcomment\s*-?%\}`),
}

// convert returns body with its Liquid converted.
func (lq *liquid) convert(body string) string {
	var out strings.Builder
	lq.run(&out, body, 0)
	return out.String()
}

// lineAt is the file line of offset off in the body, which starts at the
// body line base (0-based within the body).
func (lq *liquid) lineAt(text string, off, base int) int {
	return lq.line + base + strings.Count(text[:off], "\n")
}

func (lq *liquid) noteConverted(what string, line int) {
	if lq.converted == nil {
		lq.converted = map[string]int{}
	}
	if _, ok := lq.converted[what]; !ok {
		lq.converted[what] = line
	}
}

func (lq *liquid) lose(line int, format string, args ...any) {
	lq.lost = append(lq.lost, Note{lq.file, line, fmt.Sprintf(format, args...)})
}

// run converts text, whose first line is the body's line base, into out.
func (lq *liquid) run(out *strings.Builder, text string, base int) {
	pos := 0
	for {
		loc := liquidStart.FindStringIndex(text[pos:])
		if loc == nil {
			out.WriteString(text[pos:])
			return
		}
		start := pos + loc[0]
		out.WriteString(text[pos:start])
		line := lq.lineAt(text, start, base)
		if text[start+1] == '{' {
			end := strings.Index(text[start+2:], "}}")
			if end < 0 {
				out.WriteString(text[start:])
				lq.lose(line, "an unclosed Liquid output {{ is left as text")
				return
			}
			raw := text[start : start+2+end+2]
			out.WriteString(lq.output(raw, innerOf(raw, "{{", "}}"), out.String(), line))
			pos = start + len(raw)
			continue
		}
		end := strings.Index(text[start+2:], "%}")
		if end < 0 {
			out.WriteString(text[start:])
			lq.lose(line, "an unclosed Liquid tag {%% is left as text")
			return
		}
		raw := text[start : start+2+end+2]
		name, args := splitTag(innerOf(raw, "{%", "%}"))
		after := start + len(raw)
		switch name {
		case "raw", "highlight", "comment":
			cl := liquidEnd[name].FindStringIndex(text[after:])
			if cl == nil {
				out.WriteString(raw)
				lq.lose(line, "{%% %s %%} is never closed with {%% end%s %%}; left as text", name, name)
				pos = after
				continue
			}
			inner := text[after : after+cl[0]]
			pos = after + cl[1]
			switch name {
			case "raw":
				out.WriteString(escapeShortcodes(inner))
				lq.noteConverted("{% raw %} → its text, kept literal", line)
			case "comment":
				lq.noteConverted("{% comment %} → left out, as Liquid never showed it", line)
			case "highlight":
				lq.highlight(out, args, inner, line, lq.lineAt(text, after, base)-lq.line, raw)
			}
		default:
			out.WriteString(lq.tag(raw, name, args, out.String(), line))
			pos = after
		}
	}
}

// innerOf is a tag's text without its delimiters and whitespace control.
func innerOf(raw, open, close string) string {
	s := strings.TrimSuffix(strings.TrimPrefix(raw, open), close)
	s = strings.TrimPrefix(s, "-")
	s = strings.TrimSuffix(s, "-")
	return strings.TrimSpace(s)
}

func splitTag(s string) (name, args string) {
	name, args, _ = strings.Cut(s, " ")
	if i := strings.IndexAny(name, "\t\n"); i >= 0 {
		name, args = name[:i], name[i+1:]+" "+args
	}
	return name, strings.TrimSpace(args)
}

// highlight writes {% highlight LANG opts %} as Hugo's highlight shortcode.
// Liquid inside is converted too, as Jekyll renders it.
func (lq *liquid) highlight(out *strings.Builder, args, inner string, line, innerBase int, raw string) {
	fields := strings.Fields(args)
	if len(fields) == 0 {
		out.WriteString(raw + inner + "{% endhighlight %}")
		lq.lose(line, "{%% highlight %%} without a language is left as text")
		return
	}
	var opts []string
	for _, f := range fields[1:] {
		switch {
		case f == "linenos" || f == "linenos=table" || f == "linenos=inline":
			if f == "linenos=inline" {
				opts = append(opts, "linenos=inline")
			} else {
				opts = append(opts, "linenos=table")
			}
		case strings.HasPrefix(f, "mark_lines="):
			// mark_lines="1 2" spans fields when quoted.
			v := strings.TrimPrefix(args[strings.Index(args, "mark_lines="):], "mark_lines=")
			if q, err := strconv.Unquote(firstQuoted(v)); err == nil {
				opts = append(opts, "hl_lines="+q)
			}
		}
	}
	call := `{{< highlight ` + fields[0]
	if len(opts) > 0 {
		call += ` "` + strings.Join(opts, ",") + `"`
	}
	call += " >}}"
	out.WriteString(call)
	lq.run(out, inner, innerBase)
	out.WriteString("{{< /highlight >}}")
	lq.noteConverted("{% highlight %} → {{< highlight >}}", line)
}

func firstQuoted(s string) string {
	if s == "" || (s[0] != '"' && s[0] != '\'') {
		return ""
	}
	end := strings.IndexByte(s[1:], s[0])
	if end < 0 {
		return ""
	}
	q := s[:end+2]
	if q[0] == '\'' {
		q = `"` + q[1:len(q)-1] + `"`
	}
	return q
}

// tag converts one tag that has no end tag.
func (lq *liquid) tag(raw, name, args, before string, line int) string {
	switch name {
	case "link", "post_url":
		target := strings.TrimSpace(args)
		if strings.ContainsAny(target, "{}") || target == "" {
			break
		}
		ref, static, ok := lq.resolve(name, target)
		if !ok {
			lq.lose(line, "{%% %s %s %%}: no such %s in the site; left as text", name, target, map[bool]string{true: "post", false: "file"}[name == "post_url"])
			return raw
		}
		if static {
			lq.noteConverted("{% link %} to a file → its path", line)
			return lq.sitePath(ref, before)
		}
		lq.noteConverted("{% "+name+" %} → {{< relref >}}", line)
		return `{{< relref "` + ref + `" >}}`
	case "gist":
		f := strings.Fields(args)
		if len(f) == 0 {
			break
		}
		if !strings.Contains(f[0], "/") {
			// Agora's gist shortcode needs the user; gist.github.com
			// finds a gist by its id alone, so write the link it writes.
			lq.noteConverted("{% gist ID %} → a link to the gist, as Agora's gist shortcode writes", line)
			u := "https://gist.github.com/" + f[0]
			if lq.html {
				return `<p class="embed embed-gist"><a href="` + u + `">View the gist on GitHub</a></p>`
			}
			return "[View the gist on GitHub](" + u + ")"
		}
		user, id, _ := strings.Cut(f[0], "/")
		call := `{{< gist ` + user + " " + id
		if len(f) > 1 {
			call += " " + strconv.Quote(strings.Trim(f[1], `"'`))
		}
		lq.noteConverted("{% gist %} → {{< gist >}}", line)
		return call + " >}}"
	case "include":
		f := strings.Fields(args)
		if len(f) == 0 {
			break
		}
		call, why := lq.include(f[0], f[1:], line)
		if why != "" {
			lq.lose(line, "{%% include %s %%}: %s; left as text", f[0], why)
			return raw
		}
		lq.noteConverted("{% include %} of a plain HTML file → a shortcode of the same name", line)
		return call
	case "endraw", "endhighlight", "endcomment":
		lq.lose(line, "{%% %s %%} closes nothing; left as text", name)
		return raw
	case "for", "if", "unless", "case", "capture", "assign", "tablerow", "cycle":
		if lq.template == 0 {
			lq.template = line
		}
	}
	lq.lose(line, "Liquid %s is left as text: Agora does not run Liquid", shorten(raw))
	return raw
}

// liquidFilter splits an output into its value and filters.
func splitFilters(expr string) (string, []string) {
	parts := strings.Split(expr, "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts[0], parts[1:]
}

// output converts {{ … }}: values the import knows become text.
func (lq *liquid) output(raw, expr, before string, line int) string {
	value, filters := splitFilters(expr)
	switch {
	case len(filters) == 0 && (value == "site.baseurl" || value == "site.url"):
		lq.noteConverted("{{ "+value+" }} → a path from the site's root", line)
		if lq.inLink(before) {
			return ""
		}
		if value == "site.url" {
			return lq.site.url
		}
		return lq.site.baseurl
	case len(filters) == 1 && (filters[0] == "relative_url" || filters[0] == "absolute_url"):
		p, ok := quoted(value)
		if !ok {
			break
		}
		lq.noteConverted("{{ \"…\" | "+filters[0]+" }} → a path from the site's root", line)
		if filters[0] == "absolute_url" && !lq.inLink(before) {
			return lq.site.url + lq.sitePath(p, before)
		}
		return lq.sitePath(p, before)
	case len(filters) == 0 && strings.HasPrefix(value, "site."):
		if s, ok := scalarAt(lq.site.config, strings.TrimPrefix(value, "site.")); ok {
			lq.noteConverted("{{ site.… }} → its value from _config.yml", line)
			return s
		}
	case len(filters) == 0 && strings.HasPrefix(value, "page."):
		if s, ok := scalarAt(lq.page, strings.TrimPrefix(value, "page.")); ok {
			lq.noteConverted("{{ page.… }} → its value from the front matter", line)
			return s
		}
	}
	lq.lose(line, "Liquid %s is left as text: Agora does not run Liquid", shorten(raw))
	return raw
}

// sitePath is a path from the site's root as a link needs it: as it is in
// a Markdown link, which Agora prefixes with the base path itself, and
// with the base path elsewhere (raw HTML is written as it is).
func (lq *liquid) sitePath(p, before string) string {
	if lq.inLink(before) || strings.HasPrefix(p, lq.site.baseurl+"/") {
		return p
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return lq.site.baseurl + p
}

// markdownLinkOpen is text that ends where a Markdown link's destination
// starts: "[text](" or a reference definition "[id]: ".
var markdownLinkOpen = regexp.MustCompile(`(\]\(<?|^\s{0,3}\[[^\]]+\]:\s*)$`)

// inLink reports whether a value written after before is at the start of a
// Markdown link destination.
func (lq *liquid) inLink(before string) bool {
	if lq.html {
		return false
	}
	if i := strings.LastIndexByte(before, '\n'); i >= 0 {
		before = before[i+1:]
	}
	return markdownLinkOpen.MatchString(before)
}

func quoted(s string) (string, bool) {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1], true
	}
	return "", false
}

// scalarAt is the text of a string, number or date at a dotted path.
func scalarAt(m map[string]any, dotted string) (string, bool) {
	var v any = m
	for _, k := range strings.Split(dotted, ".") {
		mm, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		if v, ok = mm[k]; !ok {
			return "", false
		}
	}
	switch x := v.(type) {
	case string:
		return x, true
	case int64, float64, bool:
		return fmt.Sprint(x), true
	case time.Time:
		return x.Format("2006-01-02 15:04:05 -0700"), true
	}
	return "", false
}

// shorten quotes a Liquid tag for a note, cut to a readable length.
func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 60 {
		s = s[:57] + "…"
	}
	return s
}
