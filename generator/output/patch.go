package output

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Patch rewrites single files of a committed build in place, for serve's
// incremental rebuilds. Each file is replaced atomically (a temporary file
// renamed over it), so a browser never reads half a page, and a file whose
// bytes did not change is not touched. Safe for concurrent use.
type Patch struct {
	dest    string
	mu      sync.Mutex
	written map[string]string // output path → who wrote it
	changed []string
}

// Patch returns a writer into the destination the stage was committed to,
// which knows who wrote each file of the build.
func (s *Stage) Patch() *Patch {
	s.mu.Lock()
	defer s.mu.Unlock()
	written := make(map[string]string, len(s.written))
	for k, v := range s.written {
		written[k] = v
	}
	return &Patch{dest: s.dest, written: written}
}

// claim refuses paths outside the destination and a path another owner
// wrote: a re-run writes what it wrote before.
func (p *Patch) claim(rel, owner string) (string, error) {
	if !filepath.IsLocal(filepath.FromSlash(rel)) || strings.Contains(rel, "\\") {
		return "", fmt.Errorf("output path %q would leave the destination folder", rel)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if prev, ok := p.written[rel]; ok && prev != owner {
		return "", fmt.Errorf("%s: written by both %s and %s", rel, prev, owner)
	}
	p.written[rel] = owner
	return filepath.Join(p.dest, filepath.FromSlash(rel)), nil
}

// Write replaces rel with data unless it already holds exactly data.
func (p *Patch) Write(rel, owner string, data []byte) error {
	full, err := p.claim(rel, owner)
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(full); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(full), ".agora-patch-*")
	if err != nil {
		return err
	}
	_, werr := tmp.Write(data)
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), full)
	}
	if werr != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", rel, werr)
	}
	p.mu.Lock()
	p.changed = append(p.changed, rel)
	p.mu.Unlock()
	return nil
}

// Copy replaces rel with fsys/name.
func (p *Patch) Copy(rel, owner string, fsys fs.FS, name string) error {
	in, err := fsys.Open(name)
	if err != nil {
		return err
	}
	defer in.Close()
	data, err := io.ReadAll(in)
	if err != nil {
		return fmt.Errorf("copying %s: %w", owner, err)
	}
	return p.Write(rel, owner, data)
}

// Remove deletes rel, a file no unit writes any more, and the folders it
// leaves empty.
func (p *Patch) Remove(rel string) error {
	if !filepath.IsLocal(filepath.FromSlash(rel)) {
		return fmt.Errorf("output path %q would leave the destination folder", rel)
	}
	p.mu.Lock()
	delete(p.written, rel)
	p.changed = append(p.changed, rel)
	p.mu.Unlock()
	full := filepath.Join(p.dest, filepath.FromSlash(rel))
	if err := os.Remove(full); err != nil && !os.IsNotExist(err) {
		return err
	}
	for dir := filepath.Dir(full); dir != p.dest && strings.HasPrefix(dir, p.dest); dir = filepath.Dir(dir) {
		if os.Remove(dir) != nil { // not empty, or gone
			break
		}
	}
	return nil
}

// Owner reports who wrote rel, if anyone.
func (p *Patch) Owner(rel string) (string, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	o, ok := p.written[rel]
	return o, ok
}

// Changed returns the files rewritten since the last call, and forgets them.
func (p *Patch) Changed() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	c := p.changed
	p.changed = nil
	return c
}
