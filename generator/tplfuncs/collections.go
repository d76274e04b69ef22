package tplfuncs

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/url"
	"reflect"
	"slices"
	"strings"
)

// listOf returns coll as a slice or array Value. A nil collection gives the
// invalid Value and no error: `.Params.related` is nil on most pages, and
// Hugo's error for it only makes themes wrap every call in `with`.
func listOf(fn string, coll any) (reflect.Value, error) {
	cv := deref(reflect.ValueOf(coll))
	if !cv.IsValid() {
		return cv, nil
	}
	switch cv.Kind() {
	case reflect.Slice, reflect.Array:
		return cv, nil
	}
	return reflect.Value{}, fail(fn, "can't iterate over %T", coll)
}

// sortFunc is Hugo's sort COLLECTION [KEY] [ORDER].
//
// KEY is a path as for where; omitted, "" or "value" sorts by the elements
// themselves, and for a map an omitted KEY sorts by the map's keys. ORDER
// is "asc" (default) or "desc". The sort is stable in both directions,
// numbers compare by value, strings that hold numbers as numbers, other
// strings case-insensitively, times chronologically, and a missing key as
// the zero value (no weight sorts like weight 0). A map gives a slice of
// its values; a slice keeps its type.
//
// Unlike Hugo an unknown ORDER is an error rather than ascending, and
// string order is Unicode lower-case order rather than the site
// language's collation.
func sortFunc(coll any, args ...any) (result any, err error) {
	defer recoverTo("sort", &err)
	if len(args) > 2 {
		return nil, fail("sort", "want COLLECTION [KEY] [ORDER], got %d arguments", len(args)+1)
	}
	key, desc := "", false
	if len(args) > 0 && args[0] != nil {
		if key, err = toString(args[0]); err != nil {
			return nil, fail("sort", "key: %w", err)
		}
	}
	if len(args) > 1 {
		o, err := toString(args[1])
		if err != nil {
			return nil, fail("sort", "order: %w", err)
		}
		switch strings.ToLower(o) {
		case "asc":
		case "desc":
			desc = true
		default:
			return nil, fail("sort", "order must be \"asc\" or \"desc\", got %q", o)
		}
	}

	cv := deref(reflect.ValueOf(coll))
	if !cv.IsValid() {
		return []any{}, nil
	}
	type entry struct {
		key sortKey
		val reflect.Value
	}
	var (
		entries []entry
		outType reflect.Type
	)
	path := newKeyPath(key)
	byValue := key == "" || key == "value"
	keyOf := func(v reflect.Value) (sortKey, error) {
		if byValue {
			return sortKeyOf(v), nil
		}
		r, err := path.eval(v)
		if err != nil {
			return sortKey{}, err
		}
		return sortKeyOf(r), nil
	}
	switch cv.Kind() {
	case reflect.Slice, reflect.Array:
		outType = sliceTypeOf(cv)
		entries = make([]entry, cv.Len())
		for i := range entries {
			e := cv.Index(i)
			k, err := keyOf(e)
			if err != nil {
				return nil, fail("sort", "element %d: %w", i, err)
			}
			entries[i] = entry{k, e}
		}
	case reflect.Map:
		outType = reflect.SliceOf(cv.Type().Elem())
		// Order by map key first: map iteration is random, and equal sort
		// keys must still come out the same on every build.
		keys := cv.MapKeys()
		mk := make([]sortKey, len(keys))
		for i, k := range keys {
			mk[i] = sortKeyOf(k)
		}
		idx := make([]int, len(keys))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int { return compareSortKeys(&mk[a], &mk[b]) })
		entries = make([]entry, len(keys))
		for j, i := range idx {
			e := cv.MapIndex(keys[i])
			k := mk[i]
			if key != "" {
				if k, err = keyOf(e); err != nil {
					return nil, fail("sort", "element %v: %w", keys[i], err)
				}
			}
			entries[j] = entry{k, e}
		}
	default:
		return nil, fail("sort", "can't sort %T", coll)
	}

	// Sorting indices with the position as the last tie-break is a stable
	// sort in O(n log n) that moves ints rather than large entries.
	order := make([]int, len(entries))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		c := compareSortKeys(&entries[a].key, &entries[b].key)
		if desc {
			c = -c
		}
		if c == 0 {
			return cmp.Compare(a, b)
		}
		return c
	})
	out := reflect.MakeSlice(outType, len(entries), len(entries))
	for i, j := range order {
		out.Index(i).Set(entries[j].val)
	}
	return out.Interface(), nil
}

// first is Hugo's first N COLLECTION: at most the first N elements.
func first(n, coll any) (any, error) {
	return window("first", n, coll, func(length, n int) (int, int) { return 0, min(n, length) })
}

// last is Hugo's last N COLLECTION: at most the last N elements.
func last(n, coll any) (any, error) {
	return window("last", n, coll, func(length, n int) (int, int) { return max(length-n, 0), length })
}

// after is Hugo's after N COLLECTION: everything after the first N
// elements, empty when there are no more.
func after(n, coll any) (any, error) {
	return window("after", n, coll, func(length, n int) (int, int) { return min(n, length), length })
}

// window slices coll to the bounds computed from its length and N. Strings
// are cut by runes, not bytes as in Hugo, so a multi-byte letter is never
// split.
func window(fn string, n, coll any, bounds func(length, n int) (lo, hi int)) (result any, err error) {
	defer recoverTo(fn, &err)
	k, err := toInt(n)
	if err != nil {
		return nil, fail(fn, "count: %w", err)
	}
	if k < 0 {
		return nil, fail(fn, "count must not be negative, got %d", k)
	}
	cv := deref(reflect.ValueOf(coll))
	if !cv.IsValid() {
		return []any{}, nil
	}
	switch cv.Kind() {
	case reflect.String:
		r := []rune(cv.String())
		lo, hi := bounds(len(r), clampInt(k))
		return string(r[lo:hi]), nil
	case reflect.Slice:
		lo, hi := bounds(cv.Len(), clampInt(k))
		// The three-index slice stops an append on the result from writing
		// into the caller's list.
		return cv.Slice3(lo, hi, hi).Interface(), nil
	case reflect.Array:
		lo, hi := bounds(cv.Len(), clampInt(k))
		out := reflect.MakeSlice(sliceTypeOf(cv), hi-lo, hi-lo)
		for i := lo; i < hi; i++ {
			out.Index(i - lo).Set(cv.Index(i))
		}
		return out.Interface(), nil
	}
	return nil, fail(fn, "can't iterate over %T", coll)
}

func clampInt(n int64) int {
	if n > int64(maxInt) {
		return maxInt
	}
	return int(n)
}

const maxInt = int(^uint(0) >> 1)

// in is Hugo's in COLLECTION VALUE: whether a slice holds VALUE (numbers
// by value across Go types), or whether a string contains VALUE as a
// substring. Anything else, nil included, is simply not "in".
func in(coll, v any) (found bool, err error) {
	defer recoverTo("in", &err)
	cv := deref(reflect.ValueOf(coll))
	if !cv.IsValid() || v == nil {
		return false, nil
	}
	switch cv.Kind() {
	case reflect.Slice, reflect.Array:
		s := scalarOf(reflect.ValueOf(v))
		for i := range cv.Len() {
			if equal(scalarOf(cv.Index(i)), s) {
				return true, nil
			}
		}
	case reflect.String:
		sub, err := toString(v)
		if err != nil {
			return false, nil
		}
		return strings.Contains(cv.String(), sub), nil
	}
	return false, nil
}

// uniq is Hugo's uniq COLLECTION: the first occurrence of each value, in
// order, in a slice of the collection's type.
func uniq(coll any) (result any, err error) {
	defer recoverTo("uniq", &err)
	cv, err := listOf("uniq", coll)
	if err != nil || !cv.IsValid() {
		return []any{}, err
	}
	seen := newValueSet(cv.Len())
	out := reflect.MakeSlice(sliceTypeOf(cv), 0, cv.Len())
	for i := range cv.Len() {
		e := cv.Index(i)
		if seen.add(scalarOf(e)) {
			out = reflect.Append(out, e)
		}
	}
	return out.Interface(), nil
}

// union is Hugo's union SET1 SET2: the distinct elements of SET1 followed
// by those of SET2 not already present. The result keeps SET1's slice type
// when every element of SET2 fits in it, and is a []any otherwise (Hugo
// returns an empty list for mismatched element types). A nil set gives the
// other one.
func union(a, b any) (result any, err error) {
	defer recoverTo("union", &err)
	av, err := listOf("union", a)
	if err != nil {
		return nil, err
	}
	bv, err := listOf("union", b)
	if err != nil {
		return nil, err
	}
	switch {
	case !av.IsValid() && !bv.IsValid():
		return []any{}, nil
	case !av.IsValid():
		return b, nil
	case !bv.IsValid():
		return a, nil
	}
	outType := sliceTypeOf(av)
	for i := range bv.Len() {
		if !fits(bv.Index(i), outType.Elem()) {
			outType = reflect.TypeFor[[]any]()
			break
		}
	}
	seen := newValueSet(av.Len() + bv.Len())
	out := reflect.MakeSlice(outType, 0, av.Len()+bv.Len())
	for _, l := range []reflect.Value{av, bv} {
		for i := range l.Len() {
			e := l.Index(i)
			if seen.add(scalarOf(e)) {
				out = reflect.Append(out, convertTo(e, outType.Elem()))
			}
		}
	}
	return out.Interface(), nil
}

// fits reports whether element e (possibly boxed in an interface) can be
// stored in a slice with element type t.
func fits(e reflect.Value, t reflect.Type) bool {
	if e.Type().AssignableTo(t) {
		return true
	}
	u := unwrap(e)
	if !u.IsValid() {
		switch t.Kind() {
		case reflect.Interface, reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan:
			return true
		}
		return false
	}
	return u.Type().AssignableTo(t)
}

func convertTo(e reflect.Value, t reflect.Type) reflect.Value {
	if e.Type().AssignableTo(t) {
		return e
	}
	u := unwrap(e)
	if !u.IsValid() {
		return reflect.Zero(t)
	}
	return u
}

// intersect is Hugo's intersect SET1 SET2: the distinct elements of SET1
// that are also in SET2, in SET1's order and slice type.
func intersect(a, b any) (result any, err error) {
	defer recoverTo("intersect", &err)
	av, err := listOf("intersect", a)
	if err != nil {
		return nil, err
	}
	bv, err := listOf("intersect", b)
	if err != nil {
		return nil, err
	}
	if !av.IsValid() {
		return []any{}, nil
	}
	out := reflect.MakeSlice(sliceTypeOf(av), 0, 0)
	if !bv.IsValid() {
		return out.Interface(), nil
	}
	other := newValueSet(bv.Len())
	for i := range bv.Len() {
		other.add(scalarOf(bv.Index(i)))
	}
	seen := newValueSet(av.Len())
	for i := range av.Len() {
		e := av.Index(i)
		s := scalarOf(e)
		if other.has(s) && seen.add(s) {
			out = reflect.Append(out, e)
		}
	}
	return out.Interface(), nil
}

// sliceFunc is Hugo's slice ITEM…: a []any of its arguments. It replaces
// text/template's builtin slice, as in Hugo.
func sliceFunc(items ...any) ([]any, error) {
	if items == nil {
		return []any{}, nil
	}
	return items, nil
}

// dict is Hugo's dict KEY VALUE…: a map[string]any. A key may also be a
// slice of strings, which nests: dict (slice "a" "b") 1 is {a: {b: 1}}.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fail("dict", "want KEY VALUE pairs, got an odd number of arguments (%d)", len(kv))
	}
	out := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		path, err := dictKey(kv[i])
		if err != nil {
			return nil, fail("dict", "key %d: %w", i/2+1, err)
		}
		m := out
		for _, p := range path[:len(path)-1] {
			sub, ok := m[p].(map[string]any)
			if !ok {
				sub = make(map[string]any)
				m[p] = sub
			}
			m = sub
		}
		m[path[len(path)-1]] = kv[i+1]
	}
	return out, nil
}

func dictKey(k any) ([]string, error) {
	kv := deref(reflect.ValueOf(k))
	if kv.IsValid() {
		switch kv.Kind() {
		case reflect.String:
			return []string{kv.String()}, nil
		case reflect.Slice, reflect.Array:
			if kv.Len() == 0 {
				return nil, errors.New("an empty key path")
			}
			path := make([]string, kv.Len())
			for i := range path {
				e := deref(kv.Index(i))
				if !e.IsValid() || e.Kind() != reflect.String {
					return nil, errors.New("a key path must hold only strings")
				}
				path[i] = e.String()
			}
			return path, nil
		}
	}
	return nil, fmt.Errorf("must be a string, got %T", k)
}

// maxSeq bounds seq: a typo such as seq 1e9 must fail, not exhaust memory.
// Hugo's limit is 2000, too small for a paginated archive; a million ints
// is 8 MB.
const maxSeq = 1_000_000

// seq is Hugo's seq LAST, seq FIRST LAST or seq FIRST INCREMENT LAST:
// the integers from FIRST (default 1, or -1 for a negative LAST) to LAST.
func seq(args ...any) ([]int, error) {
	if len(args) < 1 || len(args) > 3 {
		return nil, fail("seq", "want LAST, FIRST LAST or FIRST INCREMENT LAST, got %d arguments", len(args))
	}
	n := make([]int64, len(args))
	for i, a := range args {
		v, err := toInt(a)
		if err != nil {
			return nil, fail("seq", "argument %d: %w", i+1, err)
		}
		n[i] = v
	}
	var from, inc, to int64
	switch len(n) {
	case 1:
		to = n[0]
		switch {
		case to == 0:
			return []int{}, nil
		case to > 0:
			from, inc = 1, 1
		default:
			from, inc = -1, -1
		}
	case 2:
		from, to, inc = n[0], n[1], 1
		if to < from {
			inc = -1
		}
	case 3:
		from, inc, to = n[0], n[1], n[2]
		switch {
		case inc == 0:
			return nil, fail("seq", "increment must not be 0")
		case from < to && inc < 0:
			return nil, fail("seq", "increment must be positive to count from %d up to %d", from, to)
		case from > to && inc > 0:
			return nil, fail("seq", "increment must be negative to count from %d down to %d", from, to)
		}
	}
	// Work in uint64 so the span of two extreme int64s can't overflow.
	var span uint64
	if to >= from {
		span = uint64(to) - uint64(from)
	} else {
		span = uint64(from) - uint64(to)
	}
	step := uint64(inc)
	if inc < 0 {
		step = uint64(-inc)
	}
	size := span/step + 1
	if size > maxSeq {
		return nil, fail("seq", "%d numbers is over the limit of %d", size, maxSeq)
	}
	out := make([]int, size)
	for i := range out {
		out[i] = int(from + int64(i)*inc)
	}
	return out, nil
}

// delimit is Hugo's delimit COLLECTION SEPARATOR [LAST]: the elements as
// strings joined by SEPARATOR, with LAST before the final one. A map's
// values are joined in the order of its keys.
func delimit(coll, sep any, lastSep ...any) (result string, err error) {
	defer recoverTo("delimit", &err)
	if len(lastSep) > 1 {
		return "", fail("delimit", "want COLLECTION SEPARATOR [LAST], got %d arguments", len(lastSep)+2)
	}
	d, err := toString(sep)
	if err != nil {
		return "", fail("delimit", "separator: %w", err)
	}
	dLast := d
	if len(lastSep) == 1 {
		if dLast, err = toString(lastSep[0]); err != nil {
			return "", fail("delimit", "last separator: %w", err)
		}
	}
	cv := deref(reflect.ValueOf(coll))
	if !cv.IsValid() {
		return "", nil
	}
	var parts []string
	switch cv.Kind() {
	case reflect.Map:
		sorted, err := sortFunc(coll)
		if err != nil {
			return "", fail("delimit", "%w", err)
		}
		cv = reflect.ValueOf(sorted)
		fallthrough
	case reflect.Slice, reflect.Array:
		parts = make([]string, cv.Len())
		for i := range parts {
			e := cv.Index(i)
			var x any
			if e.CanInterface() {
				x = e.Interface()
			}
			if parts[i], err = toString(x); err != nil {
				return "", fail("delimit", "element %d: %w", i, err)
			}
		}
	case reflect.String:
		for _, r := range cv.String() {
			parts = append(parts, string(r))
		}
	default:
		return "", fail("delimit", "can't iterate over %T", coll)
	}
	var b strings.Builder
	for i, p := range parts {
		switch {
		case i == 0:
		case i == len(parts)-1:
			b.WriteString(dLast)
		default:
			b.WriteString(d)
		}
		b.WriteString(p)
	}
	return b.String(), nil
}

// isset is Hugo's isset COLLECTION KEY: whether a slice has index KEY or a
// map has key KEY (present with a nil value counts as set). String keys
// match case-insensitively, because front-matter keys are lower-cased.
// Other collections are never "set".
func isset(coll, key any) (set bool, err error) {
	defer recoverTo("isset", &err)
	cv := deref(reflect.ValueOf(coll))
	if !cv.IsValid() {
		return false, nil
	}
	switch cv.Kind() {
	case reflect.Slice, reflect.Array:
		i, err := toInt(key)
		if err != nil {
			return false, fail("isset", "index: %w", err)
		}
		return i >= 0 && i < int64(cv.Len()), nil
	case reflect.Map:
		kv := reflect.ValueOf(key)
		if !kv.IsValid() {
			return false, nil
		}
		kt := cv.Type().Key()
		switch {
		case kv.Type().AssignableTo(kt):
		case kv.Kind() == reflect.String && kt.Kind() == reflect.String,
			isNumberKind(kv.Kind()) && isNumberKind(kt.Kind()):
			kv = kv.Convert(kt)
		default:
			return false, nil
		}
		if cv.MapIndex(kv).IsValid() {
			return true, nil
		}
		if kt.Kind() == reflect.String {
			iter := cv.MapRange()
			for iter.Next() {
				if strings.EqualFold(iter.Key().String(), kv.String()) {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

func isNumberKind(k reflect.Kind) bool {
	switch k {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return true
	}
	return false
}

// collectionsNS is Hugo's collections namespace.
type collectionsNS struct{ e *env }

func (ns *collectionsNS) Where(coll, key any, args ...any) (any, error) {
	return ns.e.re.where(coll, key, args...)
}
func (*collectionsNS) Sort(coll any, args ...any) (any, error) { return sortFunc(coll, args...) }
func (*collectionsNS) First(n, coll any) (any, error)          { return first(n, coll) }
func (*collectionsNS) Last(n, coll any) (any, error)           { return last(n, coll) }
func (*collectionsNS) After(n, coll any) (any, error)          { return after(n, coll) }
func (*collectionsNS) In(coll, v any) (bool, error)            { return in(coll, v) }
func (*collectionsNS) Uniq(coll any) (any, error)              { return uniq(coll) }
func (*collectionsNS) Union(a, b any) (any, error)             { return union(a, b) }
func (*collectionsNS) Intersect(a, b any) (any, error)         { return intersect(a, b) }
func (*collectionsNS) Slice(items ...any) ([]any, error)       { return sliceFunc(items...) }
func (*collectionsNS) Dictionary(kv ...any) (map[string]any, error) {
	return dict(kv...)
}
func (*collectionsNS) Seq(args ...any) ([]int, error) { return seq(args...) }
func (*collectionsNS) Delimit(coll, sep any, lastSep ...any) (string, error) {
	return delimit(coll, sep, lastSep...)
}
func (*collectionsNS) IsSet(coll, key any) (bool, error) { return isset(coll, key) }

// Append is Hugo's append VALUE… COLLECTION: a new slice with the values
// appended, COLLECTION left as it was. Appending one slice to another
// appends its elements; mixed types give a []any.
func (*collectionsNS) Append(args ...any) (result any, err error) {
	defer recoverTo("append", &err)
	if len(args) < 2 {
		return nil, fail("append", "want VALUE… COLLECTION, at least 2 arguments")
	}
	to, from := args[len(args)-1], args[:len(args)-1]
	tv := deref(reflect.ValueOf(to))
	if !tv.IsValid() || (tv.Kind() == reflect.Slice && tv.Len() == 0) {
		if len(from) == 1 {
			if fv := deref(reflect.ValueOf(from[0])); fv.IsValid() && fv.Kind() == reflect.Slice {
				return from[0], nil
			}
		}
		return append([]any(nil), from...), nil
	}
	if tv.Kind() != reflect.Slice {
		return nil, fail("append", "expected a slice, got %T", to)
	}
	elem := tv.Type().Elem()
	out := reflect.MakeSlice(tv.Type(), tv.Len(), tv.Len()+len(from))
	reflect.Copy(out, tv)
	// A slice of slices takes slices as elements.
	if elem.Kind() == reflect.Slice {
		for _, f := range from {
			fv := reflect.ValueOf(f)
			if !fv.IsValid() || !fv.Type().AssignableTo(elem) {
				return nil, fail("append", "can't append %T to a list of %s", f, elem)
			}
			out = reflect.Append(out, fv)
		}
		return out.Interface(), nil
	}
	if len(from) == 1 {
		if fv := reflect.ValueOf(from[0]); fv.IsValid() && fv.Kind() == reflect.Slice {
			if fv.Type().Elem().AssignableTo(elem) {
				return reflect.AppendSlice(out, fv).Interface(), nil
			}
			return toAnySlice(tv, fv), nil
		}
	}
	for _, f := range from {
		fv := reflect.ValueOf(f)
		if !fv.IsValid() || !fv.Type().AssignableTo(elem) {
			return toAnySlice(tv, reflect.ValueOf(from)), nil
		}
		out = reflect.Append(out, fv)
	}
	return out.Interface(), nil
}

// toAnySlice joins lists into a []any.
func toAnySlice(lists ...reflect.Value) []any {
	var out []any
	for _, l := range lists {
		for i := range l.Len() {
			out = append(out, valueOrNil(l.Index(i)))
		}
	}
	return out
}

// Apply is Hugo's apply COLLECTION FUNCTION ARG…: FUNCTION (a function
// name, namespaced or short) called once per element, "." among the
// arguments standing for the element.
func (ns *collectionsNS) Apply(coll any, fname string, args ...any) (result any, err error) {
	defer recoverTo("apply", &err)
	if coll == nil {
		return []any{}, nil
	}
	if fname == "apply" || fname == "collections.Apply" {
		return nil, fail("apply", "can't apply myself (no turtles allowed)")
	}
	fn, ok := ns.e.lookupFunc(fname)
	if !ok {
		return nil, fail("apply", "can't find function %s", fname)
	}
	cv := deref(reflect.ValueOf(coll))
	if !cv.IsValid() || (cv.Kind() != reflect.Slice && cv.Kind() != reflect.Array) {
		return nil, fail("apply", "can't apply over %T", coll)
	}
	out := make([]any, cv.Len())
	for i := range out {
		call := make([]any, len(args))
		for j, a := range args {
			if s, ok := a.(string); ok && s == "." {
				call[j] = valueOrNil(cv.Index(i))
			} else {
				call[j] = a
			}
		}
		in, err := callArgs(fn.Type(), fname, call)
		if err != nil {
			return nil, fail("apply", "%w", err)
		}
		res := fn.Call(in)
		if len(res) == 2 && !res[1].IsNil() {
			return nil, fail("apply", "%s: %w", fname, res[1].Interface().(error))
		}
		out[i] = valueOrNil(res[0])
	}
	return out, nil
}

// lookupFunc finds a template function by its short or namespaced name.
func (e *env) lookupFunc(name string) (reflect.Value, bool) {
	nsName, method, dotted := strings.Cut(name, ".")
	f, ok := e.funcs[nsName]
	if !ok {
		return reflect.Value{}, false
	}
	if !dotted {
		return reflect.ValueOf(f), true
	}
	getNS, ok := f.(func() any)
	if !ok {
		return reflect.Value{}, false
	}
	m := reflect.ValueOf(getNS()).MethodByName(method)
	return m, m.IsValid()
}

// Complement is Hugo's complement COLLECTION… UNIVERSE: the elements of
// UNIVERSE in none of the other collections.
func (*collectionsNS) Complement(ls ...any) (result any, err error) {
	defer recoverTo("complement", &err)
	if len(ls) < 2 {
		return nil, fail("complement", "needs at least two arguments")
	}
	universe := deref(reflect.ValueOf(ls[len(ls)-1]))
	if !universe.IsValid() || (universe.Kind() != reflect.Slice && universe.Kind() != reflect.Array) {
		return nil, fail("complement", "arguments must be slices or arrays")
	}
	exclude := newValueSet(0)
	for _, l := range ls[:len(ls)-1] {
		lv := deref(reflect.ValueOf(l))
		if !lv.IsValid() {
			continue
		}
		switch lv.Kind() {
		case reflect.Slice, reflect.Array:
			for i := range lv.Len() {
				exclude.add(scalarOf(lv.Index(i)))
			}
		default:
			exclude.add(scalarOf(lv))
		}
	}
	out := reflect.MakeSlice(sliceTypeOf(universe), 0, universe.Len())
	for i := range universe.Len() {
		e := universe.Index(i)
		if !exclude.has(scalarOf(e)) {
			out = reflect.Append(out, e)
		}
	}
	return out.Interface(), nil
}

// SymDiff is Hugo's symdiff COLLECTION1 COLLECTION2: the elements in one
// but not both, those of COLLECTION2 first, as in Hugo, which is written
// for the pipe: (slice 1 2 3 | symdiff (slice 3 4)) is [1 2 4].
func (*collectionsNS) SymDiff(b, a any) (result any, err error) {
	defer recoverTo("symdiff", &err)
	av, bv := deref(reflect.ValueOf(a)), deref(reflect.ValueOf(b))
	for _, v := range []reflect.Value{av, bv} {
		if !v.IsValid() || (v.Kind() != reflect.Slice && v.Kind() != reflect.Array) {
			return nil, fail("symdiff", "arguments must be slices or arrays")
		}
	}
	sets := [2]*valueSet{newValueSet(av.Len()), newValueSet(bv.Len())}
	for i, v := range []reflect.Value{av, bv} {
		for j := range v.Len() {
			sets[i].add(scalarOf(v.Index(j)))
		}
	}
	outType := sliceTypeOf(av)
	out := reflect.MakeSlice(outType, 0, 0)
	for i, v := range []reflect.Value{av, bv} {
		other := sets[1-i]
		for j := range v.Len() {
			e := v.Index(j)
			if other.has(scalarOf(e)) {
				continue
			}
			if !fits(e, outType.Elem()) {
				return nil, fail("symdiff", "can't mix %s and %s", outType.Elem(), unwrap(e).Type())
			}
			out = reflect.Append(out, convertTo(e, outType.Elem()))
		}
	}
	return out.Interface(), nil
}

// Index is Hugo's index COLLECTION KEY…, which replaces text/template's:
// a missing key, an index out of range or a nil collection give nil
// rather than an error. The keys may also come as one slice.
func (*collectionsNS) Index(item any, args ...any) (result any, err error) {
	defer recoverTo("index", &err)
	v := reflect.ValueOf(item)
	if !v.IsValid() {
		return nil, nil
	}
	keys := args
	if len(args) == 1 {
		if kv := reflect.ValueOf(args[0]); kv.IsValid() && kv.Kind() == reflect.Slice {
			keys = make([]any, kv.Len())
			for i := range keys {
				keys[i] = valueOrNil(kv.Index(i))
			}
		}
	}
	for _, k := range keys {
		v = deref(v)
		if !v.IsValid() {
			return nil, nil
		}
		kv := reflect.ValueOf(k)
		switch v.Kind() {
		case reflect.Array, reflect.Slice, reflect.String:
			if !kv.IsValid() || !isNumberKind(kv.Kind()) || kv.Kind() == reflect.Float32 || kv.Kind() == reflect.Float64 {
				return nil, fail("index", "can't index a %s with %T", v.Kind(), k)
			}
			i, _ := toInt(k)
			if i < 0 || i >= int64(v.Len()) {
				return nil, nil
			}
			v = v.Index(int(i))
		case reflect.Map:
			kt := v.Type().Key()
			switch {
			case !kv.IsValid():
				return nil, fail("index", "can't index a map with nil")
			case kv.Type().AssignableTo(kt):
			case kv.Type().ConvertibleTo(kt) && (kv.Kind() == reflect.String) == (kt.Kind() == reflect.String):
				kv = kv.Convert(kt)
			default:
				return nil, fail("index", "key %v has type %T; the map's keys are %s", k, k, kt)
			}
			x := v.MapIndex(kv)
			if !x.IsValid() && kt.Kind() == reflect.String {
				// Front-matter keys are stored lower-case; Hugo's
				// Params look them up case-insensitively.
				x = v.MapIndex(reflect.ValueOf(strings.ToLower(kv.String())).Convert(kt))
			}
			if !x.IsValid() {
				x = reflect.Zero(v.Type().Elem())
			}
			v = x
		default:
			return nil, fail("index", "can't index item of type %T", item)
		}
	}
	return valueOrNil(v), nil
}

// Merge is Hugo's merge MAP… MAP: a copy of the last map with the earlier
// ones merged in, left to right winning: a key of an earlier map wins over
// a later map's, nested maps merge, keys match case-insensitively.
func (*collectionsNS) Merge(maps ...any) (result any, err error) {
	defer recoverTo("merge", &err)
	if len(maps) < 2 {
		return nil, fail("merge", "requires at least two parameters")
	}
	result = maps[len(maps)-1]
	for i := len(maps) - 2; i >= 0; i-- {
		dst := reflect.ValueOf(result)
		if !dst.IsValid() || dst.Kind() != reflect.Map {
			return nil, fail("merge", "destination must be a map, got %T", result)
		}
		src := reflect.ValueOf(maps[i])
		if !truth(maps[i]) {
			continue
		}
		if src.Kind() != reflect.Map {
			return nil, fail("merge", "source must be a map, got %T", maps[i])
		}
		if src.Type().Key() != dst.Type().Key() {
			return nil, fail("merge", "incompatible map types, got %T to %T", maps[i], result)
		}
		result = mergeMaps(dst, src).Interface()
	}
	return result, nil
}

// mergeMaps returns a copy of dst with src's keys dst lacks; maps under
// the same key merge the same way.
func mergeMaps(dst, src reflect.Value) reflect.Value {
	out := reflect.MakeMapWithSize(dst.Type(), dst.Len())
	it := dst.MapRange()
	for it.Next() {
		out.SetMapIndex(it.Key(), it.Value())
	}
	it = src.MapRange()
	for it.Next() {
		k, sv := it.Key(), it.Value()
		dv, found := foldLookup(dst, k)
		if !found {
			if k.Type().AssignableTo(dst.Type().Key()) && sv.Type().AssignableTo(dst.Type().Elem()) {
				out.SetMapIndex(k, sv)
			}
			continue
		}
		dve, sve := unwrap(dv), unwrap(sv)
		if dve.IsValid() && sve.IsValid() && dve.Kind() == reflect.Map && sve.Kind() == reflect.Map && dve.Type().Key() == sve.Type().Key() {
			out.SetMapIndex(dstKey(dst, k), mergeMaps(dve, sve))
		}
	}
	return out
}

func foldLookup(m, k reflect.Value) (reflect.Value, bool) {
	if m.Type().Key().Kind() != reflect.String || k.Kind() != reflect.String {
		v := m.MapIndex(k)
		return v, v.IsValid()
	}
	it := m.MapRange()
	for it.Next() {
		if strings.EqualFold(it.Key().String(), k.String()) {
			return it.Value(), true
		}
	}
	return reflect.Value{}, false
}

// dstKey is dst's own spelling of key k.
func dstKey(m, k reflect.Value) reflect.Value {
	if m.Type().Key().Kind() == reflect.String && k.Kind() == reflect.String {
		it := m.MapRange()
		for it.Next() {
			if strings.EqualFold(it.Key().String(), k.String()) {
				return it.Key()
			}
		}
	}
	return k
}

// Querify is Hugo's querify KEY VALUE… (or one map, or one list of
// pairs): a URL query string, keys sorted.
func (*collectionsNS) Querify(params ...any) (string, error) {
	var pairs []any
	switch {
	case len(params) == 0:
		return "", nil
	case len(params) == 1:
		pv := deref(reflect.ValueOf(params[0]))
		switch {
		case pv.IsValid() && pv.Kind() == reflect.Map:
			q := url.Values{}
			it := pv.MapRange()
			for it.Next() {
				k, err := toString(valueOrNil(it.Key()))
				if err != nil || k == "" {
					return "", fail("querify", "keys must be non-empty strings")
				}
				v, err := toString(valueOrNil(it.Value()))
				if err != nil {
					return "", fail("querify", "value of %s: %w", k, err)
				}
				q.Add(k, v)
			}
			return q.Encode(), nil
		case pv.IsValid() && pv.Kind() == reflect.Slice:
			pairs = toAnySlice(pv)
		default:
			return "", fail("querify", "want KEY VALUE pairs, a map or a list of pairs, got %T", params[0])
		}
	default:
		pairs = params
	}
	if len(pairs)%2 != 0 {
		return "", fail("querify", "want KEY VALUE pairs, got an odd number of values")
	}
	q := url.Values{}
	for i := 0; i < len(pairs); i += 2 {
		k, err := toString(pairs[i])
		if err != nil || k == "" {
			return "", fail("querify", "keys must be non-empty strings")
		}
		v, err := toString(pairs[i+1])
		if err != nil {
			return "", fail("querify", "value of %s: %w", k, err)
		}
		q.Add(k, v)
	}
	return q.Encode(), nil
}

// Shuffle is Hugo's shuffle COLLECTION: a copy in random order.
func (*collectionsNS) Shuffle(coll any) (result any, err error) {
	defer recoverTo("shuffle", &err)
	cv := deref(reflect.ValueOf(coll))
	if !cv.IsValid() || (cv.Kind() != reflect.Slice && cv.Kind() != reflect.Array) {
		return nil, fail("shuffle", "can't iterate over %T", coll)
	}
	out := reflect.MakeSlice(sliceTypeOf(cv), cv.Len(), cv.Len())
	for i, j := range rand.Perm(cv.Len()) {
		out.Index(j).Set(cv.Index(i))
	}
	return out.Interface(), nil
}

// Reverse is Hugo's collections.Reverse: a reversed copy.
func (*collectionsNS) Reverse(coll any) (result any, err error) {
	defer recoverTo("collections.Reverse", &err)
	if coll == nil {
		return nil, nil
	}
	cv := reflect.ValueOf(coll)
	if cv.Kind() != reflect.Slice {
		return nil, fail("collections.Reverse", "argument must be a slice, got %T", coll)
	}
	n := cv.Len()
	out := reflect.MakeSlice(cv.Type(), n, n)
	for i := range n {
		out.Index(i).Set(cv.Index(n - 1 - i))
	}
	return out.Interface(), nil
}

// KeyValues is what keyVals returns.
type KeyValues struct {
	Key    any
	Values []any
}

// KeyVals is Hugo's keyVals KEY VALUE…
func (*collectionsNS) KeyVals(key any, values ...any) (KeyValues, error) {
	return KeyValues{Key: key, Values: values}, nil
}

// EchoParam is Hugo 0.111's echoParam MAP KEY (removed since): the value
// under KEY, or "".
func (ns *collectionsNS) EchoParam(m, key any) (any, error) {
	v, err := ns.Index(m, key)
	if err != nil || v == nil {
		return "", err
	}
	return v, nil
}

// NewScratch is Hugo's newScratch: an empty Scratch.
func (*collectionsNS) NewScratch() *Scratch { return NewScratch() }

// grouper is a collection that can group itself, such as a page list.
type grouper interface {
	Group(key any, items any) (any, error)
}

// Group is Hugo's group KEY PAGES, for pages only.
func (*collectionsNS) Group(key any, items any) (any, error) {
	if key == nil {
		return nil, fail("group", "nil is not a valid key to group by")
	}
	if g, ok := items.(grouper); ok {
		return g.Group(key, items)
	}
	return nil, fail("group", "grouping not supported for type %T", items)
}

// D is Hugo's collections.D (Vitter's algorithm D, seeded sampling).
func (*collectionsNS) D(seed, n, hi any) ([]int, error) {
	return nil, notImplemented("collections.D", "its sample depends on Hugo's random number generator; use shuffle or first")
}

// collectionsExamples document the collections namespace; TestExamples runs them.
func collectionsExamples() []Example {
	pages := examplePages()
	return []Example{
		{"where", `{{ range where . "Section" "tips" }}{{ .Title }};{{ end }}`, pages, "Go tips;Rust notes;"},
		{"where", `{{ range where . ".Params.weight" ">=" 1 }}{{ .Title }};{{ end }}`, pages, "Go tips;Hello;"},
		{"where", `{{ range where . "Params.pinned" "!=" true }}{{ .Title }};{{ end }}`, pages, "Go tips;Rust notes;"},
		{"where", `{{ range where . "Section" "in" (slice "blog" "news") }}{{ .Title }}{{ end }}`, pages, "Hello"},
		{"where", `{{ range where . "Section" "not in" (slice "blog") }}{{ .Title }};{{ end }}`, pages, "Go tips;Rust notes;"},
		{"where", `{{ range where . "Params.Tags" "intersect" (slice "rust" "intro") }}{{ .Title }};{{ end }}`, pages, "Hello;Rust notes;"},
		{"where", `{{ range where . "Date" "<" "2024-02-01" }}{{ .Title }}{{ end }}`, pages, "Hello"},
		{"where", `{{ range where . "Title" "like" "^[GR]" }}{{ .Title }};{{ end }}`, pages, "Go tips;Rust notes;"},
		{"sort", `{{ range sort . "Date" "desc" }}{{ .Title }};{{ end }}`, pages, "Go tips;Rust notes;Hello;"},
		{"sort", `{{ range sort . "Params.weight" }}{{ .Title }};{{ end }}`, pages, "Rust notes;Hello;Go tips;"},
		{"sort", `{{ sort (slice 3 1.5 "10" 2) }}`, nil, "[1.5 2 3 10]"},
		{"sort", `{{ sort (dict "b" 2 "a" 1 "c" 3) }} {{ sort (dict "b" 2 "a" 1 "c" 3) "value" "desc" }}`, nil, "[1 2 3] [3 2 1]"},
		{"first", `{{ first 2 (slice "a" "b" "c") }} {{ range first 1 . }}{{ .Title }}{{ end }}`, pages, "[a b] Go tips"},
		{"after", `{{ after 1 (slice "a" "b" "c") }} {{ after 5 (slice "a") }}`, nil, "[b c] []"},
		{"last", `{{ last 2 (slice "a" "b" "c") }}`, nil, "[b c]"},
		{"in", `{{ in (slice 1 2 3) 2.0 }} {{ in "hello world" "lo w" }} {{ in (slice "a") "b" }}`, nil, "true true false"},
		{"uniq", `{{ uniq (slice 1 2 1 3 2.0) }}`, nil, "[1 2 3]"},
		{"union", `{{ union (slice 1 2) (slice 2 3) }}`, nil, "[1 2 3]"},
		{"intersect", `{{ intersect (slice "a" "b" "c" "a") (slice "c" "a" "x") }}`, nil, "[a c]"},
		{"slice", `{{ slice 1 "two" 3.5 }} {{ len (slice) }}`, nil, "[1 two 3.5] 0"},
		{"dict", `{{ $d := dict "name" "Ada" "langs" (slice "go") }}{{ $d.name }} {{ index $d "langs" }}`, nil, "Ada [go]"},
		{"dict", `{{ $d := dict (slice "social" "github") "ada" }}{{ $d.social.github }}`, nil, "ada"},
		{"seq", `{{ seq 3 }} {{ seq 2 4 }} {{ seq 10 -5 0 }} {{ seq -2 }}`, nil, "[1 2 3] [2 3 4] [10 5 0] [-1 -2]"},
		{"delimit", `{{ delimit (slice "a" "b" "c") ", " " and " }} {{ delimit (dict "z" 1 "a" 2) "-" }}`, nil, "a, b and c 2-1"},
		{"isset", `{{ isset (dict "toc" false) "TOC" }} {{ isset (slice 1 2) 5 }} {{ isset (dict) "x" }}`, nil, "true false false"},
		{"append", `{{ append 3 (slice 1 2) }} {{ append (slice 3 4) (slice 1 2) }} {{ append "c" (slice "a" "b") }}`, nil, "[1 2 3] [1 2 3 4] [a b c]"},
		{"append", `{{ $s := slice }}{{ $s = $s | append "x" }}{{ $s = $s | append "y" }}{{ $s }}`, nil, "[x y]"},
		{"apply", `{{ apply (slice "a" "b") "upper" "." }} {{ apply (slice "x y") "strings.Replace" "." " " "-" }}`, nil, "[A B] [x-y]"},
		{"complement", `{{ complement (slice 1 2) (slice 3) (slice 1 2 3 4 5) }}`, nil, "[4 5]"},
		{"symdiff", `{{ symdiff (slice 1 2 3) (slice 3 4) }} {{ slice 1 2 3 | symdiff (slice 3 4) }}`, nil, "[4 1 2] [1 2 4]"},
		{"index", `{{ index (dict "a" (dict "b" 1)) "a" "b" }} {{ index (slice 1 2) 5 }} {{ index nil "x" }} {{ index (dict "Tags" 1) (slice "Tags") }}`, nil, "1   1"},
		{"merge", `{{ $m := merge (dict "a" 1 "b" (dict "x" 1)) (dict "a" 2 "c" 3 "b" (dict "y" 2)) }}{{ $m.a }} {{ $m.c }} {{ $m.b.x }} {{ $m.b.y }}`, nil, "2 3 1 2"},
		{"querify", `{{ querify "b" 2 "a" "x y" }} {{ querify (dict "q" "go") }} {{ querify (slice "k" "v") }}`, nil, "a=x&#43;y&amp;b=2 q=go k=v"},
		{"shuffle", `{{ len (shuffle (seq 10)) }} {{ shuffle (slice 7) }}`, nil, "10 [7]"},
		{"collections.Reverse", `{{ collections.Reverse (slice 1 2 3) }}`, nil, "[3 2 1]"},
		{"keyVals", `{{ $kv := keyVals "tags" "a" "b" }}{{ $kv.Key }}: {{ $kv.Values }}`, nil, "tags: [a b]"},
		{"newScratch", `{{ $s := newScratch }}{{ $s.Set "n" 1 }}{{ $s.Add "n" 2 }}{{ $s.Add "l" (slice "a") }}{{ $s.Add "l" (slice "b") }}{{ $s.Get "n" }} {{ $s.Get "l" }}`, nil, "3 [a b]"},
		{"newScratch", `{{ $s := newScratch }}{{ $s.SetInMap "m" "b" 2 }}{{ $s.SetInMap "m" "a" 1 }}{{ $s.GetSortedMapValues "m" }}`, nil, "[1 2]"},
		{"echoParam", `{{ echoParam (dict "color" "red") "color" }}`, nil, "red"},
		{"isSet", `{{ isSet (dict "a" 1) "a" }} {{ collections.IsSet (slice 1) 3 }}`, nil, "true false"},
		{"group", `{{ group "k" (slice 1) }}`, nil, "error: grouping not supported"},
		{"collections.D", `{{ collections.D 42 3 10 }}`, nil, "error: not implemented in Agora"},
		{"collections.Where", `{{ range collections.Where . "Section" "blog" }}{{ .Title }}{{ end }}`, pages, "Hello"},
	}
}
