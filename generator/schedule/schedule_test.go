package schedule

import (
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestCronNext(t *testing.T) {
	tests := []struct {
		expr, from, want string
	}{
		{"5 * * * *", "2026-11-27 09:00", "2026-11-27 09:05"},
		{"5 * * * *", "2026-11-27 09:05", "2026-11-27 09:05"}, // at a run is that run
		{"5 * * * *", "2026-11-27 09:06", "2026-11-27 10:05"},
		{"*/15 * * * *", "2026-11-27 23:50", "2026-11-28 00:00"},
		{"0,30 6-8 * * *", "2026-11-27 08:31", "2026-11-28 06:00"},
		{"5 6 * * mon-fri", "2026-11-28 07:00", "2026-11-30 06:05"}, // Saturday → Monday
		{"0 0 1 jan *", "2026-11-27 00:00", "2027-01-01 00:00"},
		{"0 12 13 * 5", "2026-11-01 00:00", "2026-11-06 12:00"}, // the 13th or a Friday, as cron reads both
		{"10/20 * * * *", "2026-11-27 09:11", "2026-11-27 09:30"},
		{"0 0 29 2 *", "2026-03-01 00:00", "2028-02-29 00:00"},
		{"0 0 31 2 *", "2026-03-01 00:00", ""}, // never
	}
	for _, tt := range tests {
		c, err := ParseCron(tt.expr)
		if err != nil {
			t.Fatalf("%q: %v", tt.expr, err)
		}
		got := c.Next(utc(tt.from))
		want := time.Time{}
		if tt.want != "" {
			want = utc(tt.want)
		}
		if !got.Equal(want) {
			t.Errorf("%q from %s: next %s, want %s", tt.expr, tt.from, got, want)
		}
	}
	// Seconds round up: a run at 09:05:00 is before a change at 09:05:30.
	c, _ := ParseCron("* * * * *")
	if got := c.Next(utc("2026-11-27 09:05").Add(30 * time.Second)); !got.Equal(utc("2026-11-27 09:06")) {
		t.Errorf("next after 09:05:30 = %s", got)
	}
}

func TestParseCronErrors(t *testing.T) {
	for expr, want := range map[string]string{
		"5 * * *":         "want 5 fields",
		"60 * * * *":      "minute: \"60\": want 0 to 59",
		"* 24 * * *":      "hour",
		"* * 0 * *":       "day of month",
		"* * * 13 *":      "month",
		"* * * * 7":       "day of week",
		"*/0 * * * *":     "step",
		"30-10 * * * *":   "runs backwards",
		"@hourly":         "want 5 fields",
		"5 * * * sunday":  "day of week",
		"five * * * *":    "minute",
		"* * * * mon-fry": "day of week",
	} {
		_, err := ParseCron(expr)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseCron(%q) = %v, want an error with %q", expr, err, want)
		}
	}
}

func TestCronInterval(t *testing.T) {
	from := utc("2026-11-27 00:00")
	for expr, want := range map[string]time.Duration{
		"5 * * * *":         time.Hour,
		"*/15 * * * *":      15 * time.Minute,
		"* * * * *":         time.Minute,
		"5 6 * * *":         24 * time.Hour,
		"0 9 * * 1-5":       72 * time.Hour, // Friday to Monday
		"0 6,18 * * *":      12 * time.Hour,
		"0 0 1 * *":         31 * 24 * time.Hour,
		"0,10 * * * *":      50 * time.Minute,
		"5 */6 * * *":       6 * time.Hour,
		"0 0,12 * * *":      12 * time.Hour,
		"30 23 * * sat,sun": 6 * 24 * time.Hour, // Sunday to Saturday
	} {
		c, err := ParseCron(expr)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Interval(from); got != want {
			t.Errorf("%q: interval %s, want %s", expr, got, want)
		}
	}
}

func TestNeeded(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	kolkata, _ := time.LoadLocation("Asia/Kolkata")
	at := func(loc *time.Location, s string) Moment {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			panic(err)
		}
		return Moment{At: tm, File: "content/" + s + ".md", What: "is published"}
	}
	tests := []struct {
		name    string
		moments []Moment
		period  time.Duration
		suggest string
		finest  string
	}{
		{"nothing", nil, 0, "", ""},
		{"midnight in Berlin in winter: one time of day in UTC",
			[]Moment{at(berlin, "2026-11-27 00:00"), at(berlin, "2026-12-04 00:00")}, 24 * time.Hour, "0 23 * * *", "2026-11-27 00:00"},
		{"midnight in Berlin across the clock change",
			[]Moment{at(berlin, "2026-10-20 00:00"), at(berlin, "2026-11-27 00:00")}, time.Hour, "0 * * * *", "2026-11-27 00:00"},
		{"twice a day at an offset",
			[]Moment{at(time.UTC, "2026-11-27 07:10"), at(time.UTC, "2026-11-27 19:10")}, 12 * time.Hour, "10 7-23/12 * * *", "2026-11-27 19:10"},
		{"quarter hours at an offset",
			[]Moment{at(time.UTC, "2026-11-27 07:10"), at(time.UTC, "2026-11-27 07:25")}, 15 * time.Minute, "10-59/15 * * * *", "2026-11-27 07:25"},
		{"on the hour",
			[]Moment{at(time.UTC, "2026-11-27 09:00"), at(time.UTC, "2026-11-27 14:00")}, time.Hour, "0 * * * *", "2026-11-27 14:00"},
		{"every six hours from midnight",
			[]Moment{at(time.UTC, "2026-11-27 06:00"), at(time.UTC, "2026-11-28 12:00")}, 6 * time.Hour, "0 */6 * * *", "2026-11-28 12:00"},
		{"a half hour",
			[]Moment{at(time.UTC, "2026-11-27 09:00"), at(time.UTC, "2026-11-27 18:30")}, 30 * time.Minute, "*/30 * * * *", "2026-11-27 18:30"},
		{"midnight in India is 18:30 UTC",
			[]Moment{at(kolkata, "2026-11-27 00:00"), at(kolkata, "2026-11-29 00:00")}, 24 * time.Hour, "30 18 * * *", "2026-11-27 00:00"},
		{"India and UTC midnights together",
			[]Moment{at(kolkata, "2026-11-27 00:00"), at(time.UTC, "2026-11-28 00:00")}, 30 * time.Minute, "*/30 * * * *", "2026-11-28 00:00"},
		{"a quarter past",
			[]Moment{at(time.UTC, "2026-11-27 09:00"), at(time.UTC, "2026-11-27 18:15")}, 15 * time.Minute, "*/15 * * * *", "2026-11-27 18:15"},
		{"odd minutes need GitHub's shortest schedule",
			[]Moment{at(time.UTC, "2026-11-27 09:00"), at(time.UTC, "2026-11-27 09:07")}, time.Minute, "*/5 * * * *", "2026-11-27 09:07"},
		{"seconds count as the next minute",
			[]Moment{{At: utc("2026-11-27 08:00")}, {At: utc("2026-11-27 09:00").Add(30 * time.Second), File: "content/s.md"}}, time.Minute, "*/5 * * * *", "s"},
		{"one moment: its time of day",
			[]Moment{at(time.UTC, "2026-11-27 09:07")}, 24 * time.Hour, "7 9 * * *", "2026-11-27 09:07"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := Needed(tt.moments)
			if n.Period != tt.period || n.Suggest != tt.suggest || n.Moments != len(tt.moments) {
				t.Errorf("period %s, suggest %q, %d moments; want %s, %q", n.Period, n.Suggest, n.Moments, tt.period, tt.suggest)
			}
			if tt.finest != "" && strings.TrimSuffix(strings.TrimPrefix(n.Finest.File, "content/"), ".md") != tt.finest {
				t.Errorf("finest %s, want %s", n.Finest.File, tt.finest)
			}
			if tt.period == 0 {
				return
			}
			// The suggestion keeps up: no moment waits a whole period.
			c, err := ParseCron(n.Suggest)
			if err != nil {
				t.Fatal(err)
			}
			if chk := Compare("w.yml", []Cron{c}, n, tt.moments); !chk.OK {
				t.Errorf("suggested %q leaves a change %s late", n.Suggest, chk.Late)
			}
		})
	}
}

func TestCompare(t *testing.T) {
	moments := []Moment{
		{At: utc("2026-11-27 09:00"), File: "content/tips/a.md", What: "is published"},
		{At: utc("2026-11-27 18:15"), File: "content/events/b.md", What: "ends"},
	}
	need := Needed(moments)
	cron := func(exprs ...string) []Cron {
		var out []Cron
		for _, e := range exprs {
			c, err := ParseCron(e)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, c)
		}
		return out
	}
	tests := []struct {
		name     string
		crons    []Cron
		interval time.Duration
		late     time.Duration
		lateFile string
		ok       bool
	}{
		{"hourly is too seldom for a quarter past", cron("5 * * * *"), time.Hour, 50 * time.Minute, "content/events/b.md", false},
		{"every 15 minutes", cron("*/15 * * * *"), 15 * time.Minute, 0, "content/tips/a.md", true},
		{"every 5 minutes at an offset", cron("2-59/5 * * * *"), 5 * time.Minute, 2 * time.Minute, "content/tips/a.md", true},
		{"two crons together", cron("0 * * * *", "15 18 * * *"), time.Hour, 0, "content/tips/a.md", true},
		{"daily", cron("0 6 * * *"), 24 * time.Hour, 21 * time.Hour, "content/tips/a.md", false},
		{"no schedule", nil, 0, 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Compare("w.yml", tt.crons, need, moments)
			if tt.name == "two crons together" {
				tt.interval = c.Interval // the union's longest gap: 18:00 to 18:15 is not it
				if c.Interval != time.Hour {
					t.Errorf("interval %s, want 1h", c.Interval)
				}
			}
			if c.Interval != tt.interval || c.Late != tt.late || c.LateMoment.File != tt.lateFile || c.OK != tt.ok {
				t.Errorf("interval %s, late %s (%s), ok %v; want %s, %s (%s), %v",
					c.Interval, c.Late, c.LateMoment.File, c.OK, tt.interval, tt.late, tt.lateFile, tt.ok)
			}
		})
	}
	if c := Compare("w.yml", nil, Needed(nil), nil); !c.OK {
		t.Error("no schedule and nothing scheduled is not OK")
	}
}

func TestWorkflows(t *testing.T) {
	fsys := fstest.MapFS{
		".github/workflows/pages.yml": {Data: []byte(`name: Deploy
on:
  push:
    branches: [main]
  schedule:
    - cron: "5 * * * *"
    - cron: '*/30 6-20 * * 1-5'
env:
  AGORA_VERSION: v0.4.0
jobs:
  build:
    steps:
      - run: go run "github.com/agora-hub/agora/cmd/agora@${AGORA_VERSION}" build
`)},
		".github/workflows/broken-cron.yaml": {Data: []byte(`on:
  schedule:
    - cron: "5 * * *"
jobs: {b: {steps: [{run: agora build}]}}
`)},
		".github/workflows/broken.yml":    {Data: []byte("on: [push\njobs: agora\n")},
		".github/workflows/push-only.yml": {Data: []byte("on: push\njobs: {b: {steps: [{run: agora build}]}}\n")},
		".github/workflows/tests.yml":     {Data: []byte("on:\n  schedule:\n    - cron: \"0 0 * * *\"\njobs: {t: {steps: [{run: go test}]}}\n")},
		".github/workflows/README.md":     {Data: []byte("agora")},
	}
	ws := Workflows(fsys)
	got := map[string]Workflow{}
	for _, w := range ws {
		got[w.File] = w
	}
	if len(ws) != 4 {
		t.Errorf("%d workflows, want the 4 that mention agora: %v", len(ws), ws)
	}
	if _, ok := got[".github/workflows/tests.yml"]; ok {
		t.Error("a workflow that does not run agora was read")
	}
	p := got[".github/workflows/pages.yml"]
	if len(p.Crons) != 2 || p.Crons[0].Expr != "5 * * * *" || p.Crons[1].Expr != "*/30 6-20 * * 1-5" || p.Version != "v0.4.0" || len(p.Errs) > 0 {
		t.Errorf("pages.yml: %+v", p)
	}
	if b := got[".github/workflows/broken-cron.yaml"]; len(b.Errs) != 1 || !strings.HasPrefix(b.Errs[0], ".github/workflows/broken-cron.yaml:3: cron \"5 * * *\": want 5 fields") {
		t.Errorf("broken cron: %q", b.Errs)
	}
	if b := got[".github/workflows/broken.yml"]; len(b.Errs) != 1 || !strings.HasPrefix(b.Errs[0], ".github/workflows/broken.yml:") {
		t.Errorf("broken YAML: %q", b.Errs)
	}
	if p := got[".github/workflows/push-only.yml"]; len(p.Crons) != 0 || len(p.Errs) != 0 {
		t.Errorf("push only: %+v", p)
	}
	if ws := Workflows(fstest.MapFS{}); ws != nil {
		t.Errorf("no .github: %v", ws)
	}
}
