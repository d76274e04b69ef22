package tplfuncs

import (
	"reflect"
	"regexp"
	"strings"
	"time"
)

type whereOp uint8

const (
	opEq whereOp = iota
	opNe
	opGe
	opGt
	opLe
	opLt
	opIn
	opNotIn
	opIntersect
	opLike
)

// parseOp accepts Hugo's operator spellings. A switch rather than a
// package map keeps the package free of mutable globals.
func parseOp(name string) (whereOp, bool) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "=", "==", "eq":
		return opEq, true
	case "!=", "<>", "ne":
		return opNe, true
	case ">=", "ge":
		return opGe, true
	case ">", "gt":
		return opGt, true
	case "<=", "le":
		return opLe, true
	case "<", "lt":
		return opLt, true
	case "in":
		return opIn, true
	case "not in":
		return opNotIn, true
	case "intersect":
		return opIntersect, true
	case "like":
		return opLike, true
	}
	return 0, false
}

// where is Hugo's where COLLECTION KEY [OPERATOR] MATCH.
//
// KEY is a dotted path ("Section", "Params.tags", ".Params.pinned"),
// resolved per element through exported no-argument methods (pointer or
// value receivers), exported fields and map keys, map[string]… keys
// case-insensitively. A missing key or a nil on the way is an absent
// value, never a panic: it equals only nil, so
// `where .Pages "Params.hidden" "!=" true` keeps pages with no hidden key,
// as in Hugo. Nil elements are always dropped.
//
// Operators: = == eq, != <> ne, >= ge, > gt, <= le, < lt, in, "not in",
// intersect and like (MATCH is a regular expression). Numbers compare by
// value across Go types; a time compares with a time or with a date string
// ("2024-01-31"). A map collection is filtered by its values and keeps its
// map type; a slice keeps its element type.
//
// Differences from Hugo, on purpose: "!=" is exactly the negation of "="
// (Hugo also drops elements whose value has a different type than MATCH);
// a missing struct field is an absent value rather than an error; a nil
// collection gives an empty list rather than an error.
func (rc *regexpCache) where(coll, key any, args ...any) (result any, err error) {
	defer recoverTo("where", &err)
	var (
		opName string
		match  any
	)
	switch len(args) {
	case 1:
		match = args[0]
	case 2:
		s, ok := args[0].(string)
		if !ok {
			return nil, fail("where", "operator must be a string, got %T", args[0])
		}
		opName, match = s, args[1]
	default:
		return nil, fail("where", "want COLLECTION KEY [OPERATOR] MATCH, got %d arguments", len(args)+2)
	}
	k, ok := key.(string)
	if !ok {
		return nil, fail("where", "key must be a string, got %T", key)
	}
	c, err := rc.newCondition(opName, match)
	if err != nil {
		return nil, err
	}
	path := newKeyPath(k)

	cv := deref(reflect.ValueOf(coll))
	if !cv.IsValid() {
		return []any{}, nil
	}
	switch cv.Kind() {
	case reflect.Slice, reflect.Array:
		var keep []int
		for i := range cv.Len() {
			e := cv.Index(i)
			if isNilValue(e) {
				continue
			}
			v, err := path.eval(e)
			if err != nil {
				return nil, fail("where", "element %d: %w", i, err)
			}
			if c.matches(v) {
				keep = append(keep, i)
			}
		}
		out := reflect.MakeSlice(sliceTypeOf(cv), len(keep), len(keep))
		for j, i := range keep {
			out.Index(j).Set(cv.Index(i))
		}
		return out.Interface(), nil
	case reflect.Map:
		out := reflect.MakeMap(cv.Type())
		iter := cv.MapRange()
		for iter.Next() {
			e := iter.Value()
			if isNilValue(e) {
				continue
			}
			v, err := path.eval(e)
			if err != nil {
				return nil, fail("where", "element %v: %w", iter.Key(), err)
			}
			if c.matches(v) {
				out.SetMapIndex(iter.Key(), e)
			}
		}
		return out.Interface(), nil
	}
	return nil, fail("where", "can't iterate over %T", coll)
}

// isNilValue reports a nil element: an untyped nil in a []any or a nil
// pointer in a []*Page.
func isNilValue(v reflect.Value) bool {
	v = unwrap(v)
	if !v.IsValid() {
		return true
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
		return v.IsNil()
	}
	return false
}

// sliceTypeOf is the type of slice a result built from cv should have: the
// collection's own type for a slice, so templates keep calling methods on
// the elements, and a slice of the element type for an array.
func sliceTypeOf(cv reflect.Value) reflect.Type {
	if cv.Kind() == reflect.Slice {
		return cv.Type()
	}
	return reflect.SliceOf(cv.Type().Elem())
}

// condition is a where comparison prepared once per call, so the
// per-element work is a key lookup and a comparison.
type condition struct {
	op      whereOp
	m       scalar
	mTime   time.Time // m parsed as a date, for comparing with time values
	hasTime bool
	list    *valueSet // in, not in, intersect
	substr  bool      // in / not in against a string: substring test
	re      *regexp.Regexp
}

func (rc *regexpCache) newCondition(opName string, match any) (*condition, error) {
	op, ok := parseOp(opName)
	if !ok {
		return nil, fail("where", "unknown operator %q", opName)
	}
	c := &condition{op: op, m: scalarOf(reflect.ValueOf(match))}
	if c.m.k == kString {
		if t, err := parseTime(c.m.s); err == nil {
			c.mTime, c.hasTime = t, true
		}
	}
	switch op {
	case opIn, opNotIn, opIntersect:
		mv := deref(reflect.ValueOf(match))
		if mv.IsValid() && (mv.Kind() == reflect.Slice || mv.Kind() == reflect.Array) {
			c.list = newValueSet(mv.Len())
			for i := range mv.Len() {
				c.list.add(scalarOf(mv.Index(i)))
			}
		} else if c.m.k == kString && op != opIntersect {
			c.substr = true
		}
	case opLike:
		re, err := rc.get("where", match)
		if err != nil {
			return nil, err
		}
		c.re = re
	}
	return c, nil
}

func (c *condition) matches(v reflect.Value) bool {
	s := scalarOf(v)
	switch c.op {
	case opEq:
		return c.equal(s)
	case opNe:
		return !c.equal(s)
	case opGe, opGt, opLe, opLt:
		r, ok := c.order(s)
		if !ok {
			return false
		}
		switch c.op {
		case opGe:
			return r >= 0
		case opGt:
			return r > 0
		case opLe:
			return r <= 0
		}
		return r < 0
	case opIn, opNotIn:
		// Like Hugo, an absent value is neither in nor not in anything, and
		// a MATCH that is neither a list nor a string matches nothing.
		if s.k == kNil || (c.list == nil && !c.substr) {
			return false
		}
		var found bool
		if c.substr {
			found = s.k == kString && strings.Contains(c.m.s, s.s)
		} else {
			found = c.list.has(s)
		}
		return found == (c.op == opIn)
	case opIntersect:
		d := deref(v)
		if c.list == nil || !d.IsValid() || (d.Kind() != reflect.Slice && d.Kind() != reflect.Array) {
			return false
		}
		for i := range d.Len() {
			if c.list.has(scalarOf(d.Index(i))) {
				return true
			}
		}
		return false
	case opLike:
		return s.k == kString && c.re.MatchString(s.s)
	}
	return false
}

func (c *condition) equal(s scalar) bool {
	if s.k == kTime && c.hasTime {
		return s.t.Equal(c.mTime)
	}
	return equal(s, c.m)
}

func (c *condition) order(s scalar) (int, bool) {
	if s.k == kNil || c.m.k == kNil {
		return 0, false
	}
	if s.k == kTime && c.hasTime {
		return s.t.Compare(c.mTime), true
	}
	return order(s, c.m)
}
