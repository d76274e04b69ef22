package themes_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/agora-hub/agora/newsletter/digest"
	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// lintDir is where .ci/run installs the linter (npm ci): doiuse-email on
// caniemail's data, at the version package-lock.json pins.
const lintDir = "../.ci/emaillint"

type allowEntry struct {
	Feature  string   `toml:"feature"`
	Clients  []string `toml:"clients"`
	Fallback string   `toml:"fallback"`
	Reason   string   `toml:"reason"`
}

// TestEmailLint renders the example hub's digest and welcome mails with
// the default theme and lints them against caniemail's data: any feature
// that Gmail, Outlook or Apple Mail lacks fails, unless the allow-list
// names it with the fallback the template has, and the fallback is there.
// Without node or the installed linter the test is skipped, except under
// CI, which installs both.
func TestEmailLint(t *testing.T) {
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(lintDir, "node_modules", "@jsx-email", "doiuse-email", "package.json"))
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but the e-mail linter is missing (.ci/run installs it with npm ci in %s): %v", lintDir, err)
		}
		t.Skipf("no e-mail linter (npm ci --prefix %s): %v", lintDir, err)
	}
	var allow struct{ Allow []allowEntry }
	if _, err := toml.DecodeFile("testdata/caniemail-allow.toml", &allow); err != nil {
		t.Fatal(err)
	}
	for _, a := range allow.Allow {
		if a.Feature == "" || len(a.Clients) == 0 || a.Fallback == "" || strings.TrimSpace(a.Reason) == "" {
			t.Fatalf("allow-list entry %+v: want feature, clients, fallback and reason", a)
		}
	}

	mails := map[string]string{}
	for name, r := range renderExample(t) {
		mails[name] = r.HTML
	}
	dir := t.TempDir()
	var files []string
	for name, html := range mails {
		f := filepath.Join(dir, name+".html")
		if err := os.WriteFile(f, []byte(html), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	slices.Sort(files)
	out, err := exec.Command(node, append([]string{filepath.Join(lintDir, "lint.js")}, files...)...).Output()
	if err != nil {
		t.Fatalf("the linter failed: %v", err)
	}
	var errs map[string][]string
	if err := json.Unmarshal(out, &errs); err != nil {
		t.Fatalf("the linter's output %q: %v", out, err)
	}
	unsupported := regexp.MustCompile("^`(.+)` is not supported by `(.+)`$")
	used := make([]bool, len(allow.Allow))
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".html")
		for _, e := range errs[f] {
			m := unsupported.FindStringSubmatch(e)
			if m == nil {
				t.Errorf("%s: %s", name, e)
				continue
			}
			i := slices.IndexFunc(allow.Allow, func(a allowEntry) bool { return a.Feature == m[1] && slices.Contains(a.Clients, m[2]) })
			switch {
			case i < 0:
				t.Errorf("%s: %s, and testdata/caniemail-allow.toml names no fallback for it", name, e)
			case !strings.Contains(mails[name], allow.Allow[i].Fallback):
				t.Errorf("%s: %s, and its fallback %q is not in the mail", name, e, allow.Allow[i].Fallback)
			default:
				used[i] = true
			}
		}
	}
	for i, u := range used {
		if !u {
			t.Errorf("allow-list entry %q is not needed any more: remove it", allow.Allow[i].Feature)
		}
	}
}

// renderExample renders, with the built-in theme, the example hub's
// first digest (more tips than max_items, a name, topics) and each of its
// welcome steps.
func renderExample(t *testing.T) map[string]digest.Rendered {
	t.Helper()
	site, err := digest.Open("..")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	items, err := site.Gather(time.Time{}, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) < 3 {
		t.Fatalf("the example hub has %d tips", len(items))
	}
	is := store.Issue{Number: 1, Created: now, Cutoff: now, ArchivePath: strings.ReplaceAll(site.ArchivePath(now), "{n}", "1")}
	sub := subscriber.Subscriber{ID: 1, Email: "ada@example.org", Name: "Ada", Status: subscriber.Active}
	prefs := "https://news.example.org/preferences?t=TOKEN"
	out := map[string]digest.Rendered{}
	r, err := site.Templates().Render(digest.Message{Issue: is, ArchiveURL: site.ArchiveURL(is.ArchivePath), Subscriber: sub,
		Items: items[:2], More: len(items) - 2, UnsubscribeURL: "https://news.example.org/unsubscribe?t=TOKEN", PreferencesURL: prefs})
	if err != nil {
		t.Fatal(err)
	}
	out["digest"] = r
	steps, err := site.WelcomeSteps(now)
	if err != nil {
		t.Fatal(err)
	}
	for i, st := range steps {
		r, err := site.Templates().RenderWelcome(digest.WelcomeMessage{Step: st, Subscriber: sub,
			UnsubscribeURL: "https://news.example.org/unsubscribe?t=TOKEN", PreferencesURL: prefs})
		if err != nil {
			t.Fatal(err)
		}
		out[fmt.Sprintf("welcome-%d", i+1)] = r
	}
	return out
}
