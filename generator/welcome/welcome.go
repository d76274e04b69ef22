// Package welcome reads the steps of a welcome series: the pages under
// content/welcome/ (the folder is [newsletter] welcome), each a mail that
// every new subscriber gets some time after their consent. The build uses
// it to leave those pages out of the site and to refuse a bad [welcome]
// table; the newsletter uses it to find the steps that are due.
package welcome

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/generator/urls"
)

// MaxAfter bounds a step's delay: "3000d" is a typo for "30d" far more
// often than a plan, and a step nobody reaches for eight years would sit
// in the series unnoticed.
const MaxAfter = 5 * 365 * 24 * time.Hour

// Step is one page of the series.
type Step struct {
	Source *content.Source
	// ID is the step's identity in the journal: the front-matter id, else
	// the content path, as for digest items. A step keeps it when edited,
	// so an edit never sends a step again.
	ID string
	// After is how long after a person's consent the step goes out.
	After time.Duration
	// Tags limit the step to subscribers who chose one of them (normalised
	// keys); none means everyone.
	Tags []string
	// Start is the page's date: only people whose consent is after it get
	// the step, so a series added to an old list does not mail old members.
	Start time.Time
}

// In reports whether src is in the welcome folder (and so not a page of
// the site). An empty folder means the site has no series.
func In(folder string, src *content.Source) bool {
	if folder == "" {
		return false
	}
	return src.Rel == folder || strings.HasPrefix(src.Rel, folder+"/")
}

// IsStep reports whether src, in the welcome folder, is a step: the
// folder's _index.md is not.
func IsStep(src *content.Source) bool { return src.Kind != content.Branch }

// Parse reads and checks src's [welcome] table and date. Errors name the
// file and line.
func Parse(src *content.Source) (Step, error) {
	st := Step{Source: src, ID: src.Rel, Start: cmp.Or(src.Meta.PublishDate, src.Meta.Date)}
	if src.Meta.ID != "" {
		st.ID = "id:" + src.Meta.ID
	}
	at := func(key ...string) int {
		if l := src.Line(key...); l > 0 {
			return l
		}
		return src.Line("welcome")
	}
	var errs diag.List
	raw, ok := src.Params["welcome"]
	if !ok {
		return st, diag.At(src.Path, 1, "a welcome step needs a [welcome] table with after = \"0\", \"3d\" or \"36h\": how long after a person subscribes it goes out")
	}
	table, ok := raw.(map[string]any)
	if !ok {
		return st, diag.At(src.Path, at("welcome"), "welcome must be a table: [welcome] with after = \"3d\"")
	}
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k != "after" && k != "tags" {
			errs.Add(diag.At(src.Path, at("welcome", k), "welcome.%s: unknown key; a step knows after and tags", k))
		}
	}
	switch v := table["after"].(type) {
	case nil:
		errs.Add(diag.At(src.Path, at("welcome"), "welcome.after is missing: want \"0\", \"3d\", \"36h\" or a Go duration such as \"1d12h\""))
	case string:
		d, err := ParseAfter(v)
		if err != nil {
			errs.Add(diag.At(src.Path, at("welcome", "after"), "welcome.after: %v", err))
		}
		st.After = d
	default:
		errs.Add(diag.At(src.Path, at("welcome", "after"), "welcome.after: want a string such as \"3d\" or \"36h\", got %v", v))
	}
	tags, tagsSet := table["tags"]
	if !tagsSet {
		tags = src.Params["tags"]
	}
	if tags != nil {
		list, ok := tags.([]any)
		if !ok {
			errs.Add(diag.At(src.Path, at("welcome", "tags"), "welcome.tags: want a list of tags such as [\"events\"]"))
		}
		for _, t := range list {
			s, ok := t.(string)
			if k := urls.Segment(s); ok && k != "" {
				st.Tags = append(st.Tags, k)
			} else {
				errs.Add(diag.At(src.Path, at("welcome", "tags"), "welcome.tags: %v is not a tag name", t))
			}
		}
		slices.Sort(st.Tags)
		st.Tags = slices.Compact(st.Tags)
	}
	if st.Start.IsZero() {
		errs.Add(diag.At(src.Path, 1, "a welcome step needs a date: only people who subscribe after it get the step, so that a new series does not mail everyone already on the list"))
	}
	return st, errs.Err()
}

// ParseAfter reads a step's delay: "0", whole days ("3d"), a Go duration
// ("36h", "90m"), or days followed by a duration ("1d12h").
func ParseAfter(s string) (time.Duration, error) {
	v := strings.TrimSpace(s)
	if v == "0" {
		return 0, nil
	}
	var d time.Duration
	if i := strings.IndexByte(v, 'd'); i > 0 {
		n, err := strconv.Atoi(v[:i])
		if err != nil || n < 0 {
			return 0, fmt.Errorf("%q: want \"0\", days such as \"3d\", or a duration such as \"36h\"", s)
		}
		if n > int(MaxAfter/(24*time.Hour)) {
			return 0, fmt.Errorf("%q is more than %d days", s, MaxAfter/(24*time.Hour))
		}
		d = time.Duration(n) * 24 * time.Hour
		v = v[i+1:]
		if v == "" {
			return d, nil
		}
	}
	rest, err := time.ParseDuration(v)
	switch {
	case err != nil || v == "":
		return 0, fmt.Errorf("%q: want \"0\", days such as \"3d\", or a duration such as \"36h\"", s)
	case rest < 0:
		return 0, fmt.Errorf("%q is negative: a step cannot go out before the person subscribed", s)
	case d+rest > MaxAfter:
		return 0, fmt.Errorf("%q is more than %d days", s, MaxAfter/(24*time.Hour))
	}
	return d + rest, nil
}

// Options say which steps Load returns.
type Options struct {
	Location *time.Location
	// Content is how the site reads its content (its folder among others).
	Content content.Options
	// Now leaves out drafts, steps published after it and expired ones,
	// as the build would at that clock.
	Now time.Time
}

// Load reads the steps in content/folder of the site fsys (rooted at the
// site folder), sorted by After (then identity). Every bad step is
// reported. A missing folder is no series.
func Load(fsys fs.FS, folder string, opt Options) ([]Step, error) {
	if folder == "" {
		return nil, nil
	}
	var rels []string
	dir := opt.Content.Folder()
	err := fs.WalkDir(fsys, path.Join(dir, folder), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name := d.Name(); strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() && content.IsMarkdown(d.Name()) {
			rels = append(rels, strings.TrimPrefix(p, dir+"/"))
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the welcome series: %w", err)
	}
	var steps []Step
	var errs diag.List
	for _, rel := range rels {
		data, err := fs.ReadFile(fsys, dir+"/"+rel)
		if err != nil {
			errs.Add(err)
			continue
		}
		copt := opt.Content
		copt.Location = opt.Location
		src, err := content.Parse(dir+"/"+rel, rel, data, copt)
		if err != nil {
			errs.Add(err)
			continue
		}
		if !IsStep(src) {
			continue
		}
		st, err := Parse(src)
		if err != nil {
			errs.Add(err)
			continue
		}
		m := src.Meta
		if m.Draft || st.Start.After(opt.Now) || !m.ExpiryDate.IsZero() && !m.ExpiryDate.After(opt.Now) {
			continue
		}
		steps = append(steps, st)
	}
	if err := errs.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(steps, func(a, b Step) int { return cmp.Or(cmp.Compare(a.After, b.After), strings.Compare(a.ID, b.ID)) })
	seen := map[string]string{}
	for _, st := range steps {
		if other, dup := seen[st.ID]; dup {
			return nil, diag.At(st.Source.Path, st.Source.Line("id"), "id %q is also the id of %s: each step needs its own", strings.TrimPrefix(st.ID, "id:"), other)
		}
		seen[st.ID] = st.Source.Path
	}
	return steps, nil
}
