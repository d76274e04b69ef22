package page

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/diag"
)

// DecisionSection is the top-level section that is the transparency log:
// its list page is a timeline and it gets one page per decision kind.
const DecisionSection = "transparency"

// decisionKinds are the kinds a [decision] may have, in the order the
// kind filter lists them, each with the title of its kind page.
var decisionKinds = [...]struct{ name, plural string }{
	{"decision", "Decisions"},
	{"change", "Changes"},
	{"farewell", "Farewells"},
	{"incident", "Incidents"},
	{"report", "Reports"},
}

var decisionStatuses = [...]string{"proposed", "decided", "reversed", "superseded"}

var decisionKeys = [...]string{"kind", "status", "decided", "consulted", "supersedes"}

// Decision is a page's [decision] table, checked, with its supersedes
// references resolved to pages.
type Decision struct {
	page      *Page
	kind      string
	status    string
	decided   time.Time
	consulted []string
}

// Kind is one of decision, change, farewell, incident, report.
func (d *Decision) Kind() string { return d.kind }

// Status is the status readers should see: "superseded" as soon as a
// published page supersedes this one, whatever the front matter says, so
// that forgetting to update an old post never leaves readers believing it
// is still in force. DeclaredStatus is what the front matter says.
func (d *Decision) Status() string {
	if len(d.SupersededBy()) > 0 {
		return "superseded"
	}
	return d.status
}

// DeclaredStatus is the front-matter status as written (lower-cased).
func (d *Decision) DeclaredStatus() string { return d.status }

// Decided is when it was decided, in the site's time zone; zero if unset.
func (d *Decision) Decided() time.Time {
	if d.decided.IsZero() {
		return d.decided
	}
	return d.decided.In(d.page.site.location())
}

// Consulted lists who was asked, as written.
func (d *Decision) Consulted() []string { return d.consulted }

// Supersedes are the pages this decision replaces.
func (d *Decision) Supersedes() []*Page { return d.page.Supersedes() }

// SupersededBy are the published pages that replace this decision.
func (d *Decision) SupersededBy() []*Page { return d.page.SupersededBy() }

// KindPage is the transparency log's page listing this decision's kind, or
// nil when the page is outside the log.
func (d *Decision) KindPage() *Page {
	for _, k := range d.page.site.decisions.kindPages {
		if d.page.site.decisions.kindOf[k] == d.kind && d.page.section == DecisionSection {
			return d.page.site.reach1(d.page, "KindPage", k)
		}
	}
	return nil
}

// transparency is what the build derives from [decision] tables and
// pinned flags. It lives beside the page model, keyed by page, rather than
// in Page, because most pages have none of it; it is read-only once built.
type transparency struct {
	byPage       map[*Page]*Decision
	supersedes   map[*Page][]*Page
	supersededBy map[*Page][]*Page
	log          *Page            // the DecisionSection's list page, or nil
	kindPages    []*Page          // in decisionKinds order, only kinds in use
	kindOf       map[*Page]string // kind page → its kind
}

// Decision is the page's [decision] record, or nil.
func (p *Page) Decision() *Decision { return p.site.decisions.byPage[p] }

// Supersedes are the pages that p's [decision] supersedes, as written.
func (p *Page) Supersedes() []*Page {
	return p.site.reachList(p, "Supersedes", p.site.decisions.supersedes[p])
}

// SupersededBy are the published pages whose [decision] supersedes p,
// newest first. Any page can be superseded, with or without a [decision].
func (p *Page) SupersededBy() []*Page {
	return p.site.reachList(p, "SupersededBy", p.site.decisions.supersededBy[p])
}

// Pinned reports front-matter pinned = true.
func (p *Page) Pinned() bool {
	b, _ := p.params["pinned"].(bool)
	return b
}

// buildTransparency checks every [decision] and pinned flag, links
// decisions both ways through supersedes and makes the log's kind pages.
// It runs after link, so pages are sorted and have their URLs, and before
// checkOutputs, so that the kind pages' URLs are checked too. tree holds
// the pages that this build leaves out, to explain a supersedes that names
// one of them.
func (s *Site) buildTransparency(tree *content.Tree, errs *diag.List) {
	t := &s.decisions
	t.byPage = map[*Page]*Decision{}
	t.supersedes = map[*Page][]*Page{}
	t.supersededBy = map[*Page][]*Page{}
	t.kindOf = map[*Page]string{}
	refs := map[*Page][]string{}
	for _, p := range s.regular {
		if v, ok := p.src.Params["pinned"]; ok {
			if _, isBool := v.(bool); !isBool {
				errs.Add(diag.At(p.src.Path, p.src.Line("pinned"), "pinned: want true or false, got %s", content.TypeName(v)))
			}
		}
		raw, ok := p.src.Params["decision"]
		if !ok {
			continue
		}
		d, r := parseDecision(p, raw, s.location(), errs)
		if d != nil {
			t.byPage[p] = d
			refs[p] = r
		}
	}
	s.resolveSupersedes(tree, refs, errs)
	s.buildKindPages(errs)
}

// decisionLine is the line of decision.KEY, else of the [decision] header,
// so that even a missing key points at the table it belongs in.
func decisionLine(src *content.Source, key string) int {
	for _, k := range [][]string{{"decision", key}, {"decision"}, {"params", "decision", key}, {"params", "decision"}} {
		if k[len(k)-1] == "" {
			continue
		}
		if l := src.Line(k...); l > 0 {
			return l
		}
	}
	return 0
}

// frontMatterKeys are top-level keys that, found inside [decision], were
// almost certainly meant above it: TOML puts every key after a table header
// into that table, a mistake that is easy to make and hard to see.
var frontMatterKeys = [...]string{"title", "date", "publishdate", "expirydate", "lastmod", "draft", "pinned",
	"author", "tags", "categories", "description", "summary", "slug", "url", "aliases", "id", "weight", "type", "layout"}

func parseDecision(p *Page, raw any, loc *time.Location, errs *diag.List) (*Decision, []string) {
	src := p.src
	fail := func(key, format string, args ...any) {
		errs.Add(diag.At(src.Path, decisionLine(src, key), "decision.%s: "+format, append([]any{key}, args...)...))
	}
	table, ok := raw.(map[string]any)
	if !ok {
		errs.Add(diag.At(src.Path, decisionLine(src, ""), "decision: want a table ([decision] followed by kind = \"…\" and status = \"…\"), got %s", content.TypeName(raw)))
		return nil, nil
	}
	keys := make([]string, 0, len(table))
	for k := range table {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if slices.Contains(decisionKeys[:], k) {
			continue
		}
		if slices.Contains(frontMatterKeys[:], k) {
			fail(k, "unknown key; every key below [decision] belongs to it, so move %s above the [decision] line", k)
			continue
		}
		fail(k, "unknown key (known keys: %s)", strings.Join(decisionKeys[:], ", "))
	}

	d := &Decision{page: p}
	kinds := make([]string, len(decisionKinds))
	for i, k := range decisionKinds {
		kinds[i] = k.name
	}
	d.kind = oneOf(table, "kind", kinds, fail)
	d.status = oneOf(table, "status", decisionStatuses[:], fail)

	switch v := table["decided"].(type) {
	case nil:
	case time.Time:
		d.decided = v
	case string:
		if d.decided = parseDate(v, loc); d.decided.IsZero() {
			fail("decided", "%q is not a date; write a date such as 2026-10-20", v)
		}
	default:
		fail("decided", "want a date such as 2026-10-20, got %s", content.TypeName(v))
	}

	d.consulted = stringList(table, "consulted", `["moderators", "members survey (n=212)"]`, fail)
	refs := stringList(table, "supersedes", `"transparency/old-decision.md"`, fail)
	for _, r := range refs {
		if strings.TrimSpace(r) == "" {
			fail("supersedes", "empty; name the page this one replaces, such as \"transparency/old-decision.md\", or remove the key")
			return d, nil
		}
	}
	return d, refs
}

// oneOf reads a required string key that must be one of allowed. Case and
// surrounding spaces are forgiven: "Decided" means what "decided" means.
func oneOf(table map[string]any, key string, allowed []string, fail func(key, format string, args ...any)) string {
	switch v := table[key].(type) {
	case nil:
		fail(key, "missing; add %s = %q (one of %s)", key, allowed[0], strings.Join(allowed, ", "))
	case string:
		norm := strings.ToLower(strings.TrimSpace(v))
		if slices.Contains(allowed, norm) {
			return norm
		}
		fail(key, "%q is not a %s; use one of %s", v, key, strings.Join(allowed, ", "))
	default:
		fail(key, "want one of %s as a string, got %s", strings.Join(allowed, ", "), content.TypeName(v))
	}
	return ""
}

// stringList reads a string or a list of strings; blank entries are kept
// for the caller to judge.
func stringList(table map[string]any, key, example string, fail func(key, format string, args ...any)) []string {
	switch v := table[key].(type) {
	case nil:
		return nil
	case string:
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				fail(key, "want a list of strings such as %s, found %s in it", example, content.TypeName(e))
				return nil
			}
			out = append(out, s)
		}
		return out
	default:
		fail(key, "want a string or a list of strings such as %s, got %s", example, content.TypeName(v))
		return nil
	}
}

// dateLayouts are the string forms a date may take, as for front-matter
// dates; TOML's own dates need none of them.
var dateLayouts = [...]string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02"}

func parseDate(s string, loc *time.Location) time.Time {
	for _, l := range dateLayouts {
		if t, err := time.ParseInLocation(l, strings.TrimSpace(s), loc); err == nil {
			return t
		}
	}
	return time.Time{}
}

// resolveSupersedes turns each supersedes reference into a page and links
// both ways. A reference must name a published regular page that is not
// newer than the page superseding it: otherwise the record would link to
// nothing, or say the past replaced the future.
func (s *Site) resolveSupersedes(tree *content.Tree, refs map[*Page][]string, errs *diag.List) {
	t := &s.decisions
	for _, from := range s.regular { // s.regular's order keeps errors and links stable
		for _, ref := range refs[from] {
			fail := func(format string, args ...any) {
				errs.Add(diag.At(from.src.Path, decisionLine(from.src, "supersedes"), "decision.supersedes: "+format, args...))
			}
			to, why := s.findRef(from, ref, tree)
			switch {
			case to == nil:
				fail("%q %s", ref, why)
				continue
			case to == from:
				fail("%q is this page itself; name the older page it replaces", ref)
				continue
			case to.kind != KindPage:
				fail("%q is a list page (%s), not a post; name the post it replaces", ref, to.path)
				continue
			case !to.date.IsZero() && !from.date.IsZero() && to.date.After(from.date):
				fail("%q (%s) is newer than this page (%s); a page supersedes an older one, so put supersedes in %s",
					ref, to.date.Format("2006-01-02"), from.date.Format("2006-01-02"), to.src.Path)
				continue
			case slices.Contains(t.supersedes[from], to):
				continue // named twice: harmless
			}
			t.supersedes[from] = append(t.supersedes[from], to)
			t.supersededBy[to] = append(t.supersededBy[to], from)
		}
	}
	for _, by := range t.supersededBy {
		SortDefault(by)
	}
	s.checkSupersedeCycles(errs)
}

// checkSupersedeCycles refuses A supersedes B supersedes A, possible only
// between pages with equal or no dates; each would show the other as its
// replacement and neither would be in force.
func (s *Site) checkSupersedeCycles(errs *diag.List) {
	t := &s.decisions
	const (
		unseen = iota
		onPath
		done
	)
	state := map[*Page]int{}
	var visit func(p *Page, path []*Page) bool
	visit = func(p *Page, path []*Page) bool {
		state[p] = onPath
		path = append(path, p)
		for _, next := range t.supersedes[p] {
			switch state[next] {
			case onPath:
				start := slices.Index(path, next)
				var names []string
				for _, q := range path[start:] {
					names = append(names, q.src.Rel)
				}
				names = append(names, next.src.Rel)
				errs.Add(diag.At(p.src.Path, decisionLine(p.src, "supersedes"), "decision.supersedes: pages supersede each other in a circle (%s); remove supersedes from one of them", strings.Join(names, " → ")))
				return true
			case unseen:
				if visit(next, path) {
					return true
				}
			}
		}
		state[p] = done
		return false
	}
	for _, p := range s.regular {
		if state[p] == unseen && visit(p, nil) {
			return // one report is enough to fix it; the rest follow from it
		}
	}
}

// findRef resolves a reference the way Hugo's ref and .GetPage do, plus
// URLs. Forms accepted:
//
//	"transparency/old.md", "transparency/old", "/transparency/old",
//	"content/transparency/old.md"  a path below content/
//	"old.md", "old"                 relative to the page's own folder (tried first)
//	"/transparency/old/"            the page's URL without the base path
//
// When nothing matches it says why: left out of this build, or not there,
// with a guess when one page has that file name.
func (s *Site) findRef(from *Page, ref string, tree *content.Tree) (*Page, string) {
	r := strings.TrimSpace(ref)
	abs := strings.HasPrefix(r, "/")
	r = strings.Trim(r, "/")
	r = strings.TrimPrefix(r, content.Dir+"/")
	r = strings.TrimSuffix(r, ".md")
	var bases []string
	if !abs {
		dir := from.src.Dir()
		if from.src.Kind == content.Leaf {
			dir = path.Dir(dir)
		}
		if dir != "" && dir != "." {
			bases = append(bases, path.Join(dir, r))
		}
	}
	bases = append(bases, path.Clean(r))
	var cands []string
	for _, b := range bases {
		cands = append(cands, b+".md", b+"/index.md", b+"/_index.md")
	}
	for _, c := range cands {
		if p, ok := s.byPath[c]; ok {
			return p, ""
		}
	}
	if r == "" || r == "." {
		return s.home, ""
	}
	// A URL copied from the browser: "/transparency/old/".
	if p := s.pageAt("/" + strings.ToLower(strings.Trim(strings.TrimSpace(ref), "/")) + "/"); p != nil {
		return p, ""
	}
	for _, src := range tree.Sources {
		if !slices.Contains(cands, src.Rel) {
			continue
		}
		var why []string
		if src.Meta.Draft {
			why = append(why, "a draft")
		}
		if pd := publishDate(src.Meta); pd.After(s.now) {
			why = append(why, "scheduled for "+pd.Format("2006-01-02 15:04 MST"))
		}
		if e := src.Meta.ExpiryDate; !e.IsZero() && !e.After(s.now) {
			why = append(why, "expired on "+e.Format("2006-01-02"))
		}
		return nil, fmt.Sprintf("is not published in this build (%s), so this page would link to nothing; publish it first or remove supersedes", strings.Join(why, ", "))
	}
	msg := "does not name a page; write its path below content/, such as \"transparency/old-decision.md\""
	var guesses []string
	for _, p := range s.regular {
		if p.src.Name() == path.Base(r) {
			guesses = append(guesses, p.src.Rel)
		}
	}
	if len(guesses) == 1 {
		msg += fmt.Sprintf(" (did you mean %q?)", guesses[0])
	}
	return nil, msg
}

// location is the site's time zone, UTC when site.toml names none.
func (s *Site) location() *time.Location {
	if s.cfg.Location != nil {
		return s.cfg.Location
	}
	return time.UTC
}
