package config_test

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/agora-hub/agora/generator/config"
)

// TestPortable reads Hugo configurations as agora import moves them: the
// keys Agora implements kept, every other key dropped with its place and
// why, and a wrong value still an error at its line.
func TestPortable(t *testing.T) {
	for _, tc := range []struct {
		name    string
		files   map[string]string
		kept    map[string]any
		dropped []string // "file:line key: why"
		err     string
	}{
		{"ignored, silent and unknown keys", map[string]string{"hugo.toml": "title = \"T\"\nenableEmoji = true\ncacheDir = \"/tmp\"\nmyThemeSetting = 1\n[markup.goldmark.renderer]\nunsafe = true\nhardWraps = true\n"},
			map[string]any{"title": "T", "markup": map[string]any{"goldmark": map[string]any{"renderer": map[string]any{"unsafe": true}}}},
			[]string{"hugo.toml:2 enableEmoji: Agora does not replace :emoji: codes", "hugo.toml:3 cacheDir: ", "hugo.toml:4 myThemeSetting: neither Hugo nor Agora knows this key",
				"hugo.toml:7 markup.goldmark.renderer.hardWraps: Agora keeps Markdown's soft line breaks"}, ""},
		{"one language: its settings at the top, languages dropped silently", map[string]string{"hugo.yaml": "languages:\n  en:\n    title: English\n    params:\n      x: 1\n"},
			map[string]any{"title": "English", "params": map[string]any{"x": int64(1)}},
			[]string{"hugo.yaml:1 languages: "}, ""},
		{"several languages: languages kept so the build leaves their pages out", map[string]string{"hugo.toml": "defaultContentLanguage = \"en\"\n[languages.en]\ntitle = \"E\"\n[languages.fr]\ntitle = \"F\"\n"},
			map[string]any{"title": "E", "defaultContentLanguage": "en", "languages": map[string]any{"en": map[string]any{"title": "E"}, "fr": map[string]any{"title": "F"}}},
			[]string{"hugo.toml:2 languages: Agora builds one language; the pages in fr are left out"}, ""},
		{"a config folder", map[string]string{"config/_default/hugo.toml": "title = \"T\"\n", "config/_default/params.toml": "a = 1\n", "config/production/hugo.toml": "disqusShortname = \"x\"\n"},
			map[string]any{"title": "T", "params": map[string]any{"a": int64(1)}},
			[]string{"config/production/hugo.toml:1 disqusShortname: Agora has no comments integration"}, ""},
		{"a value of the wrong type", map[string]string{"hugo.toml": "title = \"T\"\npaginate = \"ten\"\n"}, nil, nil, "hugo.toml:2: paginate: want a whole number"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := config.Portable(files(tc.files), config.Production)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.Settings, tc.kept) {
				t.Errorf("kept %#v\nwant %#v", p.Settings, tc.kept)
			}
			var got []string
			for _, d := range p.Dropped {
				got = append(got, fmt.Sprintf("%s:%d %s: %s", d.File, d.Line, d.Key, d.Why))
			}
			if len(got) != len(tc.dropped) {
				t.Fatalf("dropped %q\nwant %q", got, tc.dropped)
			}
			for _, w := range tc.dropped {
				found := false
				for _, g := range got {
					found = found || strings.HasPrefix(g, w)
				}
				if !found {
					t.Errorf("no dropped key like %q in %q", w, got)
				}
			}
		})
	}
}
