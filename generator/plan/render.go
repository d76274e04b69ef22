package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Width is the widest line WriteTable writes, in runes.
const Width = 80

// The section column grows with the longest name between these bounds, so
// that usual names line up without padding and long ones leave room for
// the counts.
const (
	minNameWidth = 12
	maxNameWidth = 20
)

// WriteTable writes the calendar as text for a terminal: a legend, one
// block per week with a line per section and its items below it, then the
// unscheduled drafts. No line is wider than Width.
func (c Calendar) WriteTable(w io.Writer) error {
	var b strings.Builder
	put := func(format string, args ...any) {
		b.WriteString(clip(fmt.Sprintf(format, args...), Width))
		b.WriteByte('\n')
	}
	nameW := minNameWidth
	for _, s := range c.Sections {
		nameW = max(nameW, utf8.RuneCountInString(s))
	}
	nameW = min(nameW, maxNameWidth)

	for _, l := range c.legend() {
		put("%s", l)
	}
	for _, wk := range c.Weeks {
		b.WriteByte('\n')
		head := wk.Label + "  " + wk.Start.Format("Mon 02 Jan")
		if wk.Current {
			head += "  (this week)"
		}
		if len(wk.Short) > 0 {
			head += "  SHORT"
		}
		put("%s", head)
		for _, s := range c.Sections {
			n := wk.Counts[s]
			ratio, verdict := fmt.Sprint(n.Counted()), "no target"
			if t := c.Targets[s]; t > 0 {
				ratio = fmt.Sprintf("%d/%d", n.Counted(), t)
				verdict = "✓"
				if n.Counted() < t {
					verdict = fmt.Sprintf("SHORT by %d", t-n.Counted())
				}
			}
			if n.Draft > 0 {
				verdict += fmt.Sprintf("  +%d %s", n.Draft, plural(n.Draft, "draft"))
			}
			put("  %s  %5s  %s", pad(s, nameW), ratio, verdict)
			for _, it := range wk.Items {
				if it.Section != s {
					continue
				}
				prefix := fmt.Sprintf("    · %s  %-9s  ", it.Date.Format("02 Jan"), it.Status)
				put("%s%s", prefix, clip(display(it), Width-utf8.RuneCountInString(prefix)))
			}
		}
	}
	b.WriteByte('\n')
	if len(c.Unscheduled) == 0 {
		put("Unscheduled drafts: none")
	} else {
		put("Unscheduled drafts (%d)", len(c.Unscheduled))
		for _, it := range c.Unscheduled {
			prefix := "  · " + pad(it.Section, nameW) + "  "
			put("%s%s", prefix, clip(display(it), Width-utf8.RuneCountInString(prefix)))
		}
	}
	if c.Rebuild != nil {
		b.WriteByte('\n')
		for _, l := range c.Rebuild.lines() {
			put("%s", l)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// legend explains the window and the targets before the weeks, wrapped to
// Width because a site may have many sections.
func (c Calendar) legend() []string {
	var lines []string
	if n := len(c.Weeks); n > 0 {
		first, last := c.Weeks[0], c.Weeks[n-1]
		lines = append(lines, wrap(fmt.Sprintf("Content plan %s to %s; weeks start Monday 00:00 %s.",
			first.Label, last.Label, first.Start.Location()), Width)...)
	}
	var set, unset []string
	for _, s := range c.Sections {
		if t := c.Targets[s]; t > 0 {
			set = append(set, fmt.Sprintf("%s %d", s, t))
		} else {
			unset = append(unset, s)
		}
	}
	text := "Targets per week: none set ([plan] in site.toml)"
	if len(set) > 0 {
		text = "Targets per week: " + strings.Join(set, ", ")
	}
	if len(set) > 0 && len(unset) > 0 {
		text += "; no target: " + strings.Join(unset, ", ")
	}
	lines = append(lines, wrap(text+".", Width)...)
	return append(lines, "Published and scheduled items count toward a target; drafts do not.")
}

// WriteJSON writes the calendar as indented JSON with the field names of
// the struct tags. Empty lists are written as [] rather than null, so a
// script can iterate without checking.
func (c Calendar) WriteJSON(w io.Writer) error {
	c.Sections = nonNil(c.Sections)
	if c.Targets == nil {
		c.Targets = map[string]int{}
	}
	c.Unscheduled = nonNil(c.Unscheduled)
	weeks := make([]Week, len(c.Weeks))
	for i, wk := range c.Weeks {
		wk.Items, wk.Short = nonNil(wk.Items), nonNil(wk.Short)
		if wk.Counts == nil {
			wk.Counts = map[string]Counts{}
		}
		weeks[i] = wk
	}
	c.Weeks = nonNil(weeks)
	if r := c.Rebuild; r != nil {
		cp := *r
		cp.Next, cp.Problems = nonNil(cp.Next), nonNil(cp.Problems)
		cp.Workflows = nonNil(slices.Clone(cp.Workflows))
		for i := range cp.Workflows {
			cp.Workflows[i].Crons = nonNil(cp.Workflows[i].Crons)
		}
		c.Rebuild = &cp
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Titles are shown to people, not embedded in HTML: "Q&A" stays readable.
	enc.SetEscapeHTML(false)
	return enc.Encode(c)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// display is the text shown for an item: its title on one line, or its
// path when it has no title, so an untitled draft can still be found.
func display(it Item) string {
	s := it.Title
	if strings.TrimSpace(s) == "" {
		s = it.Path
	}
	if strings.TrimSpace(s) == "" {
		return "(untitled)"
	}
	// A newline or tab in a title would break the columns.
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s))
}

// clip cuts s to at most n runes, marking the cut with "…".
func clip(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// pad clips s to n runes and fills it with spaces to exactly n.
func pad(s string, n int) string {
	s = clip(s, n)
	return s + strings.Repeat(" ", n-utf8.RuneCountInString(s))
}

// wrap breaks text at spaces into lines of at most width runes; a single
// word longer than that is left for clip to cut.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(text) {
		switch {
		case line == "":
			line = word
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = "  " + word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
