package tplfuncs

import (
	"math"
	"strconv"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/message"
	xnumber "golang.org/x/text/number"
)

// langNS is Hugo's lang namespace.
type langNS struct{ e *env }

// Translate is Hugo's i18n ID [DATA] (also T): the site language's
// translation of ID. A missing ID prints "" and a warning, as Hugo does
// with --printI18nWarnings (Agora always warns: a missing string is a bug
// worth a line).
func (ns *langNS) Translate(id any, args ...any) (string, error) {
	if len(args) > 1 {
		return "", fail("i18n", "wrong number of arguments, expecting at most 2, got %d", len(args)+1)
	}
	sid, err := str("i18n", id)
	if err != nil {
		return "", err
	}
	var data any
	if len(args) == 1 {
		data = args[0]
	}
	if ns.e.deps.I18n == nil {
		ns.missing(sid)
		return "", nil
	}
	s, found, err := ns.e.deps.I18n.Translate(sid, data)
	if err != nil {
		return "", wrap("i18n", err)
	}
	if !found {
		ns.missing(sid)
	}
	return s, nil
}

func (ns *langNS) missing(id string) {
	(&fmtNS{ns.e}).warn("i18n|MISSING_TRANSLATION|" + ns.lang() + "|" + id)
}

func (ns *langNS) lang() string {
	if ns.e.deps.Lang != "" {
		return ns.e.deps.Lang
	}
	return "en"
}

func (ns *langNS) printer() *message.Printer {
	tag, err := language.Parse(ns.lang())
	if err != nil {
		tag = language.English
	}
	return message.NewPrinter(tag)
}

func precisionNumber(fn string, precision, n any) (int, float64, error) {
	p, err := toInt(precision)
	if err != nil || p < 0 || p > 20 {
		return 0, 0, fail(fn, "precision must be an integer from 0 to 20")
	}
	f, err := toFloat(n)
	if err != nil {
		return 0, 0, fail(fn, "%w", err)
	}
	return int(p), f, nil
}

// FormatNumber is Hugo's lang.FormatNumber PRECISION NUMBER, in the
// site language's conventions (CLDR, through golang.org/x/text).
func (ns *langNS) FormatNumber(precision, n any) (string, error) {
	p, f, err := precisionNumber("lang.FormatNumber", precision, n)
	if err != nil {
		return "", err
	}
	return ns.printer().Sprint(xnumber.Decimal(f, xnumber.Scale(p))), nil
}

// FormatPercent is Hugo's lang.FormatPercent PRECISION NUMBER: NUMBER is
// already a percentage (50 is "50%").
func (ns *langNS) FormatPercent(precision, n any) (string, error) {
	p, f, err := precisionNumber("lang.FormatPercent", precision, n)
	if err != nil {
		return "", err
	}
	return ns.printer().Sprint(xnumber.Decimal(f, xnumber.Scale(p))) + "%", nil
}

func (*langNS) FormatCurrency(precision, currency, n any) (string, error) {
	return "", notImplemented("lang.FormatCurrency", "use lang.FormatNumberCustom and the currency sign")
}

func (*langNS) FormatAccounting(precision, currency, n any) (string, error) {
	return "", notImplemented("lang.FormatAccounting", "use lang.FormatNumberCustom and the currency sign")
}

// NumFmt is Hugo 0.111's name of FormatNumberCustom.
func (ns *langNS) NumFmt(precision, n any, options ...any) (string, error) {
	return ns.FormatNumberCustom(precision, n, options...)
}

// FormatNumberCustom is Hugo's lang.FormatNumberCustom PRECISION NUMBER
// [OPTIONS [DELIM]]: OPTIONS is "NEG DEC GROUP" (default "- . ,"), split
// on DELIM (default a space).
func (*langNS) FormatNumberCustom(precision, n any, options ...any) (string, error) {
	const fn = "lang.FormatNumberCustom"
	p, f, err := precisionNumber(fn, precision, n)
	if err != nil {
		return "", err
	}
	neg, dec, grp := "-", ".", ","
	if len(options) > 0 {
		delim := " "
		if len(options) == 2 {
			if delim, err = str(fn, options[1]); err != nil {
				return "", err
			}
		}
		s, err := str(fn, options[0])
		if err != nil {
			return "", err
		}
		parts := strings.Split(s, delim)
		neg, dec, grp = "", "", ""
		switch len(parts) {
		case 1:
			neg = parts[0]
		case 2:
			neg, dec = parts[0], parts[1]
		case 3:
			neg, dec, grp = parts[0], parts[1], parts[2]
		default:
			return "", fail(fn, "too many fields in options parameter to NumFmt")
		}
	}
	exp := math.Pow(10, float64(p))
	r := math.Round(f*exp) / exp
	digits := strconv.FormatFloat(math.Abs(r), 'f', p, 64)
	whole, frac, _ := strings.Cut(digits, ".")
	var b strings.Builder
	if f < 0 {
		b.WriteString(neg)
	}
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteString(grp)
		}
		b.WriteRune(c)
	}
	if p > 0 {
		b.WriteString(dec)
		b.WriteString(frac)
	}
	return b.String(), nil
}

// Merge is Hugo's lang.Merge, for multilingual page lists.
func (*langNS) Merge(p2, p1 any) (any, error) {
	return nil, notImplemented("lang.Merge", "Agora builds one language")
}

// langExamples document the lang namespace; TestExamples runs them.
func langExamples() []Example {
	return []Example{
		{"i18n", `{{ i18n "home" }} {{ T "minutes" 1 }} {{ T "minutes" 5 }} [{{ i18n "missing" }}]`, nil, "Home One minute 5 minutes []"},
		{"lang.FormatNumber", `{{ lang.FormatNumber 2 12345.678 }} {{ lang.FormatPercent 1 12.34 }}`, nil, "12,345.68 12.3%"},
		{"lang.FormatNumberCustom", `{{ lang.FormatNumberCustom 2 -12345.678 }} {{ lang.FormatNumberCustom 0 1234567 "- , ." }} {{ lang.NumFmt 1 3.14159 "-|,|" "|" }}`, nil, "-12,345.68 1.234.567 3,1"},
	}
}
