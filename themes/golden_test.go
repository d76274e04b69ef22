package themes_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/agora-hub/agora/internal/dispwidth"
	"github.com/agora-hub/agora/newsletter/mailtext"
)

var update = flag.Bool("update", false, "rewrite the golden files and default/static/css/chroma.css")

// TestExampleMailsGolden pins the example hub's first digest and welcome
// mails, text and HTML, as the built-in theme renders them: a change to
// the templates or to how summaries are cut shows up as a diff here. The
// text part is also held to what a terminal reader needs: no line wider
// than 78 columns but a URL, which is whole on its own line.
func TestExampleMailsGolden(t *testing.T) {
	for name, m := range renderExample(t) {
		for _, part := range []struct{ ext, body string }{{"txt", m.Text}, {"html", m.HTML}} {
			golden := filepath.Join("testdata", "example-"+name+"."+part.ext)
			if *update {
				if err := os.WriteFile(golden, []byte(part.body), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test ./themes -run Golden -update writes it)", err)
			}
			if string(want) != part.body {
				t.Errorf("%s differs from the golden file (go test ./themes -run Golden -update to accept):\n%s", golden, part.body)
			}
		}
		for i, line := range strings.Split(m.Text, "\n") {
			trimmed := strings.TrimSpace(line)
			if dispwidth.String(line) > 78 && !mailtext.IsURL(trimmed) {
				t.Errorf("%s.txt:%d: %d columns: %q", name, i+1, dispwidth.String(line), line)
			}
			if f := strings.Fields(trimmed); len(f) > 1 && mailtext.IsURL(f[len(f)-1]) {
				t.Errorf("%s.txt:%d: a URL shares its line: %q", name, i+1, line)
			}
		}
	}
}
