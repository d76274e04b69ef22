// Package nesting measures how deeply tables and arrays nest in front
// matter and site.toml, so that hostile input is refused before a decoder
// spends seconds and gigabytes on it.
//
// Depth counts the tables and arrays around a value below the top level:
// title = "x" is 0, a key of [params] is 1, x = [[1]] reaches 2, and
// [[resources]] with [resources.params] reaches 3.
package nesting

// MaxDepth is how deeply front matter and site.toml may nest. The TOML
// decoder's cost per byte grows with depth (each nested key is stored
// under its full path): 40 KB of inline tables 10,000 deep took 75 s and
// 4 GB, while at depth 16 the worst 256 KiB of front matter (the most a
// page may have) decodes in about 2 s. Hugo's own deepest front matter ([[cascade]] with
// [cascade._target], a resource's params, a page builder's blocks) is 3 to
// 6 levels deep, so 16 fails no real page.
const MaxDepth = 16

// TOML scans TOML source without decoding it and returns the 1-based line
// where the nesting first goes deeper than max, or 0 when it never does.
// Strings and comments are skipped; a value's depth is the depth of its
// table (from the last [header], one per dotted part), plus one per dotted
// part of its key, plus one per enclosing array or inline table.
func TOML(src []byte, max int) int {
	line := 1
	var stack []int             // depth of the values inside each open [ or {
	var braces []bool           // whether each open bracket is an inline table
	table := 0                  // depth of the current [table]'s keys
	inKey := true               // reading a key (before '=')
	dots := 0                   // dotted parts of the key so far
	cur := 0                    // depth of the next value
	lineStart := true           // nothing but blanks since the newline
	arrays := map[string]bool{} // keys of the [[arrays of tables]] so far
	top := func() int {
		if len(stack) == 0 {
			return table
		}
		return stack[len(stack)-1]
	}
	for i := 0; i < len(src); i++ {
		c := src[i]
		switch c {
		case '\n':
			line++
			lineStart = true
			if len(stack) == 0 {
				inKey, dots = true, 0
			}
			continue
		case ' ', '\t', '\r':
			continue
		case '#':
			for i+1 < len(src) && src[i+1] != '\n' {
				i++
			}
			continue
		case '"', '\'':
			var newlines int
			i, newlines = skipString(src, i)
			line += newlines
		case '[':
			if lineStart && len(stack) == 0 {
				// A [table] or [[array of tables]] header.
				var d, newlines int
				d, i, newlines = header(src, i, arrays, max)
				line += newlines
				table = d
				if d > max {
					return line
				}
				inKey, dots = true, 0
				lineStart = false
				continue
			}
			fallthrough
		case '{':
			if inKey {
				break // not TOML; the decoder will say so
			}
			cur++
			if cur > max {
				return line
			}
			stack = append(stack, cur)
			braces = append(braces, c == '{')
			if c == '{' {
				inKey, dots = true, 0
			}
		case ']', '}':
			if len(stack) > 0 {
				stack, braces = stack[:len(stack)-1], braces[:len(braces)-1]
			}
			cur = top()
			inKey = false
		case ',':
			if len(braces) > 0 && braces[len(braces)-1] {
				inKey, dots = true, 0
			}
			cur = top()
		case '.':
			if inKey {
				dots++
			}
		case '=':
			if inKey {
				cur = top() + dots
				if cur > max {
					return line
				}
				inKey = false
			}
		}
		lineStart = false
	}
	return 0
}

// header reads the [table] or [[array of tables]] header at src[i] and
// returns the depth of its keys and the index of its last byte. A key part
// that is an array of tables adds a level (its last table), so arrays
// remembers them. Quoted parts are compared as written: escapes that spell
// a bare key differently could hide one level per part, so at worst the
// real depth is twice the limit, still bounded.
func header(src []byte, i int, arrays map[string]bool, max int) (depth, end, newlines int) {
	array := i+1 < len(src) && src[i+1] == '['
	if array {
		i++
	}
	var parts []string
	var part []byte
	for i++; i < len(src) && src[i] != ']' && src[i] != '\n'; i++ {
		switch c := src[i]; c {
		case '.':
			parts, part = append(parts, string(part)), nil
			if len(parts) > max {
				return len(parts), i, newlines // too deep already
			}
		case ' ', '\t':
		case '"', '\'':
			end, n := skipString(src, i)
			newlines += n
			part = append(part, src[i:end+1]...)
			i = end
		default:
			part = append(part, c)
		}
	}
	parts = append(parts, string(part))
	if array && i+1 < len(src) && src[i+1] == ']' {
		i++
	}
	depth = len(parts)
	key := ""
	for n, p := range parts {
		key += "\x00" + p
		if arrays[key] && n < len(parts)-1 {
			depth++
		}
	}
	if array {
		arrays[key] = true
		depth++
	}
	return depth, min(i, len(src)-1), newlines
}

// skipString returns the index of the last byte of the TOML string that
// opens at src[i] (basic, literal, or either multi-line form) and how many
// newlines it holds. An unterminated string runs to the end of its line
// (the decoder reports it), or of the input for a multi-line one.
func skipString(src []byte, i int) (end, newlines int) {
	q := src[i]
	multi := i+2 < len(src) && src[i+1] == q && src[i+2] == q
	j := i + 1
	if multi {
		j = i + 3
	}
	for ; j < len(src); j++ {
		switch c := src[j]; {
		case c == '\\' && q == '"':
			if j+1 < len(src) && src[j+1] == '\n' {
				newlines++
			}
			j++
		case c == '\n':
			if !multi {
				return j - 1, newlines
			}
			newlines++
		case c == q:
			if !multi {
				return j, newlines
			}
			if j+2 < len(src) && src[j+1] == q && src[j+2] == q {
				// Up to two more quotes may belong to the string.
				j += 2
				for j+1 < len(src) && src[j+1] == q {
					j++
				}
				return j, newlines
			}
		}
	}
	return len(src) - 1, newlines
}

// Value returns how deeply a decoded value nests (0 for a scalar, 1 for a
// table or list of scalars, …), stopping once it passes max. Any decoder's
// result can be checked with it: YAML and JSON front matter too.
func Value(v any, max int) int {
	var children []any
	switch x := v.(type) {
	case map[string]any:
		for _, e := range x {
			children = append(children, e)
		}
	case []map[string]any:
		for _, e := range x {
			children = append(children, e)
		}
	case []any:
		children = x
	default:
		return 0
	}
	if max < 0 {
		return 1
	}
	deepest := 0
	for _, e := range children {
		if d := Value(e, max-1); d > deepest {
			deepest = d
			if deepest > max {
				break
			}
		}
	}
	return 1 + deepest
}

// Keys returns how deeply the values of a decoded top-level table nest,
// and the key holding the deepest one, stopping once past max.
func Keys(top map[string]any, max int) (depth int, key string) {
	for k, v := range top {
		if d := Value(v, max); d > depth {
			depth, key = d, k
			if depth > max {
				break
			}
		}
	}
	return depth, key
}
