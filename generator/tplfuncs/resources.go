package tplfuncs

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/agora-hub/agora/generator/assets"
)

// resourcesNS is Hugo's resources namespace: Hugo Pipes (see package
// assets for what each function does).
type resourcesNS struct{ e *env }

func (ns *resourcesNS) pipeline(fn string) (*assets.Pipeline, error) {
	if ns.e.deps.Assets == nil {
		return nil, errNoSite(fn)
	}
	return ns.e.deps.Assets, nil
}

// resourceArg is the resource argument of a pipe function.
func resourceArg(fn string, v any) (*assets.Resource, error) {
	r, ok := v.(*assets.Resource)
	if !ok || r == nil {
		if v == nil || (reflect.ValueOf(v).Kind() == reflect.Pointer && reflect.ValueOf(v).IsNil()) {
			return nil, fail(fn, "the resource is nil (resources.Get found no such file in assets/?)")
		}
		return nil, fail(fn, "want a resource, got %T", v)
	}
	return r, nil
}

// orNil returns a resource, or an untyped nil for none, which prints as
// nothing (a nil *Resource would print "<nil>").
func orNil(r *assets.Resource, err error) (any, error) {
	if r == nil || err != nil {
		return nil, err
	}
	return r, nil
}

// Get is Hugo's resources.Get PATH: nil when assets/ has no such file.
func (ns *resourcesNS) Get(name any) (any, error) {
	p, err := ns.pipeline("resources.Get")
	if err != nil {
		return nil, err
	}
	s, err := str("resources.Get", name)
	if err != nil {
		return nil, err
	}
	return orNil(p.Get(s))
}

// GetMatch is Hugo's resources.GetMatch PATTERN.
func (ns *resourcesNS) GetMatch(pattern any) (any, error) {
	p, err := ns.pipeline("resources.GetMatch")
	if err != nil {
		return nil, err
	}
	s, err := str("resources.GetMatch", pattern)
	if err != nil {
		return nil, err
	}
	r, err := p.GetMatch(s)
	return orNil(r, wrap("resources.GetMatch", err))
}

// Match is Hugo's resources.Match PATTERN.
func (ns *resourcesNS) Match(pattern any) ([]*assets.Resource, error) {
	p, err := ns.pipeline("resources.Match")
	if err != nil {
		return nil, err
	}
	s, err := str("resources.Match", pattern)
	if err != nil {
		return nil, err
	}
	rs, err := p.Match(s)
	return rs, wrap("resources.Match", err)
}

// ByType is Hugo's resources.ByType TYPE: the assets of a main media type
// ("image", "text").
func (ns *resourcesNS) ByType(typ any) ([]*assets.Resource, error) {
	all, err := ns.Match("**")
	if err != nil {
		return nil, err
	}
	t, err := str("resources.ByType", typ)
	if err != nil {
		return nil, err
	}
	var out []*assets.Resource
	for _, r := range all {
		if r.ResourceType() == t {
			out = append(out, r)
		}
	}
	return out, nil
}

// FromString is Hugo's resources.FromString TARGET CONTENT.
func (ns *resourcesNS) FromString(target, content any) (*assets.Resource, error) {
	p, err := ns.pipeline("resources.FromString")
	if err != nil {
		return nil, err
	}
	t, c, err := two("resources.FromString", target, content)
	if err != nil {
		return nil, err
	}
	r, err := p.FromString(t, c)
	return r, wrap("resources.FromString", err)
}

// Concat is Hugo's resources.Concat TARGET RESOURCES.
func (ns *resourcesNS) Concat(target any, list any) (*assets.Resource, error) {
	const fn = "resources.Concat"
	p, err := ns.pipeline(fn)
	if err != nil {
		return nil, err
	}
	t, err := str(fn, target)
	if err != nil {
		return nil, err
	}
	lv := deref(reflect.ValueOf(list))
	if !lv.IsValid() || (lv.Kind() != reflect.Slice && lv.Kind() != reflect.Array) {
		return nil, fail(fn, "want a list of resources, got %T", list)
	}
	rs := make([]*assets.Resource, 0, lv.Len())
	for _, x := range toAnySlice(lv) {
		r, err := resourceArg(fn, x)
		if err != nil {
			return nil, err
		}
		rs = append(rs, r)
	}
	r, err := p.Concat(t, rs)
	return r, wrap(fn, err)
}

// ExecuteAsTemplate is Hugo's resources.ExecuteAsTemplate TARGET CONTEXT
// RESOURCE.
func (ns *resourcesNS) ExecuteAsTemplate(target any, data any, res any) (*assets.Resource, error) {
	const fn = "resources.ExecuteAsTemplate"
	p, err := ns.pipeline(fn)
	if err != nil {
		return nil, err
	}
	t, err := str(fn, target)
	if err != nil {
		return nil, err
	}
	r, err := resourceArg(fn, res)
	if err != nil {
		return nil, err
	}
	out, err := p.ExecuteAsTemplate(t, data, r)
	return out, wrap(fn, err)
}

// Minify is Hugo's minify RESOURCE.
func (*resourcesNS) Minify(res any) (*assets.Resource, error) {
	r, err := resourceArg("minify", res)
	if err != nil {
		return nil, err
	}
	out, err := r.Minify()
	return out, wrap("minify", err)
}

// Fingerprint is Hugo's fingerprint [ALGORITHM] RESOURCE.
func (*resourcesNS) Fingerprint(args ...any) (*assets.Resource, error) {
	const fn = "fingerprint"
	if len(args) < 1 || len(args) > 2 {
		return nil, fail(fn, "want [ALGORITHM] RESOURCE, got %d arguments", len(args))
	}
	r, err := resourceArg(fn, args[len(args)-1])
	if err != nil {
		return nil, err
	}
	algo := ""
	if len(args) == 2 {
		if algo, err = str(fn, args[0]); err != nil {
			return nil, err
		}
	}
	out, err := r.Fingerprint(algo)
	return out, wrap(fn, err)
}

// Copy is Hugo's resources.Copy TARGET RESOURCE.
func (ns *resourcesNS) Copy(target any, res any) (*assets.Resource, error) {
	const fn = "resources.Copy"
	p, err := ns.pipeline(fn)
	if err != nil {
		return nil, err
	}
	t, err := str(fn, target)
	if err != nil {
		return nil, err
	}
	r, err := resourceArg(fn, res)
	if err != nil {
		return nil, err
	}
	b, err := r.Bytes()
	if err != nil {
		return nil, wrap(fn, err)
	}
	out, err := p.FromString(t, string(b))
	return out, wrap(fn, err)
}

// ToCSS is Hugo 0.111's resources.ToCSS [OPTIONS] RESOURCE, now css.Sass.
func (*resourcesNS) ToCSS(args ...any) (*assets.Resource, error) { return toCSS("toCSS", args) }

// PostProcess is Hugo's resources.PostProcess: Agora publishes resources
// after the build anyway, so the resource is returned as it is.
func (*resourcesNS) PostProcess(res any) (*assets.Resource, error) {
	return resourceArg("resources.PostProcess", res)
}

// Publish is Hugo's resources.Publish RESOURCE.
func (*resourcesNS) Publish(res any) (string, error) {
	r, err := resourceArg("resources.Publish", res)
	if err != nil {
		return "", err
	}
	return r.Publish(), nil
}

func (*resourcesNS) GetRemote(args ...any) (any, error) {
	return nil, notImplemented("resources.GetRemote", "Agora builds without the network; download the file into assets/ and use resources.Get")
}

func (*resourcesNS) PostCSS(args ...any) (any, error) { return nil, errPostCSS }

// errPostCSS is what postCSS says under either of its names.
var errPostCSS = notImplemented("postCSS", "run PostCSS before the build and put the result in assets/")

func (*resourcesNS) Babel(args ...any) (any, error) {
	return nil, notImplemented("babel", "run Babel before the build and put the result in assets/")
}

// Key is an internal Hugo function.
func (*resourcesNS) Key(args ...any) (string, error) {
	return "", notImplemented("resources.Key", "")
}

// toCSS reads [OPTIONS] RESOURCE for toCSS and css.Sass.
func toCSS(fn string, args []any) (*assets.Resource, error) {
	if len(args) < 1 || len(args) > 2 {
		return nil, fail(fn, "want [OPTIONS] RESOURCE, got %d arguments", len(args))
	}
	r, err := resourceArg(fn, args[len(args)-1])
	if err != nil {
		return nil, err
	}
	var opt assets.SassOptions
	if len(args) == 2 && args[0] != nil {
		m, ok := args[0].(map[string]any)
		if !ok {
			return nil, fail(fn, "options must be a dict, got %T", args[0])
		}
		for k, v := range m {
			switch strings.ToLower(k) {
			case "targetpath":
				opt.TargetPath, err = str(fn, v)
			case "outputstyle":
				opt.OutputStyle, err = str(fn, v)
			case "transpiler":
				opt.Transpiler, err = str(fn, v)
			case "includepaths":
				lv := deref(reflect.ValueOf(v))
				if !lv.IsValid() || lv.Kind() != reflect.Slice {
					return nil, fail(fn, "includePaths must be a list")
				}
				for _, x := range toAnySlice(lv) {
					s, err := str(fn, x)
					if err != nil {
						return nil, err
					}
					opt.IncludePaths = append(opt.IncludePaths, s)
				}
			case "enablesourcemap", "sourcemap", "precision", "silencedeprecations", "sourcemapincludesources":
				// Source maps and precision: the compiler's defaults.
			case "vars":
				return nil, notImplemented(fn+" vars", "define the variables in a Sass file of the site and @import it")
			default:
				return nil, fail(fn, "unknown option %q", k)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	out, err := r.ToCSS(opt)
	if err != nil {
		return nil, &funcError{fn: fn, err: fmt.Errorf("%w", err)}
	}
	return out, nil
}

// cssNS is Hugo's css namespace.
type cssNS struct{ e *env }

// Sass is Hugo's css.Sass [OPTIONS] RESOURCE (also toCSS).
func (*cssNS) Sass(args ...any) (*assets.Resource, error) { return toCSS("css.Sass", args) }

// Quoted and Unquoted are Hugo's markers for Sass variables.
func (*cssNS) Quoted(v any) (string, error) {
	s, err := str("css.Quoted", v)
	return `"` + s + `"`, err
}

func (*cssNS) Unquoted(v any) (string, error) { return str("css.Unquoted", v) }

func (*cssNS) PostCSS(args ...any) (any, error) { return nil, errPostCSS }

func (*cssNS) TailwindCSS(args ...any) (any, error) {
	return nil, notImplemented("css.TailwindCSS", "run the Tailwind CLI before the build and put the result in assets/")
}

func (*cssNS) Build(args ...any) (any, error) {
	return nil, notImplemented("css.Build", "")
}

func (*cssNS) ChromaStyles(args ...any) (any, error) {
	return nil, notImplemented("css.ChromaStyles", "")
}

// resourcesExamples document the resources namespace; TestExamples runs them.
func resourcesExamples() []Example {
	return []Example{
		{"resources.Get", `{{ with resources.Get "css/main.css" }}{{ .RelPermalink }} {{ .MediaType.Type }} {{ .MediaType.SubType }} {{ .Name }}{{ end }} [{{ resources.Get "css/none.css" }}]`, nil, "/hub/css/main.css text/css css css/main.css []"},
		{"minify", `{{ (resources.Get "css/main.css" | minify).Content }} {{ (resources.Get "css/main.css" | resources.Minify).RelPermalink }}`, nil, "body{color:red} /hub/css/main.min.css"},
		{"fingerprint", `{{ with resources.Get "css/main.css" | fingerprint }}{{ .RelPermalink }} {{ .Data.Integrity }}{{ end }}`, nil, "/hub/css/main.b38359249e46078f4336820076323ec79e268ea919f131f2a76b9dc035849384.css sha256-s4NZJJ5GB49DNoIAdjI&#43;x54mjqkZ8THyp2udwDWEk4Q="},
		{"resources.FromString", `{{ (resources.FromString "a/b.txt" "hi").Permalink }}`, nil, "https://example.org/hub/a/b.txt"},
		{"resources.Concat", `{{ (slice (resources.Get "js/a.js") (resources.Get "js/b.js") | resources.Concat "js/all.js").Content }}`, nil, "var a = 1\n;\nvar b = 2;\n"},
		{"resources.Match", `{{ range resources.Match "js/*.js" }}{{ .Name }};{{ end }} {{ (resources.GetMatch "**.css").Name }}`, nil, "js/a.js;js/b.js; css/main.css"},
		{"toCSS", `{{ (resources.Get "css/main.css" | toCSS).RelPermalink }}`, nil, "/hub/css/main.css"},
		{"resources.ToCSS", `{{ (resources.Get "css/main.css" | resources.ToCSS).Name }}`, nil, "css/main.css"},
		{"css.Sass", `{{ (resources.Get "css/main.css" | css.Sass (dict "targetPath" "out/x.css")).RelPermalink }}`, nil, "/hub/out/x.css"},
		{"resources.GetRemote", `{{ resources.GetRemote "https://example.org/x.json" }}`, nil, "error: Agora builds without the network"},
	}
}
