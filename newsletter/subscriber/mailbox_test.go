package subscriber

import "testing"

func TestMailbox(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Ada@Example.org", "ada@example.org"},
		{"ada+news@example.org", "ada+news@example.org"}, // not a listed provider
		{"Ada.Lovelace+x@gmail.com", "adalovelace@gmail.com"},
		{"a.d.a.l.o.v.e.l.a.c.e@googlemail.com", "adalovelace@gmail.com"},
		{"ADALOVELACE+spam+more@GoogleMail.com", "adalovelace@gmail.com"},
		{"ada.lovelace+tag@outlook.com", "ada.lovelace@outlook.com"}, // dots matter outside Gmail
		{"ada+1@icloud.com", "ada@icloud.com"},
		{"ada-news@yahoo.com", "ada-news@yahoo.com"},
		{"+tag@gmail.com", "+tag@gmail.com"}, // nothing before the tag: kept
		{"...@gmail.com", "...@gmail.com"},
	} {
		if got := Mailbox(tc.in); got != tc.want {
			t.Errorf("Mailbox(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
