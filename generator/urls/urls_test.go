package urls

import (
	"strings"
	"testing"
)

func TestUrlizeAndSegment(t *testing.T) {
	cases := []struct{ in, urlize, segment string }{
		{"Community Building", "community-building", "community-building"},
		{"  Go  ", "go", "go"},
		{"C++ & Go!", "c++-go", "c++-go"},
		{"Ärger über Ümlaute", "ärger-über-ümlaute", "ärger-über-ümlaute"},
		{"_Hidden Note", "_hidden-note", "hidden-note"},
		{".dotfile", ".dotfile", "dotfile"},
		{"a/b\\c", "a-b-c", "a-b-c"},
	}
	for _, c := range cases {
		if got := Urlize(c.in); got != c.urlize {
			t.Errorf("Urlize(%q) = %q, want %q", c.in, got, c.urlize)
		}
		if got := Segment(c.in); got != c.segment {
			t.Errorf("Segment(%q) = %q, want %q", c.in, got, c.segment)
		}
	}
}

func TestCleanPath(t *testing.T) {
	cases := []struct{ in, want, err string }{
		{"/about/", "/about/", ""},
		{"about", "/about/", ""},
		{"/docs/a.html", "/docs/a.html", ""},
		{"/a//b/./c", "/a/b/c/", ""},
		{"/../etc", "", "leave the output folder"},
		{"../../x", "", "leave the output folder"},
		{"a/../../b", "", "leave the output folder"},
		{"https://evil.example/", "", "not an absolute URL"},
		{"//evil.example/", "", "not an absolute URL"},
		{"a\\..\\b", "", "backslashes"},
	}
	for _, c := range cases {
		got, err := CleanPath(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("CleanPath(%q) err = %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("CleanPath(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestBase(t *testing.T) {
	sub, err := ParseBase("https://user.github.io/hub")
	if err != nil {
		t.Fatal(err)
	}
	root, _ := ParseBase("https://example.org/")
	cases := []struct {
		base     Base
		in       string
		rel, abs string
	}{
		{sub, "/tips/x/", "/hub/tips/x/", "https://user.github.io/hub/tips/x/"},
		{sub, "css/main.css", "/hub/css/main.css", "https://user.github.io/hub/css/main.css"},
		{sub, "/hub/tips/", "/hub/tips/", "https://user.github.io/hub/tips/"},
		{sub, "", "/hub/", "https://user.github.io/hub/"},
		{sub, "https://other.org/x", "https://other.org/x", "https://other.org/x"},
		{sub, "mailto:a@b.org", "mailto:a@b.org", "mailto:a@b.org"},
		{sub, "#top", "#top", "#top"},
		{root, "/tips/", "/tips/", "https://example.org/tips/"},
		{Base{}, "/tips/", "/tips/", "/tips/"},
	}
	for _, c := range cases {
		if got := c.base.Rel(c.in); got != c.rel {
			t.Errorf("%s Rel(%q) = %q, want %q", c.base, c.in, got, c.rel)
		}
		if got := c.base.Abs(c.in); got != c.abs {
			t.Errorf("%s Abs(%q) = %q, want %q", c.base, c.in, got, c.abs)
		}
	}
	for _, bad := range []string{"ftp://x.org/", "https:///nohost", "https://x.org/?q=1", "::", "example.org/sub", "not a url", "//example.org/hub/", "/a b/"} {
		if _, err := ParseBase(bad); err == nil {
			t.Errorf("ParseBase(%q) accepted", bad)
		}
	}
}
