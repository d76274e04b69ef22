package generator_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/generator"
	"github.com/agora-hub/agora/internal/cli"
	"github.com/agora-hub/agora/internal/testsite"
)

// transparencySite is a hub on a GitHub Pages sub-path, in Berlin, with no
// layouts of its own, so the built-in theme renders the transparency log.
const transparencySite = `
-- site.toml --
baseURL = "https://example.org/hub/"
title = "Hub"
timezone = "Europe/Berlin"
paginate = 4
[params]
author = "The Editors"
-- content/transparency/_index.md --
+++
title = "Transparency"
+++
Our public record.
-- content/transparency/fridays.md --
+++
title = "Digest moves to Fridays"
date = 2026-09-08T12:00:00+02:00
[decision]
kind = "change"
status = "decided"
decided = 2026-09-08
consulted = ["newsletter team"]
+++
Status left as decided: the build must still show it superseded.
-- content/transparency/fortnightly.md --
+++
title = "Digest goes fortnightly"
date = 2026-10-20T12:00:00+02:00
[decision]
kind = "decision"
status = "decided"
decided = 2026-10-20
consulted = ["newsletter team", "members survey (n=348)"]
supersedes = "fridays.md"
+++
Why: fewer, fuller issues.
-- content/transparency/spam.md --
+++
title = "Spam wave at midnight"
date = 2026-10-31T23:30:00Z
[decision]
kind = "incident"
status = "decided"
+++
Half past midnight in Berlin: November's, not October's.
-- content/transparency/farewell-mara.md --
+++
title = "Stepping down"
date = 2026-10-30T18:00:00+01:00
author = "Mara Okafor"
[decision]
kind = "farewell"
status = "decided"
+++
I have decided to step down.
-- content/transparency/farewell-editors.md --
+++
title = "The editors say goodbye"
date = 2026-08-01T10:00:00+02:00
[decision]
kind = "farewell"
status = "decided"
+++
We hand over.
-- content/transparency/rules.md --
+++
title = "New posting rules"
date = 2026-11-02T10:00:00+01:00
pinned = true
[decision]
kind = "decision"
status = "proposed"
supersedes = "/posts/old-rules/"
+++
Proposed rules.
-- content/transparency/stale.md --
+++
title = "An old claim"
date = 2026-07-01T10:00:00+02:00
[decision]
kind = "decision"
status = "superseded"
+++
Says superseded, but nothing published supersedes it.
-- content/transparency/draft-report.md --
+++
title = "Unfinished report"
date = 2026-10-01T10:00:00+02:00
draft = true
[decision]
kind = "report"
status = "proposed"
+++
A draft: its kind must not get a page.
-- content/posts/old-rules.md --
+++
title = "Posting rules (2025)"
date = 2025-01-10T10:00:00+01:00
+++
The old rules, with no [decision] of their own.
-- content/tips/pinned-tip.md --
+++
title = "Read this first"
date = 2026-01-05T10:00:00+01:00
pinned = true
+++
Start here.
`

func TestTransparencyLog(t *testing.T) {
	dir := testsite.New(t, transparencySite)
	_, pub := build(t, dir, func(o *generator.Options) { o.Now = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC) })

	t.Run("links both ways", func(t *testing.T) {
		old := assertFile(t, pub, "transparency/fridays/index.html",
			`<p class="notice superseded" role="note"><strong>Superseded.</strong> This was replaced by <a href="/hub/transparency/fortnightly/">Digest goes fortnightly</a> on <time datetime="2026-10-20">20 October 2026</time>.`,
			`<dt>Status</dt><dd><span class="status status-superseded">Superseded</span></dd>`,
			`<dt>Superseded by</dt><dd><a href="/hub/transparency/fortnightly/">Digest goes fortnightly</a></dd>`,
			`<dt>Kind</dt><dd><a href="/hub/transparency/kind/change/">Change</a></dd>`,
			`<dt>Decided</dt><dd><time datetime="2026-09-08">Tuesday 8 September 2026</time></dd>`,
			`<dt>Consulted</dt><dd>newsletter team</dd>`)
		if strings.Contains(old, "<dt>Supersedes</dt>") {
			t.Error("the superseded post claims to supersede something")
		}
		assertFile(t, pub, "transparency/fortnightly/index.html",
			`<dt>Supersedes</dt><dd><a href="/hub/transparency/fridays/">Digest moves to Fridays</a></dd>`,
			`<dt>Status</dt><dd><span class="status status-decided">Decided</span></dd>`,
			`<dt>Consulted</dt><dd>newsletter team, members survey (n=348)</dd>`)
		// A page without a [decision] (a post, default layout) still tells
		// readers it was superseded.
		assertFile(t, pub, "posts/old-rules/index.html",
			`This was replaced by <a href="/hub/transparency/rules/">New posting rules</a> on <time datetime="2026-11-02">2 November 2026</time>.`)
		// Declared superseded with no successor: shown as declared, no link.
		stale := assertFile(t, pub, "transparency/stale/index.html", `<span class="status status-superseded">Superseded</span>`)
		if strings.Contains(stale, "Superseded by") || strings.Contains(stale, "This was replaced by") {
			t.Error("a post with no successor links to one")
		}
	})

	t.Run("timeline by month in the site's zone", func(t *testing.T) {
		got := timeline(t, testsite.Read(t, pub, "transparency/index.html"))
		want := []string{
			"November 2026: /hub/transparency/rules/ /hub/transparency/spam/",
			"October 2026: /hub/transparency/farewell-mara/ /hub/transparency/fortnightly/",
		}
		if !slices.Equal(got, want) {
			t.Errorf("page 1 timeline:\n got %q\nwant %q", got, want)
		}
		got = timeline(t, testsite.Read(t, pub, "transparency/page/2/index.html"))
		want = []string{
			"September 2026: /hub/transparency/fridays/",
			"August 2026: /hub/transparency/farewell-editors/",
			"July 2026: /hub/transparency/stale/",
		}
		if !slices.Equal(got, want) {
			t.Errorf("page 2 timeline:\n got %q\nwant %q", got, want)
		}
		assertFile(t, pub, "transparency/index.html",
			`<h2 id="month-2026-11"><time datetime="2026-11">November 2026</time></h2>`,
			`<time datetime="2026-11-01T00:30:00&#43;01:00">1 November</time>`)
	})

	t.Run("one page per kind in use", func(t *testing.T) {
		kinds := map[string][]string{
			"decision": {"/hub/transparency/rules/", "/hub/transparency/fortnightly/", "/hub/transparency/stale/"},
			"change":   {"/hub/transparency/fridays/"},
			"farewell": {"/hub/transparency/farewell-mara/", "/hub/transparency/farewell-editors/"},
			"incident": {"/hub/transparency/spam/"},
		}
		for kind, want := range kinds {
			html := testsite.Read(t, pub, "transparency/kind/"+kind+"/index.html")
			var got []string
			for _, g := range timeline(t, html) {
				_, links, _ := strings.Cut(g, ": ")
				got = append(got, strings.Fields(links)...)
			}
			if !slices.Equal(got, want) {
				t.Errorf("kind %s lists %q, want %q", kind, got, want)
			}
			if !strings.Contains(html, `<a href="/hub/transparency/kind/`+kind+`/" aria-current="page">`) {
				t.Errorf("kind %s: its own filter link is not marked aria-current", kind)
			}
			if n := strings.Count(html, `aria-current="page"`); n != 1 {
				t.Errorf("kind %s: %d links marked as the current page, want 1", kind, n)
			}
			feed := rssItems(t, pub, "transparency/kind/"+kind+"/index.xml")
			if len(feed) != len(want) {
				t.Errorf("kind %s feed has %d items, want %d: %q", kind, len(feed), len(want), feed)
			}
		}
		// report: only a draft has it; no kind was never used.
		assertNoFile(t, pub, "transparency/kind/report/index.html")
		log := assertFile(t, pub, "transparency/index.html",
			`<a href="/hub/transparency/" aria-current="page">All <span class="count">7`,
			`<a href="/hub/transparency/kind/farewell/">Farewells <span class="count">2`)
		if strings.Contains(log, "/kind/report/") {
			t.Error("the filter links to a kind with no published post")
		}
		// Trimming the URL to /transparency/kind/ leads back to the log.
		assertFile(t, pub, "transparency/kind/index.html", `url=https://example.org/hub/transparency/"`)
		assertFile(t, pub, "sitemap.xml", "<loc>https://example.org/hub/transparency/kind/incident/</loc>")
	})

	t.Run("feed", func(t *testing.T) {
		items := rssItems(t, pub, "transparency/index.xml")
		sort.Strings(items)
		want := []string{"An old claim", "Digest goes fortnightly", "Digest moves to Fridays", "New posting rules", "Spam wave at midnight", "Stepping down", "The editors say goodbye"}
		if !slices.Equal(items, want) {
			t.Errorf("transparency feed items %q, want %q", items, want)
		}
	})

	t.Run("pinned", func(t *testing.T) {
		home := assertFile(t, pub, "index.html", `<h2 id="pinned-title">Pinned</h2>`)
		block := between(home, `<section class="pinned"`, `</section>`)
		for _, w := range []string{`href="/hub/transparency/rules/">New posting rules</a> <span class="badge">Decision</span>`, `href="/hub/tips/pinned-tip/">Read this first</a>`} {
			if !strings.Contains(block, w) {
				t.Errorf("home page's pinned block lacks %q:\n%s", w, block)
			}
		}
		if strings.Contains(block, "fortnightly") {
			t.Error("an unpinned post is in the pinned block")
		}
		// The log pins only its own posts, on its first page only.
		logBlock := between(testsite.Read(t, pub, "transparency/index.html"), `<section class="pinned"`, `</section>`)
		if !strings.Contains(logBlock, "/hub/transparency/rules/") || strings.Contains(logBlock, "pinned-tip") {
			t.Errorf("the log's pinned block is wrong:\n%s", logBlock)
		}
		if strings.Contains(testsite.Read(t, pub, "transparency/page/2/index.html"), `class="pinned"`) {
			t.Error("the pinned block repeats on page 2 of the log")
		}
	})

	t.Run("farewell in the author's own words", func(t *testing.T) {
		for file, voice := range map[string]string{
			"transparency/farewell-mara/index.html":    `<p class="voice">In <span class="voice-name">Mara Okafor</span>’s own words</p>`,
			"transparency/farewell-editors/index.html": `<p class="voice">In <span class="voice-name">The Editors</span>’ own words</p>`,
		} {
			html := assertFile(t, pub, file, voice)
			if strings.Index(html, voice) > strings.Index(html, "<h1>") {
				t.Errorf("%s: the author's voice comes after the title, want it at the top", file)
			}
		}
		if strings.Contains(testsite.Read(t, pub, "transparency/fortnightly/index.html"), `class="voice"`) {
			t.Error("a decision that is not a farewell shows a voice line")
		}
	})

	if n := testsite.CheckLinks(t, pub, "https://example.org/hub/"); n < 50 {
		t.Errorf("checked only %d links", n)
	}
}

// TestSupersedesForms: every documented way of naming the superseded page
// finds it.
func TestSupersedesForms(t *testing.T) {
	target := `
-- content/transparency/_index.md --
+++
title = "Transparency"
+++
-- content/transparency/old.md --
+++
title = "Old"
date = 2026-01-01T00:00:00Z
slug = "the-old-one"
[decision]
kind = "decision"
status = "decided"
+++
-- content/transparency/bundle/index.md --
+++
title = "Bundle"
date = 2026-01-01T00:00:00Z
+++
`
	cases := []struct{ ref, want string }{
		{"transparency/old.md", "/transparency/the-old-one/"},
		{"transparency/old", "/transparency/the-old-one/"},
		{"/transparency/old.md", "/transparency/the-old-one/"},
		{"content/transparency/old.md", "/transparency/the-old-one/"},
		{"old.md", "/transparency/the-old-one/"},
		{"old", "/transparency/the-old-one/"},
		{"/transparency/the-old-one/", "/transparency/the-old-one/"},
		{"transparency/bundle", "/transparency/bundle/"},
		{"bundle/index.md", "/transparency/bundle/"},
	}
	for _, tc := range cases {
		t.Run(tc.ref, func(t *testing.T) {
			dir := testsite.New(t, "-- site.toml --\ntitle = \"Hub\"\n"+supersedesLayouts+target+`
-- content/transparency/new.md --
+++
title = "New"
date = 2026-02-01T00:00:00Z
[decision]
kind = "decision"
status = "decided"
supersedes = "`+tc.ref+`"
+++
`)
			_, pub := build(t, dir)
			assertFile(t, pub, "transparency/new/index.html", `<a class="supersedes" href="`+tc.want+`">`)
			assertFile(t, pub, strings.TrimPrefix(tc.want, "/")+"index.html", `<a class="superseded-by" href="/transparency/new/">`)
		})
	}
}

const supersedesLayouts = `
-- layouts/_default/single.html --
{{ range .Supersedes }}<a class="supersedes" href="{{ .RelPermalink }}">{{ end }}{{ range .SupersededBy }}<a class="superseded-by" href="{{ .RelPermalink }}">{{ end }}
-- layouts/_default/list.html --
{{ .Title }}
`

// TestTransparencyBadInput breaks a good site one way at a time: the build
// fails with exit code 1, the message is exactly file:line: message, and
// the previous public/ is byte-for-byte as it was.
func TestTransparencyBadInput(t *testing.T) {
	const good = `
-- site.toml --
baseURL = "https://example.org/hub/"
title = "Hub"
-- content/transparency/_index.md --
+++
title = "Transparency"
+++
-- content/transparency/old.md --
+++
title = "Old"
date = 2026-01-01T00:00:00Z
[decision]
kind = "decision"
status = "decided"
+++
-- content/transparency/unpublished.md --
+++
title = "Unpublished"
date = 2026-01-01T00:00:00Z
draft = true
+++
-- content/transparency/later.md --
+++
title = "Later"
date = 2026-02-20T00:00:00Z
+++
`
	// x writes content/transparency/x.md dated 2026-02-01 with the given
	// [decision] lines. Without top lines, the table header is line 4 and
	// its keys are lines 5, 6, 7.
	x := func(top, decision string) string {
		return "-- content/transparency/x.md --\n+++\ntitle = \"X\"\ndate = 2026-02-01T00:00:00Z\n" + top + "[decision]\n" + decision + "+++\nBody.\n"
	}
	const f = "content/transparency/x.md"
	cases := []struct {
		name  string
		files string
		want  []string // whole lines of stderr
	}{
		{"unknown kind", x("", "kind = \"announcement\"\nstatus = \"decided\"\n"),
			[]string{f + `:5: decision.kind: "announcement" is not a kind; use one of decision, change, farewell, incident, report`}},
		{"unknown status", x("", "kind = \"decision\"\nstatus = \"in effect\"\n"),
			[]string{f + `:6: decision.status: "in effect" is not a status; use one of proposed, decided, reversed, superseded`}},
		{"missing kind and status", x("", "decided = 2026-01-01\n"), []string{
			f + `:4: decision.kind: missing; add kind = "decision" (one of decision, change, farewell, incident, report)`,
			f + `:4: decision.status: missing; add status = "proposed" (one of proposed, decided, reversed, superseded)`}},
		{"kind not a string", x("", "kind = 3\nstatus = \"decided\"\n"),
			[]string{f + `:5: decision.kind: want one of decision, change, farewell, incident, report as a string, got a number`}},
		{"decided not a date", x("", "kind = \"decision\"\nstatus = \"decided\"\ndecided = true\n"),
			[]string{f + `:7: decision.decided: want a date such as 2026-10-20, got a boolean`}},
		{"decided unreadable", x("", "kind = \"decision\"\nstatus = \"decided\"\ndecided = \"last Tuesday\"\n"),
			[]string{f + `:7: decision.decided: "last Tuesday" is not a date; write a date such as 2026-10-20`}},
		{"consulted not strings", x("", "kind = \"decision\"\nstatus = \"decided\"\nconsulted = [\"moderators\", 4]\n"),
			[]string{f + `:7: decision.consulted: want a list of strings such as ["moderators", "members survey (n=212)"], found a number in it`}},
		{"consulted a table", x("", "kind = \"decision\"\nstatus = \"decided\"\nconsulted = { who = \"x\" }\n"),
			[]string{f + `:7: decision.consulted: want a string or a list of strings such as ["moderators", "members survey (n=212)"], got a table`}},
		{"unknown key", x("", "kind = \"decision\"\nstatus = \"decided\"\nsupersede = \"old.md\"\n"),
			[]string{f + `:7: decision.supersede: unknown key (known keys: kind, status, decided, consulted, supersedes)`}},
		{"page key below the table", x("", "kind = \"decision\"\nstatus = \"decided\"\npinned = true\n"),
			[]string{f + `:7: decision.pinned: unknown key; every key below [decision] belongs to it, so move pinned above the [decision] line`}},
		{"decision not a table", "-- content/transparency/x.md --\n+++\ntitle = \"X\"\ndecision = \"yes\"\n+++\n",
			[]string{f + `:3: decision: want a table ([decision] followed by kind = "…" and status = "…"), got a string`}},
		{"pinned not a boolean", x("pinned = \"yes\"\n", "kind = \"decision\"\nstatus = \"decided\"\n"),
			[]string{f + `:4: pinned: want true or false, got a string`}},
		{"dangling supersedes", x("", "kind = \"decision\"\nstatus = \"decided\"\nsupersedes = \"transparency/nope.md\"\n"),
			[]string{f + `:7: decision.supersedes: "transparency/nope.md" does not name a page; write its path below content/, such as "transparency/old-decision.md"`}},
		{"supersedes in the wrong folder", x("", "kind = \"decision\"\nstatus = \"decided\"\nsupersedes = \"posts/old.md\"\n"),
			[]string{f + `:7: decision.supersedes: "posts/old.md" does not name a page; write its path below content/, such as "transparency/old-decision.md" (did you mean "transparency/old.md"?)`}},
		{"supersedes a draft", x("", "kind = \"decision\"\nstatus = \"decided\"\nsupersedes = \"unpublished.md\"\n"),
			[]string{f + `:7: decision.supersedes: "unpublished.md" is not published in this build (a draft), so this page would link to nothing; publish it first or remove supersedes`}},
		{"supersedes a newer page", x("", "kind = \"decision\"\nstatus = \"decided\"\nsupersedes = \"later.md\"\n"),
			[]string{f + `:7: decision.supersedes: "later.md" (2026-02-20) is newer than this page (2026-02-01); a page supersedes an older one, so put supersedes in content/transparency/later.md`}},
		{"supersedes itself", x("", "kind = \"decision\"\nstatus = \"decided\"\nsupersedes = \"x.md\"\n"),
			[]string{f + `:7: decision.supersedes: "x.md" is this page itself; name the older page it replaces`}},
		{"supersedes a section", x("", "kind = \"decision\"\nstatus = \"decided\"\nsupersedes = \"/transparency/\"\n"),
			[]string{f + `:7: decision.supersedes: "/transparency/" is a list page (/transparency/), not a post; name the post it replaces`}},
		{"supersedes empty", x("", "kind = \"decision\"\nstatus = \"decided\"\nsupersedes = \" \"\n"),
			[]string{f + `:7: decision.supersedes: empty; name the page this one replaces, such as "transparency/old-decision.md", or remove the key`}},
		{"supersedes not a string", x("", "kind = \"decision\"\nstatus = \"decided\"\nsupersedes = 7\n"),
			[]string{f + `:7: decision.supersedes: want a string or a list of strings such as "transparency/old-decision.md", got a number`}},
		{"supersede each other", x("", "kind = \"decision\"\nstatus = \"decided\"\nsupersedes = \"y.md\"\n") +
			"-- content/transparency/y.md --\n+++\ntitle = \"Y\"\ndate = 2026-02-01T00:00:00Z\n[decision]\nkind = \"decision\"\nstatus = \"decided\"\nsupersedes = \"x.md\"\n+++\n",
			[]string{`content/transparency/y.md:7: decision.supersedes: pages supersede each other in a circle (transparency/x.md → transparency/y.md → transparency/x.md); remove supersedes from one of them`}},
		{"kind page URL taken", "-- content/transparency/kind/decision.md --\n+++\ntitle = \"Taken\"\n+++\n",
			[]string{`content/transparency/kind/decision.md: URL /transparency/kind/decision/ is the transparency log's page for kind "decision"; move or rename this page`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := testsite.New(t, good)
			if code, _, stderr := runCLI(t, "build", "-s", dir, "--quiet", "--now", "2026-03-01T12:00:00Z"); code != 0 {
				t.Fatalf("good build failed: %s", stderr)
			}
			public := filepath.Join(dir, "public")
			before := testsite.Hashes(t, public)
			testsite.Write(t, dir, tc.files)

			code, stdout, stderr := runCLI(t, "build", "-s", dir, "--now", "2026-03-01T12:00:00Z")
			if code != 1 {
				t.Fatalf("exit code = %d, want 1; stderr:\n%s", code, stderr)
			}
			if stdout != "" {
				t.Errorf("a failed build printed a summary: %q", stdout)
			}
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if len(lines) == 0 || lines[0] != "agora build: failed:" {
				t.Errorf("stderr does not start with the failure line:\n%s", stderr)
			}
			if got := lines[1:]; !slices.Equal(got, tc.want) {
				t.Errorf("problems:\n got %q\nwant %q", got, tc.want)
			}
			if after := testsite.Hashes(t, public); !maps.Equal(before, after) {
				t.Errorf("public/ changed after a failed build")
			}
			if leftovers, _ := filepath.Glob(filepath.Join(dir, ".public.tmp-*")); len(leftovers) > 0 {
				t.Errorf("staging folders left behind: %v", leftovers)
			}
		})
	}
}

func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

var (
	monthRE = regexp.MustCompile(`(?s)<section class="timeline-month"[^>]*>\s*<h2[^>]*>(.*?)</h2>(.*?)</section>`)
	entryRE = regexp.MustCompile(`<li class="timeline-entry">\s*<h3><a href="([^"]+)"`)
	tagRE   = regexp.MustCompile(`<[^>]+>`)
)

// timeline reads a log page's month groups as "Month: href href …".
func timeline(t *testing.T, html string) []string {
	t.Helper()
	var out []string
	for _, m := range monthRE.FindAllStringSubmatch(html, -1) {
		var links []string
		for _, e := range entryRE.FindAllStringSubmatch(m[2], -1) {
			links = append(links, e[1])
		}
		out = append(out, tagRE.ReplaceAllString(m[1], "")+": "+strings.Join(links, " "))
	}
	if len(out) == 0 {
		t.Errorf("no timeline months found in:\n%s", html)
	}
	return out
}

// rssItems parses a feed, failing the test if it is not well-formed XML,
// and returns its item titles.
func rssItems(t *testing.T, pub, rel string) []string {
	t.Helper()
	var doc rssDoc
	if err := xml.Unmarshal([]byte(testsite.Read(t, pub, rel)), &doc); err != nil {
		t.Fatalf("%s does not parse: %v", rel, err)
	}
	var titles []string
	for _, it := range doc.Channel.Items {
		titles = append(titles, it.Title)
	}
	return titles
}

func between(s, start, end string) string {
	_, after, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	before, _, _ := strings.Cut(after, end)
	return before
}
