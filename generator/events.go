package generator

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/agora-hub/agora/generator/ical"
	"github.com/agora-hub/agora/generator/page"
)

// writeCalendars writes each event's iCalendar file and the feed of all
// events that calendar apps subscribe to. Nothing here reads the wall
// clock: equal content gives equal bytes, so subscribers see no phantom
// updates.
func (b *build) writeCalendars() {
	events := b.site.Events()
	if len(events) == 0 {
		return
	}
	all := make([]ical.Event, 0, len(events))
	for _, p := range events {
		ev := icalEvent(p)
		all = append(all, ev)
		b.writeCalendar(p.Event().ICSPath(), p.Source().Path+" (event.ics)", ical.Calendar{Events: []ical.Event{ev}})
	}
	b.writeCalendar(page.CalendarPath, "events calendar", ical.Calendar{Name: b.cfg.Title + " · Events", Events: all})
}

func (b *build) writeCalendar(sitePath, owner string, cal ical.Calendar) {
	var buf bytes.Buffer
	if err := ical.Write(&buf, cal); err != nil {
		b.errs.Add(fmt.Errorf("%s: %w", owner, err))
		return
	}
	b.errs.Add(b.out.Write(page.OutputFile(sitePath), owner, buf.Bytes()))
}

// icalEvent maps an event page to a VEVENT.
func icalEvent(p *page.Page) ical.Event {
	e := p.Event()
	ev := ical.Event{
		UID:     e.UID(),
		Summary: p.Title(),
		Start:   e.Start(), End: e.End(), AllDay: e.AllDay(), Zone: e.Zone(),
		Cancelled:    e.Cancelled(),
		Sequence:     e.Sequence(),
		LastModified: p.Lastmod(),
		Stamp:        p.Lastmod(),
		Location:     e.Place(),
	}
	if e.Cancelled() {
		// Many apps show STATUS:CANCELLED no differently from a
		// confirmed event; the title is what people read.
		ev.Summary = "Cancelled: " + ev.Summary
	}
	if ev.Location == "" {
		ev.Location = e.Online()
	}
	// URL must be absolute; a baseURL without a host has no such URL.
	if strings.Contains(p.Permalink(), "://") {
		ev.URL = p.Permalink()
	}
	var desc []string
	if e.Cancelled() {
		desc = append(desc, "This event is cancelled.")
	}
	if d := e.PlainDescription(); d != "" {
		desc = append(desc, d)
	}
	if e.IsOnline() {
		desc = append(desc, "Join online: "+e.Online())
	}
	if e.RSVP() != "" {
		desc = append(desc, "RSVP: "+e.RSVP())
	}
	if ev.URL != "" {
		desc = append(desc, "Details: "+ev.URL)
	}
	ev.Description = strings.Join(desc, "\n\n")
	return ev
}
