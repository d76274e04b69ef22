package tplfuncs

import (
	"errors"
	"fmt"
	"html/template"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// exampleFuncs are the functions the examples run with.
func exampleFuncs(t testing.TB) template.FuncMap {
	t.Helper()
	return New(ExampleDeps(func(string) {}))
}

func TestExamples(t *testing.T) {
	t.Setenv("HUGO_AGORA_EXAMPLE", "production")
	funcs := exampleFuncs(t)
	for i, ex := range Examples() {
		t.Run(fmt.Sprintf("%s#%d", ex.Name, i), func(t *testing.T) {
			tpl, err := template.New(ex.Name).Funcs(funcs).Parse(ex.Template)
			if err != nil {
				t.Fatalf("parse %s: %v", ex.Template, err)
			}
			if err := Rewrite(tpl.Tree); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			err = tpl.Execute(&b, ex.Data)
			if want, isErr := strings.CutPrefix(ex.Want, "error: "); isErr {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s\n got error %v\nwant one containing %q", ex.Template, err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("execute %s: %v", ex.Template, err)
			}
			if got := b.String(); got != ex.Want {
				t.Errorf("%s\n got: %q\nwant: %q", ex.Template, got, ex.Want)
			}
		})
	}
}

// function is one registered function: its names and its value.
type function struct {
	names []string // short names and ns.Method
	fn    reflect.Value
}

// allFunctions lists every function of m: the short names, and the methods
// of every namespace object, keyed by ns.Method.
func allFunctions(m template.FuncMap) map[string]*function {
	out := map[string]*function{}
	for name, f := range m {
		if name == tryCallName {
			continue
		}
		if getNS, ok := f.(func() any); ok {
			nv := reflect.ValueOf(getNS())
			for i := range nv.NumMethod() {
				meth := nv.Type().Method(i)
				key := name + "." + meth.Name
				out[key] = &function{names: []string{key}, fn: nv.Method(i)}
			}
			continue
		}
		if _, ok := f.(func() (any, error)); ok {
			continue // hugo, site, page: objects of the build
		}
		out[name] = &function{names: []string{name}, fn: reflect.ValueOf(f)}
	}
	// A short name and its method are one function.
	for _, ns := range (&env{}).namespaces() {
		for alias, method := range ns.aliases {
			key := ns.name + "." + method
			if f, ok := out[key]; ok {
				f.names = append(f.names, alias)
				out[alias].names = append(out[alias].names, key)
			}
		}
	}
	return out
}

// notImplementedFunc reports whether f is one Agora registers without
// implementing: called with zero values, it says so.
func notImplementedFunc(f reflect.Value) bool {
	ft := f.Type()
	if ft.NumOut() == 0 || ft.Out(ft.NumOut()-1) != reflect.TypeFor[error]() {
		return false
	}
	in := make([]reflect.Value, 0, ft.NumIn())
	for i := range ft.NumIn() {
		if ft.IsVariadic() && i == ft.NumIn()-1 {
			break
		}
		in = append(in, reflect.Zero(ft.In(i)))
	}
	var out []reflect.Value
	func() {
		defer func() { _ = recover() }()
		out = f.Call(in)
	}()
	if out == nil {
		return false
	}
	err, _ := out[len(out)-1].Interface().(error)
	return errors.Is(err, ErrNotImplemented)
}

func TestEveryFunctionHasAnExample(t *testing.T) {
	shown := map[string]bool{}
	for _, ex := range Examples() {
		shown[ex.Name] = true
		if !strings.Contains(ex.Template, ex.Name) {
			t.Errorf("example for %s does not use it: %s", ex.Name, ex.Template)
		}
	}
	m := exampleFuncs(t)
	all := allFunctions(m)
	for name, f := range all {
		covered := false
		for _, n := range f.names {
			covered = covered || shown[n] || usedIn(n, Examples())
		}
		if !covered && !notImplementedFunc(f.fn) && !undocumented[name] {
			t.Errorf("no example for %s", strings.Join(f.names, " / "))
		}
	}
	for name := range shown {
		if _, ok := all[name]; !ok {
			if _, ok := m[name]; !ok {
				t.Errorf("example for unknown function %s", name)
			}
		}
	}
}

// usedIn reports whether an example's template calls name.
func usedIn(name string, exs []Example) bool {
	re := regexp.MustCompile(`(^|[^\w.$])` + regexp.QuoteMeta(name) + `(\W|$)`)
	for _, ex := range exs {
		if re.MatchString(ex.Template) {
			return true
		}
	}
	return false
}

// undocumented are functions whose example is elsewhere: filters shown by
// one of them, and functions whose output is random or internal.
var undocumented = map[string]bool{
	"images.Brightness": true, "images.Grayscale": true, "sanitizeurl": true, "images.ColorBalance": true, "images.Colorize": true,
	"images.Contrast": true, "images.Gamma": true, "images.GaussianBlur": true, "images.Hue": true,
	"images.Invert": true, "images.Pixelate": true, "images.Saturation": true, "images.Sepia": true,
	"images.Sigmoid": true, "images.UnsharpMask": true, "images.Process": true, "images.Filter": true,
	"math.Rand": true, "math.Acos": true, "math.Asin": true, "math.Atan": true, "math.Atan2": true,
	"math.Cos": true, "math.Sin": true, "math.Tan": true, "math.Log": true, "math.ToDegrees": true,
	"math.ToRadians": true, "math.Min": true, "math.Sum": true, "math.Product": true, "math.MaxInt64": true,
	"math.Floor": true, "math.Ceil": true, "math.Sqrt": true, "math.Abs": true,
	"transform.Reset": true, "transform.CanHighlight": true, "resources.ByType": true,
	"resources.Copy": true, "resources.ExecuteAsTemplate": true, "resources.PostProcess": true,
	"resources.Publish": true, "resources.GetMatch": true, "css.Quoted": true, "css.Unquoted": true,
	"debug.Timer": true, "safe.SanitizeURL": true, "urls.PathUnescape": true, "urls.PathEscape": true,
	"reflect.IsSite": true, "reflect.IsImageResourceProcessable": true, "reflect.IsImageResourceWithMeta": true,
	"reflect.IsPage": true, "reflect.IsImageResource": true, "strings.ContainsAny": true,
	"strings.ContainsNonSpace": true, "strings.RuneCount": true, "strings.TrimSuffix": true,
	"strings.TrimLeft": true, "strings.TrimRight": true, "strings.TrimSpace": true,
	"time.ParseDuration": true, "encoding.HexDecode": true, "lang.FormatPercent": true, "lang.NumFmt": true,
	"collections.IsSet": true, "inflect.Singularize": true, "crypto.Hash": true,
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
	m := exampleFuncs(t)
	known := map[string]bool{}
	for name := range allFunctions(m) {
		known[name] = true
	}
	for name, f := range allFunctions(m) {
		fv := f.fn
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
				ok := true
				for i := 0; i < fixed+extra; i++ {
					v, fits := argValue(ft, i, b)
					ok = ok && fits
					args = append(args, v)
				}
				if !ok {
					continue // text/template would refuse this call itself
				}
				func() {
					defer func() {
						if r := recover(); r != nil {
							t.Errorf("%s(%d args of %T) panicked: %v", name, len(args), b, r)
						}
					}()
					out := fv.Call(args)
					if len(out) == 0 || ft.Out(len(out)-1) != reflect.TypeFor[error]() {
						return
					}
					if errV := out[len(out)-1]; !errV.IsNil() {
						msg := errV.Interface().(error).Error()
						fn, _, _ := strings.Cut(msg, ": ")
						if !known[fn] && m[fn] == nil {
							t.Errorf("%s error does not name a function: %q", name, msg)
						}
					}
				}()
			}
		}
	}
}

// argValue builds argument i of a call to a function of type ft holding
// x; fits is false when x can't be passed there.
func argValue(ft reflect.Type, i int, x any) (v reflect.Value, fits bool) {
	var pt reflect.Type
	if ft.IsVariadic() && i >= ft.NumIn()-1 {
		pt = ft.In(ft.NumIn() - 1).Elem()
	} else {
		pt = ft.In(i)
	}
	if x == nil {
		return reflect.Zero(pt), true
	}
	xv := reflect.ValueOf(x)
	if !xv.Type().AssignableTo(pt) {
		return reflect.Zero(pt), false
	}
	return xv, true
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
		{`{{ jsonify (dict "colour" true) 1 }}`, `jsonify: unknown option "colour"`},
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
