package diag

import (
	"github.com/BurntSushi/toml"

	"errors"
	"strings"
	"testing"
)

func TestKeyLine(t *testing.T) {
	src := []byte(`title = "x"
paginate = 5

[params]
author = "a"

[[menu.main]]
name = "Tips"
[markup]
unsafe = true # comment
"quoted" = 1
`)
	cases := []struct {
		key  []string
		want int
	}{
		{[]string{"title"}, 1},
		{[]string{"paginate"}, 2},
		{[]string{"params"}, 4},
		{[]string{"params", "author"}, 5},
		{[]string{"menu", "main"}, 7},
		{[]string{"markup", "unsafe"}, 10},
		{[]string{"markup", "quoted"}, 11},
		{[]string{"nope"}, 0},
	}
	for _, c := range cases {
		if got := KeyLine(src, c.key); got != c.want {
			t.Errorf("KeyLine(%v) = %d, want %d", c.key, got, c.want)
		}
	}
}

func TestListSortsByPosition(t *testing.T) {
	var l List
	l.Add(At("b.md", 3, "third"))
	l.Add(nil)
	l.Add(errors.Join(At("a.md", 9, "second"), At("a.md", 2, "first")))
	err := l.Err()
	want := "a.md:2: first\na.md:9: second\nb.md:3: third"
	if err == nil || err.Error() != want {
		t.Errorf("got %q, want %q", err, want)
	}
	if l.Len() != 3 {
		t.Errorf("Len = %d", l.Len())
	}
	var empty List
	if empty.Err() != nil {
		t.Error("empty list has an error")
	}
	if !strings.HasPrefix(At("", 0, "plain").Error(), "plain") {
		t.Error("an error with no file should print just the message")
	}
}

func TestTOMLMessage(t *testing.T) {
	tests := []struct{ src, want string }{
		{"paginate = \"ten\"\n", "paginate: want a whole number, got a string"},
		{"a = 1\nunsafe = 3\n", "unsafe: want true or false, got a whole number"},
	}
	for _, tc := range tests {
		var v struct {
			Paginate int  `toml:"paginate"`
			Unsafe   bool `toml:"unsafe"`
			A        int  `toml:"a"`
		}
		_, err := toml.Decode(tc.src, &v)
		if err == nil {
			t.Fatalf("%q decoded", tc.src)
		}
		if got := TOMLMessage(err); got != tc.want {
			t.Errorf("TOMLMessage(%q) = %q, want %q", err, got, tc.want)
		}
	}
}
