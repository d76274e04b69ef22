package metadecode

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestUnmarshalSameValuesInEveryFormat(t *testing.T) {
	want := map[string]any{
		"title":  "Hello",
		"weight": int64(3),
		"ratio":  1.5,
		"draft":  true,
		"tags":   []any{"a", "b"},
		"params": map[string]any{"Author": "Ann", "n": int64(-2)},
		"menu":   []any{map[string]any{"name": "Home"}},
	}
	docs := map[Format]string{
		TOML: "title = \"Hello\"\nweight = 3\nratio = 1.5\ndraft = true\ntags = [\"a\", \"b\"]\n[params]\nAuthor = \"Ann\"\nn = -2\n[[menu]]\nname = \"Home\"\n",
		YAML: "title: Hello\nweight: 3\nratio: 1.5\ndraft: true\ntags: [a, b]\nparams:\n  Author: Ann\n  n: -2\nmenu:\n  - name: Home\n",
		JSON: `{"title": "Hello", "weight": 3, "ratio": 1.5, "draft": true, "tags": ["a", "b"], "params": {"Author": "Ann", "n": -2}, "menu": [{"name": "Home"}]}`,
	}
	for f, doc := range docs {
		got, err := Unmarshal(f, []byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n got %#v\nwant %#v", f, got, want)
		}
	}
}

func TestUnmarshalDates(t *testing.T) {
	m, err := Unmarshal(TOML, []byte("a = 2020-04-01T10:00:00+05:30\nb = 2020-04-01T10:00:00\nc = 2020-04-01\n"))
	if err != nil {
		t.Fatal(err)
	}
	if a := m["a"].(time.Time); a.Format(time.RFC3339) != "2020-04-01T10:00:00+05:30" {
		t.Errorf("a = %v", a)
	}
	if b := m["b"].(time.Time); b.Location().String() != "datetime-local" {
		t.Errorf("b's location = %v, want datetime-local", b.Location())
	}
	if c := m["c"].(time.Time); c.Location().String() != "date-local" {
		t.Errorf("c's location = %v, want date-local", c.Location())
	}
	// YAML and JSON have no date type: a date is the string as written,
	// as in Hugo, for the reader to parse with its own zone.
	y, err := Unmarshal(YAML, []byte("a: 2020-04-01T10:00:00+05:30\nc: 2020-04-01\n"))
	if err != nil {
		t.Fatal(err)
	}
	if y["a"] != "2020-04-01T10:00:00+05:30" || y["c"] != "2020-04-01" {
		t.Errorf("YAML dates: %#v", y)
	}
}

func TestUnmarshalErrorsCarryTheirLine(t *testing.T) {
	for _, tc := range []struct {
		f         Format
		doc       string
		line      int
		msgSubstr string
	}{
		{TOML, "title = \"x\"\ndate = \n", 2, "expected value"},
		{TOML, "a = 1\na = 2\n", 2, "already been defined"},
		{YAML, "title: x\ntags: [a, b\nweight: 3\n", 3, "must be specified"},
		{YAML, "title: x\ntitle: y\n", 2, "already defined"},
		{YAML, "title: x\n  bad: : y\n", 2, ""},
		{JSON, "{\n  \"title\": \"x\",\n  \"weight\": 3,,\n}", 3, "invalid character"},
		{JSON, "{\n  \"title\": \"x\"\n", 2, "ends before"},
		{JSON, "{\"a\": 1}\n{\"b\": 2}", 2, "more after"},
		{YAML, "- a\n- b\n", 1, "want a table"},
	} {
		_, err := Unmarshal(tc.f, []byte(tc.doc))
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s %q: err = %v, want *Error", tc.f, tc.doc, err)
			continue
		}
		if e.Line != tc.line || !strings.Contains(strings.ToLower(e.Msg), tc.msgSubstr) {
			t.Errorf("%s %q: line %d %q, want line %d containing %q", tc.f, tc.doc, e.Line, e.Msg, tc.line, tc.msgSubstr)
		}
	}
}

func TestUnmarshalAnyKeepsTopLevelLists(t *testing.T) {
	v, err := UnmarshalAny(JSON, []byte(`[1, "a"]`))
	if err != nil || !reflect.DeepEqual(v, []any{int64(1), "a"}) {
		t.Errorf("JSON list: %#v, %v", v, err)
	}
	v, err = UnmarshalAny(YAML, []byte("- 1\n- a\n"))
	if err != nil || !reflect.DeepEqual(v, []any{int64(1), "a"}) {
		t.Errorf("YAML list: %#v, %v", v, err)
	}
}

func TestAliasBombIsRefused(t *testing.T) {
	var b strings.Builder
	b.WriteString("a: &a [x, x, x, x, x, x, x, x, x, x]\n")
	prev := "a"
	for _, n := range []string{"b", "c", "d", "e", "f", "g", "h"} {
		b.WriteString(n + ": &" + n + " [")
		for i := range 10 {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("*" + prev)
		}
		b.WriteString("]\n")
		prev = n
	}
	_, err := Unmarshal(YAML, []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "more than") {
		t.Fatalf("err = %v, want the value limit", err)
	}
}

func TestFormatFromExt(t *testing.T) {
	for name, want := range map[string]Format{"hugo.toml": TOML, "a/b.YAML": YAML, "x.yml": YAML, "data.json": JSON, "x.md": ""} {
		got, ok := FormatFromExt(name)
		if got != want || ok != (want != "") {
			t.Errorf("FormatFromExt(%q) = %q, %v", name, got, ok)
		}
	}
}

func TestKeyLine(t *testing.T) {
	docs := map[Format]string{
		TOML: "title = \"x\"\n\n[params]\nAuthor = \"Ann\"\nsocial = { github = \"ann\" }\n[[menus.main]]\nname = \"Home\"\n",
		YAML: "title: x\n\nparams:\n  Author: Ann\n  social: {github: ann}\nmenus:\n  main:\n    - name: Home\n",
		JSON: "{\n  \"title\": \"x\",\n  \"params\": {\n    \"Author\": \"Ann\",\n    \"social\": {\"github\": \"ann\"}},\n  \"menus\": {\"main\": [\n    {\"name\": \"Home\"}]}\n}",
	}
	want := map[Format]map[string]int{
		TOML: {"title": 1, "params": 3, "params.author": 4, "params.social.github": 5, "menus.main.name": 7, "nope": 0},
		YAML: {"title": 1, "params": 3, "params.author": 4, "params.social.github": 5, "menus.main.name": 8, "nope": 0},
		JSON: {"title": 2, "params": 3, "params.author": 4, "params.social.github": 5, "menus.main.name": 7, "nope": 0},
	}
	for f, doc := range docs {
		for key, line := range want[f] {
			if got := KeyLine(f, []byte(doc), strings.Split(key, ".")...); got != line {
				t.Errorf("%s: KeyLine(%s) = %d, want %d", f, key, got, line)
			}
		}
	}
}
