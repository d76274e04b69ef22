package content

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSplit(t *testing.T) {
	cases := []struct {
		name, in       string
		fm, body       string
		fmLine, bodyLn int
		err            string
	}{
		{"toml", "+++\ntitle = \"a\"\n+++\nbody\n", "title = \"a\"\n", "body\n", 2, 4, ""},
		{"crlf and bom", "\xef\xbb\xbf+++\r\ntitle = 1\r\n+++\r\nbody", "title = 1\r\n", "body", 2, 4, ""},
		{"no front matter", "# Just Markdown\n", "", "# Just Markdown\n", 0, 1, ""},
		{"empty front matter", "+++\n+++\nx", "", "x", 2, 3, ""},
		{"trailing spaces on fences", "+++  \na = 1\n+++\t\n", "a = 1\n", "", 2, 4, ""},
		{"yaml", "---\ntitle: a\n---\n", "", "", 0, 0, "YAML"},
		{"unclosed", "+++\ntitle = 1\n", "", "", 0, 0, "never closed"},
		{"fence later in body is body", "+++\na = 1\n+++\n+++\n", "a = 1\n", "+++\n", 2, 4, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fm, fmLine, body, bodyLine, err := Split([]byte(tc.in))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(fm) != tc.fm || string(body) != tc.body || bodyLine != tc.bodyLn || (tc.fm != "" && fmLine != tc.fmLine) {
				t.Errorf("got fm=%q line %d body=%q line %d", fm, fmLine, body, bodyLine)
			}
		})
	}
	if _, _, _, _, err := Split([]byte("---\n")); !errors.Is(err, ErrYAML) {
		t.Errorf("YAML error is not ErrYAML: %v", err)
	}
}

// FuzzSplitAndParse checks that no input makes the front-matter splitter
// or decoder panic, and that a split loses no bytes of the body.
func FuzzSplitAndParse(f *testing.F) {
	for _, s := range []string{"+++\ntitle = \"x\"\n+++\nbody", "+++\n", "---\na: 1\n---\n", "", "+++\r\n+++\r\n", "+++\ndate = 2026-01-01T10:00:00\ntags = [\"a\", 1]\n+++\n", "\xef\xbb\xbf+++\n[params]\nx = 1\n+++\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _, body, _, err := Split(data)
		if err == nil && !bytes.HasSuffix(data, body) {
			t.Fatalf("body %q is not the end of the input", body)
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
