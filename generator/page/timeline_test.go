package page

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/generator/config"
)

func TestGroupByDateUsesTheSiteZone(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no zone data: %v", err)
	}
	utc := func(s string) time.Time {
		d, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	pages := map[string]*Page{
		"halloween-late":  {title: "halloween-late", date: utc("2026-10-31T23:30:00Z")},  // 00:30 CET on 1 November
		"halloween-early": {title: "halloween-early", date: utc("2026-10-31T22:30:00Z")}, // 23:30 CET, still October
		"september":       {title: "september", date: utc("2026-09-15T10:00:00+02:00")},
		"december":        {title: "december", date: utc("2026-12-01T00:00:00+01:00")},
		"undated":         {title: "undated"},
	}
	// Input order is deliberately not date order: grouping must sort.
	in := []*Page{pages["september"], pages["undated"], pages["halloween-late"], pages["december"], pages["halloween-early"]}
	cases := []struct {
		name   string
		loc    *time.Location
		format string
		want   []string // "Key: titles"
	}{
		{"months in Berlin", berlin, "January 2006", []string{
			"December 2026: december",
			"November 2026: halloween-late",
			"October 2026: halloween-early",
			"September 2026: september",
			": undated",
		}},
		{"months in UTC", time.UTC, "January 2006", []string{
			"November 2026: december",
			"October 2026: halloween-late halloween-early",
			"September 2026: september",
			": undated",
		}},
		{"years", berlin, "2006", []string{"2026: december halloween-late halloween-early september", ": undated"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, g := range GroupByDate(in, tc.format, tc.loc) {
				var titles []string
				for _, p := range g.Pages {
					titles = append(titles, p.title)
				}
				got = append(got, g.Key+": "+strings.Join(titles, " "))
				if g.Key != "" && g.Date.Location() != tc.loc {
					t.Errorf("group %q: Date in %v, want the site's zone %v", g.Key, g.Date.Location(), tc.loc)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("groups:\n got %q\nwant %q", got, tc.want)
			}
		})
	}
	if !slices.Equal(in, []*Page{pages["september"], pages["undated"], pages["halloween-late"], pages["december"], pages["halloween-early"]}) {
		t.Error("GroupByDate reordered the caller's slice")
	}
}

func TestGroupByDateMethod(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skipf("no zone data: %v", err)
	}
	s := &Site{cfg: &config.Config{Location: berlin}}
	late := &Page{site: s, kind: KindPage, title: "late", date: time.Date(2026, 10, 31, 23, 30, 0, 0, time.UTC)}
	list := &Page{site: s, kind: KindSection, children: []*Page{late}}

	groups, err := list.GroupByDate("January 2006")
	if err != nil || len(groups) != 1 || groups[0].Key != "November 2026" {
		t.Errorf("default pages: %+v, %v; want the list's pages in one November group", groups, err)
	}
	groups, err = list.GroupByDate("2006-01", []any{late})
	if err != nil || len(groups) != 1 || groups[0].Key != "2026-11" {
		t.Errorf("explicit []any of pages: %+v, %v", groups, err)
	}
	for _, bad := range []struct {
		format string
		args   []any
		want   string
	}{
		{"January 2006", []any{"tips"}, "want a list of pages"},
		{"January 2006", []any{[]*Page{late}, "extra"}, "want FORMAT [PAGES]"},
		{"", nil, "FORMAT is empty"},
	} {
		if _, err := list.GroupByDate(bad.format, bad.args...); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("GroupByDate(%q, %v): error %v, want one containing %q", bad.format, bad.args, err, bad.want)
		}
	}
}
