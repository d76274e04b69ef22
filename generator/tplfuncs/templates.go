package tplfuncs

// templatesNS is Hugo's templates namespace.
type templatesNS struct{ e *env }

// Exists is Hugo's templates.Exists NAME: whether the layout exists, its
// path relative to layouts/ ("partials/x.html").
func (ns *templatesNS) Exists(name string) bool {
	return ns.e.deps.Partials != nil && ns.e.deps.Partials.Exists(name)
}

func (*templatesNS) Defer(args ...any) (bool, error) {
	return false, notImplemented("templates.Defer", "render the content directly")
}

func (*templatesNS) DoDefer(args ...any) (string, error) {
	return "", notImplemented("doDefer", "")
}

func (*templatesNS) Inner(args ...any) (string, error) {
	return "", notImplemented("inner", "partial decorators (Hugo 0.156) are not supported")
}

func (*templatesNS) Current() (any, error) {
	return nil, notImplemented("templates.Current", "")
}

// templatesExamples document the templates namespace; TestExamples runs them.
func templatesExamples() []Example {
	return []Example{
		{"templates.Exists", `{{ templates.Exists "partials/greet.html" }} {{ templates.Exists "partials/nope.html" }}`, nil, "true false"},
	}
}
