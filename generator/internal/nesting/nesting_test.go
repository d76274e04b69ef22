package nesting

import (
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

// TestScanAgreesWithDecoder checks the scan of the source against the
// depth of what the TOML decoder makes of it, on the shapes nesting takes
// and on text that only looks like nesting (strings, comments).
func TestScanAgreesWithDecoder(t *testing.T) {
	for _, src := range []string{
		`title = "x"`,
		"[params]\nx = 1",
		"x = [[1]]",
		"x = {a = {b = 1}}",
		"a.b.c = 1",
		`"a.b".c = 1`,
		"[a.b.c]\nx = 1",
		`[a."b.c".d]` + "\nx = [1]",
		"[[resources]]\nsrc = \"a\"\n[resources.params]\ncredits = [\"x\"]",
		"[[a]]\n[[a.b]]\n[[a.b.c]]\n[a.b.c.d]\nx = 1",
		"[[ a ]]\n[ a . \"b\" ]\nx = [1]",
		"[[a.b]]\n[[a.b.c]]\nx = {y = [{z = 1}]}",
		`x = "[[[[[[[[[[[[[[[[[[[[[[["`,
		`x = '{{{{{{{{{{{{{{{{{{{{{{{{{'`,
		"x = '''\n[[[[[[[[[[[[[[[[[[[[[[[\n'''",
		`x = """ \" [[[[[[[[[[[[[[[[[[[[[[[[ """`,
		"# [[[[[[[[[[[[[[[[[[[[[[[[[[\nx = 1",
		"x = [ # [[[[[[[[[[[[[[[[[[[[\n1, [2, [3]],\n]",
		"x = [\n  {a = 1},\n  {b = {c = [1]}},\n]",
		"x = " + strings.Repeat("[", 17) + strings.Repeat("]", 17),
		"x = " + strings.Repeat("{a=", 17) + "1" + strings.Repeat("}", 17),
		"x" + strings.Repeat(".a", 17) + " = 1",
		"[x" + strings.Repeat(".a", 16) + "]\nb = 1",
		"[[x" + strings.Repeat(".a", 15) + "]]\nb = 1",
		"[x" + strings.Repeat(".a", 10) + "]\nb" + strings.Repeat(".c", 6) + " = 1",
		"[x" + strings.Repeat(".a", 10) + "]\nb" + strings.Repeat(".c", 4) + " = [[1]]",
	} {
		var v map[string]any
		if _, err := toml.Decode(src, &v); err != nil {
			t.Fatalf("%q does not decode: %v", src, err)
		}
		depth, _ := Keys(v, 100)
		for _, max := range []int{0, 1, 2, 3, 16} {
			line := TOML([]byte(src), max)
			if (line > 0) != (depth > max) {
				t.Errorf("%q: decoded depth %d, scan with max %d says line %d", src, depth, max, line)
			}
		}
	}
}

func TestScanNamesTheLine(t *testing.T) {
	src := "title = \"x\"\n[params]\nok = 1\ndeep = " + strings.Repeat("[", 20) + strings.Repeat("]", 20) + "\n"
	if got := TOML([]byte(src), MaxDepth); got != 4 {
		t.Errorf("line %d, want 4", got)
	}
}

// TestValue covers the shapes other decoders make (YAML, JSON).
func TestValue(t *testing.T) {
	deep := any("x")
	for range 20 {
		deep = []any{map[string]any{"a": deep}}
	}
	for _, tc := range []struct {
		v    any
		want int
	}{
		{"x", 0},
		{map[string]any{"a": 1}, 1},
		{[]any{[]any{1}}, 2},
		{[]map[string]any{{"a": []any{1}}}, 3},
		{deep, 11}, // or more: it stops once past 10
	} {
		if got := Value(tc.v, 10); got != tc.want && !(tc.want > 10 && got > 10) {
			t.Errorf("Value(%v) = %d, want %d", tc.v, got, tc.want)
		}
	}
}
