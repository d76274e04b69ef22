package digest_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/agora-hub/agora/newsletter/digest"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// TestSubjectAndIntro: the subject is short and specific (the first
// title and "+ N more", at most 78 characters, no site name), or what
// [newsletter] subject makes of it; the intro counts what max_items cut.
func TestSubjectAndIntro(t *testing.T) {
	long := strings.Repeat("A very long title about community moderation ", 3)
	items := []store.Item{{ID: "1", Title: "Reply within a day"}, {ID: "2", Title: "Two"}, {ID: "3", Title: "Three"}}
	for _, tc := range []struct {
		name, subject string
		items         []store.Item
		more          int
		want          string
	}{
		{"one", "", items[:1], 0, "Reply within a day"},
		{"counts the others, in the message or not", "", items, 4, "Reply within a day + 6 more"},
		{"a long title is cut at a word", "", []store.Item{{Title: long}, {Title: "x"}}, 0, "A very long title about community moderation A very long title about… + 1 more"},
		{"a template", "subject = \"{{ .Site }} #{{ .Number }}: {{ .Title }} ({{ .Count }})\"\n", items, 0, "Hub #3: Reply within a day (3)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := baseSite()
			files["site.toml"] = siteTOML + tc.subject
			site, err := digest.Open(writeSite(t, files))
			if err != nil {
				t.Fatal(err)
			}
			got := site.Templates().Subject(3, tc.items, tc.more)
			if got != tc.want || utf8.RuneCountInString(got) > 78 {
				t.Errorf("subject %q (%d characters), want %q", got, utf8.RuneCountInString(got), tc.want)
			}
		})
	}

	site, err := digest.Open(writeSite(t, baseSite()))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		items  []store.Item
		more   int
		topics []string
		want   string
	}{
		{items[:1], 0, nil, "Here is the new tip since the last issue."},
		{items, 0, nil, "Here are the 3 new tips since the last issue."},
		{items, 6, []string{"go"}, "Here are 3 of the 9 new tips since the last issue on the topics you chose (go)."},
	} {
		r, err := site.Templates().Render(digest.Message{Items: tc.items, More: tc.more, Subscriber: subscriber.Subscriber{Topics: tc.topics}, Issue: store.Issue{Number: 1}})
		if err != nil {
			t.Fatal(err)
		}
		// The text part wraps it at 76 columns.
		if !strings.Contains(strings.Join(strings.Fields(r.Text), " "), tc.want) || !strings.Contains(r.HTML, tc.want) {
			t.Errorf("intro: want %q in both parts:\n%s", tc.want, r.Text)
		}
	}
}
