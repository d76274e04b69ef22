package tplfuncs

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

type meta struct{ Author string }

// item mimics a page: getters with pointer and value receivers, an
// exported field, a nil-able pointer field, and methods that misbehave.
type item struct {
	title   string
	section string
	date    time.Time
	params  map[string]any
	Weight  int
	Meta    *meta
}

func (i *item) Title() string              { return i.title }
func (i item) Section() string             { return i.section }
func (i *item) Date() time.Time            { return i.date }
func (i *item) Params() map[string]any     { return i.params }
func (i *item) Broken() (string, error)    { return "", errors.New("boom") }
func (i *item) Fine() (string, error)      { return "fine", nil }
func (i *item) Panics() string             { panic("kaboom") }
func (i *item) Needs(n int) string         { return fmt.Sprint(n) }
func (i *item) Type() string               { return "post" }
func (i *item) Ptr() *item                 { return i }
func (i *item) NilParams() map[string]any  { return nil }
func (i *item) AnyNil() any                { return nil }
func (i *item) Tags() []string             { t, _ := i.params["tags"].([]string); return t }
func (i *item) String() string             { return i.title }
func (i *item) Related() []*item           { return nil }
func (i *item) Pub() *time.Time            { return &i.date }
func (i *item) Unexported() unexportedType { return unexportedType{} }

type unexportedType struct{ _ int }

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func fixture() []*item {
	return []*item{
		{title: "a1", section: "a", date: day("2024-03-01"), Weight: 3,
			params: map[string]any{"tags": []string{"go", "web"}, "weight": 2, "pinned": true}},
		{title: "b1", section: "b", date: day("2024-01-01"), Weight: 1, Meta: &meta{Author: "ada"},
			params: map[string]any{"Tags": []any{"rust"}, "weight": 1.5}},
		{title: "a2", section: "a", date: day("2024-02-01"), Weight: 2,
			params: map[string]any{"weight": "3"}},
		{title: "x1", section: "", date: day("2024-01-01"), params: nil},
	}
}

// titles lists what a result holds, whatever its element type.
func titles(t *testing.T, v any) []string {
	t.Helper()
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		t.Fatalf("result is %T, not a slice", v)
	}
	out := []string{}
	for i := range rv.Len() {
		switch e := rv.Index(i).Interface().(type) {
		case *item:
			if e == nil {
				out = append(out, "<nil>")
			} else {
				out = append(out, e.title)
			}
		case item:
			out = append(out, e.title)
		case map[string]any:
			out = append(out, fmt.Sprint(e["title"]))
		default:
			out = append(out, fmt.Sprint(e))
		}
	}
	return out
}

func TestWhere(t *testing.T) {
	pages := fixture()
	values := make([]item, len(pages))
	for i, p := range pages {
		values[i] = *p
	}
	mixed := []any{
		pages[0],
		map[string]any{"section": "a", "title": "m1"},
		"a",
		42,
		nil,
		values[2],
		&values[1],
	}
	withNils := []*item{nil, pages[0], nil, pages[1]}
	f := Generic()["where"].(func(any, any, ...any) (any, error))

	for _, tc := range []struct {
		name string
		coll any
		key  string
		args []any
		want []string
	}{
		{"value receiver through pointers", pages, "Section", []any{"a"}, []string{"a1", "a2"}},
		{"pointer receiver on values", values, "Title", []any{"b1"}, []string{"b1"}},
		{"array", [2]item{values[0], values[1]}, "Title", []any{"!=", "a1"}, []string{"b1"}},
		{"exported field", pages, "Weight", []any{">=", 2}, []string{"a1", "a2"}},
		{"leading dot", pages, ".Params.pinned", []any{true}, []string{"a1"}},
		{"default operator spellings", pages, "Section", []any{"eq", "b"}, []string{"b1"}},
		{"operator case and spaces", pages, "Section", []any{" NOT IN ", []string{"a"}}, []string{"b1", "x1"}},

		{"nil elements skipped", withNils, "Section", []any{"a"}, []string{"a1"}},
		{"nil elements skipped by !=", withNils, "Section", []any{"!=", "zzz"}, []string{"a1", "b1"}},
		{"nil elements skipped by nil match", withNils, "Meta", []any{nil}, []string{"a1"}},

		{"missing key does not match", pages, "Params.nope", []any{"x"}, []string{}},
		{"missing key is != anything", pages, "Params.nope", []any{"!=", "x"}, []string{"a1", "b1", "a2", "x1"}},
		{"missing key equals nil", pages, "Params.pinned", []any{nil}, []string{"b1", "a2", "x1"}},
		{"present key != nil", pages, "Params.pinned", []any{"!=", nil}, []string{"a1"}},
		{"hugo idiom: hidden != true", pages, "Params.pinned", []any{"!=", true}, []string{"b1", "a2", "x1"}},
		{"nil map on the way", pages, "NilParams.x", []any{"!=", nil}, []string{}},
		{"nil pointer field on the way", pages, "Meta.Author", []any{"ada"}, []string{"b1"}},
		{"nil interface result", pages, "AnyNil.x", []any{nil}, []string{"a1", "b1", "a2", "x1"}},
		{"unknown name", pages, "Nope", []any{"!=", 1}, []string{"a1", "b1", "a2", "x1"}},
		{"missing is not in anything", pages, "Params.nope", []any{"not in", []string{"x"}}, []string{}},
		{"ordering never matches missing", pages, "Params.nope", []any{"<", 10}, []string{}},
		{"unexported field is not visible", pages, "title", []any{"a1"}, []string{}},
		{"unexported type result", pages, "Unexported.v", []any{nil}, []string{"a1", "b1", "a2", "x1"}},

		{"case-insensitive params", pages, "Params.TAGS", []any{"intersect", []any{"rust", "go"}}, []string{"a1", "b1"}},
		{"case-insensitive params key spelled Tags", pages, "Params.tags", []any{"intersect", []string{"rust"}}, []string{"b1"}},
		{"method names are case-sensitive", pages, "section", []any{"a"}, []string{}},
		{"map keys case-insensitive in mixed list", mixed, "Section", []any{"a"}, []string{"a1", "m1", "a2"}},
		{"mixed list compares what it can", mixed, "Params.weight", []any{">", 1}, []string{"a1", "b1"}},

		{"numbers across types", pages, "Params.weight", []any{">", 1}, []string{"a1", "b1"}},
		{"int equals float", pages, "Params.weight", []any{2.0}, []string{"a1"}},
		{"string is not a number", pages, "Params.weight", []any{3}, []string{}},
		{"string number as string", pages, "Params.weight", []any{"3"}, []string{"a2"}},
		{"type mismatch is !=", pages, "Params.weight", []any{"!=", "2"}, []string{"a1", "b1", "a2", "x1"}},
		{"booleans have no order", pages, "Params.pinned", []any{">", false}, []string{}},

		{"in list", pages, "Section", []any{"in", []string{"b", ""}}, []string{"b1", "x1"}},
		{"in list of any", pages, "Weight", []any{"in", []any{1, 3.0, "2"}}, []string{"a1", "b1"}},
		{"in substring", pages, "Section", []any{"in", "a-b"}, []string{"a1", "b1", "a2", "x1"}},
		{"in scalar matches nothing", pages, "Section", []any{"in", 1}, []string{}},
		{"not in list", pages, "Section", []any{"not in", []string{"a"}}, []string{"b1", "x1"}},
		{"not in scalar matches nothing", pages, "Section", []any{"not in", 1}, []string{}},
		{"not in empty list", pages, "Section", []any{"not in", []string{}}, []string{"a1", "b1", "a2", "x1"}},
		{"intersect []string with []any", pages, "Tags", []any{"intersect", []any{"web", "x"}}, []string{"a1"}},
		{"intersect non-list value", pages, "Section", []any{"intersect", []string{"a"}}, []string{}},
		{"intersect non-list match", pages, "Tags", []any{"intersect", "go"}, []string{}},

		{"time equals time", pages, "Date", []any{day("2024-01-01")}, []string{"b1", "x1"}},
		{"time after time", pages, "Date", []any{">", day("2024-01-01")}, []string{"a1", "a2"}},
		{"time vs date string", pages, "Date", []any{">=", "2024-02-01"}, []string{"a1", "a2"}},
		{"time vs RFC 3339 string", pages, "Date", []any{"<", "2024-01-01T00:00:01Z"}, []string{"b1", "x1"}},
		{"*time.Time result", pages, "Pub", []any{"<=", day("2024-01-01")}, []string{"b1", "x1"}},
		{"time ordering vs non-date string", pages, "Date", []any{">", "soon"}, []string{}},

		{"like", pages, "Title", []any{"like", `^a\d$`}, []string{"a1", "a2"}},
		{"method with error result", pages, "Fine", []any{"fine"}, []string{"a1", "b1", "a2", "x1"}},
		{"path through pointer method", pages, "Ptr.Ptr.Section", []any{"b"}, []string{"b1"}},
		{"empty key compares elements", []int{3, 1, 2}, "", []any{">=", 2}, []string{"3", "2"}},
		{"nil collection", nil, "Section", []any{"a"}, []string{}},
		{"typed nil collection", []*item(nil), "Section", []any{"a"}, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f(tc.coll, tc.key, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if g := titles(t, got); !slices.Equal(g, tc.want) {
				t.Errorf("where %q %v = %q, want %q", tc.key, tc.args, g, tc.want)
			}
		})
	}
}

func TestWhereKeepsElementType(t *testing.T) {
	f := Generic()["where"].(func(any, any, ...any) (any, error))
	got, err := f(fixture(), "Section", "a")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.([]*item); !ok {
		t.Errorf("where on []*item returned %T", got)
	}
	got, err = f([2]item{}, "Section", "")
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := got.([]item); !ok || len(r) != 2 {
		t.Errorf("where on [2]item returned %#v", got)
	}
	m := map[string]*item{"x": fixture()[0], "y": fixture()[1], "z": nil}
	got, err = f(m, "Section", "b")
	if err != nil {
		t.Fatal(err)
	}
	if r, ok := got.(map[string]*item); !ok || len(r) != 1 || r["y"] == nil {
		t.Errorf("where on a map returned %#v", got)
	}
}

func TestWhereErrors(t *testing.T) {
	f := Generic()["where"].(func(any, any, ...any) (any, error))
	for _, tc := range []struct {
		name string
		coll any
		key  any
		args []any
		want string
	}{
		{"unknown operator", fixture(), "Section", []any{"~=", "a"}, `where: unknown operator "~="`},
		{"operator not a string", fixture(), "Section", []any{1, "a"}, "where: operator must be a string"},
		{"no match", fixture(), "Section", nil, "where: want COLLECTION KEY [OPERATOR] MATCH"},
		{"key not a string", fixture(), 1, []any{"a"}, "where: key must be a string"},
		{"not a collection", 42, "Section", []any{"a"}, "where: can't iterate over int"},
		{"method returns an error", fixture(), "Broken", []any{"x"}, "where: element 0: *tplfuncs.item.Broken: boom"},
		{"method panics", fixture(), "Panics", []any{"x"}, "where: kaboom"},
		{"method needs arguments", fixture(), "Needs", []any{"x"}, "where: element 0: *tplfuncs.item.Needs takes arguments"},
		{"bad like pattern", fixture(), "Title", []any{"like", "("}, "where: error parsing regexp"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f(tc.coll, tc.key, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestSort(t *testing.T) {
	pages := fixture()
	values := make([]item, len(pages))
	for i, p := range pages {
		values[i] = *p
	}
	withNils := []*item{pages[1], nil, pages[0]}
	for _, tc := range []struct {
		name string
		coll any
		args []any
		want []string
	}{
		{"time ascending, stable for equal dates", pages, []any{"Date"}, []string{"b1", "x1", "a2", "a1"}},
		{"time descending, stable for equal dates", pages, []any{"Date", "desc"}, []string{"a1", "a2", "b1", "x1"}},
		{"exported field", pages, []any{"Weight", "asc"}, []string{"x1", "b1", "a2", "a1"}},
		{"params: missing is zero, numeric string is a number", pages, []any{"Params.weight"}, []string{"x1", "b1", "a1", "a2"}},
		{"case-insensitive params key", pages, []any{"Params.WEIGHT", "DESC"}, []string{"a2", "a1", "b1", "x1"}},
		{"pointer receiver on values", values, []any{"Title", "desc"}, []string{"x1", "b1", "a2", "a1"}},
		{"value receiver, stable", values, []any{"Section"}, []string{"x1", "a1", "a2", "b1"}},
		{"nil elements sort as missing", withNils, []any{"Title"}, []string{"<nil>", "a1", "b1"}},
		{"mixed element types", []any{pages[2], map[string]any{"title": "M", "weight": 0}, values[0]}, []any{"Title"}, []string{"a1", "a2", "M"}},

		{"numbers across types", []any{3, 1.5, int64(2), uint8(0)}, nil, []string{"0", "1.5", "2", "3"}},
		{"numeric strings as numbers", []string{"10", "9", "x", "1e1", "-1"}, nil, []string{"-1", "9", "10", "1e1", "x"}},
		{"strings fold case, case breaks ties", []string{"b", "B", "a", "A", "ä"}, []any{"value"}, []string{"A", "a", "B", "b", "ä"}},
		{"booleans", []bool{true, false, true}, nil, []string{"false", "true", "true"}},
		{"mixed kinds by class", []any{"s", day("2024-01-01"), 1, true, nil}, nil, []string{"<nil>", "true", "1", "s", "2024-01-01 00:00:00 +0000 UTC"}},
		{"descending keeps equal order", []any{map[string]any{"k": 1, "title": "p"}, map[string]any{"k": 2, "title": "q"}, map[string]any{"k": 1, "title": "r"}}, []any{"k", "desc"}, []string{"q", "p", "r"}},
		{"slices by length", []any{[]int{1, 2}, []int{}, []int{3}}, nil, []string{"[]", "[3]", "[1 2]"}},
		{"array", [3]int{3, 1, 2}, nil, []string{"1", "2", "3"}},
		{"nil collection", nil, nil, []string{}},

		{"map by key", map[string]int{"b": 1, "a": 2, "c": 0}, nil, []string{"2", "1", "0"}},
		{"map by value", map[string]int{"b": 1, "a": 2, "c": 0}, []any{"value", "desc"}, []string{"2", "1", "0"}},
		{"map by field", map[string]*item{"x": pages[0], "y": pages[1], "z": pages[2]}, []any{"Date"}, []string{"b1", "a2", "a1"}},
		{"map with equal values is deterministic", map[string]int{"d": 1, "b": 1, "c": 1, "a": 0}, []any{"value"}, []string{"0", "1", "1", "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := sortFunc(tc.coll, tc.args...)
			if err != nil {
				t.Fatal(err)
			}
			if g := titles(t, got); !slices.Equal(g, tc.want) {
				t.Errorf("sort %v = %q, want %q", tc.args, g, tc.want)
			}
		})
	}
}

func TestSortKeepsElementType(t *testing.T) {
	got, err := sortFunc(fixture(), "Title", "desc")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.([]*item); !ok {
		t.Errorf("sort on []*item returned %T", got)
	}
	got, err = sortFunc(map[string]*item{"x": fixture()[0]})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.([]*item); !ok {
		t.Errorf("sort on map[string]*item returned %T", got)
	}
}

func TestSortErrors(t *testing.T) {
	for _, tc := range []struct {
		coll any
		args []any
		want string
	}{
		{[]int{1}, []any{"value", "up"}, `sort: order must be "asc" or "desc", got "up"`},
		{[]int{1}, []any{"value", "asc", 3}, "sort: want COLLECTION [KEY] [ORDER]"},
		{42, nil, "sort: can't sort int"},
		{fixture(), []any{"Broken"}, "sort: element 0: *tplfuncs.item.Broken: boom"},
		{fixture(), []any{"Panics"}, "sort: kaboom"},
		{[]int{1}, []any{[]int{1}}, "sort: key: can't convert"},
	} {
		_, err := sortFunc(tc.coll, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("sort %v: got %v, want an error containing %q", tc.args, err, tc.want)
		}
	}
}

func TestSetFunctions(t *testing.T) {
	p := fixture()
	for _, tc := range []struct {
		name string
		got  func() (any, error)
		want []string
	}{
		{"uniq keeps type and first", func() (any, error) { return uniq([]*item{p[0], p[1], p[0]}) }, []string{"a1", "b1"}},
		{"uniq of slices", func() (any, error) { return uniq([]any{[]int{1}, []int{1}, []int{2}}) }, []string{"[1]", "[2]"}},
		{"union pages", func() (any, error) { return union([]*item{p[0], p[1]}, []*item{p[1], p[2]}) }, []string{"a1", "b1", "a2"}},
		{"union mismatched types", func() (any, error) { return union([]int{1, 2}, []string{"2", "x"}) }, []string{"1", "2", "2", "x"}},
		{"union int and float", func() (any, error) { return union([]any{1, 2}, []float64{2, 3.5}) }, []string{"1", "2", "3.5"}},
		{"union with nil", func() (any, error) { return union(nil, []int{1}) }, []string{"1"}},
		{"intersect pages", func() (any, error) { return intersect([]*item{p[0], p[1], p[2]}, []any{p[2], p[0], "x"}) }, []string{"a1", "a2"}},
		{"intersect with nil", func() (any, error) { return intersect([]int{1}, nil) }, []string{}},
		{"first of array", func() (any, error) { return first(2, [3]string{"a", "b", "c"}) }, []string{"a", "b"}},
		{"last beyond length", func() (any, error) { return last(9, []int{1, 2}) }, []string{"1", "2"}},
		{"after beyond length", func() (any, error) { return after(9, []int{1, 2}) }, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.got()
			if err != nil {
				t.Fatal(err)
			}
			if g := titles(t, got); !slices.Equal(g, tc.want) {
				t.Errorf("got %q, want %q", g, tc.want)
			}
		})
	}
	if r, _ := union([]*item{p[0]}, []*item{p[1]}); reflect.TypeOf(r) != reflect.TypeOf([]*item{}) {
		t.Errorf("union of []*item is %T", r)
	}
	if s, _ := first(2, "héllo"); s != "hé" {
		t.Errorf("first 2 of a string = %q", s)
	}
	if ok, _ := isset(map[string]any{"Key": nil}, "key"); !ok {
		t.Error("isset is not case-insensitive or misses nil values")
	}
}

// bigList is 10,000 pages in four sections, with the varied Params a real
// site has: half have tags, a third are pinned.
func bigList() []*item {
	sections := []string{"blog", "tips", "news", "docs"}
	out := make([]*item, 10_000)
	for i := range out {
		p := map[string]any{"weight": i % 17}
		if i%2 == 0 {
			p["tags"] = []any{"go", fmt.Sprint("t", i%50)}
		}
		if i%3 == 0 {
			p["pinned"] = true
		}
		out[i] = &item{
			title:   fmt.Sprint("page ", i),
			section: sections[i%len(sections)],
			date:    day("2020-01-01").Add(time.Duration(i*7919%10_000) * time.Hour),
			params:  p,
		}
	}
	return out
}

func BenchmarkWhere(b *testing.B) {
	pages := bigList()
	f := Generic()["where"].(func(any, any, ...any) (any, error))
	for _, bc := range []struct {
		name string
		key  string
		args []any
	}{
		{"Section", "Section", []any{"blog"}},
		{"ParamsNotEqual", "Params.pinned", []any{"!=", true}},
		{"ParamsIntersect", "Params.tags", []any{"intersect", []string{"t7", "t9"}}},
		{"DateAfter", "Date", []any{">", "2020-06-01"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := f(pages, bc.key, bc.args...); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSort(b *testing.B) {
	pages := bigList()
	for _, key := range []string{"Date", "Title", "Params.weight"} {
		b.Run(key, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := sortFunc(pages, key, "desc"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
