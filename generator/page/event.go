package page

import (
	"cmp"
	"encoding/json"
	"fmt"
	"html"
	"html/template"
	"math"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/generator/markup"
)

// CalendarPath is the site path of the feed of every event, the URL people
// subscribe to. It is fixed, not derived from the events section, so that a
// subscription survives renaming the section.
const CalendarPath = "/events/calendar.ics"

// Event is the typed [event] table of a page. Every field has been checked
// when the site was built, so templates never meet a half-valid event.
type Event struct {
	page *Page

	// start and end are instants shown in zone. For all-day events they
	// are midnights in zone and end is the last day, inclusive.
	start, end time.Time
	allDay     bool
	zone       *time.Location

	venue, address, online, rsvp string
	postal                       postalAddress // address as parts, when given as a table
	image                        string        // [event] image, as written
	performers                   []string
	price, currency              string // price as a decimal ("12.50"), currency ISO 4217
	capacity                     int
	cancelled                    bool
	sequence                     int // as written; see Sequence
}

// eventIndex holds the site's events, built once and read-only after.
type eventIndex struct {
	byPage map[*Page]*Event
	pages  []*Page // soonest start first
}

// Event is the page's event, or nil when it has no [event] table.
func (p *Page) Event() *Event { return p.site.events.byPage[p] }

// UpcomingEvents are the events among the list's pages (all of them on the
// home page) that have not ended by the build clock, soonest first.
func (p *Page) UpcomingEvents() []*Page {
	return p.site.reachList(p, "UpcomingEvents", p.site.splitEvents(p.eventPages(), true))
}

// PastEvents are the events among the list's pages that have ended, most
// recent first.
func (p *Page) PastEvents() []*Page {
	return p.site.reachList(p, "PastEvents", p.site.splitEvents(p.eventPages(), false))
}

// eventPages walks the site's events, not the list's pages: a head partial
// asks every section and every pager page, and a section of 10,000 tips
// must not be sorted each time to find it has no events.
func (p *Page) eventPages() []*Page {
	var out []*Page
	switch p.kind {
	case KindHome:
		return p.site.events.pages
	case KindSection:
		for _, e := range p.site.events.pages {
			for a := e.parent; a != nil; a = a.parent {
				if a == p {
					out = append(out, e)
					break
				}
			}
		}
	case KindTerm:
		for _, c := range p.children {
			if c.Event() != nil {
				out = append(out, c)
			}
		}
	}
	return out
}

// Events are every event page, soonest start first.
func (s *Site) Events() []*Page { return s.reachList(nil, "Events", s.events.pages) }

// UpcomingEvents are the events that have not ended by the build clock
// (--now), soonest first. An event in progress is still upcoming.
func (s *Site) UpcomingEvents() []*Page {
	return s.reachList(nil, "UpcomingEvents", s.splitEvents(s.events.pages, true))
}

// PastEvents are the events that have ended, most recent first.
func (s *Site) PastEvents() []*Page {
	return s.reachList(nil, "PastEvents", s.splitEvents(s.events.pages, false))
}

func (s *Site) splitEvents(pages []*Page, upcoming bool) []*Page {
	var out []*Page
	for _, p := range pages {
		if e := p.Event(); e != nil && e.Upcoming() == upcoming {
			out = append(out, p)
		}
	}
	byStart(out)
	if !upcoming {
		slices.Reverse(out)
	}
	return out
}

func byStart(ps []*Page) {
	slices.SortStableFunc(ps, func(a, b *Page) int {
		return cmp.Or(a.Event().start.Compare(b.Event().start), cmp.Compare(a.path, b.path))
	})
}

// CalendarLink is where an iCalendar file is served: RelPermalink for links
// on the site, Permalink for copying, Webcal (empty when the baseURL has no
// host) for calendar apps to subscribe rather than import once. Webcal is a
// template.URL because html/template replaces any scheme but http(s) and
// mailto in an href; it is built from the baseURL, never from content.
type CalendarLink struct {
	RelPermalink, Permalink string
	Webcal                  template.URL
}

func (s *Site) calendarLink(sitePath string) CalendarLink {
	l := CalendarLink{RelPermalink: s.cfg.Base.Rel(sitePath), Permalink: s.cfg.Base.Abs(sitePath)}
	for _, scheme := range []string{"https://", "http://"} {
		if rest, ok := strings.CutPrefix(l.Permalink, scheme); ok {
			l.Webcal = template.URL("webcal://" + rest)
		}
	}
	return l
}

// EventsCalendar is the feed of all events, or nil when the site has none
// (the feed is not written then, so there is nothing to link to).
func (s *Site) EventsCalendar() *CalendarLink {
	if len(s.events.pages) == 0 {
		return nil
	}
	l := s.calendarLink(CalendarPath)
	return &l
}

// Template vocabulary of an event.

// Start is when the event begins, in the event's zone; for an all-day event
// midnight of its first day.
func (e *Event) Start() time.Time { return e.start }

// End is when it ends, zero when no end was given; for an all-day event
// midnight of its last day.
func (e *Event) End() time.Time { return e.end }

func (e *Event) HasEnd() bool { return !e.end.IsZero() }
func (e *Event) AllDay() bool { return e.allDay }

// TimeZone is the IANA name of the event's zone ("Europe/Berlin").
func (e *Event) TimeZone() string { return e.zone.String() }

// Zone is the event's zone: its timezone, else the site's.
func (e *Event) Zone() *time.Location { return e.zone }

func (e *Event) Venue() string   { return e.venue }
func (e *Event) Address() string { return e.address }
func (e *Event) Online() string  { return e.online }
func (e *Event) RSVP() string    { return e.rsvp }
func (e *Event) Capacity() int   { return e.capacity }

// Performers are the names of who performs or speaks ([event] performer).
func (e *Event) Performers() []string { return e.performers }

// Price is the ticket price as a decimal ("12.50", "0" for free), "" when
// none is given; Currency its ISO 4217 code ("EUR").
func (e *Event) Price() string    { return e.price }
func (e *Event) Currency() string { return e.currency }

// Free reports a price of zero.
func (e *Event) Free() bool { return e.price != "" && strings.Trim(e.price, "0.") == "" }

// Image is the event's image for structured data, an absolute URL: [event]
// image, else the page's images (see Page.SocialImages), "" for none.
func (e *Event) Image() string {
	if e.image != "" {
		return e.page.resourceURL(e.image)
	}
	if imgs := e.page.SocialImages(); len(imgs) > 0 {
		return imgs[0]
	}
	return ""
}
func (e *Event) Cancelled() bool { return e.cancelled }

// InPerson reports a place to go to; IsOnline a link to join; Hybrid both.
func (e *Event) InPerson() bool { return e.venue != "" || e.address != "" }
func (e *Event) IsOnline() bool { return e.online != "" }
func (e *Event) Hybrid() bool   { return e.InPerson() && e.IsOnline() }

// AttendanceMode is "offline", "online" or "mixed", schema.org's terms.
func (e *Event) AttendanceMode() string {
	switch {
	case e.Hybrid():
		return "mixed"
	case e.IsOnline():
		return "online"
	}
	return "offline"
}

// until is the instant the event stops being upcoming: its end, else its
// start; for all-day events the midnight after the last day.
func (e *Event) until() time.Time {
	if e.allDay {
		last := cmp.Or(e.end, e.start)
		y, m, d := last.Date()
		return time.Date(y, m, d+1, 0, 0, 0, 0, e.zone)
	}
	return cmp.Or(e.end, e.start)
}

// Upcoming reports whether the event has not ended by the build clock.
func (e *Event) Upcoming() bool { return e.page.site.now.Before(e.until()) }

// InProgress reports whether the build clock falls between start and end.
func (e *Event) InProgress() bool {
	now := e.page.site.now
	return !now.Before(e.start) && now.Before(e.until())
}

// Past reports whether the event has ended by the build clock.
func (e *Event) Past() bool { return !e.Upcoming() }

// ICSPath is the site path of the event's own iCalendar file: event.ics in
// the page's folder, or beside a page whose url ends in .html.
func (e *Event) ICSPath() string {
	if p, ok := strings.CutSuffix(e.page.path, ".html"); ok {
		return p + ".ics"
	}
	return e.page.path + "event.ics"
}

// Calendar links the event's own iCalendar file ("Add to calendar").
func (e *Event) Calendar() CalendarLink { return e.page.site.calendarLink(e.ICSPath()) }

// sequenceEpoch is the zero of the derived SEQUENCE. Any fixed instant
// works; a recent one keeps the numbers short.
var sequenceEpoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)

// Sequence is the iCalendar SEQUENCE: the front-matter sequence plus the
// minutes from 2020-01-01 UTC to the page's lastmod. Calendar apps ignore an
// update whose SEQUENCE did not grow, and editors forget to bump a counter,
// so any edit that moves lastmod on by a minute or more raises it; sequence
// is there for an edit that cannot (lastmod given as a date, changed twice
// in a day). It never exceeds the 32-bit limit of RFC 5545's INTEGER.
func (e *Event) Sequence() int {
	n := int64(e.sequence)
	if lm := e.page.lastmod; lm.After(sequenceEpoch) {
		n += int64(lm.Sub(sequenceEpoch) / time.Minute)
	}
	return int(min(n, math.MaxInt32))
}

// UID is the iCalendar UID: front-matter id, else the page's path, then
// "@" and the site's host and base path. The base path is part of it
// because two project sites on one github.io host must not share UIDs.
func (e *Event) UID() string {
	id := cmp.Or(e.page.ID(), strings.Trim(e.page.path, "/"))
	base := e.page.site.cfg.Base
	if base.Host() == "" {
		return id
	}
	domain := base.Host()
	if bp := strings.Trim(base.Path(), "/"); bp != "" {
		domain += "/" + bp
	}
	return id + "@" + domain
}

// Place is the venue and address on one line, "" for an online-only event.
func (e *Event) Place() string {
	var parts []string
	for _, s := range []string{e.venue, e.address} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// PlainDescription is the page's description, else its summary, as one
// line of plain text for calendars and structured data.
func (e *Event) PlainDescription() string {
	d := e.page.Description()
	if d == "" {
		d = markup.Plainify(string(e.page.Summary()))
	}
	return strings.Join(strings.Fields(d), " ")
}

// ZoneAbbr is the zone's abbreviation at t ("CEST"), with "UTC" before the
// numeric ones the tz database uses for many zones ("+03" → "UTC+03").
func (e *Event) ZoneAbbr(t time.Time) string {
	name, _ := t.In(e.zone).Zone()
	if strings.HasPrefix(name, "+") || strings.HasPrefix(name, "-") {
		return "UTC" + name
	}
	return name
}

// When is the date and time as text in the event's zone, the zone named:
// "Thursday 17 September 2026, 08:30–10:30 CEST (Europe/Berlin)".
func (e *Event) When() string {
	var b strings.Builder
	e.when(func(t time.Time, text string) { b.WriteString(text) }, func(s string) { b.WriteString(s) })
	return b.String()
}

// WhenHTML is When with each date in a <time datetime> element.
func (e *Event) WhenHTML() template.HTML {
	var b strings.Builder
	e.when(func(t time.Time, text string) {
		iso := t.Format(time.RFC3339)
		if e.allDay {
			iso = t.Format(time.DateOnly)
		}
		fmt.Fprintf(&b, `<time datetime="%s">%s</time>`, iso, html.EscapeString(text))
	}, func(s string) { b.WriteString(html.EscapeString(s)) })
	return template.HTML(b.String())
}

// StartHTML is the start alone, short, in a <time> element, for lists:
// "Thu 17 Sep 2026, 08:30 CEST".
func (e *Event) StartHTML() template.HTML {
	start := e.start.In(e.zone)
	if e.allDay {
		return template.HTML(fmt.Sprintf(`<time datetime="%s">%s</time>`, start.Format(time.DateOnly), start.Format("Mon 2 Jan 2006")))
	}
	return template.HTML(fmt.Sprintf(`<time datetime="%s">%s %s</time>`, start.Format(time.RFC3339),
		start.Format("Mon 2 Jan 2006, 15:04"), html.EscapeString(e.ZoneAbbr(start))))
}

const (
	eventDayLayout   = "Monday 2 January 2006"
	eventClockLayout = "15:04"
)

// when writes the event's dates through tm (a date or time, with its
// instant) and text (everything between).
func (e *Event) when(tm func(time.Time, string), text func(string)) {
	start, end := e.start.In(e.zone), e.end.In(e.zone)
	if e.allDay {
		tm(start, start.Format(eventDayLayout))
		if e.HasEnd() && !end.Equal(start) {
			text(" – ")
			tm(end, end.Format(eventDayLayout))
		}
		text(" (all day)")
		return
	}
	tm(start, start.Format(eventDayLayout+", "+eventClockLayout))
	zone := e.zone.String()
	named := func(abbr string) string {
		if abbr == zone {
			return ""
		}
		return " (" + zone + ")"
	}
	switch {
	case !e.HasEnd():
		text(" " + e.ZoneAbbr(start) + named(e.ZoneAbbr(start)))
	case start.Format(time.DateOnly) == end.Format(time.DateOnly) && e.ZoneAbbr(start) == e.ZoneAbbr(end):
		text("–")
		tm(end, end.Format(eventClockLayout))
		text(" " + e.ZoneAbbr(end) + named(e.ZoneAbbr(end)))
	case start.Format(time.DateOnly) == end.Format(time.DateOnly):
		// The clocks change during the event: each time gets its own
		// abbreviation, or 01:00–04:00 would read as three hours.
		text(" " + e.ZoneAbbr(start) + " – ")
		tm(end, end.Format(eventClockLayout))
		text(" " + e.ZoneAbbr(end) + named(e.ZoneAbbr(end)))
	default:
		text(" " + e.ZoneAbbr(start) + " – ")
		tm(end, end.Format(eventDayLayout+", "+eventClockLayout))
		text(" " + e.ZoneAbbr(end) + named(e.ZoneAbbr(end)))
	}
}

// schema.org Event, in the property order Google's documentation uses.
type ldEvent struct {
	Context     string    `json:"@context"`
	Type        string    `json:"@type"`
	Name        string    `json:"name"`
	Description string    `json:"description,omitempty"`
	URL         string    `json:"url,omitempty"`
	Image       []string  `json:"image,omitempty"`
	StartDate   string    `json:"startDate"`
	EndDate     string    `json:"endDate,omitempty"`
	Status      string    `json:"eventStatus"`
	Mode        string    `json:"eventAttendanceMode"`
	Location    any       `json:"location"`
	Capacity    int       `json:"maximumAttendeeCapacity,omitempty"`
	Offers      *ldOffer  `json:"offers,omitempty"`
	Performer   []ldThing `json:"performer,omitempty"`
	Organizer   ldThing   `json:"organizer"`
}

type ldThing struct {
	Type    string     `json:"@type"`
	Name    string     `json:"name,omitempty"`
	URL     string     `json:"url,omitempty"`
	Address *ldAddress `json:"address,omitempty"`
}

type ldAddress struct {
	Type            string `json:"@type"`
	StreetAddress   string `json:"streetAddress,omitempty"`
	AddressLocality string `json:"addressLocality,omitempty"`
	AddressRegion   string `json:"addressRegion,omitempty"`
	PostalCode      string `json:"postalCode,omitempty"`
	AddressCountry  string `json:"addressCountry,omitempty"`
}

type ldOffer struct {
	Type          string `json:"@type"`
	URL           string `json:"url,omitempty"`
	Price         string `json:"price,omitempty"`
	PriceCurrency string `json:"priceCurrency,omitempty"`
	Availability  string `json:"availability"`
	ValidFrom     string `json:"validFrom,omitempty"`
}

const schemaOrg = "https://schema.org/"

// JSONLD is the event as schema.org Event JSON-LD, for
// <script type="application/ld+json">. html/template treats that element
// as JavaScript, so the JSON is returned as template.JS; encoding/json
// escapes <, > and & inside strings, so no value can close the element.
func (e *Event) JSONLD() (template.JS, error) {
	p := e.page
	cfg := p.site.cfg
	ev := ldEvent{
		Context: "https://schema.org", Type: "Event",
		Name: p.title, Description: e.PlainDescription(), URL: p.permalink,
		Status:    schemaOrg + "EventScheduled",
		Mode:      schemaOrg + map[string]string{"offline": "Offline", "online": "Online", "mixed": "Mixed"}[e.AttendanceMode()] + "EventAttendanceMode",
		Capacity:  e.capacity,
		Organizer: ldThing{Type: "Organization", Name: cfg.Title, URL: cfg.Base.Abs("/")},
	}
	if e.cancelled {
		ev.Status = schemaOrg + "EventCancelled"
	}
	if e.allDay {
		ev.StartDate = e.start.Format(time.DateOnly)
		if e.HasEnd() {
			ev.EndDate = e.end.Format(time.DateOnly)
		}
	} else {
		ev.StartDate = e.start.Format(time.RFC3339)
		if e.HasEnd() {
			ev.EndDate = e.end.Format(time.RFC3339)
		}
	}
	if img := e.Image(); img != "" {
		ev.Image = []string{img}
	}
	for _, name := range e.performers {
		ev.Performer = append(ev.Performer, ldThing{Type: "Person", Name: name})
	}
	var locs []any
	if e.InPerson() {
		// Google requires an address for a Place; a venue alone is the
		// best address there is.
		addr := &ldAddress{Type: "PostalAddress", StreetAddress: cmp.Or(e.address, e.venue)}
		if e.postal != (postalAddress{}) {
			addr = &ldAddress{Type: "PostalAddress", StreetAddress: e.postal.street, AddressLocality: e.postal.locality,
				AddressRegion: e.postal.region, PostalCode: e.postal.postalCode, AddressCountry: e.postal.country}
		}
		locs = append(locs, ldThing{Type: "Place", Name: cmp.Or(e.venue, e.address), Address: addr})
	}
	if e.IsOnline() {
		locs = append(locs, ldThing{Type: "VirtualLocation", URL: e.online})
	}
	ev.Location = locs[0]
	if len(locs) > 1 {
		ev.Location = locs
	}
	if e.rsvp != "" || e.price != "" {
		avail := "InStock"
		if e.cancelled || e.Past() {
			avail = "Discontinued"
		}
		ev.Offers = &ldOffer{Type: "Offer", URL: cmp.Or(e.rsvp, p.permalink), Price: e.price, PriceCurrency: e.currency,
			Availability: schemaOrg + avail}
		if !p.publishDate.IsZero() {
			ev.Offers.ValidFrom = p.publishDate.Format(time.RFC3339)
		}
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return "", fmt.Errorf("JSON-LD for %s: %w", p.path, err)
	}
	return template.JS(b), nil
}

// Building and checking events.

// eventKeys are the keys an [event] table may hold, in the order of the docs.
var eventKeys = []string{"start", "end", "timezone", "venue", "address", "online", "rsvp", "capacity", "cancelled", "sequence",
	"image", "performer", "price", "currency"}

// buildEvents reads the [event] table of every regular page that has one.
// All problems of all pages are reported, each at its key's line.
func (s *Site) buildEvents(errs *diag.List) {
	s.events = eventIndex{byPage: map[*Page]*Event{}}
	for _, p := range s.regular {
		if _, ok := p.params["event"]; !ok {
			continue
		}
		e, problems := parseEvent(p, s.cfg.Location)
		for _, err := range problems {
			errs.Add(err)
		}
		if e != nil && len(problems) == 0 {
			s.events.byPage[p] = e
			s.events.pages = append(s.events.pages, p)
			s.changesAt(e.start, p.src, "starts") // "Happening now"
			s.changesAt(e.until(), p.src, "ends")
		}
	}
	byStart(s.events.pages)
}

// eventReader decodes one page's [event] table. It reads the front matter
// again rather than .Params because .Params has already put offset-less
// datetimes in the site's zone, and an event's are read in its own zone.
type eventReader struct {
	src    *content.Source
	prefix []string          // the table's key as written: ["event"] or ["params", "event"]
	keys   map[string]string // lower-case key → as written, for line lookups
	table  map[string]any    // lower-case keys
	errs   []error
}

func parseEvent(p *Page, siteZone *time.Location) (*Event, []error) {
	src := p.src
	r := &eventReader{src: src, keys: map[string]string{}, table: map[string]any{}}
	raw, err := src.RawFrontMatter()
	if err != nil {
		// content.Load decoded the same bytes without error.
		return nil, []error{&diag.Error{File: src.Path, Err: fmt.Errorf("front matter: %w", err)}}
	}
	v, prefix := findKeyFold(raw, "event")
	if prefix == nil {
		// .Params also takes keys from [params] (Hugo's merge).
		if params, pk := findKeyFold(raw, "params"); pk != nil {
			if m, ok := params.(map[string]any); ok {
				if ev, ek := findKeyFold(m, "event"); ek != nil {
					v, prefix = ev, append(pk, ek...)
				}
			}
		}
	}
	r.prefix = prefix
	tbl, ok := v.(map[string]any)
	if !ok {
		r.fail("", "want a table such as [event] with start = 2026-09-17T18:30:00, got %s", content.TypeName(v))
		return nil, r.errs
	}
	for k, val := range tbl {
		lk := strings.ToLower(k)
		r.keys[lk] = k
		r.table[lk] = val
		if !slices.Contains(eventKeys, lk) {
			r.fail(lk, "unknown key; [event] takes %s", strings.Join(eventKeys, ", "))
		}
	}

	e := &Event{page: p, zone: siteZone}
	if p.title == "" {
		r.fail("", "the page has no title, and an event needs one: it is the name in calendars and search results")
	}
	zoneWhy := "the site's time zone"
	if name := strings.TrimSpace(r.str("timezone")); name != "" {
		zoneWhy = "its timezone"
		loc, err := time.LoadLocation(name)
		if err != nil || name == "Local" {
			r.fail("timezone", "unknown time zone %q; use an IANA name such as \"Europe/Berlin\" or \"America/New_York\"", name)
			zoneWhy = "" // no offset is checked against a zone that is not the event's
		} else {
			e.zone = loc
		}
	}
	start := r.time("start")
	end := r.time("end")
	if start.kind == evNoTime && r.table["start"] == nil {
		r.fail("", "no start; every event needs one, such as start = 2026-09-17T18:30:00")
	}
	e.allDay = start.kind == evDate
	if start.kind != evNoTime && end.kind != evNoTime && (start.kind == evDate) != (end.kind == evDate) {
		if e.allDay {
			r.fail("end", "start is a date (an all-day event), so end must be a date too, such as 2026-09-18")
		} else {
			r.fail("end", "start has a time of day, so end needs one too, such as 2026-09-17T20:00:00")
		}
		end.kind = evNoTime
	}
	e.start = r.resolve("start", start, e.zone, zoneWhy)
	e.end = r.resolve("end", end, e.zone, zoneWhy)
	if !e.start.IsZero() && !e.end.IsZero() && e.end.Before(e.start) {
		if e.allDay {
			r.fail("end", "%s is before the start, %s", e.end.Format(time.DateOnly), e.start.Format(time.DateOnly))
		} else {
			r.fail("end", "%s is before the start, %s", e.end.Format(time.RFC3339), e.start.Format(time.RFC3339))
		}
	}

	e.venue = strings.TrimSpace(r.str("venue"))
	if tbl, ok := r.table["address"].(map[string]any); ok {
		e.postal = r.postalAddress(tbl)
		e.address = e.postal.oneLine()
		r.table["address"] = e.address // given, for the place check below
	} else {
		e.address = strings.TrimSpace(r.str("address"))
	}
	e.image = strings.TrimSpace(r.str("image"))
	e.performers = r.names("performer")
	e.price, e.currency = r.price()
	e.online = r.url("online")
	e.rsvp = r.url("rsvp")
	if !r.given("venue") && !r.given("address") && !r.given("online") {
		r.fail("", "neither a place nor an online link; set venue or address for an event in person, online for a webcast, or both")
	}
	if v, set := r.int("capacity"); set {
		if v < 1 {
			r.fail("capacity", "%d places is not a limit; give a number of at least 1, or leave capacity out", v)
		}
		e.capacity = v
	}
	if v, set := r.int("sequence"); set {
		if v < 0 || v > 1_000_000 {
			r.fail("sequence", "%d is out of range; start at 0 and add 1 for each change", v)
		}
		e.sequence = v
	}
	e.cancelled = r.bool("cancelled")
	if len(r.errs) > 0 {
		return nil, r.errs
	}
	return e, nil
}

// findKeyFold finds key in m ignoring case, as Hugo's lower-cased .Params
// would, and returns the key as written.
func findKeyFold(m map[string]any, key string) (any, []string) {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, []string{k}
		}
	}
	return nil, nil
}

func (r *eventReader) line(key string) int {
	if k, ok := r.keys[key]; ok && key != "" {
		if l := r.src.Line(append(slices.Clone(r.prefix), k)...); l > 0 {
			return l
		}
	}
	// An inline table or a key that is missing: point at the table.
	return r.src.Line(r.prefix...)
}

func (r *eventReader) fail(key, format string, args ...any) {
	name := "event"
	if key != "" {
		name += "." + key
	}
	r.errs = append(r.errs, diag.At(r.src.Path, r.line(key), "%s: "+format, append([]any{name}, args...)...))
}

// given reports a key that is set to anything but blank text.
func (r *eventReader) given(key string) bool {
	s, isText := r.table[key].(string)
	return r.table[key] != nil && (!isText || strings.TrimSpace(s) != "")
}

func (r *eventReader) str(key string) string {
	switch v := r.table[key].(type) {
	case nil:
		return ""
	case string:
		return v
	default:
		r.fail(key, "want text in quotes, got %s", content.TypeName(v))
		r.table[key] = "" // reported once however often it is read
		return ""
	}
}

func (r *eventReader) int(key string) (int, bool) {
	switch v := r.table[key].(type) {
	case nil:
		return 0, false
	case int64:
		return int(max(min(v, math.MaxInt32), math.MinInt32)), true
	default:
		r.fail(key, "want a whole number, got %s", content.TypeName(v))
		return 0, false
	}
}

func (r *eventReader) bool(key string) bool {
	switch v := r.table[key].(type) {
	case nil:
		return false
	case bool:
		return v
	default:
		r.fail(key, "want true or false, got %s", content.TypeName(v))
		return false
	}
}

// url accepts only absolute http(s) URLs: a join or sign-up link that
// is relative, or javascript:, is a mistake on a public page and in a
// calendar file.
func (r *eventReader) url(key string) string {
	s := strings.TrimSpace(r.str(key))
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(s, " \t\n\"<>") {
		r.fail(key, "%q is not a web address; write it in full, starting with https://", s)
		return ""
	}
	return s
}

type eventTimeKind int

const (
	evNoTime  eventTimeKind = iota
	evDate                  // 2026-09-17: an all-day event
	evWall                  // 2026-09-17T18:30:00: read in the event's zone
	evInstant               // 2026-09-17T18:30:00+02:00
)

// eventTime is a date or time as written, before the zone is known.
type eventTime struct {
	kind eventTimeKind
	t    time.Time // for date and wall, the fields in UTC
}

var eventWallLayouts = []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"}

func (r *eventReader) time(key string) eventTime {
	const example = "2026-09-17T18:30:00, or 2026-09-17 for an all-day event"
	switch v := r.table[key].(type) {
	case nil:
		return eventTime{}
	case time.Time:
		switch v.Location().String() {
		case "date-local":
			return eventTime{evDate, wallClock(v)}
		case "datetime-local":
			return eventTime{evWall, wallClock(v)}
		case "time-local":
			r.fail(key, "a time without a date; write %s", example)
			return eventTime{}
		}
		return eventTime{evInstant, v}
	case string:
		// Quoted dates are accepted as elsewhere in front matter.
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return eventTime{evInstant, t}
		}
		for _, l := range eventWallLayouts {
			if t, err := time.Parse(l, v); err == nil {
				return eventTime{evWall, t}
			}
		}
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return eventTime{evDate, t}
		}
		r.fail(key, "%q is not a date; write %s", v, example)
	default:
		r.fail(key, "want a date and time such as %s, got %s", example, content.TypeName(v))
	}
	return eventTime{}
}

func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// resolve places v in zone. A wall-clock time that the zone skips (the
// hour the clocks go forward) is an error; one it has twice is the first,
// as RFC 5545 reads it. An explicit offset must be the zone's at that
// instant: "+01:00" on a summer date in Berlin is a forgotten DST change,
// and showing 09:30 for an 08:30 event would send people at the wrong hour.
func (r *eventReader) resolve(key string, v eventTime, zone *time.Location, zoneWhy string) time.Time {
	switch v.kind {
	case evDate:
		return time.Date(v.t.Year(), v.t.Month(), v.t.Day(), 0, 0, 0, 0, zone)
	case evWall:
		t, ok := eventWallTime(v.t, zone)
		if !ok {
			r.fail(key, "%s does not exist in %s (the clocks go forward then); choose another time", v.t.Format("2006-01-02 15:04"), zone)
		}
		return t
	case evInstant:
		_, off := v.t.Zone()
		in := v.t.In(zone)
		if _, zoff := in.Zone(); off != zoff && zoneWhy != "" {
			r.fail(key, "the offset %s is not that of %s (%s), which is %s on %s; write the local time without an offset, or set timezone to the zone the event happens in",
				utcOffset(off), zone, zoneWhy, utcOffset(zoff), in.Format("2 January 2006"))
		}
		return in
	}
	return time.Time{}
}

// eventWallTime finds the first instant whose wall clock in zone reads w's
// fields. time.Date leaves the choice open for repeated and skipped times.
func eventWallTime(w time.Time, zone *time.Location) (time.Time, bool) {
	guess := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), zone)
	var best time.Time
	for _, d := range []time.Duration{-24, -6, 0, 6, 24} {
		_, off := guess.Add(d * time.Hour).Zone()
		t := w.Add(-time.Duration(off) * time.Second).In(zone)
		if wallClock(t).Equal(w) && (best.IsZero() || t.Before(best)) {
			best = t
		}
	}
	return best, !best.IsZero()
}

func utcOffset(sec int) string {
	sign := '+'
	if sec < 0 {
		sign, sec = '-', -sec
	}
	return fmt.Sprintf("%c%02d:%02d", sign, sec/3600, sec/60%60)
}
