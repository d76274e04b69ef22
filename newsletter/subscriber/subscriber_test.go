package subscriber_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/newsletter/subscriber"
)

func TestNormalizeEmail(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ada@example.org", "ada@example.org"},
		{"  Ada.Lovelace+news@Example.ORG \t", "Ada.Lovelace+news@example.org"},
		{"ada@bücher.de", "ada@xn--bcher-kva.de"},
		{"ada@BÜCHER.de", "ada@xn--bcher-kva.de"},
		{"o'brien@mail.example.co.uk", "o'brien@mail.example.co.uk"},
		{"x@a-b.io", "x@a-b.io"},
	} {
		got, err := subscriber.NormalizeEmail(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestNormalizeEmailRejects(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", "is empty"},
		{"   ", "is empty"},
		{"ada.example.org", "has no @"},
		{"@example.org", "nothing before the @"},
		{"ada@", "nothing after the @"},
		{"ada@example.org\r\nBcc: everyone@example.org", "line break"},
		{"ada@example.org\n", "line break"},
		{"\rada@example.org", "line break"},
		{"ada\x00@example.org", "control character"},
		{"Ada Lovelace <ada@example.org>", "bare address"},
		{"<ada@example.org>", "bare address"},
		{"ada@example.org (Ada)", "bare address"},
		{`"ada"@example.org`, "not a valid address"},
		{`"a b"@example.org`, "bare address"},
		{"a..b@example.org", "not a valid address"},
		{".ada@example.org", "not a valid address"},
		{"ada@localhost", "has no dot"},
		{"ada@[127.0.0.1]", "IP-address"},
		{"ada@127.0.0.1", "IP-address"},
		{"ada@exa_mple.org", "not a valid host name"},
		{"ada@-example.org", "not a valid host name"},
		{"ada@example..org", "not a valid host name"},
		{"ada@example.org.", "not a valid host name"},
		{"用户@example.org", "non-ASCII"},
		{"ada@x@example.org", "not a valid address"},
		{strings.Repeat("a", 65) + "@example.org", "longer than 64"},
		{"ada@" + strings.Repeat("a", 250) + ".org", "not a valid host name"},
		{"ada@example.org\xff", "UTF-8"},
	} {
		got, err := subscriber.NormalizeEmail(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want an error with %q", tc.in, got, err, tc.want)
		}
	}
}

func TestNormalizeNameAndTopics(t *testing.T) {
	if n, err := subscriber.NormalizeName("  Ada  Lovelace "); err != nil || n != "Ada  Lovelace" {
		t.Errorf("name: %q, %v", n, err)
	}
	for _, bad := range []string{"Ada\r\nBcc: x@example.org", "Ada\nLovelace", "Ada\x1b[31m", "Ada\u2028Bcc", strings.Repeat("é", subscriber.MaxName+1)} {
		if _, err := subscriber.NormalizeName(bad); err == nil {
			t.Errorf("NormalizeName(%q) accepted", bad)
		}
	}

	got, err := subscriber.NormalizeTopics([]string{" Go ", "meetups", "go", "", "Social Media", "C++"})
	if want := []string{"c++", "go", "meetups", "social-media"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("topics %q, %v; want %q", got, err, want)
	}
	if got, err := subscriber.NormalizeTopics(nil); err != nil || got == nil || len(got) != 0 {
		t.Errorf("no topics: %#v, %v; want an empty, non-nil list", got, err)
	}
	for _, bad := range [][]string{{"!!!"}, {"a\nb"}, {strings.Repeat("x", subscriber.MaxTopic+1)}} {
		if _, err := subscriber.NormalizeTopics(bad); err == nil {
			t.Errorf("NormalizeTopics(%q) accepted", bad)
		}
	}
	if got := subscriber.SplitTopics("go, meetups;events,,"); !slices.Equal(got, []string{"go", " meetups", "events"}) {
		t.Errorf("SplitTopics: %q", got)
	}
}

func TestNew(t *testing.T) {
	c := subscriber.Consent{At: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), How: "cli"}
	s, err := subscriber.New(" Ada@Example.org", "Ada", []string{"Go"}, subscriber.Active, c)
	if err != nil || s.Email != "Ada@example.org" || s.Name != "Ada" || !slices.Equal(s.Topics, []string{"go"}) || s.Consent != c {
		t.Fatalf("New: %+v, %v", s, err)
	}
	if subscriber.Key(s.Email) != "ada@example.org" {
		t.Errorf("Key(%q) = %q", s.Email, subscriber.Key(s.Email))
	}
	if _, err := subscriber.New("ada@example.org", "", nil, "gone", c); err == nil {
		t.Error("unknown status accepted")
	}
	if _, err := subscriber.New("ada@example.org", "", nil, subscriber.Active, subscriber.Consent{}); err == nil {
		t.Error("consent without a how accepted")
	}
	other := s
	other.Name, other.Status = "A.", subscriber.Unsubscribed
	if d := subscriber.Differences(s, other); !slices.Equal(d, []string{"name", "status"}) {
		t.Errorf("Differences = %q", d)
	}
}
