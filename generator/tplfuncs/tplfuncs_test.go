package tplfuncs

import (
	"fmt"
	"html/template"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestExamples(t *testing.T) {
	funcs := Generic()
	for i, ex := range Examples() {
		t.Run(fmt.Sprintf("%s#%d", ex.Name, i), func(t *testing.T) {
			tpl, err := template.New(ex.Name).Funcs(funcs).Parse(ex.Template)
			if err != nil {
				t.Fatalf("parse %s: %v", ex.Template, err)
			}
			var b strings.Builder
			if err := tpl.Execute(&b, ex.Data); err != nil {
				t.Fatalf("execute %s: %v", ex.Template, err)
			}
			if got := b.String(); got != ex.Want {
				t.Errorf("%s\n got: %q\nwant: %q", ex.Template, got, ex.Want)
			}
		})
	}
}

func TestEveryFunctionHasAnExample(t *testing.T) {
	shown := map[string]bool{}
	for _, ex := range Examples() {
		shown[ex.Name] = true
		if !strings.Contains(ex.Template, ex.Name) {
			t.Errorf("example for %s does not use it: %s", ex.Name, ex.Template)
		}
	}
	for name := range Generic() {
		if !shown[name] {
			t.Errorf("no example for %s", name)
		}
	}
	for name := range shown {
		if _, ok := Generic()[name]; !ok {
			t.Errorf("example for unknown function %s", name)
		}
	}
}

// TestBadArgumentsNeverPanic calls every function directly (no
// text/template recovery in between) with values no theme should pass, and
// requires an error naming the function or a quiet result, never a panic.
func TestBadArgumentsNeverPanic(t *testing.T) {
	bad := []any{
		nil,
		make(chan int),
		func() {},
		map[int]string{1: "x"},
		[]any{nil, func() {}, map[string]any{}},
		struct{ x int }{1},
		(*item)(nil),
		-1,
		"",
		"(",
		0,
	}
	for name, fn := range Generic() {
		fv := reflect.ValueOf(fn)
		ft := fv.Type()
		fixed := ft.NumIn()
		if ft.IsVariadic() {
			fixed--
		}
		for _, extra := range []int{0, 1, 3} {
			if extra > 0 && !ft.IsVariadic() {
				continue
			}
			for _, b := range bad {
				args := make([]reflect.Value, 0, fixed+extra)
				for i := 0; i < fixed+extra; i++ {
					args = append(args, argValue(ft, i, b))
				}
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Errorf("%s(%d args of %T) panicked: %v", name, len(args), b, r)
						}
					}()
					out := fv.Call(args)
					if errV := out[len(out)-1]; !errV.IsNil() {
						msg := errV.Interface().(error).Error()
						if !strings.HasPrefix(msg, name+": ") {
							t.Errorf("%s error does not name the function: %q", name, msg)
						}
					}
				}()
			}
		}
	}
}

// argValue builds argument i of a call to a function of type ft holding x.
func argValue(ft reflect.Type, i int, x any) reflect.Value {
	var pt reflect.Type
	if ft.IsVariadic() && i >= ft.NumIn()-1 {
		pt = ft.In(ft.NumIn() - 1).Elem()
	} else {
		pt = ft.In(i)
	}
	if x == nil {
		return reflect.Zero(pt)
	}
	return reflect.ValueOf(x)
}

func TestErrorsNameTheFunction(t *testing.T) {
	for _, tc := range []struct{ tpl, want string }{
		{`{{ div 1 0 }}`, "div: division by zero"},
		{`{{ div 1.5 0 }}`, "div: division by zero"},
		{`{{ mod 1 0 }}`, "mod: division by zero"},
		{`{{ add 1 "2" }}`, "add: string is not a number"},
		{`{{ where (slice 1) "" "~" 1 }}`, `where: unknown operator "~"`},
		{`{{ where 42 "x" 1 }}`, "where: can't iterate over int"},
		{`{{ sort (slice 1) "value" "up" }}`, `sort: order must be "asc" or "desc"`},
		{`{{ seq 1 0 5 }}`, "seq: increment must not be 0"},
		{`{{ seq 1000000000 }}`, "seq: 1000000000 numbers is over the limit"},
		{`{{ dict "a" }}`, "dict: want KEY VALUE pairs"},
		{`{{ dict 1 2 }}`, "dict: key 1: must be a string"},
		{`{{ first -1 (slice 1) }}`, "first: count must not be negative"},
		{`{{ int "abc" }}`, `int: "abc" is not an integer`},
		{`{{ dateFormat "2006" "yesterday" }}`, `dateFormat: "yesterday" is not a date`},
		{`{{ dateFormat ":date_weird" "2024-01-01" }}`, "dateFormat: unknown layout preset"},
		{`{{ replaceRE "(" "" "x" }}`, "replaceRE: error parsing regexp"},
		{`{{ lower (slice 1) }}`, "lower: can't convert []interface {} to a string"},
		{`{{ jsonify (dict "noHTMLEscape" true) 1 }}`, "jsonify: noHTMLEscape is not supported"},
	} {
		tpl := template.Must(template.New("t").Funcs(Generic()).Parse(tc.tpl))
		err := tpl.Execute(new(strings.Builder), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got error %v, want it to contain %q", tc.tpl, err, tc.want)
		}
	}
}

func TestDefault(t *testing.T) {
	var nilPtr *item
	zero := time.Time{}
	for _, tc := range []struct {
		given any
		set   bool
	}{
		{nil, false}, {"", false}, {0, false}, {0.0, false}, {int64(0), false},
		{[]string{}, false}, {map[string]any{}, false}, {zero, false}, {nilPtr, false},
		{false, true}, {true, true}, {"x", true}, {-1, true}, {[]int{0}, true},
		{time.Unix(0, 0), true}, {struct{}{}, true},
	} {
		got, err := defaultFunc("DEF", tc.given)
		if err != nil {
			t.Fatal(err)
		}
		if (got != "DEF") != tc.set {
			t.Errorf("default DEF %#v = %#v, want set=%v", tc.given, got, tc.set)
		}
	}
}

func TestTruncateHTML(t *testing.T) {
	for _, tc := range []struct {
		n          int
		in, want   string
		plainInput bool
	}{
		{n: 3, in: "<b>ab</b> <i>cd</i>", want: "<b>ab …</b>"},
		{n: 4, in: "<p>one <a href=\"/x\">two three</a></p>", want: "<p>one …</p>"},
		{n: 7, in: "<p>one <a href=\"/x\">two three</a></p>", want: "<p>one <a href=\"/x\">two …</a></p>"},
		{n: 5, in: "<p>a<br>b &amp; c d e</p>", want: "<p>a<br>b &amp; …</p>"},
		{n: 2, in: "日本語です", want: "日本 …"},
		{n: 100, in: "<p>short</p>", want: "<p>short</p>"},
		{n: 3, in: "<p>x</p><!-- c --><p>abc</p>", want: "<p>x …</p>"},
		{n: 5, in: "a <b> c d e", want: "a &lt;b&gt; …", plainInput: true},
	} {
		var arg any = template.HTML(tc.in)
		if tc.plainInput {
			arg = tc.in
		}
		got, err := truncate(tc.n, arg)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != tc.want {
			t.Errorf("truncate %d %q = %q, want %q", tc.n, tc.in, got, tc.want)
		}
	}
}

func TestSeqShapes(t *testing.T) {
	for _, tc := range []struct {
		args []any
		want []int
	}{
		{[]any{0}, []int{}},
		{[]any{1}, []int{1}},
		{[]any{3, 1}, []int{3, 2, 1}},
		{[]any{1, 3, 8}, []int{1, 4, 7}},
		{[]any{"2", "4"}, []int{2, 3, 4}},
	} {
		got, err := seq(tc.args...)
		if err != nil || !slices.Equal(got, tc.want) {
			t.Errorf("seq %v = %v, %v; want %v", tc.args, got, err, tc.want)
		}
	}
}
