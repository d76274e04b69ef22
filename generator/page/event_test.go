package page_test

import (
	"maps"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // zones must not depend on the machine's zoneinfo

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/markup"
	"github.com/agora-hub/agora/generator/page"
)

// site builds the model from files given as path → front matter.
func site(t *testing.T, now time.Time, files map[string]string) *page.Site {
	t.Helper()
	cfg, err := config.Parse("site.toml", []byte("baseURL = \"https://example.org/hub/\"\ntitle = \"Hub\"\ntimezone = \"Europe/Berlin\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	opt := content.Options{Location: cfg.Location, Taxonomies: cfg.TaxonomyNames()}
	tree := &content.Tree{}
	for _, rel := range slices.Sorted(maps.Keys(files)) {
		src, err := content.Parse("content/"+rel, rel, []byte("+++\n"+files[rel]+"+++\nBody.\n"), opt)
		if err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		tree.Sources = append(tree.Sources, src)
	}
	s, err := page.New(cfg, tree, page.Options{Now: now, Markdown: markup.New(markup.Options{BasePath: cfg.Base.Path()})})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func titles(ps []*page.Page) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Title())
	}
	return out
}

func event(title, table string) string {
	return "title = \"" + title + "\"\ntags = [\"meetup\"]\n[event]\n" + table
}

// TestEventListsPerList: a section lists the events below it (subsections
// included), a term the events carrying it, the home page all of them.
func TestEventListsPerList(t *testing.T) {
	now := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	s := site(t, now, map[string]string{
		"events/_index.md":        "title = \"Events\"\n",
		"events/berlin/_index.md": "title = \"Berlin\"\n",
		"events/berlin/a.md":      event("A", "start = 2026-12-01T18:00:00\nvenue = \"V\"\n"),
		"events/b.md":             event("B", "start = 2026-11-15T18:00:00\nvenue = \"V\"\n"),
		"events/old.md":           event("Old", "start = 2026-10-01T18:00:00\nvenue = \"V\"\n"),
		"posts/c.md":              "title = \"C\"\n[event]\nstart = 2026-11-20T18:00:00\nonline = \"https://x.example.org/\"\n",
		"posts/plain.md":          "title = \"Plain\"\ntags = [\"meetup\"]\n",
	})
	cases := []struct {
		ref            string
		upcoming, past []string
	}{
		{"/", []string{"B", "C", "A"}, []string{"Old"}},
		{"/events", []string{"B", "A"}, []string{"Old"}},
		{"/events/berlin", []string{"A"}, nil},
		{"/posts", []string{"C"}, nil},
		{"/tags/meetup", []string{"B", "A"}, []string{"Old"}},
		{"/posts/plain", nil, nil},
	}
	for _, tc := range cases {
		p := s.GetPage(tc.ref)
		if p == nil {
			t.Fatalf("no page %s", tc.ref)
		}
		if got := titles(p.UpcomingEvents()); !slices.Equal(got, tc.upcoming) {
			t.Errorf("%s: upcoming = %q, want %q", tc.ref, got, tc.upcoming)
		}
		if got := titles(p.PastEvents()); !slices.Equal(got, tc.past) {
			t.Errorf("%s: past = %q, want %q", tc.ref, got, tc.past)
		}
	}
	if got := titles(s.Events()); !slices.Equal(got, []string{"Old", "B", "C", "A"}) {
		t.Errorf("Site.Events = %q", got)
	}
	if s.GetPage("/posts/plain").Event() != nil {
		t.Error("a page without [event] has an Event")
	}
}

func TestEventWhen(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name, table, when string
	}{
		{"same day", "start = 2026-09-17T08:30:00\nend = 2026-09-17T10:30:00\n",
			"Thursday 17 September 2026, 08:30–10:30 CEST (Europe/Berlin)"},
		{"no end", "start = 2026-09-17T08:30:00\n",
			"Thursday 17 September 2026, 08:30 CEST (Europe/Berlin)"},
		{"overnight across the clock change", "start = 2026-10-24T20:00:00\nend = 2026-10-25T10:00:00\n",
			"Saturday 24 October 2026, 20:00 CEST – Sunday 25 October 2026, 10:00 CET (Europe/Berlin)"},
		{"same day across the clock change", "start = 2026-10-25T01:00:00\nend = 2026-10-25T04:00:00\n",
			"Sunday 25 October 2026, 01:00 CEST – 04:00 CET (Europe/Berlin)"},
		{"numeric abbreviation", "start = 2026-09-17T19:00:00\nend = 2026-09-17T21:00:00\ntimezone = \"Europe/Istanbul\"\n",
			"Thursday 17 September 2026, 19:00–21:00 UTC+03 (Europe/Istanbul)"},
		{"UTC is not named twice", "start = 2026-09-17T19:00:00\ntimezone = \"UTC\"\n",
			"Thursday 17 September 2026, 19:00 UTC"},
		{"offset in the event's zone", "start = 2026-11-05T12:00:00-05:00\ntimezone = \"America/New_York\"\n",
			"Thursday 5 November 2026, 12:00 EST (America/New_York)"},
		{"one day", "start = 2026-12-01\n", "Tuesday 1 December 2026 (all day)"},
		{"several days", "start = 2026-12-01\nend = 2026-12-03\n", "Tuesday 1 December 2026 – Thursday 3 December 2026 (all day)"},
		{"quoted", "start = \"2026-09-17T08:30\"\nend = \"2026-09-17 10:30\"\n",
			"Thursday 17 September 2026, 08:30–10:30 CEST (Europe/Berlin)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := site(t, now, map[string]string{"events/x.md": event("X", tc.table+"venue = \"V\"\n")})
			e := s.GetPage("/events/x").Event()
			if got := e.When(); got != tc.when {
				t.Errorf("When = %q, want %q", got, tc.when)
			}
			// WhenHTML is When with <time> elements around the dates.
			plain := string(e.WhenHTML())
			for strings.Contains(plain, "<") {
				i, j := strings.Index(plain, "<"), strings.Index(plain, ">")
				plain = plain[:i] + plain[j+1:]
			}
			if plain != tc.when {
				t.Errorf("WhenHTML as text = %q, want %q", plain, tc.when)
			}
		})
	}
}

// TestEventState: upcoming until the end (or the start without one) has
// passed, in progress in between.
func TestEventState(t *testing.T) {
	start := time.Date(2026, 9, 17, 6, 30, 0, 0, time.UTC) // 08:30 CEST
	end := start.Add(2 * time.Hour)
	cases := []struct {
		name     string
		table    string
		now      time.Time
		upcoming bool
		progress bool
	}{
		{"before", "end = 2026-09-17T10:30:00\n", start.Add(-time.Second), true, false},
		{"at the start", "end = 2026-09-17T10:30:00\n", start, true, true},
		{"just before the end", "end = 2026-09-17T10:30:00\n", end.Add(-time.Second), true, true},
		{"at the end", "end = 2026-09-17T10:30:00\n", end, false, false},
		{"no end, before the start", "", start.Add(-time.Second), true, false},
		{"no end, at the start", "", start, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := site(t, tc.now, map[string]string{"events/x.md": event("X", "start = 2026-09-17T08:30:00\nvenue = \"V\"\n"+tc.table)})
			e := s.GetPage("/events/x").Event()
			if e.Upcoming() != tc.upcoming || e.Past() == tc.upcoming || e.InProgress() != tc.progress {
				t.Errorf("upcoming %v, past %v, in progress %v; want upcoming %v, in progress %v",
					e.Upcoming(), e.Past(), e.InProgress(), tc.upcoming, tc.progress)
			}
			if got := len(s.UpcomingEvents()) == 1; got != tc.upcoming {
				t.Errorf("in Site.UpcomingEvents: %v, want %v", got, tc.upcoming)
			}
		})
	}
}

// TestEventSequence is the documented rule, and its 32-bit ceiling.
func TestEventSequence(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		front string
		want  int
	}{
		{"lastmod = 2020-01-01T00:00:00Z\n", 0},
		{"lastmod = 2020-01-01T01:00:59Z\n", 60},
		{"lastmod = 2019-06-01T00:00:00Z\n", 0},
		{"lastmod = 2020-01-02T00:00:00Z\n", 1440},
		{"date = 2020-01-02T00:00:00Z\n", 1440}, // lastmod falls back to date
	}
	for _, tc := range cases {
		for _, seq := range []int{0, 7} {
			table := "start = 2027-01-01T10:00:00\nvenue = \"V\"\n"
			if seq > 0 {
				table += "sequence = 7\n"
			}
			s := site(t, now, map[string]string{"events/x.md": "title = \"X\"\n" + tc.front + "[event]\n" + table})
			if got := s.GetPage("/events/x").Event().Sequence(); got != tc.want+seq {
				t.Errorf("%s sequence %d: SEQUENCE = %d, want %d", strings.TrimSpace(tc.front), seq, got, tc.want+seq)
			}
		}
	}
}
