package siteimport

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/agora-hub/agora/generator/config"
	"github.com/agora-hub/agora/generator/content"
)

// hugoFolders are the folders of a Hugo site that Agora reads, or that
// its templates and archetypes read, copied as they are. Content folders
// are added from the configuration.
var hugoFolders = []string{"static", "assets", "data", "i18n", "layouts", "themes", "archetypes"}

// hugoTooling are the root entries of a Hugo site that are Hugo's own
// output or caches: left behind without a note.
var hugoTooling = []string{"public", "resources", "node_modules", ".hugo_build.lock", config.ConfigDir}

// otherMarkups are the content formats Hugo renders through external
// tools (Asciidoctor, Emacs Org, reStructuredText, Pandoc); Agora renders
// Markdown only.
var otherMarkups = []string{".adoc", ".asciidoc", ".ad", ".org", ".rst", ".pandoc", ".pdc"}

// Hugo imports the Hugo site in from into a new Agora site in to.
func Hugo(ctx context.Context, from, to string, opt Options) (*Report, error) {
	j, err := begin("Hugo", from, to, opt)
	if err != nil {
		return nil, err
	}
	if err := j.hugo(); err != nil {
		j.abort()
		return nil, err
	}
	return j.finish(ctx)
}

func (j *job) hugo() error {
	pc, err := config.Portable(j.src, config.Production)
	if errors.Is(err, config.ErrNoConfig) {
		return fmt.Errorf("%s is not a Hugo site: it has no hugo.toml, hugo.yaml, hugo.json, config.toml, config.yaml, config.json or config/_default/", j.r.From)
	}
	if err != nil {
		return err
	}
	settings := pc.Settings
	j.hugoDropped(pc)
	if err := j.hugoTheme(settings); err != nil {
		return err
	}

	contentDirs, err := j.hugoContentDirs(settings)
	if err != nil {
		return err
	}
	for _, dir := range hugoFolders {
		st, err := j.exists(dir)
		if err != nil {
			return err
		}
		if st == nil || !st.IsDir() {
			continue
		}
		if _, err := j.copyTree(dir, dir); err != nil {
			return err
		}
	}
	for _, dir := range contentDirs {
		if err := j.hugoContent(dir); err != nil {
			return err
		}
	}
	if j.htmlShortcode != "" && !hasTheme(settings) && !j.hasLayoutsBesides(j.htmlShortcode) {
		// The wrapper shortcode is the site's only layout: name the
		// built-in theme, which a site with layouts/ would otherwise lose.
		settings["theme"] = config.DefaultTheme
	}
	j.renderHooks()
	if err := j.hugoLeftBehind(contentDirs); err != nil {
		return err
	}
	j.convert("", 0, "%s → site.toml (%d settings kept)", strings.Join(pc.Files, ", "), countLeaves(settings))
	header := []string{
		"Imported by agora import from " + strings.Join(pc.Files, ", ") + ".",
		"Every key is checked; Agora's docs/hugo.md says what each of Hugo's does here.",
	}
	return j.writeSiteTOML(header, settings)
}

// hugoDropped reports the configuration keys Portable left out.
func (j *job) hugoDropped(pc *config.PortableConfig) {
	var silent []string
	for _, d := range pc.Dropped {
		if d.Why == "" {
			silent = append(silent, d.Key)
			continue
		}
		j.lose(d.File, d.Line, "%s: %s", d.Key, d.Why)
	}
	if len(silent) > 0 {
		sort.Strings(silent)
		j.convert("", 0, "left out of site.toml, as Agora already behaves so or they tune only Hugo: %s", listNames(silent, 8))
	}
	for _, n := range pc.Notes {
		j.convert("", 0, "%s", n)
	}
}

func hasTheme(settings map[string]any) bool {
	for k := range settings {
		if strings.EqualFold(k, "theme") {
			return true
		}
	}
	return false
}

// hasLayoutsBesides reports whether the new site has a layout besides the
// shortcode the import wrote.
func (j *job) hasLayoutsBesides(shortcode string) bool {
	for rel := range j.written {
		if strings.HasPrefix(rel, "layouts/") && strings.HasSuffix(rel, ".html") && rel != "layouts/shortcodes/"+shortcode+".html" {
			return true
		}
	}
	return false
}

// hugoTheme keeps the theme when its folder is in the site. A theme that
// is a Hugo module, a git submodule not checked out or a folder outside
// the site (themesDir = "../..") cannot come along: the new site then
// uses Agora's built-in theme, and the report says how to bring it.
func (j *job) hugoTheme(settings map[string]any) error {
	var key string
	for k := range settings {
		if strings.EqualFold(k, "theme") {
			key = k
		}
	}
	if key == "" {
		return nil
	}
	var names []string
	switch v := settings[key].(type) {
	case string:
		names = []string{v}
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok {
				names = append(names, s)
			}
		}
	}
	if len(names) == 0 {
		delete(settings, key)
		return nil
	}
	if len(names) > 1 {
		j.lose("", 0, "theme: Agora uses one theme, %q; the theme components %s are left out", names[0], strings.Join(names[1:], ", "))
	}
	name := names[0]
	settings[key] = name
	ok, err := j.themeHasLayouts(name)
	if err != nil || ok {
		return err
	}
	delete(settings, key)
	j.lose("", 0, "theme %q is not in themes/%s/ (a Hugo module, a git submodule not checked out, or a folder outside the site): the new site uses Agora's built-in theme; copy the theme into themes/%s/ and set theme = %q to use it", name, name, name, name)
	return nil
}

func (j *job) themeHasLayouts(name string) (bool, error) {
	dir := "themes/" + name + "/layouts"
	if st, err := j.exists(dir); err != nil || st == nil {
		return false, err
	}
	found := false
	err := j.walk(dir, func(string) error {
		found = true
		return fs.SkipAll
	})
	return found, err
}

// hugoContentDirs are the content folders: contentDir (the default
// language's, merged at the top), the other languages' and content/.
func (j *job) hugoContentDirs(settings map[string]any) ([]string, error) {
	dirs := []string{content.Dir}
	add := func(v any) {
		if s, ok := v.(string); ok && s != "" {
			s = strings.Trim(path.Clean(s), "/")
			if fs.ValidPath(s) && s != "." && !slices.Contains(dirs, s) {
				dirs = append(dirs, s)
			}
		}
	}
	for k, v := range settings {
		switch strings.ToLower(k) {
		case "contentdir":
			add(v)
		case "languages":
			langs, _ := v.(map[string]any)
			for _, l := range langs {
				lm, _ := l.(map[string]any)
				for lk, lv := range lm {
					if strings.EqualFold(lk, "contentDir") {
						add(lv)
					}
				}
			}
		}
	}
	var out []string
	for _, d := range dirs {
		if slices.ContainsFunc(dirs, func(o string) bool { return strings.HasPrefix(d, o+"/") }) {
			continue // copied with the folder it is in
		}
		st, err := j.exists(d)
		if err != nil {
			return nil, err
		}
		if st != nil && st.IsDir() {
			out = append(out, d)
		}
	}
	return out, nil
}

// hugoContent copies a content folder as it is, but for what Agora cannot
// read: HTML pages become Markdown pages whose body is kept as HTML, and
// pages in other markups are left out.
func (j *job) hugoContent(dir string) error {
	return j.walk(dir, func(name string) error {
		ext := strings.ToLower(path.Ext(name))
		switch {
		case ext == ".html" || ext == ".htm":
			data, err := fs.ReadFile(j.src, name)
			if err != nil {
				return err
			}
			parts, err := content.Split(data)
			if err != nil || parts.Format == "" {
				// Without front matter Hugo copies it as a file; so does Agora.
				return j.copyFile(name, name)
			}
			out := strings.TrimSuffix(name, path.Ext(name)) + ".md"
			sc, err := j.rawHTML()
			if err != nil {
				return err
			}
			j.convert(name, 0, "an HTML page → %s, its body kept as HTML in {{< %s >}}", out, sc)
			return j.write(out, wrapHTML(data, parts, sc))
		case slices.Contains(otherMarkups, ext):
			j.lose(name, 0, "left out: Agora renders Markdown only (Hugo used an external tool for %s)", ext)
			return nil
		}
		return j.copyFile(name, name)
	})
}

// wrapHTML returns an HTML page as a Markdown page: the same front matter
// and the body inside the raw HTML shortcode.
func wrapHTML(data []byte, parts content.Parts, shortcode string) []byte {
	head := data[:len(data)-len(parts.Body)]
	return []byte(string(head) + wrapRawHTML(string(parts.Body), shortcode))
}

// wrapRawHTML puts an HTML body in the raw HTML shortcode.
func wrapRawHTML(body, shortcode string) string {
	return "{{< " + shortcode + " >}}\n" + strings.Trim(body, "\n") + "\n{{< /" + shortcode + " >}}\n"
}

// renderHooks lists Hugo's render hooks (layouts/_markup/ and
// layouts/_default/_markup/, the site's and the themes'): Agora renders
// links, images, headings and code blocks itself and never calls them.
func (j *job) renderHooks() {
	var hooks []string
	for rel := range j.written {
		if strings.Contains(rel, "layouts/_markup/") || strings.Contains(rel, "layouts/_default/_markup/") {
			hooks = append(hooks, rel)
		}
	}
	sort.Strings(hooks)
	for _, h := range hooks {
		j.lose(h, 0, "a render hook: Agora renders Markdown's links, images, headings and code blocks itself and does not call it")
	}
}

// hugoLeftBehind names the root entries that are not part of the site.
func (j *job) hugoLeftBehind(contentDirs []string) error {
	entries, err := fs.ReadDir(j.src, ".")
	if err != nil {
		return err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if skippedName(n) || slices.Contains(hugoFolders, n) || slices.Contains(contentDirs, n) ||
			slices.Contains(hugoTooling, n) || slices.ContainsFunc(config.RootFiles, func(f string) bool { return f == n }) {
			continue
		}
		if e.IsDir() {
			n += "/"
		}
		names = append(names, n)
	}
	if len(names) > 0 {
		j.skip("", "not part of a Hugo site's build: %s", listNames(names, 10))
	}
	return nil
}

func countLeaves(m map[string]any) int {
	n := 0
	for _, v := range m {
		if sub, ok := v.(map[string]any); ok {
			n += countLeaves(sub)
		} else {
			n++
		}
	}
	return n
}

// escapeShortcodes makes every shortcode call in s literal text, in Hugo's
// escaped form: {{< x >}} becomes {{</* x */>}}, {{% x %}} {{%/* x */%}}.
func escapeShortcodes(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "{{")
		if i < 0 || i+2 >= len(s) {
			b.WriteString(s)
			return b.String()
		}
		delim := s[i+2]
		if delim != '<' && delim != '%' {
			b.WriteString(s[:i+2])
			s = s[i+2:]
			continue
		}
		closer := ">}}"
		if delim == '%' {
			closer = "%}}"
		}
		end := strings.Index(s[i+3:], closer)
		if end < 0 {
			b.WriteString(s)
			return b.String()
		}
		inner := s[i+3 : i+3+end]
		b.WriteString(s[:i])
		if strings.HasPrefix(strings.TrimSpace(inner), "/*") {
			// Already escaped.
			b.WriteString(s[i : i+3+end+3])
		} else {
			b.WriteString("{{" + string(delim) + "/*" + inner + "*/" + closer)
		}
		s = s[i+3+end+3:]
	}
}
