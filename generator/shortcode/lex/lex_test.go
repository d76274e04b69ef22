package lex

import (
	"fmt"
	"strings"
	"testing"
)

// show renders tokens compactly: text:[…], <, >, %<, >%, /, name:x,
// param:x, "param", value:x, "value".
func show(toks []Token) string {
	var out []string
	for _, t := range toks {
		switch t.Kind {
		case Text:
			out = append(out, "text:["+t.Val+"]")
		case LeftDelim:
			out = append(out, t.Val)
		case RightDelim:
			out = append(out, t.Val)
		case Close:
			out = append(out, "/")
		case Name:
			if t.Inline {
				out = append(out, "inline:"+t.Val)
			} else {
				out = append(out, "name:"+t.Val)
			}
		case Param, Value:
			v := t.Val
			if t.Quoted {
				v = `"` + v + `"`
			}
			out = append(out, t.Kind.String()+":"+v)
		}
	}
	return strings.Join(out, " ")
}

func TestLex(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
	}{
		{"plain text", "Hello {{ .Title }} {world}", "text:[Hello {{ .Title }} {world}]"},
		{"empty", "", ""},
		{"self-contained call", "a {{< youtube abc-1_2 >}} b", "text:[a ] {{< name:youtube param:abc-1_2 >}} text:[ b]"},
		{"markup delimiters", "{{% note %}}", "{{% name:note %}}"},
		{"no space", "{{<x>}}", "{{< name:x >}}"},
		{"spaces and newlines inside", "{{<\n  figure\n  src=\"a.jpg\"\n>}}", `{{< name:figure param:src value:"a.jpg" >}}`},
		{"paired", "{{< details >}}in{{< /details >}}", "{{< name:details >}} text:[in] {{< / name:details >}}"},
		{"closing with spaces", "{{< x >}}{{<  / x  >}}", "{{< name:x >}} {{< / name:x >}}"},
		{"self-closing", "{{< x />}}", "{{< name:x / >}}"},
		{"self-closing with args", `{{< x a "b" / >}}`, `{{< name:x param:a param:"b" / >}}`},
		{"nested", "{{< a >}}{{% b %}}t{{% /b %}}{{< /a >}}", "{{< name:a >}} {{% name:b %}} text:[t] {{% / name:b %}} {{< / name:a >}}"},
		{"folder name", "{{< ui/button >}}", "{{< name:ui/button >}}"},
		{"inline name", "{{< time.inline >}}{{ now }}{{< /time.inline >}}", "{{< inline:time.inline >}} text:[{{ now }}] {{< / inline:time.inline >}}"},
		{"positional quoted", `{{< highlight go "linenos=table,hl_lines=2" >}}`, `{{< name:highlight param:go param:"linenos=table,hl_lines=2" >}}`},
		{"escaped quote inside", `{{< x "say \"hi\"" >}}`, `{{< name:x param:"say "hi"" >}}`},
		{"escaped quotes around", `{{< x \"a b\" >}}`, `{{< name:x param:"a b" >}}`},
		{"raw string", "{{< x `a \"b\"\nc` >}}", "{{< name:x param:\"a \"b\"\nc\" >}}"},
		{"named raw", "{{< x a=`1` >}}", `{{< name:x param:a value:"1" >}}`},
		{"named bare value runs to space", "{{< figure src=/img/a.jpg?w=1 >}}", "{{< name:figure param:src value:/img/a.jpg?w=1 >}}"},
		{"named with spaces around =", `{{< x a = "1" >}}`, `{{< name:x param:a value:"1" >}}`},
		{"numbers and bools", "{{< x 1 -2 0.5 1.5 true >}}", "{{< name:x param:1 param:-2 param:0.5 param:1.5 param:true >}}"},
		{"named float", "{{< x a=.5 >}}", "{{< name:x param:a value:.5 >}}"},
		{"unicode words", "{{< x größe >}}", "{{< name:x param:größe >}}"},
		{"escaped call is text", "a {{</* youtube x */>}} b", "text:[a {{< youtube x >}} b]"},
		{"escaped markup call", "{{%/* note */%}}", "text:[{{% note %}}]"},
		{"escaped closing", "{{</* /x */>}}", "text:[{{< /x >}}]"},
		{"triple brace", "{{{< x >}}", "text:[{] {{< name:x >}}"},
		{"lone braces", "{{ and {{", "text:[{{ and {{]"},
		{"delimiter in text after", "x >}} y", "text:[x >}} y]"},
		{"code fence", "```\n{{< x >}}\n```", "text:[```\n] {{< name:x >}} text:[\n```]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			toks, err := Lex([]byte(tc.in))
			if err != nil {
				t.Fatalf("Lex(%q): %v", tc.in, err)
			}
			if got := show(toks); got != tc.want {
				t.Errorf("Lex(%q)\n got %s\nwant %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestLexPositions(t *testing.T) {
	toks, err := Lex([]byte("ab{{< x y=\"1\" >}}"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tk := range toks {
		got = append(got, fmt.Sprintf("%s@%d", tk.Kind, tk.Pos))
	}
	want := "text@0 left-delim@2 name@6 param@8 value@10 right-delim@14"
	if strings.Join(got, " ") != want {
		t.Errorf("got %s\nwant %s", strings.Join(got, " "), want)
	}
}

func TestLexErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		pos      int
		msg      string
	}{
		{"unclosed call", "ab {{< x ", 3, "is not closed by >}}"},
		{"wrong right delimiter", "{{< x %}}", 6, `unexpected '%'`},
		{"unquoted path", "{{< figure /a.jpg >}}", 11, "must be quoted"},
		{"closing none open", "{{< /x >}}", 4, "no shortcode is open"},
		{"closing not open", "{{< a >}}{{< /b >}}", 14, `closing tag for shortcode "b", which is not open`},
		{"closing with args", "{{< a >}}{{< /a b >}}", 16, "takes no arguments"},
		{"mix positional then named", `{{< x a b=1 >}}`, 8, "named argument \"b\" after positional"},
		{"mix named then positional", `{{< x b=1 a >}}`, 10, "positional argument \"a\" after named"},
		{"mix named then quoted", `{{< x b=1 "a" >}}`, 10, "quoted positional argument after named"},
		{"unterminated quote", `{{< x "abc >}}`, 6, "unterminated quoted string"},
		{"newline in quote", "{{< x \"a\nb\" >}}", 6, "a line ends inside the quotes"},
		{"unterminated raw", "{{< x `abc >}}", 6, "unterminated raw string"},
		{"unclosed escape", "{{</* x >}}", 0, "is not closed by */>}}"},
		{"dot in name", "{{< a.b >}}", 5, "only allowed in name.inline"},
		{"slash not at end", "{{< x / y >}}", 6, "must be followed by >}}"},
		{"empty value", "{{< x a= >}}", 9, "needs a value"},
		{"equals before name", "{{< =x >}}", 4, "before the shortcode's name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Lex([]byte(tc.in))
			le, ok := err.(*Error)
			if !ok {
				t.Fatalf("Lex(%q) = %v, want a *lex.Error", tc.in, err)
			}
			if le.Pos != tc.pos || !strings.Contains(le.Msg, tc.msg) {
				t.Errorf("Lex(%q) = %d %q, want %d and %q", tc.in, le.Pos, le.Msg, tc.pos, tc.msg)
			}
		})
	}
}

func TestTyped(t *testing.T) {
	for _, tc := range []struct {
		tok  Token
		want any
	}{
		{Token{Val: "true"}, true},
		{Token{Val: "false"}, false},
		{Token{Val: "42"}, 42},
		{Token{Val: "-7"}, -7},
		{Token{Val: "+3"}, 3},
		{Token{Val: "1.5"}, 1.5},
		{Token{Val: ".5"}, 0.5},
		{Token{Val: "1."}, "1."},
		{Token{Val: "1e3"}, "1e3"},
		{Token{Val: "True"}, "True"},
		{Token{Val: "abc"}, "abc"},
		{Token{Val: "42", Quoted: true}, "42"},
		{Token{Val: "true", Quoted: true}, "true"},
	} {
		if got := tc.tok.Typed(); got != tc.want {
			t.Errorf("Typed(%q quoted=%v) = %#v, want %#v", tc.tok.Val, tc.tok.Quoted, got, tc.want)
		}
	}
}

// FuzzLex checks that the lexer never panics, that positions are in range
// and increasing, and that text tokens outside escapes are the source.
func FuzzLex(f *testing.F) {
	for _, s := range []string{
		"a {{< x y=\"1\" >}} b", "{{% a %}}{{< b />}}{{% /a %}}", "{{</* x */>}}",
		"{{< x `raw\n` \\\"q\\\" >}}", "{{{< x >}}", "{{< a.inline >}}{{< /a.inline >}}",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		toks, err := Lex([]byte(in))
		if err != nil {
			le, ok := err.(*Error)
			if !ok || le.Pos < 0 || le.Pos > len(in) {
				t.Fatalf("Lex(%q): bad error %#v", in, err)
			}
			return
		}
		last := -1
		for _, tk := range toks {
			if tk.Pos < last || tk.Pos > len(in) {
				t.Fatalf("Lex(%q): token %v at %d after %d", in, tk.Kind, tk.Pos, last)
			}
			last = tk.Pos
			if tk.Kind == Name && tk.Val == "" {
				t.Fatalf("Lex(%q): empty name", in)
			}
		}
	})
}
