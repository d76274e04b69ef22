package content

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/generator/metadecode"
)

func TestSplit(t *testing.T) {
	cases := []struct {
		name, in       string
		format         metadecode.Format
		fm, body       string
		fmLine, bodyLn int
		err            string
	}{
		{"toml", "+++\ntitle = \"a\"\n+++\nbody\n", "toml", "title = \"a\"\n", "body\n", 2, 4, ""},
		{"crlf and bom", "\xef\xbb\xbf+++\r\ntitle = 1\r\n+++\r\nbody", "toml", "title = 1\r\n", "body", 2, 4, ""},
		{"no front matter", "# Just Markdown\n", "", "", "# Just Markdown\n", 0, 1, ""},
		{"empty front matter", "+++\n+++\nx", "toml", "", "x", 2, 3, ""},
		{"trailing spaces on fences", "+++  \na = 1\n+++\t\n", "toml", "a = 1\n", "", 2, 4, ""},
		{"yaml", "---\ntitle: a\n---\nbody", "yaml", "title: a\n", "body", 2, 4, ""},
		{"blank lines before the fence", "\n  \n---\ntitle: a\n---\nbody", "yaml", "title: a\n", "body", 4, 6, ""},
		{"json", "{\n  \"title\": \"a }\"\n}\nbody", "json", "{\n  \"title\": \"a }\"\n}", "body", 1, 4, ""},
		{"json on one line", "{\"title\": \"a\"}\nbody", "json", "{\"title\": \"a\"}", "body", 1, 2, ""},
		{"json after a blank line", "\n{\"a\": {\"b\": 1}}\n\nbody", "json", "{\"a\": {\"b\": 1}}", "\nbody", 2, 3, ""},
		{"unclosed toml", "+++\ntitle = 1\n", "", "", "", 0, 0, "never closed"},
		{"unclosed yaml", "\n---\ntitle: 1\n", "", "", "", 0, 0, `"---" on line 2 is never closed`},
		{"unclosed json", "{\"title\": \"}\n", "", "", "", 0, 0, "never closed"},
		{"fence later in body is body", "+++\na = 1\n+++\n+++\n", "toml", "a = 1\n", "+++\n", 2, 4, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Split([]byte(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Format != tc.format || string(p.FrontMatter) != tc.fm || string(p.Body) != tc.body || p.BodyLine != tc.bodyLn || (tc.fm != "" && p.FMLine != tc.fmLine) {
				t.Errorf("got %s fm=%q line %d body=%q line %d", p.Format, p.FrontMatter, p.FMLine, p.Body, p.BodyLine)
			}
		})
	}
}

// FuzzSplitAndParse checks that no input makes the front-matter splitter
// or decoder panic, and that a split loses no bytes of the body.
func FuzzSplitAndParse(f *testing.F) {
	for _, s := range []string{"+++\ntitle = \"x\"\n+++\nbody", "+++\n", "---\na: 1\n---\n", "{\"a\": [1, {\"b\": \"}\"}]}\nx", "\n\n---\n- a\n---\n", "", "+++\r\n+++\r\n", "+++\ndate = 2026-01-01T10:00:00\ntags = [\"a\", 1]\n+++\n", "\xef\xbb\xbf+++\n[params]\nx = 1\n+++\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Split(data)
		if err == nil && !bytes.HasSuffix(data, p.Body) {
			t.Fatalf("body %q is not the end of the input", p.Body)
		}
		_, _ = Parse("content/x.md", "x.md", data, Options{Location: time.UTC, Taxonomies: []string{"tags"}})
	})
}

func TestParseMeta(t *testing.T) {
	berlin, _ := time.LoadLocation("Europe/Berlin")
	src := "+++\nTitle = \"T\"\ndate = 2026-03-01T09:00:00\npublishDate = \"2026-03-02\"\ntags = \"solo\"\nid = 7\n[params]\nauthor = \"Ana\"\n+++\nbody"
	s, err := Parse("content/tips/t.md", "tips/t.md", []byte(src), Options{Location: berlin, Taxonomies: []string{"tags"}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Meta.Title != "T" {
		t.Errorf("keys are case-insensitive as in Hugo: title %q", s.Meta.Title)
	}
	if want := time.Date(2026, 3, 1, 9, 0, 0, 0, berlin); !s.Meta.Date.Equal(want) {
		t.Errorf("date %v, want %v (site zone)", s.Meta.Date, want)
	}
	if want := time.Date(2026, 3, 2, 0, 0, 0, 0, berlin); !s.Meta.PublishDate.Equal(want) {
		t.Errorf("publishDate %v, want %v", s.Meta.PublishDate, want)
	}
	if got := s.Meta.Terms["tags"]; len(got) != 1 || got[0] != "solo" {
		t.Errorf("tags %v", got)
	}
	if s.Meta.ID != "7" || s.Params["author"] != "Ana" || s.Kind != Regular || string(s.Body) != "body" {
		t.Errorf("id %q params %v kind %v body %q", s.Meta.ID, s.Params, s.Kind, s.Body)
	}
}
