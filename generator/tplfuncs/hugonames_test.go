package tplfuncs

import (
	"bufio"
	"html/template"
	"os"
	"strings"
	"testing"
)

// hugoFunctions reads testdata/hugo-functions.txt: ns.Method, then its
// short names.
func hugoFunctions(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open("testdata/hugo-functions.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, aliases, _ := strings.Cut(line, "\t")
		out[name] = strings.Fields(aliases)
	}
	if len(out) < 200 {
		t.Fatalf("only %d functions in the list", len(out))
	}
	return out
}

// TestEveryHugoFunctionParses is the promise that a theme never fails to
// parse because of a Hugo function name: a template calling every one of
// them, namespaced and short, parses; each resolves to a function or
// method (no "can't evaluate field"); and one Agora does not implement
// fails only when it runs, naming the template, the line and itself.
func TestEveryHugoFunctionParses(t *testing.T) {
	funcs := exampleFuncs(t)
	fns := hugoFunctions(t)
	var all strings.Builder
	all.WriteString("{{ if false }}\n")
	for name, aliases := range fns {
		all.WriteString("{{ " + name + " }}\n")
		for _, a := range aliases {
			all.WriteString("{{ " + a + " }}\n")
		}
	}
	all.WriteString("{{ return }}{{ try (print) }}{{ end }}")
	if _, err := template.New("all.html").Funcs(funcs).Parse(all.String()); err != nil {
		t.Fatalf("a template calling every Hugo function fails to parse: %v", err)
	}

	for name, aliases := range fns {
		for _, call := range append([]string{name}, aliases...) {
			src := "line one\n{{ " + call + " }}"
			tpl, err := template.New("theme/x.html").Funcs(funcs).Parse(src)
			if err != nil {
				t.Errorf("%s: %v", call, err)
				continue
			}
			err = tpl.Execute(new(strings.Builder), nil)
			if err == nil {
				continue
			}
			msg := err.Error()
			for _, bad := range []string{"can't evaluate field", "is not a method", "not a defined function"} {
				if strings.Contains(msg, bad) {
					t.Errorf("%s does not resolve: %s", call, msg)
				}
			}
			if strings.Contains(msg, ErrNotImplemented.Error()) {
				if !strings.Contains(msg, "theme/x.html:2:") || !strings.Contains(msg, call[strings.LastIndexByte(call, '.')+1:]) {
					t.Errorf("%s: the not-implemented error must name the template, line and function: %s", call, msg)
				}
			}
		}
	}
}

// TestNotImplementedNamesTheCall shows the error a theme author sees.
func TestNotImplementedNamesTheCall(t *testing.T) {
	tpl := template.Must(template.New("layouts/partials/head.html").Funcs(Generic()).Parse("<head>\n{{ $d := getJSON \"https://x.org/a.json\" }}</head>"))
	err := tpl.Execute(new(strings.Builder), nil)
	want := []string{"layouts/partials/head.html:2:", "getJSON", "not implemented in Agora", "transform.Unmarshal"}
	for _, w := range want {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Fatalf("got %v, want an error containing %q", err, w)
		}
	}
}
