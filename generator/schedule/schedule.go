package schedule

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// A Moment is a time at which the site changes with no edit.
type Moment struct {
	At   time.Time `json:"at"`
	File string    `json:"file"` // "content/tips/x.md"
	What string    `json:"what"` // "is published", "expires", "starts", "ends"
}

const day = 24 * time.Hour

// Need is how often a site must be rebuilt to show each change on time:
// every Period, at Offset past midnight UTC and every Period after. It is
// the finest grid in UTC (cron's zone) that holds every moment's time of
// day: all at 23:00 UTC is daily, all on the hour is hourly, some at :30
// is half-hourly.
type Need struct {
	Period time.Duration `json:"-"` // 0: nothing is scheduled
	Offset time.Duration `json:"-"` // of the grid, less than Period
	// Finest is a moment that needs the Period: the last that made the
	// grid finer.
	Finest  Moment `json:"finest"`
	Moments int    `json:"moments"`
	Suggest string `json:"suggest"` // a cron expression that meets it
}

const minutesPerDay = 24 * 60

// Needed works out the Need of moments.
func Needed(moments []Moment) Need {
	n := Need{Moments: len(moments)}
	if len(moments) == 0 {
		return n
	}
	minuteOfDay := func(t time.Time) int {
		t = t.UTC()
		m := t.Hour()*60 + t.Minute()
		if t.Truncate(time.Minute) != t {
			m++ // a change at 09:00:30 is seen by a build at 09:01
		}
		return m % minutesPerDay
	}
	first := minuteOfDay(moments[0].At)
	period := minutesPerDay
	n.Finest = moments[0]
	for _, m := range moments[1:] {
		d := minuteOfDay(m.At) - first
		if d < 0 {
			d = -d
		}
		if p := gcd(period, d); p < period {
			period, n.Finest = p, m
		}
	}
	n.Period = time.Duration(period) * time.Minute
	n.Offset = time.Duration(first%period) * time.Minute
	n.Suggest = suggest(period, first%period)
	return n
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// GitHub runs scheduled workflows at most every 5 minutes.
const shortestCron = 5 * time.Minute

// suggest is a cron that runs every period minutes from offset past
// midnight UTC, or as near as cron and GitHub allow.
func suggest(period, offset int) string {
	switch {
	case period >= minutesPerDay:
		return fmt.Sprintf("%d %d * * *", offset%60, offset/60)
	case period%60 == 0 && 24%(period/60) == 0:
		h := period / 60
		if h == 1 {
			return fmt.Sprintf("%d * * * *", offset%60)
		}
		if offset/60 == 0 {
			return fmt.Sprintf("%d */%d * * *", offset%60, h)
		}
		return fmt.Sprintf("%d %d-23/%d * * *", offset%60, offset/60, h)
	case period%60 == 0:
		return fmt.Sprintf("%d * * * *", offset%60)
	}
	step := gcd(period, 60) // minutes that repeat every hour
	if step < int(shortestCron/time.Minute) {
		return "*/5 * * * *"
	}
	if offset%step == 0 {
		return fmt.Sprintf("*/%d * * * *", step)
	}
	return fmt.Sprintf("%d-59/%d * * * *", offset%step, step)
}

// Every says a period in words: "every hour", "every 15 minutes".
func Every(p time.Duration) string {
	switch {
	case p <= time.Minute:
		return "every minute"
	case p == day:
		return "once a day"
	case p%day == 0:
		return fmt.Sprintf("every %d days", p/day)
	case p == time.Hour:
		return "every hour"
	case p%time.Hour == 0:
		return fmt.Sprintf("every %d hours", p/time.Hour)
	case p > time.Hour:
		return fmt.Sprintf("every %s", strings.TrimSuffix(p.String(), "0s"))
	}
	return fmt.Sprintf("every %d minutes", p/time.Minute)
}

// Check is how a workflow's schedule keeps up with a site's moments.
type Check struct {
	Workflow string   `json:"workflow"` // ".github/workflows/pages.yml"
	Crons    []string `json:"crons"`    // none: the workflow has no schedule
	// Interval is the longest time between two runs.
	Interval time.Duration `json:"-"`
	// Late is the longest a moment waits for the next run, LateMoment
	// that moment.
	Late       time.Duration `json:"-"`
	LateMoment Moment        `json:"late_moment"`
	// OK: every moment is picked up before the next one on its grid
	// could be due (Late < Need.Period, or GitHub's 5 minutes if that is
	// longer), or nothing is scheduled.
	OK bool `json:"ok"`
}

// Compare checks crons, one workflow's schedule, against moments.
func Compare(workflow string, crons []Cron, need Need, moments []Moment) Check {
	c := Check{Workflow: workflow}
	for _, cr := range crons {
		c.Crons = append(c.Crons, cr.Expr)
	}
	if len(crons) == 0 {
		c.OK = len(moments) == 0
		return c
	}
	next := func(t time.Time) time.Time {
		var best time.Time
		for _, cr := range crons {
			if n := cr.Next(t); !n.IsZero() && (best.IsZero() || n.Before(best)) {
				best = n
			}
		}
		return best
	}
	from := time.Now()
	if len(moments) > 0 {
		from = moments[0].At
	}
	// The union of the crons: the longest gap between two runs of any.
	prev := next(from)
	for end := prev.AddDate(0, 0, 8); !prev.IsZero() && prev.Before(end); {
		n := next(prev.Add(time.Minute))
		if n.IsZero() {
			break
		}
		c.Interval = max(c.Interval, n.Sub(prev))
		prev = n
	}
	if len(crons) == 1 {
		c.Interval = crons[0].Interval(from) // beyond the week: monthly crons
	}
	for _, m := range moments {
		run := next(m.At)
		if run.IsZero() {
			continue
		}
		if late := run.Sub(m.At); late > c.Late || c.LateMoment.At.IsZero() {
			c.Late, c.LateMoment = late, m
		}
	}
	c.OK = len(moments) == 0 || c.Late < max(need.Period, shortestCron)
	return c
}

// MarshalJSON writes the durations in minutes, for scripts.
func (n Need) MarshalJSON() ([]byte, error) {
	type plain Need
	return json.Marshal(struct {
		plain
		PeriodMinutes int `json:"period_minutes"`
		OffsetMinutes int `json:"offset_minutes"`
	}{plain(n), int(n.Period / time.Minute), int(n.Offset / time.Minute)})
}

// MarshalJSON writes the durations in minutes, for scripts.
func (c Check) MarshalJSON() ([]byte, error) {
	type plain Check
	return json.Marshal(struct {
		plain
		IntervalMinutes int `json:"interval_minutes"`
		LateMinutes     int `json:"late_minutes"`
	}{plain(c), int(c.Interval / time.Minute), int(c.Late / time.Minute)})
}
