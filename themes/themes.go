// Package themes embeds the built-in themes so that `go install` gives a
// working agora with no files beside the binary.
package themes

import (
	"embed"
	"io/fs"
)

// all: is needed because layouts live under _default/, which embed would
// otherwise skip.
//
//go:embed all:default
var embedded embed.FS

// Get returns the embedded theme's root (holding layouts/, static/,
// archetypes/), or false.
func Get(name string) (fs.FS, bool) {
	sub, err := fs.Sub(embedded, name)
	if err != nil {
		return nil, false
	}
	if _, err := fs.Stat(sub, "layouts"); err != nil {
		return nil, false
	}
	return sub, true
}
