package plan_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/agora-hub/agora/generator/plan"
)

// tuesday is Now in most tests: the current week starts Monday 23 November
// 2026 and, with one past and two future weeks, the window is 16 November
// to 7 December.
var tuesday = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func small(targets map[string]int, sections ...string) plan.Options {
	return plan.Options{Now: tuesday, Location: time.UTC, Weeks: 2, Past: 1, Targets: targets, Sections: sections}
}

func day(d int) time.Time { return time.Date(2026, 11, d, 10, 0, 0, 0, time.UTC) }

func TestShort(t *testing.T) {
	for _, tc := range []struct {
		name   string
		target int
		items  []plan.Item
		short  bool
	}{
		{"exactly the target", 2, []plan.Item{
			{Section: "tips", Date: day(23), Status: plan.Published},
			{Section: "tips", Date: day(26), Status: plan.Scheduled},
		}, false},
		{"above the target", 1, []plan.Item{
			{Section: "tips", Date: day(23), Status: plan.Published},
			{Section: "tips", Date: day(26), Status: plan.Scheduled},
		}, false},
		{"below the target", 2, []plan.Item{
			{Section: "tips", Date: day(23), Status: plan.Published},
		}, true},
		{"nothing at all", 1, nil, true},
		{"zero target never flags", 0, nil, false},
		{"negative target never flags", -1, nil, false},
		{"drafts do not count", 1, []plan.Item{
			{Section: "tips", Date: day(25), Status: plan.Draft},
			{Section: "tips", Date: day(26), Status: plan.Draft},
		}, true},
		{"a draft beside enough real items", 1, []plan.Item{
			{Section: "tips", Date: day(25), Status: plan.Draft},
			{Section: "tips", Date: day(27), Status: plan.Scheduled},
		}, false},
		{"another section does not count", 1, []plan.Item{
			{Section: "events", Date: day(25), Status: plan.Published},
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cal := plan.Build(tc.items, small(map[string]int{"tips": tc.target}, "tips", "events"))
			cur := current(t, cal)
			if got := slices.Contains(cur.Short, "tips"); got != tc.short {
				t.Errorf("tips short = %v, want %v (counts %+v)", got, tc.short, cur.Counts["tips"])
			}
			if slices.Contains(cur.Short, "events") {
				t.Error("events has no target but is flagged")
			}
			var b bytes.Buffer
			if err := cal.WriteTable(&b); err != nil {
				t.Fatal(err)
			}
			if got := strings.Contains(blockOf(b.String(), cur.Label), "SHORT by"); got != tc.short {
				t.Errorf("table shows SHORT = %v, want %v:\n%s", got, tc.short, b.String())
			}
		})
	}
}

func TestPastWeeksAreFlagged(t *testing.T) {
	cal := plan.Build(nil, small(map[string]int{"tips": 1}, "tips"))
	for _, w := range cal.Weeks {
		if !slices.Equal(w.Short, []string{"tips"}) {
			t.Errorf("%s: short = %v, want [tips]", w.Label, w.Short)
		}
	}
}

func TestCounts(t *testing.T) {
	items := []plan.Item{
		{Section: "tips", Title: "old", Date: day(17), Status: plan.Published},
		{Section: "tips", Title: "mon", Date: day(23), Status: plan.Published},
		{Section: "tips", Title: "wed", Date: day(25), Status: plan.Scheduled},
		{Section: "tips", Title: "thu", Date: day(26), Status: plan.Draft},
		// Gathered at another moment: the status follows the date and Now.
		{Section: "tips", Title: "late", Date: day(27), Status: plan.Published},
		{Section: "tips", Title: "gone", Date: day(23), Status: plan.Scheduled},
		{Section: "tips", Title: "blank", Date: day(23)},
	}
	cal := plan.Build(items, small(map[string]int{"tips": 2}, "tips"))
	for _, tc := range []struct {
		label string
		want  plan.Counts
	}{
		{"2026-W47", plan.Counts{Published: 1}},
		{"2026-W48", plan.Counts{Published: 3, Scheduled: 2, Draft: 1}},
		{"2026-W49", plan.Counts{}},
	} {
		w := week(t, cal, tc.label)
		if got := w.Counts["tips"]; got != tc.want {
			t.Errorf("%s: counts %+v, want %+v", tc.label, got, tc.want)
		}
	}
	var titles []string
	for _, it := range week(t, cal, "2026-W48").Items {
		titles = append(titles, it.Title+":"+string(it.Status))
	}
	want := []string{"blank:published", "gone:published", "mon:published", "wed:scheduled", "thu:draft", "late:scheduled"}
	if !slices.Equal(titles, want) {
		t.Errorf("items %v, want %v", titles, want)
	}
}

func TestWindow(t *testing.T) {
	start := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC) // Monday of the one past week
	end := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)    // Monday after the last week
	for _, tc := range []struct {
		name   string
		date   time.Time
		status plan.Status
		in     bool
	}{
		{"first instant", start, plan.Published, true},
		{"just before", start.Add(-time.Nanosecond), plan.Published, false},
		{"long ago", start.AddDate(-1, 0, 0), plan.Published, false},
		{"last instant", end.Add(-time.Nanosecond), plan.Scheduled, true},
		{"window end", end, plan.Scheduled, false},
		{"draft after the window", end.AddDate(0, 1, 0), plan.Draft, false},
		{"draft before the window", start.AddDate(0, -1, 0), plan.Draft, false},
		{"published without a date", time.Time{}, plan.Published, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cal := plan.Build([]plan.Item{{Section: "tips", Title: "x", Date: tc.date, Status: tc.status}}, small(nil, "tips"))
			n := 0
			for _, w := range cal.Weeks {
				n += len(w.Items)
			}
			if got := n == 1; got != tc.in {
				t.Errorf("in window = %v, want %v", got, tc.in)
			}
			if len(cal.Unscheduled) != 0 {
				t.Errorf("unscheduled %v, want none", cal.Unscheduled)
			}
		})
	}
}

func TestUnscheduled(t *testing.T) {
	items := []plan.Item{
		{Section: "tips", Title: "B", Path: "content/tips/b.md", Status: plan.Draft},
		{Section: "events", Title: "Z", Path: "content/events/z.md", Status: plan.Draft},
		{Section: "tips", Title: "A", Path: "content/tips/a.md", Status: plan.Draft},
		{Section: "tips", Title: "dated", Path: "content/tips/d.md", Date: day(25), Status: plan.Draft},
		{Section: "tips", Title: "published", Path: "content/tips/p.md", Status: plan.Published},
		{Section: "hidden", Title: "H", Path: "content/hidden/h.md", Status: plan.Draft},
		{Section: "tips", Title: "Line\nbreak\ttab", Path: "content/tips/n.md", Status: plan.Draft},
	}
	cal := plan.Build(items, small(nil, "events", "tips"))
	var got []string
	for _, it := range cal.Unscheduled {
		got = append(got, it.Title)
	}
	if want := []string{"Z", "A", "B", "Line\nbreak\ttab"}; !slices.Equal(got, want) {
		t.Errorf("unscheduled %q, want %q", got, want)
	}
	var b bytes.Buffer
	if err := cal.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"Unscheduled drafts (4)\n", "  · tips          A\n", "  · events        Z\n", "Line break tab\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}

	b.Reset()
	if err := plan.Build(nil, small(nil, "tips")).WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.String(), "Unscheduled drafts: none\n") {
		t.Errorf("empty calendar ends with:\n%s", b.String())
	}
}

// TestWeekBoundaries checks that every week starts on a local Monday at
// midnight however long the previous week was, in zones where the clocks
// change in different months and at different hours.
func TestWeekBoundaries(t *testing.T) {
	for _, tc := range []struct {
		zone  string
		now   string
		first string // label of the first week
	}{
		{"Europe/Berlin", "2026-10-28T10:00:00+01:00", "2026-W40"},
		{"America/New_York", "2026-03-10T10:00:00-04:00", "2026-W07"},
		{"Australia/Sydney", "2026-04-07T10:00:00+10:00", "2026-W11"},
		{"UTC", "2027-01-01T10:00:00Z", "2026-W49"},
	} {
		t.Run(tc.zone, func(t *testing.T) {
			loc, err := time.LoadLocation(tc.zone)
			if err != nil {
				t.Fatal(err)
			}
			now, err := time.Parse(time.RFC3339, tc.now)
			if err != nil {
				t.Fatal(err)
			}
			cal := plan.Build(nil, plan.Options{Now: now.UTC(), Location: loc})
			if len(cal.Weeks) != plan.DefaultPast+plan.DefaultWeeks {
				t.Fatalf("%d weeks", len(cal.Weeks))
			}
			if cal.Weeks[0].Label != tc.first {
				t.Errorf("first week %s, want %s", cal.Weeks[0].Label, tc.first)
			}
			for i, w := range cal.Weeks {
				s := w.Start
				if s.Location() != loc || s.Weekday() != time.Monday || s.Hour() != 0 || s.Minute() != 0 {
					t.Errorf("week %d starts %v", i, s)
				}
				if i > 0 {
					if d := s.Sub(cal.Weeks[i-1].Start); d < 167*time.Hour || d > 169*time.Hour {
						t.Errorf("week %d is %v after the previous", i, d)
					}
				}
				if w.Current != (i == plan.DefaultPast) {
					t.Errorf("week %d current = %v", i, w.Current)
				}
			}
			if cur := cal.Weeks[plan.DefaultPast]; now.Before(cur.Start) || !now.Before(cal.Weeks[plan.DefaultPast+1].Start) {
				t.Errorf("now %v not in the current week %v", now, cur.Start)
			}
		})
	}
}

func TestLabel(t *testing.T) {
	for _, tc := range []struct {
		date time.Time
		want string
	}{
		{time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), "2026-W48"},
		{time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC), "2026-W01"},
		{time.Date(2026, 12, 28, 0, 0, 0, 0, time.UTC), "2026-W53"},
		{time.Date(2027, 1, 4, 0, 0, 0, 0, time.UTC), "2027-W01"},
	} {
		if got := plan.Label(tc.date); got != tc.want {
			t.Errorf("Label(%s) = %s, want %s", tc.date.Format(time.DateOnly), got, tc.want)
		}
	}
}

func TestDefaults(t *testing.T) {
	for _, tc := range []struct {
		weeks, past   int
		n, currentIdx int
	}{
		{0, 0, 12, 4},
		{-3, 0, 12, 4},
		{1, -1, 1, 0},
		{3, 2, 5, 2},
	} {
		cal := plan.Build(nil, plan.Options{Now: tuesday, Weeks: tc.weeks, Past: tc.past})
		if len(cal.Weeks) != tc.n {
			t.Errorf("Weeks %d, Past %d: %d weeks, want %d", tc.weeks, tc.past, len(cal.Weeks), tc.n)
			continue
		}
		if !cal.Weeks[tc.currentIdx].Current {
			t.Errorf("Weeks %d, Past %d: week %d is not current", tc.weeks, tc.past, tc.currentIdx)
		}
	}
}

func TestSections(t *testing.T) {
	items := []plan.Item{
		{Section: "tips", Date: day(24), Status: plan.Published},
		{Section: "posts", Date: day(24), Status: plan.Published},
	}
	targets := map[string]int{"events": 1, "tips": 0}
	for _, tc := range []struct {
		name     string
		sections []string
		want     []string
		targets  map[string]int
	}{
		{"derived when nil", nil, []string{"events", "posts", "tips"}, map[string]int{"events": 1}},
		{"given order kept, duplicates dropped", []string{"tips", "events", "tips"}, []string{"tips", "events"}, map[string]int{"events": 1}},
		{"a filter", []string{"posts"}, []string{"posts"}, map[string]int{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cal := plan.Build(items, small(targets, tc.sections...))
			if !slices.Equal(cal.Sections, tc.want) {
				t.Errorf("sections %v, want %v", cal.Sections, tc.want)
			}
			if len(cal.Targets) != len(tc.targets) {
				t.Errorf("targets %v, want %v", cal.Targets, tc.targets)
			}
			for s, n := range tc.targets {
				if cal.Targets[s] != n {
					t.Errorf("targets %v, want %v", cal.Targets, tc.targets)
				}
			}
			cur := current(t, cal)
			for _, it := range cur.Items {
				if !slices.Contains(tc.want, it.Section) {
					t.Errorf("item of hidden section %q shown", it.Section)
				}
			}
			if len(cur.Counts) != len(tc.want) {
				t.Errorf("counts for %d sections, want %d", len(cur.Counts), len(tc.want))
			}
		})
	}
}

// TestTableWidth feeds the table everything that could widen a line and
// checks that none exceeds plan.Width runes.
func TestTableWidth(t *testing.T) {
	long := strings.Repeat("Community garden watering rota ", 7)[:200]
	wide := strings.Repeat("Ünïcödé 日本語 ", 20)
	sections := []string{
		"tips",
		"a-very-long-section-name-that-goes-on-and-on-for-quite-a-while",
		"transparency-reports-and-financial-statements",
	}
	for i := range 12 {
		sections = append(sections, "extra-section-"+strings.Repeat("x", i))
	}
	targets := map[string]int{}
	var items []plan.Item
	for i, s := range sections {
		targets[s] = 1 << (i * 4)
		items = append(items,
			plan.Item{Section: s, Title: long, Date: day(23), Status: plan.Published},
			plan.Item{Section: s, Title: wide, Date: day(25), Status: plan.Draft},
			plan.Item{Section: s, Title: "", Path: "content/" + s + "/" + long + ".md", Date: day(30), Status: plan.Scheduled},
			plan.Item{Section: s, Title: long + "\n" + long, Status: plan.Draft},
		)
	}
	targets["tips"] = 1 << 62
	for range 30 {
		items = append(items, plan.Item{Section: "tips", Title: long, Date: day(24), Status: plan.Draft})
	}
	cal := plan.Build(items, plan.Options{Now: tuesday, Weeks: 3, Past: 1, Targets: targets, Sections: sections})
	var b bytes.Buffer
	if err := cal.WriteTable(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) < 100 {
		t.Fatalf("only %d lines", len(lines))
	}
	for i, l := range lines {
		if n := utf8.RuneCountInString(l); n > plan.Width {
			t.Errorf("line %d has %d runes: %q", i+1, n, l)
		}
		if strings.ContainsAny(l, "\t\r") {
			t.Errorf("line %d has a control character: %q", i+1, l)
		}
	}
}

func TestJSONEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := (plan.Calendar{Weeks: []plan.Week{{Label: "2026-W48"}}}).WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"sections", "targets", "weeks", "unscheduled"} {
		if got[k] == nil {
			t.Errorf("%s is null or missing in\n%s", k, b.String())
		}
	}
	w := got["weeks"].([]any)[0].(map[string]any)
	for _, k := range []string{"start", "label", "current", "counts", "items", "short"} {
		if w[k] == nil {
			t.Errorf("week %s is null or missing in\n%s", k, b.String())
		}
	}
}

func current(t *testing.T, cal plan.Calendar) plan.Week {
	t.Helper()
	for _, w := range cal.Weeks {
		if w.Current {
			return w
		}
	}
	t.Fatal("no current week")
	return plan.Week{}
}

func week(t *testing.T, cal plan.Calendar, label string) plan.Week {
	t.Helper()
	for _, w := range cal.Weeks {
		if w.Label == label {
			return w
		}
	}
	t.Fatalf("no week %s", label)
	return plan.Week{}
}

// blockOf is the part of a table from a week's header to the blank line
// after it.
func blockOf(table, label string) string {
	_, rest, _ := strings.Cut(table, "\n"+label+" ")
	block, _, _ := strings.Cut(rest, "\n\n")
	return block
}
