package tplfuncs

import "github.com/gobuffalo/flect"

// inflectNS is Hugo's inflect namespace. Pluralize and singularize use
// the English rules of the library Hugo uses, gobuffalo/flect.
type inflectNS struct{ e *env }

func (*inflectNS) Humanize(v any) (string, error) { return humanize(v) }

func (*inflectNS) Pluralize(v any) (string, error) {
	s, err := str("pluralize", v)
	return flect.Pluralize(s), err
}

func (*inflectNS) Singularize(v any) (string, error) {
	s, err := str("singularize", v)
	return flect.Singularize(s), err
}

// inflectExamples document the inflect namespace; TestExamples runs them.
func inflectExamples() []Example {
	return []Example{
		{"humanize", `{{ humanize "my-first-post" }}, {{ humanize "myCamelPost" }}, {{ humanize 52 }}, {{ humanize "103" }}`, nil, "My first post, My camel post, 52nd, 103rd"},
		{"pluralize", `{{ pluralize "person" }} {{ pluralize "tip" }}`, nil, "people tips"},
		{"singularize", `{{ singularize "tips" }} {{ inflect.Singularize "categories" }}`, nil, "tip category"},
	}
}
