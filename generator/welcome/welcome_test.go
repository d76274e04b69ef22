package welcome_test

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/welcome"
	"github.com/agora-hub/agora/internal/testsite"
)

func TestParseAfter(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"0", 0, ""},
		{"3d", 72 * time.Hour, ""},
		{"36h", 36 * time.Hour, ""},
		{"90m", 90 * time.Minute, ""},
		{"1d12h", 36 * time.Hour, ""},
		{" 2d ", 48 * time.Hour, ""},
		{"", 0, "want"},
		{"3 days", 0, "want"},
		{"-1h", 0, "negative"},
		{"-3d", 0, "want"},
		{"3000d", 0, "more than 1825 days"},
		{"1d-1h", 0, "negative"},
		{"d", 0, "want"},
	} {
		got, err := welcome.ParseAfter(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseAfter(%q) = %v, %v: want an error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseAfter(%q) = %v, %v: want %v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct{ name, page, want string }{
		{"no table", "+++\ntitle = \"Hi\"\ndate = 2026-01-01\n+++\nx\n", "content/welcome/a.md:1: a welcome step needs a [welcome] table"},
		{"bad after", "+++\ntitle = \"Hi\"\ndate = 2026-01-01\n[welcome]\nafter = \"3 days\"\n+++\nx\n", "content/welcome/a.md:5: welcome.after: \"3 days\""},
		{"number", "+++\ntitle = \"Hi\"\ndate = 2026-01-01\n[welcome]\nafter = 3\n+++\nx\n", "content/welcome/a.md:5: welcome.after: want a string"},
		{"unknown key", "+++\ntitle = \"Hi\"\ndate = 2026-01-01\n[welcome]\nafter = \"0\"\ndelay = \"1d\"\n+++\nx\n", "content/welcome/a.md:6: welcome.delay: unknown key"},
		{"no date", "+++\ntitle = \"Hi\"\n[welcome]\nafter = \"0\"\n+++\nx\n", "content/welcome/a.md:1: a welcome step needs a date"},
		{"bad tags", "+++\ntitle = \"Hi\"\ndate = 2026-01-01\n[welcome]\nafter = \"0\"\ntags = \"go\"\n+++\nx\n", "content/welcome/a.md:6: welcome.tags: want a list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := content.Parse("content/welcome/a.md", "welcome/a.md", []byte(tc.page), content.Options{Location: time.UTC})
			if err != nil {
				t.Fatal(err)
			}
			_, err = welcome.Parse(src)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func TestLoadOrdersAndFilters(t *testing.T) {
	dir := testsite.New(t, `
-- content/welcome/_index.md --
+++
title = "Welcome"
+++
-- content/welcome/later.md --
+++
title = "Three days in"
date = 2026-01-01
[welcome]
after = "3d"
tags = ["Events"]
+++
-- content/welcome/first.md --
+++
title = "Hello"
date = 2026-01-01
id = "hello"
[welcome]
after = "0"
+++
-- content/welcome/draft.md --
+++
title = "Not yet"
date = 2026-01-01
draft = true
[welcome]
after = "1d"
+++
-- content/welcome/future.md --
+++
title = "Future"
date = 2027-01-01
[welcome]
after = "1d"
+++
`)
	steps, err := welcome.Load(os.DirFS(dir), "welcome", welcome.Options{Location: time.UTC, Now: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range steps {
		got = append(got, s.ID+" "+s.After.String()+" "+strings.Join(s.Tags, ","))
	}
	if want := "id:hello 0s |welcome/later.md 72h0m0s events"; strings.Join(got, "|") != want {
		t.Errorf("steps %q, want %q", strings.Join(got, "|"), want)
	}
	if none, err := welcome.Load(os.DirFS(dir), "", welcome.Options{}); none != nil || err != nil {
		t.Errorf("no folder: %v %v", none, err)
	}
}
