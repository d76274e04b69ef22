// Package output writes a build into a staging folder beside the
// destination and swaps it in only when the whole build succeeded, so a
// failed build leaves the previous site byte-for-byte as it was and a
// successful one leaves no stale files behind (hugo#3537).
package output

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
)

// Stage is a build in progress. Safe for concurrent use.
type Stage struct {
	dest string
	dir  string

	mu      sync.Mutex
	written map[string]string // output path → who wrote it
	dirs    map[string]bool
	files   int
	release func() // drops the lock that keeps the stage from cleaners
}

// stagePrefix is how the names of dest's stages begin.
func stagePrefix(dest string) string { return "." + filepath.Base(dest) + ".tmp-" }

// NewStage creates the staging folder next to dest (same file system, so
// the final rename is atomic). Stages a killed build left there are
// removed first, unless another build is running beside it.
func NewStage(dest string) (*Stage, error) {
	dest = filepath.Clean(dest)
	parent := filepath.Dir(dest)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", parent, err)
	}
	release := holdParent(parent, dest)
	dir, err := os.MkdirTemp(parent, stagePrefix(dest))
	if err != nil {
		release()
		return nil, fmt.Errorf("creating staging folder: %w", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		release()
		return nil, err
	}
	return &Stage{dest: dest, dir: dir, written: map[string]string{}, dirs: map[string]bool{"": true}, release: sync.OnceFunc(release)}, nil
}

// Dir is the staging folder.
func (s *Stage) Dir() string { return s.dir }

// claim records that owner writes rel, refusing paths outside the stage
// and a second writer of the same path.
func (s *Stage) claim(rel, owner string) (string, error) {
	if !filepath.IsLocal(filepath.FromSlash(rel)) || strings.Contains(rel, "\\") {
		return "", fmt.Errorf("output path %q would leave the destination folder", rel)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.written[rel]; ok {
		return "", fmt.Errorf("%s: written by both %s and %s", rel, prev, owner)
	}
	s.written[rel] = owner
	if err := s.mkdir(path.Dir(rel)); err != nil {
		return "", err
	}
	return filepath.Join(s.dir, filepath.FromSlash(rel)), nil
}

// mkdir creates dir (slash, relative) and its parents. The stage starts
// empty and remembers what it made, so each folder costs one mkdir call
// instead of MkdirAll's stat of every component: on a 13,000-page site
// those syscalls are a large share of the build. Called with s.mu held.
func (s *Stage) mkdir(dir string) error {
	if dir == "." {
		dir = ""
	}
	if s.dirs[dir] {
		return nil
	}
	if err := s.mkdir(path.Dir(dir)); err != nil {
		return err
	}
	if err := os.Mkdir(filepath.Join(s.dir, filepath.FromSlash(dir)), 0o755); err != nil && !os.IsExist(err) {
		return err
	}
	s.dirs[dir] = true
	return nil
}

// Write writes data to rel (slash path) on behalf of owner.
func (s *Stage) Write(rel, owner string, data []byte) error {
	full, err := s.claim(rel, owner)
	if err != nil {
		return err
	}
	return os.WriteFile(full, data, 0o644)
}

// Create opens rel for writing, for outputs streamed from a template.
func (s *Stage) Create(rel, owner string) (io.WriteCloser, error) {
	full, err := s.claim(rel, owner)
	if err != nil {
		return nil, err
	}
	return os.Create(full)
}

// Copy copies fsys/name to rel, counting it as a file (not a page).
func (s *Stage) Copy(rel, owner string, fsys fs.FS, name string) error {
	full, err := s.claim(rel, owner)
	if err != nil {
		return err
	}
	in, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(full)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copying %s: %w", owner, err)
	}
	s.mu.Lock()
	s.files++
	s.mu.Unlock()
	return out.Close()
}

// Owner reports who wrote rel, if anyone.
func (s *Stage) Owner(rel string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.written[rel]
	return o, ok
}

// Files is how many files were copied.
func (s *Stage) Files() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.files
}

// Abort removes the staging folder; the destination is untouched.
func (s *Stage) Abort() error {
	defer s.release()
	return os.RemoveAll(s.dir)
}

// Commit puts the staged site in place of the destination. On Linux the
// two folders are exchanged in one atomic rename, so there is no moment
// without a site; elsewhere the old one is moved aside first.
func (s *Stage) Commit() error {
	defer s.release()
	_, err := os.Lstat(s.dest)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.Rename(s.dir, s.dest); err != nil {
			return fmt.Errorf("moving the build into %s: %w", s.dest, err)
		}
		return nil
	case err != nil:
		return err
	}
	if err := exchange(s.dir, s.dest); err == nil {
		return os.RemoveAll(s.dir) // now holds the previous site
	}
	old := s.dir + ".old"
	if err := os.Rename(s.dest, old); err != nil {
		return fmt.Errorf("moving the previous %s aside: %w", s.dest, err)
	}
	if err := os.Rename(s.dir, s.dest); err != nil {
		_ = os.Rename(old, s.dest)
		return fmt.Errorf("moving the build into %s: %w", s.dest, err)
	}
	return os.RemoveAll(old)
}
