package cli_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/agora-hub/agora/internal/testsite"
)

var updatePlan = flag.Bool("update-plan", false, "rewrite internal/cli/testdata/plan.*")

// planSite is a Berlin hub on Tuesday 20 October 2026 (W43). Its plan
// window with --weeks 3 is W39 to W45, and W43 holds the end of summer
// time (Sunday 25 October, 03:00 CEST → 02:00 CET): the Sunday 23:30 tip
// belongs to W43 and the Monday 00:30 one to W44, which a week end
// computed as Monday + 7×24h would get wrong. Dates without an offset are
// read in the site's zone. W42 falls short of tips; W41 has one of two.
const planSite = `
-- site.toml --
title = "Hub"
timezone = "Europe/Berlin"

[plan]
tips = 2
events = 1
community-management-stories = 1
-- .github/workflows/pages.yml --
on:
  push:
    branches: [main]
  schedule:
    - cron: "5 * * * *"
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: go run github.com/agora-hub/agora/cmd/agora@v0.4.0 build
-- content/_index.md --
+++
title = "Home"
+++
-- content/about.md --
+++
title = "About (no section, not in the plan)"
date = 2026-10-14
+++
-- content/tips/_index.md --
+++
title = "Tips"
+++
-- content/tips/w40-a.md --
+++
title = "Greet every newcomer by name"
date = 2026-09-29T09:00:00
+++
-- content/tips/w40-b.md --
+++
title = "publishDate wins over date"
date = 2026-09-20T09:00:00
publishDate = 2026-10-01T09:00:00
+++
-- content/tips/w41.md --
+++
title = "Answer within a day"
date = 2026-10-06
+++
-- content/tips/scheduled.md --
+++
title = "Scheduled for Thursday"
date = 2026-10-22T09:00:00+02:00
+++
-- content/tips/sunday-after-dst.md --
+++
title = "Sunday night, after the clocks went back"
date = 2026-10-25T23:30:00
+++
-- content/tips/sunday-utc.md --
+++
title = "Sunday night, written in UTC"
publishDate = 2026-10-25T22:45:00Z
+++
-- content/tips/monday-after.md --
+++
title = "Monday just after midnight"
date = 2026-10-26T00:30:00
+++
-- content/tips/bundle/index.md --
+++
title = "A leaf bundle with a very long title about the neighbourhood tool library and every ladder in it"
date = 2026-11-03T09:00:00
+++
-- content/tips/nested/deep.md --
+++
title = "Nested pages count for their top section"
date = 2026-11-02T09:00:00
draft = true
+++
-- content/tips/idea.md --
+++
title = "An idea without a date"
draft = true
+++
-- content/events/_index.md --
+++
title = "Events"
+++
-- content/events/meetup.md --
+++
title = "Autumn meetup"
date = 2026-10-14T19:00:00
+++
-- content/events/cafe.md --
+++
title = "Repair café"
date = 2026-10-29T10:00:00
draft = true
+++
-- content/community-management-stories/story.md --
+++
title = "How we moved the forum"
date = 2026-10-21T08:00:00
+++
-- content/posts/hello.md --
+++
title = "Hello"
date = 2026-10-13T10:00:00
+++
-- content/transparency/_index.md --
+++
title = "Transparency"
+++
`

const planNow = "2026-10-20T10:00:00+02:00"

// TestPlanGolden runs agora plan on planSite and compares the table and
// the JSON with testdata/plan.txt and plan.json.
func TestPlanGolden(t *testing.T) {
	dir := testsite.New(t, planSite)
	for _, tc := range []struct {
		file string
		args []string
	}{
		{"plan.txt", []string{"plan", "-s", dir, "--weeks", "3", "--now", planNow}},
		// Flags after the command in any order, and the JSON format.
		{"plan.json", []string{"plan", "--format", "json", "--now=" + planNow, "--weeks=3", "--source", dir}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			code, out, stderr := run(t, tc.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			golden := filepath.Join("testdata", tc.file)
			if *updatePlan {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/cli -run Plan -update-plan)", err)
			}
			if out != string(want) {
				t.Errorf("%s differs (run with -update-plan if intended):\n%s", golden, firstDiff(string(want), out))
			}
		})
	}
}

func firstDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return "(same lines)"
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// TestPlanWeeks checks the facts the golden files rest on, so that an
// -update-plan cannot quietly bless a wrong calendar: which week each
// dated item lands in, what falls short, and the section order.
func TestPlanWeeks(t *testing.T) {
	dir := testsite.New(t, planSite)
	code, out, stderr := run(t, "plan", "-s", dir, "--weeks", "3", "--now", planNow, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var cal struct {
		Sections []string
		Targets  map[string]int
		Weeks    []struct {
			Label   string
			Start   string
			Current bool
			Short   []string
			Items   []struct{ Title, Status, Path string }
		}
		Unscheduled []struct{ Title string }
	}
	if err := json.Unmarshal([]byte(out), &cal); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(cal.Sections, " "); got != "tips events community-management-stories posts transparency" {
		t.Errorf("sections %q: want [plan]'s order, then the others by name", got)
	}
	weekOf := map[string]string{}
	status := map[string]string{}
	short := map[string]string{}
	var labels []string
	for _, w := range cal.Weeks {
		labels = append(labels, w.Label)
		short[w.Label] = strings.Join(w.Short, " ")
		for _, it := range w.Items {
			weekOf[it.Path], status[it.Path] = w.Label, it.Status
		}
		if w.Current != (w.Label == "2026-W43") {
			t.Errorf("%s current = %v", w.Label, w.Current)
		}
	}
	if got := strings.Join(labels, " "); got != "2026-W39 2026-W40 2026-W41 2026-W42 2026-W43 2026-W44 2026-W45" {
		t.Errorf("weeks %s: want 4 past, this one and 2 ahead", got)
	}
	for path, want := range map[string]string{
		"content/tips/w40-a.md":            "2026-W40 published",
		"content/tips/w40-b.md":            "2026-W40 published",
		"content/tips/w41.md":              "2026-W41 published",
		"content/tips/scheduled.md":        "2026-W43 scheduled",
		"content/tips/sunday-after-dst.md": "2026-W43 scheduled",
		"content/tips/sunday-utc.md":       "2026-W43 scheduled",
		"content/tips/monday-after.md":     "2026-W44 scheduled",
		"content/tips/bundle/index.md":     "2026-W45 scheduled",
		"content/tips/nested/deep.md":      "2026-W45 draft",
		"content/events/meetup.md":         "2026-W42 published",
		"content/events/cafe.md":           "2026-W44 draft",
		"content/posts/hello.md":           "2026-W42 published",
	} {
		if got := weekOf[path] + " " + status[path]; got != want {
			t.Errorf("%s: %q, want %q", path, got, want)
		}
	}
	if _, ok := weekOf["content/about.md"]; ok {
		t.Error("a page outside any section is in the plan")
	}
	for label, want := range map[string]string{
		"2026-W40": "events community-management-stories",
		"2026-W41": "tips events community-management-stories",
		"2026-W42": "tips community-management-stories",
		"2026-W43": "events",
		"2026-W44": "tips events community-management-stories",
	} {
		if short[label] != want {
			t.Errorf("%s short %q, want %q", label, short[label], want)
		}
	}
	if len(cal.Unscheduled) != 1 || cal.Unscheduled[0].Title != "An idea without a date" {
		t.Errorf("unscheduled %+v", cal.Unscheduled)
	}
}

// TestPlanFits80Columns runs the table at several window sizes on a site
// with a long section name and long titles.
func TestPlanFits80Columns(t *testing.T) {
	dir := testsite.New(t, planSite+`
-- content/a-section-name-far-longer-than-any-column-could-hold/x.md --
+++
title = "`+strings.Repeat("Wide ", 40)+`"
date = 2026-10-21T08:00:00
+++
-- content/a-section-name-far-longer-than-any-column-could-hold/untitled.md --
+++
draft = true
+++
`)
	for _, weeks := range []string{"1", "8", "52"} {
		code, out, stderr := run(t, "plan", "-s", dir, "--weeks", weeks, "--now", planNow)
		if code != 0 {
			t.Fatalf("--weeks %s: exit %d: %s", weeks, code, stderr)
		}
		for i, line := range strings.Split(out, "\n") {
			if n := utf8.RuneCountInString(line); n > 80 {
				t.Errorf("--weeks %s, line %d is %d columns:\n%s", weeks, i+1, n, line)
			}
		}
	}
}

func TestPlanExitCodes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files string // written over planSite
		args  []string
		code  int
		want  string // in stderr, or in stdout when code is 0
	}{
		{"short weeks are not a failure", "", nil, 0, "SHORT by"},
		{"the default window", "", []string{"--weeks", "8"}, 0, "2026-W39 to 2026-W50"},
		{"no weeks", "", []string{"--weeks", "0"}, 2, "--weeks 0: want 1 to 520"},
		{"too many weeks", "", []string{"--weeks", "521"}, 2, "want 1 to 520"},
		{"weeks not a number", "", []string{"--weeks", "x"}, 2, `invalid value "x"`},
		{"unknown format", "", []string{"--format", "yaml"}, 2, `--format "yaml": want table or json`},
		{"bad clock", "", []string{"--now", "tomorrow"}, 2, "want RFC 3339"},
		{"a stray argument", "", []string{"tips"}, 2, `unexpected argument "tips"`},
		{"unknown flag", "", []string{"-D"}, 2, "flag provided but not defined: -D"},
		{"broken front matter", "-- content/tips/bad.md --\n+++\ntitle = \"ok\"\nbroken =\n+++\n", nil, 1, "content/tips/bad.md:3: front matter:"},
		{"a wrong type", "-- content/events/bad.md --\n+++\ntitle = \"Bad\"\ndate = \"soon\"\n+++\n", nil, 1, `content/events/bad.md:3: date: "soon" is not a date`},
		{"a misspelt section", "-- site.toml --\ntitle = \"Hub\"\n[plan]\ntips = 2\ntip = 1\n", nil, 1,
			`site.toml:4: plan.tip: there is no section "tip" (no folder content/tip/); did you mean "tips"?`},
		{"an unknown section", "-- site.toml --\ntitle = \"Hub\"\n\n[plan]\nnewsletter = 1\n", nil, 1,
			`site.toml:4: plan.newsletter: there is no section "newsletter" (no folder content/newsletter/); the sections are community-management-stories, events, posts, tips, transparency`},
		{"a negative target", "-- site.toml --\ntitle = \"Hub\"\n[plan]\ntips = -2\n", nil, 1, "site.toml:3: plan.tips: want 0 or more items per week, got -2"},
		{"a fraction", "-- site.toml --\n[plan]\ntips = 0.5\n", nil, 1, "site.toml:2: plan.tips: want a whole number of items per week, such as 2; got 0.5"},
		{"an empty section folder is a section", "-- site.toml --\n[plan]\nnewsletter = 1\n-- content/newsletter/.keep --\n", nil, 0, "Targets per week: newsletter 1;"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testsite.New(t, planSite)
			testsite.Write(t, dir, tc.files)
			args := append([]string{"plan", "-s", dir, "--now", planNow, "--weeks", "1"}, tc.args...)
			code, stdout, stderr := run(t, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tc.code, stdout, stderr)
			}
			got := stderr
			if code == 0 {
				got = stdout
			}
			if !strings.Contains(got, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, got)
			}
			if code != 0 && stdout != "" {
				t.Errorf("a failed plan printed to stdout:\n%s", stdout)
			}
		})
	}

	missing := t.TempDir()
	if code, _, stderr := run(t, "plan", "-s", missing); code != 1 || !strings.Contains(stderr, "site.toml: not found") {
		t.Errorf("no site: exit %d, %s", code, stderr)
	}
}

// TestPlanExampleHub: the repository's own site.toml has a [plan] table,
// and every section it names must exist, or the example fails for the
// first person who tries agora plan on it.
func TestPlanExampleHub(t *testing.T) {
	code, out, stderr := run(t, "plan", "-s", filepath.Join("..", ".."), "--now", "2026-11-02T09:00:00+01:00")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	// The newsletter section holds the sign-up page and the archive of
	// issues; it has no publishing target.
	if !strings.Contains(out, "Targets per week: tips 1, events 1, transparency 1; no target: newsletter,\n  posts.") {
		t.Errorf("the example hub's targets are not shown:\n%s", out)
	}
}
