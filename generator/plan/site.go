package plan

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/generator/markup"
	"github.com/agora-hub/agora/generator/page"
	"github.com/agora-hub/agora/generator/schedule"
	"github.com/agora-hub/agora/generator/sitefs"
	"github.com/agora-hub/agora/generator/welcome"
)

// Site computes the calendar of the site in dir. now is the clock and
// weeks the number of weeks from the current one on (0 means
// DefaultWeeks).
//
// It reads content/ with the loader agora build uses, so a page that
// breaks the build fails here too with the same file:line message, and
// dates without an offset are read in the site's timezone. Drafts and
// future pages are all gathered: the calendar is about what is not
// published yet as much as what is.
//
// The sections shown are those of [plan] in site.toml's order, then every
// other top-level folder of content/ holding Markdown, by name, without a
// target: a section nobody set a target for is still part of the plan.
// Pages directly in content/ (an about page) belong to no section and are
// left out. A [plan] key naming no folder under content/ is an error at
// its line, because a misspelt "tip = 2" would otherwise never flag a
// week and look like a promise kept.
func Site(dir string, now time.Time, weeks int) (Calendar, error) {
	cfg, err := config.Load(dir)
	if err != nil {
		return Calendar{}, err
	}
	src, err := sitefs.Open(dir)
	if err != nil {
		return Calendar{}, err
	}
	defer src.Close()
	tree, err := content.Load(src, content.OptionsFor(cfg))
	if err != nil {
		return Calendar{}, err
	}
	items, found := gather(tree, cfg.Newsletter.Welcome)

	var errs diag.List
	targets := make(map[string]int, len(cfg.Plan.Targets))
	var sections []string
	for _, t := range cfg.Plan.Targets {
		if !slices.Contains(found, t.Section) && !isDir(src, content.Dir+"/"+t.Section) {
			errs.Add(unknownSection(t, found))
			continue
		}
		targets[t.Section] = t.PerWeek
		sections = append(sections, t.Section)
	}
	if err := errs.Err(); err != nil {
		return Calendar{}, err
	}
	for _, s := range found {
		if !slices.Contains(sections, s) {
			sections = append(sections, s)
		}
	}
	cal := Build(items, Options{
		Now:      now,
		Location: cfg.Location,
		Weeks:    weeks,
		Targets:  targets,
		Sections: sections,
	})
	// The moments come from the model agora build makes at now, so that
	// they are exactly the ones a rebuild would act on.
	site, err := page.New(cfg, tree, page.Options{Now: now, Markdown: markup.New(markup.Options{BasePath: cfg.Base.Path()})})
	if err != nil {
		return Calendar{}, err
	}
	var moments []schedule.Moment
	for _, m := range site.Schedule() {
		moments = append(moments, schedule.Moment{At: m.At.In(cfg.Location), File: m.File, What: m.What})
	}
	cal.Rebuild = rebuild(src, moments)
	return cal, nil
}

// gather turns the loaded pages, but those of the welcome series, into
// items and returns the sections that hold Markdown, sorted. A section's _index.md is not an item, but it
// makes the section exist before its first page is written.
func gather(tree *content.Tree, welcomeFolder string) ([]Item, []string) {
	var items []Item
	var sections []string
	for _, src := range tree.Sources {
		section, _, _ := strings.Cut(src.Dir(), "/")
		// The welcome series is mail on each subscriber's own clock, not
		// part of the weekly plan.
		if section == "" || welcome.In(welcomeFolder, src) {
			continue
		}
		sections = append(sections, section)
		if src.Kind == content.Branch {
			continue
		}
		// Hugo's rule: publishDate says when the page goes out, and the
		// date stands in for it when there is none.
		date := src.Meta.PublishDate
		if date.IsZero() {
			date = src.Meta.Date
		}
		status := Published
		if src.Meta.Draft {
			status = Draft
		}
		items = append(items, Item{Section: section, Title: src.Meta.Title, Path: src.Path, Date: date, Status: status})
	}
	slices.Sort(sections)
	return items, slices.Compact(sections)
}

func isDir(fsys fs.FS, p string) bool {
	st, err := fs.Stat(fsys, p)
	return err == nil && st.IsDir()
}

func unknownSection(t config.Target, found []string) error {
	msg := fmt.Sprintf("plan.%s: there is no section %q (no folder content/%s/)", t.Section, t.Section, t.Section)
	if s := closest(t.Section, found); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	} else if len(found) > 0 {
		msg += "; the sections are " + strings.Join(found, ", ")
	}
	return diag.At(config.FileName, t.Line, "%s", msg)
}

// closest returns the section within two edits of name, the nearest
// first, or "" when none is that close: a suggestion further away is more
// likely a wrong guess than a typo.
func closest(name string, sections []string) string {
	best, bestD := "", 3
	for _, s := range sections {
		if d := distance(strings.ToLower(name), strings.ToLower(s)); d < bestD {
			best, bestD = s, d
		}
	}
	return best
}

// distance is the Levenshtein distance between a and b, in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
