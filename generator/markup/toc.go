package markup

import (
	stdhtml "html"
	"strings"
)

// tocEntry is an h2 or h3 heading; text is plain text.
type tocEntry struct {
	level int
	id    string
	text  string
}

// buildTOC writes Hugo's table of contents markup for h2 and h3 headings:
// nested lists, where an h3 before any h2 sits in an h2-level item of its
// own, as Hugo does it, so the nesting stays valid HTML.
func buildTOC(entries []tocEntry) string {
	if len(entries) == 0 {
		return ""
	}
	const top = tocMinLevel - 1
	var b strings.Builder
	// A page may hold several nav landmarks; a screen reader lists each by
	// its label, so this one says what it is.
	b.WriteString(`<nav id="TableOfContents" aria-label="Table of contents">`)
	var openItem [tocMaxLevel + 1]bool // an <li> is open at that level
	level := top                       // the deepest level with an open <ul>
	for _, e := range entries {
		for level < e.level {
			b.WriteString("<ul>")
			level++
			if level < e.level {
				b.WriteString("<li>")
				openItem[level] = true
			}
		}
		for level > e.level {
			if openItem[level] {
				b.WriteString("</li>")
				openItem[level] = false
			}
			b.WriteString("</ul>")
			level--
		}
		if openItem[level] {
			b.WriteString("</li>")
		}
		b.WriteString("<li>")
		// An explicit {#id} may say anything; one that reads as a
		// script URL keeps its text but loses its link, as in Content.
		link := destAllowed("#"+e.id, false)
		if link {
			b.WriteString(`<a href="#`)
			b.WriteString(stdhtml.EscapeString(e.id))
			b.WriteString(`">`)
		}
		b.WriteString(stdhtml.EscapeString(e.text))
		if link {
			b.WriteString("</a>")
		}
		openItem[level] = true
	}
	for ; level > top; level-- {
		if openItem[level] {
			b.WriteString("</li>")
		}
		b.WriteString("</ul>")
	}
	b.WriteString("</nav>")
	return b.String()
}

// The heading levels the table of contents lists, Hugo's defaults.
const (
	tocMinLevel = 2
	tocMaxLevel = 3
)
