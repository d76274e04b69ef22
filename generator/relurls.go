package generator

import (
	"bytes"
	"strings"
)

// rootRelativeAttrs are the attributes whose root-relative URLs Hugo's
// relativeURLs rewrites.
var rootRelativeAttrs = []string{" href", " src", " action", " srcset", " poster"}

// relativeURLs rewrites root-relative URLs ("/tips/x/") in an HTML page
// written depth folders below the site root into page-relative ones
// ("../../tips/x/"), as Hugo's relativeURLs does, so the site works from any
// folder or from file://. Protocol-relative URLs ("//cdn…") are left alone.
func relativeURLs(html []byte, depth int) []byte {
	prefix := "./"
	if depth > 0 {
		prefix = strings.Repeat("../", depth)
	}
	var out bytes.Buffer
	out.Grow(len(html) + len(html)/50)
	last := 0
	for i := 0; i < len(html); i++ {
		if html[i] != '=' || i+3 > len(html) {
			continue
		}
		q := html[i+1]
		if (q != '"' && q != '\'') || html[i+2] != '/' || (i+3 < len(html) && html[i+3] == '/') {
			continue
		}
		if !hasAttrBefore(html[:i]) {
			continue
		}
		out.Write(html[last : i+2])
		out.WriteString(prefix)
		last = i + 3
	}
	out.Write(html[last:])
	return out.Bytes()
}

func hasAttrBefore(b []byte) bool {
	for _, a := range rootRelativeAttrs {
		if len(b) >= len(a) && strings.EqualFold(string(b[len(b)-len(a):]), a) {
			return true
		}
	}
	return false
}
