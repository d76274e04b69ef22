package config

import (
	"os"
	"strings"
	"testing"
)

// docs/hugo.md lists every Hugo key Agora ignores, so the page a user
// reads agrees with the warnings they get.
func TestDocsListEveryIgnoredKey(t *testing.T) {
	doc, err := os.ReadFile("../../docs/hugo.md")
	if err != nil {
		t.Fatal(err)
	}
	for k, why := range hugoOnlyKeys {
		if !strings.Contains(string(doc), "`"+k+"`") {
			t.Errorf("docs/hugo.md does not list `%s`", k)
		}
		if why != "" && !strings.Contains(string(doc), why) {
			t.Errorf("docs/hugo.md does not say why %s is ignored: %q", k, why)
		}
	}
}
