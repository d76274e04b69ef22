package storetest

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/agora-hub/agora/newsletter/store"
	"github.com/agora-hub/agora/newsletter/store/sqlfile"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

func testMigrationsAndReopen(t *testing.T, e Engine) {
	open, raw := e.New(t)
	s := open(t, NewClock(true).Now)
	if _, err := s.Add(ctx, newSub(t, "ada@example.org", "Ada", nil, subscriber.Active, "cli"), false); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, NewClock(true).Now)
	if got, err := s.Get(ctx, "ADA@example.org"); err != nil || got.Name != "Ada" {
		t.Errorf("after re-open: %+v, %v", got, err)
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil || v < 4 {
		t.Fatalf("SchemaVersion %d, %v", v, err)
	}
	if n, max := count(t, raw, `SELECT COUNT(*) FROM schema_migrations`), count(t, raw, `SELECT MAX(version) FROM schema_migrations`); n != v || max != v {
		t.Errorf("schema_migrations: %d rows up to %d; want each of 1..%d applied once", n, max, v)
	}
	for _, table := range store.CopyOrder {
		count(t, raw, `SELECT COUNT(*) FROM `+table)
	}
}

func testNewerThanBinary(t *testing.T, e Engine) {
	open, raw := e.New(t)
	s := open(t, time.Now)
	v, _ := s.SchemaVersion(ctx)
	s.Close()
	raw.Exec(t, `INSERT INTO schema_migrations (version, name, applied) VALUES (99, '0099_future.sql', 'x')`)
	defer func() {
		err, _ := recover().(error)
		var tooNew *sqlfile.TooNewError
		if !errors.As(err, &tooNew) || tooNew.Have != 99 || tooNew.Support != v {
			t.Fatalf("opening a version-99 database: %v; want a TooNewError", err)
		}
	}()
	open(&panicking{t}, time.Now)
}

// panicking turns the opener's t.Fatal into a panic carrying the error, so
// that a test can look at an error Open is meant to return.
type panicking struct{ *testing.T }

func (p *panicking) Fatal(args ...any) {
	if len(args) == 1 {
		if err, ok := args[0].(error); ok {
			panic(err)
		}
	}
	panic(fmt.Errorf("%v", args))
}

func testConcurrentWriters(t *testing.T, e Engine) {
	open, _ := e.New(t)
	stores := []store.DB{open(t, time.Now), open(t, time.Now)}
	const perWorker = 25
	var wg sync.WaitGroup
	errs := make(chan error, 2*4*perWorker)
	for si, s := range stores {
		for w := range 4 {
			wg.Go(func() {
				for i := range perWorker {
					sub, err := subscriber.New(fmt.Sprintf("p%d-w%d-%d@example.org", si, w, i), "", []string{"go"}, subscriber.Active, subscriber.Consent{How: "cli"})
					if err == nil {
						_, err = s.Add(ctx, sub, false)
					}
					if err == nil && i%5 == 0 {
						_, err = s.SetStatus(ctx, sub.Email, subscriber.Unsubscribed, "test")
					}
					if err == nil {
						_, err = s.Count(ctx)
					}
					if err != nil {
						errs <- err
					}
				}
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	counts, err := stores[0].Count(ctx)
	if err != nil || counts[subscriber.Active]+counts[subscriber.Unsubscribed] != 2*4*perWorker || counts[subscriber.Unsubscribed] != 2*4*perWorker/5 {
		t.Errorf("counts %v, %v", counts, err)
	}
}

func testAdd(t *testing.T, e Engine) {
	s, _ := fresh(t, e)
	ada := newSub(t, "Ada@Example.org", "Ada", []string{"go"}, subscriber.Active, "cli")
	res, err := s.Add(ctx, ada, false)
	if err != nil || res.Result != store.Created || res.Subscriber.ID == 0 || res.Subscriber.Consent.At.IsZero() {
		t.Fatalf("first add: %+v, %v", res, err)
	}
	same := newSub(t, "ada@example.org", "Ada", []string{"Go"}, subscriber.Active, "cli")
	if res, err := s.Add(ctx, same, false); err != nil || res.Result != store.Unchanged || res.Subscriber.Email != "Ada@example.org" {
		t.Errorf("identical add: %+v, %v", res, err)
	}
	other := newSub(t, "ada@example.org", "Ada L.", []string{"go", "meetups"}, subscriber.Active, "cli")
	_, err = s.Add(ctx, other, false)
	var conflict *store.ConflictError
	if !errors.As(err, &conflict) || !slices.Equal(conflict.Fields, []string{"name", "topics"}) {
		t.Fatalf("different add: %v; want a ConflictError on name and topics", err)
	}
	if got, _ := s.Get(ctx, "ada@example.org"); got.Name != "Ada" {
		t.Errorf("a refused add changed the row: %+v", got)
	}
	if res, err = s.Add(ctx, other, true); err != nil || res.Result != store.Replaced || res.Subscriber.Name != "Ada L." {
		t.Errorf("replace: %+v, %v", res, err)
	}
	got, _ := s.Get(ctx, "ada@example.org")
	if got.Name != "Ada L." || !slices.Equal(got.Topics, []string{"go", "meetups"}) || !got.Consent.At.Equal(res.Subscriber.Consent.At) {
		t.Errorf("after replace: %+v", got)
	}
}

func testResubscribeNeedsReplace(t *testing.T, e Engine) {
	s, raw := fresh(t, e)
	if _, err := s.Add(ctx, newSub(t, "bo@example.org", "", nil, subscriber.Active, "cli"), false); err != nil {
		t.Fatal(err)
	}
	if changed, err := s.SetStatus(ctx, "bo@example.org", subscriber.Unsubscribed, "link"); !changed || err != nil {
		t.Fatalf("unsubscribe: %v, %v", changed, err)
	}
	if changed, err := s.SetStatus(ctx, "bo@example.org", subscriber.Unsubscribed, "link"); changed || err != nil {
		t.Errorf("second unsubscribe: %v, %v; want no change", changed, err)
	}
	again := newSub(t, "bo@example.org", "", nil, subscriber.Active, "cli")
	var conflict *store.ConflictError
	if _, err := s.Add(ctx, again, false); !errors.As(err, &conflict) || conflict.Existing.Status != subscriber.Unsubscribed {
		t.Fatalf("re-adding an unsubscribed address: %v; want a ConflictError", err)
	}
	res, err := s.Add(ctx, again, true)
	if err != nil || res.Previous != subscriber.Unsubscribed || res.Subscriber.Status != subscriber.Active {
		t.Fatalf("replace: %+v, %v", res, err)
	}
	if want := []string{"-> active (cli)", "active -> unsubscribed (link)", "unsubscribed -> active (cli)"}; !slices.Equal(events(t, raw), want) {
		t.Errorf("events %q, want %q", events(t, raw), want)
	}
}

func testRemoveErasesPersonalData(t *testing.T, e Engine) {
	s, raw := fresh(t, e)
	res, err := s.Add(ctx, newSub(t, "cy@example.org", "Cy", []string{"go"}, subscriber.Active, "cli"), false)
	if err != nil {
		t.Fatal(err)
	}
	raw.Exec(t, `INSERT INTO issues (id, number, created, cutoff, status) VALUES (1, 1, 'x', 'x', 'sent')`)
	raw.Exec(t, `INSERT INTO deliveries (issue_id, subscriber_id, state, last_error, updated) VALUES (1, ?, 'failed', '550 <cy@example.org>: no such user', 'x')`, res.Subscriber.ID)
	removed, err := s.Remove(ctx, " CY@Example.ORG ", "cli")
	if err != nil || removed.Email != "cy@example.org" {
		t.Fatalf("Remove: %+v, %v", removed, err)
	}
	if _, err := s.Get(ctx, "cy@example.org"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Get after Remove: %v", err)
	}
	if _, err := s.Remove(ctx, "cy@example.org", "cli"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("second Remove: %v; want ErrNotFound", err)
	}
	if n := count(t, raw, `SELECT
		(SELECT COUNT(*) FROM subscriber_events WHERE subscriber_id IS NOT NULL) +
		(SELECT COUNT(*) FROM deliveries WHERE subscriber_id IS NOT NULL OR last_error != '')`); n != 0 {
		t.Errorf("%d rows still point at the erased subscriber", n)
	}
	if want := []string{"-> active (cli)", "active -> removed (cli)"}; !slices.Equal(events(t, raw), want) {
		t.Errorf("anonymous history %q, want %q", events(t, raw), want)
	}
}

func testImportIdempotent(t *testing.T, e Engine) {
	s, raw := fresh(t, e)
	if _, err := s.Add(ctx, newSub(t, "gone@example.org", "", nil, subscriber.Unsubscribed, "cli"), false); err != nil {
		t.Fatal(err)
	}
	subs := []subscriber.Subscriber{
		newSub(t, "a@example.org", "A", []string{"go"}, subscriber.Active, "import:list.csv"),
		newSub(t, "b@example.org", "", nil, subscriber.Active, "import:list.csv"),
		newSub(t, "gone@example.org", "", nil, subscriber.Active, "import:list.csv"),
	}
	added := map[subscriber.Status]int{subscriber.Active: 2}
	if res, err := s.Import(ctx, store.Each(subs), true); err != nil || !reflect.DeepEqual(res, store.Imported{Added: 2, ByStatus: added, Existing: 1, Differ: 1, Suppressed: 1}) {
		t.Errorf("dry run: %+v, %v", res, err)
	}
	if counts, _ := s.Count(ctx); counts[subscriber.Active] != 0 {
		t.Errorf("a dry run wrote: %v", counts)
	}
	if res, err := s.Import(ctx, store.Each(subs), false); err != nil || !reflect.DeepEqual(res, store.Imported{Added: 2, ByStatus: added, Existing: 1, Differ: 1, Suppressed: 1}) {
		t.Errorf("import: %+v, %v", res, err)
	}
	before := events(t, raw)
	if res, err := s.Import(ctx, store.Each(subs), false); err != nil || !reflect.DeepEqual(res, store.Imported{Existing: 3, Differ: 1, Suppressed: 1}) {
		t.Errorf("second import: %+v, %v", res, err)
	}
	if after := events(t, raw); !slices.Equal(before, after) {
		t.Errorf("a repeated import wrote events: %q", after[len(before):])
	}
	if got, _ := s.Get(ctx, "gone@example.org"); got.Status != subscriber.Unsubscribed {
		t.Errorf("import re-subscribed %+v", got)
	}
	if got, _ := s.Get(ctx, "a@example.org"); got.Consent.How != "import:list.csv" || got.Status != subscriber.Active {
		t.Errorf("imported row %+v", got)
	}
}

// testImportLarge crosses the PostgreSQL engine's import pages, with an
// address repeated across and within them.
func testImportLarge(t *testing.T, e Engine) {
	s, raw := fresh(t, e)
	const n = 4500
	var subs []subscriber.Subscriber
	for i := range n {
		subs = append(subs, newSub(t, fmt.Sprintf("u%05d@example.org", i), "", nil, subscriber.Active, "import:big.csv"))
	}
	subs = append(subs, newSub(t, "u00007@example.org", "Seven", nil, subscriber.Active, "import:big.csv"))
	res, err := s.Import(ctx, store.Each(subs), false)
	if err != nil || res.Added != n || res.Existing != 1 || res.Differ != 1 {
		t.Fatalf("Import: %+v, %v", res, err)
	}
	if got := count(t, raw, `SELECT COUNT(*) FROM subscriber_events`); got != n {
		t.Errorf("%d events, want %d", got, n)
	}
	if got, _ := s.Get(ctx, "u00007@example.org"); got.Name != "" {
		t.Errorf("the repeated row replaced the first: %+v", got)
	}
}

func testImportKeepsHistory(t *testing.T, e Engine) {
	s, _ := fresh(t, e)
	day := func(d int) time.Time { return time.Date(2025, 3, d, 10, 30, 0, 0, time.UTC) }
	tests := []struct {
		email                string
		status               subscriber.Status
		consent              subscriber.Consent
		created, updated     time.Time
		wantConsent          subscriber.Consent
		wantCreated, wantUpd time.Time
	}{
		{"kept@example.org", subscriber.Active, subscriber.Consent{At: day(2), How: "form"}, day(1), day(3),
			subscriber.Consent{At: day(2), How: "form"}, day(1), day(3)},
		{"gone@example.org", subscriber.Unsubscribed, subscriber.Consent{At: day(4), How: "cli"}, day(4), day(9),
			subscriber.Consent{At: day(4), How: "cli"}, day(4), day(9)},
		{"created-only@example.org", subscriber.Bounced, subscriber.Consent{How: "import:x.csv"}, day(5), time.Time{},
			subscriber.Consent{How: "import:x.csv"}, day(5), time.Time{}},
		{"new@example.org", subscriber.Active, subscriber.Consent{How: "import:x.csv"}, time.Time{}, time.Time{},
			subscriber.Consent{How: "import:x.csv"}, time.Time{}, time.Time{}},
	}
	var subs []subscriber.Subscriber
	for _, tt := range tests {
		sub := newSub(t, tt.email, "", nil, tt.status, tt.consent.How)
		sub.Consent.At, sub.Created, sub.Updated = tt.consent.At, tt.created, tt.updated
		subs = append(subs, sub)
	}
	before := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	res, err := s.Import(ctx, store.Each(subs), false)
	want := store.Imported{Added: 4, ByStatus: map[subscriber.Status]int{subscriber.Active: 2, subscriber.Unsubscribed: 1, subscriber.Bounced: 1}}
	if err != nil || !reflect.DeepEqual(res, want) {
		t.Fatalf("Import: %+v, %v; want %+v", res, err, want)
	}
	fresh := func(got, want time.Time) bool {
		if want.IsZero() {
			return got.After(before)
		}
		return got.Equal(want)
	}
	for _, tt := range tests {
		got, err := s.Get(ctx, tt.email)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != tt.status || got.Consent.How != tt.wantConsent.How || !fresh(got.Consent.At, tt.wantConsent.At) ||
			!fresh(got.Created, tt.wantCreated) || !fresh(got.Updated, tt.wantUpd) {
			t.Errorf("%s stored as %+v", tt.email, got)
		}
	}
}

func testListAndActiveCursor(t *testing.T, e Engine) {
	s, _ := fresh(t, e)
	const n = 1234
	var subs []subscriber.Subscriber
	for i := range n {
		st := subscriber.Active
		if i%3 == 0 {
			st = subscriber.Pending
		}
		subs = append(subs, newSub(t, fmt.Sprintf("u%04d@example.org", n-i), "", nil, st, "import:x"))
	}
	if _, err := s.Import(ctx, store.Each(subs), false); err != nil {
		t.Fatal(err)
	}
	var all []string
	for sub, err := range s.List(ctx, store.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, sub.Email)
	}
	if len(all) != n || !slices.IsSorted(all) {
		t.Errorf("List: %d subscribers, sorted %v", len(all), slices.IsSorted(all))
	}
	pending := 0
	for sub, err := range s.List(ctx, store.Filter{Status: subscriber.Pending}) {
		if err != nil || sub.Status != subscriber.Pending {
			t.Fatalf("%+v, %v", sub, err)
		}
		pending++
	}
	var active []int64
	after := int64(0)
	for {
		page, err := s.ActiveSubscribers(ctx, after, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		for _, sub := range page {
			if sub.Status != subscriber.Active {
				t.Fatalf("ActiveSubscribers returned %+v", sub)
			}
			active = append(active, sub.ID)
		}
		after = page[len(page)-1].ID
	}
	if len(active)+pending != n || !slices.IsSorted(active) {
		t.Errorf("cursor walk: %d active + %d pending, want %d in all", len(active), pending, n)
	}
}

// testListByteOrder: addresses come out in byte order on both engines
// (a PostgreSQL collation would put "a-b" after "ab", or "Zoë" elsewhere),
// so that an export moved between them is the same file.
func testListByteOrder(t *testing.T, e Engine) {
	s, _ := fresh(t, e)
	emails := []string{"ab@example.org", "a-b@example.org", "a.b@example.org", "a_b@example.org", "a1@example.org", "zoe@bücher.example", "zoe@example.org", "Zed@example.org", "a+b@example.org"}
	var subs []subscriber.Subscriber
	for _, em := range emails {
		subs = append(subs, newSub(t, em, "", nil, subscriber.Active, "cli"))
	}
	if _, err := s.Import(ctx, store.Each(subs), false); err != nil {
		t.Fatal(err)
	}
	var got []string
	for sub, err := range s.List(ctx, store.Filter{}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, subscriber.Key(sub.Email))
	}
	if !slices.IsSorted(got) || len(got) != len(emails) {
		t.Errorf("List order %q: want byte order", got)
	}
}
