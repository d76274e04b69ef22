package siteimport

import (
	"strings"
	"testing"
)

// jekyllConfig is the _config.yml most cases share: a project site under
// /notes, as GitHub Pages serves one.
const jekyllConfig = `-- _config.yml --
title: Field Notes
description: Notes from the field
url: https://example.org
baseurl: /notes
`

// TestJekyll imports small Jekyll sites, each showing one conversion, and
// checks the new site's files, the report, and the pages agora build
// makes of them.
func TestJekyll(t *testing.T) {
	for _, tc := range []struct {
		name      string
		site      string
		files     map[string][]string // in the new site
		pages     map[string][]string // in its build
		converted []string
		skipped   []string
		lost      []string // empty: the import must be lossless
	}{
		{
			name: "a post takes its date from its file name",
			site: jekyllConfig + `-- _posts/2024-03-05-first-light.md --
---
title: First light
---
Clear skies.
`,
			files: map[string][]string{"content/posts/first-light.md": {"title: First light", `date: "2024-03-05"`}},
			pages: map[string][]string{"2024/03/05/first-light.html": {"First light", "Clear skies."}},
			converted: []string{`permalink "date" → [permalinks] posts = "/:year/:month/:day/:slugorfilename.html"`,
				"_posts/2024-03-05-first-light.md: the date in a post's file name"},
		},
		{
			name: "front matter's date wins over the file name's, and a post without a title gets Jekyll's",
			site: jekyllConfig + `permalink: pretty
-- _posts/2024-03-05-late-night.md --
---
date: 2024-03-06 01:30:00 +0100
---
After midnight.
`,
			files: map[string][]string{"content/posts/late-night.md": {"date: 2024-03-06 01:30:00 +0100", "title: Late Night"}},
			pages: map[string][]string{"2024/03/06/late-night/index.html": {"Late Night", "After midnight."}},
		},
		{
			name: "categories in a permalink: the posts that have them keep their URL in front matter",
			site: jekyllConfig + `permalink: /:categories/:year/:title/
-- _posts/2024-03-05-with.md --
---
title: With
categories: Field notes
---
-- _posts/2024-03-06-without.md --
---
title: Without
---
-- astro/_posts/2024-03-07-folder.md --
---
title: Folder
---
`,
			files: map[string][]string{
				"content/posts/with.md":    {"url: /field/notes/2024/with/", "- Field", "- notes"},
				"content/posts/without.md": {"absent:url:"},
				"content/posts/folder.md":  {"- astro", "url: /astro/2024/folder/"},
				"site.toml":                {`posts = "/:year/:slugorfilename/"`},
			},
			pages: map[string][]string{
				"field/notes/2024/with/index.html": {"With"},
				"2024/without/index.html":          {"Without"},
				"astro/2024/folder/index.html":     {"Folder"},
			},
		},
		{
			name: "a permalink Hugo cannot say: every post keeps its URL in front matter",
			site: jekyllConfig + `permalink: weekdate
-- _posts/2024-03-05-week.md --
---
title: Week
---
`,
			files: map[string][]string{"content/posts/week.md": {"url: /2024/W10/Tue/week.html"}, "site.toml": {"absent:permalinks"}},
			pages: map[string][]string{"2024/w10/tue/week.html": {"Week"}},
		},
		{
			name: "two posts with one slug: the later keeps its full name and a slug",
			site: jekyllConfig + `-- _posts/2024-01-01-update.md --
---
title: January
---
-- _posts/2024-02-01-update.md --
---
title: February
---
`,
			files: map[string][]string{"content/posts/update.md": {"January"}, "content/posts/2024-02-01-update.md": {"slug: update", "February"}},
			pages: map[string][]string{"2024/01/01/update.html": {"January"}, "2024/02/01/update.html": {"February"}},
		},
		{
			name: "drafts and unpublished posts become drafts",
			site: jekyllConfig + `-- _drafts/an-idea.md --
---
title: An idea
---
-- _posts/2024-03-05-hidden.md --
---
title: Hidden
published: false
---
`,
			files:     map[string][]string{"content/posts/an-idea.md": {"draft: true"}, "content/posts/hidden.md": {"draft: true", "absent:published"}},
			pages:     map[string][]string{"!2024/03/05/hidden.html": nil},
			converted: []string{"published: false → draft: true", "_drafts/ → content/posts/ with draft: true"},
		},
		{
			name: "Jekyll's keys become Hugo's",
			site: jekyllConfig + `permalink: pretty
-- _posts/2024-03-05-keys.md --
---
# A comment the import keeps
title: "Keys: all of them"
layout: post
category: astro
tags: night sky
excerpt: The short of it.
last_modified_at: 2024-04-01
redirect_from: /old-keys/
---
Body.
`,
			files: map[string][]string{"content/posts/keys.md": {
				"# A comment the import keeps", `title: "Keys: all of them"`, "summary: The short of it.", "lastmod: 2024-04-01",
				"- astro", "- night", "- sky", "aliases:", "/old-keys/", "absent:layout", "absent:excerpt", "absent:category:"}},
			pages: map[string][]string{
				"astro/2024/03/05/keys/index.html": {"Keys: all of them"},
				"tags/night/index.html":            {"Keys: all of them"},
				"categories/astro/index.html":      {"Keys: all of them"},
				"old-keys/index.html":              {"/notes/astro/2024/03/05/keys/"},
			},
			converted: []string{"excerpt → summary", "layout: Jekyll layouts are not converted", "redirect_from → aliases", "last_modified_at → lastmod"},
		},
		{
			name: "pages keep their URLs: a permalink is url, Jekyll's .html URL is kept, index files are lists",
			site: jekyllConfig + `-- index.md --
---
title: Welcome
---
The words of the home page.
-- about.md --
---
title: About
permalink: /about/
---
About us.
-- contact.md --
---
title: Contact
---
Write to us.
-- guide/index.md --
---
title: Guide
---
The guide.
-- guide/setup.md --
---
title: Setup
---
Set up.
-- tags.md --
---
title: All the tags
permalink: /tags/
---
`,
			files: map[string][]string{
				"content/_index.md":       {"Welcome"},
				"content/about.md":        {"absent:url", "absent:permalink"},
				"content/contact.md":      {"url: /contact.html"},
				"content/guide/_index.md": {"The guide."},
				"content/guide/setup.md":  {"url: /guide/setup.html"},
				"content/tags/_index.md":  {"All the tags"},
			},
			pages: map[string][]string{
				"index.html":       {"The words of the home page."},
				"about/index.html": {"About us."},
				"contact.html":     {"Write to us."},
				"guide/setup.html": {"Set up."},
				"tags/index.html":  {"All the tags"},
			},
		},
		{
			name: "an HTML page keeps its HTML, a Liquid template's body is left out",
			site: jekyllConfig + `-- team.html --
---
title: Team
permalink: /team/
---
<div class="team">
    <p>Ada and <a href="{{ site.baseurl }}/about/">friends</a>.</p>

        <p>Indented after a blank line.</p>
</div>
-- index.html --
---
layout: home
---
<ul>{% for post in site.posts %}<li>{{ post.title }}</li>{% endfor %}</ul>
`,
			files: map[string][]string{
				"content/team.md":                 {"{{< rawhtml >}}", `<a href="/notes/about/">`, "{{< /rawhtml >}}"},
				"layouts/shortcodes/rawhtml.html": {".Inner"},
				"content/_index.md":               {"absent:for post"},
				"site.toml":                       {`theme = "default"`},
			},
			pages: map[string][]string{"team/index.html": {`<p>Indented after a blank line.</p>`, `href="/notes/about/"`}},
			lost:  []string{"index.html:4: the page's HTML is a Liquid template"},
		},
		{
			name: "raw blocks are kept literal, shortcodes in them escaped",
			site: jekyllConfig + `-- _posts/2024-03-05-raw.md --
---
title: Raw
---
{% raw %}Hugo writes {{< youtube abc >}} and {{% note %}}hi{{% /note %}} and {{ .Title }}.{% endraw %}
`,
			files:     map[string][]string{"content/posts/raw.md": {"{{</* youtube abc */>}}", "{{%/* note */%}}hi{{%/* /note */%}}", "{{ .Title }}", "absent:{% raw"}},
			pages:     map[string][]string{"2024/03/05/raw.html": {"{{&lt; youtube abc &gt;}}", "{{% note %}}hi{{% /note %}}", "{{ .Title }}"}},
			converted: []string{"{% raw %} → its text, kept literal"},
		},
		{
			name: "highlight becomes Hugo's highlight shortcode",
			site: jekyllConfig + `-- _posts/2024-03-05-code.md --
---
title: Code
---
{% highlight go linenos %}
func main() {}
{% endhighlight %}

{% highlight ruby %}
puts 1
{% endhighlight %}
`,
			files: map[string][]string{"content/posts/code.md": {`{{< highlight go "linenos=table" >}}`, "{{< /highlight >}}", "{{< highlight ruby >}}"}},
			pages: map[string][]string{"2024/03/05/code.html": {"lntable", "main", "puts"}},
		},
		{
			name: "link and post_url become relref, and resolve to the pages' URLs under the base path",
			site: jekyllConfig + `-- _posts/2024-03-05-one.md --
---
title: One
---
See [two]({% post_url 2024-03-06-two %}), [the guide]({% link guide.md %}) and [the file]({% link assets/map.pdf %}).
-- _posts/2024-03-06-two.md --
---
title: Two
---
-- guide.md --
---
title: Guide
permalink: /guide/
---
-- assets/map.pdf --
%PDF
`,
			files: map[string][]string{"content/posts/one.md": {`[two]({{< relref "/posts/two.md" >}})`, `[the guide]({{< relref "/guide.md" >}})`, "[the file](/assets/map.pdf)"}},
			pages: map[string][]string{"2024/03/05/one.html": {`href="/notes/2024/03/06/two.html"`, `href="/notes/guide/"`, `href="/notes/assets/map.pdf"`}},
		},
		{
			name: "site.baseurl and site.url become paths from the site's root",
			site: jekyllConfig + `-- _posts/2024-03-05-links.md --
---
title: Links
---
[About]({{ site.baseurl }}/about/), [home]({{ site.url }}{{ site.baseurl }}/), [css]({{ "/assets/x.css" | relative_url }}).

[ref]: {{ site.baseurl }}/ref/

![Logo]({{ site.baseurl }}/assets/logo.png)

By {{ site.title }}: {{ page.title }}.
`,
			files: map[string][]string{"content/posts/links.md": {"[About](/about/)", "[home](/)", "[css](/assets/x.css)", "[ref]: /ref/", "![Logo](/assets/logo.png)", "By Field Notes: Links."}},
			pages: map[string][]string{"2024/03/05/links.html": {`href="/notes/about/"`, `href="/notes/assets/x.css"`, `src="/notes/assets/logo.png"`, "By Field Notes: Links."}},
		},
		{
			name: "an include of plain HTML becomes a shortcode; one of a Liquid template is lost",
			site: jekyllConfig + `-- _includes/note.html --
<aside class="note">{{ include.text }}</aside>
-- _includes/list.html --
{% for p in site.posts %}{{ p.title }}{% endfor %}
-- _posts/2024-03-05-inc.md --
---
title: Inc
---
{% include note.html text="Bring a red torch." %}

{% include list.html %}
`,
			files: map[string][]string{
				"layouts/shortcodes/note.html": {`<aside class="note">{{ .Get "text" }}</aside>`},
				"content/posts/inc.md":         {`{{< note text="Bring a red torch." >}}`, "{% include list.html %}"},
			},
			pages:   map[string][]string{"2024/03/05/inc.html": {`<aside class="note">Bring a red torch.</aside>`}},
			skipped: []string{"_includes/: 2 files"},
			lost:    []string{"_posts/2024-03-05-inc.md:6: {% include list.html %}: _includes/list.html is a Liquid template"},
		},
		{
			name: "Liquid left in a page is listed with its line",
			site: jekyllConfig + `-- _posts/2024-03-05-left.md --
---
title: Left
---
Fine text.

Posted {{ page.date | date: "%b %d" }}.
{% if page.comments %}Comments{% endif %}
{% comment %}A note to self{% endcomment %}
`,
			files: map[string][]string{"content/posts/left.md": {`{{ page.date | date: "%b %d" }}`, "absent:A note to self"}},
			lost: []string{`_posts/2024-03-05-left.md:6: Liquid {{ page.date | date: "%b %d" }} is left as text`,
				"_posts/2024-03-05-left.md:7: Liquid {% if page.comments %}", "_posts/2024-03-05-left.md:7: Liquid {% endif %}"},
			converted: []string{"{% comment %} → left out"},
		},
		{
			name: "collections become sections; defaults become cascades",
			site: jekyllConfig + `collections:
  recipes:
    output: true
    permalink: /:collection/:path/
  drafts_box:
    output: false
defaults:
  - scope:
      path: ""
      type: posts
    values:
      layout: post
      comments: true
  - scope:
      type: recipes
    values:
      serves: 4
-- _recipes/bread.md --
---
title: Bread
---
Flour and water.
-- _drafts_box/later.md --
---
title: Later
---
-- _posts/2024-03-05-p.md --
---
title: P
---
`,
			files: map[string][]string{
				"content/recipes/bread.md":     {"absent:url"},
				"content/recipes/_index.md":    {"cascade:", "serves: 4"},
				"content/posts/_index.md":      {"cascade:", "comments: true", "absent:layout"},
				"content/drafts_box/_index.md": {"render: never"},
				"content/drafts_box/later.md":  {"Later"},
			},
			pages:     map[string][]string{"recipes/bread/index.html": {"Flour and water."}, "!drafts_box/later/index.html": nil},
			converted: []string{`defaults for type "posts" → cascade in content/posts/_index.md`, `defaults for type "recipes" → cascade in content/recipes/_index.md`},
		},
		{
			name: "static files, data, exclude, CNAME and the folders that are not converted",
			site: jekyllConfig + `exclude:
  - notes.txt
  - scripts
-- assets/css/site.css --
body { color: #222 }
-- assets/img/logo.svg --
<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"></svg>
-- favicon.ico --
ico
-- notes.txt --
private
-- scripts/deploy.sh --
echo
-- _data/team.yml --
- name: Ada
-- CNAME --
notes.example.org
-- _layouts/default.html --
<html>{{ content }}</html>
-- _sass/main.scss --
$c: red;
-- feed.xml --
---
---
<feed>{% for post in site.posts %}{% endfor %}</feed>
-- robots.txt --
---
---
User-agent: *
`,
			files: map[string][]string{
				"static/assets/css/site.css":  {"color"},
				"static/assets/img/logo.svg":  {"<svg"},
				"static/favicon.ico":          {"ico"},
				"static/robots.txt":           {"User-agent: *", "absent:---"},
				"data/team.yml":               {"Ada"},
				"site.toml":                   {`cname = "notes.example.org"`},
				"!static/notes.txt":           nil,
				"!static/scripts/deploy.sh":   nil,
				"!static/CNAME":               nil,
				"!static/feed.xml":            nil,
				".github/workflows/pages.yml": {"AGORA_VERSION: v1.2.3"},
				".gitignore":                  {"*.db", "absent:/data/"},
			},
			pages:     map[string][]string{"assets/css/site.css": {"color"}, "CNAME": {"notes.example.org"}, "robots.txt": {"User-agent: *"}},
			converted: []string{"_data: → data/", "CNAME: → cname", "robots.txt: → static/robots.txt, without its front matter"},
			skipped:   []string{"_layouts/: 1 file", "_sass/: 1 file", "not copied (excluded in _config.yml, Jekyll's tooling, or names Jekyll skips): notes.txt, scripts/"},
			lost:      []string{"feed.xml: a Liquid feed"},
		},
		{
			name: "kramdown's attribute lists and table of contents are left out",
			site: jekyllConfig + `-- _posts/2024-03-05-k.md --
---
title: K
---
* TOC
{:toc}

A notice.
{: .notice}

[Out](https://example.com){:target="_blank"} and ` + "`{:code}`" + `.

` + "```" + `
{: .kept-in-code}
` + "```" + `
`,
			files: map[string][]string{"content/posts/k.md": {"A notice.", "[Out](https://example.com) and `{:code}`", "{: .kept-in-code}", "absent:{: .notice}", "absent:{:toc}", "absent:* TOC"}},
			lost: []string{"_posts/2024-03-05-k.md:4: kramdown's table of contents", "_posts/2024-03-05-k.md:8: kramdown attribute list {: .notice}",
				`_posts/2024-03-05-k.md:10: kramdown attribute list {:target="_blank"}`},
		},
		{
			name: "GitHub Pages: Markdown without front matter, README as index, relative links, gist",
			site: `-- _config.yml --
title: Docs
plugins:
  - jekyll-gist
  - jekyll-feed
-- README.md --
# Project docs

Start with [the setup](setup.md#install).
-- setup.md --
# Setting up

{% gist octocat/abc123 %} and {% gist def456 %}
-- LICENSE.md --
MIT
`,
			files: map[string][]string{
				"content/_index.md": {"title: Project docs", `[the setup]({{< relref "/setup.md#install" >}})`},
				"content/setup.md":  {"title: Setting up", "{{< gist octocat abc123 >}}", "[View the gist on GitHub](https://gist.github.com/def456)"},
				"static/LICENSE.md": {"MIT"},
			},
			pages: map[string][]string{"index.html": {`href="/setup.html#install"`}, "setup.html": {"https://gist.github.com/octocat/abc123"}},
			lost:  []string{"jekyll-feed: Agora writes the feed at /index.xml"},
		},
		{
			name: "a key Agora reads another way is kept aside, and raw HTML turns unsafe on",
			site: jekyllConfig + `-- _posts/2024-03-05-talk.md --
---
title: Talk
event: the spring meetup
weight: heavy
---
A <mark>marked</mark> word.
`,
			files:     map[string][]string{"content/posts/talk.md": {"jekyll_event: the spring meetup", "jekyll_weight: heavy"}, "site.toml": {"unsafe = true"}},
			pages:     map[string][]string{"2024/03/05/talk.html": {"<mark>marked</mark>"}},
			converted: []string{"_posts/2024-03-05-talk.md:6: raw HTML in Markdown (1 page): [markup] unsafe = true", "_posts/2024-03-05-talk.md:3: event → jekyll_event"},
			lost:      []string{"_posts/2024-03-05-talk.md:4: front matter weight: want a whole number"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im := importSite(t, Jekyll, tc.site)
			report := im.report()
			if im.r.BuildFailed {
				t.Fatalf("the new site does not build:\n%s", report)
			}
			checkFiles(t, im.site, tc.files)
			checkFiles(t, im.public, tc.pages)
			checkNotes(t, "converted", im.r.Converted, tc.converted, report)
			checkNotes(t, "skipped", im.r.Skipped, tc.skipped, report)
			checkNotes(t, "lost", im.r.Lost, tc.lost, report)
			if got, want := im.r.Lossless(), len(tc.lost) == 0; got != want {
				t.Errorf("Lossless() = %v, want %v; report:\n%s", got, want, report)
			}
			if len(tc.lost) == 0 && !strings.Contains(report, "Everything moved.") {
				t.Errorf("report does not say everything moved:\n%s", report)
			}
		})
	}
}
