package tplfuncs

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

var (
	timeType         = reflect.TypeFor[time.Time]()
	errorType        = reflect.TypeFor[error]()
	stringAnyMapType = reflect.TypeFor[map[string]any]()
)

// unwrap removes interface wrappers so the dynamic type is what gets
// inspected. Pointers are kept: methods with pointer receivers need them,
// and pages compare by identity.
func unwrap(v reflect.Value) reflect.Value {
	for v.IsValid() && v.Kind() == reflect.Interface {
		if v.IsNil() {
			return reflect.Value{}
		}
		v = v.Elem()
	}
	return v
}

// deref follows interfaces and pointers to the value underneath; a nil on
// the way gives the invalid Value, which every caller treats as "missing".
func deref(v reflect.Value) reflect.Value {
	for v.IsValid() {
		switch v.Kind() {
		case reflect.Interface, reflect.Pointer:
			if v.IsNil() {
				return reflect.Value{}
			}
			v = v.Elem()
		default:
			return v
		}
	}
	return v
}

// keyPath resolves a Hugo key such as "Params.tags" against one element
// after another. Looking a name up by reflection (MethodByName walks the
// method set, FieldByName the struct tree) costs far more than using it, so
// each segment remembers what the name means for every dynamic type it has
// met. A keyPath lives for one where or sort call; it is not safe for
// concurrent use.
type keyPath struct {
	segs []segment
}

type segment struct {
	name  string
	lower string // params keys are stored lower-case; try that before a fold scan

	lastType reflect.Type // the one-entry fast path: lists are nearly always of one type
	last     accessor
	more     map[reflect.Type]accessor
}

type accessKind uint8

const (
	accNone      accessKind = iota // the name means nothing for this type: a missing value
	accMethod                      // method in the value's own method set
	accPtrMethod                   // pointer-receiver method reached from a non-pointer value
	accField                       // exported struct field, possibly promoted
	accMap                         // map with string-kind keys
	accBad                         // a method that can't be called without arguments
)

type accessor struct {
	kind   accessKind
	index  int                     // method index
	field  []int                   // field index path
	twoOut bool                    // method returns (value, error)
	direct func(any) reflect.Value // interface call replacing reflect's Call, when known
	fast   bool                    // map[string]any: index it without reflection
	key    reflect.Value
	lower  reflect.Value
	err    error
}

// newKeyPath splits key on dots. Hugo accepts a leading dot (".Params.x"),
// so does this. An empty key resolves to the element itself.
func newKeyPath(key string) *keyPath {
	key = strings.Trim(key, ".")
	if key == "" {
		return &keyPath{}
	}
	parts := strings.Split(key, ".")
	p := &keyPath{segs: make([]segment, len(parts))}
	for i, name := range parts {
		p.segs[i] = segment{name: name, lower: strings.ToLower(name)}
	}
	return p
}

// eval returns the value at the path below v, or the invalid Value when
// any step is missing or nil. Only a method that fails (returns an error or
// needs arguments) gives an error: that is a theme bug worth reporting,
// whereas a missing key is ordinary front-matter variation.
func (p *keyPath) eval(v reflect.Value) (reflect.Value, error) {
	for i := range p.segs {
		s := &p.segs[i]
		v = unwrap(v)
		for v.IsValid() && v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, nil
			}
			if v.Elem().Kind() != reflect.Pointer && v.Elem().Kind() != reflect.Interface {
				break
			}
			v = unwrap(v.Elem())
		}
		if !v.IsValid() {
			return v, nil
		}
		a := s.lookup(v.Type())
		var err error
		if v, err = a.apply(v, s); err != nil {
			return reflect.Value{}, err
		}
	}
	return v, nil
}

func (s *segment) lookup(t reflect.Type) *accessor {
	if t == s.lastType {
		return &s.last
	}
	a, ok := s.more[t]
	if !ok {
		a = newAccessor(t, s.name, s.lower)
		if s.more == nil {
			s.more = make(map[reflect.Type]accessor)
		}
		s.more[t] = a
	}
	s.lastType, s.last = t, a
	return &s.last
}

// newAccessor decides once per type what name means, in Hugo's order:
// method first, then struct field, then map key.
func newAccessor(t reflect.Type, name, lower string) accessor {
	if name == "" {
		return accessor{kind: accNone}
	}
	if m, ok := t.MethodByName(name); ok {
		return methodAccessor(t, m, accMethod)
	}
	base := t
	if t.Kind() == reflect.Pointer {
		base = t.Elem()
	} else if m, ok := reflect.PointerTo(t).MethodByName(name); ok {
		return methodAccessor(t, m, accPtrMethod)
	}
	switch base.Kind() {
	case reflect.Struct:
		if f, ok := base.FieldByName(name); ok && f.IsExported() {
			return accessor{kind: accField, field: f.Index}
		}
	case reflect.Map:
		if kt := base.Key(); kt.Kind() == reflect.String {
			return accessor{
				kind:  accMap,
				fast:  base == stringAnyMapType,
				key:   reflect.ValueOf(name).Convert(kt),
				lower: reflect.ValueOf(lower).Convert(kt),
			}
		}
	}
	return accessor{kind: accNone}
}

func methodAccessor(t reflect.Type, m reflect.Method, kind accessKind) accessor {
	mt := m.Type // the receiver is In(0)
	switch {
	case mt.NumIn() != 1:
		return accessor{kind: accBad, err: fmt.Errorf("%s.%s takes arguments", t, m.Name)}
	case mt.NumOut() == 1 && mt.Out(0) != errorType:
		recv := t
		if kind == accPtrMethod {
			recv = reflect.PointerTo(t)
		}
		return accessor{kind: kind, index: m.Index, direct: directGetter(m.Name, recv)}
	case mt.NumOut() == 2 && mt.Out(1) == errorType:
		return accessor{kind: kind, index: m.Index, twoOut: true}
	}
	return accessor{kind: accBad, err: fmt.Errorf("%s.%s does not return a value (or a value and an error)", t, m.Name)}
}

func (a *accessor) apply(v reflect.Value, s *segment) (reflect.Value, error) {
	switch a.kind {
	case accMethod:
		if a.direct != nil && v.CanInterface() {
			return a.direct(v.Interface()), nil
		}
		return callMethod(v.Method(a.index), a, v.Type(), s.name)
	case accPtrMethod:
		if v.CanAddr() {
			v = v.Addr()
		} else {
			// A copy is enough: a getter on a value we were handed by value
			// can't be meant to mutate the caller's element.
			p := reflect.New(v.Type())
			p.Elem().Set(v)
			v = p
		}
		if a.direct != nil && v.CanInterface() {
			return a.direct(v.Interface()), nil
		}
		return callMethod(v.Method(a.index), a, v.Type(), s.name)
	case accField:
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		f, err := v.FieldByIndexErr(a.field)
		if err != nil { // nil embedded pointer on the way
			return reflect.Value{}, nil
		}
		return f, nil
	case accMap:
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		return a.mapGet(v, s), nil
	case accBad:
		return reflect.Value{}, a.err
	}
	return reflect.Value{}, nil
}

func callMethod(m reflect.Value, a *accessor, t reflect.Type, name string) (reflect.Value, error) {
	out := m.Call(nil)
	if a.twoOut && !out[1].IsNil() {
		return reflect.Value{}, fmt.Errorf("%s.%s: %w", t, name, out[1].Interface().(error))
	}
	return out[0], nil
}

// mapGet looks a key up case-insensitively, as Hugo's lower-cased Params
// behave: exact spelling first, then lower case (how front matter keys are
// usually stored), then a fold scan that prefers the smallest matching key
// so the answer never depends on map iteration order.
func (a *accessor) mapGet(m reflect.Value, s *segment) reflect.Value {
	if m.IsNil() {
		return reflect.Value{}
	}
	if a.fast && m.CanInterface() {
		mm := m.Interface().(map[string]any)
		if x, ok := mm[s.name]; ok {
			return reflect.ValueOf(x)
		}
		if s.lower != s.name {
			if x, ok := mm[s.lower]; ok {
				return reflect.ValueOf(x)
			}
		}
		best, found := "", false
		for k := range mm {
			if strings.EqualFold(k, s.name) && (!found || k < best) {
				best, found = k, true
			}
		}
		if !found {
			return reflect.Value{}
		}
		return reflect.ValueOf(mm[best])
	}
	if r := m.MapIndex(a.key); r.IsValid() {
		return r
	}
	if s.lower != s.name {
		if r := m.MapIndex(a.lower); r.IsValid() {
			return r
		}
	}
	var best reflect.Value
	iter := m.MapRange()
	for iter.Next() {
		k := iter.Key()
		if strings.EqualFold(k.String(), s.name) && (!best.IsValid() || k.String() < best.String()) {
			best = k
		}
	}
	if !best.IsValid() {
		return reflect.Value{}
	}
	return m.MapIndex(best)
}

// directGetter returns a plain interface call for the page getters themes
// use as where and sort keys, or nil. reflect.Value.Call costs several
// hundred nanoseconds per call (frame layout lookup, allocated results)
// and dominated a where over 10,000 pages; an interface assertion and a
// direct call cost a few. Any other method still works, through Call.
func directGetter(name string, t reflect.Type) func(any) reflect.Value {
	switch name {
	case "Title":
		return direct(t, func(p interface{ Title() string }) string { return p.Title() })
	case "LinkTitle":
		return direct(t, func(p interface{ LinkTitle() string }) string { return p.LinkTitle() })
	case "Section":
		return direct(t, func(p interface{ Section() string }) string { return p.Section() })
	case "Type":
		return direct(t, func(p interface{ Type() string }) string { return p.Type() })
	case "Kind":
		return direct(t, func(p interface{ Kind() string }) string { return p.Kind() })
	case "Layout":
		return direct(t, func(p interface{ Layout() string }) string { return p.Layout() })
	case "Slug":
		return direct(t, func(p interface{ Slug() string }) string { return p.Slug() })
	case "Permalink":
		return direct(t, func(p interface{ Permalink() string }) string { return p.Permalink() })
	case "RelPermalink":
		return direct(t, func(p interface{ RelPermalink() string }) string { return p.RelPermalink() })
	case "Date":
		return direct(t, func(p interface{ Date() time.Time }) time.Time { return p.Date() })
	case "PublishDate":
		return direct(t, func(p interface{ PublishDate() time.Time }) time.Time { return p.PublishDate() })
	case "Lastmod":
		return direct(t, func(p interface{ Lastmod() time.Time }) time.Time { return p.Lastmod() })
	case "ExpiryDate":
		return direct(t, func(p interface{ ExpiryDate() time.Time }) time.Time { return p.ExpiryDate() })
	case "Params":
		return direct(t, func(p interface{ Params() map[string]any }) map[string]any { return p.Params() })
	case "Weight":
		return direct(t, func(p interface{ Weight() int }) int { return p.Weight() })
	case "Draft":
		return direct(t, func(p interface{ Draft() bool }) bool { return p.Draft() })
	case "IsPage":
		return direct(t, func(p interface{ IsPage() bool }) bool { return p.IsPage() })
	case "IsSection":
		return direct(t, func(p interface{ IsSection() bool }) bool { return p.IsSection() })
	}
	return nil
}

// direct builds the fast call when t has the getter with exactly this
// signature; the assertion inside can't fail because every value handed
// to it has dynamic type t.
func direct[I, R any](t reflect.Type, get func(I) R) func(any) reflect.Value {
	if !t.Implements(reflect.TypeFor[I]()) {
		return nil
	}
	return func(x any) reflect.Value { return reflect.ValueOf(get(x.(I))) }
}
