// Package sitefs reads a site folder so that nothing outside it can be
// read. Every file is opened through an *os.Root: a symbolic link is
// followed when its target stays inside the site (Hugo sites use them, for
// a shared folder of images or a theme kept elsewhere in the repository)
// and refused, naming the link and where it points, when it leads outside
// the folder or into one of the site's hidden folders (.git, whose config
// may hold a deploy token). A SQLite database and its -wal, -shm and
// -journal files are never handed out, whatever their name: subscriber
// addresses must not reach the published site by any path.
//
// Hard links cannot be told apart from ordinary files by any program, so
// they are not refused; git never checks one out, so a pull request cannot
// add one, and a hard link to a database is still refused by its content.
package sitefs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// maxLinks is how many symbolic links one path may pass through: os.Root's
// own limit (POSIX's minimum SYMLOOP_MAX), beyond which it refuses anyway.
const maxLinks = 8

// Site is a site folder opened for reading. It is an fs.FS of the whole
// folder (names are slash paths from the site root, "content/tips/x.md"),
// and Sub gives one of its folders. Safe for concurrent use.
type Site struct {
	FS
	root *os.Root
	// dir and real are the folder as given and with its own links
	// resolved, to recognise an absolute link that stays inside.
	dir, real string
}

// Open opens the site folder dir. dir itself may be reached through
// symbolic links: it is the user's choice of site.
func Open(dir string) (*Site, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(abs)
	if err != nil {
		return nil, err
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		real = abs
	}
	s := &Site{root: r, dir: abs, real: real}
	s.FS = FS{s: s}
	return s, nil
}

// Close releases the folder.
func (s *Site) Close() error { return s.root.Close() }

// Dir is the site folder's absolute path.
func (s *Site) Dir() string { return s.dir }

// Root is the folder as an *os.Root, for commands that write into the site
// (agora new): writes through it cannot leave the folder either. Explain
// turns its errors into messages naming the link.
func (s *Site) Root() *os.Root { return s.root }

// LinkError is a symbolic link the site may not follow.
type LinkError struct {
	Link  string   // slash path in the site of the first link on the way
	Chain []string // each link's target as written, in the order followed
	Why   string   // "leads outside the site", …
}

func (e *LinkError) Error() string {
	return fmt.Sprintf("%s: symbolic link to %s %s; refused: a site is read only from inside its folder (copy the file in instead)",
		e.Link, strings.Join(e.Chain, " and on to "), e.Why)
}

// DatabaseError is a SQLite file found among the site's files.
type DatabaseError struct {
	Path string // slash path in the site
	What string // "a SQLite database", …
}

func (e *DatabaseError) Error() string {
	return fmt.Sprintf("%s: %s, which Agora never reads as site content or publishes, whatever its name: subscriber addresses must not reach the site; move it out of the site's published folders (the default place is data/)", e.Path, e.What)
}

// FS is a folder of the site: the site itself, or one from Sub.
type FS struct {
	s      *Site
	prefix string // "" for the site root, else a slash path such as "static"
}

func (f FS) name(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	return path.Join(f.prefix, name), nil
}

// Open opens a file or folder for reading.
func (f FS) Open(name string) (fs.File, error) {
	full, err := f.name("open", name)
	if err != nil {
		return nil, err
	}
	file, err := f.s.open(full)
	if err != nil {
		return nil, err
	}
	return file, nil
}

// ReadFile reads a whole file.
func (f FS) ReadFile(name string) ([]byte, error) {
	full, err := f.name("read", name)
	if err != nil {
		return nil, err
	}
	file, err := f.s.open(full)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return io.ReadAll(file)
}

// Stat describes a file, following links that stay inside the site.
func (f FS) Stat(name string) (fs.FileInfo, error) {
	full, err := f.name("stat", name)
	if err != nil {
		return nil, err
	}
	return f.s.stat(full)
}

// Sub is the folder dir of this folder. Errors keep naming files by their
// path from the site root.
func (f FS) Sub(dir string) (fs.FS, error) {
	full, err := f.name("sub", dir)
	if err != nil {
		return nil, err
	}
	return FS{s: f.s, prefix: full}, nil
}

// ReadDir lists a folder by name. A symbolic link whose target is inside
// the site is listed as what it points to, so that a walk enters a linked
// folder; one that leads elsewhere, or nowhere (an editor's lock file), is
// listed as a link, and opening it says why it is refused.
func (f FS) ReadDir(name string) ([]fs.DirEntry, error) {
	full, err := f.name("readdir", name)
	if err != nil {
		return nil, err
	}
	dir, err := f.s.open(full)
	if err != nil {
		return nil, err
	}
	entries, err := dir.ReadDir(-1)
	dir.Close()
	if err != nil {
		return nil, err
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	for i, e := range entries {
		if e.Type()&fs.ModeSymlink == 0 {
			continue
		}
		p := path.Join(full, e.Name())
		real, err := f.s.resolve(p)
		if err != nil {
			continue
		}
		info, err := f.s.root.Stat(real)
		if err != nil {
			continue
		}
		if info.IsDir() {
			if err := f.s.checkLoop(full, p, real); err != nil {
				return nil, err
			}
		}
		entries[i] = fs.FileInfoToDirEntry(renamed{info, e.Name()})
	}
	return entries, nil
}

// renamed is a link's target described under the link's name.
type renamed struct {
	fs.FileInfo
	name string
}

func (r renamed) Name() string { return r.name }

// open opens name (a clean slash path from the site root) through the
// root, and refuses SQLite files.
func (s *Site) open(name string) (*os.File, error) {
	file, err := s.root.Open(name)
	if err != nil {
		real, why := s.explain(name, err)
		if why != nil {
			return nil, why
		}
		if file, err = s.root.Open(real); err != nil {
			return nil, err
		}
	} else if err := s.checkLink(name); err != nil {
		// The root follows links inside the site, into .git too.
		file.Close()
		return nil, err
	}
	if err := checkDatabase(name, file); err != nil {
		file.Close()
		return nil, err
	}
	return file, nil
}

func (s *Site) stat(name string) (fs.FileInfo, error) {
	info, err := s.root.Stat(name)
	if err == nil {
		return info, s.checkLink(name)
	}
	real, why := s.explain(name, err)
	if why != nil {
		return nil, why
	}
	return s.root.Stat(real)
}

// checkLink refuses name when it is itself a link, one the root would
// follow, that leads into a hidden folder of the site.
func (s *Site) checkLink(name string) error {
	info, err := s.root.Lstat(name)
	if err != nil || info.Mode()&fs.ModeSymlink == 0 {
		return nil
	}
	_, err = s.resolve(name)
	var le *LinkError
	if errors.As(err, &le) {
		return le
	}
	return nil
}

// Explain returns err, an error of an operation on name through Root, or
// a *LinkError naming the link that made it fail.
func (s *Site) Explain(name string, err error) error {
	if _, why := s.explain(filepath.ToSlash(name), err); why != nil {
		return why
	}
	return err
}

// explain works out why the root refused name. os.Root refuses links that
// leave the folder and absolute links, even those that stay inside; the
// latter are resolved here and returned as real, a path without links.
// Otherwise why is the error to report: a *LinkError naming the link, or
// err itself.
func (s *Site) explain(name string, err error) (real string, why error) {
	real, rerr := s.resolve(name)
	var le *LinkError
	if errors.As(rerr, &le) {
		return "", le
	}
	if rerr != nil || real == name {
		return "", err
	}
	return real, nil
}

// resolve follows every symbolic link in name (a clean slash path from the
// site root) and returns the path it leads to, which holds none, or a
// *LinkError for the first link that leads outside the site, into a hidden
// folder of it, or round in a loop.
func (s *Site) resolve(name string) (string, error) {
	var done []string
	todo := strings.Split(name, "/")
	var first string
	var chain []string
	refuse := func(why string) error {
		return &LinkError{Link: first, Chain: chain, Why: why}
	}
	for len(todo) > 0 {
		el := todo[0]
		todo = todo[1:]
		switch el {
		case "", ".":
			continue
		case "..":
			if len(done) == 0 {
				return "", refuse("which leads outside the site")
			}
			done = done[:len(done)-1]
			continue
		}
		cur := path.Join(append(done, el)...)
		info, err := s.root.Lstat(cur)
		if err != nil {
			return "", err
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			done = append(done, el)
			continue
		}
		target, err := s.root.Readlink(cur)
		if err != nil {
			return "", err
		}
		if first == "" {
			first = cur
		}
		chain = append(chain, target)
		if len(chain) > maxLinks {
			return "", refuse(fmt.Sprintf("through more than %d links (a loop?)", maxLinks))
		}
		if filepath.IsAbs(target) {
			rel, ok := s.inside(target)
			if !ok {
				return "", refuse("which is outside the site")
			}
			done, todo = nil, append(strings.Split(rel, "/"), todo...)
			continue
		}
		todo = append(strings.Split(filepath.ToSlash(target), "/"), todo...)
	}
	if first != "" && len(done) > 0 && strings.HasPrefix(done[0], ".") {
		return "", refuse(fmt.Sprintf("which leads into the site's hidden %s", done[0]))
	}
	return path.Join(done...), nil
}

// inside returns an absolute path's place in the site, if it is inside.
func (s *Site) inside(abs string) (string, bool) {
	abs = filepath.Clean(abs)
	for _, base := range []string{s.dir, s.real} {
		if rel, err := filepath.Rel(base, abs); err == nil && (rel == "." || filepath.IsLocal(rel)) {
			return filepath.ToSlash(rel), true
		}
	}
	return "", false
}

// checkLoop refuses a link to a folder (link, in folder dir, leading to
// real) that holds the folder being walked: following it would walk the
// same files again without end.
func (s *Site) checkLoop(dir, link, real string) error {
	el := strings.Split(dir, "/")
	for i := len(el); i > 0; i-- {
		at, err := s.resolve(strings.Join(el[:i], "/"))
		if err != nil {
			continue
		}
		if real == "" || real == at || strings.HasPrefix(at+"/", real+"/") {
			target, _ := s.root.Readlink(link)
			return &LinkError{Link: link, Chain: []string{target}, Why: "which holds the link itself: a loop"}
		}
	}
	return nil
}

// Magic numbers of SQLite's files (https://www.sqlite.org/fileformat.html).
var (
	sqliteHeader  = []byte("SQLite format 3\x00")
	journalHeader = []byte{0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7}
)

const (
	walMagic       = 0x377f0682 // the low bit says the checksums' byte order
	shmVersion     = 3007000    // the wal-index header's iVersion
	shmHeaderBytes = 48         // the wal-index header, stored twice
)

// checkDatabase refuses a regular file that is a SQLite database, its
// write-ahead log, its wal-index (-shm) or its rollback journal, by
// content, and the side files also by name (a journal's header is zeroed
// once committed, an -shm file may be all zeros).
func checkDatabase(name string, f *os.File) error {
	info, err := f.Stat()
	if err != nil || !info.Mode().IsRegular() {
		return err
	}
	base := strings.ToLower(path.Base(name))
	for _, side := range []string{"-wal", "-shm", "-journal"} {
		if stem, ok := strings.CutSuffix(base, side); ok && path.Ext(stem) != "" {
			return &DatabaseError{Path: name, What: "a SQLite database's " + side + " file"}
		}
	}
	var head [2 * shmHeaderBytes]byte
	n, err := f.ReadAt(head[:], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	what := sqliteKind(head[:n])
	if what == "" {
		return nil
	}
	return &DatabaseError{Path: name, What: what}
}

// sqliteKind names the SQLite file whose first bytes are head, or "".
func sqliteKind(head []byte) string {
	switch {
	case len(head) >= len(sqliteHeader) && string(head[:len(sqliteHeader)]) == string(sqliteHeader):
		return "a SQLite database"
	case len(head) >= 4 && be32(head)&^1 == walMagic:
		return "a SQLite write-ahead log (-wal)"
	case len(head) >= len(journalHeader) && string(head[:len(journalHeader)]) == string(journalHeader):
		return "a SQLite rollback journal"
	case len(head) >= 2*shmHeaderBytes && (le32(head) == shmVersion || be32(head) == shmVersion) &&
		string(head[:shmHeaderBytes]) == string(head[shmHeaderBytes:2*shmHeaderBytes]):
		return "a SQLite wal-index (-shm)"
	}
	return ""
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
func le32(b []byte) uint32 {
	return uint32(b[3])<<24 | uint32(b[2])<<16 | uint32(b[1])<<8 | uint32(b[0])
}

// Folder returns the folder dir of fsys, or nil when there is none. A link
// to a folder outside the site is an error, not a folder that is missing.
func Folder(fsys fs.FS, dir string) (fs.FS, error) {
	info, err := fs.Stat(fsys, dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	case !info.IsDir():
		return nil, nil
	}
	return fs.Sub(fsys, dir)
}
