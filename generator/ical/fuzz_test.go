package ical_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/generator/ical"
)

// sanitized is what a TEXT value should read back as: the writer may only
// normalise line breaks and drop what RFC 5545 forbids in TEXT.
func sanitized(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && (r < 0x20 || r == 0x7f) {
			return -1
		}
		return r
	}, s)
}

func FuzzWrite(f *testing.F) {
	f.Add("Meetup; Q&A, café", "line\r\nbreak\\n", "Berlin, Germany")
	f.Add(strings.Repeat("東京🎉", 30), strings.Repeat("a", 74)+"é", "\xff\xfe\x00\r")
	f.Add("", "\n\n\n", strings.Repeat(`\;,`, 40))
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, summary, description, location string) {
		e := ical.Event{
			UID:         "fuzz@hub.example",
			Summary:     summary,
			Description: description,
			Location:    location,
			URL:         "https://hub.example/" + location,
			Start:       time.Date(2026, 10, 24, 22, 0, 0, 0, berlin),
			Zone:        berlin,
		}
		var b bytes.Buffer
		if err := ical.Write(&b, ical.Calendar{Name: summary, Events: []ical.Event{e}}); err != nil {
			t.Fatal(err)
		}
		checkLines(t, b.Bytes())
		ev := onlyEvent(t, parse(t, b.Bytes()))
		for name, in := range map[string]string{"SUMMARY": summary, "DESCRIPTION": description, "LOCATION": location} {
			p := prop(ev, name)
			switch {
			case in == "" && p != nil:
				t.Errorf("%s written for empty input", name)
			case in != "" && p == nil:
				t.Errorf("%s missing", name)
			case p != nil && p.Value != sanitized(in):
				t.Errorf("%s = %q, want %q", name, p.Value, sanitized(in))
			}
		}
	})
}
