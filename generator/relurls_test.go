package generator

import "testing"

func TestRelativeURLs(t *testing.T) {
	for _, tc := range []struct {
		in    string
		depth int
		want  string
	}{
		{`<a href="/tips/x/">x</a><img src='/a.png'>`, 2, `<a href="../../tips/x/">x</a><img src='../../a.png'>`},
		{`<a href="/">home</a>`, 0, `<a href="./">home</a>`},
		{`<script src="//cdn.example/x.js"></script><a href="https://e.org/x">`, 1, `<script src="//cdn.example/x.js"></script><a href="https://e.org/x">`},
		{`<p>data-href="/x" and a=b="/y"</p><form action="/s">`, 1, `<p>data-href="/x" and a=b="/y"</p><form action="../s">`},
		{`x="/`, 1, `x="/`},
	} {
		if got := string(relativeURLs([]byte(tc.in), tc.depth)); got != tc.want {
			t.Errorf("relativeURLs(%q, %d)\n got %s\nwant %s", tc.in, tc.depth, got, tc.want)
		}
	}
}
