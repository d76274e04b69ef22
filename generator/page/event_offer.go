package page

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/text/currency"

	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/generator/diag"
)

// postalAddress is an [event] address given as a table, schema.org's
// PostalAddress: what search engines need to place an event on a map.
type postalAddress struct {
	street, locality, region, postalCode, country string
}

// addressKeys are the keys of an address table, in the order of the docs.
var addressKeys = []string{"street", "locality", "region", "postal_code", "country"}

// oneLine is the address for people and calendars: "Beispielweg 5,
// 10115 Berlin, Germany".
func (a postalAddress) oneLine() string {
	var parts []string
	for _, s := range []string{a.street, strings.TrimSpace(a.postalCode + " " + a.locality), a.region, a.country} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}

// postalAddress reads address = { street = …, locality = …, … }.
func (r *eventReader) postalAddress(tbl map[string]any) postalAddress {
	var a postalAddress
	dst := map[string]*string{"street": &a.street, "locality": &a.locality, "region": &a.region, "postal_code": &a.postalCode, "country": &a.country}
	for k, v := range tbl {
		field, known := dst[strings.ToLower(k)]
		line := r.src.Line(append(slices.Clone(r.prefix), r.keys["address"], k)...)
		if line == 0 {
			line = r.line("address") // inside an inline table
		}
		switch s, isText := v.(string); {
		case !known:
			r.failLine(line, "event.address.%s: unknown key; an address takes %s", k, strings.Join(addressKeys, ", "))
		case !isText:
			r.failLine(line, "event.address.%s: want text in quotes, got %s", k, content.TypeName(v))
		default:
			*field = strings.TrimSpace(s)
		}
	}
	if a.street == "" || a.locality == "" {
		r.fail("address", "an address table needs at least street and locality (the town), such as { street = \"Beispielweg 5\", locality = \"Berlin\", postal_code = \"10115\", country = \"DE\" }")
	}
	return a
}

// names reads a name or a list of names.
func (r *eventReader) names(key string) []string {
	switch v := r.table[key].(type) {
	case nil:
		return nil
	case string:
		if s := strings.TrimSpace(v); s != "" {
			return []string{s}
		}
		return nil
	case []any:
		var out []string
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				r.fail(key, "want names in quotes, such as [\"Mara Jensen\", \"Ola Berg\"], got %s in the list", content.TypeName(e))
				return nil
			}
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
		return out
	default:
		r.fail(key, "want a name in quotes or a list of them, got %s", content.TypeName(v))
		return nil
	}
}

// decimalPrice is a price as search engines read it: digits, and a point
// before any decimals; no currency sign, no thousands separators.
var decimalPrice = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// maxPriceDigits bounds a price as written: a ticket price with more
// digits than this is a typo (or a pasted phone number).
const maxPriceDigits = 12

// price reads price and currency, which go together: a price in no
// currency means nothing to a search engine, and Google requires both.
func (r *eventReader) price() (price, code string) {
	switch v := r.table["price"].(type) {
	case nil:
	case string:
		price = strings.TrimSpace(v)
		if !decimalPrice.MatchString(price) || len(price) > maxPriceDigits {
			r.fail("price", "%q is not a price; write a decimal number with a point, such as \"12.50\" or 0 for a free event, and the currency apart", v)
			price = ""
		}
	case int64:
		price = strconv.FormatInt(v, 10)
		if v < 0 || len(price) > maxPriceDigits {
			r.fail("price", "%d is not a price; give 0 for a free event or the amount, such as 12.50", v)
			price = ""
		}
	case float64:
		price = strconv.FormatFloat(v, 'f', -1, 64)
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) || len(price) > maxPriceDigits {
			r.fail("price", "%s is not a price; give 0 for a free event or the amount, such as 12.50", price)
			price = ""
		}
	default:
		r.fail("price", "want a number such as 12.50, got %s", content.TypeName(v))
	}
	code = strings.TrimSpace(r.str("currency"))
	if code != "" {
		if u, err := currency.ParseISO(code); err != nil || u.String() != code {
			r.fail("currency", "%q is not an ISO 4217 currency code; write three capital letters such as \"EUR\", \"GBP\" or \"USD\"", code)
			code = ""
		}
	}
	switch {
	case r.given("price") && !r.given("currency"):
		r.fail("price", "a price needs its currency: add currency = \"EUR\" (an ISO 4217 code)")
	case r.given("currency") && !r.given("price"):
		r.fail("currency", "a currency needs a price: add price = 12.50, or 0 for a free event")
	}
	return price, code
}

func (r *eventReader) failLine(line int, format string, args ...any) {
	r.errs = append(r.errs, diag.At(r.src.Path, line, format, args...))
}
