package plan

import (
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/agora-hub/agora/generator/schedule"
)

// Rebuild tells how often the site must be rebuilt to keep its schedule
// with no push (pages published or expiring at set times, events starting
// and ending), and how the schedules of its Agora workflows compare.
type Rebuild struct {
	Need      schedule.Need     `json:"need"`
	Next      []schedule.Moment `json:"next"` // the first few moments
	Workflows []schedule.Check  `json:"workflows"`
	Problems  []string          `json:"problems"` // workflows that could not be read
}

// rebuildNext is how many upcoming moments the report names.
const rebuildNext = 3

func rebuild(site fs.FS, moments []schedule.Moment) *Rebuild {
	r := &Rebuild{Need: schedule.Needed(moments), Next: moments[:min(len(moments), rebuildNext)]}
	for _, w := range schedule.Workflows(site) {
		r.Problems = append(r.Problems, w.Errs...)
		if len(w.Errs) > 0 && len(w.Crons) == 0 {
			continue
		}
		r.Workflows = append(r.Workflows, schedule.Compare(w.File, w.Crons, r.Need, moments))
	}
	return r
}

// lines is the report in sentences, each wrapped to Width.
func (r *Rebuild) lines() []string {
	var out []string
	say := func(format string, args ...any) {
		for _, l := range wrap(fmt.Sprintf(format, args...), Width) {
			out = append(out, strings.ReplaceAll(l, keepTogether, " "))
		}
	}
	n := r.Need
	if n.Period == 0 {
		say("Scheduled builds: nothing changes with the clock alone; a build on every push is enough.")
	} else {
		say("Scheduled builds: %d %s with the clock alone; the next:", n.Moments, plurals(n.Moments, "change comes", "changes come"))
		for _, m := range r.Next {
			out = append(out, clip(fmt.Sprintf("  · %s  %s %s", m.At.Format("Mon 02 Jan 15:04 MST"), strings.TrimPrefix(m.File, "content/"), m.What), Width))
		}
		say("To show each on time the site must rebuild %s (cron %s, in UTC), since %s.", schedule.Every(n.Period), cron(n.Suggest), moment(n.Finest))
	}
	for _, c := range r.Workflows {
		switch {
		case len(c.Crons) == 0 && n.Period == 0:
			say("%s has no schedule; none is needed yet.", c.Workflow)
		case len(c.Crons) == 0:
			say("%s has no schedule: these changes go live only at the next push. Add on: schedule: - cron: %s.", c.Workflow, cron(n.Suggest))
		case n.Period == 0:
			say("%s rebuilds %s (cron %s).", c.Workflow, schedule.Every(c.Interval), quoted(c.Crons))
		case c.OK:
			say("%s rebuilds %s (cron %s): each change goes live within %s. ✓", c.Workflow, schedule.Every(c.Interval), quoted(c.Crons), duration(c.Late))
		default:
			say("%s rebuilds %s (cron %s), too seldom: a change waits up to %s (%s). Use cron %s.",
				c.Workflow, schedule.Every(c.Interval), quoted(c.Crons), duration(c.Late), moment(c.LateMoment), cron(n.Suggest))
		}
	}
	for _, p := range r.Problems {
		say("%s", p)
	}
	return out
}

func moment(m schedule.Moment) string {
	return fmt.Sprintf("%s %s at %s", strings.TrimPrefix(m.File, "content/"), m.What, m.At.Format("15:04 MST on Mon 02 Jan"))
}

func quoted(crons []string) string {
	q := make([]string, len(crons))
	for i, c := range crons {
		q[i] = cron(c)
	}
	return strings.Join(q, ", ")
}

// keepTogether stands for the spaces of a cron expression while a
// sentence is wrapped, so that one is never split over two lines.
const keepTogether = "\x1f"

func cron(expr string) string { return `"` + strings.ReplaceAll(expr, " ", keepTogether) + `"` }

// duration says a delay in words a reader takes in at once: "5 minutes",
// "2 hours 5 minutes".
func duration(d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%d %s", m, plurals(m, "minute", "minutes"))
	case m == 0:
		return fmt.Sprintf("%d %s", h, plurals(h, "hour", "hours"))
	}
	return fmt.Sprintf("%d %s %d %s", h, plurals(h, "hour", "hours"), m, plurals(m, "minute", "minutes"))
}

func plurals(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
