package subscriber

import "strings"

// Mailbox is the mailbox an address delivers to, as far as the limits on
// confirmation mail are concerned: lower case, and, for the providers in
// SubAddressing, without a "+tag" (ada+news@ goes where ada@ goes); for
// Gmail also without dots, and googlemail.com is gmail.com. Without this,
// twenty spellings of one Gmail address would get twenty confirmation
// mails. The address itself is stored as typed: Mailbox is for counting,
// never for sending.
//
// Providers not listed keep their tags: on many servers ada+x@ and ada+y@
// are different people, and merging them would let one lock the other
// out of the sign-up form.
func Mailbox(email string) string {
	email = strings.ToLower(email)
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return email
	}
	local, domain := email[:at], email[at+1:]
	if domain == "googlemail.com" {
		domain = "gmail.com"
	}
	if SubAddressing[domain] {
		if i := strings.IndexByte(local, '+'); i > 0 {
			local = local[:i]
		}
	}
	if domain == "gmail.com" {
		if l := strings.ReplaceAll(local, ".", ""); l != "" {
			local = l
		}
	}
	return local + "@" + domain
}

// SubAddressing lists the mail providers known to deliver local+tag@domain
// to local@domain (the README lists them too). Yahoo is not one: its
// "base-keyword" addresses are mailboxes of their own.
var SubAddressing = map[string]bool{
	"gmail.com": true, "googlemail.com": true, // Google
	"outlook.com": true, "hotmail.com": true, "live.com": true, "msn.com": true, // Microsoft
	"icloud.com": true, "me.com": true, "mac.com": true, // Apple
	"fastmail.com": true, "fastmail.fm": true,
	"proton.me": true, "protonmail.com": true, "protonmail.ch": true, "pm.me": true,
	"zoho.com": true, "zohomail.com": true,
	"mailbox.org": true, "posteo.de": true, "posteo.net": true,
	"hey.com": true, "yandex.com": true, "yandex.ru": true,
}
