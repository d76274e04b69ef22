package page

import (
	"slices"
	"testing"
)

// TestTracker: what units record, and what an edit to a page then reaches.
func TestTracker(t *testing.T) {
	tr := NewTracker()
	s := &Site{tracker: tr}
	a := &Page{site: s, path: "/tips/a/"}
	b := &Page{site: s, path: "/tips/b/"}
	c := &Page{site: s, path: "/tips/c/"}
	section := &Page{site: s, path: "/tips/", children: []*Page{a, b, c}}
	a.prev, b.next = b, a

	run := func(unit string, fn func()) {
		leave := tr.Enter(unit)
		defer leave()
		fn()
	}
	run("list /tips/", func() { section.Pages(); tr.read(a) })
	run("page /tips/a/", func() { s.MarkReached(a); tr.read(a); a.Prev() })
	run("page /tips/c/", func() { s.MarkReached(c); tr.read(c) })
	s.reachList(nil, "RegularPages", section.children) // outside any unit: not kept
	tr.read(b)                                         // a body read outside any unit is kept as ""

	tests := []struct {
		name string
		got  []string
		want []string
	}{
		{"readers of a", tr.Readers(a.path), []string{"list /tips/", "page /tips/a/"}},
		{"readers of b", tr.Readers(b.path), []string{""}},
		{"reachers of a", tr.Reachers(a.path), []string{"list /tips/", "page /tips/a/"}},
		{"reachers of b (a's Prev)", tr.Reachers(b.path), []string{"list /tips/", "page /tips/a/"}},
		{"reachers of c", tr.Reachers(c.path), []string{"list /tips/", "page /tips/c/"}},
	}
	for _, tc := range tests {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s = %q, want %q", tc.name, tc.got, tc.want)
		}
	}

	// Running a unit again starts its record afresh.
	run("page /tips/a/", func() { s.MarkReached(a); tr.read(a) })
	if got := tr.Reachers(b.path); !slices.Equal(got, []string{"list /tips/"}) {
		t.Errorf("after a's page ran again without .Prev, reachers of b = %q", got)
	}
	tr.Forget("list /tips/")
	if got := tr.Readers(a.path); !slices.Equal(got, []string{"page /tips/a/"}) {
		t.Errorf("after forgetting the list, readers of a = %q", got)
	}
	uses := tr.Lists()
	if use, ok := uses[ListKey{Owner: "/tips/", Name: "Pages"}]; ok && len(use.Units) > 0 {
		t.Errorf("a forgotten unit still uses the section's Pages: %+v", use)
	}
	if use := uses[ListKey{Owner: "/tips/a/", Name: "self"}]; !slices.Equal(use.Members, []string{"/tips/a/"}) {
		t.Errorf("self key = %+v", use)
	}
}
