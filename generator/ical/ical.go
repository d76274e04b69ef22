// Package ical writes iCalendar (RFC 5545) files for event pages: one file
// per event and a site-wide feed that calendar apps subscribe to.
//
// The writer is deliberately small and dependency-free. Output depends only
// on its input (no clock, no host time zone), so rebuilding an unchanged site
// yields byte-identical files and subscribers do not see spurious updates.
package ical

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one VEVENT.
type Event struct {
	// UID must stay the same across rebuilds and renames, or subscribers
	// get duplicates; "<page id or path>@<site host>" is a good choice.
	UID         string
	Summary     string
	Description string // plain text; the caller strips HTML
	URL         string // absolute page URL
	Location    string // venue and address, or the webcast URL

	// Start is required. A zero End omits DTEND, which RFC 5545 reads as an
	// event that ends when it starts.
	//
	// For AllDay events only the calendar dates of Start and End in their
	// own locations count (Zone is ignored), and End is the last day of the
	// event, inclusive; the writer adds the day that makes DTEND exclusive.
	// A zero End means a one-day event.
	Start, End time.Time
	AllDay     bool

	// Zone is the zone the event is announced in. nil (or UTC) writes UTC
	// times; otherwise times are written as wall-clock times with
	// TZID=Zone.String() and a VTIMEZONE is added, so clients show the event
	// at the announced local time even if the zone's rules are later found
	// to differ from theirs. Use an IANA zone (time.LoadLocation), not
	// time.Local, whose name "Local" means nothing to other machines.
	Zone *time.Location

	Cancelled    bool // STATUS:CANCELLED instead of STATUS:CONFIRMED
	Sequence     int  // bump when the time or place changes
	LastModified time.Time

	// Stamp is DTSTAMP. Pass the page's lastmod rather than the build time
	// so the output is reproducible. If zero, LastModified is used, then
	// Start, because DTSTAMP is mandatory.
	Stamp time.Time
}

// Calendar is one VCALENDAR with METHOD:PUBLISH.
type Calendar struct {
	ProdID string // PRODID; defaultProdID if empty, since it is mandatory
	Name   string // NAME (RFC 7986) and X-WR-CALNAME, shown by subscribing apps
	Events []Event
}

const defaultProdID = "-//agora-hub//Agora//EN"

// maxLine is RFC 5545's limit for one physical line, in octets, CRLF not
// counted.
const maxLine = 75

const (
	utcLayout   = "20060102T150405Z"
	localLayout = "20060102T150405"
	dateLayout  = "20060102"
)

// Write writes c as an iCalendar stream. Events keep their order and time
// zones are sorted by name, so equal input gives equal bytes. Nothing is
// written if an event is invalid.
func Write(w io.Writer, c Calendar) error {
	for i, e := range c.Events {
		if err := check(e); err != nil {
			return fmt.Errorf("ical: event %d (UID %q): %w", i, e.UID, err)
		}
	}

	var l lines
	l.prop("BEGIN", "", "VCALENDAR")
	l.prop("VERSION", "", "2.0")
	prodID := c.ProdID
	if prodID == "" {
		prodID = defaultProdID
	}
	l.prop("PRODID", "", text(prodID))
	l.prop("CALSCALE", "", "GREGORIAN")
	l.prop("METHOD", "", "PUBLISH")
	if c.Name != "" {
		l.prop("NAME", "", text(c.Name))
		l.prop("X-WR-CALNAME", "", text(c.Name))
	}
	for _, z := range zonesOf(c.Events) {
		l.timezone(z)
	}
	for _, e := range c.Events {
		l.event(e)
	}
	l.prop("END", "", "VCALENDAR")

	// Buffering the whole calendar costs little (a site's events are a few
	// hundred kilobytes at most) and means one Write call for the caller's
	// file or HTTP response.
	_, err := w.Write(l.buf)
	return err
}

func check(e Event) error {
	switch {
	case strings.TrimSpace(e.UID) == "":
		return errors.New("empty UID")
	case e.Start.IsZero():
		return errors.New("zero Start")
	case e.End.IsZero():
		return nil
	case e.AllDay && dateOf(e.End).Before(dateOf(e.Start)):
		return fmt.Errorf("last day %s is before first day %s", e.End.Format(time.DateOnly), e.Start.Format(time.DateOnly))
	case !e.AllDay && e.End.Before(e.Start):
		return fmt.Errorf("end %s is before start %s", e.End.Format(time.RFC3339), e.Start.Format(time.RFC3339))
	}
	return nil
}

// zoneOf returns the zone e's times are written in, or nil for UTC. A zone
// without a name cannot be referenced by TZID, and writing UTC keeps the
// instant, so both fall back to UTC.
func zoneOf(e Event) *time.Location {
	if e.AllDay || e.Zone == nil || e.Zone == time.UTC {
		return nil
	}
	if name := e.Zone.String(); name == "" || name == "UTC" {
		return nil
	}
	return e.Zone
}

// zoneSpan is a zone and the instants its VTIMEZONE must describe.
type zoneSpan struct {
	loc      *time.Location
	from, to time.Time
}

func zonesOf(events []Event) []zoneSpan {
	spans := map[string]zoneSpan{}
	for _, e := range events {
		loc := zoneOf(e)
		if loc == nil {
			continue
		}
		for _, t := range []time.Time{e.Start, e.End} {
			// Only times dateTime writes with a TZID need describing.
			if t.IsZero() || ambiguousWallClock(t.In(loc)) {
				continue
			}
			s, ok := spans[loc.String()]
			if !ok {
				s = zoneSpan{loc: loc, from: t, to: t}
			}
			if t.Before(s.from) {
				s.from = t
			}
			if t.After(s.to) {
				s.to = t
			}
			spans[loc.String()] = s
		}
	}
	out := make([]zoneSpan, 0, len(spans))
	for _, name := range slices.Sorted(maps.Keys(spans)) {
		s := spans[name]
		// A year of margin on both sides covers clients that look at
		// neighbouring dates (week views, alarms) and keeps the first
		// observance away from the events themselves.
		y, m, d := s.from.UTC().AddDate(-1, 0, 0).Date()
		s.from = time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		s.to = s.to.AddDate(1, 0, 0)
		out = append(out, s)
	}
	return out
}

// observance is one STANDARD or DAYLIGHT sub-component: the offset that
// applies from onset until the next observance's onset.
type observance struct {
	daylight bool
	onset    time.Time
	from, to int // UTC offsets in seconds
	name     string
}

// observances lists the offsets loc uses in [from, to]. package time exposes
// no transition table, but ZoneBounds gives the exact instants where each
// offset starts and ends, so walking from one bound to the next finds every
// transition without probing.
func observances(loc *time.Location, from, to time.Time) []observance {
	t := from.In(loc)
	name, off := t.Zone()
	obs := []observance{{daylight: t.IsDST(), onset: t, from: off, to: off, name: name}}
	for {
		_, end := t.ZoneBounds()
		if end.IsZero() || end.After(to) {
			return obs
		}
		t = end.In(loc)
		name, off := t.Zone()
		last := obs[len(obs)-1]
		if off == last.to && name == last.name && t.IsDST() == last.daylight {
			// The tz database also records changes that clients
			// cannot see (e.g. a new rule yielding the same offset).
			continue
		}
		obs = append(obs, observance{daylight: t.IsDST(), onset: t, from: last.to, to: off, name: name})
	}
}

func (l *lines) timezone(z zoneSpan) {
	l.prop("BEGIN", "", "VTIMEZONE")
	l.prop("TZID", "", text(z.loc.String()))
	// One sub-component per transition instead of RRULEs: the tz database
	// has no portable rule form, and explicit onsets are exact and read
	// correctly by every client, including those that ignore RDATE.
	for _, o := range observances(z.loc, z.from, z.to) {
		kind := "STANDARD"
		if o.daylight {
			kind = "DAYLIGHT"
		}
		l.prop("BEGIN", "", kind)
		// RFC 5545 3.6.5: the onset is local time in the offset in
		// effect before it.
		l.prop("DTSTART", "", o.onset.UTC().Add(time.Duration(o.from)*time.Second).Format(localLayout))
		l.prop("TZOFFSETFROM", "", utcOffset(o.from))
		l.prop("TZOFFSETTO", "", utcOffset(o.to))
		if o.name != "" {
			l.prop("TZNAME", "", text(o.name))
		}
		l.prop("END", "", kind)
	}
	l.prop("END", "", "VTIMEZONE")
}

func utcOffset(sec int) string {
	sign := byte('+')
	if sec < 0 {
		sign, sec = '-', -sec
	}
	b := []byte{sign}
	b = appendTwo(b, sec/3600)
	b = appendTwo(b, sec/60%60)
	// Seconds are optional and only old local mean times use them.
	if sec%60 != 0 {
		b = appendTwo(b, sec%60)
	}
	return string(b)
}

func appendTwo(b []byte, n int) []byte {
	if n < 10 {
		b = append(b, '0')
	}
	return strconv.AppendInt(b, int64(n), 10)
}

func (l *lines) event(e Event) {
	l.prop("BEGIN", "", "VEVENT")
	l.prop("UID", "", text(e.UID))
	stamp := e.Stamp
	if stamp.IsZero() {
		stamp = e.LastModified
	}
	if stamp.IsZero() {
		stamp = e.Start
	}
	l.prop("DTSTAMP", "", stamp.UTC().Format(utcLayout))
	if e.AllDay {
		start := dateOf(e.Start)
		end := start.AddDate(0, 0, 1)
		if !e.End.IsZero() {
			end = dateOf(e.End).AddDate(0, 0, 1)
		}
		l.prop("DTSTART", ";VALUE=DATE", start.Format(dateLayout))
		l.prop("DTEND", ";VALUE=DATE", end.Format(dateLayout))
	} else {
		loc := zoneOf(e)
		l.dateTime("DTSTART", e.Start, loc)
		if !e.End.IsZero() {
			l.dateTime("DTEND", e.End, loc)
		}
	}
	if e.Summary != "" {
		l.prop("SUMMARY", "", text(e.Summary))
	}
	if e.Description != "" {
		l.prop("DESCRIPTION", "", text(e.Description))
	}
	if e.Location != "" {
		l.prop("LOCATION", "", text(e.Location))
	}
	if e.URL != "" {
		// URI values are not TEXT: backslash escapes would corrupt them.
		l.prop("URL", "", clean(e.URL))
	}
	status := "CONFIRMED"
	if e.Cancelled {
		status = "CANCELLED"
	}
	l.prop("STATUS", "", status)
	l.prop("SEQUENCE", "", strconv.Itoa(e.Sequence))
	if !e.LastModified.IsZero() {
		l.prop("LAST-MODIFIED", "", e.LastModified.UTC().Format(utcLayout))
	}
	l.prop("END", "", "VEVENT")
}

// dateOf is t's calendar date in t's own location, as a UTC midnight so date
// arithmetic is not disturbed by DST.
func dateOf(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (l *lines) dateTime(name string, t time.Time, loc *time.Location) {
	if loc != nil {
		if local := t.In(loc); !ambiguousWallClock(local) {
			l.prop(name, ";TZID="+paramValue(loc.String()), local.Format(localLayout))
			return
		}
	}
	l.prop(name, "", t.UTC().Format(utcLayout))
}

// ambiguousWallClock reports whether t's wall-clock time occurs twice, as
// 02:30 does when clocks go from 03:00 back to 02:00. RFC 5545 3.3.5 reads
// such a local time as the first occurrence, but not every consumer does (Go's
// time.Date, for one, does not promise which), so only UTC is unambiguous.
func ambiguousWallClock(t time.Time) bool {
	start, end := t.ZoneBounds()
	_, off := t.Zone()
	if !start.IsZero() {
		// The second occurrence: just after a backward shift.
		_, prev := start.Add(-time.Nanosecond).Zone()
		if shift := seconds(prev - off); shift > 0 && t.Sub(start) < shift {
			return true
		}
	}
	if !end.IsZero() {
		// The first occurrence: just before one.
		_, next := end.Zone()
		if shift := seconds(off - next); shift > 0 && end.Sub(t) <= shift {
			return true
		}
	}
	return false
}

func seconds(n int) time.Duration { return time.Duration(n) * time.Second }

// lines accumulates folded content lines.
type lines struct{ buf []byte }

// prop appends one content line, folded so no physical line exceeds maxLine
// octets. Folds fall on rune boundaries: RFC 5545 allows splitting a UTF-8
// sequence, but many clients then show replacement characters. value must
// already be valid UTF-8 without control characters (see text and clean).
func (l *lines) prop(name, params, value string) {
	line := name + params + ":" + value
	limit := maxLine
	for len(line) > limit {
		i := limit
		for !utf8.RuneStart(line[i]) {
			i--
		}
		l.buf = append(l.buf, line[:i]...)
		l.buf = append(l.buf, "\r\n "...)
		line = line[i:]
		limit = maxLine - 1 // the leading space counts
	}
	l.buf = append(l.buf, line...)
	l.buf = append(l.buf, "\r\n"...)
}

// text escapes s as a TEXT value (RFC 5545 3.3.11). Line breaks of any style
// become \n; other control characters are not allowed in TEXT and are
// dropped, as are invalid UTF-8 bytes, which become U+FFFD.
func text(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', ';', ',':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			b.WriteString(`\n`)
		case '\n':
			b.WriteString(`\n`)
		default:
			if !isControl(c) {
				b.WriteByte(c)
			}
		}
	}
	return b.String()
}

// clean makes s safe as a non-TEXT value: valid UTF-8, no control
// characters, so it cannot break the line structure.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && isControl(byte(r)) {
			return -1
		}
		return r
	}, s)
}

// paramValue makes s a parameter value (RFC 5545 3.1): DQUOTE cannot appear
// at all, and ":", ";" and "," need quoting.
func paramValue(s string) string {
	s = strings.ReplaceAll(clean(s), `"`, "")
	if strings.ContainsAny(s, ":;,") {
		return `"` + s + `"`
	}
	return s
}

// isControl reports the octets RFC 5545 calls CTL, except HTAB, which TEXT
// allows.
func isControl(c byte) bool {
	return (c < 0x20 && c != '\t') || c == 0x7f
}
