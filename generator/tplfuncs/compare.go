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
