package content

import (
	"path"
	"regexp"
	"sort"
	"strings"

	"github.com/agora-hub/agora/generator/diag"
)

// cascade is one block of a page's front-matter cascade: values its
// descendants take unless they set them themselves, as in Hugo.
type cascade struct {
	dir    string // the declaring page's folder below content/; "" for the home page
	depth  int
	values map[string]any
	path   *regexp.Regexp // Hugo's _target.path (target.path in newer Hugo), or nil
	kind   string         // _target.kind, or ""
}

// Cascades reports whether the page's front matter has a cascade.
func (s *Source) Cascades() bool {
	_, ok := s.Params["cascade"]
	return ok
}

// applyCascades merges every cascade into the front matter of the pages
// below the page declaring it, nearest ancestor first. It reports whether
// there was any.
func applyCascades(sources []*Source, errs *diag.List) bool {
	var all []cascade
	for _, s := range sources {
		raw, ok := s.Params["cascade"]
		if !ok {
			continue
		}
		dir := s.Dir()
		var blocks []any
		switch v := raw.(type) {
		case map[string]any:
			blocks = []any{v}
		case []any:
			blocks = v
		default:
			errs.Add(diag.At(s.Path, s.Line("cascade"), "cascade: want a table of values, or a list of them, got %s", TypeName(raw)))
			continue
		}
		for _, b := range blocks {
			m, ok := b.(map[string]any)
			if !ok {
				errs.Add(diag.At(s.Path, s.Line("cascade"), "cascade: want a table of values, found %s in the list", TypeName(b)))
				continue
			}
			c := cascade{dir: dir, depth: depth(dir), values: map[string]any{}}
			for k, v := range m {
				switch k {
				case "_target", "target":
					t, _ := v.(map[string]any)
					if p, ok := t["path"].(string); ok && p != "" {
						c.path = glob(p)
					}
					c.kind, _ = t["kind"].(string)
				case "params":
					if pm, ok := v.(map[string]any); ok {
						for pk, pv := range pm {
							c.values[pk] = pv
						}
					}
				default:
					c.values[k] = v
				}
			}
			all = append(all, c)
		}
	}
	if len(all) == 0 {
		return false
	}
	// Nearest first: a section's cascade overrides the home page's.
	sort.SliceStable(all, func(i, j int) bool { return all[i].depth > all[j].depth })
	for _, s := range sources {
		dir, logical, kind := s.Dir(), s.logicalPath(), s.kind()
		for _, c := range all {
			if !below(dir, c.dir) || (dir == c.dir && s.Kind != Regular) {
				continue
			}
			if c.path != nil && !c.path.MatchString(logical) {
				continue
			}
			if c.kind != "" && !strings.EqualFold(c.kind, kind) {
				continue
			}
			for k, v := range c.values {
				if _, set := s.Params[k]; !set {
					s.Params[k] = v
				}
			}
		}
	}
	return true
}

func depth(dir string) int {
	if dir == "" {
		return 0
	}
	return strings.Count(dir, "/") + 1
}

// below reports whether folder dir is anc or inside it.
func below(dir, anc string) bool {
	return anc == "" || dir == anc || strings.HasPrefix(dir, anc+"/")
}

// logicalPath is Hugo's page path for cascade targets: "/blog/post" for
// blog/post.md and blog/post/index.md, "/blog" for blog/_index.md.
func (s *Source) logicalPath() string {
	if s.Kind != Regular {
		return "/" + s.Dir()
	}
	return "/" + strings.TrimSuffix(s.Rel, path.Ext(s.Rel))
}

// kind is Hugo's page kind as far as the file alone tells.
func (s *Source) kind() string {
	switch {
	case s.Kind != Branch:
		return "page"
	case s.Dir() == "":
		return "home"
	}
	return "section"
}

// glob compiles a Hugo path glob: "**" crosses folders, "*" does not,
// "{a,b}" is either.
func glob(pattern string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '*' && i+1 < len(pattern) && pattern[i+1] == '*':
			b.WriteString(".*")
			i++
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		case c == '{':
			b.WriteString("(?:")
		case c == '}':
			b.WriteString(")")
		case c == ',':
			b.WriteString("|")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return regexp.MustCompile(`^$.`) // matches nothing
	}
	return re
}
