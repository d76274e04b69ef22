// Package version tells which release of Agora a binary is: what `agora
// version` prints and what `agora new site` pins in the Pages workflow.
package version

import (
	"regexp"
	"runtime/debug"
)

// Module is the version the go command stamped into the binary: a release
// ("v0.4.0") or a pseudo-version for a commit ("v0.4.1-0.20261107153045-
// a51d70be185e") when it was installed with go install …@VERSION or built
// from a clean checkout; "(devel)" or a version ending in "+dirty" for a
// build of modified sources; "" when the binary carries no build info.
func Module() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return ""
	}
	return bi.Main.Version
}

// pinnable is a semantic version with an optional pre-release (which
// pseudo-versions use) and no build metadata: "+dirty" marks sources that
// no module proxy can serve.
var pinnable = regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$`)

// Pinnable reports whether v names a version that `go run
// github.com/agora-hub/agora/cmd/agora@v` can fetch again later.
func Pinnable(v string) bool { return pinnable.MatchString(v) }
