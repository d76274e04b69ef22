package ical_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // the parser resolves TZID with time.LoadLocation; don't depend on the host's zoneinfo
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"github.com/agora-hub/agora/generator/ical"
)

func mustZone(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func render(t testing.TB, c ical.Calendar) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := ical.Write(&b, c); err != nil {
		t.Fatalf("Write: %v", err)
	}
	checkLines(t, b.Bytes())
	return b.Bytes()
}

// checkLines checks the raw bytes, which the parser would forgive: every
// line ends in CRLF, no CR or LF stands alone, no physical line exceeds 75
// octets and no fold splits a UTF-8 sequence.
func checkLines(t testing.TB, b []byte) {
	t.Helper()
	s := string(b)
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatalf("output does not end in CRLF: %q", lastBytes(s))
	}
	for i, line := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		switch {
		case strings.ContainsAny(line, "\r\n"):
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, line)
		case len(line) > 75:
			t.Fatalf("line %d has %d octets: %q", i+1, len(line), line)
		case !utf8.ValidString(line):
			t.Fatalf("line %d is not valid UTF-8 (split rune?): %q", i+1, line)
		case line == "":
			t.Fatalf("line %d is empty", i+1)
		}
	}
}

func lastBytes(s string) string {
	return s[max(0, len(s)-20):]
}

func parse(t testing.TB, b []byte) *ics.Calendar {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("parse: %v\n%s", err, b)
	}
	return cal
}

func prop(c ics.Component, name string) *ics.IANAProperty {
	props := c.UnknownPropertiesIANAProperties()
	for i := range props {
		if props[i].IANAToken == name {
			return &props[i]
		}
	}
	return nil
}

func value(t testing.TB, c ics.Component, name string) string {
	t.Helper()
	p := prop(c, name)
	if p == nil {
		t.Fatalf("no %s", name)
	}
	return p.Value
}

func param(p *ics.IANAProperty, name string) string {
	if v := p.ICalParameters[name]; len(v) == 1 {
		return v[0]
	}
	return ""
}

func onlyEvent(t testing.TB, cal *ics.Calendar) *ics.VEvent {
	t.Helper()
	evs := cal.Events()
	if len(evs) != 1 {
		t.Fatalf("got %d events, want 1", len(evs))
	}
	return evs[0]
}

func timezones(cal *ics.Calendar) map[string]*ics.VTimezone {
	out := map[string]*ics.VTimezone{}
	for _, c := range cal.Components {
		if tz, ok := c.(*ics.VTimezone); ok {
			if p := prop(tz, "TZID"); p != nil {
				out[p.Value] = tz
			}
		}
	}
	return out
}

func parseOffset(t testing.TB, s string) time.Duration {
	t.Helper()
	if len(s) != 5 && len(s) != 7 || (s[0] != '+' && s[0] != '-') {
		t.Fatalf("bad UTC offset %q", s)
	}
	var d time.Duration
	for i, unit := range []time.Duration{time.Hour, time.Minute, time.Second} {
		if 1+2*i >= len(s) {
			break
		}
		n, err := strconv.Atoi(s[1+2*i : 3+2*i])
		if err != nil {
			t.Fatalf("bad UTC offset %q", s)
		}
		d += time.Duration(n) * unit
	}
	if s[0] == '-' {
		d = -d
	}
	return d
}

// observance is a STANDARD or DAYLIGHT component as the parser read it.
type observance struct {
	kind     string
	onset    time.Time // instant
	from, to time.Duration
	name     string
}

func observances(t testing.TB, tz *ics.VTimezone) []observance {
	t.Helper()
	var out []observance
	for _, c := range tz.SubComponents() {
		var kind string
		switch c.(type) {
		case *ics.Standard:
			kind = "STANDARD"
		case *ics.Daylight:
			kind = "DAYLIGHT"
		default:
			t.Fatalf("unexpected %T in VTIMEZONE", c)
		}
		wall, err := time.Parse("20060102T150405", value(t, c, "DTSTART"))
		if err != nil {
			t.Fatal(err)
		}
		o := observance{
			kind: kind,
			from: parseOffset(t, value(t, c, "TZOFFSETFROM")),
			to:   parseOffset(t, value(t, c, "TZOFFSETTO")),
		}
		if p := prop(c, "TZNAME"); p != nil {
			o.name = p.Value
		}
		o.onset = wall.Add(-o.from) // DTSTART is local time in the "from" offset
		out = append(out, o)
	}
	return out
}

// resolve turns a DTSTART/DTEND with TZID into an instant using only the
// VTIMEZONE in the file, as a client without the IANA database would: the
// first instant whose observance maps to that wall-clock time.
func resolve(t testing.TB, cal *ics.Calendar, p *ics.IANAProperty) time.Time {
	t.Helper()
	tzid := param(p, "TZID")
	tz := timezones(cal)[tzid]
	if tz == nil {
		t.Fatalf("no VTIMEZONE for TZID %q", tzid)
	}
	wall, err := time.Parse("20060102T150405", p.Value)
	if err != nil {
		t.Fatal(err)
	}
	obs := observances(t, tz)
	for i, o := range obs {
		at := wall.Add(-o.to)
		if at.Before(o.onset) || i+1 < len(obs) && !at.Before(obs[i+1].onset) {
			continue
		}
		return at
	}
	t.Fatalf("%s %s is not covered by VTIMEZONE %s", p.IANAToken, p.Value, tzid)
	return time.Time{}
}

func TestWriteEvent(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	newYork := mustZone(t, "America/New_York")
	lastmod := time.Date(2026, 9, 1, 12, 0, 0, 0, time.UTC)

	tests := []struct {
		name       string
		event      ical.Event
		wantTZID   [2]string     // on DTSTART and DTEND; "" means UTC
		wantStart  time.Time     // instant
		wantEnd    time.Time     // instant; zero means no DTEND
		wantLength time.Duration // DTEND-DTSTART, checked separately because it is the point of some cases
	}{
		{
			name: "Berlin across the end of DST",
			event: ical.Event{
				UID:   "night@hub.example",
				Start: time.Date(2026, 10, 24, 22, 0, 0, 0, berlin),
				End:   time.Date(2026, 10, 25, 4, 0, 0, 0, berlin),
				Zone:  berlin,
			},
			wantTZID:   [2]string{"Europe/Berlin", "Europe/Berlin"},
			wantStart:  time.Date(2026, 10, 24, 20, 0, 0, 0, time.UTC),
			wantEnd:    time.Date(2026, 10, 25, 3, 0, 0, 0, time.UTC),
			wantLength: 7 * time.Hour,
		},
		{
			name: "New York across the start of DST",
			event: ical.Event{
				UID:   "spring@hub.example",
				Start: time.Date(2026, 3, 8, 1, 30, 0, 0, newYork),
				End:   time.Date(2026, 3, 8, 3, 30, 0, 0, newYork),
				Zone:  newYork,
			},
			wantTZID:   [2]string{"America/New_York", "America/New_York"},
			wantStart:  time.Date(2026, 3, 8, 6, 30, 0, 0, time.UTC),
			wantEnd:    time.Date(2026, 3, 8, 7, 30, 0, 0, time.UTC),
			wantLength: time.Hour,
		},
		{
			name: "Start given in another zone is written in Zone",
			event: ical.Event{
				UID:   "conv@hub.example",
				Start: time.Date(2026, 6, 1, 16, 0, 0, 0, time.UTC),
				End:   time.Date(2026, 6, 1, 18, 0, 0, 0, time.UTC),
				Zone:  newYork,
			},
			wantTZID:   [2]string{"America/New_York", "America/New_York"},
			wantStart:  time.Date(2026, 6, 1, 16, 0, 0, 0, time.UTC),
			wantEnd:    time.Date(2026, 6, 1, 18, 0, 0, 0, time.UTC),
			wantLength: 2 * time.Hour,
		},
		{
			name: "UTC",
			event: ical.Event{
				UID:   "utc@hub.example",
				Start: time.Date(2026, 5, 1, 18, 0, 0, 0, berlin),
				End:   time.Date(2026, 5, 1, 19, 30, 0, 0, berlin),
			},
			wantStart:  time.Date(2026, 5, 1, 16, 0, 0, 0, time.UTC),
			wantEnd:    time.Date(2026, 5, 1, 17, 30, 0, 0, time.UTC),
			wantLength: 90 * time.Minute,
		},
		{
			name: "no End",
			event: ical.Event{
				UID:   "open@hub.example",
				Start: time.Date(2026, 5, 1, 18, 0, 0, 0, berlin),
				Zone:  berlin,
			},
			wantTZID:  [2]string{"Europe/Berlin", "Europe/Berlin"},
			wantStart: time.Date(2026, 5, 1, 16, 0, 0, 0, time.UTC),
		},
		{
			// 02:30 happens twice on 2026-10-25 in Berlin. RFC 5545 reads
			// a local 02:30 as the first, the parser (via time.Date) as
			// the second, so both must be written in UTC.
			name: "second occurrence of a repeated wall-clock time",
			event: ical.Event{
				UID:   "repeat@hub.example",
				Start: time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC),
				Zone:  berlin,
			},
			wantStart: time.Date(2026, 10, 25, 1, 30, 0, 0, time.UTC),
		},
		{
			name: "first occurrence of a repeated wall-clock time",
			event: ical.Event{
				UID:   "first@hub.example",
				Start: time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC),
				End:   time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC),
				Zone:  berlin,
			},
			wantTZID:   [2]string{"", "Europe/Berlin"}, // 03:30 is unambiguous
			wantStart:  time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC),
			wantEnd:    time.Date(2026, 10, 25, 2, 30, 0, 0, time.UTC),
			wantLength: 2 * time.Hour,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.event.Stamp = lastmod
			cal := parse(t, render(t, ical.Calendar{Events: []ical.Event{tc.event}}))
			ev := onlyEvent(t, cal)
			if got := value(t, ev, "UID"); got != tc.event.UID {
				t.Errorf("UID = %q, want %q", got, tc.event.UID)
			}

			props := []string{"DTSTART"}
			wants := []time.Time{tc.wantStart}
			if tc.wantEnd.IsZero() {
				if prop(ev, "DTEND") != nil || prop(ev, "DURATION") != nil {
					t.Error("event without End has DTEND or DURATION")
				}
			} else {
				props = append(props, "DTEND")
				wants = append(wants, tc.wantEnd)
			}
			var got []time.Time
			for i, name := range props {
				p := prop(ev, name)
				if tz := param(p, "TZID"); tz != tc.wantTZID[i] {
					t.Errorf("%s TZID = %q, want %q", name, tz, tc.wantTZID[i])
				}
				if tc.wantTZID[i] == "" && !strings.HasSuffix(p.Value, "Z") {
					t.Errorf("%s = %q, want UTC", name, p.Value)
				}
				var at time.Time
				var err error
				if name == "DTSTART" {
					at, err = ev.GetStartAt()
				} else {
					at, err = ev.GetEndAt()
				}
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !at.Equal(wants[i]) {
					t.Errorf("%s (via IANA database) = %s, want %s", name, at.UTC(), wants[i])
				}
				if tc.wantTZID[i] != "" {
					if viaVTZ := resolve(t, cal, p); !viaVTZ.Equal(wants[i]) {
						t.Errorf("%s (via VTIMEZONE) = %s, want %s", name, viaVTZ, wants[i])
					}
				}
				got = append(got, at)
			}
			if len(got) == 2 {
				if d := got[1].Sub(got[0]); d != tc.wantLength {
					t.Errorf("duration = %s, want %s", d, tc.wantLength)
				}
			}
			if n := len(timezones(cal)); tc.wantTZID == [2]string{} && n != 0 {
				t.Errorf("UTC-only calendar has %d VTIMEZONEs", n)
			}
		})
	}
}

func TestWriteAllDay(t *testing.T) {
	tokyo := mustZone(t, "Asia/Tokyo")
	tests := []struct {
		name             string
		start, end       time.Time
		wantStart, wantE string
	}{
		{"two days", time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC), "20260501", "20260503"},
		{"one day without End", time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), time.Time{}, "20260501", "20260502"},
		{"one day with End on the same day", time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC), time.Date(2026, 5, 1, 17, 0, 0, 0, time.UTC), "20260501", "20260502"},
		// 2026-05-01 in Tokyo is still 2026-04-30 in UTC: the date is the
		// one the caller wrote, not the UTC one.
		{"dates in their own zone", time.Date(2026, 5, 1, 0, 0, 0, 0, tokyo), time.Date(2026, 5, 3, 0, 0, 0, 0, tokyo), "20260501", "20260504"},
		{"across a month", time.Date(2026, 2, 27, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 28, 0, 0, 0, 0, time.UTC), "20260227", "20260301"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := ical.Event{UID: "fest@hub.example", Start: tc.start, End: tc.end, AllDay: true, Zone: tokyo}
			cal := parse(t, render(t, ical.Calendar{Events: []ical.Event{e}}))
			ev := onlyEvent(t, cal)
			for name, want := range map[string]string{"DTSTART": tc.wantStart, "DTEND": tc.wantE} {
				p := prop(ev, name)
				if p == nil {
					t.Fatalf("no %s", name)
				}
				if p.Value != want || param(p, "VALUE") != "DATE" || param(p, "TZID") != "" {
					t.Errorf("%s = %q %v, want VALUE=DATE:%s", name, p.Value, p.ICalParameters, want)
				}
			}
			start, err := ev.GetAllDayStartAt()
			if err != nil {
				t.Fatal(err)
			}
			end, err := ev.GetAllDayEndAt()
			if err != nil {
				t.Fatal(err)
			}
			if got := start.Format("20060102") + "/" + end.Format("20060102"); got != tc.wantStart+"/"+tc.wantE {
				t.Errorf("parsed dates %s, want %s/%s", got, tc.wantStart, tc.wantE)
			}
			if n := len(timezones(cal)); n != 0 {
				t.Errorf("all-day event produced %d VTIMEZONEs", n)
			}
		})
	}
}

func TestWriteProperties(t *testing.T) {
	start := time.Date(2026, 5, 1, 18, 0, 0, 0, time.UTC)
	stamp := time.Date(2026, 4, 2, 3, 4, 5, 0, time.UTC)
	lastmod := time.Date(2026, 4, 1, 10, 0, 0, 0, mustZone(t, "Europe/Berlin"))
	tests := []struct {
		name  string
		event ical.Event
		want  map[string]string // property → value as parsed (TEXT unescaped)
		none  []string          // properties that must be absent
	}{
		{
			name: "text round-trips",
			event: ical.Event{
				UID:         "a,b;c@hub.example",
				Summary:     `Meetup; Q&A, café \ "quotes" — 東京 🎉`,
				Description: "Line one,\nline two; with \\n literal\n\nend",
				Location:    "Haus der Kulturen, John-Foster-Dulles-Allee 10; 10557 Berlin",
				URL:         "https://hub.example/events/meetup/?a=1,2;b=3",
				Start:       start,
				Stamp:       stamp,
			},
			want: map[string]string{
				"UID":         "a,b;c@hub.example",
				"SUMMARY":     `Meetup; Q&A, café \ "quotes" — 東京 🎉`,
				"DESCRIPTION": "Line one,\nline two; with \\n literal\n\nend",
				"LOCATION":    "Haus der Kulturen, John-Foster-Dulles-Allee 10; 10557 Berlin",
				"URL":         "https://hub.example/events/meetup/?a=1,2;b=3",
				"STATUS":      "CONFIRMED",
				"SEQUENCE":    "0",
				"DTSTAMP":     "20260402T030405Z",
			},
			none: []string{"LAST-MODIFIED"},
		},
		{
			name: "CR, CRLF and control characters",
			event: ical.Event{
				UID:         "ctl@hub.example",
				Summary:     "bell\a tab\t nul\x00 del\x7f bad\xffutf8",
				Description: "dos\r\nmac\runix\n",
				Start:       start,
			},
			want: map[string]string{
				"SUMMARY":     "bell tab\t nul del bad\uFFFDutf8",
				"DESCRIPTION": "dos\nmac\nunix\n",
			},
		},
		{
			name: "cancelled, sequence, last modified",
			event: ical.Event{
				UID:          "gone@hub.example",
				Start:        start,
				Cancelled:    true,
				Sequence:     3,
				LastModified: lastmod,
				Stamp:        stamp,
			},
			want: map[string]string{
				"STATUS":        "CANCELLED",
				"SEQUENCE":      "3",
				"LAST-MODIFIED": "20260401T080000Z",
				"DTSTAMP":       "20260402T030405Z",
			},
			none: []string{"SUMMARY", "DESCRIPTION", "LOCATION", "URL", "DTEND"},
		},
		{
			name:  "DTSTAMP falls back to LastModified",
			event: ical.Event{UID: "s1@hub.example", Start: start, LastModified: lastmod},
			want:  map[string]string{"DTSTAMP": "20260401T080000Z"},
		},
		{
			name:  "DTSTAMP falls back to Start",
			event: ical.Event{UID: "s2@hub.example", Start: start},
			want:  map[string]string{"DTSTAMP": "20260501T180000Z"},
		},
		{
			name: "long multi-byte description folds on rune boundaries",
			event: ical.Event{
				UID:         "long@hub.example",
				Summary:     strings.Repeat("é", 100),
				Description: strings.Repeat("Grüße aus 東京 🎉, ", 40) + strings.Repeat("🎉", 50),
				Start:       start,
			},
			want: map[string]string{
				"SUMMARY":     strings.Repeat("é", 100),
				"DESCRIPTION": strings.Repeat("Grüße aus 東京 🎉, ", 40) + strings.Repeat("🎉", 50),
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := onlyEvent(t, parse(t, render(t, ical.Calendar{Events: []ical.Event{tc.event}})))
			for name, want := range tc.want {
				if got := value(t, ev, name); got != want {
					t.Errorf("%s = %q, want %q", name, got, want)
				}
			}
			for _, name := range tc.none {
				if prop(ev, name) != nil {
					t.Errorf("unexpected %s", name)
				}
			}
		})
	}

	// The parser unfolds anything, so check that folding happened at all.
	raw := render(t, ical.Calendar{Events: []ical.Event{tests[len(tests)-1].event}})
	if !bytes.Contains(raw, []byte("\r\n ")) {
		t.Error("long description was not folded")
	}
}

func TestWriteCalendar(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	newYork := mustZone(t, "America/New_York")
	tokyo := mustZone(t, "Asia/Tokyo")
	c := ical.Calendar{
		ProdID: "-//Example Hub//Agora//EN",
		Name:   "Hub events, all of them",
		Events: []ical.Event{
			{UID: "b@x", Start: time.Date(2026, 10, 24, 22, 0, 0, 0, berlin), End: time.Date(2026, 10, 25, 4, 0, 0, 0, berlin), Zone: berlin},
			{UID: "n@x", Start: time.Date(2026, 3, 8, 1, 30, 0, 0, newYork), Zone: newYork},
			{UID: "t@x", Start: time.Date(2026, 7, 1, 19, 0, 0, 0, tokyo), Zone: tokyo},
			{UID: "b2@x", Start: time.Date(2027, 6, 1, 19, 0, 0, 0, berlin), Zone: berlin},
			{UID: "u@x", Start: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)},
		},
	}
	raw := render(t, c)
	if again := render(t, c); !bytes.Equal(raw, again) {
		t.Fatal("output differs between two writes")
	}
	cal := parse(t, raw)

	calProps := map[string]string{}
	for _, p := range cal.CalendarProperties {
		calProps[p.IANAToken] = p.Value
	}
	for name, want := range map[string]string{
		"VERSION":      "2.0",
		"PRODID":       "-//Example Hub//Agora//EN",
		"CALSCALE":     "GREGORIAN",
		"METHOD":       "PUBLISH",
		"NAME":         "Hub events, all of them",
		"X-WR-CALNAME": "Hub events, all of them",
	} {
		if got := calProps[name]; got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}

	var uids, tzids []string
	for _, comp := range cal.Components {
		switch comp := comp.(type) {
		case *ics.VEvent:
			uids = append(uids, value(t, comp, "UID"))
		case *ics.VTimezone:
			if len(uids) > 0 {
				t.Error("VTIMEZONE after VEVENT")
			}
			tzids = append(tzids, value(t, comp, "TZID"))
		}
	}
	if got, want := strings.Join(uids, " "), "b@x n@x t@x b2@x u@x"; got != want {
		t.Errorf("events in order %s, want %s", got, want)
	}
	if got, want := strings.Join(tzids, " "), "America/New_York Asia/Tokyo Europe/Berlin"; got != want {
		t.Errorf("VTIMEZONEs %s, want %s", got, want)
	}

	zones := timezones(cal)
	tests := []struct {
		tzid string
		loc  *time.Location
		// kind → the offset it switches to
		wantTo map[string]time.Duration
	}{
		{"Europe/Berlin", berlin, map[string]time.Duration{"STANDARD": time.Hour, "DAYLIGHT": 2 * time.Hour}},
		{"America/New_York", newYork, map[string]time.Duration{"STANDARD": -5 * time.Hour, "DAYLIGHT": -4 * time.Hour}},
		{"Asia/Tokyo", tokyo, map[string]time.Duration{"STANDARD": 9 * time.Hour}},
	}
	for _, tc := range tests {
		t.Run(tc.tzid, func(t *testing.T) {
			obs := observances(t, zones[tc.tzid])
			seen := map[string]bool{}
			for i, o := range obs {
				want, ok := tc.wantTo[o.kind]
				if !ok || o.to != want {
					t.Errorf("%s to %s, want kinds/offsets %v", o.kind, o.to, tc.wantTo)
				}
				seen[o.kind] = true
				if i == 0 {
					if o.from != o.to {
						t.Errorf("first observance changes offset %s → %s", o.from, o.to)
					}
					continue
				}
				// Each later observance must be a real transition of the
				// zone, at exactly the instant Go's tz data has it.
				_, before := o.onset.Add(-time.Second).In(tc.loc).Zone()
				name, after := o.onset.In(tc.loc).Zone()
				if time.Duration(before)*time.Second != o.from || time.Duration(after)*time.Second != o.to || name != o.name {
					t.Errorf("observance at %s says %s→%s %s, zone has %ds→%ds %s", o.onset, o.from, o.to, o.name, before, after, name)
				}
				if prev := obs[i-1]; prev.to != o.from {
					t.Errorf("observance at %s starts from %s, previous ends at %s", o.onset, o.from, prev.to)
				}
			}
			for kind := range tc.wantTo {
				if !seen[kind] {
					t.Errorf("no %s component", kind)
				}
			}
			if tc.tzid == "Asia/Tokyo" && len(obs) != 1 {
				t.Errorf("Tokyo has %d observances, want 1", len(obs))
			}
		})
	}

	// Every DST change between the earliest event and the latest, plus the
	// one-year margin, must be present: Berlin's events span 2026-10 to
	// 2027-06, so transitions from 2025-10 to 2028-06 are expected.
	var onsets []string
	for _, o := range observances(t, zones["Europe/Berlin"])[1:] {
		onsets = append(onsets, o.onset.Format("2006-01-02T15:04Z"))
	}
	want := "2026-03-29T01:00Z 2026-10-25T01:00Z 2027-03-28T01:00Z 2027-10-31T01:00Z 2028-03-26T01:00Z"
	if got := strings.Join(onsets, " "); !strings.HasPrefix(got, "2025-10-26T01:00Z "+want) {
		t.Errorf("Berlin transitions %s, want 2025-10-26T01:00Z %s ...", got, want)
	}
}

func TestWriteRejects(t *testing.T) {
	start := time.Date(2026, 5, 2, 18, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		event ical.Event
	}{
		{"empty UID", ical.Event{UID: " ", Start: start}},
		{"zero Start", ical.Event{UID: "x@y"}},
		{"End before Start", ical.Event{UID: "x@y", Start: start, End: start.Add(-time.Minute)}},
		{"last day before first", ical.Event{UID: "x@y", Start: start, End: start.AddDate(0, 0, -1), AllDay: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			c := ical.Calendar{Events: []ical.Event{{UID: "ok@y", Start: start}, tc.event}}
			if err := ical.Write(&b, c); err == nil {
				t.Fatal("no error")
			}
			if b.Len() != 0 {
				t.Errorf("wrote %d bytes despite the error", b.Len())
			}
		})
	}
}

func TestWriteEmptyCalendar(t *testing.T) {
	raw := render(t, ical.Calendar{})
	cal := parse(t, raw)
	if len(cal.Components) != 0 {
		t.Errorf("got %d components", len(cal.Components))
	}
	if !bytes.Contains(raw, []byte("\r\nPRODID:")) {
		t.Error("PRODID missing though it is mandatory")
	}
}
