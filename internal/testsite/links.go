package testsite

import (
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// CheckLinks parses every HTML file below public and reports each internal
// href or src that does not resolve to a file, or whose #fragment is not an
// id in the target. base is the site's baseURL ("https://ex.org/hub/"): a
// root-relative link that lacks its path is broken on GitHub Pages even if
// the file exists. It returns how many links it checked.
func CheckLinks(t testing.TB, public, base string) int {
	t.Helper()
	bu, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]map[string]bool{}
	links := map[string][]string{}
	err = filepath.WalkDir(public, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		rel, _ := filepath.Rel(public, p)
		rel = filepath.ToSlash(rel)
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		doc, err := html.Parse(f)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		ids[rel] = map[string]bool{}
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode {
				for _, a := range n.Attr {
					switch {
					case a.Key == "id" || (a.Key == "name" && n.Data == "a"):
						ids[rel][a.Val] = true
					case a.Key == "href" || a.Key == "src":
						links[rel] = append(links[rel], a.Val)
					}
				}
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for file, ls := range links {
		pageURL := bu.ResolveReference(&url.URL{Path: bu.Path + strings.TrimSuffix(file, "index.html")})
		for _, l := range ls {
			u, err := url.Parse(l)
			if err != nil {
				t.Errorf("%s: unparsable link %q", file, l)
				continue
			}
			if u.Scheme == "mailto" || u.Scheme == "tel" {
				continue
			}
			if strings.HasPrefix(l, "/") && !strings.HasPrefix(l, "//") && !strings.HasPrefix(l, bu.Path) {
				t.Errorf("%s: root-relative link %q lacks the base path %s", file, l, bu.Path)
				continue
			}
			abs := pageURL.ResolveReference(u)
			if abs.Host != bu.Host || (u.Scheme != "" && u.Scheme != bu.Scheme) {
				continue // external
			}
			checked++
			if !strings.HasPrefix(abs.Path, bu.Path) {
				t.Errorf("%s: link %q leaves the site's base path", file, l)
				continue
			}
			target := strings.TrimPrefix(abs.Path, bu.Path)
			if target == "" || strings.HasSuffix(target, "/") {
				target += "index.html"
			}
			target = path.Clean(target)
			if st, err := os.Stat(filepath.Join(public, filepath.FromSlash(target))); err == nil && st.IsDir() {
				target += "/index.html"
			} else if err != nil {
				t.Errorf("%s: broken link %q (no %s)", file, l, target)
				continue
			}
			if abs.Fragment != "" && strings.HasSuffix(target, ".html") && !ids[target][abs.Fragment] {
				t.Errorf("%s: link %q: no id %q in %s", file, l, abs.Fragment, target)
			}
		}
	}
	return checked
}
