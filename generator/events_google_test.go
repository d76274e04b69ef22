package generator_test

import (
	"fmt"
	"strings"
	"testing"
)

// googleEvent lists the properties Google's Event structured data
// documentation names (developers.google.com/search/docs/appearance/
// structured-data/event): required, then recommended, as paths into the
// JSON-LD; "a|b" means either. previousStartDate is left out: it is for
// rescheduled events, which Agora does not model.
var googleEvent = struct{ required, recommended []string }{
	required: []string{"name", "startDate", "location"},
	recommended: []string{
		"description", "endDate", "eventAttendanceMode", "eventStatus", "image",
		"offers.availability", "offers.price", "offers.priceCurrency", "offers.url", "offers.validFrom",
		"organizer.name", "organizer.url", "performer.name",
	},
}

// googlePlace is what Google requires of a Place: a name and an address,
// which it reads best as a structured PostalAddress.
var googlePlace = []string{"name", "address.@type", "address.streetAddress", "address.addressLocality",
	"address.postalCode", "address.addressCountry"}

// lookup follows a dotted path, taking the first element of any list
// on the way and at the end.
func lookup(v any, path string) (any, bool) {
	for _, k := range strings.Split(path, ".") {
		if l, ok := v.([]any); ok {
			if len(l) == 0 {
				return nil, false
			}
			v = l[0]
		}
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	if l, ok := v.([]any); ok {
		if len(l) == 0 {
			return nil, false
		}
		v = l[0]
	}
	return v, v != nil && v != ""
}

// TestEventJSONLDGoogleProperties: an event whose front matter has what
// Google asks for gets every required and recommended property, with the
// image from [event] image, else the page's images, else the site's.
func TestEventJSONLDGoogleProperties(t *testing.T) {
	pub := buildEvents(t, `
-- site.toml --
baseURL = "https://example.org/hub/"
title = "Hub"
timezone = "Europe/Berlin"
[params]
images = ["images/card.png"]
-- content/events/full/index.md --
+++
title = "Metrics clinic"
description = "Bring your numbers."
date = 2026-10-10T12:00:00+02:00
images = ["poster.png"]
[event]
start = 2026-12-09T18:00:00
end = 2026-12-09T20:00:00
venue = "Kiez Coworking"
address = { street = "Beispielweg 5", postal_code = "10115", locality = "Berlin", region = "Berlin", country = "DE" }
rsvp = "https://rsvp.example.org/clinic"
performer = ["Mara Jensen", "Ola Berg"]
price = "12.50"
currency = "EUR"
image = "banner.png"
+++
-- content/events/full/banner.png --
png
-- content/events/full/poster.png --
png
-- content/events/page-image/index.md --
+++
title = "Page image"
images = ["poster.png", "/images/other.png"]
[event]
start = 2026-12-10T18:00:00
venue = "Hall"
+++
-- content/events/page-image/poster.png --
png
-- content/events/site-image.md --
+++
title = "Site image"
[event]
start = 2026-12-11T18:00:00
online = "https://live.example.org/x"
price = 0
currency = "EUR"
+++
`)
	ld := eventJSONLD(t, pub, "events/full/index.html")
	for _, p := range append(googleEvent.required, googleEvent.recommended...) {
		if _, ok := lookup(ld, p); !ok {
			t.Errorf("no %s in %v", p, ld)
		}
	}
	place, _ := lookup(ld, "location")
	for _, p := range googlePlace {
		if _, ok := lookup(place, p); !ok {
			t.Errorf("no location.%s in %v", p, place)
		}
	}
	for path, want := range map[string]string{
		"image":                           "https://example.org/hub/events/full/banner.png",
		"offers.price":                    "12.50",
		"offers.priceCurrency":            "EUR",
		"offers.url":                      "https://rsvp.example.org/clinic",
		"offers.availability":             "https://schema.org/InStock",
		"performer.@type":                 "Person",
		"performer.name":                  "Mara Jensen",
		"location.address.streetAddress":  "Beispielweg 5",
		"location.address.addressRegion":  "Berlin",
		"location.address.postalCode":     "10115",
		"location.address.addressCountry": "DE",
	} {
		if got, _ := lookup(ld, path); fmt.Sprint(got) != want {
			t.Errorf("%s = %v, want %s", path, got, want)
		}
	}
	if n := len(ld["performer"].([]any)); n != 2 {
		t.Errorf("%d performers, want 2", n)
	}
	// The card people read shows the price, the performers and the address.
	assertFile(t, pub, "events/full/index.html", "<dt>Price</dt><dd>12.50 EUR</dd>", "<dt>With</dt><dd>Mara Jensen, Ola Berg</dd>",
		"Beispielweg 5, 10115 Berlin, Berlin, DE")

	if got, _ := lookup(eventJSONLD(t, pub, "events/page-image/index.html"), "image"); got != "https://example.org/hub/events/page-image/poster.png" {
		t.Errorf("page image: %v", got)
	}
	// No offer without a price or an RSVP link.
	if _, ok := eventJSONLD(t, pub, "events/page-image/index.html")["offers"]; ok {
		t.Error("an offer without price or RSVP")
	}
	free := eventJSONLD(t, pub, "events/site-image/index.html")
	if got, _ := lookup(free, "image"); got != "https://example.org/hub/images/card.png" {
		t.Errorf("site image: %v", got)
	}
	if got, _ := lookup(free, "offers.price"); got != "0" {
		t.Errorf("free event price %v", got)
	}
	if got, _ := lookup(free, "offers.url"); got != "https://example.org/hub/events/site-image/" {
		t.Errorf("an offer without RSVP points at %v, want the event page", got)
	}
	assertFile(t, pub, "events/site-image/index.html", "<dt>Price</dt><dd>Free</dd>")
}
