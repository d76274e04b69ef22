package digest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/agora-hub/agora/generator/content"
	"github.com/agora-hub/agora/newsletter/store"
)

// ArchiveSection is the content section of past issues: being a section,
// it gets a list page and a feed from agora build like any other.
const ArchiveSection = "newsletter"

// ArchiveName is the file name (without .md) of issue number n sent at
// cutoff: "2026-05-04-issue-3", dated in the site's timezone.
func (s *Site) ArchiveName(cutoff time.Time, n int64) string {
	return fmt.Sprintf("%s-issue-%d", cutoff.In(s.Config.Location).Format("2006-01-02"), n)
}

// ArchivePath is the site path of the archive page, with "{n}" for the
// number the issue gets when it is created.
func (s *Site) ArchivePath(cutoff time.Time) string {
	return "/" + ArchiveSection + "/" + cutoff.In(s.Config.Location).Format("2006-01-02") + "-issue-{n}/"
}

// ArchiveURL is the absolute URL of a site path.
func (s *Site) ArchiveURL(path string) string { return s.Config.Base.Abs(path) }

// WriteArchive writes the issue's page, content/newsletter/NAME.md, with
// every item of the issue and no address or name of anyone. Writing it
// again with the same issue writes the same bytes, so a resumed send may
// call it again. It returns the file's path relative to the site.
func (s *Site) WriteArchive(is store.Issue, items []store.Item) (string, error) {
	name := s.ArchiveName(is.Cutoff, is.Number)
	rel := filepath.Join(content.Dir, ArchiveSection, name+".md")
	data, err := s.archive(is, items)
	if err != nil {
		return "", err
	}
	abs := filepath.Join(s.Root, rel)
	if old, err := os.ReadFile(abs); err == nil && bytes.Equal(old, data) {
		return rel, nil
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
		return "", fmt.Errorf("writing the archive page: %w", err)
	}
	// A temporary file renamed into place: a build running meanwhile never
	// reads half a page.
	tmp, err := os.CreateTemp(filepath.Dir(abs), "."+name+"-*.tmp")
	if err != nil {
		return "", fmt.Errorf("writing the archive page: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("writing %s: %w", rel, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp.Name(), abs); err != nil {
		return "", fmt.Errorf("writing %s: %w", rel, err)
	}
	return rel, nil
}

type archiveFront struct {
	Title       string    `toml:"title"`
	Date        time.Time `toml:"date"`
	ID          string    `toml:"id"`
	Description string    `toml:"description"`
	Summary     string    `toml:"summary"`
}

func (s *Site) archive(is store.Issue, items []store.Item) ([]byte, error) {
	loc := s.Config.Location
	var titles []string
	for _, it := range items {
		titles = append(titles, it.Title)
	}
	front := archiveFront{
		Title: fmt.Sprintf("Issue %d", is.Number),
		// Seconds only: TOML and the feed need no more, and the same
		// issue must always give the same bytes.
		Date:        is.Cutoff.In(loc).Truncate(time.Second),
		ID:          fmt.Sprintf("newsletter-issue-%d", is.Number),
		Description: fmt.Sprintf("The newsletter's issue %d: %d new %s.", is.Number, len(items), plural(len(items), "tip", "tips")),
		Summary:     strings.Join(titles, " · "),
	}
	var b bytes.Buffer
	b.WriteString("+++\n")
	// The TOML encoder quotes titles with quotes, backslashes or line
	// breaks correctly; a hand-written front matter would not.
	if err := toml.NewEncoder(&b).Encode(front); err != nil {
		return nil, fmt.Errorf("archive front matter: %w", err)
	}
	b.WriteString("+++\n\n")
	b.WriteString("<!-- Written by agora send. It lists what issue ")
	fmt.Fprint(&b, is.Number)
	b.WriteString(" carried; edit freely, it is not read back. -->\n\n")
	if !is.Since.IsZero() {
		fmt.Fprintf(&b, "New since %s:\n\n", is.Since.In(loc).Format("2 January 2006"))
	}
	for _, it := range items {
		fmt.Fprintf(&b, "## [%s](%s)\n\n", escapeMarkdown(it.Title), it.URL)
		if it.SummaryText != "" {
			b.WriteString(escapeMarkdown(it.SummaryText))
			b.WriteString("\n\n")
		}
	}
	return b.Bytes(), nil
}

// escapeMarkdown keeps a title or summary from turning into links, HTML
// or emphasis on the archive page.
func escapeMarkdown(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune("\\`*_{}[]()<>#+!|~", r) {
			b.WriteByte('\\')
		}
		if r == '\n' || r == '\r' {
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
