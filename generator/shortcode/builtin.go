package shortcode

import (
	"errors"
	"fmt"
	"html/template"
	"net/url"
	"strings"

	"github.com/agora-hub/agora/generator/markup"
)

// Built-in shortcodes. Their HTML is the HTML of Hugo's own (0.15x) byte
// for byte, white space included, so a theme's CSS finds what it expects,
// except where Agora differs on purpose:
//
//   - youtube always uses youtube-nocookie.com (Hugo's privacy-enhanced
//     mode) and vimeo always asks for do-not-track (dnt=1): visitors are
//     not tracked by an embed unless they play it.
//   - figure's src, link and attrlink get the site's base path when they
//     are root-relative, as every other link does, and a script URL is an
//     error rather than html/template's #ZgotmplZ.
//   - tweet, x, instagram and gist write a plain link: Hugo fetches the
//     post from the network at build time and adds the service's script;
//     Agora makes no request when building and adds no third-party script.
//   - vimeo never asks Vimeo's oEmbed service (Hugo's "simple" mode does).
//
// They are html/template templates, as Hugo's are, so that their output
// is escaped by the same rules, and a site's layouts/shortcodes/NAME.html
// replaces one by defining the same name.
var builtinTemplates = map[string]string{
	"figure": `<figure{{ with .Get "class" }} class="{{ . }}"{{ end }}>` +
		`{{ with .Get "link" }}<a href="{{ link . }}"{{ with $.Get "target" }} target="{{ . }}"{{ end }}{{ with $.Get "rel" }} rel="{{ . }}"{{ end }}>{{ end }}` +
		`<img src="{{ figureSrc . }}"` +
		`{{ if or (.Get "alt") (.Get "caption") }}` + "\n\t\t\t" + `alt="{{ with .Get "alt" }}{{ . }}{{ else }}{{ .Get "caption" | markdownify | plainify }}{{ end }}"{{ end }}` +
		`{{ with .Get "width" }} width="{{ . }}"{{ end }}{{ with .Get "height" }} height="{{ . }}"{{ end }}{{ with .Get "loading" }} loading="{{ . }}"{{ end }}>` +
		`{{ if .Get "link" }}</a>{{ end }}` +
		`{{ if or (.Get "title") (.Get "caption") (.Get "attr") }}<figcaption>` + "\n\t\t\t" +
		`{{ with .Get "title" }}<h4>{{ . }}</h4>{{ end }}` +
		`{{ if or (.Get "caption") (.Get "attr") }}<p>{{ .Get "caption" | markdownify }}` +
		`{{ with .Get "attrlink" }}` + "\n\t\t\t\t\t\t" + `<a href="{{ link . }}">{{ end }}` +
		`{{ .Get "attr" | markdownify }}{{ if .Get "attrlink" }}</a>{{ end }}</p>{{ end }}` +
		"\n\t\t</figcaption>{{ end }}\n</figure>\n",

	"youtube": `{{ with youtube . }}<div{{ with .Class }} class="{{ . }}"{{ else }} style="position: relative; padding-bottom: 56.25%; height: 0; overflow: hidden;"{{ end }}>` +
		"\n\t\t\t" + `<iframe allow="{{ .Allow }}" loading="{{ .Loading }}" referrerpolicy="strict-origin-when-cross-origin" src="{{ .Src }}"` +
		`{{ if not .Class }} style="position: absolute; top: 0; left: 0; width: 100%; height: 100%; border:0;"{{ end }} title="{{ .Title }}"></iframe>` +
		"\n\t\t</div>\n{{ end }}",

	"vimeo": `{{ with vimeo . }}` + "\n\t\t\t<div\n\t\t\t\t\t" +
		`{{ with .Class }}class="{{ . }}"{{ else }}style="position: relative; padding-bottom: 56.25%; height: 0; overflow: hidden;"{{ end }}>` +
		"\n\t\t\t\t<iframe\n\t\t\t\t\t" + `src="{{ .Src }}"` +
		`{{ if not .Class }}` + "\n\t\t\t\t\t\t" + `style="position: absolute; top: 0; left: 0; width: 100%; height: 100%; border:0;"{{ end }}` +
		`{{ with .Allow }} allow="{{ . }}"{{ end }}{{ with .Loading }} loading="{{ . }}"{{ end }}{{ with .Title }} title="{{ . }}"{{ end }}>` +
		"\n\t\t\t\t</iframe>\n\t\t\t</div>\n{{ end }}",

	"highlight": `{{ highlightCall . .InnerDeindent }}`,

	"details": "\n<details" + `{{ with .Get "class" }} class="{{ . }}"{{ end }}{{ with .Get "name" }} name="{{ . }}"{{ end }}` +
		`{{ if truthy (.Get "open") }} open{{ end }}{{ with .Get "title" }} title="{{ . }}"{{ end }}>` +
		"\n\t<summary>" + `{{ or (.Get "summary") "Details" | markdownify }}</summary>` + "\n\t" +
		`{{ renderBlock .Inner }}</details>` + "\n",

	"param":  `{{ param . }}`,
	"ref":    `{{ ref . true }}`,
	"relref": `{{ ref . false }}`,

	// comment hides its inner content, as Hugo's (deprecated) one does.
	"comment": `{{ if .Inner }}{{ end }}`,

	"x":         `{{ with post . "x" }}<p class="embed embed-x"><a href="{{ .URL }}">{{ .Text }}</a></p>` + "\n{{ end }}",
	"tweet":     `{{ with post . "x" }}<p class="embed embed-x"><a href="{{ .URL }}">{{ .Text }}</a></p>` + "\n{{ end }}",
	"twitter":   `{{ with post . "x" }}<p class="embed embed-x"><a href="{{ .URL }}">{{ .Text }}</a></p>` + "\n{{ end }}",
	"instagram": `{{ with post . "instagram" }}<p class="embed embed-instagram"><a href="{{ .URL }}">{{ .Text }}</a></p>` + "\n{{ end }}",
	"gist":      `{{ with post . "gist" }}<p class="embed embed-gist"><a href="{{ .URL }}">{{ .Text }}</a></p>` + "\n{{ end }}",
}

// BuiltinNames lists the built-in shortcodes.
func BuiltinNames() []string {
	names := make([]string, 0, len(builtinTemplates))
	for n := range builtinTemplates {
		names = append(names, n)
	}
	return names
}

func builtins(r *Renderer) *template.Template {
	root := template.New("").Funcs(template.FuncMap{
		"markdownify": func(v any) template.HTML { return template.HTML(r.md.RenderInline(toString(v))) },
		"renderBlock": func(v template.HTML) template.HTML { return template.HTML(r.md.RenderBlock(string(v))) },
		"plainify":    func(v any) string { return markup.Plainify(toString(v)) },
		"truthy":      truthy,
		"link":        func(v any) (string, error) { return link(r, v) },
		"figureSrc":   func(c *Context) (string, error) { return figureSrc(r, c) },
		"youtube":     youtube,
		"vimeo":       vimeo,
		"highlightCall": func(c *Context, inner template.HTML) (template.HTML, error) {
			lang, _ := c.Get(0).(string)
			var opts any
			if o, ok := c.Get(1).(string); ok {
				opts = o
			}
			code := strings.Trim(string(inner), "\n\r")
			out, err := r.hl.Highlight(code, lang, opts)
			return template.HTML(out), err
		},
		"param": param,
		"ref": func(c *Context, abs bool) (string, error) {
			target, _ := c.Get(0).(string)
			if c.IsNamedParams {
				target, _ = c.Get("path").(string)
			}
			if target == "" {
				return "", errors.New("the page to link to is missing: {{< ref \"tips/x.md\" >}}")
			}
			return c.ref(target, abs)
		},
		"post": post,
	})
	for name, text := range builtinTemplates {
		template.Must(root.New(name).Parse(text))
	}
	return root
}

func toString(v any) string {
	switch s := v.(type) {
	case nil:
		return ""
	case string:
		return s
	case template.HTML:
		return string(s)
	}
	return fmt.Sprint(v)
}

// truthy is Hugo's `in (slice "true" true 1) X`.
func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x == "true"
	case int:
		return x == 1
	}
	return false
}

func falsy(v any) bool {
	switch x := v.(type) {
	case bool:
		return !x
	case string:
		return x == "false"
	case int:
		return x == 0
	}
	return false
}

// link is a URL as the Markdown renderer writes it: under the base path
// when root-relative, and never one that could run script.
func link(r *Renderer, v any) (string, error) {
	s := toString(v)
	out, ok := r.md.Link(s, false)
	if !ok {
		return "", fmt.Errorf("link %q could run script", s)
	}
	return out, nil
}

// figureSrc resolves src as Hugo 0.12x and later do: a file of the page's
// bundle by its URL, else the path as written.
func figureSrc(r *Renderer, c *Context) (string, error) {
	src := toString(c.Get("src"))
	if u, err := url.Parse(src); err == nil && !u.IsAbs() && c.doc.Resource != nil {
		if res, ok := c.doc.Resource(u.Path); ok {
			return res, nil
		}
	}
	out, ok := r.md.Link(src, true)
	if !ok {
		return "", fmt.Errorf("src %q could run script", src)
	}
	return out, nil
}

type video struct {
	Src, Class, Allow, Loading, Title string
}

func videoID(c *Context) string {
	if id := toString(c.Get("id")); id != "" {
		return id
	}
	if !c.IsNamedParams {
		return toString(c.Get(0))
	}
	return ""
}

// youtube is Hugo's youtube shortcode in privacy-enhanced mode.
func youtube(c *Context) (*video, error) {
	id := videoID(c)
	if id == "" {
		return nil, fmt.Errorf("the %q shortcode requires an id argument: {{< youtube VIDEO_ID >}}", c.Name)
	}
	flag := func(name string, def int) int {
		switch v := c.Get(name); {
		case truthy(v):
			return 1
		case falsy(v):
			return 0
		}
		return def
	}
	autoplay, loop := flag("autoplay", 0), flag("loop", 0)
	mute := flag("mute", 0)
	if autoplay == 1 {
		mute = 1
	}
	or := func(name, def string) string {
		if s := toString(c.Get(name)); s != "" {
			return s
		}
		return def
	}
	q := url.Values{}
	q.Set("autoplay", fmt.Sprint(autoplay))
	q.Set("controls", fmt.Sprint(flag("controls", 1)))
	q.Set("end", or("end", "0"))
	q.Set("mute", fmt.Sprint(mute))
	q.Set("start", or("start", "0"))
	q.Set("loop", fmt.Sprint(loop))
	if loop == 1 {
		q.Set("playlist", id)
	}
	allow := "accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture; web-share"
	if flag("allowFullScreen", 1) == 1 {
		allow += "; fullscreen"
	}
	return &video{
		Src:   "https://www.youtube-nocookie.com/embed/" + id + "?" + q.Encode(),
		Class: toString(c.Get("class")), Allow: allow, Loading: or("loading", "eager"),
		Title: or("title", "YouTube video"),
	}, nil
}

// vimeo is Hugo's vimeo shortcode with do-not-track on.
func vimeo(c *Context) (*video, error) {
	id := videoID(c)
	if id == "" {
		return nil, fmt.Errorf("the %q shortcode requires a video id, either as the first positional argument or an argument named id", c.Name)
	}
	v := &video{
		Src:   "https://player.vimeo.com/video/" + id + "?dnt=1",
		Class: toString(c.Get("class")), Loading: toString(c.Get("loading")), Title: toString(c.Get("title")),
		Allow: "fullscreen",
	}
	if falsy(c.Get("allowFullScreen")) {
		v.Allow = ""
	}
	return v, nil
}

// param is Hugo's param shortcode: the page's parameter, else the site's.
func param(c *Context) (string, error) {
	name := toString(c.Get(0))
	if name == "" {
		return "", errors.New("missing parameter name: {{< param KEY >}}")
	}
	if c.doc.Param == nil {
		return "", fmt.Errorf("param %q not found", name)
	}
	v := c.doc.Param(name)
	if v == nil || v == false || v == "" || v == 0 {
		return "", fmt.Errorf("param %q not found in the page's front matter or the site's [params]", name)
	}
	return toString(v), nil
}

type postLink struct{ URL, Text string }

// post links to a social post or gist instead of embedding it.
func post(c *Context, service string) (*postLink, error) {
	get := func(name string, index int) string {
		if s := toString(c.Get(name)); s != "" {
			return s
		}
		if !c.IsNamedParams {
			return toString(c.Get(index))
		}
		return ""
	}
	switch service {
	case "x":
		user, id := toString(c.Get("user")), toString(c.Get("id"))
		if !c.IsNamedParams {
			id = toString(c.Get(0))
		}
		if id == "" {
			return nil, fmt.Errorf("the %q shortcode requires user and id: {{< %s user=\"NAME\" id=\"123\" >}}", c.Name, c.Name)
		}
		if user == "" {
			return &postLink{URL: "https://x.com/i/status/" + url.PathEscape(id), Text: "View the post on X"}, nil
		}
		return &postLink{URL: "https://x.com/" + url.PathEscape(user) + "/status/" + url.PathEscape(id), Text: "View @" + user + "’s post on X"}, nil
	case "instagram":
		id := get("id", 0)
		if id == "" {
			return nil, fmt.Errorf("the %q shortcode requires the post's id: {{< instagram ID >}}", c.Name)
		}
		return &postLink{URL: "https://www.instagram.com/p/" + url.PathEscape(id) + "/", Text: "View the post on Instagram"}, nil
	default:
		user, id, file := get("user", 0), get("id", 1), get("file", 2)
		if user == "" || id == "" {
			return nil, fmt.Errorf("the %q shortcode requires a user and a gist id: {{< gist USER ID >}}", c.Name)
		}
		u := "https://gist.github.com/" + url.PathEscape(user) + "/" + url.PathEscape(id)
		if file != "" {
			u += "#file-" + strings.ToLower(strings.ReplaceAll(file, ".", "-"))
		}
		return &postLink{URL: u, Text: "View the gist on GitHub"}, nil
	}
}
