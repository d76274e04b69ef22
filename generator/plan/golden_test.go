package plan_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // Europe/Berlin must not depend on the machine's zoneinfo

	"github.com/agora-hub/agora/generator/plan"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func berlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// fixture is a hub seen on Tuesday 3 November 2026. Its window, W41 to
// W52, contains the end of summer time (Sunday 25 October, 03:00 CEST →
// 02:00 CET), and two tips sit on either side of the Monday that follows
// it: a week boundary computed as 7×24h from a CEST Monday would put the
// Sunday-night tip into the wrong week, and one in UTC would misplace the
// Monday 00:30 tip.
func fixture(t *testing.T) ([]plan.Item, plan.Options) {
	loc := berlin(t)
	at := func(month time.Month, day, hour, min int) time.Time {
		return time.Date(2026, month, day, hour, min, 0, 0, loc)
	}
	items := []plan.Item{
		{"tips", "Fix a flat tyre", "content/tips/flat-tyre.md", at(10, 6, 9, 0), plan.Published},
		{"tips", "Winter lights", "content/tips/winter-lights.md", at(10, 8, 18, 0), plan.Published},
		{"tips", "Before the window", "content/tips/before.md", at(10, 4, 23, 59), plan.Published},
		{"tips", "Tuesday tip", "content/tips/tuesday.md", at(10, 20, 12, 0), plan.Published},
		{"tips", "Sunday night after the clocks went back", "content/tips/sunday.md", at(10, 25, 23, 30), plan.Published},
		{"tips", "Monday just after midnight", "content/tips/monday.md", at(10, 26, 0, 30), plan.Published},
		{"tips", "Monday tip", "content/tips/monday-tip.md", at(11, 2, 8, 0), plan.Published},
		// Gathered as published, but its date is after Now.
		{"tips", "Thursday tip", "content/tips/thursday.md", at(11, 5, 7, 0), plan.Published},
		{"tips", "A very long title about organising the neighbourhood tool library so that every drill, ladder and sewing machine finds its way back", "content/tips/long.md", at(11, 12, 9, 0), plan.Scheduled},
		{"tips", "After the window", "content/tips/after.md", at(12, 28, 0, 0), plan.Scheduled},
		{"events", "Repair café", "content/events/repair-cafe.md", at(10, 7, 19, 0), plan.Published},
		{"events", "Draft meetup", "content/events/meetup.md", at(10, 21, 19, 0), plan.Draft},
		{"events", "Autumn assembly", "content/events/assembly.md", at(11, 7, 14, 0), plan.Scheduled},
		{"events", "Q&A night <online>", "content/events/qa.md", at(12, 3, 20, 0), plan.Scheduled},
		{"transparency", "September accounts", "content/transparency/2026-09.md", at(10, 27, 10, 0), plan.Published},
		{"transparency", "October accounts", "content/transparency/2026-10.md", at(11, 4, 10, 0), plan.Draft},
		{"posts", "Hello again", "content/posts/hello.md", at(10, 28, 10, 0), plan.Published},
		{"posts", "Ideas for spring", "content/posts/spring.md", time.Time{}, plan.Draft},
		{"posts", "", "content/posts/untitled.md", time.Time{}, plan.Draft},
		{"posts", "Ancient post", "content/posts/ancient.md", time.Time{}, plan.Published},
		{"archive", "Not a shown section", "content/archive/old.md", at(10, 6, 10, 0), plan.Published},
	}
	return items, plan.Options{
		Now:      at(11, 3, 10, 0),
		Location: loc,
		Targets:  map[string]int{"tips": 2, "events": 1, "transparency": 1, "posts": 0},
		Sections: []string{"tips", "events", "transparency", "posts"},
	}
}

func TestGolden(t *testing.T) {
	items, o := fixture(t)
	cal := plan.Build(items, o)
	for _, tc := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"calendar.txt", func(b *bytes.Buffer) error { return cal.WriteTable(b) }},
		{"calendar.json", func(b *bytes.Buffer) error { return cal.WriteJSON(b) }},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var b bytes.Buffer
			if err := tc.write(&b); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.file)
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./generator/plan -update)", err)
			}
			if got := b.String(); got != string(want) {
				t.Errorf("%s differs (run with -update if intended):\n%s", golden, firstDiff(string(want), got))
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
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n  got:  " + g
		}
	}
	return "(same lines, different line endings)"
}
