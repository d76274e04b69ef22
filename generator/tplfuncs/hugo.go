package tplfuncs

// hugo and site are namespaces whose value is an object of the build:
// {{ hugo.Version }} calls the hugo function, then Version on what it
// returns, so the function returns the build's information (Deps.Hugo),
// and site the site (Deps.Site). page, Hugo's current page, needs the
// context Hugo threads through every call, which html/template has not:
// templates use . or $ instead.

func (e *env) hugoValue() (any, error) {
	if e.deps.Hugo == nil {
		return nil, errNoSite("hugo")
	}
	return e.deps.Hugo(), nil
}

func (e *env) siteValue() (any, error) {
	if e.deps.Site == nil {
		return nil, errNoSite("site")
	}
	return e.deps.Site(), nil
}

func (e *env) pageValue() (any, error) {
	return nil, notImplemented("page", "use . or $ (the page the template was given), or .Page in a shortcode")
}
