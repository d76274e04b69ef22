package tplfuncs

import "reflect"

// reflectNS is Hugo's reflect namespace.
type reflectNS struct{ e *env }

// IsMap is Hugo's reflect.IsMap.
func (*reflectNS) IsMap(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.IsValid() && rv.Kind() == reflect.Map
}

// IsSlice is Hugo's reflect.IsSlice: slices and arrays.
func (*reflectNS) IsSlice(v any) bool {
	rv := reflect.ValueOf(v)
	return rv.IsValid() && (rv.Kind() == reflect.Slice || rv.Kind() == reflect.Array)
}

// hasMethods reports whether v has every one of the methods, Agora's way
// of telling a page, a site or a resource without importing their
// packages.
func hasMethods(v any, names ...string) bool {
	rv := reflect.ValueOf(v)
	if !rv.IsValid() {
		return false
	}
	for _, n := range names {
		if !rv.MethodByName(n).IsValid() {
			return false
		}
	}
	return true
}

// IsPage is Hugo's reflect.IsPage.
func (*reflectNS) IsPage(v any) bool {
	return hasMethods(v, "Kind", "RelPermalink", "Params", "IsPage")
}

// IsSite is Hugo's reflect.IsSite.
func (*reflectNS) IsSite(v any) bool { return hasMethods(v, "RegularPages", "BaseURL", "Taxonomies") }

// IsResource is Hugo's reflect.IsResource.
func (*reflectNS) IsResource(v any) bool {
	return hasMethods(v, "MediaType", "RelPermalink", "ResourceType") || hasMethods(v, "MediaType", "RelPermalink", "Content")
}

// IsImageResource is Hugo's reflect.IsImageResource.
func (ns *reflectNS) IsImageResource(v any) bool {
	if !ns.IsResource(v) {
		return false
	}
	if m := reflect.ValueOf(v).MethodByName("ResourceType"); m.IsValid() && m.Type().NumIn() == 0 && m.Type().NumOut() == 1 {
		out := m.Call(nil)[0]
		return out.Kind() == reflect.String && out.String() == "image"
	}
	return hasMethods(v, "Width", "Height")
}

// IsImageResourceProcessable is Hugo's reflect.IsImageResourceProcessable.
func (ns *reflectNS) IsImageResourceProcessable(v any) bool {
	return ns.IsImageResource(v) && hasMethods(v, "Resize", "Fill")
}

// IsImageResourceWithMeta is Hugo's reflect.IsImageResourceWithMeta.
func (ns *reflectNS) IsImageResourceWithMeta(v any) bool {
	return ns.IsImageResource(v) && hasMethods(v, "Exif")
}

// reflectExamples document the reflect namespace; TestExamples runs them.
func reflectExamples() []Example {
	return []Example{
		{"reflect.IsMap", `{{ reflect.IsMap (dict) }} {{ reflect.IsMap (slice) }}`, nil, "true false"},
		{"reflect.IsSlice", `{{ reflect.IsSlice (slice) }} {{ reflect.IsSlice "s" }}`, nil, "true false"},
		{"reflect.IsResource", `{{ reflect.IsResource (resources.Get "css/main.css") }} {{ reflect.IsImageResource (resources.Get "css/main.css") }} {{ reflect.IsPage 1 }}`, nil, "true false false"},
	}
}
