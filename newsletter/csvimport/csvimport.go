// Package csvimport reads the subscriber lists people bring with them: the
// CSV exports of Mailchimp ("Email Address", "First Name", "Last Name",
// "TAGS"), of listmonk (email, name, attributes, status) and of
// spreadsheets, and of Agora itself (agora subscribers export).
//
// It only reads: every good row becomes a subscriber.Subscriber and every
// bad row an error naming the file and the line of the record, so that the
// store can import the good ones in one transaction and the operator can
// fix the rest and import the same file again.
package csvimport

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"iter"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/agora-hub/agora/generator/diag"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

// Options say how to read a file.
type Options struct {
	// File names the file in messages, as the operator typed it.
	File string
	// Status is what rows of subscribed people become: subscriber.Active,
	// or subscriber.Pending to have them confirm first. Rows the file marks
	// as unsubscribed or bounced keep that status whatever this says.
	Status subscriber.Status
	// Consent is the consent of rows that carry none of their own: Agora's
	// export has consent_at and consent_how columns, and those rows keep
	// theirs, as they keep their created and updated times.
	Consent subscriber.Consent
	// Now is the clock: a time in the file after it is a bad row. Zero:
	// the time now.
	Now time.Time
}

// Row is a good row: the subscriber it describes and the line its record
// starts on.
type Row struct {
	Line int
	subscriber.Subscriber
}

// Duplicate is a row whose address an earlier row already had; it was
// merged into that one.
type Duplicate struct {
	Line, First int
	Email       string
}

// Result is what a file held.
type Result struct {
	Rows       []Row
	Bad        []error // one *diag.Error per bad row
	Duplicates []Duplicate
}

// Subscribers returns the good rows' subscribers, in file order.
func (r *Result) Subscribers() []subscriber.Subscriber {
	subs := make([]subscriber.Subscriber, len(r.Rows))
	for i, row := range r.Rows {
		subs[i] = row.Subscriber
	}
	return subs
}

// column roles, found by header name.
const (
	colEmail = iota
	colName
	colFirst
	colLast
	colTopics
	colStatus
	colUnsubTime
	colCleanTime
	colConsentAt
	colConsentHow
	colCreated
	colUpdated
)

// aliases maps a header, lower-cased with everything but letters and
// digits removed ("E-mail Address" → "emailaddress"), to its role.
var aliases = map[string]int{
	"email": colEmail, "emailaddress": colEmail, "mail": colEmail, "emailaddr": colEmail,
	"name": colName, "fullname": colName, "displayname": colName,
	"firstname": colFirst, "fname": colFirst, "givenname": colFirst, "first": colFirst,
	"lastname": colLast, "lname": colLast, "surname": colLast, "familyname": colLast, "last": colLast,
	"tags": colTopics, "tag": colTopics, "lists": colTopics, "list": colTopics, "topics": colTopics,
	"topic": colTopics, "groups": colTopics, "interests": colTopics,
	"status": colStatus, "subscriptionstatus": colStatus,
	// Mailchimp's exports of unsubscribed and cleaned members carry no
	// status column, only the time it happened.
	"unsubtime": colUnsubTime, "cleantime": colCleanTime,
	// Agora's own export (export.CSVHeader): the consent record and the
	// row's history, so that a move loses nothing.
	"consentat": colConsentAt, "consenthow": colConsentHow, "created": colCreated, "updated": colUpdated,
}

var roleNames = []string{"email", "name", "first name", "last name", "tags", "status", "UNSUB_TIME", "CLEAN_TIME", "consent_at", "consent_how", "created", "updated"}

// Read reads a whole file. The error is for a file that cannot be read as
// CSV at all (no header, no email column, broken quoting): then nothing of
// it should be imported. Problems with single rows are in Result.Bad.
func Read(r io.Reader, opt Options) (*Result, error) {
	res := &Result{}
	seen := map[string]int{} // key → index in res.Rows
	err := scan(r, opt, func(line int, sub subscriber.Subscriber, err error) error {
		if err != nil {
			res.Bad = append(res.Bad, err)
			return nil
		}
		key := subscriber.Key(sub.Email)
		i, dup := seen[key]
		if !dup {
			seen[key] = len(res.Rows)
			res.Rows = append(res.Rows, Row{Line: line, Subscriber: sub})
			return nil
		}
		first := &res.Rows[i]
		res.Duplicates = append(res.Duplicates, Duplicate{Line: line, First: first.Line, Email: first.Email})
		merge(&first.Subscriber, sub)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Stream reads a file as Read does, with the same rows, merges and
// errors, but keeps none of its good rows: Result.Rows stays empty and
// each calls yield with the good rows, in file order, a duplicate's merge
// at its first line, reading the file again. A list of a million fits in
// a few tens of megabytes: Stream remembers a 64-bit hash per address,
// and the rows only of addresses whose hash came twice. r is read two or
// three times (a third when some hash came twice).
func Stream(r io.ReadSeeker, opt Options) (*Result, iter.Seq2[subscriber.Subscriber, error], error) {
	if opt.Now.IsZero() {
		opt.Now = time.Now() // one clock for every pass
	}
	seed := maphash.MakeSeed()
	hash := func(email string) uint64 { return maphash.String(seed, subscriber.Key(email)) }
	res := &Result{}
	// First pass: the bad rows, and the hashes seen twice.
	once, twice := map[uint64]struct{}{}, map[uint64]struct{}{}
	err := scan(r, opt, func(_ int, sub subscriber.Subscriber, err error) error {
		if err != nil {
			res.Bad = append(res.Bad, err)
			return nil
		}
		h := hash(sub.Email)
		if _, ok := once[h]; ok {
			twice[h] = struct{}{}
		} else {
			once[h] = struct{}{}
		}
		return nil
	})
	once = nil
	if err != nil {
		return nil, nil, err
	}
	// Second pass, only when some hash came twice: the rows of those
	// hashes, merged by address as Read does.
	merged := map[string]*Row{}
	if len(twice) > 0 {
		if err := rewind(r, opt.File); err != nil {
			return nil, nil, err
		}
		err := scan(r, opt, func(line int, sub subscriber.Subscriber, err error) error {
			if _, ok := twice[hash(sub.Email)]; err != nil || !ok {
				return nil
			}
			key := subscriber.Key(sub.Email)
			first := merged[key]
			if first == nil {
				merged[key] = &Row{Line: line, Subscriber: sub}
				return nil
			}
			res.Duplicates = append(res.Duplicates, Duplicate{Line: line, First: first.Line, Email: first.Email})
			merge(&first.Subscriber, sub)
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	each := func(yield func(subscriber.Subscriber, error) bool) {
		if err := rewind(r, opt.File); err != nil {
			yield(subscriber.Subscriber{}, err)
			return
		}
		stop := errors.New("stop")
		err := scan(r, opt, func(line int, sub subscriber.Subscriber, err error) error {
			if err != nil {
				return nil // in res.Bad already
			}
			if _, ok := twice[hash(sub.Email)]; ok {
				first := merged[subscriber.Key(sub.Email)]
				if first.Line != line {
					return nil // merged into its first line
				}
				sub = first.Subscriber
			}
			if !yield(sub, nil) {
				return stop
			}
			return nil
		})
		if err != nil && err != stop {
			yield(subscriber.Subscriber{}, err)
		}
	}
	return res, each, nil
}

func rewind(r io.Seeker, file string) error {
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("reading %s again: %w", file, err)
	}
	return nil
}

// scan reads r and calls row with each row that is not blank: its line,
// and its subscriber or why it is a bad row (a *diag.Error). An error row
// returns stops the scan with it. The error is for a file that cannot be
// read as CSV at all.
func scan(r io.Reader, opt Options, row func(line int, sub subscriber.Subscriber, err error) error) error {
	fail := func(line int, format string, args ...any) error {
		return diag.At(opt.File, line, format+"; nothing was imported", args...)
	}
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\xef\xbb\xbf")) {
		_, _ = br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.Comma = sniffDelimiter(br)
	// Rows of the wrong width are reported one by one, not as a failure of
	// the whole file.
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true

	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return fail(0, "the file is empty: want a header line such as email,name,tags")
	}
	if err != nil {
		return syntaxError(opt.File, err)
	}
	width := len(header)
	cols, err := mapColumns(header)
	if err != nil {
		return fail(1, "%v", err)
	}

	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return syntaxError(opt.File, err)
		}
		line, _ := cr.FieldPos(0)
		sub, err := cols.subscriber(rec, width, opt)
		if errors.Is(err, errBlank) {
			continue
		}
		if err != nil {
			err = &diag.Error{File: opt.File, Line: line, Err: err}
		}
		if err := row(line, sub, err); err != nil {
			return err
		}
	}
}

func syntaxError(file string, err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		// The record's first line is where the editor should look: an
		// unclosed quote is only noticed lines later.
		line := pe.StartLine
		msg := fmt.Sprintf("not valid CSV: %v (column %d)", pe.Err, pe.Column)
		if pe.StartLine != pe.Line {
			msg = fmt.Sprintf("not valid CSV: %v (found on line %d, column %d)", pe.Err, pe.Line, pe.Column)
		}
		if errors.Is(pe.Err, csv.ErrQuote) || errors.Is(pe.Err, csv.ErrBareQuote) {
			msg += `; a quote inside a field must be doubled: "Ada ""the Countess"" Lovelace"`
		}
		return diag.At(file, line, "%s; nothing was imported", msg)
	}
	return fmt.Errorf("reading %s: %w", file, err)
}

// sniffDelimiter picks the separator of the header line: spreadsheets in
// many European locales save "CSV" with semicolons, and some tools use tabs.
func sniffDelimiter(br *bufio.Reader) rune {
	head, _ := br.Peek(br.Size())
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	counts := map[rune]int{}
	quoted := false
	for _, c := range string(head) {
		switch {
		case c == '"':
			quoted = !quoted
		case !quoted && (c == ',' || c == ';' || c == '\t'):
			counts[c]++
		}
	}
	best := ','
	for _, c := range []rune{';', '\t'} {
		if counts[c] > counts[best] {
			best = c
		}
	}
	return best
}

type columns struct {
	byRole map[int][]int // role → column indexes
}

func mapColumns(header []string) (*columns, error) {
	c := &columns{byRole: map[int][]int{}}
	for i, h := range header {
		role, ok := aliases[headerKey(h)]
		if !ok {
			continue // other columns (listmonk's attributes, Mailchimp's MEMBER_RATING…) are not ours to keep
		}
		if prev := c.byRole[role]; len(prev) > 0 && role != colTopics {
			return nil, fmt.Errorf("columns %q and %q are both the %s column: keep one", header[prev[0]], h, roleNames[role])
		}
		c.byRole[role] = append(c.byRole[role], i)
	}
	if len(c.byRole[colEmail]) == 0 {
		return nil, fmt.Errorf("no email column: want a header named email, \"Email Address\" or e-mail (the header is %q)", strings.Join(header, ","))
	}
	return c, nil
}

func headerKey(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

var errBlank = errors.New("blank row")

func (c *columns) cell(rec []string, role int) string {
	if ix := c.byRole[role]; len(ix) > 0 && ix[0] < len(rec) {
		return strings.TrimSpace(rec[ix[0]])
	}
	return ""
}

func (c *columns) subscriber(rec []string, width int, opt Options) (subscriber.Subscriber, error) {
	if !slices.ContainsFunc(rec, func(f string) bool { return strings.TrimSpace(f) != "" }) {
		return subscriber.Subscriber{}, errBlank // spreadsheets save trailing ",,,," rows
	}
	if len(rec) != width {
		return subscriber.Subscriber{}, fmt.Errorf("%d fields, but the header has %d: is a comma in a name not quoted?", len(rec), width)
	}
	for _, f := range rec {
		if !utf8.ValidString(f) {
			return subscriber.Subscriber{}, errors.New("not UTF-8 text: save the file as CSV in UTF-8 (Excel: \"CSV UTF-8\")")
		}
	}
	email := c.cell(rec, colEmail)
	if email == "" {
		return subscriber.Subscriber{}, errors.New("no email address")
	}
	name := c.cell(rec, colName)
	if name == "" {
		name = strings.TrimSpace(c.cell(rec, colFirst) + " " + c.cell(rec, colLast))
	}
	var topics []string
	for _, ix := range c.byRole[colTopics] {
		topics = append(topics, splitCell(rec[ix])...)
	}
	status, err := c.status(rec, opt.Status)
	if err != nil {
		return subscriber.Subscriber{}, err
	}
	consent, err := c.consent(rec, opt)
	if err != nil {
		return subscriber.Subscriber{}, err
	}
	sub, err := subscriber.New(email, name, topics, status, consent)
	if err != nil {
		return sub, err
	}
	if sub.Created, err = c.time(rec, colCreated, opt.Now); err != nil {
		return sub, err
	}
	if sub.Updated, err = c.time(rec, colUpdated, opt.Now); err != nil {
		return sub, err
	}
	if !sub.Created.IsZero() && !sub.Updated.IsZero() && sub.Updated.Before(sub.Created) {
		return sub, fmt.Errorf("updated %s is before created %s", c.cell(rec, colUpdated), c.cell(rec, colCreated))
	}
	return sub, nil
}

// consent is the row's own consent record (consent_at and consent_how,
// both or neither), else opt.Consent.
func (c *columns) consent(rec []string, opt Options) (subscriber.Consent, error) {
	at, err := c.time(rec, colConsentAt, opt.Now)
	if err != nil {
		return subscriber.Consent{}, err
	}
	how := c.cell(rec, colConsentHow)
	switch {
	case at.IsZero() && how == "":
		return opt.Consent, nil
	case how == "":
		return subscriber.Consent{}, errors.New("consent_at without consent_how: a consent record says how it was given (cli, form, import:FILE)")
	case at.IsZero():
		return subscriber.Consent{}, fmt.Errorf("consent_how %q without consent_at: a consent record says when it was given", how)
	}
	return subscriber.Consent{At: at, How: how}, nil
}

// time reads a time column as Agora's export writes it (RFC 3339); an
// empty or absent cell is the zero time, which the store fills with its
// clock.
func (c *columns) time(rec []string, role int, now time.Time) (time.Time, error) {
	v := c.cell(rec, role)
	if v == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %q: want a time such as 2026-01-05T10:00:00Z (RFC 3339, as agora subscribers export writes)", roleNames[role], v)
	}
	if t.After(now) {
		return time.Time{}, fmt.Errorf("%s %q is in the future", roleNames[role], v)
	}
	return t.UTC(), nil
}

// status reads what the file says about a row. A file that says someone
// unsubscribed or bounced is obeyed even when the operator imports with
// everyone active: re-subscribing them would mail people who said no.
func (c *columns) status(rec []string, subscribed subscriber.Status) (subscriber.Status, error) {
	if c.cell(rec, colCleanTime) != "" {
		return subscriber.Bounced, nil
	}
	if c.cell(rec, colUnsubTime) != "" {
		return subscriber.Unsubscribed, nil
	}
	v := c.cell(rec, colStatus)
	switch strings.ToLower(v) {
	case "", "active", "subscribed", "enabled", "confirmed", "opted in", "opted-in":
		return subscribed, nil
	case "pending", "unconfirmed":
		return subscriber.Pending, nil
	case "unsubscribed", "blocklisted", "blacklisted", "disabled", "opted out", "opted-out":
		return subscriber.Unsubscribed, nil
	case "bounced", "cleaned":
		return subscriber.Bounced, nil
	}
	return "", fmt.Errorf("status %q: want active, pending, unsubscribed or bounced (or Mailchimp's and listmonk's words for them)", v)
}

// splitCell reads a cell of tags: "go, meetups", "go;meetups", or
// Mailchimp's quoted list "\"go\",\"social media\"", where a tag may
// itself hold a comma.
func splitCell(cell string) []string {
	cell = strings.TrimSpace(cell)
	if strings.HasPrefix(cell, `"`) {
		r := csv.NewReader(strings.NewReader(cell))
		r.LazyQuotes = true
		r.TrimLeadingSpace = true
		if fields, err := r.Read(); err == nil {
			return fields
		}
	}
	return subscriber.SplitTopics(cell)
}

// severity orders statuses for merging duplicate rows: when one row of an
// address says unsubscribed, that wins over a row that says active.
var severity = map[subscriber.Status]int{subscriber.Active: 0, subscriber.Pending: 1, subscriber.Unsubscribed: 2, subscriber.Bounced: 3}

// merge folds a later row of the same address into the first: the first
// name given, every topic of both, the most cautious status.
func merge(first *subscriber.Subscriber, later subscriber.Subscriber) {
	if first.Name == "" {
		first.Name = later.Name
	}
	// Both lists are normalised already; the union needs no new checks
	// beyond the count.
	all := append(slices.Clone(first.Topics), later.Topics...)
	slices.Sort(all)
	all = slices.Compact(all)
	if len(all) <= subscriber.MaxTopics {
		first.Topics = all
	}
	if severity[later.Status] > severity[first.Status] {
		first.Status = later.Status
	}
}
