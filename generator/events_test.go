package generator_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // zones must not depend on the machine's zoneinfo
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"github.com/agora-hub/agora/generator"
	"github.com/agora-hub/agora/internal/cli"
	"github.com/agora-hub/agora/internal/testsite"
)

// eventsNow is inside the night of the clock change in Berlin (03:00 CEST
// becomes 02:00 CET at 01:00 UTC on 25 October 2026), while the
// dst-night event is on, and exactly when the utc-morning event ends.
var eventsNow = time.Date(2026, 10, 25, 6, 0, 0, 0, time.UTC)

const eventLongText = "Grüße aus Köln 🎉, with commas; semicolons and a backslash \\ in it. "

// eventsSite uses the built-in theme, so the tests check the real layouts.
var eventsSite = `
-- site.toml --
baseURL = "https://example.org/hub/"
title = "Hub; the <best>, really"
timezone = "Europe/Berlin"
-- content/events/_index.md --
+++
title = "Events"
+++
Meetups and webcasts.
-- content/tips/a.md --
+++
title = "A tip"
date = 2026-09-01T10:00:00Z
+++
Not an event.
-- content/events/breakfast.md --
+++
title = "Breakfast, Berlin"
id = "bf-1"
date = 2026-08-20T10:00:00Z
lastmod = 2026-09-01T10:00:00Z
description = "A small breakfast."

[event]
start = 2026-09-17T08:30:00
end = 2026-09-17T10:30:00
venue = "Café Lindenblatt"
address = "Musterstraße 12, 10999 Berlin"
rsvp = "https://rsvp.example.org/bf"
capacity = 24
+++
Coffee and questions.
-- content/events/dst-night.md --
+++
title = "Night of the clock change"
date = 2026-10-01T10:00:00Z

[event]
start = 2026-10-24T20:00:00
end = 2026-10-25T10:00:00
timezone = "Europe/Berlin"
online = "https://live.example.org/night"
+++
Fifteen hours, not fourteen.
-- content/events/webcast-ny.md --
+++
title = "Webcast from New York"
date = 2026-10-01T10:00:00Z

[event]
start = 2026-11-05T12:00:00
end = 2026-11-05T13:30:00
timezone = "America/New_York"
online = "https://live.example.org/ny?room=1&lang=en"
rsvp = "https://rsvp.example.org/ny"
capacity = 300
+++
Lunchtime in New York.
-- content/events/hybrid.md --
+++
title = "Hybrid clinic"
id = "clinic"
date = 2026-10-01T10:00:00Z
lastmod = 2026-11-10T11:00:00Z

[event]
start = 2026-12-09T18:00:00+01:00
end = 2026-12-09T20:00:00+01:00
venue = "Kiez Coworking"
address = "Beispielweg 5, 10115 Berlin"
online = "https://live.example.org/clinic"
rsvp = "https://rsvp.example.org/clinic"
sequence = 4
+++
Both in the room and online.
-- content/events/all-day.md --
+++
title = "Open days"
date = 2026-10-01T10:00:00Z

[event]
start = 2026-12-01
end = 2026-12-03
address = "Musterstraße 12, 10999 Berlin"
+++
Three days, doors open all day.
-- content/events/cancelled.md --
+++
title = "Pub quiz, London"
date = 2026-10-01T10:00:00Z

[event]
start = 2026-11-20T19:00:00
end = 2026-11-20T22:00:00
timezone = "Europe/London"
venue = "The Example Arms"
rsvp = "https://rsvp.example.org/quiz"
cancelled = true
+++
The pub closed.
-- content/events/no-end.md --
+++
title = "Q&A; \"live\", <b>bold</b>"
date = 2026-10-01T10:00:00Z
description = 'Ask anything. </script><script>alert(1)</script> ` + eventLongText + eventLongText + eventLongText + `'

[event]
start = 2026-10-20T19:00:00
online = "https://live.example.org/qa"
+++
**Ask** anything.
-- content/events/utc-morning.md --
+++
title = "UTC morning"
date = 2026-10-01T10:00:00Z

[event]
start = 2026-10-25T05:00:00
end = 2026-10-25T06:00:00
timezone = "UTC"
online = "https://live.example.org/utc"
+++
Ends exactly at the build clock.
`

func buildEvents(t *testing.T, archive string) string {
	t.Helper()
	dir := testsite.New(t, archive)
	_, pub := build(t, dir, func(o *generator.Options) { o.Now = eventsNow })
	return pub
}

// checkICSLines checks what the parser forgives: CRLF everywhere, no
// physical line over 75 octets, no fold inside a UTF-8 sequence.
func checkICSLines(t *testing.T, name string, b []byte) {
	t.Helper()
	s := string(b)
	if !strings.HasSuffix(s, "\r\n") {
		t.Errorf("%s does not end in CRLF", name)
	}
	folded := 0
	for i, line := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		switch {
		case strings.ContainsAny(line, "\r\n"):
			t.Errorf("%s line %d has a bare CR or LF: %q", name, i+1, line)
		case len(line) > 75:
			t.Errorf("%s line %d has %d octets", name, i+1, len(line))
		case !utf8.ValidString(line):
			t.Errorf("%s line %d splits a UTF-8 sequence: %q", name, i+1, line)
		}
		if strings.HasPrefix(line, " ") {
			folded++
		}
	}
	if folded == 0 && len(s) > 2000 {
		t.Errorf("%s has no folded line; the long description should fold", name)
	}
}

func parseICS(t *testing.T, pub, rel string) *ics.Calendar {
	t.Helper()
	b := []byte(testsite.Read(t, pub, rel))
	checkICSLines(t, rel, b)
	cal, err := ics.ParseCalendar(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s does not parse: %v", rel, err)
	}
	return cal
}

func icsValue(c *ics.ComponentBase, p ics.ComponentProperty) string {
	if prop := c.GetProperty(p); prop != nil {
		return prop.Value
	}
	return ""
}

func icsParam(c *ics.ComponentBase, p ics.ComponentProperty, name string) string {
	if prop := c.GetProperty(p); prop != nil {
		if v := prop.ICalParameters[name]; len(v) == 1 {
			return v[0]
		}
	}
	return ""
}

// vtimezones maps TZID to the VTIMEZONE's observances as (onset instant,
// offset after it), read from the file alone.
type icsObservance struct {
	onset    time.Time
	from, to time.Duration
	wall     string // DTSTART as written
}

func vtimezones(t *testing.T, cal *ics.Calendar) map[string][]icsObservance {
	t.Helper()
	out := map[string][]icsObservance{}
	for _, c := range cal.Components {
		tz, ok := c.(*ics.VTimezone)
		if !ok {
			continue
		}
		id := icsValue(&tz.ComponentBase, ics.ComponentPropertyTzid)
		for _, sub := range tz.SubComponents() {
			var base *ics.ComponentBase
			switch o := sub.(type) {
			case *ics.Standard:
				base = &o.ComponentBase
			case *ics.Daylight:
				base = &o.ComponentBase
			default:
				t.Fatalf("%T in VTIMEZONE", sub)
			}
			wall := icsValue(base, ics.ComponentPropertyDtStart)
			w, err := time.Parse("20060102T150405", wall)
			if err != nil {
				t.Fatalf("VTIMEZONE %s DTSTART %q: %v", id, wall, err)
			}
			from := icsOffset(t, icsValue(base, ics.ComponentProperty("TZOFFSETFROM")))
			to := icsOffset(t, icsValue(base, ics.ComponentProperty("TZOFFSETTO")))
			out[id] = append(out[id], icsObservance{onset: w.Add(-from), from: from, to: to, wall: wall})
		}
		slices.SortFunc(out[id], func(a, b icsObservance) int { return a.onset.Compare(b.onset) })
	}
	return out
}

func icsOffset(t *testing.T, s string) time.Duration {
	t.Helper()
	if len(s) != 5 || (s[0] != '+' && s[0] != '-') {
		t.Fatalf("bad UTC offset %q", s)
	}
	h, _ := strconv.Atoi(s[1:3])
	m, _ := strconv.Atoi(s[3:5])
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if s[0] == '-' {
		d = -d
	}
	return d
}

// resolveWithVTimezone turns a TZID wall time into an instant using only
// the file's VTIMEZONE, as a client without the tz database must.
func resolveWithVTimezone(t *testing.T, obs []icsObservance, wall string) time.Time {
	t.Helper()
	w, err := time.Parse("20060102T150405", wall)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range obs {
		at := w.Add(-o.to)
		if at.Before(o.onset) || (i+1 < len(obs) && !at.Before(obs[i+1].onset)) {
			continue
		}
		return at
	}
	t.Fatalf("wall time %s is not covered by the VTIMEZONE", wall)
	return time.Time{}
}

// sequenceFor is the documented rule: sequence + minutes from 2020-01-01
// UTC to lastmod.
func sequenceFor(seq int, lastmod time.Time) string {
	return strconv.Itoa(seq + int(lastmod.Sub(time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC))/time.Minute))
}

func TestEventICalendarFiles(t *testing.T) {
	pub := buildEvents(t, eventsSite)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	newYork, _ := time.LoadLocation("America/New_York")
	london, _ := time.LoadLocation("Europe/London")
	lastmodDefault := time.Date(2026, 10, 1, 10, 0, 0, 0, time.UTC)

	cases := []struct {
		page                string
		uid                 string
		tzid                string // "" for UTC times or dates
		start, end          string // as written in the file
		startAt, endAt      time.Time
		allDay              bool
		status              string
		location, url, desc string
		stamp               string
		sequence            string
	}{
		{
			page: "breakfast", uid: "bf-1@example.org/hub", tzid: "Europe/Berlin",
			start: "20260917T083000", end: "20260917T103000",
			startAt: time.Date(2026, 9, 17, 8, 30, 0, 0, berlin), endAt: time.Date(2026, 9, 17, 10, 30, 0, 0, berlin),
			status: "CONFIRMED", location: "Café Lindenblatt, Musterstraße 12, 10999 Berlin",
			desc:  "A small breakfast.\n\nRSVP: https://rsvp.example.org/bf\n\nDetails: https://example.org/hub/events/breakfast/",
			stamp: "20260901T100000Z", sequence: sequenceFor(0, time.Date(2026, 9, 1, 10, 0, 0, 0, time.UTC)),
		},
		{
			// Clocks go back during the event: 14 hours on the wall clock,
			// 15 in fact.
			page: "dst-night", uid: "events/dst-night@example.org/hub", tzid: "Europe/Berlin",
			start: "20261024T200000", end: "20261025T100000",
			startAt: time.Date(2026, 10, 24, 18, 0, 0, 0, time.UTC), endAt: time.Date(2026, 10, 25, 9, 0, 0, 0, time.UTC),
			status: "CONFIRMED", location: "https://live.example.org/night",
			desc:  "Fifteen hours, not fourteen.\n\nJoin online: https://live.example.org/night\n\nDetails: https://example.org/hub/events/dst-night/",
			stamp: "20261001T100000Z", sequence: sequenceFor(0, lastmodDefault),
		},
		{
			page: "webcast-ny", uid: "events/webcast-ny@example.org/hub", tzid: "America/New_York",
			start: "20261105T120000", end: "20261105T133000",
			startAt: time.Date(2026, 11, 5, 12, 0, 0, 0, newYork), endAt: time.Date(2026, 11, 5, 13, 30, 0, 0, newYork),
			status: "CONFIRMED", location: "https://live.example.org/ny?room=1&lang=en",
			desc:  "Lunchtime in New York.\n\nJoin online: https://live.example.org/ny?room=1&lang=en\n\nRSVP: https://rsvp.example.org/ny\n\nDetails: https://example.org/hub/events/webcast-ny/",
			stamp: "20261001T100000Z", sequence: sequenceFor(0, lastmodDefault),
		},
		{
			page: "hybrid", uid: "clinic@example.org/hub", tzid: "Europe/Berlin",
			start: "20261209T180000", end: "20261209T200000",
			startAt: time.Date(2026, 12, 9, 17, 0, 0, 0, time.UTC), endAt: time.Date(2026, 12, 9, 19, 0, 0, 0, time.UTC),
			status: "CONFIRMED", location: "Kiez Coworking, Beispielweg 5, 10115 Berlin",
			desc:  "Both in the room and online.\n\nJoin online: https://live.example.org/clinic\n\nRSVP: https://rsvp.example.org/clinic\n\nDetails: https://example.org/hub/events/hybrid/",
			stamp: "20261110T110000Z", sequence: sequenceFor(4, time.Date(2026, 11, 10, 11, 0, 0, 0, time.UTC)),
		},
		{
			// DTEND of a VALUE=DATE event is the day after the last.
			page: "all-day", uid: "events/all-day@example.org/hub", allDay: true,
			start: "20261201", end: "20261204",
			status: "CONFIRMED", location: "Musterstraße 12, 10999 Berlin",
			desc:  "Three days, doors open all day.\n\nDetails: https://example.org/hub/events/all-day/",
			stamp: "20261001T100000Z", sequence: sequenceFor(0, lastmodDefault),
		},
		{
			page: "cancelled", uid: "events/cancelled@example.org/hub", tzid: "Europe/London",
			start: "20261120T190000", end: "20261120T220000",
			startAt: time.Date(2026, 11, 20, 19, 0, 0, 0, london), endAt: time.Date(2026, 11, 20, 22, 0, 0, 0, london),
			status: "CANCELLED", location: "The Example Arms",
			desc:  "This event is cancelled.\n\nThe pub closed.\n\nRSVP: https://rsvp.example.org/quiz\n\nDetails: https://example.org/hub/events/cancelled/",
			stamp: "20261001T100000Z", sequence: sequenceFor(0, lastmodDefault),
		},
		{
			page: "utc-morning", uid: "events/utc-morning@example.org/hub",
			start: "20261025T050000Z", end: "20261025T060000Z",
			startAt: time.Date(2026, 10, 25, 5, 0, 0, 0, time.UTC), endAt: eventsNow,
			status: "CONFIRMED", location: "https://live.example.org/utc",
			desc:  "Ends exactly at the build clock.\n\nJoin online: https://live.example.org/utc\n\nDetails: https://example.org/hub/events/utc-morning/",
			stamp: "20261001T100000Z", sequence: sequenceFor(0, lastmodDefault),
		},
	}
	feed := parseICS(t, pub, "events/calendar.ics")
	feedZones := vtimezones(t, feed)
	feedEvents := map[string]*ics.VEvent{}
	for _, ev := range feed.Events() {
		uid := icsValue(&ev.ComponentBase, ics.ComponentPropertyUniqueId)
		if feedEvents[uid] != nil {
			t.Errorf("feed: UID %s twice", uid)
		}
		feedEvents[uid] = ev
	}
	if n := len(feed.Events()); n != 8 {
		t.Errorf("feed has %d events, want all 8", n)
	}
	calName := ""
	for _, p := range feed.CalendarProperties {
		if p.IANAToken == "X-WR-CALNAME" {
			calName = p.Value
		}
	}
	if calName != "Hub; the <best>, really · Events" {
		t.Errorf("feed name = %q", calName)
	}
	// UTC times need no VTIMEZONE; every named zone needs exactly one.
	if got := slices.Sorted(maps.Keys(feedZones)); !slices.Equal(got, []string{"America/New_York", "Europe/Berlin", "Europe/London"}) {
		t.Errorf("feed VTIMEZONEs = %v", got)
	}

	for _, tc := range cases {
		t.Run(tc.page, func(t *testing.T) {
			own := parseICS(t, pub, "events/"+tc.page+"/event.ics")
			evs := own.Events()
			if len(evs) != 1 {
				t.Fatalf("event.ics has %d events, want 1", len(evs))
			}
			for where, ev := range map[string]*ics.VEvent{"event.ics": evs[0], "calendar.ics": feedEvents[tc.uid]} {
				if ev == nil {
					t.Errorf("%s: no event with UID %s", where, tc.uid)
					continue
				}
				zones := feedZones
				if where == "event.ics" {
					zones = vtimezones(t, own)
				}
				c := &ev.ComponentBase
				want := map[ics.ComponentProperty]string{
					ics.ComponentPropertyUniqueId:     tc.uid,
					ics.ComponentPropertyDtStart:      tc.start,
					ics.ComponentPropertyDtEnd:        tc.end,
					ics.ComponentPropertyStatus:       tc.status,
					ics.ComponentPropertyLocation:     tc.location,
					ics.ComponentPropertyUrl:          "https://example.org/hub/events/" + tc.page + "/",
					ics.ComponentPropertyDescription:  tc.desc,
					ics.ComponentPropertyDtstamp:      tc.stamp,
					ics.ComponentPropertyLastModified: tc.stamp,
					ics.ComponentPropertySequence:     tc.sequence,
				}
				for p, w := range want {
					if got := icsValue(c, p); got != w {
						t.Errorf("%s: %s = %q, want %q", where, p, got, w)
					}
				}
				for _, p := range []ics.ComponentProperty{ics.ComponentPropertyDtStart, ics.ComponentPropertyDtEnd} {
					if got := icsParam(c, p, "TZID"); got != tc.tzid {
						t.Errorf("%s: %s TZID = %q, want %q", where, p, got, tc.tzid)
					}
					wantValue := ""
					if tc.allDay {
						wantValue = "DATE"
					}
					if got := icsParam(c, p, "VALUE"); got != wantValue {
						t.Errorf("%s: %s VALUE = %q, want %q", where, p, got, wantValue)
					}
				}
				if tc.allDay {
					start, err := ev.GetAllDayStartAt()
					if err != nil || start.Format(time.DateOnly) != "2026-12-01" {
						t.Errorf("%s: all-day start %v, %v", where, start, err)
					}
					continue
				}
				// The parser resolves TZID with the tz database...
				start, err := ev.GetStartAt()
				if err != nil || !start.Equal(tc.startAt) {
					t.Errorf("%s: start = %v (%v), want %v", where, start, err, tc.startAt)
				}
				end, err := ev.GetEndAt()
				if err != nil || !end.Equal(tc.endAt) {
					t.Errorf("%s: end = %v (%v), want %v", where, end, err, tc.endAt)
				}
				// ...and a client without it has only the VTIMEZONE.
				if tc.tzid != "" {
					obs := zones[tc.tzid]
					if obs == nil {
						t.Fatalf("%s: no VTIMEZONE for TZID %s", where, tc.tzid)
					}
					if got := resolveWithVTimezone(t, obs, tc.start); !got.Equal(tc.startAt) {
						t.Errorf("%s: start from VTIMEZONE = %v, want %v", where, got, tc.startAt)
					}
					if got := resolveWithVTimezone(t, obs, tc.end); !got.Equal(tc.endAt) {
						t.Errorf("%s: end from VTIMEZONE = %v, want %v", where, got, tc.endAt)
					}
				}
			}
		})
	}

	// The DST night's own file describes the change it spans.
	night := vtimezones(t, parseICS(t, pub, "events/dst-night/event.ics"))["Europe/Berlin"]
	found := false
	for _, o := range night {
		if o.wall == "20261025T030000" && o.from == 2*time.Hour && o.to == time.Hour {
			found = true
		}
	}
	if !found {
		t.Errorf("Europe/Berlin VTIMEZONE lacks the 2026-10-25 03:00 CEST→CET change: %+v", night)
	}

	// Long text folds and survives the round trip.
	qa := parseICS(t, pub, "events/no-end/event.ics").Events()[0]
	desc := icsValue(&qa.ComponentBase, ics.ComponentPropertyDescription)
	if want := "Ask anything. </script><script>alert(1)</script> " + strings.TrimSpace(eventLongText+eventLongText+eventLongText) + "\n\nJoin online: https://live.example.org/qa\n\nDetails: https://example.org/hub/events/no-end/"; desc != want {
		t.Errorf("description = %q, want %q", desc, want)
	}
	if got := icsValue(&qa.ComponentBase, ics.ComponentPropertySummary); got != `Q&A; "live", <b>bold</b>` {
		t.Errorf("summary = %q", got)
	}
	if qa.GetProperty(ics.ComponentPropertyDtEnd) != nil {
		t.Error("an event without end has a DTEND")
	}
	cancelled := parseICS(t, pub, "events/cancelled/event.ics").Events()[0]
	if got := icsValue(&cancelled.ComponentBase, ics.ComponentPropertySummary); got != "Cancelled: Pub quiz, London" {
		t.Errorf("cancelled summary = %q", got)
	}
}

// TestEventICalendarReproducible: the same content gives the same bytes,
// whatever the build clock, so subscribers see no phantom updates.
func TestEventICalendarReproducible(t *testing.T) {
	dir := testsite.New(t, eventsSite)
	_, pub := build(t, dir, func(o *generator.Options) { o.Now = eventsNow })
	first := testsite.Read(t, pub, "events/calendar.ics")
	_, pub = build(t, dir, func(o *generator.Options) { o.Now = eventsNow.AddDate(1, 0, 0) })
	if second := testsite.Read(t, pub, "events/calendar.ics"); second != first {
		t.Error("calendar.ics changed with the build clock alone")
	}
}

// TestEventSequenceGrows edits an event the ways editors do and checks
// that SEQUENCE grows each time, so calendar apps take the update.
func TestEventSequenceGrows(t *testing.T) {
	const page = "content/events/e.md"
	file := func(start, lastmod, extra string) string {
		return "-- " + page + " --\n+++\ntitle = \"E\"\ndate = 2026-10-01T10:00:00Z\n" + lastmod +
			"\n[event]\nstart = " + start + "\nvenue = \"Hall\"\n" + extra + "+++\n"
	}
	steps := []struct {
		name, start, lastmod, extra string
	}{
		{"published", "2026-12-01T18:00:00", "", ""},
		{"moved, lastmod set", "2026-12-01T19:00:00", "lastmod = 2026-11-02T09:00:00Z", ""},
		{"moved again a minute later", "2026-12-01T19:30:00", "lastmod = 2026-11-02T09:01:00Z", ""},
		{"moved, only sequence bumped", "2026-12-01T20:00:00", "lastmod = 2026-11-02T09:01:00Z", "sequence = 1\n"},
		{"cancelled, lastmod as a later date", "2026-12-01T20:00:00", "lastmod = 2026-11-03", "sequence = 1\ncancelled = true\n"},
	}
	dir := testsite.New(t, "-- site.toml --\nbaseURL = \"https://example.org/\"\ntitle = \"Hub\"\ntimezone = \"Europe/Berlin\"\n")
	prev := -1
	for _, s := range steps {
		testsite.Write(t, dir, file(s.start, s.lastmod, s.extra))
		_, pub := build(t, dir, func(o *generator.Options) { o.Now = eventsNow })
		ev := parseICS(t, pub, "events/e/event.ics").Events()[0]
		seq, err := strconv.Atoi(icsValue(&ev.ComponentBase, ics.ComponentPropertySequence))
		if err != nil {
			t.Fatal(err)
		}
		if seq <= prev {
			t.Errorf("%s: SEQUENCE %d did not grow from %d", s.name, seq, prev)
		}
		prev = seq
	}
}

var eventJSONLDScript = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)

func eventJSONLD(t *testing.T, pub, rel string) map[string]any {
	t.Helper()
	page := testsite.Read(t, pub, rel)
	m := eventJSONLDScript.FindAllStringSubmatch(page, -1)
	if len(m) != 1 {
		t.Fatalf("%s has %d JSON-LD scripts, want 1", rel, len(m))
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(m[0][1]), &v); err != nil {
		t.Fatalf("%s: JSON-LD does not parse: %v\n%s", rel, err, m[0][1])
	}
	return v
}

func TestEventJSONLD(t *testing.T) {
	pub := buildEvents(t, eventsSite)
	cases := []struct {
		page       string
		mode       string
		status     string
		locations  []string // @type of each location
		start, end string
		offers     string // availability, "" for none
	}{
		{"breakfast", "OfflineEventAttendanceMode", "EventScheduled", []string{"Place"}, "2026-09-17T08:30:00+02:00", "2026-09-17T10:30:00+02:00", "Discontinued"},
		{"dst-night", "OnlineEventAttendanceMode", "EventScheduled", []string{"VirtualLocation"}, "2026-10-24T20:00:00+02:00", "2026-10-25T10:00:00+01:00", ""},
		{"webcast-ny", "OnlineEventAttendanceMode", "EventScheduled", []string{"VirtualLocation"}, "2026-11-05T12:00:00-05:00", "2026-11-05T13:30:00-05:00", "InStock"},
		{"hybrid", "MixedEventAttendanceMode", "EventScheduled", []string{"Place", "VirtualLocation"}, "2026-12-09T18:00:00+01:00", "2026-12-09T20:00:00+01:00", "InStock"},
		{"all-day", "OfflineEventAttendanceMode", "EventScheduled", []string{"Place"}, "2026-12-01", "2026-12-03", ""},
		{"cancelled", "OfflineEventAttendanceMode", "EventCancelled", []string{"Place"}, "2026-11-20T19:00:00Z", "2026-11-20T22:00:00Z", "Discontinued"},
		{"no-end", "OnlineEventAttendanceMode", "EventScheduled", []string{"VirtualLocation"}, "2026-10-20T19:00:00+02:00", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.page, func(t *testing.T) {
			ld := eventJSONLD(t, pub, "events/"+tc.page+"/index.html")
			// Google's required properties, then the ones we have data for.
			for _, k := range []string{"name", "startDate", "location", "eventAttendanceMode", "eventStatus", "url", "organizer", "description"} {
				if v, ok := ld[k]; !ok || v == "" {
					t.Errorf("no %s in %v", k, ld)
				}
			}
			if ld["@context"] != "https://schema.org" || ld["@type"] != "Event" {
				t.Errorf("@context %v, @type %v", ld["@context"], ld["@type"])
			}
			if got := ld["eventAttendanceMode"]; got != "https://schema.org/"+tc.mode {
				t.Errorf("eventAttendanceMode = %v, want %s", got, tc.mode)
			}
			if got := ld["eventStatus"]; got != "https://schema.org/"+tc.status {
				t.Errorf("eventStatus = %v, want %s", got, tc.status)
			}
			if got := ld["startDate"]; got != tc.start {
				t.Errorf("startDate = %v, want %s", got, tc.start)
			}
			if got, _ := ld["endDate"].(string); got != tc.end {
				t.Errorf("endDate = %q, want %q", got, tc.end)
			}
			if got := ld["url"]; got != "https://example.org/hub/events/"+tc.page+"/" {
				t.Errorf("url = %v", got)
			}
			locs, ok := ld["location"].([]any)
			if !ok {
				locs = []any{ld["location"]}
			}
			var types []string
			for _, l := range locs {
				loc, _ := l.(map[string]any)
				types = append(types, fmt.Sprint(loc["@type"]))
				switch loc["@type"] {
				case "Place":
					addr, _ := loc["address"].(map[string]any)
					if loc["name"] == "" || addr["@type"] != "PostalAddress" || addr["streetAddress"] == "" {
						t.Errorf("Place lacks name or PostalAddress: %v", loc)
					}
				case "VirtualLocation":
					if u, _ := loc["url"].(string); !strings.HasPrefix(u, "https://live.example.org/") {
						t.Errorf("VirtualLocation url = %v", loc["url"])
					}
				}
			}
			if !slices.Equal(types, tc.locations) {
				t.Errorf("location types = %v, want %v", types, tc.locations)
			}
			offers, _ := ld["offers"].(map[string]any)
			if got, _ := offers["availability"].(string); strings.TrimPrefix(got, "https://schema.org/") != tc.offers {
				t.Errorf("offers availability = %q, want %q", got, tc.offers)
			}
			if org, _ := ld["organizer"].(map[string]any); org["name"] != "Hub; the <best>, really" || org["url"] != "https://example.org/hub/" {
				t.Errorf("organizer = %v", org)
			}
		})
	}

	// Text that would end the script element stays inside the JSON.
	page := testsite.Read(t, pub, "events/no-end/index.html")
	if strings.Contains(page, "<script>alert(1)") {
		t.Error("a </script> in the summary broke out of the JSON-LD")
	}
	ld := eventJSONLD(t, pub, "events/no-end/index.html")
	if d, _ := ld["description"].(string); d != "Ask anything. </script><script>alert(1)</script> "+strings.TrimSpace(eventLongText+eventLongText+eventLongText) {
		t.Errorf("description = %q", d)
	}
	if ld["name"] != `Q&A; "live", <b>bold</b>` {
		t.Errorf("name = %v", ld["name"])
	}
}

// listedEvents returns the titles linked from the h3 headings inside the element
// with the given id's section, in order.
func listedEvents(t *testing.T, page, headingID string) []string {
	t.Helper()
	i := strings.Index(page, `id="`+headingID+`"`)
	if i < 0 {
		return nil
	}
	sec := page[i:]
	if j := strings.Index(sec, "</section>"); j >= 0 {
		sec = sec[:j]
	}
	var out []string
	for _, m := range regexp.MustCompile(`<h3><a href="[^"]*">([^<]*)</a>`).FindAllStringSubmatch(sec, -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

func TestUpcomingAndPast(t *testing.T) {
	pub := buildEvents(t, eventsSite)
	list := testsite.Read(t, pub, "events/index.html")
	// In progress counts as upcoming; ended exactly at the clock does not.
	wantUpcoming := []string{"Night of the clock change", "Webcast from New York", "Pub quiz, London", "Open days", "Hybrid clinic"}
	wantPast := []string{"UTC morning", `Q&A; "live", <b>bold</b>`, "Breakfast, Berlin"}
	if got := listedEvents(t, list, "upcoming-title"); !slices.Equal(got, wantUpcoming) {
		t.Errorf("upcoming = %q, want %q", got, wantUpcoming)
	}
	if got := listedEvents(t, list, "past-title"); !slices.Equal(got, wantPast) {
		t.Errorf("past = %q, want %q", got, wantPast)
	}
	for _, w := range []string{
		`<a href="/hub/events/dst-night/">Night of the clock change</a> <span class="badge">Happening now</span>`,
		`<a href="/hub/events/cancelled/">Pub quiz, London</a> <span class="badge badge-cancelled">Cancelled</span>`,
		`href="webcal://example.org/hub/events/calendar.ics"`,
		`href="https://example.org/hub/events/calendar.ics"`,
		`<link rel="alternate" type="text/calendar" href="/hub/events/calendar.ics"`,
	} {
		if !strings.Contains(list, w) {
			t.Errorf("events list lacks %s", w)
		}
	}
	if strings.Contains(list, "Not an event") || strings.Contains(list, "A tip") {
		t.Error("a page without [event] is in the events list")
	}

	home := testsite.Read(t, pub, "index.html")
	i := strings.Index(home, `class="latest upcoming-events"`)
	if i < 0 {
		t.Fatal("home page has no upcoming events list")
	}
	ul := home[i : i+strings.Index(home[i:], "</ul>")]
	var next []string
	for _, m := range regexp.MustCompile(`<li><a href="([^"]*)">`).FindAllStringSubmatch(ul, -1) {
		next = append(next, m[1])
	}
	if want := []string{"/hub/events/dst-night/", "/hub/events/webcast-ny/", "/hub/events/cancelled/"}; !slices.Equal(next, want) {
		t.Errorf("home shows %q, want the next three %q", next, want)
	}

	// The same site a month later: everything up to the quiz is past.
	dir := testsite.New(t, eventsSite)
	_, later := build(t, dir, func(o *generator.Options) { o.Now = time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC) })
	list = testsite.Read(t, later, "events/index.html")
	if got, want := listedEvents(t, list, "upcoming-title"), []string{"Open days", "Hybrid clinic"}; !slices.Equal(got, want) {
		t.Errorf("a month later, upcoming = %q, want %q", got, want)
	}
	// An all-day event is upcoming until the end of its last day in its zone.
	_, onLastDay := build(t, dir, func(o *generator.Options) { o.Now = time.Date(2026, 12, 3, 22, 59, 0, 0, time.UTC) })
	if got := listedEvents(t, testsite.Read(t, onLastDay, "events/index.html"), "upcoming-title"); !slices.Contains(got, "Open days") {
		t.Errorf("at 23:59 Berlin on the last day, upcoming = %q, want Open days in it", got)
	}
	_, dayAfter := build(t, dir, func(o *generator.Options) { o.Now = time.Date(2026, 12, 3, 23, 0, 0, 0, time.UTC) })
	if got := listedEvents(t, testsite.Read(t, dayAfter, "events/index.html"), "past-title"); len(got) == 0 || got[0] != "Open days" {
		t.Errorf("at midnight Berlin after the last day, past = %q, want Open days first", got)
	}
}

func TestEventPage(t *testing.T) {
	pub := buildEvents(t, eventsSite)
	cases := []struct {
		page  string
		wants []string
		not   []string
	}{
		{"breakfast", []string{
			`<dt>When</dt><dd><time datetime="2026-09-17T08:30:00+02:00">Thursday 17 September 2026, 08:30</time>–<time datetime="2026-09-17T10:30:00+02:00">10:30</time> CEST (Europe/Berlin)</dd>`,
			`<dt>Where</dt><dd>Café Lindenblatt<br>Musterstraße 12, 10999 Berlin</dd>`,
			`<dt>Places</dt><dd>24</dd>`,
			`<p class="event-status">This event has ended.</p>`,
			`<a href="/hub/events/breakfast/event.ics" type="text/calendar">Add to calendar`,
			`href="webcal://example.org/hub/events/calendar.ics"`,
		}, []string{"Sign up"}},
		{"dst-night", []string{
			`<time datetime="2026-10-24T20:00:00+02:00">Saturday 24 October 2026, 20:00</time> CEST – <time datetime="2026-10-25T10:00:00+01:00">Sunday 25 October 2026, 10:00</time> CET (Europe/Berlin)`,
			`<dt>Online</dt><dd><a href="https://live.example.org/night">Join online</a></dd>`,
			`<span class="badge">Happening now</span>`,
		}, []string{"<dt>Where</dt>"}},
		{"webcast-ny", []string{
			`12:00</time>–<time datetime="2026-11-05T13:30:00-05:00">13:30</time> EST (America/New_York)`,
			`<a href="https://live.example.org/ny?room=1&amp;lang=en">Join online</a>`,
			`<dt>RSVP</dt><dd><a href="https://rsvp.example.org/ny">Sign up`,
		}, nil},
		{"hybrid", []string{`<dt>Where</dt><dd>Kiez Coworking<br>Beispielweg 5, 10115 Berlin</dd>`, `Join online</a> (or come in person)`}, nil},
		{"all-day", []string{`<time datetime="2026-12-01">Tuesday 1 December 2026</time> – <time datetime="2026-12-03">Thursday 3 December 2026</time> (all day)`}, nil},
		{"cancelled", []string{`<section class="card event event-cancelled"`, `<strong>Cancelled.</strong> This event will not take place.`, `GMT (Europe/London)`}, []string{"Sign up"}},
		{"utc-morning", []string{`05:00</time>–<time datetime="2026-10-25T06:00:00Z">06:00</time> UTC</dd>`}, []string{"(UTC)"}},
	}
	for _, tc := range cases {
		t.Run(tc.page, func(t *testing.T) {
			got := testsite.Read(t, pub, "events/"+tc.page+"/index.html")
			for _, w := range tc.wants {
				if !strings.Contains(got, w) {
					t.Errorf("lacks %s", w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(got, n) {
					t.Errorf("has %s", n)
				}
			}
		})
	}
	if n := testsite.CheckLinks(t, pub, "https://example.org/hub/"); n < 50 {
		t.Errorf("checked only %d links", n)
	}
}

// TestEventRepeatedWallClock: 02:30 happens twice in Berlin on 25 October
// 2026; an offset-less time means the first, as RFC 5545 reads it, and the
// clock change shows in the times as written.
func TestEventRepeatedWallClock(t *testing.T) {
	pub := buildEvents(t, "-- site.toml --\nbaseURL = \"https://example.org/\"\ntitle = \"Hub\"\ntimezone = \"Europe/Berlin\"\n"+
		"-- content/events/x.md --\n+++\ntitle = \"X\"\n[event]\nstart = 2026-10-25T02:30:00\nend = 2026-10-25T03:30:00\nvenue = \"Hall\"\n+++\n")
	if ld := eventJSONLD(t, pub, "events/x/index.html"); ld["startDate"] != "2026-10-25T02:30:00+02:00" || ld["endDate"] != "2026-10-25T03:30:00+01:00" {
		t.Errorf("startDate %v, endDate %v; want the first 02:30 (CEST)", ld["startDate"], ld["endDate"])
	}
	assertFile(t, pub, "events/x/index.html", `Sunday 25 October 2026, 02:30</time> CEST – <time datetime="2026-10-25T03:30:00+01:00">03:30</time> CET (Europe/Berlin)`)
	ev := parseICS(t, pub, "events/x/event.ics").Events()[0]
	start, err := ev.GetStartAt()
	if want := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC); err != nil || !start.Equal(want) {
		t.Errorf("DTSTART = %v (%v), want %v", start, err, want)
	}
}

// TestEventsWithoutHostOrEvents: no feed when there are no events (so no
// link to one), and no webcal link when the baseURL has no host.
func TestEventsWithoutHostOrEvents(t *testing.T) {
	pub := buildEvents(t, "-- site.toml --\ntitle = \"Hub\"\n-- content/events/_index.md --\n+++\ntitle = \"Events\"\n+++\n")
	assertNoFile(t, pub, "events/calendar.ics")
	assertFile(t, pub, "events/index.html", "No upcoming events right now.")
	if strings.Contains(testsite.Read(t, pub, "events/index.html"), "calendar.ics") {
		t.Error("the events list links to a feed that was not written")
	}

	pub = buildEvents(t, "-- site.toml --\ntitle = \"Hub\"\n-- content/events/x.md --\n+++\ntitle = \"X\"\n[event]\nstart = 2027-01-01T10:00:00\nvenue = \"Hall\"\n+++\n")
	page := assertFile(t, pub, "events/x/index.html", `href="/events/x/event.ics"`, `href="/events/calendar.ics"`)
	if strings.Contains(page, "webcal:") {
		t.Error("webcal link without a host")
	}
	ev := parseICS(t, pub, "events/x/event.ics").Events()[0]
	if uid := icsValue(&ev.ComponentBase, ics.ComponentPropertyUniqueId); uid != "events/x" {
		t.Errorf("UID = %q, want the path alone when there is no host", uid)
	}
	if ev.GetProperty(ics.ComponentPropertyUrl) != nil {
		t.Error("URL property with a relative URL")
	}
}

// TestEventCustomURLAndImage: a page with url = "….html" gets its .ics
// beside it, and JSON-LD carries an image only when the page has one.
func TestEventCustomURLAndImage(t *testing.T) {
	pub := buildEvents(t, "-- site.toml --\nbaseURL = \"https://example.org/hub/\"\ntitle = \"Hub\"\n"+
		"-- content/events/a.md --\n+++\ntitle = \"A\"\nurl = \"/meetups/a.html\"\nimages = [\"img/a.png\"]\n[event]\nstart = 2027-01-01T10:00:00\nvenue = \"Hall\"\n+++\n"+
		"-- content/events/b.md --\n+++\ntitle = \"B\"\n[event]\nstart = 2027-01-02T10:00:00\nvenue = \"Hall\"\n+++\n")
	assertFile(t, pub, "meetups/a.html", `href="/hub/meetups/a.ics"`)
	if ev := parseICS(t, pub, "meetups/a.ics").Events(); len(ev) != 1 {
		t.Fatalf("meetups/a.ics has %d events", len(ev))
	}
	img, _ := eventJSONLD(t, pub, "meetups/a.html")["image"].([]any)
	if len(img) != 1 || img[0] != "https://example.org/hub/img/a.png" {
		t.Errorf("image = %v, want the absolute URL with the sub-path", img)
	}
	if _, ok := eventJSONLD(t, pub, "events/b/index.html")["image"]; ok {
		t.Error("image without images in front matter")
	}
}

// TestEventBadInput: each mistake fails the build with the key's line, and
// the previous public/ stays exactly as it was.
func TestEventBadInput(t *testing.T) {
	const site = "-- site.toml --\nbaseURL = \"https://example.org/\"\ntitle = \"Hub\"\ntimezone = \"Europe/Berlin\"\n" +
		"-- content/events/ok.md --\n+++\ntitle = \"OK\"\n[event]\nstart = 2026-09-17T08:30:00\nvenue = \"Hall\"\n+++\n"
	// Each file starts "+++", "title = ...", "[event]": the table is on
	// line 3, its first key on line 4.
	event := func(lines ...string) string {
		return "-- content/events/x.md --\n+++\ntitle = \"X\"\n[event]\n" + strings.Join(lines, "\n") + "\n+++\nBody.\n"
	}
	const x = "content/events/x.md"
	cases := []struct {
		name  string
		files string
		want  []string
	}{
		{"end before start", event(`start = 2026-09-17T08:30:00`, `end = 2026-09-17T08:00:00`, `venue = "Hall"`),
			[]string{x + ":5: event.end: 2026-09-17T08:00:00+02:00 is before the start, 2026-09-17T08:30:00+02:00"}},
		{"all-day end before start", event(`start = 2026-09-17`, `end = 2026-09-16`, `venue = "Hall"`),
			[]string{x + ":5: event.end: 2026-09-16 is before the start, 2026-09-17"}},
		{"unknown time zone", event(`start = 2026-09-17T08:30:00`, `venue = "Hall"`, `timezone = "Europe/Berln"`),
			[]string{x + `:6: event.timezone: unknown time zone "Europe/Berln"; use an IANA name such as "Europe/Berlin" or "America/New_York"`}},
		{"no place, no link", event(`start = 2026-09-17T08:30:00`, `venue = ""`, `capacity = 10`),
			[]string{x + ":3: event: neither a place nor an online link; set venue or address for an event in person, online for a webcast, or both"}},
		{"online not absolute", event(`start = 2026-09-17T08:30:00`, `online = "live.example.org/x"`),
			[]string{x + `:5: event.online: "live.example.org/x" is not a web address; write it in full, starting with https://`}},
		{"rsvp javascript", event(`start = 2026-09-17T08:30:00`, `venue = "Hall"`, `rsvp = "javascript:alert(1)"`),
			[]string{x + `:6: event.rsvp: "javascript:alert(1)" is not a web address; write it in full, starting with https://`}},
		{"rsvp relative", event(`start = 2026-09-17T08:30:00`, `venue = "Hall"`, `rsvp = "/rsvp/"`),
			[]string{x + `:6: event.rsvp: "/rsvp/" is not a web address; write it in full, starting with https://`}},
		{"negative capacity", event(`start = 2026-09-17T08:30:00`, `venue = "Hall"`, `capacity = -5`),
			[]string{x + ":6: event.capacity: -5 places is not a limit; give a number of at least 1, or leave capacity out"}},
		{"capacity as text", event(`start = 2026-09-17T08:30:00`, `venue = "Hall"`, `capacity = "24"`),
			[]string{x + ":6: event.capacity: want a whole number, got a string"}},
		{"start as number", event(`start = 20260917`, `venue = "Hall"`),
			[]string{x + ":4: event.start: want a date and time such as 2026-09-17T18:30:00, or 2026-09-17 for an all-day event, got a number"}},
		{"start not a date", event(`start = "next Tuesday"`, `venue = "Hall"`),
			[]string{x + `:4: event.start: "next Tuesday" is not a date; write 2026-09-17T18:30:00, or 2026-09-17 for an all-day event`}},
		{"cancelled as text", event(`start = 2026-09-17T08:30:00`, `venue = "Hall"`, `cancelled = "yes"`),
			[]string{x + ":6: event.cancelled: want true or false, got a string"}},
		{"venue as number", event(`start = 2026-09-17T08:30:00`, `venue = 12`, `online = "https://x.example.org/"`),
			[]string{x + ":5: event.venue: want text in quotes, got a number"}},
		{"no start", event(`venue = "Hall"`),
			[]string{x + ":3: event: no start; every event needs one, such as start = 2026-09-17T18:30:00"}},
		{"unknown key", event(`start = 2026-09-17T08:30:00`, `venue = "Hall"`, `adress = "Street 1"`),
			[]string{x + ":6: event.adress: unknown key; [event] takes start, end, timezone, venue, address, online, rsvp, capacity, cancelled, sequence, image, performer, price, currency"}},
		{"price without currency", event(`start = 2026-09-17T08:30:00`, `venue = "Hall"`, `price = 12.5`),
			[]string{x + `:6: event.price: a price needs its currency: add currency = "EUR" (an ISO 4217 code)`}},
		{"currency without price", event(`start = 2026-09-17T08:30:00`, `venue = "Hall"`, `currency = "EUR"`),
			[]string{x + `:6: event.currency: a currency needs a price: add price = 12.50, or 0 for a free event`}},
		{"currency not ISO 4217", event(`start = 2026-09-17T08:30:00`, `venue = "Hall"`, `price = 5`, `currency = "EURO"`),
			[]string{x + `:7: event.currency: "EURO" is not an ISO 4217 currency code; write three capital letters such as "EUR", "GBP" or "USD"`}},
		{"currency in lower case", event(`start = 2026-09-17T08:30:00`, `venue = "Hall"`, `price = 5`, `currency = "eur"`),
			[]string{x + `:7: event.currency: "eur" is not an ISO 4217 currency code`}},
		{"price with a sign", event(`start = 2026-09-17T08:30:00`, `venue = "Hall"`, `price = "€12,50"`, `currency = "EUR"`),
			[]string{x + `:6: event.price: "€12,50" is not a price; write a decimal number with a point, such as "12.50" or 0 for a free event, and the currency apart`}},
		{"negative price", event(`start = 2026-09-17T08:30:00`, `venue = "Hall"`, `price = -3.5`, `currency = "EUR"`),
			[]string{x + `:6: event.price: -3.5 is not a price`}},
		{"price as a date", event(`start = 2026-09-17T08:30:00`, `venue = "Hall"`, `price = 2026-09-17`, `currency = "EUR"`),
			[]string{x + `:6: event.price: want a number such as 12.50, got`}},
		{"address table without a town", event(`start = 2026-09-17T08:30:00`, `venue = "Hall"`, `address = { street = "Beispielweg 5" }`),
			[]string{x + `:6: event.address: an address table needs at least street and locality (the town)`}},
		{"address table with an unknown key", event(`start = 2026-09-17T08:30:00`, `address = { street = "Beispielweg 5", city = "Berlin", locality = "Berlin" }`),
			[]string{x + `:5: event.address.city: unknown key; an address takes street, locality, region, postal_code, country`}},
		{"address part as a number", "-- content/events/x.md --\n+++\ntitle = \"X\"\n[event]\nstart = 2026-09-17T08:30:00\n[event.address]\nstreet = \"Beispielweg 5\"\nlocality = \"Berlin\"\npostal_code = 10115\n+++\n",
			[]string{x + `:8: event.address.postal_code: want text in quotes, got a number`}},
		{"performer as a number", event(`start = 2026-09-17T08:30:00`, `venue = "Hall"`, `performer = 3`),
			[]string{x + `:6: event.performer: want a name in quotes or a list of them, got a number`}},
		{"date and time mixed", event(`start = 2026-09-17`, `end = 2026-09-17T10:00:00`, `venue = "Hall"`),
			[]string{x + ":5: event.end: start is a date (an all-day event), so end must be a date too, such as 2026-09-18"}},
		{"offset of another zone", event(`start = 2026-09-17T08:30:00+01:00`, `venue = "Hall"`),
			[]string{x + ":4: event.start: the offset +01:00 is not that of Europe/Berlin (the site's time zone), which is +02:00 on 17 September 2026; write the local time without an offset, or set timezone to the zone the event happens in"}},
		{"time the clocks skip", event(`start = 2026-03-29T02:30:00`, `venue = "Hall"`),
			[]string{x + ":4: event.start: 2026-03-29 02:30 does not exist in Europe/Berlin (the clocks go forward then); choose another time"}},
		{"event not a table", "-- content/events/x.md --\n+++\ntitle = \"X\"\nevent = \"tomorrow\"\n+++\n",
			[]string{x + ":3: event: want a table such as [event] with start = 2026-09-17T18:30:00, got a string"}},
		{"no title", "-- content/events/x.md --\n+++\n[event]\nstart = 2026-09-17T08:30:00\nvenue = \"Hall\"\n+++\n",
			[]string{x + ":2: event: the page has no title, and an event needs one: it is the name in calendars and search results"}},
		{"every problem at once", event(`start = 2026-09-17T08:30:00`, `end = 2026-09-17T08:00:00`, `online = "ftp://x"`, `capacity = 0`) +
			"-- content/events/y.md --\n+++\ntitle = \"Y\"\n[event]\nstart = 2026-09-17T08:30:00\ntimezone = \"Mars/Base\"\nvenue = \"V\"\n+++\n",
			[]string{
				x + ":5: event.end: 2026-09-17T08:00:00+02:00 is before the start, 2026-09-17T08:30:00+02:00",
				x + `:6: event.online: "ftp://x" is not a web address; write it in full, starting with https://`,
				x + ":7: event.capacity: 0 places is not a limit; give a number of at least 1, or leave capacity out",
				`content/events/y.md:5: event.timezone: unknown time zone "Mars/Base"`,
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := testsite.New(t, site)
			if code, stderr := runEventBuild(t, "build", "-s", dir, "--quiet"); code != 0 {
				t.Fatalf("good build failed: %s", stderr)
			}
			public := filepath.Join(dir, "public")
			before := testsite.Hashes(t, public)
			if before["events/ok/event.ics"] == "" {
				t.Fatal("the good build wrote no event.ics")
			}
			testsite.Write(t, dir, tc.files)

			code, stderr := runEventBuild(t, "build", "-s", dir)
			if code != 1 {
				t.Fatalf("exit code = %d, want 1; stderr:\n%s", code, stderr)
			}
			var lines []string // the problems, without the CLI's heading
			for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
				if strings.HasPrefix(l, "content/") {
					lines = append(lines, l)
				}
			}
			for _, w := range tc.want {
				if !slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, w) }) {
					t.Errorf("stderr lacks the line %q:\n%s", w, stderr)
				}
			}
			if len(lines) != len(tc.want) {
				t.Errorf("%d error lines, want %d:\n%s", len(lines), len(tc.want), stderr)
			}
			if after := testsite.Hashes(t, public); !maps.Equal(before, after) {
				t.Error("public/ changed after a failed build")
			}
			if left, _ := filepath.Glob(filepath.Join(dir, ".public.tmp-*")); len(left) > 0 {
				t.Errorf("staging folders left behind: %v", left)
			}
		})
	}
}

func runEventBuild(t *testing.T, args ...string) (int, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, &out, &errb)
	if code != 0 && out.Len() > 0 {
		t.Errorf("a failed build printed to stdout: %q", out.String())
	}
	return code, errb.String()
}

// The example hub's events all build, under the golden test's clock.
func TestExampleHubEvents(t *testing.T) {
	pub := buildExample(t)
	entries, err := os.ReadDir("../content/events")
	if err != nil {
		t.Fatal(err)
	}
	var modes []string
	cancelled := false
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".md")
		if name == "_index" {
			continue
		}
		ld := eventJSONLD(t, pub, "events/"+name+"/index.html")
		modes = append(modes, strings.TrimPrefix(ld["eventAttendanceMode"].(string), "https://schema.org/"))
		cancelled = cancelled || ld["eventStatus"] == "https://schema.org/EventCancelled"
		parseICS(t, pub, "events/"+name+"/event.ics")
	}
	for _, m := range []string{"OfflineEventAttendanceMode", "OnlineEventAttendanceMode", "MixedEventAttendanceMode"} {
		if !slices.Contains(modes, m) {
			t.Errorf("the example hub has no %s event", m)
		}
	}
	if !cancelled {
		t.Error("the example hub has no cancelled event")
	}
	feed := parseICS(t, pub, "events/calendar.ics")
	if n := len(feed.Events()); n != len(modes) {
		t.Errorf("calendar.ics has %d events, the hub %d", n, len(modes))
	}
	for _, ev := range feed.Events() {
		if u := icsValue(&ev.ComponentBase, ics.ComponentPropertyUrl); !strings.HasPrefix(u, "https://example.org/hub/events/") {
			t.Errorf("URL %q lacks the sub-path", u)
		}
	}
	list := testsite.Read(t, pub, "events/index.html")
	if !strings.Contains(list, `href="webcal://example.org/hub/events/calendar.ics"`) {
		t.Error("the events list has no webcal link with the sub-path")
	}
}
