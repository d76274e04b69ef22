package themes_test

import (
	"math"
	"os"
	"strings"
	"testing"

	"github.com/alecthomas/chroma/v2"
	"github.com/alecthomas/chroma/v2/formatters/html"
	"github.com/alecthomas/chroma/v2/styles"
)

// The default theme's code colours: the Modus themes, designed for WCAG
// AAA contrast, light and dark. TestCodeColoursContrast checks every token
// colour against its background.
const (
	lightStyle = "modus-operandi"
	darkStyle  = "modus-vivendi"
	chromaCSS  = "default/static/css/chroma.css"
)

// TestChromaCSS checks that the theme's chroma.css is what chroma writes
// for the two styles; go test ./themes -update rewrites it after a chroma
// upgrade.
func TestChromaCSS(t *testing.T) {
	f := html.New(html.WithClasses(true), html.WithLineNumbers(true), html.LineNumbersInTable(true), html.WithCSSComments(false))
	var b strings.Builder
	b.WriteString("/* Code highlighting of the default theme, written by chroma (go test ./themes -update):\n   " +
		lightStyle + " in the light scheme, " + darkStyle + " in the dark one; both pass WCAG AA. */\n")
	if err := f.WriteCSS(&b, styles.Get(lightStyle)); err != nil {
		t.Fatal(err)
	}
	b.WriteString("@media (prefers-color-scheme: dark) {\n")
	var dark strings.Builder
	if err := f.WriteCSS(&dark, styles.Get(darkStyle)); err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.SplitAfter(dark.String(), "\n") {
		if l != "" {
			b.WriteString("  " + l)
		}
	}
	b.WriteString("}\n")
	want := b.String()
	if *update {
		if err := os.WriteFile(chromaCSS, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(chromaCSS)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Errorf("%s is not what chroma writes for %s and %s; run go test ./themes -update", chromaCSS, lightStyle, darkStyle)
	}
}

// TestCodeColoursContrast checks WCAG AA (4.5:1) for every token colour of
// the theme's styles against the background it is drawn on.
func TestCodeColoursContrast(t *testing.T) {
	for _, name := range []string{lightStyle, darkStyle} {
		style := styles.Get(name)
		if style.Name != name {
			t.Fatalf("chroma has no style %q", name)
		}
		bg := style.Get(chroma.Background)
		checked := 0
		for _, tt := range style.Types() {
			e := style.Get(tt)
			if !e.Colour.IsSet() {
				continue
			}
			back := bg.Background
			if e.Background.IsSet() {
				back = e.Background
			}
			if r := contrast(e.Colour, back); r < 4.5 {
				t.Errorf("%s: %s %s on %s has contrast %.2f, below WCAG AA's 4.5", name, tt, e.Colour, back, r)
			}
			checked++
		}
		if checked < 10 {
			t.Errorf("%s: only %d token colours checked", name, checked)
		}
	}
}

func contrast(a, b chroma.Colour) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(c chroma.Colour) float64 {
	ch := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(c.Red()) + 0.7152*ch(c.Green()) + 0.0722*ch(c.Blue())
}
