package csvimport_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/agora-hub/agora/newsletter/csvimport"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

var consent = subscriber.Consent{At: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC), How: "import:list.csv"}

// read reads src with Read, and checks that Stream reads the same.
func read(t *testing.T, src string, st subscriber.Status) *csvimport.Result {
	t.Helper()
	opt := csvimport.Options{File: "list.csv", Status: st, Consent: consent, Now: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)}
	res, err := csvimport.Read(strings.NewReader(src), opt)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	sameAsStream(t, src, opt, res)
	return res
}

// sameAsStream: Stream yields Read's rows, merges included, and reports
// the same bad rows and duplicates.
func sameAsStream(t *testing.T, src string, opt csvimport.Options, want *csvimport.Result) {
	t.Helper()
	got, each, err := csvimport.Stream(strings.NewReader(src), opt)
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	var subs []subscriber.Subscriber
	for sub, err := range each {
		if err != nil {
			t.Fatalf("Stream's rows: %v", err)
		}
		subs = append(subs, sub)
	}
	if wantSubs := want.Subscribers(); (len(subs) > 0 || len(wantSubs) > 0) && !reflect.DeepEqual(subs, wantSubs) {
		t.Errorf("Stream yields\n%+v\nRead has\n%+v", subs, wantSubs)
	}
	if !slices.Equal(bad(got), bad(want)) || !slices.Equal(got.Duplicates, want.Duplicates) {
		t.Errorf("Stream: bad %q, duplicates %+v; Read: %q, %+v", bad(got), got.Duplicates, bad(want), want.Duplicates)
	}
}

// rows renders good rows as "LINE email|name|topics|status".
func rows(res *csvimport.Result) []string {
	var out []string
	for _, r := range res.Rows {
		out = append(out, fmt.Sprintf("%d %s|%s|%s|%s", r.Line, r.Email, r.Name, strings.Join(r.Topics, " "), r.Status))
	}
	return out
}

func bad(res *csvimport.Result) []string {
	var out []string
	for _, err := range res.Bad {
		out = append(out, err.Error())
	}
	return out
}

func TestRead(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"plain", "email,name,tags\nada@example.org,Ada,go\n", []string{"2 ada@example.org|Ada|go|active"}},
		{"BOM and CRLF", "\ufeffEmail,Name\r\nada@example.org,Ada\r\nbo@example.org,Bo\r\n",
			[]string{"2 ada@example.org|Ada||active", "3 bo@example.org|Bo||active"}},
		{"any column order, quoted comma", "tags,Name,E-mail\n\"go,meetups\",\"Lovelace, Ada\",ada@example.org\n",
			[]string{"2 ada@example.org|Lovelace, Ada|go meetups|active"}},
		{"newline inside quotes keeps line numbers", "email,tags\n\"ada@example.org\",\"go\nmeetups\"\nbo@example.org,\n",
			[]string{"2 ada@example.org||go meetups|active", "4 bo@example.org|||active"}},
		{"Mailchimp", "Email Address,First Name,Last Name,MEMBER_RATING,OPTIN_TIME,TAGS\n" +
			"ada@example.org,Ada,Lovelace,2,2024-01-02 10:00:00,\"\"\"go\"\",\"\"social media\"\"\"\n" +
			"bo@example.org,Bo,,1,,\n",
			[]string{"2 ada@example.org|Ada Lovelace|go social-media|active", "3 bo@example.org|Bo||active"}},
		{"Mailchimp unsubscribed and cleaned exports", "Email Address,First Name,UNSUB_TIME,CLEAN_TIME\nada@example.org,Ada,2025-05-01 08:00:00,\nbo@example.org,Bo,,2025-06-01 08:00:00\n",
			[]string{"2 ada@example.org|Ada||unsubscribed", "3 bo@example.org|Bo||bounced"}},
		{"listmonk", "uuid,email,name,attributes,status,created_at,updated_at\n" +
			"5b1c,ada@example.org,Ada,\"{\"\"city\"\": \"\"London, UK\"\"}\",enabled,2024-01-01,2024-01-01\n" +
			"6c2d,bo@example.org,Bo,{},blocklisted,2024-01-01,2024-01-01\n",
			[]string{"2 ada@example.org|Ada||active", "3 bo@example.org|Bo||unsubscribed"}},
		{"lists column, semicolons", "email;name;lists\nada@example.org;Ada;Weekly Tips, Events\n",
			[]string{"2 ada@example.org|Ada|events weekly-tips|active"}},
		{"Agora's own export", "email,name,topics,status,consent_at,consent_how,created,updated\n" +
			"ada@example.org,Ada,\"go,meetups\",pending,2026-01-01T01:00:00Z,form,2026-01-01T00:00:00Z,2026-01-01T02:00:00Z\n",
			[]string{"2 ada@example.org|Ada|go meetups|pending"}},
		{"blank rows skipped", "email,name\n,\nada@example.org,Ada\n\n , \n", []string{"3 ada@example.org|Ada||active"}},
		{"header only", "email,name\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := read(t, tc.src, subscriber.Active)
			got := rows(res)
			if !slices.Equal(got, tc.want) || len(res.Bad) > 0 {
				t.Errorf("rows %q\nwant %q\nbad %q", got, tc.want, bad(res))
			}
			for _, r := range res.Rows {
				// Agora's own export carries each row's consent and times;
				// other files get the import's consent.
				want, created, updated := consent, time.Time{}, time.Time{}
				if tc.name == "Agora's own export" {
					created = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
					want = subscriber.Consent{At: created.Add(time.Hour), How: "form"}
					updated = created.Add(2 * time.Hour)
				}
				if r.Consent != want || !r.Created.Equal(created) || !r.Updated.Equal(updated) {
					t.Errorf("consent %+v, created %v, updated %v", r.Consent, r.Created, r.Updated)
				}
			}
		})
	}
}

func TestPendingImport(t *testing.T) {
	res := read(t, "email,status\nada@example.org,subscribed\nbo@example.org,unsubscribed\ncy@example.org,\n", subscriber.Pending)
	want := []string{"2 ada@example.org|||pending", "3 bo@example.org|||unsubscribed", "4 cy@example.org|||pending"}
	if got := rows(res); !slices.Equal(got, want) {
		t.Errorf("--pending: %q, want %q", got, want)
	}
}

func TestBadRows(t *testing.T) {
	src := "email,name,tags\n" + // 1
		"ada@example.org,Ada,go\n" + // 2
		"not-an-address,X,\n" + // 3
		"\"multi\nline@example.org\",Y,\n" + // 4-5: a line break inside the address
		"bo@example.org,\"Bo\nBcc: all@example.org\",\n" + // 6-7
		"cy@example.org,Cy,\"go\"\n" + // 8
		",Nobody,go\n" + // 9
		"dee@example.org,Lovelace, Dee,go\n" + // 10
		"Eve <eve@example.org>,Eve,\n" + // 11
		"fay@example.org,Fay,!!!\n" + // 12
		"gus@example.org,Gus,go,extra\n" + // 13
		"hal@example.org,\xe9t\xe9,\n" // 14: Latin-1, not UTF-8
	res := read(t, src, subscriber.Active)
	wantRows := []string{"2 ada@example.org|Ada|go|active", "8 cy@example.org|Cy|go|active"}
	if got := rows(res); !slices.Equal(got, wantRows) {
		t.Errorf("good rows %q, want %q", got, wantRows)
	}
	want := []string{
		`list.csv:3: address "not-an-address": has no @`,
		`list.csv:4: address "multi\nline@example.org": contains a line break`,
		`list.csv:6: name "Bo\nBcc: all@example.org" contains a line break`,
		`list.csv:9: no email address`,
		`list.csv:10: 4 fields, but the header has 3: is a comma in a name not quoted?`,
		`list.csv:11: address "Eve <eve@example.org>": want a bare address`,
		`list.csv:12: topic "!!!" has no letters or digits`,
		`list.csv:13: 4 fields, but the header has 3`,
		`list.csv:14: not UTF-8 text`,
	}
	got := bad(res)
	if len(got) != len(want) {
		t.Fatalf("bad rows:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("bad row %d: %q\nwant prefix %q", i, got[i], want[i])
		}
	}
}

func TestDuplicatesMerge(t *testing.T) {
	src := "email,name,tags,status\n" +
		"ada@example.org,Ada,go,\n" +
		"bo@example.org,,,\n" +
		"ADA@example.org,Ada L.,meetups,\n" +
		"bo@example.org,Bo,,unsubscribed\n"
	res := read(t, src, subscriber.Active)
	want := []string{"2 ada@example.org|Ada|go meetups|active", "3 bo@example.org|Bo||unsubscribed"}
	if got := rows(res); !slices.Equal(got, want) {
		t.Errorf("merged %q, want %q", got, want)
	}
	wantDup := []csvimport.Duplicate{{Line: 4, First: 2, Email: "ada@example.org"}, {Line: 5, First: 3, Email: "bo@example.org"}}
	if !slices.Equal(res.Duplicates, wantDup) {
		t.Errorf("duplicates %+v, want %+v", res.Duplicates, wantDup)
	}
}

func TestUnreadableFiles(t *testing.T) {
	for _, tc := range []struct{ name, src, want string }{
		{"empty", "", "list.csv: the file is empty"},
		{"BOM only", "\ufeff", "list.csv: the file is empty"},
		{"no email column", "name,tags\nAda,go\n", `list.csv:1: no email column: want a header named email, "Email Address" or e-mail (the header is "name,tags")`},
		{"two email columns", "Email,E-mail\na@example.org,b@example.org\n", `list.csv:1: columns "Email" and "E-mail" are both the email column`},
		{"bare quote", "email,name\nada@example.org,Ada \"the Countess\" Lovelace\n", `list.csv:2: not valid CSV: bare " in non-quoted-field (column 21)`},
		{"unclosed quote", "email,name\nada@example.org,\"Ada\nbo@example.org,Bo\n", `list.csv:2: not valid CSV: extraneous or missing " in quoted-field (found on line 3, column 19)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := csvimport.Read(strings.NewReader(tc.src), csvimport.Options{File: "list.csv", Status: subscriber.Active, Consent: consent})
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) || !strings.HasSuffix(err.Error(), "nothing was imported") {
				t.Errorf("error %v\nwant prefix %q", err, tc.want)
			}
			if _, _, err := csvimport.Stream(strings.NewReader(tc.src), csvimport.Options{File: "list.csv", Status: subscriber.Active, Consent: consent}); err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("Stream: error %v\nwant prefix %q", err, tc.want)
			}
		})
	}
}
