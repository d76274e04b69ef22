// Package schedule works out how often a static site must be rebuilt to
// keep its schedule (pages published or expiring at set times, events
// starting and ending), and whether the cron of a GitHub Actions workflow
// rebuilds it often enough.
package schedule

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
	"time"
)

// Cron is a five-field POSIX cron expression as GitHub Actions reads it:
// minute, hour, day of month, month, day of week, in UTC, each field `*`,
// a number or name, a range a-b, a step */n or a-b/n, or a list of those.
type Cron struct {
	Expr                              string
	minutes, hours, days, months, dow uint64 // bit i set: value i matches
	// Both day fields restricted means either may match, as in cron.
	anyDay, anyDow bool
}

// cronSearch bounds Next: a cron that matches once in four years (29
// February on a Monday...) runs later than anyone waits for a page.
const cronSearch = 4 * 366 * 24 * time.Hour

var (
	monthNames = []string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
	dowNames   = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}
)

// ParseCron parses expr.
func ParseCron(expr string) (Cron, error) {
	f := strings.Fields(expr)
	if len(f) != 5 {
		return Cron{}, fmt.Errorf("cron %q: want 5 fields (minute hour day-of-month month day-of-week), got %d", expr, len(f))
	}
	c := Cron{Expr: expr}
	var err error
	fields := []struct {
		name     string
		min, max int
		names    []string
		nameBase int
		dst      *uint64
	}{
		{"minute", 0, 59, nil, 0, &c.minutes},
		{"hour", 0, 23, nil, 0, &c.hours},
		{"day of month", 1, 31, nil, 0, &c.days},
		{"month", 1, 12, monthNames, 1, &c.months},
		{"day of week", 0, 6, dowNames, 0, &c.dow},
	}
	for i, fd := range fields {
		if *fd.dst, err = parseField(f[i], fd.min, fd.max, fd.names, fd.nameBase); err != nil {
			return Cron{}, fmt.Errorf("cron %q: %s: %w", expr, fd.name, err)
		}
	}
	c.anyDay = f[2] == "*"
	c.anyDow = f[4] == "*"
	return c, nil
}

func parseField(s string, lo, hi int, names []string, nameBase int) (uint64, error) {
	var set uint64
	for _, part := range strings.Split(s, ",") {
		rng, stepText, hasStep := strings.Cut(part, "/")
		step := 1
		if hasStep {
			n, err := strconv.Atoi(stepText)
			if err != nil || n < 1 || n > hi {
				return 0, fmt.Errorf("step %q: want a number from 1 to %d", stepText, hi)
			}
			step = n
		}
		from, to := lo, hi
		if rng != "*" {
			a, b, isRange := strings.Cut(rng, "-")
			var err error
			if from, err = value(a, lo, hi, names, nameBase); err != nil {
				return 0, err
			}
			to = from
			if isRange {
				if to, err = value(b, lo, hi, names, nameBase); err != nil {
					return 0, err
				}
				if to < from {
					return 0, fmt.Errorf("range %q runs backwards", rng)
				}
			} else if hasStep {
				to = hi // "5/15" is 5-59/15
			}
		}
		for v := from; v <= to; v += step {
			set |= 1 << v
		}
	}
	return set, nil
}

func value(s string, lo, hi int, names []string, nameBase int) (int, error) {
	for i, n := range names {
		if strings.EqualFold(s, n) {
			return i + nameBase, nil
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < lo || v > hi {
		return 0, fmt.Errorf("%q: want %d to %d", s, lo, hi)
	}
	return v, nil
}

func (c Cron) dayMatches(t time.Time) bool {
	if c.months&(1<<int(t.Month())) == 0 {
		return false
	}
	dom := c.days&(1<<t.Day()) != 0
	dow := c.dow&(1<<int(t.Weekday())) != 0
	switch {
	case c.anyDay && c.anyDow:
		return true
	case c.anyDay:
		return dow
	case c.anyDow:
		return dom
	}
	return dom || dow
}

// Next is the first run at or after t, in UTC; zero if there is none
// within four years.
func (c Cron) Next(t time.Time) time.Time {
	t = t.UTC()
	if t.Truncate(time.Minute) != t {
		t = t.Truncate(time.Minute).Add(time.Minute)
	}
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	for end := t.Add(cronSearch); !day.After(end); day = day.AddDate(0, 0, 1) {
		if !c.dayMatches(day) {
			continue
		}
		for h := 0; h < 24; h++ {
			if c.hours&(1<<h) == 0 {
				continue
			}
			for m := 0; m < 60; m++ {
				if c.minutes&(1<<m) == 0 {
					continue
				}
				if run := day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute); !run.Before(t) {
					return run
				}
			}
		}
	}
	return time.Time{}
}

// Interval is the longest gap between two runs over a year from from: how
// late, at worst, a change at any moment is picked up.
func (c Cron) Interval(from time.Time) time.Duration {
	if c.perDay() == 24*60 {
		return time.Minute
	}
	var longest time.Duration
	prev := c.Next(from)
	if prev.IsZero() {
		return 0
	}
	for end := prev.AddDate(1, 0, 0); prev.Before(end); {
		next := c.Next(prev.Add(time.Minute))
		if next.IsZero() {
			break
		}
		longest = max(longest, next.Sub(prev))
		prev = next
	}
	return longest
}

func (c Cron) perDay() int { return bits.OnesCount64(c.minutes) * bits.OnesCount64(c.hours) }
