package content

import (
	"bytes"
	"io/fs"
)

// SameFrontMatter reports whether data, the file's new bytes, has exactly
// the front matter s was decoded from, at the same place. Then everything
// decoded from the file is unchanged and only the body may differ, which
// serve re-renders without rebuilding the model.
func (s *Source) SameFrontMatter(data []byte) bool {
	fm, _, body, bodyLine, err := Split(data)
	return err == nil && s.fsys != nil &&
		bytes.Equal(fm, s.frontMatter) && bodyLine == s.BodyLine &&
		len(data)-len(body) == s.bodyOffset
}

// LoadFile reads and decodes one Markdown file below the content/ folder of
// site, as Load does for every file; rel is its slash path below content/.
// A leaf bundle's resources are not listed.
func LoadFile(site fs.FS, rel string, opt Options) (*Source, error) {
	return loadFile(site, rel, opt)
}
