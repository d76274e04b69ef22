package tplfuncs

// The namespaces below are registered so that themes using them parse;
// their functions need tools Agora does not run (Node.js, esbuild, remote
// fetching), and fail when called, saying what to do instead.

// dataNS is Hugo 0.111's data namespace (getJSON, getCSV), removed in
// Hugo 0.141.
type dataNS struct{ e *env }

func (*dataNS) GetJSON(args ...any) (any, error) {
	return nil, notImplemented("getJSON", "Agora builds without the network; put the data in data/ or assets/ and use transform.Unmarshal")
}

func (*dataNS) GetCSV(args ...any) (any, error) {
	return nil, notImplemented("getCSV", "Agora builds without the network; put the file in assets/ and use transform.Unmarshal")
}

// jsNS is Hugo's js namespace (esbuild and Babel).
type jsNS struct{ e *env }

func (*jsNS) Build(args ...any) (any, error) {
	return nil, notImplemented("js.Build", "bundle your scripts before the build, put the result in assets/ and use resources.Get")
}

func (*jsNS) Babel(args ...any) (any, error) {
	return nil, notImplemented("babel", "run Babel before the build and put the result in assets/")
}

func (*jsNS) Batch(args ...any) (any, error) {
	return nil, notImplemented("js.Batch", "")
}

// diagramsNS is Hugo's diagrams namespace.
type diagramsNS struct{ e *env }

func (*diagramsNS) Goat(args ...any) (any, error) {
	return nil, notImplemented("diagrams.Goat", "")
}

// openapi3NS is Hugo's openapi3 namespace.
type openapi3NS struct{ e *env }

func (*openapi3NS) Unmarshal(args ...any) (any, error) {
	return nil, notImplemented("openapi3.Unmarshal", "use transform.Unmarshal on the resource")
}
