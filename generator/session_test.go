package generator

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var sessionNow = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// copyExampleHub copies the repository's example site into a new folder.
func copyExampleHub(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for _, name := range []string{"site.toml", "content"} {
		src := filepath.Join("..", name)
		err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel("..", p)
			dst := filepath.Join(root, rel)
			if d.IsDir() {
				return os.MkdirAll(dst, 0o755)
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return os.WriteFile(dst, data, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func sessionOptions(root, dest string) Options {
	return Options{Source: root, Destination: dest, BaseURL: "https://example.org/hub/", Now: sessionNow}
}

// readTree returns every file below dir by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// sameAsFullBuild fails the test unless served holds exactly what a fresh
// agora build of root writes.
func sameAsFullBuild(t *testing.T, root, served, step string) {
	t.Helper()
	sameAsBuild(t, sessionOptions(root, ""), served, step)
}

// sameAsBuild fails the test unless served holds exactly what agora build
// with opt writes.
func sameAsBuild(t *testing.T, opt Options, served, step string) {
	t.Helper()
	fresh := filepath.Join(t.TempDir(), "fresh")
	opt.Destination = fresh
	if _, err := Build(context.Background(), opt); err != nil {
		t.Fatalf("%s: full build: %v", step, err)
	}
	want, got := readTree(t, fresh), readTree(t, served)
	var diffs []string
	for name, w := range want {
		g, ok := got[name]
		switch {
		case !ok:
			diffs = append(diffs, "missing "+name)
		case !bytes.Equal(g, w):
			diffs = append(diffs, "differs "+name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			diffs = append(diffs, "stale "+name)
		}
	}
	if len(diffs) > 0 {
		slices.Sort(diffs)
		t.Fatalf("%s: served output differs from a full build in %d files:\n%s", step, len(diffs), strings.Join(diffs[:min(len(diffs), 20)], "\n"))
	}
}

func markdownFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join(root, "content"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") {
			rel, _ := filepath.Rel(root, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(files)
	return files
}

// TestSessionMatchesFullBuild applies random edit sequences to a copy of the
// example hub (body edits, front-matter edits, new and deleted pages), and
// after every update checks the served folder against a fresh full build.
func TestSessionMatchesFullBuild(t *testing.T) {
	for seed := uint64(1); seed <= 6; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(seed, 0xa90a))
			root := copyExampleHub(t)
			served := filepath.Join(t.TempDir(), "public")
			s, _, err := Open(context.Background(), sessionOptions(root, served))
			if err != nil {
				t.Fatal(err)
			}
			incremental := 0
			for step := 1; step <= 20; step++ {
				files := markdownFiles(t, root)
				file := files[rng.IntN(len(files))]
				full := filepath.Join(root, filepath.FromSlash(file))
				data, err := os.ReadFile(full)
				if err != nil {
					t.Fatal(err)
				}
				what := ""
				// insertKey puts a front-matter key first, where no
				// [table] can capture it.
				insertKey := func(line string) []byte {
					return bytes.Replace(data, []byte("+++\n"), []byte("+++\n"+line+"\n"), 1)
				}
				switch r := rng.IntN(24); {
				case r < 8: // the common case: a paragraph added to the body
					what = "body edit of " + file
					data = append(data, fmt.Sprintf("\n\nStep %d adds a sentence with *emphasis* and a [link](/tips/).\n", step)...)
				case r < 10: // a body edit that changes the summary's words
					what = "summary edit of " + file
					fm, body, ok := splitFrontMatter(data)
					if !ok {
						continue
					}
					data = append(fm, append([]byte(fmt.Sprintf("Opening words %d. ", step)), body...)...)
				case r < 13:
					what = "title edit of " + file
					data = bytes.Replace(data, []byte("title = \""), []byte(fmt.Sprintf("title = \"(%d) ", step)), 1)
				case r < 15:
					what = "description edit of " + file
					if bytes.Contains(data, []byte("\ndescription = \"")) {
						data = bytes.Replace(data, []byte("\ndescription = \""), []byte(fmt.Sprintf("\ndescription = \"Step %d: ", step)), 1)
					} else {
						data = insertKey(fmt.Sprintf("description = \"Added at step %d.\"", step))
					}
				case r < 16:
					what = "new parameter in " + file
					data = insertKey(fmt.Sprintf("mood%d = \"calm\"", step))
				case r < 17:
					what = "date edit of " + file
					data = insertKey("publishDate = 2026-01-05T10:00:00+01:00")
					if bytes.Count(data, []byte("publishDate")) > 1 {
						continue
					}
				case r < 19:
					what = "date edit of " + file
					edited := dateLine.ReplaceAll(data, []byte(fmt.Sprintf("${1}2026-%02d-%02dT08:00:00+01:00", 1+rng.IntN(11), 1+rng.IntN(28))))
					if bytes.Equal(edited, data) {
						continue
					}
					data = edited
				case r < 20:
					what = "tag edit of " + file
					edited := tagsLine.ReplaceAll(data, []byte(fmt.Sprintf(`${1}"step-%d", `, step)))
					if bytes.Equal(edited, data) {
						continue
					}
					data = edited
				case r < 21:
					what = "draft toggle of " + file
					if bytes.Contains(data, []byte("\ndraft = true")) {
						data = bytes.Replace(data, []byte("\ndraft = true"), []byte("\ndraft = false"), 1)
					} else {
						data = insertKey("draft = true")
					}
				case r < 23:
					file = fmt.Sprintf("content/tips/new-tip-%d.md", step)
					full = filepath.Join(root, filepath.FromSlash(file))
					what = "new page " + file
					data = []byte(fmt.Sprintf("+++\ntitle = \"New tip %d\"\ndate = 2026-11-%02dT09:00:00+01:00\ntags = [\"onboarding\"]\n+++\nA new tip.\n", step, 1+step))
				default:
					if strings.HasSuffix(file, "_index.md") {
						continue
					}
					what = "deletion of " + file
					if err := os.Remove(full); err != nil {
						t.Fatal(err)
					}
					data = nil
				}
				if data != nil {
					if err := os.WriteFile(full, data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				u, err := s.Update(context.Background(), []string{file})
				if err != nil {
					// An edit may legitimately break the site (a deleted
					// page that another supersedes); a full build must
					// then fail the same way.
					if _, ferr := Build(context.Background(), sessionOptions(root, filepath.Join(t.TempDir(), "x"))); ferr == nil {
						t.Fatalf("step %d (%s): update failed but a full build works: %v", step, what, err)
					}
					t.Logf("step %d (%s): the site is broken, as a full build agrees: %v", step, what, err)
					return
				}
				if !u.Full {
					incremental++
				}
				t.Logf("step %d: %s: full=%v units=%d rewritten=%d", step, what, u.Full, u.Units, len(u.Changed))
				sameAsFullBuild(t, root, served, fmt.Sprintf("step %d (%s, full=%v)", step, what, u.Full))
			}
			if incremental == 0 {
				t.Errorf("no update took the incremental path")
			}
		})
	}
}

var (
	dateLine = regexp.MustCompile(`(?m)^(date = )\S+`)
	tagsLine = regexp.MustCompile(`(?m)^(tags = \[)`)
)

func splitFrontMatter(data []byte) (fm, body []byte, ok bool) {
	const fence = "+++\n"
	if !bytes.HasPrefix(data, []byte(fence)) {
		return nil, nil, false
	}
	end := bytes.Index(data[len(fence):], []byte("\n"+fence))
	if end < 0 {
		return nil, nil, false
	}
	cut := len(fence) + end + 1 + len(fence)
	return slices.Clone(data[:cut]), data[cut:], true
}

// TestSessionEditTouchesOnlyDependents: an edit to one tip rewrites the
// outputs that show what changed, nothing else, and takes a full build
// only when the site's structure may change.
func TestSessionEditTouchesOnlyDependents(t *testing.T) {
	root := copyExampleHub(t)
	served := filepath.Join(t.TempDir(), "public")
	s, _, err := Open(context.Background(), sessionOptions(root, served))
	if err != nil {
		t.Fatal(err)
	}
	appendText := func(text string) func([]byte) []byte {
		return func(b []byte) []byte { return append(b, text...) }
	}
	replace := func(old, new string) func([]byte) []byte {
		return func(b []byte) []byte { return bytes.Replace(b, []byte(old), []byte(new), 1) }
	}
	tests := []struct {
		name, file    string
		edit          func([]byte) []byte
		wantFull      bool
		mustChange    []string // output files that must be rewritten
		mustNotChange []string
	}{
		{
			name: "a sentence at the end of a tip", file: "content/tips/two-jobs.md",
			edit:          appendText("\n\nOne more closing sentence.\n"),
			mustChange:    []string{"tips/two-jobs/index.html", "tips/index.xml", "tags/onboarding/index.xml"},
			mustNotChange: []string{"tips/content-plan/index.html", "sitemap.xml", "events/calendar.ics", "tags/onboarding/index.html"},
		},
		{
			name: "a new title", file: "content/tips/two-jobs.md",
			edit:          replace(`title = "`, `title = "Renamed: `),
			mustChange:    []string{"tips/two-jobs/index.html", "tips/page/2/index.html", "tips/index.xml", "tags/onboarding/index.html", "tips/social-media-plan/index.html" /* its neighbour: Prev/Next */},
			mustNotChange: []string{"sitemap.xml", "events/calendar.ics", "transparency/index.html"},
		},
		{
			name: "a new description", file: "content/tips/two-jobs.md",
			edit:          replace(`description = "`, `description = "Newly described: `),
			mustChange:    []string{"tips/two-jobs/index.html"},
			mustNotChange: []string{"sitemap.xml", "events/calendar.ics"},
		},
		{
			name: "a new date moves the page in every list", file: "content/tips/two-jobs.md",
			edit:          replace("date = 2026-09-07T09:00:00+02:00", "date = 2026-11-20T09:00:00+01:00"),
			mustChange:    []string{"tips/two-jobs/index.html", "tips/index.html", "tips/page/2/index.html", "sitemap.xml", "tags/onboarding/index.html"},
			mustNotChange: []string{"events/calendar.ics", "transparency/index.html"},
		},
		{
			name: "a new tag makes its term pages", file: "content/tips/two-jobs.md",
			edit:       replace(`tags = ["onboarding", "social-media"]`, `tags = ["onboarding", "social-media", "brand-new"]`),
			mustChange: []string{"tags/brand-new/index.html", "tags/brand-new/index.xml", "tags/index.html", "tips/two-jobs/index.html", "sitemap.xml"},
		},
		{
			name: "a removed tag removes its term pages", file: "content/tips/two-jobs.md",
			edit:       replace(`tags = ["onboarding", "social-media", "brand-new"]`, `tags = ["onboarding", "social-media"]`),
			mustChange: []string{"tags/brand-new/index.html", "tags/brand-new/index.xml"},
		},
		{
			name: "site.toml rebuilds everything", file: "site.toml",
			edit:     appendText("\n# a comment\n"),
			wantFull: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			full := filepath.Join(root, filepath.FromSlash(tc.file))
			data, err := os.ReadFile(full)
			if err != nil {
				t.Fatal(err)
			}
			edited := tc.edit(data)
			if bytes.Equal(edited, data) {
				t.Fatal("the edit changed nothing")
			}
			if err := os.WriteFile(full, edited, 0o644); err != nil {
				t.Fatal(err)
			}
			u, err := s.Update(context.Background(), []string{tc.file})
			if err != nil {
				t.Fatal(err)
			}
			if u.Full != tc.wantFull {
				t.Fatalf("full build = %v, want %v", u.Full, tc.wantFull)
			}
			for _, f := range tc.mustChange {
				if !slices.Contains(u.Changed, f) {
					t.Errorf("%s not rewritten; rewritten: %v", f, u.Changed)
				}
			}
			for _, f := range tc.mustNotChange {
				if slices.Contains(u.Changed, f) {
					t.Errorf("%s rewritten, but does not show what changed", f)
				}
			}
			sameAsFullBuild(t, root, served, tc.name)
		})
	}
	if _, err := os.Stat(filepath.Join(served, "tags", "brand-new")); err == nil {
		t.Error("the removed term's folder is still served")
	}
}

// TestSessionIgnoresTemporaryFiles: sed -i and some editors write a
// temporary file beside the page and rename it over the page; the
// vanished temporary file must not force a full build.
func TestSessionIgnoresTemporaryFiles(t *testing.T) {
	root := copyExampleHub(t)
	served := filepath.Join(t.TempDir(), "public")
	s, _, err := Open(context.Background(), sessionOptions(root, served))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(root, "content", "tips", "two-jobs.md")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(root, "content", "tips", "sedX66vh7")
	if err := os.WriteFile(tmp, append(data, "\nEdited with sed.\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, file); err != nil {
		t.Fatal(err)
	}
	u, err := s.Update(context.Background(), []string{"content/tips/sedX66vh7", "content/tips/two-jobs.md"})
	if err != nil {
		t.Fatal(err)
	}
	if u.Full {
		t.Error("a vanished temporary file forced a full build")
	}
	sameAsFullBuild(t, root, served, "sed -i")
	if u, err := s.Update(context.Background(), []string{"content/tips/sedGone"}); err != nil || u == nil || u.Full {
		t.Errorf("only a vanished temporary file: %+v, %v; want an empty incremental update", u, err)
	}
}

// TestSessionLiveClock: with serve's running clock, a page dated after
// the session started (as agora new writes it) is published on its next
// update, as a build made then would publish it.
func TestSessionLiveClock(t *testing.T) {
	root := copyExampleHub(t)
	served := filepath.Join(t.TempDir(), "public")
	opt := Options{Source: root, Destination: served, BaseURL: "https://example.org/hub/"}
	s, _, err := Open(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond) // the new page's date is in whole seconds
	page := fmt.Sprintf("+++\ntitle = \"Dated now\"\ndate = %s\n+++\nJust written.\n", time.Now().UTC().Format(time.RFC3339))
	if err := os.WriteFile(filepath.Join(root, "content", "tips", "dated-now.md"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Update(context.Background(), []string{"content/tips/dated-now.md"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(served, "tips", "dated-now", "index.html")); err != nil {
		t.Fatalf("the page dated after serve started is not served: %v", err)
	}
	opt.Destination = ""
	sameAsBuild(t, opt, served, "live clock")
}

// TestSessionTick: on a live clock the served site goes out of date with
// no edit when an event ends; Tick brings it in line with a build made
// then, and the session says when that is due.
func TestSessionTick(t *testing.T) {
	root := copyExampleHub(t)
	now := time.Now().UTC().Truncate(time.Second)
	ends := now.Add(2 * time.Second)
	event := fmt.Sprintf("+++\ntitle = \"Ending soon\"\ndate = %s\n\n[event]\ntimezone = \"UTC\"\nstart = %s\nend = %s\nvenue = \"The hall\"\n+++\nAn event about to end.\n",
		now.Add(-48*time.Hour).Format(time.RFC3339), now.Add(-time.Hour).Format(time.RFC3339), ends.Format(time.RFC3339))
	if err := os.WriteFile(filepath.Join(root, "content", "events", "ending-soon.md"), []byte(event), 0o644); err != nil {
		t.Fatal(err)
	}
	served := filepath.Join(t.TempDir(), "public")
	opt := Options{Source: root, Destination: served, BaseURL: "https://example.org/hub/"}
	s, _, err := Open(context.Background(), opt)
	if err != nil {
		t.Fatal(err)
	}
	if due := s.ValidUntil(); due.IsZero() || due.After(ends) {
		t.Fatalf("ValidUntil = %v, want at or before the event's end %v", due, ends)
	}
	if u, err := s.Tick(context.Background()); err != nil || len(u.Changed) != 0 || u.Full {
		t.Fatalf("Tick before anything is due: %+v, %v; want nothing done", u, err)
	}
	time.Sleep(time.Until(ends) + 100*time.Millisecond)
	u, err := s.Tick(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if u.Full || len(u.Changed) == 0 {
		t.Errorf("Tick after the event ended: full=%v, %d files rewritten; want an incremental update", u.Full, len(u.Changed))
	}
	opt.Destination = ""
	sameAsBuild(t, opt, served, "after the event ended")
}

// TestSessionCascadeEdits: a cascade changes pages other than the one
// edited, so adding one, editing under one, and YAML front matter all end
// in exactly what a full build writes.
func TestSessionCascadeEdits(t *testing.T) {
	root := copyExampleHub(t)
	served := filepath.Join(t.TempDir(), "public")
	s, _, err := Open(context.Background(), sessionOptions(root, served))
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct{ file, data string }{
		{"content/tips/_index.md", "---\ntitle: Tips\ncascade:\n  draft: true\n---\nTips.\n"},
		{"content/tips/two-jobs.md", "---\ntitle: Two jobs, in YAML\ndate: 2026-01-05T09:00:00+05:30\n---\nNow YAML.\n"},
		{"content/tips/_index.md", "+++\ntitle = \"Tips\"\n+++\nTips again.\n"},
	}
	for _, st := range steps {
		if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(st.file)), []byte(st.data), 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Update(context.Background(), []string{st.file}); err != nil {
			t.Fatalf("%s: %v", st.file, err)
		}
		sameAsFullBuild(t, root, served, "edit "+st.file)
	}
}
