package tplfuncs

import (
	"cmp"
	"errors"
	"fmt"
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
