package tplfuncs

import (
	"cmp"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// kind classifies a value for comparison. Front matter arrives as int64,
// float64, string, bool or time.Time depending on the format and how the
// author typed it, so comparisons work on these classes rather than on Go
// types: 1 (int) equals 1.0 (float64) equals int64(1).
type kind uint8

const (
	kNil kind = iota // missing, nil pointer or nil interface
	kBool
	kInt
	kFloat
	kString
	kTime
	kOther // anything else; compared by identity or deep equality
)

type scalar struct {
	k kind
	b bool
	i int64
	f float64
	s string
	t time.Time
	v reflect.Value // kOther: interfaces removed, pointers kept
}

func scalarOf(v reflect.Value) scalar {
	v = unwrap(v)
	if !v.IsValid() {
		return scalar{}
	}
	d := deref(v)
	if !d.IsValid() {
		return scalar{}
	}
	switch d.Kind() {
	case reflect.Bool:
		return scalar{k: kBool, b: d.Bool()}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return scalar{k: kInt, i: d.Int()}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if u := d.Uint(); u <= math.MaxInt64 {
			return scalar{k: kInt, i: int64(u)}
		}
		return scalar{k: kFloat, f: float64(d.Uint())}
	case reflect.Float32, reflect.Float64:
		return scalar{k: kFloat, f: d.Float()}
	case reflect.String:
		return scalar{k: kString, s: d.String()}
	case reflect.Struct:
		if d.Type() == timeType && d.CanInterface() {
			return scalar{k: kTime, t: d.Interface().(time.Time)}
		}
	}
	return scalar{k: kOther, v: v}
}

func (s scalar) isNum() bool { return s.k == kInt || s.k == kFloat }

func (s scalar) float() float64 {
	if s.k == kInt {
		return float64(s.i)
	}
	return s.f
}

func cmpNum(a, b scalar) int {
	if a.k == kInt && b.k == kInt {
		return cmp.Compare(a.i, b.i)
	}
	return cmp.Compare(a.float(), b.float())
}

// equal is Hugo's eq for where, in, uniq, union and intersect: numbers by
// value whatever their Go type, strings by content, times by instant,
// anything else (pages) by identity.
func equal(a, b scalar) bool {
	if a.k == kNil || b.k == kNil {
		return a.k == b.k
	}
	if a.isNum() && b.isNum() {
		return cmpNum(a, b) == 0
	}
	if a.k != b.k {
		return false
	}
	switch a.k {
	case kBool:
		return a.b == b.b
	case kString:
		return a.s == b.s
	case kTime:
		return a.t.Equal(b.t)
	}
	return sameValue(a.v, b.v)
}

func sameValue(x, y reflect.Value) bool {
	if x.Type() != y.Type() {
		return false
	}
	if x.Comparable() && y.Comparable() {
		return x.Equal(y)
	}
	if x.CanInterface() && y.CanInterface() {
		return reflect.DeepEqual(x.Interface(), y.Interface())
	}
	return false
}

// order compares two values of the same class for where's <, <=, >, >=.
// Booleans and other kinds have no order there (ok is false), as in Hugo.
func order(a, b scalar) (c int, ok bool) {
	switch {
	case a.isNum() && b.isNum():
		return cmpNum(a, b), true
	case a.k == kString && b.k == kString:
		return strings.Compare(a.s, b.s), true
	case a.k == kTime && b.k == kTime:
		return a.t.Compare(b.t), true
	}
	return 0, false
}

type nilKey struct{}

type timeKey struct {
	sec  int64
	nsec int
}

// hashKey gives a map key that is equal for two values exactly when equal
// reports them equal, so set operations on 10,000 pages stay linear. ok
// is false for values that can only be compared deeply (slices, maps).
func hashKey(s scalar) (key any, ok bool) {
	switch s.k {
	case kNil:
		return nilKey{}, true
	case kBool:
		return s.b, true
	case kInt:
		return s.i, true
	case kFloat:
		// Integral floats share the int64 key so 2.0 and 2 collide, as
		// equal says they should.
		if s.f == math.Trunc(s.f) && s.f >= math.MinInt64 && s.f < math.MaxInt64 {
			return int64(s.f), true
		}
		return s.f, true
	case kString:
		return s.s, true
	case kTime:
		return timeKey{s.t.Unix(), s.t.Nanosecond()}, true
	}
	if s.v.Comparable() && s.v.CanInterface() {
		return s.v.Interface(), true
	}
	return nil, false
}

// valueSet answers "is this value in the list" for where's in, not in and
// intersect, and for intersect and union: hashable values through a map,
// the rest (slices, maps) by deep comparison.
type valueSet struct {
	keys map[any]struct{}
	rest []scalar
}

func newValueSet(n int) *valueSet {
	return &valueSet{keys: make(map[any]struct{}, n)}
}

// add reports whether s was new.
func (vs *valueSet) add(s scalar) bool {
	if k, ok := hashKey(s); ok {
		if _, dup := vs.keys[k]; dup {
			return false
		}
		vs.keys[k] = struct{}{}
		return true
	}
	if vs.hasDeep(s) {
		return false
	}
	vs.rest = append(vs.rest, s)
	return true
}

func (vs *valueSet) has(s scalar) bool {
	if k, ok := hashKey(s); ok {
		_, found := vs.keys[k]
		return found
	}
	return vs.hasDeep(s)
}

func (vs *valueSet) hasDeep(s scalar) bool {
	for _, r := range vs.rest {
		if equal(r, s) {
			return true
		}
	}
	return false
}

// sortKey is a scalar prepared once per element so the comparator of a
// 10,000-page sort does no reflection and no allocation.
type sortKey struct {
	k    kind
	i    int64
	f    float64
	s    string
	fold string
	t    time.Time
	b    bool
}

// sortKeyOf follows Hugo's sort comparison: strings that are numbers sort
// as numbers ("9" before "10"), slices and maps by length, strings
// case-insensitively with case as the tie-break.
func sortKeyOf(v reflect.Value) sortKey {
	s := scalarOf(v)
	switch s.k {
	case kBool:
		return sortKey{k: kBool, b: s.b}
	case kInt:
		return sortKey{k: kInt, i: s.i}
	case kFloat:
		return sortKey{k: kFloat, f: s.f}
	case kString:
		if f, err := strconv.ParseFloat(strings.TrimSpace(s.s), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return sortKey{k: kFloat, f: f}
		}
		return sortKey{k: kString, s: s.s, fold: strings.ToLower(s.s)}
	case kTime:
		return sortKey{k: kTime, t: s.t}
	case kOther:
		if d := deref(s.v); d.IsValid() {
			switch d.Kind() {
			case reflect.Slice, reflect.Array, reflect.Map:
				return sortKey{k: kInt, i: int64(d.Len())}
			}
		}
		return sortKey{k: kOther}
	}
	return sortKey{}
}

// rank orders different classes against each other so mixed lists still
// sort deterministically: booleans, numbers, strings, times, the rest.
func (k sortKey) rank() int {
	switch k.k {
	case kBool:
		return 1
	case kInt, kFloat:
		return 2
	case kString:
		return 3
	case kTime:
		return 4
	}
	return 5
}

// compareSortKeys compares two keys. A missing value compares as the zero
// value of the other side's class, as in Hugo, so a page without a weight
// sorts like weight 0 and one without a date like the zero time.
//
// The keys are passed by pointer because a sort compares each one many
// times and a sortKey is a dozen words.
func compareSortKeys(a, b *sortKey) int {
	switch {
	case a.k == kNil && b.k == kNil:
		return 0
	case a.k == kNil:
		a = &sortKey{k: b.k}
	case b.k == kNil:
		b = &sortKey{k: a.k}
	}
	if ra, rb := a.rank(), b.rank(); ra != rb {
		return cmp.Compare(ra, rb)
	}
	switch a.k {
	case kBool:
		switch {
		case a.b == b.b:
			return 0
		case b.b:
			return -1
		}
		return 1
	case kInt, kFloat:
		if a.k == kInt && b.k == kInt {
			return cmp.Compare(a.i, b.i)
		}
		return cmp.Compare(a.num(), b.num())
	case kString:
		if c := strings.Compare(a.fold, b.fold); c != 0 {
			return c
		}
		return strings.Compare(a.s, b.s)
	case kTime:
		return a.t.Compare(b.t)
	}
	return 0
}

func (k sortKey) num() float64 {
	if k.k == kInt {
		return float64(k.i)
	}
	return k.f
}

// compareNS is Hugo's compare namespace. eq, ne, lt, le, gt and ge replace
// text/template's built-ins, as in Hugo, because those refuse to compare
// an int with an int64 (front matter gives int64, literals int) and fail
// on nil, while Hugo themes rely on `eq .Params.weight 1` and `gt .Date 0`.
type compareNS struct{ e *env }

// Default is Hugo's default DEFAULT [VALUE].
func (*compareNS) Default(def any, given ...any) (any, error) { return defaultFunc(def, given...) }

// Conditional is Hugo's cond CONTROL A B: A when CONTROL is truthy, else
// B. Both are evaluated, unlike if/else.
func (*compareNS) Conditional(control, a, b any) any {
	if truth(control) {
		return a
	}
	return b
}

// eqer is a value that knows its own equality, such as a page: pages are
// equal when they are the same page.
type eqer interface{ Eq(other any) bool }

// eqNormal reduces a value as Hugo's eq does: all signed integers to
// int64, floats to float64, strings of any named type to string. So
// eq 1 (int64 1) is true, while eq 1 1.0 is false, as in Hugo.
func eqNormal(v any) any {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return nil
	}
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		if rv.IsNil() {
			return nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if u := rv.Uint(); u <= math.MaxInt64 {
			return int64(u)
		}
		return rv.Uint()
	case reflect.String:
		return rv.String()
	}
	return v
}

func eqTwo(a, b any) bool {
	if e, ok := a.(eqer); ok {
		return e.Eq(b)
	}
	if e, ok := b.(eqer); ok {
		return e.Eq(a)
	}
	na, nb := eqNormal(a), eqNormal(b)
	if ta, ok := na.(time.Time); ok {
		if tb, ok := nb.(time.Time); ok {
			return ta.Equal(tb)
		}
	}
	return reflect.DeepEqual(na, nb)
}

// Eq is Hugo's eq A B [C…]: whether A equals any of the others.
func (*compareNS) Eq(first any, others ...any) (bool, error) {
	if len(others) == 0 {
		return false, fail("eq", "missing arguments for comparison")
	}
	for _, o := range others {
		if eqTwo(first, o) {
			return true, nil
		}
	}
	return false, nil
}

// Ne is Hugo's ne A B [C…]: whether A equals none of the others.
func (ns *compareNS) Ne(first any, others ...any) (bool, error) {
	if len(others) == 0 {
		return false, fail("ne", "missing arguments for comparison")
	}
	eq, err := ns.Eq(first, others...)
	return !eq, err
}

// Lt is Hugo's lt A B [C…]: whether A is less than every other.
func (*compareNS) Lt(first any, others ...any) (bool, error) {
	return orderAll("lt", first, others, func(a, b float64) bool { return a < b })
}

// Le is Hugo's le A B [C…].
func (*compareNS) Le(first any, others ...any) (bool, error) {
	return orderAll("le", first, others, func(a, b float64) bool { return a <= b })
}

// Gt is Hugo's gt A B [C…].
func (*compareNS) Gt(first any, others ...any) (bool, error) {
	return orderAll("gt", first, others, func(a, b float64) bool { return a > b })
}

// Ge is Hugo's ge A B [C…].
func (*compareNS) Ge(first any, others ...any) (bool, error) {
	return orderAll("ge", first, others, func(a, b float64) bool { return a >= b })
}

func orderAll(fn string, first any, others []any, ok func(a, b float64) bool) (bool, error) {
	if len(others) == 0 {
		return false, fail(fn, "missing arguments for comparison")
	}
	for _, o := range others {
		l, r := orderPair(first, o)
		if !ok(l, r) {
			return false, nil
		}
	}
	return true, nil
}

// orderPair maps two values onto numbers the way Hugo's lt and friends
// do: numbers are themselves, numeric strings their value, other strings
// compare with each other (as 0/1), lists and maps by length, times by
// their Unix second, booleans as 0 and 1, and anything else, nil
// included, as 0. So `gt .Date 0` is true for any date after 1970 and
// `lt nil 1` is true.
func orderPair(a, b any) (float64, float64) {
	if as, ok := a.(string); ok {
		if bs, ok := b.(string); ok {
			return orderStrings(as, bs)
		}
	}
	l, ls := orderValue(a)
	r, rs := orderValue(b)
	if ls != nil && rs != nil {
		return orderStrings(*ls, *rs)
	}
	return l, r
}

func orderStrings(a, b string) (float64, float64) {
	switch {
	case a < b:
		return 0, 1
	case a > b:
		return 1, 0
	}
	return 0, 0
}

// orderValue is one side of orderPair; a string that is not a number comes
// back as s.
func orderValue(v any) (f float64, s *string) {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return 0, nil
	}
	switch rv.Kind() {
	case reflect.Array, reflect.Chan, reflect.Map, reflect.Slice:
		return float64(rv.Len()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(rv.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return float64(rv.Uint()), nil
	case reflect.Float32, reflect.Float64:
		return rv.Float(), nil
	case reflect.String:
		f, err := strconv.ParseFloat(rv.String(), 64)
		if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
			str := rv.String()
			return 0, &str
		}
		return f, nil
	case reflect.Struct:
		if t, ok := v.(time.Time); ok {
			return float64(t.Unix()), nil
		}
	case reflect.Bool:
		if rv.Bool() {
			return 1, nil
		}
	}
	return 0, nil
}

// truth is text/template's notion of true, which Hugo's cond uses.
func truth(v any) bool {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return false
	}
	switch rv.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return rv.Len() > 0
	case reflect.Bool:
		return rv.Bool()
	case reflect.Complex64, reflect.Complex128:
		return rv.Complex() != 0
	case reflect.Chan, reflect.Func, reflect.Pointer, reflect.Interface:
		return !rv.IsNil()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int() != 0
	case reflect.Float32, reflect.Float64:
		return rv.Float() != 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return rv.Uint() != 0
	case reflect.Struct:
		if t, ok := v.(time.Time); ok {
			return !t.IsZero()
		}
		return true
	}
	return true
}

// compareExamples document the compare namespace; TestExamples runs them.
func compareExamples() []Example {
	pages := examplePages()
	return []Example{
		{"default", `{{ default "none" "" }} {{ default 10 0 }} {{ default "x" "set" }} {{ index (dict) "missing" | default "fallback" }}`, nil, "none 10 set fallback"},
		{"default", `{{ default true false }}`, nil, "false"},
		{"cond", `{{ cond true "yes" "no" }} {{ cond 0 "yes" "no" }} {{ cond (slice) "yes" "no" }}`, nil, "yes no no"},
		{"eq", `{{ eq 1 1 }} {{ eq 1 1.0 }} {{ eq "a" "b" "a" }} {{ eq nil nil }} {{ eq (int 3) 3 }}`, nil, "true false true true true"},
		{"eq", `{{ $p := index . 0 }}{{ eq $p $p }} {{ eq $p (index . 1) }}`, []any{&examplePage{title: "A"}, &examplePage{title: "B"}}, "true false"},
		{"ne", `{{ ne 1 2 }} {{ ne "a" "a" }}`, nil, "true false"},
		{"lt", `{{ lt 1 2.5 }} {{ lt "a" "b" }} {{ lt nil 1 }} {{ lt "10" "9" }} {{ lt "10" 9 }}`, nil, "true true true true false"},
		{"le", `{{ le 2 2 }} {{ le (slice 1 2) 2 }}`, nil, "true true"},
		{"gt", `{{ range first 1 . }}{{ gt .Date 0 }}{{ end }} {{ gt 2 1 }} {{ gt "b" "a" }}`, pages, "true true true"},
		{"ge", `{{ ge 3 3 2 }} {{ ge 1 2 }}`, nil, "true false"},
	}
}
