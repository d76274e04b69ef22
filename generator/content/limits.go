package content

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/generator/internal/nesting"
	"github.com/agora-hub/agora/generator/metadecode"
)

// What one page may bring. Each limit is checked before the part it limits
// is decoded, so that hostile content costs no more than reading it; the
// same loader serves agora build, serve, plan, send and listen.
const (
	// MaxPageBytes caps a Markdown file. gomarkdown is linear but costly
	// on some shapes, and a page's HTML is handled several times (page,
	// feeds): nested quotes take 65 bytes of memory per byte, footnote
	// references 13 bytes of HTML and 270 of memory per byte, so 50 MB
	// of nested Markdown took 47 s and 3.2 GB. Real pages, generated
	// references and changelogs included, stay under 1 MiB (the
	// 10,000-page corpus averages 5.6 KB); 4 MiB leaves room for the
	// largest and bounds the worst page to about a gigabyte.
	MaxPageBytes = 4 << 20
	// MaxFrontMatterBytes caps a page's front matter. A gallery of 1,000
	// [[resources]] is about 150 KB. The TOML decoder's cost grows with
	// size times depth: at this size and nesting.MaxDepth the worst input
	// decodes in about 2 s and 100 MB, against 4.7 s and 200 MB at 512 KiB.
	MaxFrontMatterBytes = 256 << 10
	// MaxTermsPerPage caps the terms of one taxonomy on one page. Each
	// term is a page and a feed, so a page's terms cost at least their
	// number squared in output: 10,000 tags took over 150 s. Real pages
	// have a handful of tags and the most tag-happy a few dozen.
	MaxTermsPerPage = 500
)

// sizeError is a limit crossed at a line of the file.
type sizeError struct {
	line int
	msg  string
}

func (e *sizeError) Error() string { return e.msg }

// lineOf is the line an error from readFile is at, or 0.
func lineOf(err error) int {
	var se *sizeError
	if errors.As(err, &se) {
		return se.line
	}
	return 0
}

func checkPageSize(size int64) error {
	if size > MaxPageBytes {
		return &sizeError{line: 1, msg: fmt.Sprintf("%s of Markdown, more than the %s a page may have; split it into several pages", mib(size), mib(MaxPageBytes))}
	}
	return nil
}

// checkFrontMatter refuses TOML front matter too large or too deeply
// nested to decode cheaply; fmLine is the file line of its first line.
// YAML and JSON front matter need only the size check here: their
// decoders are linear and bound their own depth, and checkDecodedDepth
// holds them to the same depth afterwards (the TOML scan would misread
// them).
func checkFrontMatter(file string, format metadecode.Format, fm []byte, fmLine int) error {
	if len(fm) > MaxFrontMatterBytes {
		line := fmLine + bytes.Count(fm[:MaxFrontMatterBytes], []byte("\n"))
		return diag.At(file, line, "front matter is longer than %s; keep large data in a data file or the page body", mib(MaxFrontMatterBytes))
	}
	if format != metadecode.TOML {
		return nil
	}
	if l := nesting.TOML(fm, nesting.MaxDepth); l > 0 {
		return diag.At(file, fmLine+l-1, "front matter nests tables and arrays more than %d deep", nesting.MaxDepth)
	}
	return nil
}

// checkDecodedDepth checks the decoded front matter, whatever its format,
// for nesting the scan of its source could not see.
func checkDecodedDepth(s *Source, raw map[string]any) error {
	if depth, key := nesting.Keys(raw, nesting.MaxDepth); depth > nesting.MaxDepth {
		return diag.At(s.Path, s.Line(key), "%s: nests tables and arrays more than %d deep", key, nesting.MaxDepth)
	}
	return nil
}

func mib(n int64) string {
	if n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	if n < 1<<20 && n%(1<<10) == 0 {
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}
