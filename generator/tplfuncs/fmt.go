package tplfuncs

import (
	"fmt"
	"strings"
)

// fmtNS is Hugo's fmt namespace.
type fmtNS struct{ e *env }

func (*fmtNS) Print(a ...any) string                 { return fmt.Sprint(a...) }
func (*fmtNS) Printf(format string, a ...any) string { return fmt.Sprintf(format, a...) }
func (*fmtNS) Println(a ...any) string               { return fmt.Sprintln(a...) }

// Errorf is Hugo's errorf FORMAT ARG…: it fails the build. Hugo logs the
// message and fails at the end of the build; Agora fails the template
// that called it, so that the message comes with its file and line.
func (*fmtNS) Errorf(format string, a ...any) (string, error) {
	return "", fail("errorf", "%s", fmt.Sprintf(format, a...))
}

// Erroridf is Hugo's erroridf ID FORMAT ARG…: errorf, with Hugo's line on
// how to silence it, unless ignoreLogs in the site's configuration holds
// ID, when it says nothing.
func (ns *fmtNS) Erroridf(id, format string, a ...any) (string, error) {
	msg := fmt.Sprintf(format, a...)
	if ns.ignored(id) {
		return "", nil
	}
	return "", fail("erroridf", "%s\nYou can suppress this error by adding the following to your site configuration:\nignoreLogs = ['%s']", msg, id)
}

// Warnf is Hugo's warnf FORMAT ARG…: a warning printed once per build.
func (ns *fmtNS) Warnf(format string, a ...any) string {
	ns.warn(fmt.Sprintf(format, a...))
	return ""
}

// Warnidf is Hugo's warnidf ID FORMAT ARG…: warnf unless ignoreLogs holds
// ID.
func (ns *fmtNS) Warnidf(id, format string, a ...any) string {
	if !ns.ignored(id) {
		ns.warn(fmt.Sprintf(format, a...) + "\nYou can suppress this warning by adding the following to your site configuration:\nignoreLogs = ['" + id + "']")
	}
	return ""
}

// Errormf and Warnmf take a map of options (Hugo 0.149+).
func (*fmtNS) Errormf(m any, format string, a ...any) (string, error) {
	return "", notImplemented("fmt.Errormf", "use errorf or erroridf")
}

func (*fmtNS) Warnmf(m any, format string, a ...any) (string, error) {
	return "", notImplemented("fmt.Warnmf", "use warnf or warnidf")
}

func (ns *fmtNS) ignored(id string) bool {
	for _, ig := range ns.e.deps.IgnoreLogs {
		if strings.EqualFold(ig, id) {
			return true
		}
	}
	return false
}

func (ns *fmtNS) warn(msg string) {
	if ns.e.deps.Warn != nil && ns.e.once.first(msg) {
		ns.e.deps.Warn(msg)
	}
}

// fmtExamples document the fmt namespace; TestExamples runs them.
func fmtExamples() []Example {
	return []Example{
		{"print", `{{ print "a" 1 2 }} {{ printf "%03d" 7 }} {{ println "x" | printf "%q" }}`, nil, "a1 2 007 &#34;x\\n&#34;"},
		{"warnf", `{{ warnf "page %s has no summary" "x" }}done`, nil, "done"},
		{"warnidf", `{{ warnidf "old-shortcode" "shown only without ignoreLogs" }}done`, nil, "done"},
		{"errorf", `{{ errorf "the %s is missing" "image" }}`, nil, "error: errorf: the image is missing"},
		{"erroridf", `{{ erroridf "old-shortcode" "ignored" }}ok`, nil, "ok"},
		{"erroridf", `{{ erroridf "my-id" "broken %d" 1 }}`, nil, "error: broken 1\nYou can suppress this error by adding the following to your site configuration:\nignoreLogs = ['my-id']"},
	}
}
