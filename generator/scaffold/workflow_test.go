package scaffold_test

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/agora-hub/agora/generator/scaffold"
	"github.com/agora-hub/agora/generator/schedule"
)

// pagesWorkflow is the part of the scaffolded workflow the test reads.
type pagesWorkflow struct {
	On struct {
		Push struct {
			Branches []string `yaml:"branches"`
		} `yaml:"push"`
		Schedule []struct {
			Cron string `yaml:"cron"`
		} `yaml:"schedule"`
	} `yaml:"on"`
	Env         map[string]string `yaml:"env"`
	Permissions map[string]string `yaml:"permissions"`
	Jobs        map[string]struct {
		Steps []struct {
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// TestWorkflow parses the scaffolded GitHub Pages workflow as YAML: it
// deploys on push, rebuilds every hour on a schedule, and builds with the
// Agora that scaffolded the site, pinned in one line, or with the newest
// release and a comment saying why when that was a development build.
func TestWorkflow(t *testing.T) {
	tests := []struct {
		name     string
		version  string
		pinnable bool
		want     string
		comment  string
	}{
		{"a release", "v0.4.0", true, "v0.4.0", "the site changes only when you change this line"},
		{"a commit", "v0.4.1-0.20261107153045-a51d70be185e", true, "v0.4.1-0.20261107153045-a51d70be185e", "`agora version` tells"},
		{"a development build", "(devel)", false, "latest", "a development build of Agora, which has no\n  # version to pin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "hub")
			if _, err := scaffold.Site(dir, tt.version, tt.pinnable); err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(filepath.Join(dir, ".github", "workflows", "pages.yml"))
			if err != nil {
				t.Fatal(err)
			}
			var wf pagesWorkflow
			if err := yaml.Unmarshal(data, &wf); err != nil {
				t.Fatalf("not YAML: %v", err)
			}
			var raw struct {
				On map[string]any `yaml:"on"`
			}
			if err := yaml.Unmarshal(data, &raw); err != nil {
				t.Fatal(err)
			}
			triggers := slices.Sorted(maps.Keys(raw.On))
			if !slices.Equal(triggers, []string{"push", "schedule", "workflow_dispatch"}) || !slices.Equal(wf.On.Push.Branches, []string{"main"}) {
				t.Errorf("triggers %v, push to %v", triggers, wf.On.Push.Branches)
			}
			if len(wf.On.Schedule) != 1 {
				t.Fatalf("schedule: %v, want one cron", wf.On.Schedule)
			}
			cron, err := schedule.ParseCron(wf.On.Schedule[0].Cron)
			if err != nil {
				t.Fatal(err)
			}
			if got := cron.Interval(time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)); got != time.Hour {
				t.Errorf("cron %q runs every %s, want every hour", cron.Expr, got)
			}
			if next := cron.Next(time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)); next.Minute() == 0 {
				t.Errorf("cron %q runs at the full hour, when GitHub delays runs", cron.Expr)
			}

			if got := wf.Env["AGORA_VERSION"]; got != tt.want {
				t.Errorf("AGORA_VERSION %q, want %q", got, tt.want)
			}
			if !strings.Contains(string(data), tt.comment) {
				t.Errorf("the workflow does not say %q:\n%s", tt.comment, data)
			}
			// One line to bump: the version appears once.
			if n := strings.Count(string(data), "AGORA_VERSION: "); n != 1 {
				t.Errorf("AGORA_VERSION is set %d times, want once", n)
			}
			if w := schedule.ParseWorkflow("pages.yml", data); w.Version != tt.want || len(w.Crons) != 1 || len(w.Errs) > 0 {
				t.Errorf("agora plan reads %+v", w)
			}

			var build string
			for _, s := range wf.Jobs["build"].Steps {
				if strings.Contains(s.Run, "agora") {
					build = s.Run
				}
			}
			if !strings.Contains(build, `go run "github.com/agora-hub/agora/cmd/agora@${AGORA_VERSION}" build`) ||
				!strings.Contains(build, `--baseURL "${{ steps.pages.outputs.base_url }}/"`) {
				t.Errorf("build step %q", build)
			}
			if wf.Permissions["pages"] != "write" || wf.Permissions["id-token"] != "write" || wf.Permissions["contents"] != "read" {
				t.Errorf("permissions %v", wf.Permissions)
			}
			var deploys bool
			for _, s := range wf.Jobs["deploy"].Steps {
				deploys = deploys || strings.HasPrefix(s.Uses, "actions/deploy-pages@")
			}
			if !deploys {
				t.Error("no deploy-pages step")
			}
		})
	}
}
