// Package dispwidth measures text as a terminal shows it: most characters
// take one column, East Asian wide and fullwidth ones (漢字, ｈ) two, and
// combining marks and zero-width characters none. Columns lined up by
// byte or rune count shift as soon as a name is written in Japanese.
package dispwidth

import (
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// Rune is the number of columns r takes.
func Rune(r rune) int {
	switch {
	case r == 0 || r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff':
		return 0
	case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Cf, r):
		return 0
	case r < 0x20 || r == 0x7f:
		return 0
	}
	switch width.LookupRune(r).Kind() {
	case width.EastAsianWide, width.EastAsianFullwidth:
		return 2
	}
	// Emoji presentation characters are wide in terminals, though the
	// East Asian Width table calls many of them neutral.
	if r >= 0x1f300 && r <= 0x1faff {
		return 2
	}
	return 1
}

// String is the number of columns s takes.
func String(s string) int {
	n := 0
	for _, r := range s {
		n += Rune(r)
	}
	return n
}

// PadRight returns s followed by spaces up to w columns.
func PadRight(s string, w int) string {
	if n := String(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// Truncate cuts s to at most w columns, ending it with "…" when it was
// cut, never in the middle of a wide character.
func Truncate(s string, w int) string {
	if String(s) <= w {
		return s
	}
	if w <= 0 {
		return ""
	}
	n := 0
	var b strings.Builder
	for _, r := range s {
		rw := Rune(r)
		if n+rw > w-1 {
			break
		}
		b.WriteRune(r)
		n += rw
	}
	return b.String() + "…"
}
