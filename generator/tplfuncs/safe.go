package tplfuncs

import (
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"reflect"
)

// safeNS is Hugo's safe namespace. Its functions mark trusted content for
// html/template: they are the theme author's promise that the value is
// safe where it is used; nothing is checked.
type safeNS struct{ e *env }

func (*safeNS) HTML(v any) (template.HTML, error) {
	s, err := str("safeHTML", v)
	return template.HTML(s), err
}

func (*safeNS) HTMLAttr(v any) (template.HTMLAttr, error) {
	s, err := str("safeHTMLAttr", v)
	return template.HTMLAttr(s), err
}

func (*safeNS) CSS(v any) (template.CSS, error) {
	s, err := str("safeCSS", v)
	return template.CSS(s), err
}

func (*safeNS) JS(v any) (template.JS, error) {
	s, err := str("safeJS", v)
	return template.JS(s), err
}

func (*safeNS) JSStr(v any) (template.JSStr, error) {
	s, err := str("safeJSStr", v)
	return template.JSStr(s), err
}

func (*safeNS) URL(v any) (template.URL, error) {
	s, err := str("safeURL", v)
	return template.URL(s), err
}

// SanitizeURL is Hugo 0.111's sanitizeURL (removed since): the URL with
// its path cleaned and lower-cased scheme and host.
func (*safeNS) SanitizeURL(v any) (string, error) {
	s, err := str("sanitizeURL", v)
	if err != nil {
		return "", err
	}
	u, err := url.Parse(s)
	if err != nil {
		return "", fail("sanitizeURL", "%w", err)
	}
	return u.String(), nil
}

// TryValue is what try returns: the call's value, or its error.
type TryValue struct {
	Value any
	Err   error
}

// tryCallName is the function the template rewrite (see rewrite.go) puts
// in place of the call that try wraps. Its name can't be typed in a
// template by accident: templates would need it spelled exactly.
const tryCallName = "_agora_try_call"

// try is Hugo's try (0.141+): {{ with try (resources.Get "x") }}{{ with
// .Err }}…{{ else with .Value }}…{{ end }}{{ end }}. The rewrite made the
// wrapped call a tryCall, which already holds the outcome; anything else
// (a call the rewrite could not reach) is a plain value.
func (e *env) try(v any) TryValue {
	if tv, ok := v.(TryValue); ok {
		return tv
	}
	return TryValue{Value: v}
}

// tryCall calls the function name (recv nil) or the method name of recv
// with args, and returns its value or error as a TryValue rather than
// failing the template. A panic is an error too.
func (e *env) tryCall(recv any, name string, args ...any) (tv TryValue) {
	defer func() {
		if r := recover(); r != nil {
			if err, ok := r.(error); ok {
				tv = TryValue{Err: err}
				return
			}
			tv = TryValue{Err: fmt.Errorf("%v", r)}
		}
	}()
	var fn reflect.Value
	if recv == nil {
		f, ok := e.funcs[name]
		if !ok {
			return TryValue{Err: fmt.Errorf("%q is not a defined function", name)}
		}
		fn = reflect.ValueOf(f)
	} else {
		rv := reflect.ValueOf(recv)
		fn = rv.MethodByName(name)
		if !fn.IsValid() {
			// A field or map key: try (.Params.x) is a value, not a call.
			if len(args) > 0 {
				return TryValue{Err: fmt.Errorf("can't call %s on %T", name, recv)}
			}
			d := deref(rv)
			switch {
			case d.IsValid() && d.Kind() == reflect.Map && d.Type().Key().Kind() == reflect.String:
				return TryValue{Value: valueOrNil(d.MapIndex(reflect.ValueOf(name).Convert(d.Type().Key())))}
			case d.IsValid() && d.Kind() == reflect.Struct:
				if f := d.FieldByName(name); f.IsValid() && f.CanInterface() {
					return TryValue{Value: f.Interface()}
				}
			}
			return TryValue{Err: fmt.Errorf("can't evaluate field %s in type %T", name, recv)}
		}
	}
	in, err := callArgs(fn.Type(), name, args)
	if err != nil {
		return TryValue{Err: err}
	}
	out := fn.Call(in)
	if len(out) == 2 && !out[1].IsNil() {
		return TryValue{Err: out[1].Interface().(error)}
	}
	if len(out) == 0 {
		return TryValue{}
	}
	return TryValue{Value: valueOrNil(out[0])}
}

func valueOrNil(v reflect.Value) any {
	if !v.IsValid() || !v.CanInterface() {
		return nil
	}
	return v.Interface()
}

// callArgs converts template values to fn's parameter types as
// text/template would: nil to the zero value, numbers across kinds.
func callArgs(ft reflect.Type, name string, args []any) ([]reflect.Value, error) {
	fixed := ft.NumIn()
	if ft.IsVariadic() {
		fixed--
		if len(args) < fixed {
			return nil, fmt.Errorf("wrong number of args for %s: want at least %d got %d", name, fixed, len(args))
		}
	} else if len(args) != fixed {
		return nil, fmt.Errorf("wrong number of args for %s: want %d got %d", name, fixed, len(args))
	}
	in := make([]reflect.Value, len(args))
	for i, a := range args {
		var pt reflect.Type
		if i >= fixed {
			pt = ft.In(ft.NumIn() - 1).Elem()
		} else {
			pt = ft.In(i)
		}
		v := reflect.ValueOf(a)
		switch {
		case !v.IsValid():
			in[i] = reflect.Zero(pt)
		case v.Type().AssignableTo(pt):
			in[i] = v
		case isNumberKind(v.Kind()) && isNumberKind(pt.Kind()):
			in[i] = v.Convert(pt)
		default:
			return nil, errors.New("wrong type for value; expected " + pt.String() + "; got " + v.Type().String())
		}
	}
	return in, nil
}

// safeExamples document the safe namespace; TestExamples runs them.
func safeExamples() []Example {
	return []Example{
		{"safeHTML", `{{ "<b>bold</b>" }} {{ "<b>bold</b>" | safeHTML }}`, nil, "&lt;b&gt;bold&lt;/b&gt; <b>bold</b>"},
		{"safeHTMLAttr", `<a {{ safeHTMLAttr "title=\"hi\"" }}>x</a>`, nil, `<a title="hi">x</a>`},
		{"safeCSS", `<p style="{{ safeCSS "color: red" }}">x</p>`, nil, `<p style="color: red">x</p>`},
		{"safeJS", `<script>var x = {{ safeJS "1 + 2" }};</script>`, nil, `<script>var x = 1 + 2;</script>`},
		{"safeURL", `<a href="{{ "tel:+1-555" }}">x</a><a href="{{ safeURL "tel:+1-555" }}">x</a>`, nil, `<a href="#ZgotmplZ">x</a><a href="tel:&#43;1-555">x</a>`},
		{"safeJSStr", `<script>var s = "{{ safeJSStr "a\"b" }}";</script>`, nil, `<script>var s = "a\u0022b";</script>`},
		{"sanitizeURL", `{{ sanitizeURL "HTTP://Example.ORG/a b" }}`, nil, "http://Example.ORG/a%20b"},
		{"try", `{{ with try (resources.Get "css/main.css") }}{{ with .Err }}err{{ else }}{{ .Value.Name }}{{ end }}{{ end }}`, nil, "css/main.css"},
		{"try", `{{ $r := try (div 1 0) }}{{ $r.Err }}|{{ $r.Value }}`, nil, "div: division by zero|"},
		{"try", `{{ $r := try (strings.Repeat 2 "ab") }}{{ $r.Value }}{{ with $r.Err }}!{{ end }}`, nil, "abab"},
	}
}
