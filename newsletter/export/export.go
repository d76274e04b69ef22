// Package export writes subscriber lists: a table that fits a terminal,
// and CSV and JSON for spreadsheets, scripts and moving to another tool.
// Every writer streams, so a list of any length costs one row of memory.
package export

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"strings"
	"time"

	"github.com/agora-hub/agora/internal/dispwidth"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// Fields chooses how much of each subscriber is written.
type Fields int

const (
	// Summary is what `agora subscribers list` shows: email, name,
	// topics, status, created.
	Summary Fields = iota
	// Full adds the consent record and the last change: what `agora
	// subscribers export` writes so that nothing is lost in a move.
	Full
)

const timeFormat = time.RFC3339

func stamp(t time.Time) string { return t.UTC().Format(timeFormat) }

type consentJSON struct {
	At  string `json:"at"`
	How string `json:"how"`
}

type rowJSON struct {
	Email   string       `json:"email"`
	Name    string       `json:"name"`
	Topics  []string     `json:"topics"`
	Status  string       `json:"status"`
	Consent *consentJSON `json:"consent,omitempty"`
	Created string       `json:"created"`
	Updated string       `json:"updated,omitempty"`
}

// JSON writes an array of objects, one a line. topics is always an array,
// never null, so that scripts need not test for it.
func JSON(w io.Writer, subs iter.Seq2[subscriber.Subscriber, error], f Fields) error {
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	sep := "\n"
	for s, err := range subs {
		if err != nil {
			return err
		}
		r := rowJSON{Email: s.Email, Name: s.Name, Topics: s.Topics, Status: string(s.Status), Created: stamp(s.Created)}
		if r.Topics == nil {
			r.Topics = []string{}
		}
		if f == Full {
			r.Consent = &consentJSON{At: stamp(s.Consent.At), How: s.Consent.How}
			r.Updated = stamp(s.Updated)
		}
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if _, err := fmt.Fprintf(w, "%s  %s", sep, b); err != nil {
			return err
		}
		sep = ",\n"
	}
	if sep == "\n" {
		_, err := io.WriteString(w, "]\n")
		return err
	}
	_, err := io.WriteString(w, "\n]\n")
	return err
}

// CSVHeader is the header of CSV output; csvimport reads every column of
// it back, so an export is also an import file.
func CSVHeader(f Fields) []string {
	if f == Full {
		return []string{"email", "name", "topics", "status", "consent_at", "consent_how", "created", "updated"}
	}
	return []string{"email", "name", "topics", "status", "created"}
}

// CSV writes a header line and one line per subscriber, topics joined by
// commas inside one quoted cell.
func CSV(w io.Writer, subs iter.Seq2[subscriber.Subscriber, error], f Fields) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader(f)); err != nil {
		return err
	}
	for s, err := range subs {
		if err != nil {
			return err
		}
		rec := []string{s.Email, s.Name, strings.Join(s.Topics, ","), string(s.Status)}
		if f == Full {
			rec = append(rec, stamp(s.Consent.At), s.Consent.How)
		}
		rec = append(rec, stamp(s.Created))
		if f == Full {
			rec = append(rec, stamp(s.Updated))
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// Table column widths, in characters; with the separating spaces they
// add up to 80, a terminal's width. TOPICS comes last and may run on.
const (
	wEmail   = 27
	wName    = 16
	wStatus  = 12
	wCreated = 10
	wTopics  = 80 - wEmail - wName - wStatus - wCreated - 4
)

// Table writes a list for a terminal, cutting long values with "…"
// (csv and json carry them whole), and a count by status at the end.
func Table(w io.Writer, subs iter.Seq2[subscriber.Subscriber, error]) error {
	counts := map[subscriber.Status]int{}
	total := 0
	for s, err := range subs {
		if err != nil {
			return err
		}
		if total == 0 {
			if err := tableLine(w, "EMAIL", "NAME", "STATUS", "CREATED", "TOPICS"); err != nil {
				return err
			}
		}
		total++
		counts[s.Status]++
		if err := tableLine(w, s.Email, s.Name, string(s.Status), s.Created.UTC().Format(time.DateOnly), strings.Join(s.Topics, ",")); err != nil {
			return err
		}
	}
	if total == 0 {
		_, err := fmt.Fprintln(w, "No subscribers.")
		return err
	}
	var parts []string
	for _, st := range subscriber.Statuses {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	noun := "subscribers"
	if total == 1 {
		noun = "subscriber"
	}
	_, err := fmt.Fprintf(w, "\n%d %s: %s\n", total, noun, strings.Join(parts, ", "))
	return err
}

func tableLine(w io.Writer, email, name, status, created, topics string) error {
	line := fmt.Sprintf("%s %s %s %s %s", pad(email, wEmail), pad(name, wName), pad(status, wStatus), pad(created, wCreated), cut(topics, wTopics))
	_, err := fmt.Fprintln(w, strings.TrimRight(line, " "))
	return err
}

// cut and pad measure display columns, not bytes or runes: a name in
// Japanese or Korean takes two columns a character, and counting runes
// shifted every column after it.
func cut(s string, width int) string { return dispwidth.Truncate(s, width) }

func pad(s string, width int) string { return dispwidth.PadRight(dispwidth.Truncate(s, width), width) }
