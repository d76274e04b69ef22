package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agora-hub/agora/internal/testsite"
)

// latePages are written after issue 1 went out (its cut-off 2026-02-01).
const latePages = `
-- content/tips/late.md --
+++
title = "Late tip"
date = 2026-01-20T09:00:00Z
tags = ["go"]
+++
Written as a draft before issue 1, published after it.
-- content/tips/fresh.md --
+++
title = "Fresh tip"
date = 2026-02-03T09:00:00Z
+++
Published after issue 1: the next issue carries it.
-- content/tips/still-draft.md --
+++
title = "Still a draft"
date = 2026-01-21T09:00:00Z
draft = true
+++
Not published: nothing to say about it yet.
-- content/tips/later-publish.md --
+++
title = "Scheduled"
date = 2026-01-22T09:00:00Z
publishDate = 2026-03-01T09:00:00Z
+++
Published after the send clock: not late, not yet.
-- content/posts/old-post.md --
+++
title = "Not a digest section"
date = 2026-01-23T09:00:00Z
+++
posts are not in [newsletter] sections.
`

// TestSendWarnsOfLatePages: a page published after an issue went out but
// dated before its cut-off is never mailed (only pages published after
// the last cut-off go into an issue); agora send, --dry-run and --preview
// name it, and say how to include it. Pages an issue carried, drafts,
// scheduled pages and pages of other sections are not named.
func TestSendWarnsOfLatePages(t *testing.T) {
	const warn = "Warning: 1 published page that no issue carried is dated before issue 1's cut-off (2026-02-01 00:00), so no issue will carry it:"
	const fix = "set its date or publishDate to now to include it in the next issue"
	for _, tc := range []struct {
		name  string
		args  []string
		pages string // written after issue 1
		want  []string
		code  int
	}{
		{"dry run", []string{"--dry-run"}, latePages, []string{warn, `content/tips/late.md ("Late tip", dated 2026-01-20 09:00)`, fix, "would make issue 2: 1 item"}, 0},
		{"preview", []string{"--preview", "PREVIEW"}, latePages, []string{warn, "content/tips/late.md", fix, "Preview: nothing was sent"}, 0},
		{"send", []string{"--yes"}, latePages, []string{warn, "content/tips/late.md", fix, "Issue 2: sent 2 of 2"}, 0},
		{"nothing else new", []string{"--yes"}, "-- content/tips/late.md --\n+++\ntitle = \"Late tip\"\ndate = 2026-01-20T09:00:00Z\n+++\nx\n",
			[]string{warn, "content/tips/late.md", fix, "Nothing new in tips since issue 1"}, 0},
		{"the fix", []string{"--yes"}, "-- content/tips/late.md --\n+++\ntitle = \"Late tip\"\ndate = 2026-01-20T09:00:00Z\npublishDate = 2026-02-09T09:00:00Z\n+++\nx\n",
			[]string{"Issue 2: 1 new item published since issue 1", "Issue 2: sent 2 of 2"}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, _ := readyToSend(t)
			if code, out, stderr := run(t, "send", "-s", dir, "--now=2026-02-01T00:00:00Z", "--yes"); code != 0 {
				t.Fatalf("issue 1: exit %d\n%s%s", code, out, stderr)
			}
			testsite.Write(t, dir, tc.pages)
			args := append([]string{"send", "-s", dir, "--now=2026-02-10T00:00:00Z"}, tc.args...)
			for i, a := range args {
				if a == "PREVIEW" {
					args[i] = filepath.Join(t.TempDir(), "preview")
				}
			}
			code, out, stderr := run(t, args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d\n%s%s", code, tc.code, out, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(out, w) {
					t.Errorf("stdout lacks %q:\n%s", w, out)
				}
			}
			if tc.name == "the fix" && strings.Contains(out, "Warning") {
				t.Errorf("warned after the fix:\n%s", out)
			}
			warning := out
			if i := strings.Index(warning, fix); i >= 0 {
				warning = warning[:i]
			}
			for _, not := range []string{"tips/a.md", "tips/b.md", "fresh.md", "still-draft.md", "later-publish.md", "old-post.md"} {
				if strings.Contains(warning, not) {
					t.Errorf("named %s, which is not late:\n%s", not, out)
				}
			}
		})
	}
	t.Run("carried pages are not late", func(t *testing.T) {
		dir, _ := readyToSend(t)
		const page = "+++\ntitle = \"C\"\nid = \"c-tip\"\ndate = 2026-01-07T10:00:00Z\n+++\nx\n"
		testsite.Write(t, dir, "-- content/tips/c.md --\n"+page)
		if code, out, stderr := run(t, "send", "-s", dir, "--now=2026-02-01T00:00:00Z", "--yes"); code != 0 {
			t.Fatalf("issue 1: exit %d\n%s%s", code, out, stderr)
		}
		// Moving a page that has an id does not make it late, nor news.
		if err := os.Remove(filepath.Join(dir, "content", "tips", "c.md")); err != nil {
			t.Fatal(err)
		}
		testsite.Write(t, dir, "-- content/tips/moved.md --\n"+page)
		if code, out, stderr := run(t, "send", "-s", dir, "--now=2026-02-02T00:00:00Z", "--yes"); code != 0 || strings.Contains(out, "Warning") {
			t.Fatalf("issue 2: exit %d\n%s%s", code, out, stderr)
		}
		if _, err := os.Stat(filepath.Join(dir, "content", "newsletter", "2026-02-02-issue-2.md")); err == nil {
			t.Error("an issue was made of nothing new")
		}
	})
}
