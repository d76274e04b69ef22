package tplfuncs

import (
	"reflect"
	"strings"
	"time"
)

// timeNS is Hugo's time namespace.
type timeNS struct{ e *env }

func (ns *timeNS) loc() *time.Location {
	if ns.e.deps.Location != nil {
		return ns.e.deps.Location
	}
	return time.UTC
}

// Format is Hugo's time.Format LAYOUT VALUE, also dateFormat.
func (*timeNS) Format(layout, v any) (string, error) { return dateFormat(layout, v) }

// Now is Hugo's now: the build clock, so that --now makes builds
// reproducible.
func (ns *timeNS) Now() time.Time {
	if ns.e.deps.Now != nil {
		return ns.e.deps.Now()
	}
	return time.Now()
}

// AsTime is Hugo's time.AsTime VALUE [LOCATION]: a date string (read in
// the site's time zone, or LOCATION, when it has none), Unix seconds or a
// time.
func (ns *timeNS) AsTime(v any, location ...any) (time.Time, error) {
	loc := ns.loc()
	if len(location) > 0 {
		name, err := str("time.AsTime", location[0])
		if err != nil {
			return time.Time{}, err
		}
		if loc, err = time.LoadLocation(name); err != nil {
			return time.Time{}, fail("time.AsTime", "%w", err)
		}
	}
	if s, ok := v.(string); ok {
		t, err := parseTimeIn(s, loc)
		return t, wrap("time.AsTime", err)
	}
	t, err := toTime(v)
	return t, wrap("time.AsTime", err)
}

// parseTimeIn is parseTime with zone-less strings read in loc.
func parseTimeIn(s string, loc *time.Location) (time.Time, error) {
	t, err := parseTime(s)
	if err != nil || loc == time.UTC || hasZone(s) {
		return t, err
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc), nil
}

// hasZone reports whether a date string carries its own offset.
func hasZone(s string) bool {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "Z") || strings.Contains(s, "GMT") || strings.Contains(s, "UTC") {
		return true
	}
	if i := strings.LastIndexAny(s, "+-"); i > 7 {
		return true
	}
	return false
}

// In is Hugo's time.In ZONE TIME.
func (*timeNS) In(zone any, v any) (time.Time, error) {
	name, err := str("time.In", zone)
	if err != nil {
		return time.Time{}, err
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.Time{}, fail("time.In", "%w", err)
	}
	t, err := toTime(v)
	if err != nil {
		return time.Time{}, fail("time.In", "%w", err)
	}
	return t.In(loc), nil
}

// ParseDuration is Hugo's time.ParseDuration ("1h30m").
func (*timeNS) ParseDuration(v any) (time.Duration, error) {
	s, err := str("time.ParseDuration", v)
	if err != nil {
		return 0, err
	}
	d, err := time.ParseDuration(s)
	return d, wrap("time.ParseDuration", err)
}

var durationUnits = map[string]time.Duration{
	"nanosecond": time.Nanosecond, "ns": time.Nanosecond,
	"microsecond": time.Microsecond, "us": time.Microsecond, "µs": time.Microsecond,
	"millisecond": time.Millisecond, "ms": time.Millisecond,
	"second": time.Second, "s": time.Second,
	"minute": time.Minute, "m": time.Minute,
	"hour": time.Hour, "h": time.Hour,
}

// Duration is Hugo's duration UNIT NUMBER.
func (*timeNS) Duration(unit, number any) (time.Duration, error) {
	u, err := str("duration", unit)
	if err != nil {
		return 0, err
	}
	d, ok := durationUnits[u]
	if !ok {
		return 0, fail("duration", "%q is not a valid duration unit", u)
	}
	nv := reflect.ValueOf(number)
	if nv.IsValid() && (nv.Kind() == reflect.Float32 || nv.Kind() == reflect.Float64) {
		return time.Duration(nv.Float() * float64(d)), nil
	}
	n, err := toInt(number)
	if err != nil {
		return 0, fail("duration", "%w", err)
	}
	return time.Duration(n) * d, nil
}

// timeExamples document the time namespace; TestExamples runs them.
func timeExamples() []Example {
	pages := examplePages()
	return []Example{
		{"dateFormat", `{{ dateFormat "Monday, 2 January 2006" "2024-03-01" }} | {{ dateFormat ":date_medium" "2024-03-01T10:30:00Z" }}`, nil, "Friday, 1 March 2024 | Mar 1, 2024"},
		{"dateFormat", `{{ range first 1 . }}{{ .Date | dateFormat "2006-01-02" }}{{ end }}`, pages, "2024-03-01"},
		{"time.Format", `{{ time.Format "Jan 2006" "2024-03-01" }} {{ now | time.Format "2006-01-02 15:04" }}`, nil, "Mar 2024 2024-03-01 09:30"},
		{"time.AsTime", `{{ (time.AsTime "2024-03-01T10:00:00").Hour }} {{ (time.AsTime "2024-03-01" "Europe/Berlin").Format "Z07:00" }}`, nil, "10 &#43;01:00"},
		{"now", `{{ now.Year }}`, nil, "2024"},
		{"duration", `{{ duration "minute" 90 }} {{ time.ParseDuration "1h30m" }}`, nil, "1h30m0s 1h30m0s"},
		{"time.In", `{{ (time.In "America/New_York" (time.AsTime "2024-03-01T12:00:00Z")).Hour }}`, nil, "7"},
	}
}
