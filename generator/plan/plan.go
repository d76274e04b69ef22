// Package plan computes the content calendar behind `agora plan`: for a
// window of ISO weeks around now it lists every published, scheduled and
// draft item per section and compares each week with the cadence targets
// from the plan table of site.toml (tips = 2 there means two tips a week).
//
// The rules, chosen so the calendar answers "will we keep our promise?":
//
//   - Weeks are ISO weeks that start on Monday 00:00 in the site's zone,
//     and are labelled by ISO year and week ("2026-W53", "2027-W01"). Each
//     boundary is computed from the calendar date, never by adding 7×24h,
//     so a week that contains a DST change is 167 or 169 hours long and
//     the next one still starts at local midnight.
//   - The window is Past weeks before the current week, then Weeks weeks
//     starting with the current one: the current week belongs to the
//     future part because its remaining days can still be filled.
//   - Status is derived from the date, relative to Options.Now, for
//     everything that is not a draft: a future date is "scheduled", any
//     other date "published". The data gatherer may run at a different
//     moment from --now, and a page is only scheduled while its date is
//     still ahead. Drafts stay drafts whatever their date.
//   - Published and scheduled items count toward a week's target. Drafts
//     are listed but do not count: a draft is not a promise.
//   - Every week below its target is flagged, past weeks included: the
//     record of missed weeks is as useful as the warning about coming ones.
//     A section without a target (or a target of 0) is never flagged.
//   - An item belongs to the week its date falls in; items outside the
//     window are left out. A draft without a date cannot be placed in a
//     week and is listed under "unscheduled drafts" instead; a non-draft
//     without a date counts as published long ago, so it falls outside.
//   - Only the sections in Options.Sections are shown, in that order;
//     items of other sections are left out, because the caller decides
//     what the calendar is about.
//
// The table keeps every line within Width columns, treating each rune as
// one column: titles and section names are cut with "…", and a last
// safety cut covers absurd numbers, so a narrow terminal never wraps.
package plan

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"time"
)

// Status says where an item stands relative to Options.Now.
type Status string

// The statuses an item can have in a calendar.
const (
	Published Status = "published"
	Scheduled Status = "scheduled"
	Draft     Status = "draft"
)

// Defaults applied by Build when Options leaves the window unset.
const (
	DefaultWeeks = 8
	DefaultPast  = 4
)

// Item is one page of content.
type Item struct {
	Section string `json:"section"`
	Title   string `json:"title"`
	Path    string `json:"path"`
	// Date is the publishDate, else the date. The zero time means the
	// page has none, which only a draft can meaningfully lack.
	Date   time.Time `json:"date,omitzero"`
	Status Status    `json:"status"`
}

// Options says which window to show and what to measure it against.
type Options struct {
	Now time.Time
	// Location is the site's zone: weeks start on Monday 00:00 there.
	// Nil means Now's own location.
	Location *time.Location
	// Weeks is the number of weeks from the current one on; 0 or less
	// means DefaultWeeks.
	Weeks int
	// Past is the number of weeks before the current one; 0 means
	// DefaultPast and a negative number means none, so that the zero
	// Options is the documented default.
	Past int
	// Targets maps a section to the items it should get per week.
	Targets map[string]int
	// Sections lists the sections to show, in order. Nil means every
	// section that has an item or a target, sorted by name.
	Sections []string
}

// Calendar is the computed plan, ready to render.
type Calendar struct {
	Sections    []string       `json:"sections"`
	Targets     map[string]int `json:"targets"` // only positive targets of shown sections
	Weeks       []Week         `json:"weeks"`
	Unscheduled []Item         `json:"unscheduled"`
	// Rebuild is set by Site: how often the site must be rebuilt.
	Rebuild *Rebuild `json:"rebuild,omitempty"`
}

// Week is one ISO week of the window.
type Week struct {
	Start   time.Time         `json:"start"` // Monday 00:00 in the site's zone
	Label   string            `json:"label"` // ISO year and week, "2026-W48"
	Current bool              `json:"current"`
	Counts  map[string]Counts `json:"counts"` // every shown section, zeros included
	Items   []Item            `json:"items"`  // by date, then section order
	Short   []string          `json:"short"`  // sections below target, in section order
}

// Counts tallies one section's items in one week.
type Counts struct {
	Published int `json:"published"`
	Scheduled int `json:"scheduled"`
	Draft     int `json:"draft"`
}

// Counted is what goes toward the target.
func (c Counts) Counted() int { return c.Published + c.Scheduled }

// Build places items into the weeks of the window that o describes. It
// does not modify items.
func Build(items []Item, o Options) Calendar {
	loc := o.Location
	if loc == nil {
		loc = o.Now.Location()
	}
	now := o.Now.In(loc)
	future := o.Weeks
	if future <= 0 {
		future = DefaultWeeks
	}
	past := o.Past
	switch {
	case past == 0:
		past = DefaultPast
	case past < 0:
		past = 0
	}

	sections := o.Sections
	if sections == nil {
		sections = allSections(items, o.Targets)
	}
	sections = dedupe(sections)
	order := make(map[string]int, len(sections))
	for i, s := range sections {
		order[s] = i
	}
	targets := make(map[string]int)
	for _, s := range sections {
		if t := o.Targets[s]; t > 0 {
			targets[s] = t
		}
	}

	// starts has one more entry than there are weeks: the end of the window.
	y, m, d := now.Date()
	d -= (int(now.Weekday()) + 6) % 7 // back to Monday
	starts := make([]time.Time, past+future+1)
	for i := range starts {
		starts[i] = time.Date(y, m, d+7*(i-past), 0, 0, 0, 0, loc)
	}

	cal := Calendar{
		Sections:    sections,
		Targets:     targets,
		Weeks:       make([]Week, past+future),
		Unscheduled: []Item{},
	}
	for i := range cal.Weeks {
		counts := make(map[string]Counts, len(sections))
		for _, s := range sections {
			counts[s] = Counts{}
		}
		cal.Weeks[i] = Week{
			Start:   starts[i],
			Label:   Label(starts[i]),
			Current: i == past,
			Counts:  counts,
			Items:   []Item{},
			Short:   []string{},
		}
	}

	for _, it := range items {
		if _, ok := order[it.Section]; !ok {
			continue
		}
		it.Status = statusAt(it, now)
		if it.Date.IsZero() {
			if it.Status == Draft {
				cal.Unscheduled = append(cal.Unscheduled, it)
			}
			continue
		}
		it.Date = it.Date.In(loc)
		i := sort.Search(len(starts), func(i int) bool { return starts[i].After(it.Date) }) - 1
		if i < 0 || i >= len(cal.Weeks) {
			continue
		}
		w := &cal.Weeks[i]
		w.Items = append(w.Items, it)
		c := w.Counts[it.Section]
		switch it.Status {
		case Published:
			c.Published++
		case Scheduled:
			c.Scheduled++
		case Draft:
			c.Draft++
		}
		w.Counts[it.Section] = c
	}

	byTitle := func(a, b Item) int {
		return cmp.Or(cmp.Compare(a.Title, b.Title), cmp.Compare(a.Path, b.Path))
	}
	for i := range cal.Weeks {
		w := &cal.Weeks[i]
		slices.SortStableFunc(w.Items, func(a, b Item) int {
			return cmp.Or(a.Date.Compare(b.Date), cmp.Compare(order[a.Section], order[b.Section]), byTitle(a, b))
		})
		for _, s := range sections {
			if t := targets[s]; t > 0 && w.Counts[s].Counted() < t {
				w.Short = append(w.Short, s)
			}
		}
	}
	slices.SortStableFunc(cal.Unscheduled, func(a, b Item) int {
		return cmp.Or(cmp.Compare(order[a.Section], order[b.Section]), byTitle(a, b))
	})
	return cal
}

// Label is the ISO year and week of t, as in "2026-W48". The ISO year
// differs from the calendar year around New Year, which is why a plain
// "2026-W01" for 29 December 2025 is right.
func Label(t time.Time) string {
	y, w := t.ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

func statusAt(it Item, now time.Time) Status {
	switch {
	case it.Status == Draft:
		return Draft
	case it.Date.After(now):
		return Scheduled
	default:
		return Published
	}
}

func allSections(items []Item, targets map[string]int) []string {
	var s []string
	for _, it := range items {
		s = append(s, it.Section)
	}
	for name := range targets {
		s = append(s, name)
	}
	slices.Sort(s)
	return slices.Compact(s)
}

// dedupe keeps the first occurrence of each section, so a caller that
// lists one twice does not get it counted twice in the table.
func dedupe(s []string) []string {
	seen := make(map[string]bool, len(s))
	out := make([]string, 0, len(s))
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}
