package tplfuncs

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"sync/atomic"
)

// number is an operand of Hugo's arithmetic: integers stay integers (so
// div 7 2 is 3) until a float is involved.
type number struct {
	isFloat bool
	i       int64
	f       float64
}

func numberOf(v any) (number, bool) {
	rv := deref(reflect.ValueOf(v))
	if !rv.IsValid() {
		return number{}, false
	}
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return number{i: rv.Int()}, true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		if u := rv.Uint(); u <= math.MaxInt64 {
			return number{i: int64(u)}, true
		}
		return number{isFloat: true, f: float64(rv.Uint())}, true
	case reflect.Float32, reflect.Float64:
		return number{isFloat: true, f: rv.Float()}, true
	}
	return number{}, false
}

func (n number) float() float64 {
	if n.isFloat {
		return n.f
	}
	return float64(n.i)
}

// arith folds op over the arguments left to right, as Hugo's variadic
// math functions do: sub 10 3 2 is 5.
func arith(fn string, op byte, a, b any, more []any) (any, error) {
	acc, err := arith2(fn, op, a, b)
	for _, c := range more {
		if err != nil {
			break
		}
		acc, err = arith2(fn, op, acc, c)
	}
	return acc, err
}

// arith2 returns int64 for two integers and float64 otherwise; add also
// concatenates two strings, as in Hugo. Numeric strings are not numbers
// here (Hugo refuses them too): use int or float first.
func arith2(fn string, op byte, a, b any) (any, error) {
	if op == '+' {
		av, bv := deref(reflect.ValueOf(a)), deref(reflect.ValueOf(b))
		if av.IsValid() && bv.IsValid() && av.Kind() == reflect.String && bv.Kind() == reflect.String {
			return av.String() + bv.String(), nil
		}
	}
	x, ok := numberOf(a)
	if !ok {
		return nil, fail(fn, "%T is not a number", a)
	}
	y, ok := numberOf(b)
	if !ok {
		return nil, fail(fn, "%T is not a number", b)
	}
	if x.isFloat || y.isFloat {
		p, q := x.float(), y.float()
		switch op {
		case '+':
			return p + q, nil
		case '-':
			return p - q, nil
		case '*':
			return p * q, nil
		}
		if q == 0 {
			return nil, fail(fn, "division by zero")
		}
		return p / q, nil
	}
	switch op {
	case '+':
		return x.i + y.i, nil
	case '-':
		return x.i - y.i, nil
	case '*':
		return x.i * y.i, nil
	}
	if y.i == 0 {
		return nil, fail(fn, "division by zero")
	}
	return x.i / y.i, nil
}

// add is Hugo's add A B [C…]: the sum, or the concatenation of strings.
func add(a, b any, more ...any) (any, error) { return arith("add", '+', a, b, more) }

// sub is Hugo's sub A B [C…].
func sub(a, b any, more ...any) (any, error) { return arith("sub", '-', a, b, more) }

// mul is Hugo's mul A B [C…].
func mul(a, b any, more ...any) (any, error) { return arith("mul", '*', a, b, more) }

// div is Hugo's div A B [C…]: integer division for integers, and an error
// rather than a panic or +Inf for a zero divisor.
func div(a, b any, more ...any) (any, error) { return arith("div", '/', a, b, more) }

// mod is Hugo's mod A B: both are converted to integers first (floats
// truncated, numeric strings parsed).
func mod(a, b any) (int64, error) {
	x, err := toInt(a)
	if err != nil {
		return 0, fail("mod", "%w", err)
	}
	y, err := toInt(b)
	if err != nil {
		return 0, fail("mod", "%w", err)
	}
	if y == 0 {
		return 0, fail("mod", "division by zero")
	}
	return x % y, nil
}

// mathNS is Hugo's math namespace.
type mathNS struct {
	e       *env
	counter atomic.Uint64
}

func (*mathNS) Add(a, b any, more ...any) (any, error) { return add(a, b, more...) }
func (*mathNS) Sub(a, b any, more ...any) (any, error) { return sub(a, b, more...) }
func (*mathNS) Mul(a, b any, more ...any) (any, error) { return mul(a, b, more...) }
func (*mathNS) Div(a, b any, more ...any) (any, error) { return div(a, b, more...) }
func (*mathNS) Mod(a, b any) (int64, error)            { return mod(a, b) }

// ModBool is Hugo's modBool A B: whether A mod B is 0.
func (*mathNS) ModBool(a, b any) (bool, error) {
	r, err := mod(a, b)
	if err != nil {
		return false, fail("modBool", "%w", errors.Unwrap(err))
	}
	return r == 0, nil
}

// float1 applies a float function to one argument, as Hugo's math
// functions do: the result is always a float64.
func float1(fn string, v any, f func(float64) float64) (float64, error) {
	x, err := toFloat(v)
	if err != nil {
		return 0, fail(fn, "%w", err)
	}
	return f(x), nil
}

func (*mathNS) Abs(v any) (float64, error)   { return float1("math.Abs", v, math.Abs) }
func (*mathNS) Acos(v any) (float64, error)  { return float1("math.Acos", v, math.Acos) }
func (*mathNS) Asin(v any) (float64, error)  { return float1("math.Asin", v, math.Asin) }
func (*mathNS) Atan(v any) (float64, error)  { return float1("math.Atan", v, math.Atan) }
func (*mathNS) Ceil(v any) (float64, error)  { return float1("math.Ceil", v, math.Ceil) }
func (*mathNS) Cos(v any) (float64, error)   { return float1("math.Cos", v, math.Cos) }
func (*mathNS) Floor(v any) (float64, error) { return float1("math.Floor", v, math.Floor) }
func (*mathNS) Log(v any) (float64, error)   { return float1("math.Log", v, math.Log) }
func (*mathNS) Sin(v any) (float64, error)   { return float1("math.Sin", v, math.Sin) }
func (*mathNS) Sqrt(v any) (float64, error)  { return float1("math.Sqrt", v, math.Sqrt) }
func (*mathNS) Tan(v any) (float64, error)   { return float1("math.Tan", v, math.Tan) }

// Round is Hugo's math.Round: half away from zero.
func (*mathNS) Round(v any) (float64, error) { return float1("math.Round", v, math.Round) }

func (*mathNS) ToDegrees(v any) (float64, error) {
	return float1("math.ToDegrees", v, func(x float64) float64 { return x * 180 / math.Pi })
}

func (*mathNS) ToRadians(v any) (float64, error) {
	return float1("math.ToRadians", v, func(x float64) float64 { return x * math.Pi / 180 })
}

func (*mathNS) Atan2(y, x any) (float64, error) {
	a, err := toFloat(y)
	if err != nil {
		return 0, fail("math.Atan2", "%w", err)
	}
	b, err := toFloat(x)
	if err != nil {
		return 0, fail("math.Atan2", "%w", err)
	}
	return math.Atan2(a, b), nil
}

// Pow is Hugo's pow A B.
func (*mathNS) Pow(a, b any) (float64, error) {
	x, err := toFloat(a)
	if err != nil {
		return 0, fail("pow", "%w", err)
	}
	y, err := toFloat(b)
	if err != nil {
		return 0, fail("pow", "%w", err)
	}
	return math.Pow(x, y), nil
}

func (*mathNS) Pi() float64        { return math.Pi }
func (*mathNS) MaxInt64() int64    { return math.MaxInt64 }
func (*mathNS) Rand() float64      { return rand.Float64() }
func (ns *mathNS) Counter() uint64 { return ns.counter.Add(1) }

// fold applies op over numbers and lists of numbers, as Hugo's math.Max,
// Min, Sum and Product do.
func fold(fn string, op func(x, y float64) float64, inputs []any) (float64, error) {
	var (
		acc  float64
		n    int
		seen bool
	)
	for _, in := range inputs {
		iv := deref(reflect.ValueOf(in))
		var vals []any
		if iv.IsValid() && (iv.Kind() == reflect.Slice || iv.Kind() == reflect.Array) {
			vals = toAnySlice(iv)
			seen = true
		} else {
			vals = []any{in}
		}
		for _, v := range vals {
			f, err := toFloat(v)
			if err != nil || v == nil {
				return 0, fail(fn, "operator can't be used with non-float values")
			}
			seen = true
			n++
			if n == 1 {
				acc = f
				continue
			}
			acc = op(acc, f)
		}
	}
	if !seen {
		return 0, fail(fn, "must provide at least one number")
	}
	return acc, nil
}

func (*mathNS) Max(inputs ...any) (float64, error) { return fold("math.Max", math.Max, inputs) }
func (*mathNS) Min(inputs ...any) (float64, error) { return fold("math.Min", math.Min, inputs) }
func (*mathNS) Sum(inputs ...any) (float64, error) {
	return fold("math.Sum", func(x, y float64) float64 { return x + y }, inputs)
}
func (*mathNS) Product(inputs ...any) (float64, error) {
	return fold("math.Product", func(x, y float64) float64 { return x * y }, inputs)
}

// mathExamples document the math namespace; TestExamples runs them.
func mathExamples() []Example {
	return []Example{
		{"add", `{{ add 1 2 }} {{ add 1.5 2 }} {{ add "a" "b" }} {{ add 1 2 3 }}`, nil, "3 3.5 ab 6"},
		{"sub", `{{ sub 10 3 }} {{ sub 10 3 2 }} {{ sub 1 0.5 }}`, nil, "7 5 0.5"},
		{"mul", `{{ mul 4 2.5 }} {{ mul 2 3 }}`, nil, "10 6"},
		{"div", `{{ div 7 2 }} {{ div 7.0 2 }}`, nil, "3 3.5"},
		{"mod", `{{ mod 7 3 }} {{ mod -7 3 }}`, nil, "1 -1"},
		{"modBool", `{{ modBool 6 3 }} {{ modBool 7 3 }}`, nil, "true false"},
		{"pow", `{{ pow 2 10 }}`, nil, "1024"},
		{"math.Round", `{{ math.Round 2.5 }} {{ math.Floor 2.7 }} {{ math.Ceil 2.1 }} {{ math.Sqrt 16 }} {{ math.Abs -3 }}`, nil, "3 2 3 4 3"},
		{"math.Max", `{{ math.Max 1 (slice 5 2) 3 }} {{ math.Min 4 2 }} {{ math.Sum (slice 1 2 3) }} {{ math.Product 2 3 }}`, nil, "5 2 6 6"},
		{"math.Counter", `{{ math.Counter }} {{ math.Counter }}`, nil, "1 2"},
		{"math.Pi", `{{ printf "%.4f" math.Pi }} {{ math.MaxInt64 }}`, nil, "3.1416 9223372036854775807"},
	}
}
