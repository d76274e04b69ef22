package tplfuncs

import (
	"bytes"
	"encoding/json"
	"strings"
	"time"
)

// debugNS is Hugo's debug namespace.
type debugNS struct{ e *env }

// Dump is Hugo's debug.Dump VALUE: VALUE as indented JSON, for <pre>.
func (*debugNS) Dump(v any) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return "", fail("debug.Dump", "%w", err)
	}
	return strings.TrimSuffix(buf.String(), "\n"), nil
}

// VisualizeSpaces is Hugo's debug.VisualizeSpaces: white space made
// visible, for finding stray spaces in output.
func (*debugNS) VisualizeSpaces(v any) (string, error) {
	s, err := str("debug.VisualizeSpaces", v)
	return strings.NewReplacer(" ", "·", "\t", "→", "\n", "↵\n").Replace(s), err
}

// Timer is Hugo's debug.Timer NAME: .Stop ends it. Agora prints no timing
// summary, so the timer only measures.
func (*debugNS) Timer(name string) *DebugTimer { return &DebugTimer{start: time.Now()} }

// DebugTimer is what debug.Timer returns.
type DebugTimer struct{ start time.Time }

// Stop stops the timer and prints nothing.
func (t *DebugTimer) Stop() string { return "" }

// debugExamples document the debug namespace; TestExamples runs them.
func debugExamples() []Example {
	return []Example{
		{"debug.Dump", `<pre>{{ debug.Dump (dict "a" 1 "b" (slice "x")) }}</pre>`, nil, "<pre>{\n  &#34;a&#34;: 1,\n  &#34;b&#34;: [\n    &#34;x&#34;\n  ]\n}</pre>"},
		{"debug.VisualizeSpaces", `{{ debug.VisualizeSpaces "a b" }}`, nil, "a·b"},
	}
}
