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
	parts, err := Split(data)
	return err == nil && s.fsys != nil && parts.Format == s.format &&
		bytes.Equal(parts.FrontMatter, s.frontMatter) && parts.BodyLine == s.BodyLine &&
		len(data)-len(parts.Body) == s.bodyOffset
}

// LoadFile reads and decodes one Markdown file below the content folder
// of site, as Load does for every file; rel is its slash path below it.
// A leaf bundle's resources are not listed, and no cascade is applied
// (serve builds afresh when the site has one).
func LoadFile(site fs.FS, rel string, opt Options) (*Source, error) {
	s, err := loadFile(site, opt.dir(), rel, opt)
	if err != nil {
		return nil, err
	}
	if err := s.decodeMeta(opt); err != nil {
		return nil, err
	}
	return s, nil
}
