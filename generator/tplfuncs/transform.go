package tplfuncs

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io"
	"strings"
	"sync"

	"github.com/goccy/go-yaml"
	"github.com/kyokomi/emoji/v2"
	toml "github.com/pelletier/go-toml/v2"

	"github.com/agora-hub/agora/generator/internal/dataformat"
	mdmarkup "github.com/agora-hub/agora/generator/markup"
)

// transformNS is Hugo's transform namespace.
type transformNS struct{ e *env }

// HTMLEscape is Hugo's htmlEscape: it returns a plain string, so
// html/template escapes it again on output unless piped to safeHTML.
func (*transformNS) HTMLEscape(v any) (string, error) {
	s, err := str("htmlEscape", v)
	return html.EscapeString(s), err
}

// HTMLUnescape is Hugo's htmlUnescape; the result is a plain string too.
func (*transformNS) HTMLUnescape(v any) (string, error) {
	s, err := str("htmlUnescape", v)
	return html.UnescapeString(s), err
}

// XMLEscape is Hugo's transform.XMLEscape: characters XML forbids
// dropped, the rest escaped.
func (*transformNS) XMLEscape(v any) (string, error) {
	s, err := str("transform.XMLEscape", v)
	if err != nil {
		return "", err
	}
	cleaned := strings.Map(func(r rune) rune {
		if r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) ||
			(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF) {
			return r
		}
		return -1
	}, s)
	var buf bytes.Buffer
	if err := xml.EscapeText(&buf, []byte(cleaned)); err != nil {
		return "", fail("transform.XMLEscape", "%w", err)
	}
	return buf.String(), nil
}

// Markdownify is Hugo's markdownify: inline Markdown rendered with the
// site's settings.
func (ns *transformNS) Markdownify(v any) (template.HTML, error) {
	s, err := str("markdownify", v)
	if err != nil {
		return "", err
	}
	if ns.e.deps.Markdownify == nil {
		return "", errNoSite("markdownify")
	}
	return template.HTML(ns.e.deps.Markdownify(s)), nil
}

// Plainify is Hugo's plainify: the text with HTML tags removed. As in
// Hugo 0.111 the result is a string (newer Hugo returns template.HTML).
func (*transformNS) Plainify(v any) (string, error) {
	s, err := str("plainify", v)
	return mdmarkup.Plainify(s), err
}

var emojiTable = sync.OnceValues(func() (map[string]string, int) {
	m := emoji.CodeMap()
	longest := 0
	for k := range m {
		longest = max(longest, len(k))
	}
	return m, longest
})

// Emojify is Hugo's emojify: :smile: and the other codes of the emoji
// table Hugo uses (kyokomi/emoji) replaced by their characters.
func (*transformNS) Emojify(v any) (template.HTML, error) {
	s, err := str("emojify", v)
	if err != nil {
		return "", err
	}
	return template.HTML(emojify(s)), nil
}

// emojify scans as Hugo does: from each ':' to the next one, no space
// between and no longer than the longest code; an unknown code is left as
// it is and its closing ':' may open the next one.
func emojify(s string) string {
	table, longest := emojiTable()
	var b strings.Builder
	i := 0
	for {
		j := strings.IndexByte(s[i:], ':')
		if j < 0 {
			b.WriteString(s[i:])
			return b.String()
		}
		j += i
		b.WriteString(s[i:j])
		end := min(j+longest, len(s))
		k := strings.IndexByte(s[j+1:end], ':')
		if k > 0 && !strings.Contains(s[j+1:j+1+k], " ") {
			if e, ok := table[s[j:j+k+2]]; ok {
				b.WriteString(e)
				i = j + k + 2
				continue
			}
		}
		b.WriteByte(':')
		i = j + 1
	}
}

// Highlight colours code with the site's markup.highlight settings:
// {{ highlight CODE LANG [OPTIONS] }}.
func (ns *transformNS) Highlight(code, lang any, opts ...any) (template.HTML, error) {
	if ns.e.deps.Highlighter == nil {
		return "", notImplemented("highlight", "")
	}
	return HighlightFunc(ns.e.deps.Highlighter)(code, lang, opts...)
}

func (*transformNS) HighlightCodeBlock(ctx any, opts ...any) (any, error) {
	return nil, notImplemented("transform.HighlightCodeBlock", "")
}

// CanHighlight reports whether highlight knows the language.
func (ns *transformNS) CanHighlight(lang string) bool {
	return ns.e.deps.Highlighter != nil && ns.e.deps.Highlighter.CanHighlight(lang)
}

func (*transformNS) HTMLToMarkdown(args ...any) (string, error) {
	return "", notImplemented("transform.HTMLToMarkdown", "")
}

func (*transformNS) PortableText(v any) (string, error) {
	return "", notImplemented("transform.PortableText", "")
}

func (*transformNS) ToMath(args ...any) (template.HTML, error) {
	return "", notImplemented("transform.ToMath", "render math in the browser with KaTeX or MathJax")
}

// Reset is Hugo's internal cache reset; there is nothing to reset.
func (*transformNS) Reset() string { return "" }

// decodeOptions are transform.Unmarshal's options, Hugo's names.
type decodeOptions struct {
	format     string
	delimiter  rune
	comment    rune
	lazyQuotes bool
	targetType string
}

func parseDecodeOptions(m map[string]any) (decodeOptions, error) {
	o := decodeOptions{delimiter: ',', targetType: "slice"}
	for k, v := range m {
		s, err := toString(v)
		if err != nil {
			return o, fmt.Errorf("option %s: %w", k, err)
		}
		switch strings.ToLower(k) {
		case "format":
			o.format = strings.ToLower(s)
		case "delimiter", "comment":
			r := []rune(s)
			if len(r) > 1 {
				return o, fmt.Errorf("option %s: invalid character: %q", k, s)
			}
			var c rune
			if len(r) == 1 {
				c = r[0]
			}
			if strings.EqualFold(k, "delimiter") {
				o.delimiter = c
			} else {
				o.comment = c
			}
		case "lazyquotes":
			o.lazyQuotes = s == "true"
		case "targettype":
			o.targetType = strings.ToLower(s)
		default:
			return o, fmt.Errorf("unknown option %q (want format, delimiter, comment, lazyQuotes, targetType)", k)
		}
	}
	return o, nil
}

// maxUnmarshal bounds what transform.Unmarshal decodes: data files and
// remote answers are small, and decoding holds all of it in memory.
const maxUnmarshal = 64 << 20

// Unmarshal is Hugo's transform.Unmarshal [OPTIONS] DATA: DATA (a string,
// or a resource's content) decoded from TOML, YAML, JSON, CSV or XML. The
// format comes from OPTIONS' format, else the resource's type, else the
// text itself (the first of , { : < = decides, as in Hugo).
func (ns *transformNS) Unmarshal(args ...any) (any, error) {
	const fn = "transform.Unmarshal"
	var (
		data any
		opt  = decodeOptions{delimiter: ',', targetType: "slice"}
	)
	switch len(args) {
	case 1:
		data = args[0]
	case 2:
		m, ok := args[0].(map[string]any)
		if !ok {
			return nil, fail(fn, "first argument must be a map")
		}
		var err error
		if opt, err = parseDecodeOptions(m); err != nil {
			return nil, fail(fn, "failed to decode options: %w", err)
		}
		data = args[1]
	default:
		return nil, fail(fn, "takes 1 or 2 arguments")
	}
	var text string
	if c, name, ok := resourceContent(data); ok {
		var err error
		if text, err = c(); err != nil {
			return nil, wrap(fn, err)
		}
		if opt.format == "" {
			if f := formatOfName(name); f != "" {
				opt.format = f
			}
		}
	} else {
		var err error
		if text, err = toString(data); err != nil {
			return nil, fail(fn, "type %T not supported", data)
		}
	}
	if len(text) > maxUnmarshal {
		return nil, fail(fn, "%d bytes is over the limit of %d", len(text), maxUnmarshal)
	}
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	if opt.format == "" {
		opt.format = formatFromContent(text, opt.delimiter)
		if opt.format == "" {
			return nil, fail(fn, "unknown format")
		}
	}
	v, err := decodeData(opt, text)
	return v, wrap(fn, err)
}

// resourceContent recognises a resource: its content and its name.
func resourceContent(v any) (func() (string, error), string, bool) {
	r, ok := v.(interface {
		ContentString() (string, error)
		Name() string
	})
	if !ok {
		return nil, "", false
	}
	return r.ContentString, r.Name(), true
}

func formatOfName(name string) string {
	i := strings.LastIndexByte(name, '.')
	if i < 0 {
		return ""
	}
	switch e := strings.ToLower(name[i+1:]); e {
	case "yml":
		return "yaml"
	case "yaml", "json", "toml", "csv", "xml":
		return e
	}
	return ""
}

// formatFromContent is Hugo's guess: whichever of the CSV delimiter, {, :,
// < and = comes first.
func formatFromContent(s string, delim rune) string {
	idx := []struct {
		f string
		i int
	}{
		{"csv", strings.IndexRune(s, delim)},
		{"json", strings.Index(s, "{")},
		{"yaml", strings.Index(s, ":")},
		{"xml", strings.Index(s, "<")},
		{"toml", strings.Index(s, "=")},
	}
	for n, c := range idx {
		if c.i < 0 {
			continue
		}
		first := true
		for _, o := range idx[n+1:] {
			if o.i >= 0 && o.i < c.i {
				first = false
			}
		}
		if first {
			return c.f
		}
	}
	return ""
}

func decodeData(opt decodeOptions, text string) (any, error) {
	switch opt.format {
	case "toml":
		return dataformat.Unmarshal(dataformat.TOML, []byte(text))
	case "yaml", "yml":
		return dataformat.Unmarshal(dataformat.YAML, []byte(text))
	case "json":
		return dataformat.Unmarshal(dataformat.JSON, []byte(text))
	case "csv":
		return decodeCSV(opt, text)
	case "xml":
		return decodeXML(text)
	}
	return nil, fmt.Errorf("format %q not supported", opt.format)
}

func decodeCSV(opt decodeOptions, text string) (any, error) {
	r := csv.NewReader(strings.NewReader(text))
	r.Comma, r.Comment, r.LazyQuotes = opt.delimiter, opt.comment, opt.lazyQuotes
	records, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	switch opt.targetType {
	case "slice":
		return records, nil
	case "map":
		if len(records) < 2 {
			return nil, errors.New("CSV into maps needs a header row and at least one data row")
		}
		head := records[0]
		seen := map[string]bool{}
		for _, h := range head {
			if seen[h] {
				return nil, errors.New("CSV header row contains duplicate field names")
			}
			seen[h] = true
		}
		out := make([]map[string]string, len(records)-1)
		for i, rec := range records[1:] {
			m := make(map[string]string, len(head))
			for j, col := range rec {
				if j < len(head) {
					m[head[j]] = col
				}
			}
			out[i] = m
		}
		return out, nil
	}
	return nil, fmt.Errorf("invalid targetType: expected either slice or map, received %s", opt.targetType)
}

// decodeXML gives the root element's content as Hugo does (through the
// mxj library): child elements as keys, repeated ones as lists,
// attributes as "-name", text beside attributes or children as "#text",
// and every value a string.
func decodeXML(text string) (any, error) {
	d := xml.NewDecoder(strings.NewReader(text))
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return nil, errors.New("XML has no root element")
		}
		if err != nil {
			return nil, err
		}
		if se, ok := tok.(xml.StartElement); ok {
			v, err := xmlElement(d, se)
			if err != nil {
				return nil, err
			}
			m, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("XML root element %q must contain elements, got text", se.Name.Local)
			}
			return m, nil
		}
	}
}

func xmlElement(d *xml.Decoder, se xml.StartElement) (any, error) {
	m := map[string]any{}
	for _, a := range se.Attr {
		m["-"+a.Name.Local] = a.Value
	}
	var text strings.Builder
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			v, err := xmlElement(d, t)
			if err != nil {
				return nil, err
			}
			k := t.Name.Local
			switch prev := m[k].(type) {
			case nil:
				m[k] = v
			case []any:
				m[k] = append(prev, v)
			default:
				m[k] = []any{prev, v}
			}
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			s := strings.TrimSpace(text.String())
			if len(m) == 0 {
				return s, nil
			}
			if s != "" {
				m["#text"] = s
			}
			return m, nil
		}
	}
}

// Remarshal is Hugo's transform.Remarshal FORMAT DATA: DATA (a map, or
// text in any format Unmarshal reads) written as FORMAT (toml, yaml or
// json), with the encoders Hugo uses so the text is Hugo's.
func (*transformNS) Remarshal(format string, data any) (string, error) {
	const fn = "transform.Remarshal"
	format = strings.ToLower(strings.TrimSpace(format))
	var m map[string]any
	if dm, ok := data.(map[string]any); ok {
		m = dm
	} else {
		s, err := toString(data)
		if err != nil {
			return "", fail(fn, "%w", err)
		}
		s = strings.TrimSpace(s)
		if s == "" {
			return "", nil
		}
		f := formatFromContent(s, ',')
		if f == "" || f == "csv" {
			return "", fail(fn, "failed to detect format from content")
		}
		v, err := decodeData(decodeOptions{format: f}, s)
		if err != nil {
			return "", fail(fn, "%w", err)
		}
		if m, ok = v.(map[string]any); !ok {
			return "", fail(fn, "want a table, got %T", v)
		}
	}
	integralFloats(m)
	var buf bytes.Buffer
	switch format {
	case "toml":
		enc := toml.NewEncoder(&buf)
		enc.SetIndentTables(true)
		if err := enc.Encode(m); err != nil {
			return "", fail(fn, "%w", err)
		}
	case "yaml", "yml":
		b, err := yaml.MarshalWithOptions(m, yaml.UseSingleQuote(true))
		if err != nil {
			return "", fail(fn, "%w", err)
		}
		buf.Write(b)
	case "json":
		b, err := json.MarshalIndent(m, "", "   ")
		if err != nil {
			return "", fail(fn, "%w", err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	default:
		return "", fail(fn, "failed to detect target data serialization format")
	}
	return buf.String(), nil
}

// integralFloats turns 2.0 into 2, as Hugo does before encoding, because
// JSON reads every number as a float.
func integralFloats(m map[string]any) {
	for k, v := range m {
		switch t := v.(type) {
		case map[string]any:
			integralFloats(t)
		case float64:
			if i := int64(t); float64(i) == t {
				m[k] = i
			}
		}
	}
}

// transformExamples document the transform namespace; TestExamples runs them.
func transformExamples() []Example {
	return []Example{
		{"htmlEscape", `{{ htmlEscape "a < b" }} | {{ htmlEscape "a < b" | safeHTML }}`, nil, "a &amp;lt; b | a &lt; b"},
		{"htmlUnescape", `{{ htmlUnescape "a &amp; b" }} | {{ htmlUnescape "&lt;b&gt;" | safeHTML }}`, nil, "a &amp; b | <b>"},
		{"plainify", `{{ plainify "<p>Hello <b>world</b></p>" }}`, nil, "Hello world"},
		{"markdownify", `{{ markdownify "hi" }}`, nil, "<em>hi</em>"},
		{"emojify", `{{ emojify "I :heart: Go :notacode: :" }}`, nil, "I ❤️ Go :notacode: :"},
		{"transform.XMLEscape", `{{ transform.XMLEscape "<a>&" }}`, nil, "&amp;lt;a&amp;gt;&amp;amp;"},
		{"unmarshal", `{{ $d := unmarshal "title = \"T\"\nn = 2" }}{{ $d.title }} {{ $d.n }}`, nil, "T 2"},
		{"unmarshal", `{{ $d := unmarshal "a: [1, 2]\nb: {c: x}" }}{{ $d.a }} {{ $d.b.c }}`, nil, "[1 2] x"},
		{"unmarshal", `{{ $d := unmarshal "{\"a\": 1.5}" }}{{ $d.a }}`, nil, "1.5"},
		{"unmarshal", `{{ range unmarshal "name,n\nada,1\nbob,2" }}{{ index . 0 }};{{ end }} {{ range unmarshal (dict "targetType" "map") "name,n\nada,1" }}{{ .name }}{{ end }}`, nil, "name;ada;bob; ada"},
		{"unmarshal", `{{ $x := unmarshal "<feed lang=\"en\"><title>T</title><item>a</item><item>b</item></feed>" }}{{ $x.title }} {{ index $x "-lang" }} {{ $x.item }}`, nil, "T en [a b]"},
		{"transform.Unmarshal", `{{ (resources.Get "data/list.json" | transform.Unmarshal).items }}`, nil, "[1 2]"},
		{"transform.Remarshal", `{{ transform.Remarshal "json" "a = 1\nb = \"x\"" }}`, nil, "{\n   &#34;a&#34;: 1,\n   &#34;b&#34;: &#34;x&#34;\n}\n"},
		{"transform.Remarshal", `{{ transform.Remarshal "toml" (dict "a" 1 "t" (dict "b" true)) }}`, nil, "a = 1\n\n[t]\n  b = true\n"},
		{"transform.Remarshal", `{{ transform.Remarshal "yaml" (dict "a" "x" "l" (slice 1 2)) }}`, nil, "a: x\nl:\n- 1\n- 2\n"},
		{"highlight", `{{ highlight "x" "go" }}`, nil, "error: not implemented in Agora"},
	}
}
