package config_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/agora-hub/agora/generator/config"
)

func TestPlanTable(t *testing.T) {
	src := "title = \"Hub\"\n\n[plan]\ntransparency = 1\ntips = 2 # Mondays and Thursdays\nposts = 0\n"
	c, err := config.Parse("site.toml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []config.Target{{"transparency", 1, 4}, {"tips", 2, 5}, {"posts", 0, 6}}
	if !slices.Equal(c.Plan.Targets, want) {
		t.Errorf("targets %+v, want %+v (site.toml order, with lines)", c.Plan.Targets, want)
	}
	if c.Plan.PerWeek("tips") != 2 || c.Plan.PerWeek("events") != 0 {
		t.Errorf("PerWeek: tips %d, events %d", c.Plan.PerWeek("tips"), c.Plan.PerWeek("events"))
	}

	c, err = config.Parse("site.toml", []byte("title = \"Hub\"\n"))
	if err != nil || c.Plan.Targets != nil {
		t.Errorf("no [plan]: %+v, %v", c.Plan.Targets, err)
	}
}

func TestPlanErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"negative", "[plan]\ntips = 2\nevents = -1\n", `site.toml:3: plan.events: want 0 or more items per week, got -1`},
		{"fraction", "[plan]\ntips = 1.5\n", `site.toml:2: plan.tips: want a whole number of items per week, such as 2; got 1.5`},
		{"string", "title = \"Hub\"\n[plan]\ntips = \"2\"\n", `site.toml:3: plan.tips: want a whole number of items per week, such as 2; got the string "2"`},
		{"sub-table", "[plan]\ntips = 1\n[plan.events]\nweekly = 1\n", `site.toml:3: plan.events: want a whole number of items per week, such as 2; got a table`},
		{"not a table", "title = \"Hub\"\nplan = 3\n", `site.toml:2: plan must be a table`},
		{"path as key", "[plan]\n\"tips/old\" = 1\n", `site.toml:2: plan: "tips/old" is not a section name`},
		{"dot folder", "[plan]\n\".hidden\" = 1\n", `site.toml:1: plan: ".hidden" is not a section name`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Parse("site.toml", []byte(tc.src))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want %q", err, tc.want)
			}
		})
	}
}
