package export_test

import (
	"bytes"
	"encoding/json"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/agora-hub/agora/internal/dispwidth"
	"github.com/agora-hub/agora/newsletter/export"
	"github.com/agora-hub/agora/newsletter/subscriber"
)

func seq(subs ...subscriber.Subscriber) iter.Seq2[subscriber.Subscriber, error] {
	return func(yield func(subscriber.Subscriber, error) bool) {
		for _, s := range subs {
			if !yield(s, nil) {
				return
			}
		}
	}
}

var (
	t0  = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	ada = subscriber.Subscriber{Email: "ada@example.org", Name: "Ada", Topics: []string{"go", "meetups"}, Status: subscriber.Active,
		Consent: subscriber.Consent{At: t0, How: "cli"}, Created: t0, Updated: t0}
	long = subscriber.Subscriber{Email: "a.very.long.address.indeed@subdomain.example.org", Name: "Bartholomew Fitzgerald-Featherstonehaugh",
		Topics: []string{"community-management", "moderation", "social-media"}, Status: subscriber.Unsubscribed,
		Consent: subscriber.Consent{At: t0, How: "import:list.csv"}, Created: t0, Updated: t0.Add(time.Hour)}
)

func TestTableFits80Columns(t *testing.T) {
	var b bytes.Buffer
	if err := export.Table(&b, seq(ada, long)); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimRight(b.String(), "\n"), "\n") {
		if n := utf8.RuneCountInString(line); n > 80 {
			t.Errorf("%d columns: %q", n, line)
		}
	}
	for _, want := range []string{"EMAIL", "ada@example.org", "a.very.long.address.indeed…", "2026-03-01", "go,meetups", "2 subscribers: 1 active, 1 unsubscribed"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	if err := export.Table(&b, seq()); err != nil || b.String() != "No subscribers.\n" {
		t.Errorf("empty table %q, %v", b.String(), err)
	}
}

func TestJSON(t *testing.T) {
	var b bytes.Buffer
	noTopics := ada
	noTopics.Topics = nil
	if err := export.JSON(&b, seq(noTopics), export.Summary); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("%v in %s", err, b.String())
	}
	var keys []string
	for k := range got[0] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"created", "email", "name", "status", "topics"}) || got[0]["created"] != "2026-03-01T09:30:00Z" {
		t.Errorf("summary object %v", got[0])
	}
	if topics, ok := got[0]["topics"].([]any); !ok || len(topics) != 0 {
		t.Errorf("topics %#v; want []", got[0]["topics"])
	}

	b.Reset()
	if err := export.JSON(&b, seq(long), export.Full); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"consent":{"at":"2026-03-01T09:30:00Z","how":"import:list.csv"}`) || !strings.Contains(b.String(), `"updated":"2026-03-01T10:30:00Z"`) {
		t.Errorf("full object %s", b.String())
	}

	b.Reset()
	if err := export.JSON(&b, seq(), export.Summary); err != nil || b.String() != "[]\n" {
		t.Errorf("empty JSON %q, %v", b.String(), err)
	}
}

func TestCSV(t *testing.T) {
	var b bytes.Buffer
	if err := export.CSV(&b, seq(ada), export.Full); err != nil {
		t.Fatal(err)
	}
	want := "email,name,topics,status,consent_at,consent_how,created,updated\n" +
		"ada@example.org,Ada,\"go,meetups\",active,2026-03-01T09:30:00Z,cli,2026-03-01T09:30:00Z,2026-03-01T09:30:00Z\n"
	if b.String() != want {
		t.Errorf("CSV\n%s\nwant\n%s", b.String(), want)
	}
}

// TestTableAlignsWideNames: names in Japanese, Korean or fullwidth Latin
// take two columns a character; the columns after them stay aligned.
func TestTableAlignsWideNames(t *testing.T) {
	var b bytes.Buffer
	wide := []subscriber.Subscriber{ada}
	for _, n := range []string{"山田太郎", "김민준", "ｈｕｂ管理者", "José María", "山田太郎山田太郎山田太郎山田太郎"} {
		s := ada
		s.Name = n
		wide = append(wide, s)
	}
	if err := export.Table(&b, seq(wide...)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	col := -1
	for _, line := range lines[:len(wide)+1] {
		i := strings.Index(line, "STATUS")
		if i < 0 {
			i = strings.Index(line, "active")
		}
		at := dispwidth.String(line[:i])
		if col >= 0 && at != col {
			t.Errorf("status at column %d, want %d:\n%s", at, col, b.String())
		}
		col = at
		if n := dispwidth.String(line); n > 80 {
			t.Errorf("%d columns: %q", n, line)
		}
	}
}
