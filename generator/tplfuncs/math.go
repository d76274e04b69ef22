package tplfuncs

import (
	"math"
	"reflect"
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
